"""Known incidents in the support report (issue 21): what the team declared in the desk, what
customers reported meanwhile and what the assistant answered.

For each incident open at any moment of the report's range (the desk's ``incidents`` table,
read-only like the hand-offs):

* **service, since, declared (when, by whom), closed (when, by whom)**, from the desk;
* **reports received**: the problem reports the action server sent the desk
  (``incident_reports``) attached to that incident — those of its service received while it was
  open, those behind the alert it was declared from and those received since the moment it says
  the outage began — and how many were critical;
* **answers given**: ``answer_kind`` slot events ``known_incident`` ("ya conocemos una falla…")
  and ``critical_known_incident`` (the 24/7 line, "ya lo conocemos") in the tracker store while
  it was open (plus ``GRACE_SECONDS`` after the closing: the action servers' cache), attributed
  to it by the service they named (the ``incident_service`` slot set with the answer);
* **detection lead time** (the desk's clock): first report → alert → declaration, from the
  earliest report attached to it received before the declaration and the earliest of its
  alerts raised before it.

Test traffic is left out (or taken in) as in the rest of the report. The desk's times are the
desk's clock and the answers' the Rasa server's: on one machine, or NTP-synchronised ones, they
agree. A desk database without these tables (a desk older than issue 21) has no incidents.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from helpdesk import incidents as bot_incidents
from helpdesk.catalogue import answer_label
from helpdesk.schedule import Schedule
from insights.source import SourceError, TrackerSource, open_desk_db
from insights.traffic import TestTraffic

KNOWN_KINDS = ("known_incident", "critical_known_incident")
GRACE_SECONDS = 10.0  # the action servers read the desk every 5 s: an answer just after the closing still counts
SERVICE_LABELS = {"firma_digital": "Firma digital", "estampado_cronologico": "Estampado cronológico",
                  "ambos": "Firma digital y estampado cronológico"}
TABLE = "incidentes_conocidos"
DETAIL = "incidentes_conocidos_detalle"
DETAIL_ROWS_SHOWN = 500


@dataclass
class KnownIncident:
    id: int
    service: str
    since: float
    opened_at: float
    opened_by: str
    closed_at: float | None
    closed_by: str
    first_report: float | None = None
    alert: float | None = None
    reports: list[tuple[float, str, bool]] = field(default_factory=list)  # (received, conversation, critical)
    answers: list[tuple[float, str, str]] = field(default_factory=list)  # (moment, conversation, answer kind)

    @property
    def label(self) -> str:
        return SERVICE_LABELS.get(self.service, self.service)


def _bounds(schedule: Schedule, start: date, end: date) -> tuple[float, float]:
    tz = schedule.timezone
    return (datetime.combine(start, time(0), tzinfo=tz).timestamp(),
            datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz).timestamp())


def _has_tables(connection: sqlite3.Connection) -> bool:
    names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {"incidents", "incident_reports", "incident_alerts"} <= names


def from_desk(desk_db: Path | None, start_ts: float, end_ts: float, traffic: TestTraffic) -> list[KnownIncident]:
    """The incidents open at any moment of [start_ts, end_ts), with their reports and lead times."""
    if desk_db is None:
        return []
    with open_desk_db(desk_db) as connection:
        if connection is None or not _has_tables(connection):
            return []
        try:
            rows = connection.execute(
                "SELECT id, service, since, opened_at, opened_by, closed_at, closed_by FROM incidents "
                "WHERE opened_at < ? AND (closed_at IS NULL OR closed_at >= ?) ORDER BY opened_at, id",
                (end_ts, start_ts)).fetchall()
            found = []
            for row in rows:
                incident = KnownIncident(row["id"], row["service"], row["since"], row["opened_at"], row["opened_by"],
                                         row["closed_at"], row["closed_by"] or "")
                for report in connection.execute(
                        "SELECT received_at, conversation_id, critical FROM incident_reports WHERE incident_id = ? "
                        "ORDER BY received_at, id", (incident.id,)):
                    if not traffic.excluded(report["conversation_id"]):
                        incident.reports.append((report["received_at"], report["conversation_id"],
                                                 bool(report["critical"])))
                before = [t for t, _, _ in incident.reports if t <= incident.opened_at]
                incident.first_report = min(before) if before else None
                incident.alert = connection.execute(
                    "SELECT MIN(raised_at) FROM incident_alerts WHERE incident_id = ? AND raised_at <= ?",
                    (incident.id, incident.opened_at)).fetchone()[0]
                found.append(incident)
        except sqlite3.Error as error:
            raise SourceError(f"cannot read the incidents in {desk_db}: {error}") from error
    return found


def _service_of_label() -> dict[str, str]:
    """The ``incident_service`` slot's value (as helpdesk.incidents words it) → the service."""
    moment = datetime(2026, 1, 1, tzinfo=ZoneInfo("America/Bogota"))  # the label does not depend on it
    return {bot_incidents.values(bot_incidents.Incident(0, service, moment, ""), moment)["incident_service"]: service
            for service in (*bot_incidents.SERVICES, bot_incidents.BOTH)}


