"""What the benchmark measures besides latency: CPU and memory of process trees, percentiles
(``helpdesk.stats.percentile``, the product's own definition, re-exported here).

Standard library and the product's statistics only, read from /proc (Linux). CPU is counted per process tree (a
server and every process it started), plus everything else on the machine, so a run on
a shared machine says how much other jobs took during the measured window.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict

from helpdesk.stats import percentile  # the product's definition: the report and the benchmark agree

CLK_TCK = os.sysconf("SC_CLK_TCK")


def read_file(path: str) -> str:
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
        stat = read_file(f"/proc/{entry.name}/stat")
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
    for line in read_file(f"/proc/{pid}/status").splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def tree_memory_mb(root: int, key: str) -> float:
    _, children, _ = proc_snapshot()
    return sum(status_mb(pid, key) for pid in tree(root, children))


def system_busy_jiffies() -> int:
    values = [int(v) for v in read_file("/proc/stat").splitlines()[0].split()[1:]]
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


def latency_summary(latencies_ms: list[float]) -> dict[str, float | None]:
    values = sorted(latencies_ms)
    out = {}
    for q in (50, 95, 99):
        v = percentile(values, q)
        out[f"p{q}_ms"] = None if v is None else round(v, 1)
    return out
