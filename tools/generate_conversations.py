"""Many conversations in the tracker store, in exactly the shape Rasa writes them.

Two steps:

``record`` plays the report's test plan (tools/conversation_player.py: critical
incidents, triages, messages the NLU cannot read, PQRSA, hours, escalations, hand-offs
through the desk) once through the real stack — action server, Rasa server, desk —
each conversation at its own moment, and keeps every row Rasa stored for it
(``type_name``, ``timestamp``, ``intent_name``, ``action_name``, ``data``) in
tools/data/recorded_conversations.jsonl.gz::

    .venv/actions/bin/python -m tools.generate_conversations record

``generate`` replicates them: each new conversation is a recorded one with a new
conversation id, new message ids and its timestamps shifted to a random moment of the
range (more of them in office hours), written in time order as a live store fills up;
a conversation recorded while the support channels were open is only placed at moments
when they are open, and one recorded after hours only after hours (the schedule model
decides), so the answers stay true to their moment::

    .venv/actions/bin/python -m tools.generate_conversations generate --count 100000 \\
        --from 2026-01-01 --to 2026-12-31 --tracker-store sqlite:///var/bench/tracker-100k.db

The target's ``events`` table is created with Rasa's schema when missing (as
``SQLTrackerStore`` creates it: no index but ``ix_events_sender_id``); the report's
index is created by addons/tracker_store.py when Rasa starts on it. Runs in .venv/actions.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sqlite3
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from helpdesk.loader import load_schedule, schedule_path_from_env  # noqa: E402
from insights import source  # noqa: E402

RECORDED = ROOT / "tools" / "data" / "recorded_conversations.jsonl.gz"
COLUMNS = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")
# Share of conversations per hour of the day (Bogotá): office hours carry most of them.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 10, 9, 7, 8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1]
SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER NOT NULL, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT, PRIMARY KEY (id));
CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id);
"""
POSTGRES_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id SERIAL NOT NULL, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT, PRIMARY KEY (id));
CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id);
"""


# ---------------------------------------------------------------------- record


def record(out: Path, tmp: Path) -> int:
    """Play the plan through a fresh stack and keep the stored rows of each conversation."""
    from tools import conversation_player as player

    clocked = player.ClockedStack(tmp)
    clocked.start()
    try:
        planned = player.play_all(clocked, player.plan())
    finally:
        clocked.stop()
    db = sqlite3.connect(str(clocked.tracker_db))
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(out, "wt", encoding="utf-8") as handle:
        for p in planned:
            rows = db.execute("SELECT type_name, timestamp, intent_name, action_name, data FROM events "
                              "WHERE sender_id = ? ORDER BY id", (p.sender,)).fetchall()
            handle.write(json.dumps({"name": p.name, "moment": p.moment, "channel": p.channel,
                                     "rows": [list(r) for r in rows]}, ensure_ascii=False) + "\n")
    db.close()
    print(f"[record] {len(planned)} conversations written to {out}")
    return 0


def load_recorded(path: Path = RECORDED) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


# ---------------------------------------------------------------------- generate


def _shift_row(row: list, sender: str, shift: float) -> tuple:
    type_name, ts, intent, action, data = row
    event = json.loads(data)
    if isinstance(event.get("timestamp"), (int, float)):
        event["timestamp"] += shift
    old_id = event.get("message_id")
    text = json.dumps(event)
    if old_id:
        text = text.replace(old_id, uuid.uuid4().hex)
    return (sender, type_name, (ts or 0) + shift, intent, action, text)


class Placer:
    """Random moments of the range, each with a recorded conversation that fits it."""

    def __init__(self, recorded: list[dict], start: date, end: date, seed: int):
        self.schedule = load_schedule(schedule_path_from_env())
        self.random = random.Random(seed)
        self.start, self.days = start, (end - start).days + 1
        self.pools: dict[bool, list[dict]] = {True: [], False: []}
        for conversation in recorded:
            first = conversation["rows"][0][1]
            self.pools[self.is_open(first)].append(conversation)
        if not self.pools[True] or not self.pools[False]:
            raise SystemExit("the recording needs conversations both in and out of office hours")

    def is_open(self, ts: float) -> bool:
        moment = datetime.fromtimestamp(ts, tz=self.schedule.timezone)
        return any(not c.always_open for c in self.schedule.open_channels("support", moment))

    def place(self) -> tuple[dict, float]:
        day = self.start + timedelta(days=self.random.randrange(self.days))
        hour = self.random.choices(range(24), weights=HOUR_WEIGHTS)[0]
        moment = datetime(day.year, day.month, day.day, hour, self.random.randrange(60), self.random.randrange(60),
                          tzinfo=self.schedule.timezone)
        # Stay inside the opening period of the moment (a conversation lasts minutes).
        start = moment.timestamp()
        conversation = self.random.choice(self.pools[self.is_open(start)])
        return conversation, start - conversation["rows"][0][1]


def generate(tracker: source.TrackerSource, count: int, start: date, end: date, seed: int,
             recorded: Path = RECORDED, batch_rows: int = 20000) -> tuple[int, int, float]:
    """Write ``count`` conversations; returns (conversations, events, seconds)."""
    began = time.monotonic()
    placer = Placer(load_recorded(recorded), start, end, seed)
    rows: list[tuple] = []
    written = 0
    # In time order, as a tracker store fills up (a month's rows sit together in the table).
    placed = sorted((placer.place() for _ in range(count)), key=lambda cs: cs[0]["rows"][0][1] + cs[1])
    with tracker.connect(write=True) as connection:
        insert = _writer(connection, tracker.dialect)
        for conversation, shift in placed:
            prefix = "web-" if conversation["channel"] == "socketio" else "gen-"
            sender = prefix + uuid.UUID(int=placer.random.getrandbits(128), version=4).hex
            rows.extend(_shift_row(row, sender, shift) for row in conversation["rows"])
            if len(rows) >= batch_rows:
                insert(rows)
                written += len(rows)
                rows = []
        if rows:
            insert(rows)
            written += len(rows)
    return count, written, time.monotonic() - began


def _writer(connection, dialect: str):
    sql = f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES "
    if dialect == "sqlite":
        connection.executescript(SQLITE_SCHEMA)
        connection.execute("PRAGMA journal_mode=WAL")

        def insert(rows: list[tuple]) -> None:
            connection.execute("BEGIN")
            connection.executemany(sql + "(?, ?, ?, ?, ?, ?)", rows)
            connection.execute("COMMIT")
        return insert
    from psycopg2.extras import execute_values

    with connection.cursor() as cursor:
        cursor.execute(POSTGRES_SCHEMA)
    connection.commit()

    def insert(rows: list[tuple]) -> None:
        with connection.cursor() as cursor:
            execute_values(cursor, sql + "%s", rows, page_size=2000)
        connection.commit()
    return insert


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.generate_conversations", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="play the plan through the real stack and keep its rows")
    rec.add_argument("--out", default=str(RECORDED))
    rec.add_argument("--tmp", default=str(ROOT / "var" / "record-conversations"))
    gen = sub.add_parser("generate", help="replicate recorded conversations into a tracker store")
    gen.add_argument("--count", type=int, default=100_000)
    gen.add_argument("--from", dest="start", type=date.fromisoformat, default=date(2026, 1, 1))
    gen.add_argument("--to", dest="end", type=date.fromisoformat, default=date(2026, 12, 31))
    gen.add_argument("--tracker-store", required=True, help="sqlite:///var/bench/tracker.db or postgresql://…")
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--recorded", default=str(RECORDED))
    args = parser.parse_args(argv)
    if args.command == "record":
        return record(Path(args.out), Path(args.tmp))
    tracker = source.from_url(args.tracker_store)
    if tracker.dialect == "sqlite":
        Path(tracker.database).parent.mkdir(parents=True, exist_ok=True)
        sqlite3.connect(tracker.database).close()  # create the file; the table is created below
    conversations, events, seconds = generate(tracker, args.count, args.start, args.end, args.seed,
                                              Path(args.recorded))
    print(f"[generate] {conversations} conversations, {events} events into {tracker.describe()} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
