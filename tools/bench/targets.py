"""The Rasa servers under test: start, wait until every worker is ready, prove which code runs.

Each server's log says on start-up whether the speed-ups of Rasa's code were installed
(one INFO line of addons/speedups.py). ``check_speedups`` reads that line and raises
``SpeedupsMismatch`` when a server does not run the code its row in the report claims,
so an "off" figure can never come from a server that had them on, or the reverse.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from addons.speedups import INSTALLED_PREFIX, NOT_INSTALLED_PREFIX, SWITCH_ENV
from tools import stack
from tools.bench import RASA_PYTHON, ROOT
from tools.bench.reference import run_logged
from tools.bench.scenarios import Turn


def _store_class(endpoints: str, section: str) -> str:
    return yaml.safe_load((ROOT / endpoints).read_text(encoding="utf-8"))[section]["type"]


# The stores as shipped: endpoints.yml's tracker store class (SQLite), and for the
# scale-out the lock store class of deploy/endpoints.scale-out.yml.
SHIPPED_TRACKER_STORE = _store_class("endpoints.yml", "tracker_store")
SCALE_OUT_LOCK_STORE = _store_class("deploy/endpoints.scale-out.yml", "lock_store")


class SpeedupsMismatch(RuntimeError):
    """A server's log does not prove the speed-ups state the benchmark asked for."""


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
    speedups: str = "on"  # "on": installed; "off": ASSISTANT_RASA_SPEEDUPS=off, Rasa's own code
    load_seconds: float = 0.0
    speedups_line: str = ""

    @property
    def webhook(self) -> str:
        return f"{self.service.url}/webhooks/rest/webhook"


def start_target(key: str, label: str, model: Path, endpoints: Path, credentials: Path,
                 conversations: list[list[Turn]], logs: Path, workers: int = 1, notes: str = "",
                 speedups: str = "on") -> Target:
    """Start a Rasa server (without waiting for it: see ``wait_ready``)."""
    if speedups not in ("on", "off"):
        raise ValueError(f"speedups must be 'on' or 'off', not {speedups!r}")
    token = secrets.token_urlsafe(32)  # addons/rasa_run.py refuses a token under 32 characters
    service = stack.start_rasa(stack.free_port(), endpoints, logs,
                               env={"SANIC_WORKERS": str(workers), SWITCH_ENV: speedups},
                               credentials=credentials, model=model, auth_token=token, wait=False)
    target = Target(key, label, service, token, conversations, workers, notes, speedups)
    target.load_seconds = time.monotonic()  # replaced by the load time once ready
    return target


def wait_ready(target: Target, timeout: float = 600) -> None:
    """Ready when every Sanic worker has loaded the model (each worker loads its own copy;
    /status answers as soon as the first one is up). Then the speed-ups line is checked."""
    stack.wait_until_ready(target.service, f"/status?token={target.token}", timeout=timeout)
    deadline = time.monotonic() + timeout
    while target.service.log().count("Rasa server is up and running") < target.workers:
        if time.monotonic() > deadline or not target.service.alive():
            raise RuntimeError(f"{target.label}: {target.workers} workers expected, log:\n"
                               f"{target.service.log()[-3000:]}")
        time.sleep(0.5)
    target.load_seconds = round(time.monotonic() - target.load_seconds)
    target.speedups_line = check_speedups(target.service.log(), target.speedups, target.label)


def speedups_lines(log: str) -> list[str]:
    """The speed-ups lines of a Rasa log, from the message on (timestamp and logger cut off)."""
    found = []
    for line in log.splitlines():
        for prefix in (INSTALLED_PREFIX, NOT_INSTALLED_PREFIX):
            at = line.find(prefix)
            if at >= 0:
                found.append(line[at:].strip())
    return found


def check_speedups(log: str, expected: str, label: str = "server") -> str:
    """The log's speed-ups line if it proves ``expected`` ("on" or "off"); else SpeedupsMismatch.

    "on" needs the line listing what was installed; "off" needs the line saying nothing
    was installed because of the switch (not because of another Rasa release, which
    would make the "off" row the product of a different Rasa). Every line must agree
    (several Sanic workers, or a restart, may each write one).
    """
    lines = speedups_lines(log)
    if not lines:
        raise SpeedupsMismatch(f"{label}: the Rasa log has no speed-ups line, so whether Rasa's code was "
                               f"patched cannot be proven (expected {expected})")
    if expected == "on":
        wrong = [line for line in lines if not line.startswith(INSTALLED_PREFIX)
                 or not line[len(INSTALLED_PREFIX):].strip()]
    elif expected == "off":
        wrong = [line for line in lines if not line.startswith(f"{NOT_INSTALLED_PREFIX}{SWITCH_ENV}=off")]
    else:
        raise ValueError(f"expected must be 'on' or 'off', not {expected!r}")
    if wrong:
        raise SpeedupsMismatch(f"{label}: speed-ups expected {expected}, but the Rasa log says: {wrong[0]}")
    return lines[0]


def log_problems(target: Target) -> list[str]:
    """ERROR lines and tracebacks in a Rasa server's log (e.g. a tracker store failing over
    to memory, which Rasa does silently apart from one log line)."""
    return [line[:300] for line in target.service.log().splitlines()
            if " ERROR " in line or line.startswith("Traceback")][:10]


def create_tracker_tables(tracker_store: dict, logs: Path) -> None:
    """Create Rasa's `events` table before the servers start: two Sanic workers creating it
    at the same moment collide in PostgreSQL's catalog (Rasa then logs an error and retries
    after 5 s)."""
    code = (
        "import sys, json; from rasa.core.tracker_store import SQLTrackerStore as S; "
        "c = json.load(sys.stdin); c.pop('type', None); c['host'] = c.pop('url'); S(**c)"
    )
    # Through stdin: as an argument, the password would show in the process list.
    run_logged([str(RASA_PYTHON), "-c", code], logs / "postgres.log", env=stack.base_env(),
               input=json.dumps(tracker_store).encode())
