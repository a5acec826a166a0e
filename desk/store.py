"""The desk's own SQLite database: agents, their sessions and the hand-offs.

Small and local, so the web app calls it directly from its event loop; every
state change of a hand-off is one conditional UPDATE ("… WHERE status = 'queued'"),
so two agents (or an agent and the queue timeout) cannot both win.

An account's ``role`` is free text shown to customers ("asesora de soporte");
its ``access`` ("agent" or "supervisor") decides which pages it may open. A
database made by an older desk gets the newer columns when it is opened
(``MIGRATIONS``: every existing account stays an agent, available).

Presence: an agent is *signed in* while one of their sessions was seen in the last
``PRESENT_SECONDS`` (every page polls the desk, so an open desk keeps it fresh; signing
out deletes the session at once), and *on duty* when signed in and not on a pause
(``agents.available``). The bot asks before it queues a customer (desk/presence.py).

Internal notes (``notes``) are the team's only: nothing in them is ever sent to Rasa.
The morning list's call-backs are marked done in ``callbacks`` (who and when).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ACCESS_LEVELS = ("agent", "supervisor")
ACCESS_COLUMN = "access TEXT NOT NULL DEFAULT 'agent' CHECK (access IN ('agent', 'supervisor'))"
# A session seen this recently counts as a signed-in agent (the pages poll every few seconds).
PRESENT_SECONDS = 90
# A session's last_seen is written at most this often (one UPDATE per agent per 15 s).
SEEN_EVERY = 15
# Columns added after the first release: (table, column, definition). Added when a database lacks them.
MIGRATIONS = (
    ("agents", "access", ACCESS_COLUMN),
    ("agents", "available", "available INTEGER NOT NULL DEFAULT 1"),
    ("handoffs", "close_reason", "close_reason TEXT"),
    ("handoffs", "first_reply_at", "first_reply_at REAL"),
)

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS agents (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    demo          INTEGER NOT NULL DEFAULT 0,
    created_at    REAL NOT NULL,
    {ACCESS_COLUMN},
    available     INTEGER NOT NULL DEFAULT 1     -- 0: on a pause (signed in, not taking customers)
);
CREATE TABLE IF NOT EXISTS sessions (
    id_digest   TEXT PRIMARY KEY,          -- sha256 of the cookie value, never the value
    agent_id    INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    created_at  REAL NOT NULL,
    last_seen   REAL NOT NULL,
    expires_at  REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS handoffs (
    id               INTEGER PRIMARY KEY,
    conversation_id  TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('queued', 'taken', 'closed', 'returned', 'expired')),
    reason           TEXT NOT NULL,
    reason_text      TEXT NOT NULL,
    priority         TEXT NOT NULL,
    service          TEXT NOT NULL,
    description      TEXT NOT NULL,
    channel          TEXT,
    packet           TEXT NOT NULL,        -- the packet as received (JSON)
    created_at       TEXT NOT NULL,        -- the packet's created_at (the bot's clock)
    received_at      REAL NOT NULL,        -- the desk's clock
    agent_id         INTEGER REFERENCES agents(id),
    agent_name       TEXT,
    taken_at         REAL,
    ended_at         REAL,
    expiry_notified  INTEGER NOT NULL DEFAULT 0,
    expiry_attempts  INTEGER NOT NULL DEFAULT 0,
    close_reason     TEXT,                 -- desk/closing.py CLOSE_REASONS, when closed by an agent
    first_reply_at   REAL                  -- the agent's first reply to the customer (desk clock)
);
CREATE INDEX IF NOT EXISTS handoffs_by_conversation ON handoffs (conversation_id, id);
-- At most one open hand-off per conversation: a repeated webhook cannot queue it twice.
CREATE UNIQUE INDEX IF NOT EXISTS one_open_handoff ON handoffs (conversation_id)
    WHERE status IN ('queued', 'taken');
-- Internal notes on a hand-off: read by the team, never sent to the customer.
CREATE TABLE IF NOT EXISTS notes (
    id          INTEGER PRIMARY KEY,
    handoff_id  INTEGER NOT NULL REFERENCES handoffs(id) ON DELETE CASCADE,
    agent_id    INTEGER REFERENCES agents(id),
    agent_name  TEXT NOT NULL,
    text        TEXT NOT NULL,
    created_at  REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_by_handoff ON notes (handoff_id, id);
-- The morning list: an after-hours request (desk/morning.py names it by ``key``) marked done.
CREATE TABLE IF NOT EXISTS callbacks (
    key              TEXT PRIMARY KEY,
    conversation_id  TEXT NOT NULL,
    done_by_id       INTEGER REFERENCES agents(id),
    done_by          TEXT NOT NULL,
    done_at          REAL NOT NULL,
    note             TEXT NOT NULL DEFAULT ''
);
"""


