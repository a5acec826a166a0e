"""Tracker stores and desk databases written by hand, in the shape Rasa and the desk write them.

For the report's tests: each conversation is a list of turns (what the customer sent, the
intent the NLU gave, the answer kinds and slots the actions set, what the assistant said with
its buttons, and agents' messages), written as Rasa's ``events`` rows (SQLTrackerStore's
schema); hand-offs are rows of the desk's own ``handoffs`` table (desk/store.py creates it).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

BOGOTA = ZoneInfo("America/Bogota")
SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER NOT NULL, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT, PRIMARY KEY (id));
CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id);
"""


@dataclass
class Turn:
    """A customer message and what followed it."""

    text: str
    intent: str
    kinds: list[str] = field(default_factory=list)  # answer_kind slots
    slots: dict[str, Any] = field(default_factory=dict)  # other slots the actions set
    bot: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)  # (text, [(title, payload)])
    actions: list[str] = field(default_factory=list)  # e.g. action_default_fallback
    agent: list[tuple[str, str]] = field(default_factory=list)  # (agent name, text) written by an agent
    after: float = 40.0  # seconds until the next customer message
    channel: str = "socketio"


def moment(text: str) -> float:
    """'2026-11-10T10:00' in Bogotá as a Unix time."""
    return datetime.fromisoformat(text).replace(tzinfo=BOGOTA).timestamp()


class Tracker:
    """An SQLite tracker store to write conversations into."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.db = sqlite3.connect(self.path)
        self.db.executescript(SCHEMA)

    def conversation(self, sender: str, start: str | float, turns: list[Turn]) -> float:
        """Write a conversation from ``start`` (ISO in Bogotá, or a Unix time); returns the moment it ended."""
        ts = moment(start) if isinstance(start, str) else start
        rows: list[tuple] = [(sender, "action", ts - 1, None, "action_session_start",
                              {"event": "action", "name": "action_session_start"}),
                             (sender, "session_started", ts - 1, None, None, {"event": "session_started"})]
        for turn in turns:
            ranking = [{"name": turn.intent, "confidence": 0.9}, {"name": "out_of_scope", "confidence": 0.05}]
            rows.append((sender, "user", ts, turn.intent, None, {
                "event": "user", "timestamp": ts, "text": turn.text, "input_channel": turn.channel,
                "message_id": uuid.uuid4().hex,
                "parse_data": {"intent": {"name": turn.intent, "confidence": 0.9}, "intent_ranking": ranking,
                               "entities": [], "text": turn.text}}))
            step = ts + 0.2
            for name, value in turn.slots.items():
                rows.append((sender, "slot", step, None, name, {"event": "slot", "name": name, "value": value}))
            for kind in turn.kinds:
                rows.append((sender, "slot", step, None, "answer_kind",
                             {"event": "slot", "name": "answer_kind", "value": kind}))
            for action in turn.actions:
                rows.append((sender, "action", step, None, action, {"event": "action", "name": action}))
            for text, buttons in turn.bot:
                step += 0.1
                rows.append((sender, "bot", step, None, None, {
                    "event": "bot", "timestamp": step, "text": text,
                    "data": {"buttons": [{"title": t, "payload": p} for t, p in buttons] or None}}))
            for name, text in turn.agent:
                step += 20
                rows.append((sender, "bot", step, None, None, {
                    "event": "bot", "timestamp": step, "text": text, "metadata": {"agent": name}}))
            rows.append((sender, "action", step + 0.1, None, "action_listen", {"event": "action", "name": "action_listen"}))
            ts += turn.after
        self.db.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) VALUES (?, ?, ?, ?, ?, ?)",
            [(*row[:5], json.dumps({"timestamp": row[2], **row[5]}, ensure_ascii=False)) for row in rows])
        self.db.commit()
        return ts

    def agent_message(self, sender: str, at: float, name: str, text: str) -> None:
        self.db.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) VALUES (?, ?, ?, ?, ?, ?)",
            (sender, "bot", at, None, None, json.dumps({"event": "bot", "timestamp": at, "text": text,
                                                        "metadata": {"agent": name}})))
        self.db.commit()

    def close(self) -> None:
        self.db.close()


def handoff(desk_db: Path, conversation_id: str, received: float, *, status: str = "queued",
            agent: tuple[int, str] | None = None, taken: float | None = None, ended: float | None = None,
            reason: str = "customer_request") -> None:
    """A row of the desk's ``handoffs`` (the table desk/store.py creates), as the desk leaves it."""
    from desk.store import Store

    Store(Path(desk_db)).close()  # the desk's own schema, whatever its version
    created = datetime.fromtimestamp(received, BOGOTA).isoformat()
    db = sqlite3.connect(desk_db)
    db.execute(
        "INSERT INTO handoffs (conversation_id, status, reason, reason_text, priority, service, description, channel, "
        "packet, created_at, received_at, agent_id, agent_name, taken_at, ended_at) "
        "VALUES (?, ?, ?, ?, 'normal', 'firma_digital', 'no puedo firmar', 'socketio', '{}', ?, ?, ?, ?, ?, ?)",
        (conversation_id, status, reason, "El cliente pidió un asesor", created, received,
         agent[0] if agent else None, agent[1] if agent else None, taken, ended))
    db.commit()
    db.close()


def agent_id(desk_db: Path, username: str) -> int:
    db = sqlite3.connect(desk_db)
    try:
        return db.execute("SELECT id FROM agents WHERE username = ?", (username,)).fetchone()[0]
    finally:
        db.close()
