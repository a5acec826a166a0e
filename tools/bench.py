"""Load benchmark: our assistant against a bare `rasa init` assistant, on loopback.

    make bench                                   # everything, about 20 minutes
    make bench BENCH_ARGS="--duration 30 --only a,b"
    .venv/actions/bin/python -m tools.bench --train    # also time `rasa train --force` (~3.5 min more)

What it does (the figures go to var/bench/results.json and docs/benchmark.md):

1. Builds the *reference*: `rasa init --no-prompt` under var/bench/reference/ (Rasa's
   default pipeline and policies, English, no custom actions), trained once and cached.
2. Starts our action server (fixed clock, ASSISTANT_NOW), our Rasa server as shipped
   (SQLite tracker store) and the reference's Rasa server (in-memory, as `rasa init`
   ships it), and drives both through the REST channel with simulated customers having
   multi-turn conversations (Spanish for ours, English for the reference), each
   conversation with a fresh sender id.
3. Scenarios: (a) 1 customer, no pause; (b) 8 customers, no pause (saturation);
   (c) 20 customers pausing 2-5 s between turns; (d) ours with PostgreSQL tracker store +
   Redis lock store, 1 Sanic worker against 2 workers, at saturation.
   Plus NLU-only latency (POST /model/parse) and training times.

Every reply is checked: non-200, timeouts, connection errors, empty replies and replies
without the expected text (e.g. the static "cannot check the schedule" wording Rasa
falls back to when an action fails) all count as errors.

Runs with .venv/actions/bin/python (standard library + requests); Rasa itself runs in
.venv/rasa through tools/stack.py, the same way `make run` and the live tests start it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import requests
import yaml

from tools import stack

ROOT = stack.ROOT
BENCH = stack.VAR / "bench"
REFERENCE_DIR = BENCH / "reference"
RESULTS_JSON = BENCH / "results.json"
REPORT_MD = ROOT / "docs" / "benchmark.md"
OURS_TRAINING = BENCH / "training-ours.json"
RASA_PYTHON = ROOT / ".venv" / "rasa" / "bin" / "python"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
REDIS_SERVER = Path("/usr/bin/redis-server")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def _store_class(endpoints: str, section: str) -> str:
    return yaml.safe_load((ROOT / endpoints).read_text(encoding="utf-8"))[section]["type"]


# The stores as shipped: endpoints.yml's tracker store class (SQLite), and for the
# scale-out the lock store class of deploy/endpoints.scale-out.yml.
SHIPPED_TRACKER_STORE = {"type": _store_class("endpoints.yml", "tracker_store")}
SCALE_OUT_LOCK_STORE = _store_class("deploy/endpoints.scale-out.yml", "lock_store")

# Saturday 20:00 in Bogotá: every channel is closed, so "tengo un problema" goes through
# the whole after-hours triage (three questions) and the answers carry next openings.
DEFAULT_NOW = "2026-12-05T20:00"

# --------------------------------------------------------------------------------------
# Conversations. Each turn is (what the customer writes, text the reply must contain or
# None for "any non-empty reply"). Button presses are sent as their payloads, as the web
# chat does. The expected texts only appear when the custom action succeeded (the static
# first variations do not contain them), so an action server that times out under load
# shows up as an error instead of a silently degraded answer.
# --------------------------------------------------------------------------------------
Turn = tuple[str, str | None]
P1 = "318 717 49 37"
MAIN_LINE = "(601) 7442727"
SUPPORT_EMAIL = "soporte.firmadigital@certicamara.com"
MONDAY = "el lunes a las 7:00 a. m."

SPANISH: list[list[Turn]] = [
    [  # the brief's example: phone, Saturday hours, a problem after hours, triage, thanks
        ("hola", "asistente virtual"),
        ("cual es el telefono de soporte?", MAIN_LINE),
        ("y atienden los sabados?", "8:00 a. m. a 1:00 p. m."),
        ("tengo un problema", "¿Qué servicio está afectado?"),
        ('/inform{"service": "firma_digital"}', "¿El problema detiene su operación?"),
        ("/deny", "Descríbame el problema"),
        ("el token no aparece cuando lo conecto al computador", "No es un incidente crítico"),
        ("gracias", "Con gusto"),
    ],
    [  # typed answers, two in one message
        ("buenas noches", "asistente virtual"),
        ("me pueden atender ahora?", MONDAY),
        ("tengo un problema", "¿Qué servicio está afectado?"),
        ("es la firma digital y no es urgente", "Descríbame el problema"),
        ("me dice certificado vencido cuando voy a firmar un pdf", "No es un incidente crítico"),
        ("muchas gracias", "Con gusto"),
    ],
    [  # the first message names the service and is the description: one question left
        ("no puedo firmar el documento, me sale un error", "¿El problema detiene su operación?"),
        ("no", "No es un incidente crítico"),
        ("y el correo de soporte?", SUPPORT_EMAIL),
        ("listo, gracias", "Con gusto"),
    ],
    [  # digression in the middle of triage, then a critical answer
        ("buenas", "asistente virtual"),
        ("tengo un problema con el estampado", "¿El problema detiene su operación?"),
        ("cual es el correo de soporte?", SUPPORT_EMAIL),
        ("si, toda la operacion esta parada", P1),
        ("gracias", "Con gusto"),
    ],
    [  # critical incident straight away, then the chat link
        ("URGENTE se cayo el servicio de estampado, toda la operacion esta detenida", P1),
        ("y el link del chat?", "chat.certicamara.com"),
        ("ok gracias", "Con gusto"),
    ],
    [  # PQRSA and hours
        ("hola buenas noches", "asistente virtual"),
        ("quiero poner una queja por un cobro que me hicieron", "certicamararesponde@certicamara.com"),
        ("cual es el horario de atencion?", "Horarios de atención"),
        ("chao", "Gracias por escribirnos"),
    ],
    [  # escalation without a case number, never reported: back to level 1
        ("quiero hablar con un supervisor", "número de caso"),
        ("/deny", "¿Ya reportó este caso"),
        ("/deny", "grupo de soporte técnico"),
        ("gracias", "Con gusto"),
    ],
    [  # a problem, then the customer gives up; a person; typos
        ("kual es el telefno d soporte??", MAIN_LINE),
        ("tengo un problema", "¿Qué servicio está afectado?"),
        ("olvidalo", "lo dejamos aquí"),
        ("quiero hablar con un asesor", "Ahora no hay asesores disponibles"),
        ("gracias", "Con gusto"),
    ],
]

ENGLISH: list[list[Turn]] = [
    [("hello there", "Hey! How are you?"), ("I am feeling great", "Great, carry on!"), ("bye", "Bye")],
    [("hi", "Hey! How are you?"), ("I am sad", "Did that help you?"), ("yes", "Great, carry on!"),
     ("goodbye", "Bye")],
    [("good morning", "Hey! How are you?"), ("not very good", "Did that help you?"), ("no", "Bye")],
    [("are you a bot?", "I am a bot"), ("hey", "Hey! How are you?"), ("perfect", "Great, carry on!"),
     ("see you later", "Bye")],
    [("good evening", "Hey! How are you?"), ("I am very sad", "Did that help you?"),
     ("of course", "Great, carry on!"), ("am I talking to a human?", "I am a bot"), ("bye bye", "Bye")],
]


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    customers: int
    pause: tuple[float, float] | None  # seconds between a customer's turns, or None


SCENARIOS = {
    "a": Scenario("a", "1 customer, no pause", 1, None),
    "b": Scenario("b", "8 customers, no pause (saturation)", 8, None),
    "c": Scenario("c", "20 customers, 2-5 s pauses (realistic)", 20, (2.0, 5.0)),
    "d": Scenario("d", "8 customers, no pause, PostgreSQL + Redis", 8, None),
}


# --------------------------------------------------------------------------------------
# /proc: CPU and memory of process trees
# --------------------------------------------------------------------------------------
def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def proc_snapshot() -> tuple[dict[int, int], dict[int, list[int]], dict[int, str]]:
    """CPU jiffies (user+system) and parent->children for every process right now."""
    cpu: dict[int, int] = {}
    children: dict[int, list[int]] = defaultdict(list)
    names: dict[int, str] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        stat = _read(f"/proc/{entry.name}/stat")
        if not stat:
            continue
        pid = int(entry.name)
        # The command name may contain spaces and parentheses: split after the last ')'.
        names[pid] = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        children[int(fields[1])].append(pid)
        cpu[pid] = int(fields[11]) + int(fields[12])
    return cpu, children, names


def tree(root: int, children: dict[int, list[int]]) -> list[int]:
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, []))
    return pids


def status_mb(pid: int, key: str) -> float:
    """A memory figure from /proc/<pid>/status (VmRSS, VmHWM) in MiB; 0 when gone."""
    for line in _read(f"/proc/{pid}/status").splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def tree_memory_mb(root: int, key: str) -> float:
    _, children, _ = proc_snapshot()
    return sum(status_mb(pid, key) for pid in tree(root, children))


def system_busy_jiffies() -> int:
    values = [int(v) for v in _read("/proc/stat").splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values[:8]) - idle


class CpuWindow:
    """CPU used by named process trees (and by everything else) between start() and stop()."""

    def __init__(self, roots: dict[str, int]):
        self.roots = roots

    def start(self) -> None:
        self.t0 = time.monotonic()
        self.cpu0, _, _ = proc_snapshot()
        self.busy0 = system_busy_jiffies()

    def stop(self) -> dict[str, object]:
        seconds = time.monotonic() - self.t0
        cpu1, children, names = proc_snapshot()
        busy = system_busy_jiffies() - self.busy0
        own: dict[str, int] = {}
        per_process: dict[int, int] = {}
        seen = set()
        for name, root in self.roots.items():
            # Our own process is the parent of every server: count only the process itself.
            pids = [root] if root == os.getpid() else tree(root, children)
            seen.update(pids)
            own[name] = sum(cpu1.get(p, 0) - self.cpu0.get(p, 0) for p in pids if p in cpu1)
            if name == "rasa":  # per process: shows how the load is spread over Sanic workers
                per_process = {p: cpu1[p] - self.cpu0.get(p, 0) for p in pids if p in cpu1}
        foreign = {p: cpu1[p] - self.cpu0.get(p, 0) for p in cpu1 if p not in seen}
        top = sorted(foreign.items(), key=lambda kv: -kv[1])[:5]
        pct = lambda j: round(100 * j / CLK_TCK / seconds, 1)  # noqa: E731 (100 % = one core)
        return {
            "cpu_pct": {name: pct(j) for name, j in own.items()},
            "rasa_cpu_pct_per_process": [pct(j) for j in per_process.values()],
            "other_cpu_pct": pct(max(0, busy - sum(own.values()))),
            "other_top": [f"{names.get(p, '?')}[{p}] {pct(j)}%" for p, j in top if pct(j) >= 5],
        }


class MemorySampler(threading.Thread):
    """Peak RSS of a process tree, sampled every `interval` seconds."""

    def __init__(self, root: int, interval: float = 0.5):
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peak_mb = 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_mb = max(self.peak_mb, tree_memory_mb(self.root, "VmRSS"))
            self._stop_event.wait(self.interval)

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        return self.peak_mb


# --------------------------------------------------------------------------------------
# Customers
# --------------------------------------------------------------------------------------
@dataclass
class Result:
    start: float
    end: float
    error: str | None  # None when the turn succeeded


@dataclass
class Target:
    """One Rasa server under test."""

    key: str
    label: str
    service: stack.Service
    token: str
    conversations: list[list[Turn]]
    workers: int = 1
    notes: str = ""
    load_seconds: float = 0.0

    @property
    def webhook(self) -> str:
        return f"{self.service.url}/webhooks/rest/webhook"


def check_reply(response: requests.Response, expect: str | None) -> str | None:
    """None if the reply is what a customer should get, else the kind of error."""
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    try:
        messages = response.json()
    except ValueError:
        return "invalid JSON"
    text = "\n".join(m.get("text") or "" for m in messages if isinstance(m, dict))
    if not messages or not (text.strip() or any(m.get("image") for m in messages)):
        return "empty reply"
    if expect and expect not in text:
        return "unexpected reply"
    return None


class Load:
    """Customers talking to one target until a deadline; records every turn."""

    def __init__(self, target: Target, scenario: Scenario, seed: int, timeout: float):
        self.target, self.scenario, self.seed, self.timeout = target, scenario, seed, timeout
        self.results: list[Result] = []
        self.examples: list[str] = []
        self.lock = threading.Lock()

    def customer(self, index: int, deadline: float) -> None:
        rng = random.Random(f"{self.seed}-{self.scenario.key}-{self.target.key}-{index}")
        session = requests.Session()
        pause = self.scenario.pause
        if pause:  # stagger the arrivals so 20 customers do not write in lockstep
            time.sleep(rng.uniform(0, pause[1]))
        while time.monotonic() < deadline:
            conversation = rng.choice(self.target.conversations)
            sender = f"bench-{self.target.key}-{self.scenario.key}-{index}-{uuid.uuid4().hex[:8]}"
            for text, expect in conversation:
                if time.monotonic() >= deadline:
                    break
                start = time.monotonic()
                try:
                    response = session.post(self.target.webhook, json={"sender": sender, "message": text},
                                            timeout=self.timeout)
                    error = check_reply(response, expect)
                    detail = response.text[:200]
                except requests.Timeout:
                    error, detail = "timeout", ""
                except requests.RequestException as exc:
                    error, detail = "connection error", repr(exc)[:200]
                end = time.monotonic()
                with self.lock:
                    self.results.append(Result(start, end, error))
                    if error and len(self.examples) < 5:
                        self.examples.append(f"{error}: {text!r} -> {detail}")
                if pause:
                    time.sleep(rng.uniform(*pause))
        session.close()

    def run(self, warmup: float, duration: float, roots: dict[str, int]) -> dict[str, object]:
        t0 = time.monotonic()
        window = (t0 + warmup, t0 + warmup + duration)
        threads = [threading.Thread(target=self.customer, args=(i, window[1]), daemon=True)
                   for i in range(self.scenario.customers)]
        for thread in threads:
            thread.start()
        time.sleep(max(0.0, window[0] - time.monotonic()))
        cpu = CpuWindow(roots)
        cpu.start()
        memory = MemorySampler(self.target.service.process.pid)
        memory.start()
        time.sleep(max(0.0, window[1] - time.monotonic()))
        usage = cpu.stop()
        peak_rss = memory.stop()
        for thread in threads:
            thread.join(self.timeout + 10)
        # The window counts the turns that *finished* inside it: the warm-up (model
        # graphs, connection pools, first trackers) and the ramp-down are excluded.
        inside = [r for r in self.results if window[0] <= r.end <= window[1]]
        ok = [1000 * (r.end - r.start) for r in inside if r.error is None]
        errors = Counter(r.error for r in self.results if r.error)  # warm-up errors count too
        return {
            "customers": self.scenario.customers,
            "turns": len(ok),
            "turns_per_s": round(len(ok) / duration, 2),
            **latency_summary(ok),
            "errors": sum(errors.values()),
            "error_kinds": dict(errors),
            "error_examples": self.examples,
            "peak_rss_mb": round(peak_rss),
            **usage,
            # CPU the Rasa server spends per turn: unlike latency, hardly affected by other
            # jobs on the machine, so it is the figure to compare across noisy runs.
            "rasa_cpu_ms_per_turn": round(10 * usage["cpu_pct"]["rasa"] / (len(ok) / duration)) if ok else None,
        }


def percentile(sorted_values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of already sorted values."""
    if not sorted_values:
        return None
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def latency_summary(latencies_ms: list[float]) -> dict[str, float | None]:
    values = sorted(latencies_ms)
    out = {}
    for q in (50, 95, 99):
        v = percentile(values, q)
        out[f"p{q}_ms"] = None if v is None else round(v, 1)
    return out