@dataclass(frozen=True)
class Agent:
    id: int
    username: str
    name: str
    role: str
    demo: bool = False
    access: str = "agent"  # "agent" or "supervisor" (ACCESS_LEVELS)
    available: bool = True  # False: on a pause, not counted as on duty

    @property
    def is_supervisor(self) -> bool:
        return self.access == "supervisor"


@dataclass(frozen=True)
class Session:
    agent: Agent
    csrf_token: str
    expires_at: float


@dataclass(frozen=True)
class Handoff:
    id: int
    conversation_id: str
    status: str
    reason: str
    reason_text: str
    priority: str
    service: str
    description: str
    channel: str | None
    packet: dict[str, Any]
    created_at: str
    received_at: float
    agent_id: int | None
    agent_name: str | None
    taken_at: float | None
    ended_at: float | None
    expiry_notified: bool
    close_reason: str | None = None
    first_reply_at: float | None = None

    def deadline(self, sla: float) -> float:
        """When the customer must have an agent (desk clock): received + the SLA (DESK_QUEUE_TIMEOUT)."""
        return self.received_at + sla

    def summary(self, now: float) -> dict[str, Any]:
        """What the queue shows (JSON-safe)."""
        waited_until = now if self.status == "queued" else (self.taken_at or self.ended_at or now)
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "status": self.status,
            "reason": self.reason,
            "reason_text": self.reason_text,
            "priority": self.priority,
            "service": self.service,
            "description": self.description,
            "agent": self.agent_name or "",
            "received_at": self.received_at,
            "waiting_seconds": max(0, int(waited_until - self.received_at)),
            "close_reason": self.close_reason or "",
        }


@dataclass(frozen=True)
class Note:
    id: int
    handoff_id: int
    agent_name: str
    text: str
    created_at: float


@dataclass(frozen=True)
class Callback:
    key: str
    conversation_id: str
    done_by: str
    done_at: float
    note: str


