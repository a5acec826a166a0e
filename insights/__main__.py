"""``python -m insights --from 2026-11-01 --to 2026-11-30`` (``make report``): the support report.

Reads the tracker store named in endpoints.yml (``--endpoints``; ``${VARIABLE}``s expanded
from the environment) or ``--tracker-store URL``, and the desk's hand-offs (``--desk-db``,
else ``DESK_DB``, else var/desk.db), all read-only, and writes var/report/ (``--out``):
report.html (open it from disk), chart.umd.js, report-charts.js, one CSV per figure and
no_entendidos.nlu.yml.

Test traffic (conversation ids starting with a prefix of ``REPORT_TEST_SENDERS``,
insights/traffic.py) is left out unless ``--include-test-traffic``; an invalid
``REPORT_TEST_SENDERS`` stops the command before it reads anything (exit 2).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from insights import export, report, source, traffic


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-30") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m insights", description="The support team's report (HTML and CSV).")
    parser.add_argument("--from", dest="start", type=_day, required=True, help="first day (Bogotá), e.g. 2026-11-01")
    parser.add_argument("--to", dest="end", type=_day, required=True, help="last day, included, e.g. 2026-11-30")
    parser.add_argument("--out", default=str(source.ROOT / "var" / "report"), help="output folder (var/report)")
    parser.add_argument("--endpoints", default=str(source.DEFAULT_ENDPOINTS), help="endpoints file (endpoints.yml)")
    parser.add_argument("--tracker-store", help="sqlite:///var/tracker.db or postgresql://user:${DB_PASSWORD}@host:5432/db "
                        "(instead of the endpoints file)")
    parser.add_argument("--desk-db", help="the desk's SQLite database (default $DESK_DB or var/desk.db)")
    parser.add_argument("--include-test-traffic", action="store_true",
                        help="take in the conversations of tests and probes (ids starting with a prefix of "
                             "REPORT_TEST_SENDERS; left out by default)")
    args = parser.parse_args(argv)
    if args.end < args.start:
        parser.error(f"--to {args.end} is before --from {args.start}")
    try:
        marked = traffic.TestTraffic.from_env(include=args.include_test_traffic)
    except traffic.TrafficError as error:
        print(f"insights: {error}", file=sys.stderr)
        return 2
    try:
        tracker = source.from_url(args.tracker_store) if args.tracker_store else source.from_endpoints(args.endpoints)
        built = report.build(tracker, args.start, args.end, desk_db=source.desk_db_path(args.desk_db), traffic=marked)
    except source.SourceError as error:
        print(f"insights: {error}", file=sys.stderr)
        return 2
    paths = export.write(built, args.out)
    s = built.summary
    print(f"[report] {tracker.describe()}: {s['conversations']} conversations, {s['messages']} customer messages "
          f"from {args.start} to {args.end}, in {built.seconds:.1f} s")
    if s["test_conversations"]:
        print(f"[report] {s['test_conversations']} test conversations left out (--include-test-traffic takes them in)")
    print(f"[report] wrote {paths[0]} and {len(paths) - 1} more files in {paths[0].parent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
