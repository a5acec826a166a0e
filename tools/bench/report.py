"""The report: tables from a results dictionary (terminal and docs/benchmark.md), targets, machine facts.

Everything here but ``machine_facts``, ``model_description`` and ``write_report`` is a
pure function of the results dictionary that ``__main__`` fills (and saves to
var/bench/results.json), so the tables can be checked without servers
(tests/unit/test_bench.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
from pathlib import Path

from tools import stack
from tools.bench import RASA_PYTHON, REPORT_MD, RESULTS_JSON, ROOT
from tools.bench.measure import read_file
from tools.bench.scenarios import SCENARIOS

# Target keys the tables look for.
OURS, OURS_OFF, REFERENCE = "ours", "ours_off", "reference"


def ratio(ours: float | None, reference: float | None) -> float | None:
    return round(ours / reference, 2) if ours is not None and reference else None


def fmt(value, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def machine_facts() -> dict[str, object]:
    mem_kb = int(next(line.split()[1] for line in read_file("/proc/meminfo").splitlines()
                      if line.startswith("MemTotal")))
    cpu_model = next((line.split(":", 1)[1].strip() for line in read_file("/proc/cpuinfo").splitlines()
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
        "load_average_at_start": read_file("/proc/loadavg").split()[:3],
    }


def model_description() -> str:
    fingerprint = stack.MODEL.parent / ".fingerprint"
    trained = dt.datetime.fromtimestamp(stack.MODEL.stat().st_mtime).isoformat(timespec="seconds")
    fp = fingerprint.read_text().strip() if fingerprint.exists() else "?"
    return f"{stack.MODEL.relative_to(ROOT)}, trained {trained}, data fingerprint {fp}"


def scenario_ratios(numerator: dict, denominator: dict) -> dict[str, float | None]:
    """Ratios of two rows of the scenarios table (e.g. ours / reference)."""
    return {"p50": ratio(numerator["p50_ms"], denominator["p50_ms"]),
            "p95": ratio(numerator["p95_ms"], denominator["p95_ms"]),
            "p99": ratio(numerator["p99_ms"], denominator["p99_ms"]),
            "turns_per_s": ratio(numerator["turns_per_s"], denominator["turns_per_s"]),
            "peak_rss": ratio(numerator["peak_rss_mb"], denominator["peak_rss_mb"])}


def speedups_rows(results: dict[str, object]) -> list[tuple[str, object, object, float | None]]:
    """(measure, on, off, on / off) for ours with the speed-ups on and off, from the results."""
    by = {(r["scenario"], r["key"]): r for r in results["scenarios"]}
    rows: list[tuple[str, object, object, float | None]] = []
    for key in sorted(SCENARIOS):
        on, off = by.get((key, OURS)), by.get((key, OURS_OFF))
        if not (on and off):
            continue
        for field, name in (("p50_ms", "p50 ms"), ("p95_ms", "p95 ms"), ("turns_per_s", "turns/s"),
                            ("rasa_cpu_ms_per_turn", "Rasa CPU ms/turn")):
            rows.append((f"({key}) {name}", on[field], off[field], ratio(on[field], off[field])))
    parse = {p.get("key"): p for p in results["parse"].values()}
    if OURS in parse and OURS_OFF in parse:
        for field, name in (("p50_ms", "NLU parse p50 ms"), ("p95_ms", "NLU parse p95 ms")):
            on, off = parse[OURS][field], parse[OURS_OFF][field]
            rows.append((name, on, off, ratio(on, off)))
    servers = {s.get("key"): s for s in results["servers"]}
    if OURS in servers and OURS_OFF in servers:
        for field, name in (("load_s", "ready after start, s"), ("vmhwm_mb", "peak memory (VmHWM) MB")):
            on, off = servers[OURS][field], servers[OURS_OFF][field]
            rows.append((name, on, off, ratio(on, off)))
    return rows


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
            f"| {fmt(row['p99_ms'])} | {row['errors']} | {fmt(row['rasa_cpu_ms_per_turn'])} | {row['peak_rss_mb']} "
            f"| {fmt(cpu.get('rasa'))} | {fmt(cpu.get('actions'))} | {fmt(float(stores)) if stores else '–'} "
            f"| {fmt(cpu.get('load generator'))} | {fmt(row['other_cpu_pct'])} |")
    out += ["", f"CPU: 100 % is one core of the {results['machine']['nproc']}; *other* is every process outside "
            "the benchmark (other jobs on the machine), measured over the same window. *Rasa CPU ms/turn* is the "
            "Rasa server's CPU time divided by the turns served (all its processes).", ""]
    if results["ratios"]:
        out += ["### Ratios: ours / reference (for d: 2 workers / 1 worker)", "",
                "| scenario | p50 | p95 | p99 | turns/s | peak RSS |", "|---|---:|---:|---:|---:|---:|"]
        for key, r in results["ratios"].items():
            out.append(f"| {key} | {fmt(r['p50'], 2)} | {fmt(r['p95'], 2)} | {fmt(r['p99'], 2)} "
                       f"| {fmt(r['turns_per_s'], 2)} | {fmt(r['peak_rss'], 2)} |")
        out.append("")
    speedups = speedups_rows(results)
    if speedups:
        out += ["## Speed-ups of Rasa's code: on (as shipped) and off (`ASSISTANT_RASA_SPEEDUPS=off`)", "",
                "Our assistant, same model, same conversations, same run; only the switch differs.", "",
                "| measure | on | off | on / off |", "|---|---:|---:|---:|"]
        for name, on, off, r in speedups:
            digits = 1 if "turns/s" in name or "NLU" in name else 0
            out.append(f"| {name} | {fmt(on, digits)} | {fmt(off, digits)} | {fmt(r, 2)} |")
        out.append("")
    if results.get("speedups"):
        out += ["What each server's log said about the speed-ups (checked: a server whose line does not match "
                "its row stops the benchmark):", ""]
        for label, check in results["speedups"].items():
            out.append(f"- {label} (expected {check['expected']}): `{check['line']}`")
        out.append("")
    if results["parse"]:
        out += ["## NLU only (POST /model/parse, one request at a time)", "",
                "| assistant | requests | p50 ms | p95 ms | errors |", "|---|---:|---:|---:|---:|"]
        for name, p in results["parse"].items():
            out.append(f"| {name} | {p['requests']} | {fmt(p['p50_ms'], 1)} | {fmt(p['p95_ms'], 1)} | {p['errors']} |")
        out.append("")
    out += ["## Servers", "", "| server | configuration | Sanic workers | ready after start s | VmHWM MB (sum over processes) |",
            "|---|---|---:|---:|---:|"]
    for s in results["servers"]:
        out.append(f"| {s['label']} | {s['notes']} | {s['workers']} | {s['load_s']} | {s['vmhwm_mb']} |")
    t = results["training"]
    out += ["", "## Training", "",
            f"- reference (`rasa init --no-prompt`, scaffold + training): {fmt(t.get('reference_s'))} s "
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

    if ("a", OURS) in by and ("a", REFERENCE) in by:
        o, r = by[("a", OURS)]["p50_ms"], by[("a", REFERENCE)]["p50_ms"]
        add("(a) 1 customer: our p50 ≤ reference p50", f"{fmt(o)} ms vs {fmt(r)} ms", o is not None and r and o <= r)
    if ("b", OURS) in by and ("b", REFERENCE) in by:
        o, r = by[("b", OURS)]["turns_per_s"], by[("b", REFERENCE)]["turns_per_s"]
        add("(b) 8 customers: our turns/s ≥ reference", f"{o} vs {r} turns/s", o >= r)
    if ("c", OURS) in by:
        p95 = by[("c", OURS)]["p95_ms"]
        add("(c) 20 customers with pauses: our p95 < 300 ms", f"{fmt(p95)} ms", p95 is not None and p95 < 300)
    if ("d", "ours_1w") in by and ("d", "ours_2w") in by:
        one, two = by[("d", "ours_1w")]["turns_per_s"], by[("d", "ours_2w")]["turns_per_s"]
        add("(d) 2 Sanic workers ≥ 1.6 × 1 worker (PostgreSQL + Redis)",
            f"{two} vs {one} turns/s = {fmt(ratio(two, one), 2)}×", one and two >= 1.6 * one)
    errors = sum(r["errors"] for r in results["scenarios"]) + sum(p["errors"] for p in results["parse"].values())
    add("zero errors throughout", f"{errors} errors", errors == 0)
    return targets


def background_load(results: dict[str, object]) -> float | None:
    """Mean CPU % of the processes outside the benchmark over the measured windows."""
    other = [row["other_cpu_pct"] for row in results["scenarios"]]
    return sum(other) / len(other) if other else None


def report_markdown(results: dict[str, object]) -> str:
    """docs/benchmark.md's text."""
    m = results["machine"]
    lines = [
        "# Load benchmark",
        "",
        "Our assistant against a bare `rasa init --no-prompt` assistant (Rasa's default pipeline and "
        "policies: DIET, ResponseSelector, Memoization, Rule, UnexpecTED and TED policies), both served by "
        "`rasa run --enable-api` on loopback and driven through the REST channel by simulated customers "
        "having multi-turn conversations (Spanish for ours, English for the reference; a new sender id per "
        "conversation). Ours runs twice, with the speed-ups of Rasa's code (addons/speedups.py) on as shipped "
        "and off; the reference runs Rasa's own code, as `rasa init` ships it. Produced by `tools/bench/` "
        "(`make bench`); do not edit by hand.",
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
    mean = background_load(results)
    if mean is not None:
        lines.append(f"- background load: processes outside the benchmark used on average {mean:.0f} % CPU "
                     f"(of {m['nproc']} × 100 %) during the measured windows"
                     + (" — **the machine was busy: latencies and turns/s are pessimistic; compare the Rasa CPU "
                        "ms/turn column, which is less sensitive**" if mean > 20 else ""))
    lines.append("")
    lines += tables(results)
    if results.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {n}" for n in results["notes"]]
    return "\n".join(lines) + "\n"


def write_report(results: dict[str, object], markdown: bool = True) -> None:
    """var/bench/results.json, and docs/benchmark.md unless ``markdown`` is false."""
    RESULTS_JSON.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_JSON.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    if markdown:
        REPORT_MD.write_text(report_markdown(results), encoding="utf-8")
