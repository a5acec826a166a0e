"""Known incidents in the supervisors' report (issue 21, insights/incidents.py): each incident the
team declared in the desk with its service, open and close times and who, the reports received
during it, the answers the assistant gave (known_incident / critical_known_incident from the
tracker store) and the detection lead time (first report → alert → declaration).

The desk's database is written by the desk's own store (desk/incidents.py) at known moments;
the tracker store by hand (tests/report_trackers.py), in the shape Rasa stores it."""

from __future__ import annotations

import sqlite3
from datetime import date

from desk.incidents import AlertRule, IncidentStore
from desk.store import Store
from insights import export, incidents, report, source
from insights import html as report_html
from insights.traffic import TestTraffic
from tests.report_trackers import Tracker, Turn, moment

DAY = date(2026, 11, 10)
STAMPING = {"incident_service": "el estampado cronológico"}
SIGNING = {"incident_service": "la firma digital"}
LEFT_OUT = TestTraffic(prefixes=("test-",), include=False)


def known(kind: str = "known_incident", slots=STAMPING) -> Turn:
    return Turn("el estampado no me responde", "report_problem", [kind], slots=dict(slots),
                bot=[("Ya conocemos una falla en el estampado cronológico…", [])])


def desk_with_incidents(path) -> None:
    """Stamping: three critical reports 9:30–9:36 raise the alert, declared at 9:45 (since 9:25),
    one more report at 10:00, closed at 11:00. Signing: declared 10:00, closed 10:30, no report.
    An incident of the week before is outside the range."""
    store = Store(path)
    carla = store.add_agent("carla", "Carla", "supervisora de soporte", "scrypt$x", access="supervisor")
    dario = store.add_agent("dario", "Darío", "asesor de guardia", "scrypt$x")
    desk = IncidentStore(path)
    rule = AlertRule(3, 900)
    old = desk.open_incident("ambos", moment("2026-11-03T08:00"), "Espere.", "", carla, now=moment("2026-11-03T08:05"))
    desk.close_incident(old.id, carla, now=moment("2026-11-03T09:00"))
    for n, at in enumerate(("09:30", "09:33", "09:36")):
        outcome = desk.record_report(f"web-stamp-{n}", "estampado_cronologico", True, "x", rule,
                                     now=moment(f"2026-11-10T{at}"))
    stamping = desk.open_incident("estampado_cronologico", moment("2026-11-10T09:25"), "Guarde los documentos.", "",
                                  carla, alert_id=outcome.alert.id, now=moment("2026-11-10T09:45"))
    desk.record_report("web-stamp-3", None, False, "x", rule, now=moment("2026-11-10T09:50"))
    desk.record_report("test-probe", None, False, "x", rule, now=moment("2026-11-10T09:51"))
    signing = desk.open_incident("firma_digital", moment("2026-11-10T09:58"), "Firme más tarde.", "", dario,
                                 now=moment("2026-11-10T10:00"))
    desk.close_incident(signing.id, dario, now=moment("2026-11-10T10:30"))
    desk.close_incident(stamping.id, dario, now=moment("2026-11-10T11:00"))
    desk.close()
    store.close()


def built(tmp_path, traffic=LEFT_OUT) -> report.Report:
    desk_db = tmp_path / "desk.db"
    desk_with_incidents(desk_db)
    tracker = Tracker(tmp_path / "tracker.db")
    tracker.conversation("web-stamp-3", "2026-11-10T09:50", [known()])
    tracker.conversation("web-critical", "2026-11-10T10:05", [known("critical_known_incident")])
    tracker.conversation("web-signing", "2026-11-10T10:15", [known(slots=SIGNING)])  # the signing incident's
    tracker.conversation("test-probe", "2026-11-10T10:20", [known()])  # test traffic: left out
    tracker.conversation("web-late", "2026-11-10T11:05", [known()])  # 5 minutes after the closing: not counted
    tracker.conversation("web-usual", "2026-11-10T10:40", [Turn("¿horario?", "ask_opening_hours", ["hours_week"])])
    tracker.close()
    return report.build(source.TrackerSource("sqlite", str(tmp_path / "tracker.db")), DAY, DAY, desk_db=desk_db,
                        traffic=traffic, compare=False)