def open_database(path: Path, schema: str) -> sqlite3.Connection:
    """A connection to the desk's SQLite file (created with its folder), in WAL mode with
    foreign keys, shared across threads, with ``schema`` applied."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path), timeout=10, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=10000")
    db.executescript(schema)
    return db


class Store:
    """One connection, shared by the web app's event loop and its executor threads."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.RLock()
        self._db = open_database(self.path, SCHEMA)
        with self._lock:
            self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """Bring a database made by an older desk up to SCHEMA (CREATE … IF NOT EXISTS leaves old tables as they are)."""
        if all(column in self._columns(table) for table, column, _ in MIGRATIONS):
            return
        # Another process (the CLI, a second desk) may open the same old file: check again inside the write lock.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for table, column, definition in MIGRATIONS:
                if column not in self._columns(table):
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {definition}")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def _columns(self, table: str) -> set[str]:
        return {row["name"] for row in self._db.execute(f"PRAGMA table_info({table})")}

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _one(self, sql: str, args: tuple = ()) -> sqlite3.Row | None:
        with self._lock:
            return self._db.execute(sql, args).fetchone()

    def _all(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def _change(self, sql: str, args: tuple = ()) -> int:
        with self._lock:
            return self._db.execute(sql, args).rowcount

    # ------------------------------------------------------------------ agents

    def add_agent(self, username: str, name: str, role: str, password_hash: str, demo: bool = False,
                  access: str = "agent") -> Agent:
        if access not in ACCESS_LEVELS:
            raise ValueError(f"access must be one of {ACCESS_LEVELS}, got {access!r}")
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO agents (username, display_name, role, password_hash, demo, created_at, access) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (username, name, role, password_hash, int(demo), time.time(), access),
            )
            return Agent(cursor.lastrowid, username, name, role, demo, access)

    def set_access(self, username: str, access: str) -> bool:
        """Make an account an agent or a supervisor; it applies to its open sessions at their next request."""
        if access not in ACCESS_LEVELS:
            raise ValueError(f"access must be one of {ACCESS_LEVELS}, got {access!r}")
        return bool(self._change("UPDATE agents SET access = ? WHERE username = ?", (access, username)))

    def set_password(self, username: str, password_hash: str) -> bool:
        changed = self._change("UPDATE agents SET password_hash = ? WHERE username = ?", (password_hash, username))
        if changed:
            # A new password ends every open session of the account.
            self._change("DELETE FROM sessions WHERE agent_id = (SELECT id FROM agents WHERE username = ?)",
                         (username,))
        return bool(changed)

    def agent_credentials(self, username: str) -> tuple[Agent | None, str | None]:
        row = self._one("SELECT * FROM agents WHERE username = ?", (username,))
        if row is None:
            return None, None
        return _agent(row), row["password_hash"]

    def agent(self, username: str) -> Agent | None:
        return self.agent_credentials(username)[0]

    # ---------------------------------------------------------------- sessions

    def create_session(self, id_digest: str, agent: Agent, csrf_token: str, lifetime: float) -> Session:
        now = time.time()
        with self._lock:
            self._db.execute("DELETE FROM sessions WHERE expires_at < ?", (now,))
            self._db.execute(
                "INSERT INTO sessions (id_digest, agent_id, csrf_token, created_at, last_seen, expires_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (id_digest, agent.id, csrf_token, now, now, now + lifetime),
            )
        return Session(agent, csrf_token, now + lifetime)

    def session(self, id_digest: str) -> Session | None:
        row = self._one(
            "SELECT s.csrf_token, s.expires_at, s.last_seen, a.* FROM sessions s JOIN agents a ON a.id = s.agent_id "
            "WHERE s.id_digest = ?", (id_digest,),
        )
        now = time.time()
        if row is None:
            return None
        if row["expires_at"] < now:
            self.delete_session(id_digest)
            return None
        if now - row["last_seen"] > SEEN_EVERY:
            self._change("UPDATE sessions SET last_seen = ? WHERE id_digest = ?", (now, id_digest))
        return Session(_agent(row), row["csrf_token"], row["expires_at"])

    def delete_session(self, id_digest: str) -> None:
        self._change("DELETE FROM sessions WHERE id_digest = ?", (id_digest,))

    # ---------------------------------------------------------------- presence

    def set_available(self, agent_id: int, available: bool) -> None:
        """On duty (True) or on a pause (False); applies to the agent's presence at once."""
        self._change("UPDATE agents SET available = ? WHERE id = ?", (int(available), agent_id))

    def present_agents(self, now: float | None = None) -> list[Agent]:
        """Agents with a session seen in the last PRESENT_SECONDS (signed in, the desk open)."""
        now = time.time() if now is None else now
        rows = self._all(
            "SELECT DISTINCT a.* FROM agents a JOIN sessions s ON s.agent_id = a.id "
            "WHERE s.last_seen >= ? AND s.expires_at > ? ORDER BY a.display_name", (now - PRESENT_SECONDS, now),
        )
        return [_agent(r) for r in rows]

    def queued_count(self) -> int:
        return self._one("SELECT COUNT(*) AS n FROM handoffs WHERE status = 'queued'")["n"]

    def recent_waits(self, since: float, limit: int = 20) -> list[float]:
        """Seconds each of the latest ``limit`` hand-offs taken since ``since`` waited for an agent."""
        rows = self._all(
            "SELECT taken_at - received_at AS waited FROM handoffs WHERE taken_at IS NOT NULL AND received_at >= ? "
            "ORDER BY taken_at DESC LIMIT ?", (since, limit),
        )
        return [max(0.0, float(r["waited"])) for r in rows]

    # ---------------------------------------------------------------- hand-offs

    def create_handoff(self, packet: dict[str, Any], now: float | None = None) -> tuple[Handoff, bool]:
        """Queue the packet. Returns (hand-off, created); an open one of the same conversation is returned as is."""
        now = time.time() if now is None else now
        with self._lock:
            existing = self.open_handoff(packet["conversation_id"])
            if existing is not None:
                return existing, False
            try:
                cursor = self._db.execute(
                    "INSERT INTO handoffs (conversation_id, status, reason, reason_text, priority, service, "
                    "description, channel, packet, created_at, received_at) "
                    "VALUES (?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (packet["conversation_id"], packet["reason"], packet["reason_text"], packet["priority"],
                     packet["service"], packet["description"], packet.get("channel"),
                     json.dumps(packet, ensure_ascii=False), packet["created_at"], now),
                )
            except sqlite3.IntegrityError:  # another process queued it in between
                return self.open_handoff(packet["conversation_id"]), False
            return self.handoff(cursor.lastrowid), True

    def handoff(self, handoff_id: int) -> Handoff | None:
        if not _storable(handoff_id):
            return None  # larger than any SQLite id: no such hand-off
        row = self._one("SELECT * FROM handoffs WHERE id = ?", (handoff_id,))
        return _handoff(row) if row else None

    def open_handoff(self, conversation_id: str) -> Handoff | None:
        row = self._one("SELECT * FROM handoffs WHERE conversation_id = ? AND status IN ('queued', 'taken')",
                        (conversation_id,))
        return _handoff(row) if row else None

    def latest_handoff(self, conversation_id: str) -> Handoff | None:
        row = self._one("SELECT * FROM handoffs WHERE conversation_id = ? ORDER BY id DESC LIMIT 1",
                        (conversation_id,))
        return _handoff(row) if row else None

    def queue(self, limit: int = 100) -> list[Handoff]:
        """Open hand-offs first (priority 1 first, then the longest waiting), then the latest finished ones."""
        rows = self._all(
            "SELECT * FROM handoffs ORDER BY "
            "CASE status WHEN 'queued' THEN 0 WHEN 'taken' THEN 1 ELSE 2 END, "
            "CASE WHEN status IN ('queued', 'taken') AND priority = '1' THEN 0 ELSE 1 END, "
            "CASE WHEN status IN ('queued', 'taken') THEN received_at ELSE -received_at END "
            "LIMIT ?", (limit,),
        )
        return [_handoff(r) for r in rows]

    def handoffs_since(self, since: float, limit: int = 2000) -> list[Handoff]:
        """Hand-offs received at or after ``since`` (desk clock), newest first."""
        rows = self._all("SELECT * FROM handoffs WHERE received_at >= ? ORDER BY received_at DESC, id DESC LIMIT ?",
                         (since, limit))
        return [_handoff(r) for r in rows]

    def take(self, handoff_id: int, agent: Agent, now: float | None = None) -> Handoff | None:
        if not _storable(handoff_id):
            return None
        """queued → taken by ``agent``; None when it was no longer queued."""
        now = time.time() if now is None else now
        changed = self._change(
            "UPDATE handoffs SET status = 'taken', agent_id = ?, agent_name = ?, taken_at = ? "
            "WHERE id = ? AND status = 'queued'", (agent.id, agent.name, now, handoff_id),
        )
        return self.handoff(handoff_id) if changed else None

    def untake(self, handoff_id: int, agent: Agent) -> None:
        """Back to the queue (Rasa could not be told that the agent took it)."""
        self._change(
            "UPDATE handoffs SET status = 'queued', agent_id = NULL, agent_name = NULL, taken_at = NULL "
            "WHERE id = ? AND status = 'taken' AND agent_id = ?", (handoff_id, agent.id),
        )

    def finish(self, handoff_id: int, agent: Agent, status: str, now: float | None = None,
               reason: str | None = None) -> bool:
        """taken by ``agent`` → returned or closed (``reason``: why it was closed)."""
        if not _storable(handoff_id):
            return False
        if status not in ("returned", "closed"):
            raise ValueError(status)
        now = time.time() if now is None else now
        return bool(self._change(
            "UPDATE handoffs SET status = ?, ended_at = ?, close_reason = ? "
            "WHERE id = ? AND status = 'taken' AND agent_id = ?",
            (status, now, reason if status == "closed" else None, handoff_id, agent.id),
        ))

    def replied(self, handoff_id: int, now: float | None = None) -> None:
        """Record the agent's first reply (the first one only)."""
        now = time.time() if now is None else now
        self._change("UPDATE handoffs SET first_reply_at = ? WHERE id = ? AND first_reply_at IS NULL",
                     (now, handoff_id))

    # ------------------------------------------------------------------- notes

    def add_note(self, handoff_id: int, agent: Agent, text: str, now: float | None = None) -> Note:
        now = time.time() if now is None else now
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO notes (handoff_id, agent_id, agent_name, text, created_at) VALUES (?, ?, ?, ?, ?)",
                (handoff_id, agent.id, agent.name, text, now),
            )
        return Note(cursor.lastrowid, handoff_id, agent.name, text, now)

    def notes(self, handoff_id: int) -> list[Note]:
        rows = self._all("SELECT * FROM notes WHERE handoff_id = ? ORDER BY id", (handoff_id,))
        return [Note(r["id"], r["handoff_id"], r["agent_name"], r["text"], r["created_at"]) for r in rows]

    # -------------------------------------------------------------- call-backs

    def mark_called_back(self, key: str, conversation_id: str, agent: Agent, note: str = "",
                         now: float | None = None) -> Callback:
        """The morning list's item ``key`` done by ``agent`` (the first mark stays: who called first)."""
        now = time.time() if now is None else now
        self._change(
            "INSERT OR IGNORE INTO callbacks (key, conversation_id, done_by_id, done_by, done_at, note) "
            "VALUES (?, ?, ?, ?, ?, ?)", (key, conversation_id, agent.id, agent.name, now, note),
        )
        return self.callbacks([key])[key]

    def callbacks(self, keys: list[str]) -> dict[str, Callback]:
        """The done marks of these items."""
        found: dict[str, Callback] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            rows = self._all(f"SELECT * FROM callbacks WHERE key IN ({', '.join('?' * len(chunk))})", tuple(chunk))
            for r in rows:
                found[r["key"]] = Callback(r["key"], r["conversation_id"], r["done_by"], r["done_at"], r["note"])
        return found

    def expire(self, queued_before: float, now: float | None = None) -> list[Handoff]:
        """Mark as expired every hand-off queued before ``queued_before``; returns them."""
        now = time.time() if now is None else now
        with self._lock:
            rows = self._all("SELECT id FROM handoffs WHERE status = 'queued' AND received_at < ?", (queued_before,))
            expired = []
            for row in rows:
                if self._change("UPDATE handoffs SET status = 'expired', ended_at = ? WHERE id = ? AND status = 'queued'",
                                (now, row["id"])):
                    expired.append(self.handoff(row["id"]))
            return expired

    def expired_to_notify(self, max_attempts: int) -> list[Handoff]:
        rows = self._all("SELECT * FROM handoffs WHERE status = 'expired' AND expiry_notified = 0 "
                         "AND expiry_attempts < ? ORDER BY id", (max_attempts,))
        return [_handoff(r) for r in rows]

    def expiry_notice(self, handoff_id: int, delivered: bool) -> None:
        if delivered:
            self._change("UPDATE handoffs SET expiry_notified = 1 WHERE id = ?", (handoff_id,))
        else:
            self._change("UPDATE handoffs SET expiry_attempts = expiry_attempts + 1 WHERE id = ?", (handoff_id,))


def _agent(row: sqlite3.Row) -> Agent:
    return Agent(row["id"], row["username"], row["display_name"], row["role"], bool(row["demo"]), row["access"],
                 bool(row["available"]))


def _handoff(row: sqlite3.Row) -> Handoff:
    return Handoff(
        id=row["id"], conversation_id=row["conversation_id"], status=row["status"], reason=row["reason"],
        reason_text=row["reason_text"], priority=row["priority"], service=row["service"],
        description=row["description"], channel=row["channel"], packet=json.loads(row["packet"]),
        created_at=row["created_at"], received_at=row["received_at"], agent_id=row["agent_id"],
        agent_name=row["agent_name"], taken_at=row["taken_at"], ended_at=row["ended_at"],
        expiry_notified=bool(row["expiry_notified"]), close_reason=row["close_reason"],
        first_reply_at=row["first_reply_at"],
    )


def _storable(row_id: int) -> bool:
    """Whether an id fits SQLite's 64-bit INTEGER (a larger one names no row; SQLite would raise)."""
    return -(2**63) <= row_id < 2**63