def check_conversations(target: Target, timeout: float, show: bool = False) -> list[str]:
    """Each conversation once, one turn at a time: wrong expectations show up here
    (unloaded), before they could be mistaken for load errors. Also warms the server."""
    problems = []
    session = requests.Session()
    for number, conversation in enumerate(target.conversations, 1):
        sender = f"bench-check-{target.key}-{uuid.uuid4().hex[:8]}"
        for text, expect in conversation:
            response = session.post(target.webhook, json={"sender": sender, "message": text}, timeout=timeout)
            error = check_reply(response, expect)
            if error:
                problems.append(f"conversation {number}, {text!r}: {error}: {response.text[:300]}")
            if show:
                replies = " | ".join(m.get("text") or "" for m in response.json()) if response.ok else response.text
                print(f"  [{target.key} {number}] {text}\n      -> {replies}\n      {error or 'OK'}", flush=True)
    return problems


def parse_latency(target: Target, requests_count: int, timeout: float) -> dict[str, object]:
    """NLU only (POST /model/parse), one request at a time: the floor of a turn."""
    texts = [t for conv in target.conversations for t, _ in conv if not t.startswith("/")]
    url = f"{target.service.url}/model/parse?token={target.token}"
    session = requests.Session()
    latencies, errors = [], 0
    for i in range(requests_count + 20):
        start = time.monotonic()
        response = session.post(url, json={"text": texts[i % len(texts)]}, timeout=timeout)
        if response.status_code != 200:
            errors += 1
        elif i >= 20:  # the first 20 warm up
            latencies.append(1000 * (time.monotonic() - start))
    return {"requests": len(latencies), "errors": errors, **latency_summary(latencies)}


