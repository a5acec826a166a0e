"""``python -m insights.retention --days N`` (``make retention DAYS=N``): forget old conversations.

Deletes from the tracker store every conversation whose **latest** event is older than
``N`` days (all its events: a conversation is never cut in half, so a customer who
comes back keeps a whole history). ``--days`` defaults to ``TRACKER_RETENTION_DAYS``;
without either the command refuses to run. The only part of ``insights`` that writes.

Safe while the assistant serves:

* candidates are found with the ``events_by_timestamp`` index
  (``addons/tracker_store.py``): conversations with an event before the cut-off;
* they are deleted a few at a time (``--batch``, 50 conversations), each batch in its
  own short transaction that re-checks, in the same statement, that the conversation
  has no event at or after the cut-off (a customer who wrote meanwhile is kept);
* SQLite: the same busy timeout as the assistant's writes (a batch waits for a turn
  being stored, never the other way round for long); PostgreSQL: row locks only.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass

from insights import source

RETENTION_ENV = "TRACKER_RETENTION_DAYS"
DEFAULT_BATCH = 50


@dataclass
class Result:
    conversations: int
    events: int
    seconds: float


def cutoff_for(days: float, now: float | None = None) -> float:
    return (time.time() if now is None else now) - days * 86400


def _candidates(connection, dialect: str, cutoff: float) -> list[str]:
    sql = "SELECT DISTINCT sender_id FROM events WHERE timestamp < {p}"
    if dialect == "sqlite":
        return [row[0] for row in connection.execute(sql.format(p="?"), (cutoff,))]
    with connection.cursor() as cursor:
        cursor.execute(sql.format(p="%s"), (cutoff,))
        rows = [row[0] for row in cursor.fetchall()]
    connection.commit()
    return rows


def _delete(connection, dialect: str, senders: list[str], cutoff: float) -> int:
    """Delete the conversations of ``senders`` that have no event at or after ``cutoff``."""
    if dialect == "sqlite":
        marks = ",".join("?" * len(senders))
        sql = (f"DELETE FROM events WHERE sender_id IN ({marks}) AND sender_id NOT IN "
               f"(SELECT sender_id FROM events WHERE sender_id IN ({marks}) AND timestamp >= ?)")
        connection.execute("BEGIN IMMEDIATE")
        try:
            deleted = connection.execute(sql, [*senders, *senders, cutoff]).rowcount
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return deleted
    sql = ("DELETE FROM events WHERE sender_id = ANY(%s) AND sender_id NOT IN "
           "(SELECT sender_id FROM events WHERE sender_id = ANY(%s) AND timestamp >= %s)")
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, (senders, senders, cutoff))
            deleted = cursor.rowcount
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    return deleted


def purge(tracker: source.TrackerSource, days: float, batch: int = DEFAULT_BATCH, now: float | None = None,
          pause: float = 0.0) -> Result:
    """Delete the conversations whose latest event is older than ``days`` days.

    ``pause``: seconds to sleep between batches (leaves the database to the assistant).
    """
    if days <= 0:
        raise ValueError(f"the retention must be a positive number of days, got {days}")
    began = time.monotonic()
    cutoff = cutoff_for(days, now)
    conversations = events = 0
    with tracker.connect(write=True) as connection:
        senders = _candidates(connection, tracker.dialect, cutoff)
        for i in range(0, len(senders), batch):
            chunk = senders[i:i + batch]
            deleted = _delete(connection, tracker.dialect, chunk, cutoff)
            events += deleted
            if deleted:
                conversations += _gone(connection, tracker.dialect, chunk)
            if pause:
                time.sleep(pause)
    return Result(conversations, events, time.monotonic() - began)


def _gone(connection, dialect: str, senders: list[str]) -> int:
    """How many of ``senders`` have no event left."""
    if dialect == "sqlite":
        marks = ",".join("?" * len(senders))
        left = {row[0] for row in connection.execute(
            f"SELECT DISTINCT sender_id FROM events WHERE sender_id IN ({marks})", senders)}
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT sender_id FROM events WHERE sender_id = ANY(%s)", (senders,))
            left = {row[0] for row in cursor.fetchall()}
        connection.commit()
    return len(set(senders) - left)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m insights.retention",
                                     description="Delete conversations whose latest event is older than N days.")
    parser.add_argument("--days", type=float, default=None,
                        help=f"keep this many days (default ${RETENTION_ENV})")
    parser.add_argument("--endpoints", default=str(source.DEFAULT_ENDPOINTS))
    parser.add_argument("--tracker-store", help="sqlite:///… or postgresql://… instead of the endpoints file")
    parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="conversations per transaction (50)")
    args = parser.parse_args(argv)
    days = args.days
    if days is None:
        raw = os.environ.get(RETENTION_ENV, "").strip()
        if not raw:
            parser.error(f"give --days N or set {RETENTION_ENV}")
        try:
            days = float(raw)
        except ValueError:
            parser.error(f"{RETENTION_ENV} must be a number of days, got {raw!r}")
    if days <= 0:
        parser.error(f"the retention must be a positive number of days, got {days:g}")
    try:
        tracker = source.from_url(args.tracker_store) if args.tracker_store else source.from_endpoints(args.endpoints)
        result = purge(tracker, days, max(1, args.batch))
    except source.SourceError as error:
        print(f"retention: {error}", file=sys.stderr)
        return 2
    print(f"[retention] {tracker.describe()}: deleted {result.conversations} conversations ({result.events} events) "
          f"whose latest event is older than {days:g} days, in {result.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
