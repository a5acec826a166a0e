"""The benchmark's command line and the order of its phases (see tools/bench/__init__.py)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from contextlib import ExitStack

from tools import stack
from tools.bench import BENCH, RESULTS_JSON, ROOT
from tools.bench import __doc__ as package_doc
from tools.bench.load import Load, check_conversations, parse_latency
from tools.bench.measure import tree_memory_mb
from tools.bench.reference import OURS_TRAINING, REFERENCE_DIR, build_reference, reference_model, train_ours
from tools.bench.report import (
    OURS,
    OURS_OFF,
    REFERENCE,
    evaluate_targets,
    fmt,
    machine_facts,
    model_description,
    ratio,
    scenario_ratios,
    tables,
    write_report,
)
from tools.bench.scenarios import DEFAULT_NOW, ENGLISH, SCENARIOS, SPANISH
from tools.bench.targets import (
    SCALE_OUT_LOCK_STORE,
    SHIPPED_TRACKER_STORE,
    SpeedupsMismatch,
    Target,
    create_tracker_tables,
    log_problems,
    start_target,
    wait_ready,
)
from tools.services import Postgres, Redis


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=package_doc.split("\n\n")[0])
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
    parser.add_argument("--no-speedups-off", action="store_true",
                        help="skip the run of ours with ASSISTANT_RASA_SPEEDUPS=off in (a)-(c)")
    parser.add_argument("--show-replies", action="store_true",
                        help="print every reply of the unloaded check pass (to write expectations)")
    parser.add_argument("--no-report", action="store_true", help="do not overwrite docs/benchmark.md")
    args = parser.parse_args(argv)
    args.scenarios = {s.strip() for s in args.only.split(",") if s.strip()}
    if not args.scenarios <= set(SCENARIOS):
        parser.error(f"--only takes letters among {','.join(SCENARIOS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    arguments = sys.argv[1:] if argv is None else argv
    command = ("python -m tools.bench " + " ".join(arguments)).strip()
    if os.environ.get("MAKELEVEL"):
        command = "make bench" + (f" BENCH_ARGS=\"{' '.join(arguments)}\"" if arguments else "")
    run_id = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    logs = BENCH / "logs" / run_id
    logs.mkdir(parents=True, exist_ok=True)
    print(f"[bench] logs in {logs.relative_to(ROOT)}", flush=True)

    results: dict[str, object] = {
        "command": command, "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine_facts(),
        "model": model_description(),
        "settings": {"duration_s": args.duration, "warmup_s": args.warmup, "seed": args.seed,
                     "assistant_now": args.now, "scenarios": sorted(args.scenarios), "timeout_s": args.timeout,
                     "ours_tracker_store": args.ours_tracker, "speedups_off_run": not args.no_speedups_off},
        "scenarios": [], "ratios": {}, "parse": {}, "servers": [], "training": {}, "checks": {}, "notes": [],
        "log_problems": {}, "speedups": {},
    }
    try:
        run(args, results, logs, run_id)
    except SpeedupsMismatch as exc:
        print(f"\n[bench] FAILED: {exc}\n[bench] logs in {logs.relative_to(ROOT)}", file=sys.stderr, flush=True)
        return 2
    finish_report(results, markdown=not args.no_report)
    # A benchmark reports; it does not gate. The exit code says only whether it ran.
    return 0


def run(args: argparse.Namespace, results: dict[str, object], logs, run_id: str) -> None:
    """Build the reference, then phase 1 (a-c: ours on, ours off, reference) and phase 2 (d)."""
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
        action_port = int(actions.url.rsplit(":", 1)[1])
        roots = {"actions": actions.process.pid, "load generator": os.getpid()}

        def ready(target: Target, show: bool = False) -> None:
            """Wait for the server, prove its speed-ups state from its log, check every conversation once."""
            wait_ready(target)  # raises SpeedupsMismatch
            results["speedups"][target.label] = {"expected": target.speedups, "line": target.speedups_line}
            print(f"[bench] {target.label}: ready after {target.load_seconds} s; {target.speedups_line}", flush=True)
            results["checks"][target.label] = check_conversations(target, args.timeout, show)

        def finish(target: Target) -> None:
            """Record the server's memory high-water mark and log problems, then stop it."""
            results["servers"].append({
                "key": target.key, "label": target.label, "notes": target.notes, "workers": target.workers,
                "speedups": target.speedups, "load_s": target.load_seconds,
                "vmhwm_mb": round(tree_memory_mb(target.service.process.pid, "VmHWM"))})
            problems = log_problems(target)
            if problems:
                results["log_problems"][target.label] = problems
            target.service.stop()

        def scenario(key: str, target: Target, others: list[Target], stores: dict[str, int]) -> dict[str, object]:
            print(f"[bench] ({key}) {SCENARIOS[key].title}: {target.label} …", flush=True)
            idle = {f"rasa (idle: {t.label})": t.service.process.pid for t in others}
            row = Load(target, SCENARIOS[key], args.seed, args.timeout).run(
                args.warmup, args.duration, {**roots, **stores, **idle, "rasa": target.service.process.pid})
            row = {"scenario": key, "key": target.key, "assistant": target.label, "speedups": target.speedups, **row}
            results["scenarios"].append(row)
            # Saved as we go: a crash late in a 25-minute run keeps the figures so far.
            RESULTS_JSON.write_text(json.dumps({**results, "partial": True}, indent=2, ensure_ascii=False))
            print(f"      {row['turns_per_s']} turns/s, p50 {fmt(row['p50_ms'])} ms, p95 {fmt(row['p95_ms'])} ms, "
                  f"p99 {fmt(row['p99_ms'])} ms, {row['errors']} errors, Rasa CPU {fmt(row['rasa_cpu_ms_per_turn'])} "
                  f"ms/turn, CPU {row['cpu_pct']} (Rasa per process {row['rasa_cpu_pct_per_process']}), "
                  f"other {row['other_cpu_pct']}% {row['other_top']}", flush=True)
            return row

        # ---- Phase 1: ours as shipped (speed-ups on), ours with ASSISTANT_RASA_SPEEDUPS=off,
        # and the reference as `rasa init` ships it (Rasa's own code). The servers load one
        # after the other, so each "ready after start" is measured on an otherwise idle
        # machine; once loaded, an idle server uses no CPU.
        phase1 = sorted(args.scenarios & {"a", "b", "c"})
        if phase1:
            if args.ours_tracker == "sqlite":
                tracker = {"type": SHIPPED_TRACKER_STORE, "dialect": "sqlite"}
                ours_notes = "as shipped: SQLite tracker store, in-memory lock store"
            else:
                tracker, ours_notes = None, "in-memory tracker and lock stores"
            variants = [(OURS, "ours", "on", ours_notes)]
            if not args.no_speedups_off:
                variants.append((OURS_OFF, "ours, speed-ups off", "off", ours_notes + "; ASSISTANT_RASA_SPEEDUPS=off"))
            targets: list[Target] = []
            for key, label, speedups, notes in variants:
                endpoints_tracker = None
                if tracker:  # each server its own SQLite file, removed at the end
                    sqlite_file = BENCH / f"tracker-{run_id}-{key}.db"
                    cleanup.callback(sqlite_file.unlink, missing_ok=True)
                    endpoints_tracker = {**tracker, "db": str(sqlite_file)}
                endpoints = stack.write_endpoints(BENCH / f"endpoints.{key}.yml", action_port,
                                                  tracker_store=endpoints_tracker)
                print(f"[bench] loading {label}…", flush=True)
                target = start_target(key, label, stack.MODEL, endpoints, ROOT / "credentials.yml", SPANISH, logs,
                                      notes=notes, speedups=speedups)
                cleanup.callback(target.service.stop)
                ready(target, args.show_replies)
                targets.append(target)
            print("[bench] loading the reference…", flush=True)
            reference = start_target(REFERENCE, "reference", reference_model(), REFERENCE_DIR / "endpoints.yml",
                                     REFERENCE_DIR / "credentials.yml", ENGLISH, logs, speedups="off",
                                     notes="rasa init: in-memory tracker and lock stores, no action server, "
                                           "Rasa's own code")
            cleanup.callback(reference.service.stop)
            ready(reference, args.show_replies)
            targets.append(reference)
            for key in phase1:
                # Every target in turn, scenario by scenario, so that a change in the
                # machine's background load hits them alike.
                rows = {t.key: scenario(key, t, [o for o in targets if o is not t], {}) for t in targets}
                results["ratios"][f"({key}) {SCENARIOS[key].title}"] = scenario_ratios(rows[OURS], rows[REFERENCE])
            if args.parse_requests:
                for target in targets:
                    print(f"[bench] NLU parse latency: {target.label} …", flush=True)
                    results["parse"][target.label] = {"key": target.key,
                                                      **parse_latency(target, args.parse_requests, args.timeout)}
                o, r = results["parse"]["ours"], results["parse"]["reference"]
                results["parse"]["ours / reference"] = {
                    "requests": "", "errors": 0, "p50_ms": ratio(o["p50_ms"], r["p50_ms"]),
                    "p95_ms": ratio(o["p95_ms"], r["p95_ms"])}
            for target in targets:
                finish(target)

        # ---- Phase 2: 1 Sanic worker against 2, with the stores several workers need
        # (tools/services.py: the same throw-away servers as the integration tests).
        if "d" in args.scenarios:
            print("[bench] starting PostgreSQL and Redis…", flush=True)
            # In the system's temporary directory, not var/: var/ is 0700 and, run as root, PostgreSQL
            # runs as the `postgres` user, who cannot enter it.
            postgres = Postgres(["rasa_w1", "rasa_w2"])
            cleanup.callback(postgres.destroy)
            postgres.init()
            redis = Redis(parent=BENCH)
            cleanup.callback(redis.stop)
            redis.start()
            for db in ("rasa_w1", "rasa_w2"):
                create_tracker_tables(postgres.tracker_store(db), logs)
            targets = []
            print("[bench] loading the model in 3 processes (about 1-2 min)…", flush=True)
            for workers in (1, 2):
                endpoints = stack.write_endpoints(
                    BENCH / f"endpoints.w{workers}.yml", action_port,
                    tracker_store={"type": SHIPPED_TRACKER_STORE, **postgres.tracker_store(f"rasa_w{workers}")},
                    lock_store={"type": SCALE_OUT_LOCK_STORE, **redis.lock_store()})
                target = start_target(f"ours_{workers}w", f"ours, {workers} worker{'s' if workers > 1 else ''}",
                                      stack.MODEL, endpoints, ROOT / "credentials.yml", SPANISH, logs, workers,
                                      notes="PostgreSQL tracker store, Redis lock store")
                cleanup.callback(target.service.stop)
                targets.append(target)
            for target in targets:
                ready(target)
            stores = {"postgres": postgres.postmaster_pid(), "redis": redis.pid}
            one = scenario("d", targets[0], [targets[1]], stores)
            two = scenario("d", targets[1], [targets[0]], stores)
            results["ratios"]["(d) 2 workers / 1 worker"] = scenario_ratios(two, one)
            for target in targets:
                finish(target)


def finish_report(results: dict[str, object], markdown: bool) -> None:
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
    write_report(results, markdown)
    written = f"{RESULTS_JSON.relative_to(ROOT)}" + ("" if not markdown else " and docs/benchmark.md")
    print(f"\n[bench] figures in {written}" + ("" if markdown else " (docs/benchmark.md not written)"))


if __name__ == "__main__":
    sys.exit(main())