# --------------------------------------------------------------------------------------
# Servers and stores
# --------------------------------------------------------------------------------------
def run_logged(cmd: list[str], log_path: Path, **kwargs) -> subprocess.CompletedProcess:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        result = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, **kwargs)
    if result.returncode != 0:
        tail = log_path.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({result.returncode}):\n{tail}")
    return result


def reference_model() -> Path | None:
    models = sorted((REFERENCE_DIR / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def build_reference(logs: Path) -> dict[str, object]:
    """`rasa init --no-prompt` once; its wall time (scaffold + training) is the reference's
    training time. Cached: rebuilt only when the model or the record is missing."""
    record = REFERENCE_DIR / "build.json"
    if reference_model() and record.exists():
        return json.loads(record.read_text())
    print("[bench] building the reference: rasa init --no-prompt (trains a model, about 2-3 min)", flush=True)
    shutil.rmtree(REFERENCE_DIR, ignore_errors=True)
    REFERENCE_DIR.mkdir(parents=True)
    start = time.monotonic()
    run_logged([str(stack.RASA_BIN), "init", "--no-prompt", "--init-dir", str(REFERENCE_DIR)],
               logs / "reference-init.log", cwd=REFERENCE_DIR, env=stack.base_env())
    seconds = time.monotonic() - start
    # rasa init's stories and rules only use utter_ responses; make sure, since the
    # reference runs without an action server.
    custom = [line.split(":")[-1].strip() for path in (REFERENCE_DIR / "data").glob("*.yml")
              for line in path.read_text().splitlines()
              if line.strip().startswith("- action:") and not line.split(":")[-1].strip().startswith("utter_")]
    info = {"built": dt.datetime.now().isoformat(timespec="seconds"), "init_and_train_s": round(seconds),
            "model": str(reference_model().relative_to(ROOT)), "custom_actions": custom}
    record.write_text(json.dumps(info, indent=2))
    return info


def train_ours(logs: Path) -> dict[str, object]:
    """`rasa train --force` of our project into a throwaway directory (the served model is
    untouched). --force retrains every component, whatever is in .rasa/cache."""
    print("[bench] timing rasa train --force of our assistant (about 3.5 min)", flush=True)
    out = Path(tempfile.mkdtemp(prefix="train-", dir=BENCH))
    try:
        start = time.monotonic()
        run_logged([str(stack.RASA_BIN), "train", "--force", "--quiet", "--out", str(out),
                    "--fixed-model-name", "bench"], logs / "train-ours.log", cwd=ROOT, env=stack.base_env())
        info = {"measured": dt.datetime.now().isoformat(timespec="seconds"),
                "train_force_s": round(time.monotonic() - start)}
    finally:
        shutil.rmtree(out, ignore_errors=True)
    OURS_TRAINING.write_text(json.dumps(info, indent=2))
    return info


class Postgres:
    """A throwaway PostgreSQL 15 cluster on a free loopback port (trust auth)."""

    def __init__(self, logs: Path, databases: Sequence[str]):
        self.port = stack.free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="pg-", dir=BENCH))
        # PostgreSQL refuses to run as root: as root, run its tools as the `postgres` user
        # (created by the Debian package); otherwise as ourselves.
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        self.data = self.dir / "data"
        log = logs / "postgres.log"
        run_logged([*self.as_owner, str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "rasa",
                    "-E", "UTF8", "--no-sync"], log)
        run_logged([*self.as_owner, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "server.log"),
                    "-w", "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1", "start"], log)
        for db in databases:
            run_logged([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "rasa", db], log)

    @property
    def pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def tracker_store(self, db: str) -> dict:
        return {"type": SHIPPED_TRACKER_STORE["type"], "dialect": "postgresql", "url": "127.0.0.1", "port": self.port,
                "username": "rasa", "password": "unused-trust-auth", "db": db}

    def stop(self) -> None:
        subprocess.run([*self.as_owner, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    """A throwaway redis-server on a free loopback port, no persistence."""

    def __init__(self, logs: Path):
        self.port = stack.free_port()
        self.service = stack._spawn(
            "redis", [str(REDIS_SERVER), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                      "--appendonly", "no"], stack.base_env(), logs, f"redis://127.0.0.1:{self.port}")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                import socket
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"redis-server did not answer:\n{self.service.log()[-2000:]}")

    def lock_store(self) -> dict:
        return {"type": SCALE_OUT_LOCK_STORE, "url": "127.0.0.1", "port": self.port, "db": 1}

    def stop(self) -> None:
        self.service.stop()


def create_tracker_tables(tracker_store: dict, logs: Path) -> None:
    """Create Rasa's `events` table before the servers start: two Sanic workers creating it
    at the same moment collide in PostgreSQL's catalog (Rasa then logs an error and retries
    after 5 s)."""
    code = (
        "import sys, json; from rasa.core.tracker_store import SQLTrackerStore as S; "
        "c = json.loads(sys.argv[1]); c.pop('type'); c['host'] = c.pop('url'); S(**c)"
    )
    run_logged([str(RASA_PYTHON), "-c", code, json.dumps(tracker_store)], logs / "postgres.log",
               env=stack.base_env())


def start_target(key: str, label: str, model: Path, endpoints: Path, credentials: Path,
                 conversations: list[list[Turn]], logs: Path, workers: int = 1, notes: str = "") -> Target:
    token = secrets.token_urlsafe(16)
    service = stack.start_rasa(stack.free_port(), endpoints, logs, env={"SANIC_WORKERS": str(workers)},
                               credentials=credentials, model=model, auth_token=token, wait=False)
    target = Target(key, label, service, token, conversations, workers, notes)
    target.load_seconds = time.monotonic()  # replaced by the load time once ready
    return target


def wait_ready(target: Target, timeout: float = 600) -> None:
    """Ready when every Sanic worker has loaded the model (each worker loads its own copy;
    /status answers as soon as the first one is up)."""
    stack.wait_until_ready(target.service, f"/status?token={target.token}", timeout=timeout)
    deadline = time.monotonic() + timeout
    while target.service.log().count("Rasa server is up and running") < target.workers:
        if time.monotonic() > deadline or not target.service.alive():
            raise RuntimeError(f"{target.label}: {target.workers} workers expected, log:\n"
                               f"{target.service.log()[-3000:]}")
        time.sleep(0.5)
    target.load_seconds = round(time.monotonic() - target.load_seconds)


def log_problems(target: Target) -> list[str]:
    """ERROR lines and tracebacks in a Rasa server's log (e.g. a tracker store failing over
    to memory, which Rasa does silently apart from one log line)."""
    return [line[:300] for line in target.service.log().splitlines()
            if " ERROR " in line or line.startswith("Traceback")][:10]


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------
def ratio(ours: float | None, reference: float | None) -> float | None:
    return round(ours / reference, 2) if ours is not None and reference else None


def machine_facts() -> dict[str, object]:
    mem_kb = int(next(line.split()[1] for line in _read("/proc/meminfo").splitlines()
                      if line.startswith("MemTotal")))
    cpu_model = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                      if line.startswith("model name")), platform.processor())

    def version(python: Path, package: str) -> str:
        code = f"import importlib.metadata as m; print(m.version('{package}'))"
        out = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
        return out.stdout.strip() or "?"

    rasa_py = subprocess.run([str(RASA_PYTHON), "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu_model,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python_rasa_env": rasa_py,
        "rasa": version(RASA_PYTHON, "rasa"),
        "rasa_sdk": version(stack.ACTIONS_PYTHON, "rasa-sdk"),
        "tensorflow": version(RASA_PYTHON, "tensorflow"),
        "load_average_at_start": _read("/proc/loadavg").split()[:3],
    }


def model_description() -> str:
    fingerprint = stack.MODEL.parent / ".fingerprint"
    trained = dt.datetime.fromtimestamp(stack.MODEL.stat().st_mtime).isoformat(timespec="seconds")
    fp = fingerprint.read_text().strip() if fingerprint.exists() else "?"
    return f"{stack.MODEL.relative_to(ROOT)}, trained {trained}, data fingerprint {fp}"


def fmt(value, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def tables(results: dict[str, object]) -> list[str]:
    """The report as markdown lines (also printed to the terminal)."""
    out: list[str] = []
    rows = results["scenarios"]
    out += ["## Turns through the REST channel", "",
            "| scenario | assistant | customers | turns | turns/s | p50 ms | p95 ms | p99 ms | errors "
            "| Rasa CPU ms/turn | peak RSS MB | CPU Rasa % | CPU actions % | CPU stores % | CPU load generator % "
            "| CPU other % |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        cpu = row["cpu_pct"]
        stores = sum(v for k, v in cpu.items() if k in ("postgres", "redis"))
        out.append(
            f"| {row['scenario']} {SCENARIOS[row['scenario']].title} | {row['assistant']} | {row['customers']} "
            f"| {row['turns']} | {fmt(row['turns_per_s'], 1)} | {fmt(row['p50_ms'])} | {fmt(row['p95_ms'])} "
            f"| {fmt(row['p99_ms'])} | {row['errors']} | {fmt(row['rasa_cpu_ms_per_turn'])} | {row['peak_rss_mb']} | {fmt(cpu.get('rasa'))} "
            f"| {fmt(cpu.get('actions'))} | {fmt(float(stores)) if stores else '–'} | {fmt(cpu.get('load generator'))} "
            f"| {fmt(row['other_cpu_pct'])} |")
    out += ["", f"CPU: 100 % is one core of the {results['machine']['nproc']}; *other* is every process outside "
            "the benchmark (other jobs on the machine), measured over the same window. *Rasa CPU ms/turn* is the "
            "Rasa server's CPU time divided by the turns served (all its processes).", ""]
    if results["ratios"]:
        out += ["### Ratios: ours / reference (for d: 2 workers / 1 worker)", "", "| scenario | p50 | p95 | p99 | turns/s | peak RSS |",
                "|---|---:|---:|---:|---:|---:|"]
        for key, r in results["ratios"].items():
            out.append(f"| {key} | {fmt(r['p50'], 2)} | {fmt(r['p95'], 2)} | {fmt(r['p99'], 2)} "
                       f"| {fmt(r['turns_per_s'], 2)} | {fmt(r['peak_rss'], 2)} |")
        out.append("")
    if results["parse"]:
        out += ["## NLU only (POST /model/parse, one request at a time)", "",
                "| assistant | requests | p50 ms | p95 ms | errors |", "|---|---:|---:|---:|---:|"]
        for name, p in results["parse"].items():
            out.append(f"| {name} | {p['requests']} | {fmt(p['p50_ms'], 1)} | {fmt(p['p95_ms'], 1)} | {p['errors']} |")
        out.append("")
    out += ["## Servers", "", "| server | configuration | Sanic workers | model load s | VmHWM MB (sum over processes) |",
            "|---|---|---:|---:|---:|"]
    for s in results["servers"]:
        out.append(f"| {s['label']} | {s['notes']} | {s['workers']} | {s['load_s']} | {s['vmhwm_mb']} |")
    t = results["training"]
    out += ["", "## Training", "",
            f"- reference (`rasa init --no-prompt`, scaffold + training): {fmt(t['reference_s'])} s "
            f"(built {t.get('reference_built', '?')})",
            "- ours (`rasa train --force`): " + (f"{t['ours_s']} s (measured {t['ours_measured']}"
                                                   f"{', this run' if t.get('ours_this_run') else ', earlier run'})"
                                                   if t.get("ours_s") else "not measured (run with --train)"),
            ""]
    out += ["## Targets", "", "| target | measured | result |", "|---|---|---|"]
    for target in results["targets"]:
        out.append(f"| {target['target']} | {target['measured']} | {'PASS' if target['pass'] else 'FAIL'} |")
    return out


def evaluate_targets(results: dict[str, object]) -> list[dict[str, object]]:
    by = {(r["scenario"], r["key"]): r for r in results["scenarios"]}
    targets = []

    def add(name, measured, passed):
        targets.append({"target": name, "measured": measured, "pass": bool(passed)})

    if ("a", "ours") in by and ("a", "reference") in by:
        o, r = by[("a", "ours")]["p50_ms"], by[("a", "reference")]["p50_ms"]
        add("(a) 1 customer: our p50 ≤ reference p50", f"{fmt(o)} ms vs {fmt(r)} ms", o is not None and r and o <= r)
    if ("b", "ours") in by and ("b", "reference") in by:
        o, r = by[("b", "ours")]["turns_per_s"], by[("b", "reference")]["turns_per_s"]
        add("(b) 8 customers: our turns/s ≥ reference", f"{o} vs {r} turns/s", o >= r)
    if ("c", "ours") in by:
        p95 = by[("c", "ours")]["p95_ms"]
        add("(c) 20 customers with pauses: our p95 < 300 ms", f"{fmt(p95)} ms", p95 is not None and p95 < 300)
    if ("d", "ours_1w") in by and ("d", "ours_2w") in by:
        one, two = by[("d", "ours_1w")]["turns_per_s"], by[("d", "ours_2w")]["turns_per_s"]
        add("(d) 2 Sanic workers ≥ 1.6 × 1 worker (PostgreSQL + Redis)",
            f"{two} vs {one} turns/s = {fmt(ratio(two, one), 2)}×", one and two >= 1.6 * one)
    errors = sum(r["errors"] for r in results["scenarios"]) + sum(p["errors"] for p in results["parse"].values())
    add("zero errors throughout", f"{errors} errors", errors == 0)
    return targets


def write_report(results: dict[str, object]) -> None:
    RESULTS_JSON.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_JSON.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    m = results["machine"]
    lines = [
        "# Load benchmark",
        "",
        "Our assistant against a bare `rasa init --no-prompt` assistant (Rasa's default pipeline and "
        "policies: DIET, ResponseSelector, Memoization, Rule, UnexpecTED and TED policies), both served by "
        "`rasa run --enable-api` on loopback and driven through the REST channel by simulated customers "
        "having multi-turn conversations (Spanish for ours, English for the reference; a new sender id per "
        "conversation). Produced by `tools/bench.py`; do not edit by hand.",
        "",
        f"- command: `{results['command']}`",
        f"- date: {results['date']}",
        f"- machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gib']} GiB RAM, Linux {m['kernel']}; "
        f"load average at start {' '.join(m['load_average_at_start'])}",
        f"- software: {m['python_rasa_env']}, rasa {m['rasa']}, rasa-sdk {m['rasa_sdk']}, "
        f"tensorflow {m['tensorflow']}",
        f"- each scenario: {results['settings']['warmup_s']} s warm-up (not measured), then "
        f"{results['settings']['duration_s']} s measured; seed {results['settings']['seed']}; "
        f"our action server: 1 process, ASSISTANT_NOW={results['settings']['assistant_now']}",
        "- errors: non-200, timeouts, connection errors, empty replies and replies without the expected text "
        "(warm-up included)",
        f"- our model: {results['model']}",
    ]
    other = [row["other_cpu_pct"] for row in results["scenarios"]]
    if other:
        mean = sum(other) / len(other)
        lines.append(f"- background load: processes outside the benchmark used on average {mean:.0f} % CPU "
                     f"(of {m['nproc']} × 100 %) during the measured windows"
                     + (" — **the machine was busy: latencies and turns/s are pessimistic; compare the Rasa CPU "
                        "ms/turn column, which is less sensitive**" if mean > 20 else ""))
    lines.append("")
    lines += tables(results)
    if results.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {n}" for n in results["notes"]]
    REPORT_MD.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="measured seconds per scenario (60)")
    parser.add_argument("--warmup", type=float, default=10, help="unmeasured seconds before each (10)")
    parser.add_argument("--only", default="a,b,c,d", help="scenarios to run, e.g. a,b (default a,b,c,d)")
    parser.add_argument("--seed", type=int, default=20261205)
    parser.add_argument("--now", default=DEFAULT_NOW, help=f"ASSISTANT_NOW of our action server ({DEFAULT_NOW})")
    parser.add_argument("--timeout", type=float, default=30, help="seconds before a turn counts as timed out")
    parser.add_argument("--parse-requests", type=int, default=300, help="NLU-only requests per assistant (0: skip)")
    parser.add_argument("--train", action="store_true", help="also time `rasa train --force` of ours (~3.5 min)")
    parser.add_argument("--ours-tracker", choices=["sqlite", "memory"], default="sqlite",
                        help="our tracker store in (a)-(c): sqlite as shipped (default), or memory like the reference")
    parser.add_argument("--show-replies", action="store_true",
                        help="print every reply of the unloaded check pass (to write expectations)")
    parser.add_argument("--no-report", action="store_true", help="do not overwrite docs/benchmark.md")
    args = parser.parse_args()
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    if not only <= set(SCENARIOS):
        parser.error(f"--only takes letters among {','.join(SCENARIOS)}")

    command = "python -m tools.bench " + " ".join(sys.argv[1:])
    if os.environ.get("MAKELEVEL"):
        command = "make bench" + (f" BENCH_ARGS=\"{' '.join(sys.argv[1:])}\"" if sys.argv[1:] else "")
    run_id = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    logs = BENCH / "logs" / run_id
    logs.mkdir(parents=True, exist_ok=True)
    print(f"[bench] logs in {logs.relative_to(ROOT)}", flush=True)

    results: dict[str, object] = {
        "command": command, "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine_facts(),
        "model": model_description(),
        "settings": {"duration_s": args.duration, "warmup_s": args.warmup, "seed": args.seed,
                     "assistant_now": args.now, "scenarios": sorted(only), "timeout_s": args.timeout,
                     "ours_tracker_store": args.ours_tracker},
        "scenarios": [], "ratios": {}, "parse": {}, "servers": [], "training": {}, "checks": {}, "notes": [],
        "log_problems": {},
    }

    reference_info = build_reference(logs)
    results["training"].update(reference_s=reference_info["init_and_train_s"],
                                reference_built=reference_info["built"])
    if reference_info["custom_actions"]:
        results["notes"].append(f"the reference uses custom actions {reference_info['custom_actions']}, "
                                "but runs without an action server")
    if args.train:
        try:
            train_ours(logs)
        except RuntimeError as exc:  # a broken working tree must not cost the whole benchmark
            results["notes"].append(f"rasa train --force failed, training time not measured: {str(exc)[:300]}")
    if OURS_TRAINING.exists():
        ours_training = json.loads(OURS_TRAINING.read_text())
        results["training"].update(ours_s=ours_training["train_force_s"],
                                   ours_measured=ours_training["measured"], ours_this_run=args.train)

    with ExitStack() as cleanup:
        actions = stack.start_actions(stack.free_port(), logs, {"ASSISTANT_NOW": args.now})
        cleanup.callback(actions.stop)
        roots = {"actions": actions.process.pid, "load generator": os.getpid()}

        def finish(target: Target) -> None:
            """Record the server's memory high-water mark and log problems, then stop it."""
            results["servers"].append({
                "label": target.label, "notes": target.notes, "workers": target.workers,
                "load_s": target.load_seconds,
                "vmhwm_mb": round(tree_memory_mb(target.service.process.pid, "VmHWM"))})
            problems = log_problems(target)
            if problems:
                results["log_problems"][target.label] = problems
            target.service.stop()

        def scenario(key: str, target: Target, servers: dict[str, int]) -> dict[str, object]:
            print(f"[bench] ({key}) {SCENARIOS[key].title}: {target.label} …", flush=True)
            row = Load(target, SCENARIOS[key], args.seed, args.timeout).run(
                args.warmup, args.duration, {**roots, **servers, "rasa": target.service.process.pid})
            row = {"scenario": key, "key": target.key, "assistant": target.label, **row}
            results["scenarios"].append(row)
            # Saved as we go: a crash late in a 15-minute run keeps the figures so far.
            RESULTS_JSON.write_text(json.dumps({**results, "partial": True}, indent=2, ensure_ascii=False))
            print(f"      {row['turns_per_s']} turns/s, p50 {fmt(row['p50_ms'])} ms, p95 {fmt(row['p95_ms'])} ms, "
                  f"p99 {fmt(row['p99_ms'])} ms, {row['errors']} errors, CPU {row['cpu_pct']} "
                  f"(Rasa per process {row['rasa_cpu_pct_per_process']}), "
                  f"other {row['other_cpu_pct']}% {row['other_top']}", flush=True)
            return row

        # ---- Phase 1: ours as shipped against the reference as `rasa init` ships it. Both
        # load at once (loading is mostly one core each); an idle server uses no CPU.
        if only & {"a", "b", "c"}:
            if args.ours_tracker == "sqlite":
                sqlite_file = BENCH / f"tracker-{run_id}.db"
                cleanup.callback(sqlite_file.unlink, missing_ok=True)
                tracker = {**SHIPPED_TRACKER_STORE, "dialect": "sqlite", "db": str(sqlite_file)}
                ours_notes = "as shipped: SQLite tracker store, in-memory lock store"
            else:
                tracker, ours_notes = None, "in-memory tracker and lock stores"
            ours_endpoints = stack.write_endpoints(BENCH / "endpoints.ours.yml", int(actions.url.rsplit(":", 1)[1]),
                                                   tracker_store=tracker)
            print("[bench] loading both models (about 1-2 min)…", flush=True)
            ours = start_target("ours", "ours", stack.MODEL, ours_endpoints, ROOT / "credentials.yml",
                                SPANISH, logs, notes=ours_notes)
            cleanup.callback(ours.service.stop)
            reference = start_target("reference", "reference", reference_model(), REFERENCE_DIR / "endpoints.yml",
                                     REFERENCE_DIR / "credentials.yml", ENGLISH, logs,
                                     notes="rasa init: in-memory tracker and lock stores, no action server")
            cleanup.callback(reference.service.stop)
            for target in (ours, reference):
                wait_ready(target)
                results["checks"][target.label] = check_conversations(target, args.timeout, args.show_replies)
            idle = {"rasa (idle reference)": reference.service.process.pid,
                    "rasa (idle ours)": ours.service.process.pid}
            for key in sorted(only & {"a", "b", "c"}):
                # Alternate ours and the reference scenario by scenario, so that a change in
                # the machine's background load hits both alike.
                o = scenario(key, ours, {k: v for k, v in idle.items() if "reference" in k})
                r = scenario(key, reference, {k: v for k, v in idle.items() if "ours" in k})
                results["ratios"][f"({key}) {SCENARIOS[key].title}"] = {
                    "p50": ratio(o["p50_ms"], r["p50_ms"]), "p95": ratio(o["p95_ms"], r["p95_ms"]),
                    "p99": ratio(o["p99_ms"], r["p99_ms"]), "turns_per_s": ratio(o["turns_per_s"], r["turns_per_s"]),
                    "peak_rss": ratio(o["peak_rss_mb"], r["peak_rss_mb"])}
            if args.parse_requests:
                for target in (ours, reference):
                    print(f"[bench] NLU parse latency: {target.label} …", flush=True)
                    results["parse"][target.label] = parse_latency(target, args.parse_requests, args.timeout)
                o, r = results["parse"]["ours"], results["parse"]["reference"]
                results["parse"]["ours / reference"] = {
                    "requests": "", "errors": 0, "p50_ms": ratio(o["p50_ms"], r["p50_ms"]),
                    "p95_ms": ratio(o["p95_ms"], r["p95_ms"])}
            finish(ours)
            finish(reference)

        # ---- Phase 2: 1 Sanic worker against 2, with the stores several workers need.
        if "d" in only:
            print("[bench] starting PostgreSQL and Redis…", flush=True)
            postgres = Postgres(logs, ["rasa_w1", "rasa_w2"])
            cleanup.callback(postgres.stop)
            redis = Redis(logs)
            cleanup.callback(redis.stop)
            for db in ("rasa_w1", "rasa_w2"):
                create_tracker_tables(postgres.tracker_store(db), logs)
            targets = []
            for workers in (1, 2):
                endpoints = stack.write_endpoints(
                    BENCH / f"endpoints.w{workers}.yml", int(actions.url.rsplit(":", 1)[1]),
                    tracker_store=postgres.tracker_store(f"rasa_w{workers}"), lock_store=redis.lock_store())
                target = start_target(f"ours_{workers}w", f"ours, {workers} worker{'s' if workers > 1 else ''}",
                                      stack.MODEL, endpoints, ROOT / "credentials.yml", SPANISH, logs, workers,
                                      notes="PostgreSQL tracker store, Redis lock store")
                cleanup.callback(target.service.stop)
                targets.append(target)
            print("[bench] loading the model in 3 processes (about 2-3 min)…", flush=True)
            for target in targets:
                wait_ready(target)
                results["checks"][target.label] = check_conversations(target, args.timeout)
            stores = {"postgres": postgres.pid, "redis": redis.service.process.pid}
            one = scenario("d", targets[0], {**stores, "rasa (idle 2w)": targets[1].service.process.pid})
            two = scenario("d", targets[1], {**stores, "rasa (idle 1w)": targets[0].service.process.pid})
            results["ratios"]["(d) 2 workers / 1 worker"] = {
                "p50": ratio(two["p50_ms"], one["p50_ms"]), "p95": ratio(two["p95_ms"], one["p95_ms"]),
                "p99": ratio(two["p99_ms"], one["p99_ms"]), "turns_per_s": ratio(two["turns_per_s"], one["turns_per_s"]),
                "peak_rss": ratio(two["peak_rss_mb"], one["peak_rss_mb"])}
            for target in targets:
                finish(target)

    for label, problems in results["checks"].items():
        for problem in problems:
            results["notes"].append(f"check before load, {label}: {problem}")
    for label, problems in results["log_problems"].items():
        results["notes"].append(f"{label}: {len(problems)} ERROR lines in the Rasa log, first: {problems[0]}")
    for row in results["scenarios"]:
        for example in row["error_examples"]:
            results["notes"].append(f"({row['scenario']}) {row['assistant']}: {example}")
    results["targets"] = evaluate_targets(results)

    print()
    print("\n".join(tables(results)))
    for note in results["notes"]:
        print("note:", note)
    if args.no_report:
        RESULTS_JSON.write_text(json.dumps(results, indent=2, ensure_ascii=False))
        print(f"\n[bench] figures in {RESULTS_JSON.relative_to(ROOT)} (docs/benchmark.md not written)")
    else:
        write_report(results)
        print(f"\n[bench] figures in {RESULTS_JSON.relative_to(ROOT)} and {REPORT_MD.relative_to(ROOT)}")
    # A benchmark reports; it does not gate. The exit code says only whether it ran.
    return 0


if __name__ == "__main__":
    sys.exit(main())
