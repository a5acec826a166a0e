"""Known incidents in the desk's database: declared, updated and closed by the team; problem
reports from the bot, counted to propose declaring one.

Issue 21. The state lives here, in the desk's SQLite file, shared by every instance of the
action server through ``GET /api/incidents/active`` (desk/routes/incidents.py): what an
instance reads is at most its cache time old (5 s, helpdesk/desk_client.py).

Tables (created like desk/store.py's, ``CREATE … IF NOT EXISTS`` when the desk opens the file):

    incidents          service, since (when it started, as declared), message for customers,
                       optional estimate, status open/closed, who opened it and when, who closed
                       it, when and why
    incident_updates   the updates: text, who, when (the latest one is what the bot says)
    incident_changes   every change, with who and when: opened, updated, closed, alert raised,
                       alert dismissed (the audit trail the incident page shows)
    incident_reports   each problem report the bot sends (conversation, service, critical, the
                       bot's time, the desk's time), with the alert and the incident it belongs to
    incident_alerts    critical reports about one service that crossed the threshold
                       (``AlertRule``): open (proposes declaring), declared (an incident was
                       declared from it or for its service), attached (raised while an incident
                       of its service was open), dismissed
    incident_oncall    accounts with the on-call access level ("guardia")

Access: supervisors and on-call accounts may declare, update and close; agents read. The
access level "guardia" is kept in ``incident_oncall`` rather than in ``agents.access``: that
column has a CHECK constraint (agent, supervisor) that SQLite cannot change without rebuilding
the agents table every session, hand-off and note refers to. ``python -m desk set-access <user>
guardia`` sets it (the account stays an agent for everything else).

Times are Unix seconds of the desk's clock, like the hand-offs'; the bot's own time of a
report is kept as it sent it. The threshold counts reports by the desk's clock (when they
arrive), so a bot with a fixed or wrong clock cannot hide a wave of reports.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from desk.store import Agent, open_database
from helpdesk import incidents as bot_incidents

BOGOTA = ZoneInfo("America/Bogota")
SERVICES = (*bot_incidents.SERVICES, bot_incidents.BOTH)
SERVICE_LABELS = {
    "firma_digital": "Firma digital",
    "estampado_cronologico": "Estampado cronológico",
    "ambos": "Firma digital y estampado cronológico",
}
ONCALL = "guardia"
MAX_MESSAGE = 500
MAX_ESTIMATE = 120
MAX_UPDATE = 500
MAX_NOTE = 500
MAX_CONVERSATION_ID = 200
RECENT_DAYS = 30  # closed incidents listed on the incidents page

SCHEMA = """
CREATE TABLE IF NOT EXISTS incidents (
    id            INTEGER PRIMARY KEY,
    service       TEXT NOT NULL CHECK (service IN ('firma_digital', 'estampado_cronologico', 'ambos')),
    since         REAL NOT NULL,              -- when the outage started, as declared
    message       TEXT NOT NULL,              -- for customers (the bot says it)
    estimate      TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    opened_by_id  INTEGER REFERENCES agents(id),
    opened_by     TEXT NOT NULL,
    opened_at     REAL NOT NULL,
    closed_by_id  INTEGER REFERENCES agents(id),
    closed_by     TEXT,
    closed_at     REAL,
    closing_note  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS incidents_by_status ON incidents (status, opened_at);
CREATE TABLE IF NOT EXISTS incident_updates (
    id           INTEGER PRIMARY KEY,
    incident_id  INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    text         TEXT NOT NULL,
    by_id        INTEGER REFERENCES agents(id),
    by_name      TEXT NOT NULL,
    at           REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS incident_updates_by_incident ON incident_updates (incident_id, id);
CREATE TABLE IF NOT EXISTS incident_changes (
    id           INTEGER PRIMARY KEY,
    incident_id  INTEGER REFERENCES incidents(id) ON DELETE CASCADE,
    alert_id     INTEGER,
    action       TEXT NOT NULL,               -- opened, updated, closed, alert_raised, alert_dismissed
    by_id        INTEGER REFERENCES agents(id),
    by_name      TEXT NOT NULL,               -- "" for the desk itself (an alert raised)
    at           REAL NOT NULL,
    detail       TEXT NOT NULL DEFAULT '{}'   -- JSON: what changed
);
CREATE INDEX IF NOT EXISTS incident_changes_by_incident ON incident_changes (incident_id, id);
CREATE TABLE IF NOT EXISTS incident_alerts (
    id               INTEGER PRIMARY KEY,
    service          TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open', 'declared', 'attached', 'dismissed')),
    raised_at        REAL NOT NULL,
    first_report_at  REAL NOT NULL,
    threshold        INTEGER NOT NULL,
    window_seconds   REAL NOT NULL,
    incident_id      INTEGER REFERENCES incidents(id),
    ended_by         TEXT,
    ended_at         REAL,
    notified_at      REAL,                    -- the on-call webhook accepted it
    notify_error     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS incident_alerts_by_status ON incident_alerts (status, service);
CREATE TABLE IF NOT EXISTS incident_reports (
    id               INTEGER PRIMARY KEY,
    conversation_id  TEXT NOT NULL,
    service          TEXT,                    -- as the bot sent it (null: not named)
    critical         INTEGER NOT NULL,
    reported_at      TEXT NOT NULL,           -- the bot's time (ISO-8601)
    received_at      REAL NOT NULL,           -- the desk's time: what the threshold counts
    alert_id         INTEGER REFERENCES incident_alerts(id),
    incident_id      INTEGER REFERENCES incidents(id)
);
CREATE INDEX IF NOT EXISTS incident_reports_by_time ON incident_reports (received_at);
CREATE INDEX IF NOT EXISTS incident_reports_by_incident ON incident_reports (incident_id);
CREATE INDEX IF NOT EXISTS incident_reports_by_alert ON incident_reports (alert_id);
CREATE TABLE IF NOT EXISTS incident_oncall (
    agent_id    INTEGER PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
    granted_at  REAL NOT NULL
);
"""


class IncidentError(ValueError):
    """What a person typed does not make an incident, an update or a closing: a Spanish message
    and the form field it is about."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


# ------------------------------------------------------------------ the alert rule

_RULE = re.compile(r"^\s*(\d{1,4})\s*/\s*(\d{1,5})\s*(s|m|min|h)\s*$", re.I)
_UNIT_SECONDS = {"s": 1, "m": 60, "min": 60, "h": 3600}
MIN_WINDOW, MAX_WINDOW = 60, 24 * 3600


@dataclass(frozen=True)
class AlertRule:
    """``threshold`` critical reports about one service within ``window`` seconds raise an alert."""

    threshold: int
    window: float

    @classmethod
    def parse(cls, value: str, name: str = "DESK_INCIDENT_ALERT") -> AlertRule | None:
        """"3/15m" (3 in 15 minutes), "5/1h", "10/600s"; "off" → None (no detection).

        Raises ValueError naming ``name`` and what is allowed."""
        text = (value or "").strip()
        if text.lower() in ("off", "no", "0"):
            return None
        match = _RULE.match(text)
        example = "e.g. 3/15m (3 critical reports about one service in 15 minutes), 5/1h, or off"
        if not match:
            raise ValueError(f"{name}: {text[:40]!r} is not a threshold: write how many critical reports in how "
                             f"long, {example}")
        count, amount, unit = int(match.group(1)), int(match.group(2)), match.group(3).lower()
        window = amount * _UNIT_SECONDS[unit]
        if not 1 <= count <= 1000:
            raise ValueError(f"{name}: {count} reports is out of range (1 to 1000), {example}")
        if not MIN_WINDOW <= window <= MAX_WINDOW:
            raise ValueError(f"{name}: a window of {amount}{unit} is out of range (1 minute to 24 hours), {example}")
        return cls(count, float(window))

    def describe(self) -> str:
        """ "3 reportes críticos en 15 min" (Spanish, for the pages)."""
        minutes = self.window / 60
        span = (f"{self.window / 3600:g} h" if self.window >= 3600 and self.window % 3600 == 0
                else f"{minutes:g} min" if self.window % 60 == 0 else f"{self.window:g} s")
        return f"{self.threshold} {'reporte crítico' if self.threshold == 1 else 'reportes críticos'} en {span}"


# ------------------------------------------------------------------ records


@dataclass(frozen=True)
class Update:
    id: int
    text: str
    by: str
    at: float


@dataclass(frozen=True)
class Change:
    id: int
    incident_id: int | None
    alert_id: int | None
    action: str
    by: str
    at: float
    detail: dict[str, Any]


@dataclass(frozen=True)
class Report:
    id: int
    conversation_id: str
    service: str | None
    critical: bool
    reported_at: str
    received_at: float
    alert_id: int | None
    incident_id: int | None


@dataclass(frozen=True)
class Alert:
    id: int
    service: str
    status: str
    raised_at: float
    first_report_at: float
    threshold: int
    window_seconds: float
    incident_id: int | None
    ended_by: str | None
    ended_at: float | None
    notified_at: float | None
    notify_error: str
    report_count: int = 0

    @property
    def service_label(self) -> str:
        return SERVICE_LABELS.get(self.service, self.service)


@dataclass(frozen=True)
class Incident:
    id: int
    service: str
    since: float
    message: str
    estimate: str
    status: str
    opened_by: str
    opened_at: float
    closed_by: str | None
    closed_at: float | None
    closing_note: str
    updates: tuple[Update, ...] = field(default=())

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def service_label(self) -> str:
        return SERVICE_LABELS[self.service]

    @property
    def latest_update(self) -> str:
        return self.updates[-1].text if self.updates else ""

    def since_iso(self) -> str:
        return datetime.fromtimestamp(self.since, BOGOTA).isoformat()

    def as_bot_json(self) -> dict[str, Any]:
        """One incident of ``GET /api/incidents/active`` (helpdesk.incidents.Incident.from_json reads it)."""
        return {"id": self.id, "service": self.service, "since": self.since_iso(), "message": self.message,
                "estimate": self.estimate, "update": self.latest_update}

    def for_bot(self) -> bot_incidents.Incident:
        """As the bot sees it: the same rule (``helpdesk.incidents.relevant``) attaches reports."""
        return bot_incidents.Incident(self.id, self.service, datetime.fromtimestamp(self.since, BOGOTA),
                                      self.message, self.estimate, self.latest_update)


@dataclass(frozen=True)
class ReportOutcome:
    """What recording one report did: its id, the incident it was attached to, and the alert it
    joined or raised (``raised``: a new open alert, to announce to the on-call person)."""

    report: Report
    incident_id: int | None = None
    alert: Alert | None = None
    raised: bool = False


# ------------------------------------------------------------------ the store


class IncidentStore:
    """The incident tables of the desk's database: its own connection to the same file."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.RLock()
        self._db = open_database(self.path, SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _all(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def _one(self, sql: str, args: tuple = ()) -> sqlite3.Row | None:
        with self._lock:
            return self._db.execute(sql, args).fetchone()

    def _transaction(self):
        return _Transaction(self)

    # ------------------------------------------------------------- access

    def is_oncall(self, agent_id: int) -> bool:
        return self._one("SELECT 1 FROM incident_oncall WHERE agent_id = ?", (agent_id,)) is not None

    def set_oncall(self, agent_id: int, oncall: bool, now: float | None = None) -> None:
        with self._lock:
            if oncall:
                self._db.execute("INSERT OR IGNORE INTO incident_oncall (agent_id, granted_at) VALUES (?, ?)",
                                 (agent_id, time.time() if now is None else now))
            else:
                self._db.execute("DELETE FROM incident_oncall WHERE agent_id = ?", (agent_id,))

    def can_manage(self, agent: Agent) -> bool:
        """Supervisors and on-call accounts declare, update and close incidents (read on every request)."""
        return agent.is_supervisor or self.is_oncall(agent.id)

    # ------------------------------------------------------------- incidents

    def open_incident(self, service: str, since: float, message: str, estimate: str, agent: Agent,
                      alert_id: int | None = None, now: float | None = None) -> Incident:
        """Declare an incident; the open alerts of its service (and ``alert_id``) become declared
        and the reports behind them, and those of its service received since ``since``, are
        attached to it."""
        now = time.time() if now is None else now
        service, since, message, estimate = check_incident(service, since, message, estimate, now)
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO incidents (service, since, message, estimate, status, opened_by_id, opened_by, opened_at) "
                "VALUES (?, ?, ?, ?, 'open', ?, ?, ?)", (service, since, message, estimate, agent.id, agent.name, now))
            incident_id = cursor.lastrowid
            affected = _affected(service)
            alerts = [r["id"] for r in db.execute(
                f"SELECT id FROM incident_alerts WHERE status = 'open' AND service IN ({_marks(affected)})", affected)]
            if alert_id is not None and alert_id not in alerts:
                row = db.execute("SELECT id FROM incident_alerts WHERE id = ? AND status = 'open'", (alert_id,)).fetchone()
                if row is not None:
                    alerts.append(row["id"])
            for found in alerts:
                db.execute("UPDATE incident_alerts SET status = 'declared', incident_id = ?, ended_by = ?, ended_at = ? "
                           "WHERE id = ? AND status = 'open'", (incident_id, agent.name, now, found))
                db.execute("UPDATE incident_reports SET incident_id = ? WHERE alert_id = ? AND incident_id IS NULL",
                           (incident_id, found))
            db.execute(f"UPDATE incident_reports SET incident_id = ? WHERE incident_id IS NULL AND received_at >= ? "
                       f"AND service IN ({_marks(affected)})", (incident_id, min(since, now), *affected))
            _change(db, incident_id, None, "opened", agent, now, {
                "service": service, "since": since, "message": message, "estimate": estimate, "alerts": alerts})
        return self.incident(incident_id)

    def add_update(self, incident_id: int, text: str, agent: Agent, estimate: str | None = None,
                   now: float | None = None) -> Incident:
        """A new update (what the bot says as "Última actualización"); ``estimate`` replaces the
        estimate when given ("" clears it)."""
        now = time.time() if now is None else now
        text = _clean(text, MAX_UPDATE, "La actualización", "text")
        if not text:
            raise IncidentError("Escriba la actualización antes de publicarla.", "text")
        if estimate is not None:
            estimate = _clean(estimate, MAX_ESTIMATE, "El tiempo estimado", "estimate")
        with self._transaction() as db:
            row = db.execute("SELECT status, estimate FROM incidents WHERE id = ?", (incident_id,)).fetchone()
            if row is None:
                raise LookupError(incident_id)
            if row["status"] != "open":
                raise IncidentError("Este incidente ya está cerrado: no se puede actualizar.", "text")
            db.execute("INSERT INTO incident_updates (incident_id, text, by_id, by_name, at) VALUES (?, ?, ?, ?, ?)",
                       (incident_id, text, agent.id, agent.name, now))
            detail: dict[str, Any] = {"update": text}
            if estimate is not None and estimate != row["estimate"]:
                db.execute("UPDATE incidents SET estimate = ? WHERE id = ?", (estimate, incident_id))
                detail["estimate"] = {"before": row["estimate"], "after": estimate}
            _change(db, incident_id, None, "updated", agent, now, detail)
        return self.incident(incident_id)

    def close_incident(self, incident_id: int, agent: Agent, note: str = "", now: float | None = None) -> Incident:
        """Close it: the bot stops saying it at its next read (within its cache time)."""
        now = time.time() if now is None else now
        note = _clean(note, MAX_NOTE, "La nota de cierre", "note")
        with self._transaction() as db:
            changed = db.execute(
                "UPDATE incidents SET status = 'closed', closed_by_id = ?, closed_by = ?, closed_at = ?, "
                "closing_note = ? WHERE id = ? AND status = 'open'",
                (agent.id, agent.name, now, note, incident_id)).rowcount
            if not changed:
                if db.execute("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)).fetchone() is None:
                    raise LookupError(incident_id)
                raise IncidentError("Este incidente ya estaba cerrado.", "note")
            _change(db, incident_id, None, "closed", agent, now, {"note": note})
        return self.incident(incident_id)

    def incident(self, incident_id: int) -> Incident | None:
        if not _storable(incident_id):
            return None
        row = self._one("SELECT * FROM incidents WHERE id = ?", (incident_id,))
        return self._with_updates([row])[0] if row else None

    def open_incidents(self) -> list[Incident]:
        """The open incidents, the oldest declared first."""
        return self._with_updates(self._all("SELECT * FROM incidents WHERE status = 'open' ORDER BY opened_at, id"))

    def recent_incidents(self, since: float, limit: int = 200) -> list[Incident]:
        """Closed incidents closed at or after ``since``, the latest first."""
        return self._with_updates(self._all(
            "SELECT * FROM incidents WHERE status = 'closed' AND closed_at >= ? ORDER BY closed_at DESC LIMIT ?",
            (since, limit)))

    def _with_updates(self, rows: list[sqlite3.Row]) -> list[Incident]:
        found = []
        for row in rows:
            updates = tuple(Update(u["id"], u["text"], u["by_name"], u["at"]) for u in self._all(
                "SELECT * FROM incident_updates WHERE incident_id = ? ORDER BY id", (row["id"],)))
            found.append(Incident(row["id"], row["service"], row["since"], row["message"], row["estimate"],
                                  row["status"], row["opened_by"], row["opened_at"], row["closed_by"],
                                  row["closed_at"], row["closing_note"], updates))
        return found

    def changes(self, incident_id: int) -> list[Change]:
        """Every change of an incident, and of the alerts attached to it, oldest first."""
        rows = self._all(
            "SELECT * FROM incident_changes WHERE incident_id = ? OR alert_id IN "
            "(SELECT id FROM incident_alerts WHERE incident_id = ?) ORDER BY at, id", (incident_id, incident_id))
        return [_change_of(r) for r in rows]

    # ------------------------------------------------------------- reports and alerts

    def record_report(self, conversation_id: str, service: str | None, critical: bool, reported_at: str,
                      rule: AlertRule | None, now: float | None = None) -> ReportOutcome:
        """Store one problem report from the bot and apply the alert rule.

        - While an incident of its service is open (the bot's own rule: ``relevant``; a report
          that names no service goes to the only open incident) it is attached to it.
        - A critical report about a service joins that service's open alert, if there is one:
          no second alert, no second call to the on-call person.
        - Otherwise, when the critical reports about its service received within the rule's
          window, not yet behind an alert, reach the threshold, an alert is raised — open (it
          proposes declaring the incident) or, with an incident of that service open, attached
          to it.
        """
        now = time.time() if now is None else now
        with self._transaction() as db:
            open_now = [i.for_bot() for i in self._with_updates(
                db.execute("SELECT * FROM incidents WHERE status = 'open' ORDER BY opened_at, id").fetchall())]
            known = bot_incidents.relevant(open_now, service)
            incident_id = known.id if known is not None else None
            cursor = db.execute(
                "INSERT INTO incident_reports (conversation_id, service, critical, reported_at, received_at, incident_id) "
                "VALUES (?, ?, ?, ?, ?, ?)", (conversation_id, service, int(critical), reported_at, now, incident_id))
            report_id = cursor.lastrowid
            alert_id, raised = None, False
            if critical and rule is not None and service in bot_incidents.SERVICES:
                row = db.execute("SELECT id FROM incident_alerts WHERE status = 'open' AND service = ? "
                                 "ORDER BY id LIMIT 1", (service,)).fetchone()
                if row is not None and incident_id is None:
                    alert_id = row["id"]
                    db.execute("UPDATE incident_reports SET alert_id = ? WHERE id = ?", (alert_id, report_id))
                else:
                    alert_id, raised = self._apply_rule(db, service, incident_id, rule, now)
        alert = self.alert(alert_id) if alert_id is not None else None
        return ReportOutcome(self.report(report_id), incident_id, alert, raised)

    def _apply_rule(self, db: sqlite3.Connection, service: str, incident_id: int | None, rule: AlertRule,
                    now: float) -> tuple[int | None, bool]:
        pending = db.execute(
            "SELECT id, received_at FROM incident_reports WHERE service = ? AND critical = 1 AND alert_id IS NULL "
            "AND received_at > ? AND (incident_id IS ? OR incident_id IS NULL) ORDER BY received_at",
            (service, now - rule.window, incident_id)).fetchall()
        if len(pending) < rule.threshold:
            return None, False
        status = "open" if incident_id is None else "attached"
        cursor = db.execute(
            "INSERT INTO incident_alerts (service, status, raised_at, first_report_at, threshold, window_seconds, "
            "incident_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (service, status, now, pending[0]["received_at"], rule.threshold, rule.window, incident_id))
        alert_id = cursor.lastrowid
        ids = [r["id"] for r in pending]
        db.execute(f"UPDATE incident_reports SET alert_id = ? WHERE id IN ({_marks(ids)})", (alert_id, *ids))
        if incident_id is not None:
            db.execute(f"UPDATE incident_reports SET incident_id = ? WHERE id IN ({_marks(ids)})", (incident_id, *ids))
        _change(db, incident_id, alert_id, "alert_raised", None, now,
                {"service": service, "reports": len(ids), "threshold": rule.threshold, "window": rule.window})
        return alert_id, status == "open"

    def dismiss_alert(self, alert_id: int, agent: Agent, now: float | None = None) -> bool:
        """A false alarm: the alert stops proposing anything; later reports start a new count."""
        now = time.time() if now is None else now
        if not _storable(alert_id):
            return False
        with self._transaction() as db:
            changed = db.execute("UPDATE incident_alerts SET status = 'dismissed', ended_by = ?, ended_at = ? "
                                 "WHERE id = ? AND status = 'open'", (agent.name, now, alert_id)).rowcount
            if changed:
                _change(db, None, alert_id, "alert_dismissed", agent, now, {})
        return bool(changed)

    def notified(self, alert_id: int, ok: bool, error: str = "", now: float | None = None) -> None:
        """What the on-call webhook said about an alert."""
        now = time.time() if now is None else now
        with self._lock:
            if ok:
                self._db.execute("UPDATE incident_alerts SET notified_at = ?, notify_error = '' WHERE id = ?",
                                 (now, alert_id))
            else:
                self._db.execute("UPDATE incident_alerts SET notify_error = ? WHERE id = ?", (error[:200], alert_id))

    def alert(self, alert_id: int) -> Alert | None:
        if not _storable(alert_id):
            return None
        rows = self._alerts("WHERE a.id = ?", (alert_id,))
        return rows[0] if rows else None

    def open_alerts(self) -> list[Alert]:
        return self._alerts("WHERE a.status = 'open' ORDER BY a.raised_at, a.id")

    def alerts_of(self, incident_id: int) -> list[Alert]:
        return self._alerts("WHERE a.incident_id = ? ORDER BY a.raised_at, a.id", (incident_id,))

    def _alerts(self, where: str, args: tuple = ()) -> list[Alert]:
        rows = self._all("SELECT a.*, (SELECT COUNT(*) FROM incident_reports r WHERE r.alert_id = a.id) AS n "
                         f"FROM incident_alerts a {where}", args)
        return [Alert(r["id"], r["service"], r["status"], r["raised_at"], r["first_report_at"], r["threshold"],
                      r["window_seconds"], r["incident_id"], r["ended_by"], r["ended_at"], r["notified_at"],
                      r["notify_error"], r["n"]) for r in rows]

    def report(self, report_id: int) -> Report | None:
        row = self._one("SELECT * FROM incident_reports WHERE id = ?", (report_id,))
        return _report(row) if row else None

    def reports_of_alert(self, alert_id: int) -> list[Report]:
        return [_report(r) for r in self._all("SELECT * FROM incident_reports WHERE alert_id = ? ORDER BY received_at, id",
                                              (alert_id,))]

    def reports_of_incident(self, incident_id: int) -> list[Report]:
        return [_report(r) for r in self._all(
            "SELECT * FROM incident_reports WHERE incident_id = ? ORDER BY received_at, id", (incident_id,))]

    def lead_time(self, incident: Incident) -> dict[str, float | None]:
        """First report → alert → declaration (desk clock): the earliest report attached to the
        incident received before it was declared, the earliest of its alerts raised before it."""
        first = self._one("SELECT MIN(received_at) AS t FROM incident_reports WHERE incident_id = ? AND received_at <= ?",
                          (incident.id, incident.opened_at))["t"]
        alert = self._one("SELECT MIN(raised_at) AS t FROM incident_alerts WHERE incident_id = ? AND raised_at <= ?",
                          (incident.id, incident.opened_at))["t"]
        return {"first_report": first, "alert": alert, "declared": incident.opened_at}


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT under the store's lock: two desks on one file never both raise an alert."""

    def __init__(self, store: IncidentStore):
        self.store = store

    def __enter__(self) -> sqlite3.Connection:
        self.store._lock.acquire()
        try:
            self.store._db.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.store._lock.release()
            raise
        return self.store._db

    def __exit__(self, kind, value, traceback) -> None:
        try:
            self.store._db.execute("COMMIT" if kind is None else "ROLLBACK")
        finally:
            self.store._lock.release()


# ------------------------------------------------------------------ checks


def check_incident(service: str, since: float, message: str, estimate: str, now: float
                   ) -> tuple[str, float, str, str]:
    """What a declaration needs, checked (IncidentError with a Spanish message otherwise)."""
    if service not in SERVICES:
        raise IncidentError("Elija el servicio afectado: Firma digital, Estampado cronológico o Ambos.", "service")
    if since > now + 300:
        raise IncidentError("La hora de inicio es posterior a ahora: indique desde cuándo falla el servicio.", "since")
    if since < now - RECENT_DAYS * 24 * 3600:
        raise IncidentError(f"La hora de inicio es de hace más de {RECENT_DAYS} días: revise la fecha.", "since")
    message = _clean(message, MAX_MESSAGE, "El mensaje para los clientes", "message")
    if not message:
        raise IncidentError("Escriba el mensaje para los clientes: qué hacer mientras tanto.", "message")
    return service, float(since), message, _clean(estimate, MAX_ESTIMATE, "El tiempo estimado", "estimate")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def _clean(value: str | None, limit: int, what: str, field: str) -> str:
    """One paragraph of text a person typed: control and bidi characters out, spaces joined."""
    text = " ".join(_CONTROL.sub("", value or "").split())
    if len(text) > limit:
        raise IncidentError(f"{what} es demasiado largo ({len(text)} caracteres; máximo {limit}).", field)
    return text


def _affected(service: str) -> tuple[str, ...]:
    """The services whose reports and alerts an incident of ``service`` covers."""
    return bot_incidents.SERVICES if service == bot_incidents.BOTH else (service,)


def _marks(values: Iterable[Any]) -> str:
    return ", ".join("?" for _ in values)


def _change(db: sqlite3.Connection, incident_id: int | None, alert_id: int | None, action: str, agent: Agent | None,
            now: float, detail: dict[str, Any]) -> None:
    db.execute("INSERT INTO incident_changes (incident_id, alert_id, action, by_id, by_name, at, detail) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)",
               (incident_id, alert_id, action, agent.id if agent else None, agent.name if agent else "", now,
                json.dumps(detail, ensure_ascii=False)))


def _change_of(row: sqlite3.Row) -> Change:
    return Change(row["id"], row["incident_id"], row["alert_id"], row["action"], row["by_name"], row["at"],
                  json.loads(row["detail"] or "{}"))


def _report(row: sqlite3.Row) -> Report:
    return Report(row["id"], row["conversation_id"], row["service"], bool(row["critical"]), row["reported_at"],
                  row["received_at"], row["alert_id"], row["incident_id"])


def _storable(row_id: int) -> bool:
    return -(2**63) <= row_id < 2**63