def _answer_events(source: TrackerSource, start_ts: float, end_ts: float) -> Iterable[tuple[str, float, str, Any]]:
    """(conversation, time, slot, value) of the ``answer_kind`` and ``incident_service`` slot events."""
    value = "json_extract(data, '$.value')" if source.dialect == "sqlite" else "data::json->>'value'"
    mark = "?" if source.dialect == "sqlite" else "%s"
    sql = (f"SELECT sender_id, timestamp, action_name, {value} FROM events WHERE timestamp >= {mark} "
           f"AND timestamp < {mark} AND type_name = 'slot' AND action_name IN ('answer_kind', 'incident_service') "
           "ORDER BY timestamp, id")
    with source.connect() as connection:
        if source.dialect == "sqlite":
            yield from connection.execute(sql, (start_ts, end_ts)).fetchall()
        else:
            cursor = connection.cursor()
            cursor.execute(sql, (start_ts, end_ts))
            yield from cursor.fetchall()
            cursor.close()
            connection.rollback()


def attach_answers(incidents: list[KnownIncident], source: TrackerSource, end_ts: float,
                   traffic: TestTraffic) -> None:
    """Each known-incident answer of the tracker store, given to the incidents open at its moment
    (of the service it named; all those open when it named none that is known)."""
    if not incidents:
        return
    first = min(i.opened_at for i in incidents)
    last = max(min((i.closed_at or end_ts) + GRACE_SECONDS, end_ts + GRACE_SECONDS) for i in incidents)
    by_label = _service_of_label()
    named: dict[str, str] = {}
    for sender, ts, slot, value in _answer_events(source, first, last):
        if traffic.excluded(sender):
            continue
        if slot == "incident_service":
            named[sender] = str(value or "")
            continue
        if value not in KNOWN_KINDS:
            continue
        moment = float(ts)
        open_then = [i for i in incidents
                     if i.opened_at <= moment <= (i.closed_at if i.closed_at is not None else end_ts) + GRACE_SECONDS]
        service = by_label.get(named.get(sender, ""))
        mine = [i for i in open_then if i.service == service] or open_then
        for incident in mine:
            incident.answers.append((moment, sender, str(value)))


def collect(source: TrackerSource, desk_db: Path | None, schedule: Schedule, start: date, end: date,
            traffic: TestTraffic) -> list[KnownIncident]:
    start_ts, end_ts = _bounds(schedule, start, end)
    incidents = from_desk(desk_db, start_ts, end_ts, traffic)
    attach_answers(incidents, source, end_ts, traffic)
    return incidents


def _moment(ts: float | None, schedule: Schedule) -> str:
    return datetime.fromtimestamp(ts, schedule.timezone).strftime("%d/%m/%Y %H:%M") if ts is not None else ""


def _seconds(later: float | None, earlier: float | None) -> float | str:
    return round(later - earlier, 1) if later is not None and earlier is not None else ""


