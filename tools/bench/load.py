"""The simulated customers: closed-loop multi-turn conversations through the REST channel.

Each customer is a thread that sends a message, waits for the reply, checks it and
sends the next one (after a pause in scenario c). Each conversation has a new sender
id, so every one starts with an empty tracker, as a new visitor's does. The customers
of one run all start together; the turns that finish inside the measured window count.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass

import requests

from tools.bench.measure import CpuWindow, MemorySampler, latency_summary
from tools.bench.scenarios import Scenario
from tools.bench.targets import Target


@dataclass
class Result:
    start: float
    end: float
    error: str | None  # None when the turn succeeded


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
        # Not seeded by the target: ours with the speed-ups on and off get the same conversations.
        rng = random.Random(f"{self.seed}-{self.scenario.key}-{index}")
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
