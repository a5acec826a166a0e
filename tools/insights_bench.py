"""How long the support report takes on 100,000 conversations, and what it costs the assistant.

    .venv/actions/bin/python -m tools.insights_bench [--count 100000] [--postgres]

1. Generates the conversations once (tools/generate_conversations.py: the recorded ones
   replicated over 2026) into var/insights-bench/tracker-<count>.db.
2. Times ``python -m insights`` (what ``make report`` runs) for one month and for the
   whole year, without the ``events_by_timestamp`` index and with it (created by
   addons/tracker_store.ensure_timestamp_index, as the Rasa server does at start).
3. Starts the assistant (action server + Rasa, tools/conversation_player.ClockedStack)
   on that tracker store and times customer turns idle and while the year's report runs.
4. ``--postgres``: steps 1–2 on a throw-away PostgreSQL (tools/services.py).

Prints one Markdown table (docs/report.md, "Index and speed", has the run's figures).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from insights import source  # noqa: E402
from tools import generate_conversations, stack  # noqa: E402

OUT = ROOT / "var" / "insights-bench"
PY = str(ROOT / ".venv" / "actions" / "bin" / "python")
RANGES = {"un mes (noviembre)": ("2026-11-01", "2026-11-30"), "el año (2026)": ("2026-01-01", "2026-12-31")}


def run_report(url: str, start: str, end: str) -> tuple[float, str]:
    began = time.monotonic()
    run = subprocess.run([PY, "-m", "insights", "--from", start, "--to", end, "--out", str(OUT / "report"),
                          "--tracker-store", url, "--desk-db", str(OUT / "no-desk.db")],
                         cwd=ROOT, capture_output=True, text=True, timeout=3600)
    if run.returncode != 0:
        raise RuntimeError(run.stderr)
    return time.monotonic() - began, run.stdout.splitlines()[0]


def set_index(url: str, present: bool) -> float:
    """Drop the index, or create it with the tracker store's own function (timed)."""
    code = ("import sqlalchemy as sa, sys, time\nfrom addons.tracker_store import ensure_timestamp_index\n"
            "url = sys.argv[1].replace('postgresql://', 'postgresql+psycopg2://')\n"
            "e = sa.create_engine(url)\n"
            "if sys.argv[2] == 'drop':\n"
            "    with e.connect().execution_options(isolation_level='AUTOCOMMIT') as c:\n"
            "        c.execute(sa.text('DROP INDEX IF EXISTS events_by_timestamp'))\n"
            "else:\n"
            "    t = time.monotonic(); ensure_timestamp_index(e); print(time.monotonic() - t)\n")
    run = subprocess.run([str(stack.RASA_BIN.parent / "python"), "-c", code, url, "create" if present else "drop"],
                         cwd=ROOT, capture_output=True, text=True, timeout=3600,
                         env=stack.base_env({"SQLALCHEMY_SILENCE_UBER_WARNING": "1"}))
    if run.returncode != 0:
        raise RuntimeError(run.stderr)
    return float(run.stdout.strip() or 0)


def time_reports(url: str, label: str) -> list[str]:
    rows = []
    set_index(url, False)
    for name, (start, end) in RANGES.items():
        seconds, line = run_report(url, start, end)
        rows.append(f"| {label} | {name} | sin índice | {seconds:.1f} s | {line.split(': ', 1)[1]} |")
    built = set_index(url, True)
    rows.append(f"| {label} | crear events_by_timestamp | — | {built:.1f} s | |")
    for name, (start, end) in RANGES.items():
        seconds, line = run_report(url, start, end)
        rows.append(f"| {label} | {name} | con índice | {seconds:.1f} s | {line.split(': ', 1)[1]} |")
    return rows


def turn_latency(db: Path) -> list[str]:
    """Customer turns on the big tracker store, idle and while the year's report runs."""
    from tools.conversation_player import ClockedStack

    tmp = Path(tempfile.mkdtemp(prefix="insights-bench-"))
    live = tmp / "tracker.db"  # a copy: the measured store keeps only the generated conversations
    shutil.copyfile(db, live)
    db = live
    clocked = ClockedStack(tmp, tracker_store={"type": "addons.tracker_store.ReportingSQLTrackerStore",
                                               "dialect": "sqlite", "db": str(db)}, desk=False)
    clocked.start("2026-12-05T20:00")

    def turns(n: int) -> list[float]:
        took = []
        for _ in range(n):
            sender = f"bench-{uuid.uuid4().hex[:8]}"
            for text in ("tengo un problema", "firma digital"):
                began = time.monotonic()
                clocked.say(sender, text)
                took.append((time.monotonic() - began) * 1000)
        return took

    try:
        turns(3)  # warm up
        idle = turns(20)
        during: list[float] = []
        done = threading.Event()

        def report() -> None:
            run_report(f"sqlite:///{db}", "2026-01-01", "2026-12-31")
            done.set()

        worker = threading.Thread(target=report)
        worker.start()
        while not done.is_set():
            during += turns(1)
        worker.join()
    finally:
        clocked.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    def row(name: str, values: list[float]) -> str:
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
        return f"| turno del asistente | {name} | {len(values)} turnos | p50 {statistics.median(values):.0f} ms, p95 {p95:.0f} ms | |"

    return [row("en reposo", idle), row("mientras corre el informe del año", during)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.insights_bench")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true", help="also on a throw-away PostgreSQL")
    parser.add_argument("--no-latency", action="store_true", help="skip the assistant's turn times")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / f"tracker-{args.count}.db"
    rows = ["| dónde | qué | índice | tiempo | resultado |", "|---|---|---|---:|---|"]
    if not db.exists():
        db.touch()
        made = generate_conversations.generate(source.TrackerSource("sqlite", str(db)), args.count,
                                               date(2026, 1, 1), date(2026, 12, 31), seed=1)
        rows.append(f"| SQLite | generar {made[0]} conversaciones ({made[1]} eventos) | — | {made[2]:.1f} s | "
                    f"{db.stat().st_size / 1e9:.2f} GB |")
    rows += time_reports(f"sqlite:///{db}", "SQLite")
    if not args.no_latency:
        rows += turn_latency(db)
    if args.postgres:
        from tools.services import Postgres

        postgres = Postgres()
        try:
            postgres.init()
            env = postgres.env()
            url = (f"postgresql://{env['DB_USER']}:{env['DB_PASSWORD']}@127.0.0.1:{env['DB_PORT']}/"
                   f"{env['DB_DATABASE']}")
            made = generate_conversations.generate(source.from_url(url), args.count, date(2026, 1, 1),
                                                   date(2026, 12, 31), seed=1)
            postgres.sql("ANALYZE events")
            rows.append(f"| PostgreSQL | generar {made[0]} conversaciones ({made[1]} eventos) | — | {made[2]:.1f} s | |")
            rows += time_reports(url, "PostgreSQL")
        finally:
            postgres.destroy()
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