def tables(source: TrackerSource, desk_db: Path | None, schedule: Schedule, start: date, end: date,
           traffic: TestTraffic) -> dict[str, Any]:
    """The two tables of the report's "Incidentes conocidos" section (insights.report.Table):
    one row per incident, and every report and answer of each."""
    from insights.report import Table  # insights.report imports this module inside build()

    incidents = collect(source, desk_db, schedule, start, end, traffic)
    summary = Table(TABLE, "Incidentes conocidos declarados en la mesa", [
        "Incidente", "Servicio", "Desde", "Declarado", "Declarado por", "Cerrado", "Cerrado por",
        "Reportes recibidos", "Reportes críticos", "Respuestas «falla conocida»",
        "Respuestas prioridad 1 con falla conocida", "Primer reporte", "Alerta",
        "Del primer reporte a la alerta (s)", "De la alerta a la declaración (s)",
        "Del primer reporte a la declaración (s)", "Ids de conversación"],
        note="Hora de Bogotá. Reportes: los problemas que el asistente informó a la mesa mientras el incidente "
             "estuvo abierto, los de la alerta que lo originó y los recibidos desde la hora de inicio declarada. "
             "Respuestas: las que dio el asistente mientras estuvo abierto. Detección: reloj de la mesa.")
    detail = Table(DETAIL, "Reportes y respuestas de cada incidente conocido", [
        "Incidente", "Fecha y hora", "Qué", "Conversación"],
        note="En orden, por incidente.")
    for incident in incidents:
        kinds = Counter(kind for _, _, kind in incident.answers)
        conversations = list(dict.fromkeys([c for _, c, _ in incident.reports] + [c for _, c, _ in incident.answers]))
        summary.rows.append([
            incident.id, incident.label, _moment(incident.since, schedule), _moment(incident.opened_at, schedule),
            incident.opened_by, _moment(incident.closed_at, schedule) or "sigue abierto", incident.closed_by,
            len(incident.reports), sum(1 for r in incident.reports if r[2]), kinds["known_incident"],
            kinds["critical_known_incident"], _moment(incident.first_report, schedule),
            _moment(incident.alert, schedule), _seconds(incident.alert, incident.first_report),
            _seconds(incident.opened_at, incident.alert), _seconds(incident.opened_at, incident.first_report),
            " ".join(conversations)])
        events: list[tuple[float, str, str]] = [
            (t, "Reporte crítico recibido en la mesa" if critical else "Reporte recibido en la mesa", c)
            for t, c, critical in incident.reports]
        events += [(t, f"Respuesta: {answer_label(kind)}", c) for t, c, kind in incident.answers]
        for t, what, c in sorted(events):
            detail.rows.append([f"{incident.id} · {incident.label}",
                                datetime.fromtimestamp(t, schedule.timezone).strftime("%Y-%m-%d %H:%M"), what, c])
    return {summary.name: summary, detail.name: detail}


def section(report: Any) -> str:
    """The report page's "Incidentes conocidos" section (empty when the report has no such tables)."""
    if TABLE not in report.tables:
        return ""
    from insights import html as page  # the page's own table and card helpers

    summary, detail = report.tables[TABLE], report.tables[DETAIL]
    answers = sum(int(row[9]) + int(row[10]) for row in summary.rows)
    reports = sum(int(row[7]) for row in summary.rows)
    per_incident: dict[Any, int] = defaultdict(int)
    for row in detail.rows:
        per_incident[row[0]] += 1
    return ('<section id="incidentes-conocidos" aria-labelledby="h-incidentes-conocidos">'
            '<h2 id="h-incidentes-conocidos">Incidentes conocidos</h2>'
            '<p class="note">Fallas que el equipo declaró en la mesa de asesores: mientras estuvieron abiertas, el '
            "asistente les dijo a quienes reportaban un problema con ese servicio que ya se conocía (y, en un caso "
            "crítico, les dio la línea de prioridad 1 diciendo que el equipo ya trabajaba en ello).</p>"
            + page._cards(page._card("incidentes", len(summary.rows)),
                          page._card("reportes recibidos durante ellos", reports),
                          page._card("respuestas de falla conocida", answers))
            + page._table(summary, linked=report.transcripts)
            + page._table(detail, limit=DETAIL_ROWS_SHOWN, linked=report.transcripts)
            + "</section>")


__all__ = ["collect", "tables", "section", "KnownIncident", "KNOWN_KINDS"]