def test_each_incident_with_its_times_who_reports_answers_and_lead_time(tmp_path):
    table = built(tmp_path).table(incidents.TABLE)
    rows = {row["Servicio"]: row for row in table.as_dicts()}
    assert list(rows) == ["Estampado cronológico", "Firma digital"]  # the week before's is outside the range
    stamping = rows["Estampado cronológico"]
    assert (stamping["Desde"], stamping["Declarado"], stamping["Declarado por"]) == (
        "10/11/2026 09:25", "10/11/2026 09:45", "Carla")
    assert (stamping["Cerrado"], stamping["Cerrado por"]) == ("10/11/2026 11:00", "Darío")
    # Reports: the three behind the alert and the one while open; the test probe is left out.
    assert (stamping["Reportes recibidos"], stamping["Reportes críticos"]) == (4, 3)
    # Answers: one known_incident (the critical one counts apart); the signing one, the probe and the late one not.
    assert (stamping["Respuestas «falla conocida»"], stamping["Respuestas prioridad 1 con falla conocida"]) == (1, 1)
    assert (stamping["Primer reporte"], stamping["Alerta"]) == ("10/11/2026 09:30", "10/11/2026 09:36")
    assert (stamping["Del primer reporte a la alerta (s)"], stamping["De la alerta a la declaración (s)"],
            stamping["Del primer reporte a la declaración (s)"]) == (360.0, 540.0, 900.0)
    assert stamping["Ids de conversación"].split() == ["web-stamp-0", "web-stamp-1", "web-stamp-2", "web-stamp-3",
                                                       "web-critical"]
    signing = rows["Firma digital"]
    assert (signing["Declarado por"], signing["Reportes recibidos"], signing["Respuestas «falla conocida»"]) == (
        "Darío", 0, 1)
    assert (signing["Primer reporte"], signing["Alerta"], signing["Del primer reporte a la alerta (s)"]) == ("", "", "")


def test_every_report_and_answer_in_order_with_test_traffic_taken_in_on_request(tmp_path):
    detail = built(tmp_path, traffic=TestTraffic(prefixes=("test-",), include=True)).table(incidents.DETAIL)
    stamping = [(r["Fecha y hora"][-5:], r["Qué"], r["Conversación"]) for r in detail.as_dicts()
                if r["Incidente"].endswith("Estampado cronológico")]
    assert stamping == [
        ("09:30", "Reporte crítico recibido en la mesa", "web-stamp-0"),
        ("09:33", "Reporte crítico recibido en la mesa", "web-stamp-1"),
        ("09:36", "Reporte crítico recibido en la mesa", "web-stamp-2"),
        ("09:50", "Reporte recibido en la mesa", "web-stamp-3"),
        ("09:50", "Respuesta: Falla conocida: qué se sabe y qué hacer", "web-stamp-3"),
        ("09:51", "Reporte recibido en la mesa", "test-probe"),
        ("10:05", "Respuesta: Prioridad 1 con falla conocida: línea 24/7, el equipo ya trabaja en ello",
         "web-critical"),
        ("10:20", "Respuesta: Falla conocida: qué se sabe y qué hacer", "test-probe"),
    ]


def test_the_page_and_the_csv_files_carry_the_section(tmp_path):
    made = built(tmp_path)
    page = report_html.render(made)
    assert '<section id="incidentes-conocidos"' in page and 'href="#incidentes-conocidos"' in page
    assert '<table id="t-incidentes_conocidos">' in page and '<table id="t-incidentes_conocidos_detalle">' in page
    assert "6 min 00 s" in page and "9 min 00 s" in page  # the lead times, as people read a wait
    written = export.write_csv(made, tmp_path)
    assert {"incidentes_conocidos.csv", "incidentes_conocidos_detalle.csv"} <= {p.name for p in written}


def test_a_desk_without_incidents_or_without_their_tables_gives_an_empty_section(tmp_path):
    old_desk = tmp_path / "old-desk.db"
    with sqlite3.connect(old_desk) as connection:  # a desk database from before issue 21
        connection.execute("CREATE TABLE handoffs (id INTEGER PRIMARY KEY, conversation_id TEXT, status TEXT, "
                           "reason TEXT, created_at TEXT, received_at REAL, taken_at REAL, ended_at REAL, "
                           "agent_name TEXT)")
    tracker = Tracker(tmp_path / "tracker.db")
    tracker.conversation("web-usual", "2026-11-10T10:40", [Turn("¿horario?", "ask_opening_hours", ["hours_week"])])
    tracker.close()
    made = report.build(source.TrackerSource("sqlite", str(tmp_path / "tracker.db")), DAY, DAY, desk_db=old_desk,
                        traffic=LEFT_OUT, compare=False)
    assert made.table(incidents.TABLE).rows == [] and made.table(incidents.DETAIL).rows == []
    assert "Nada en este periodo." in incidents.section(made)
