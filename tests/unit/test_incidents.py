"""Known incidents: what the dialogue says while the team has one open, and how the action
server reads them from the desk (cached, within seconds, nothing when there is no desk)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import helpdesk.desk_client as desk_client
from helpdesk import dialogue
from helpdesk.clock import parse_moment
from helpdesk.desk_client import DeskClient
from helpdesk.dialogue import Message, Topic
from helpdesk.incidents import Incident, parse, relevant
from tests.unit.test_desk_client import FakeDesk
from tools.published import PRIORITY_NUMBER

BOGOTA = ZoneInfo("America/Bogota")
STAMPING = Incident(7, "estampado_cronologico", datetime(2026, 12, 1, 9, 40, tzinfo=BOGOTA),
                    "Mientras tanto, guarde los documentos y estámpelos cuando se restablezca.",
                    update="El proveedor de hora está reiniciando el servicio.")


def say(schedule, moment, intent, text, incidents=(STAMPING,), topic=None, ranking=None):
    message = Message(intent, text, 0.95, ranking=ranking or ((intent, 0.95),))
    reply = dialogue.respond(message, topic or Topic(), schedule, parse_moment(moment), incidents=tuple(incidents))
    return reply, " ".join(str(v) for v in reply.answer.values.values())


def test_a_problem_with_the_service_that_is_down_hears_it_is_known(schedule):
    reply, text = say(schedule, "2026-12-01T10:30", "report_problem", "el estampado no me responde")
    assert reply.answer.kind == "known_incident"
    assert "9:40 a. m." in text and "estampado" in text and "reiniciando" in text
    assert PRIORITY_NUMBER not in text
    assert reply.topic.offer == "critical_check"  # "si esto detiene su operación, dígamelo"


def test_a_question_whether_it_works_hears_it_too(schedule):
    reply, _ = say(schedule, "2026-12-01T10:30", "request_support", "¿está funcionando el estampado cronológico?")
    assert reply.answer.kind == "known_incident"


def test_a_critical_case_still_gets_the_24_7_line_knowing_the_team_is_on_it(schedule):
    ranking = (("report_critical_incident", 0.97),)
    reply, text = say(schedule, "2026-12-01T22:00", "report_critical_incident",
                      "el estampado no funciona para nadie y tenemos la facturación detenida", ranking=ranking)
    assert reply.answer.kind == "critical_known_incident"
    assert PRIORITY_NUMBER in text and "9:40 a. m." in text


def test_yes_to_it_stops_us_after_the_known_incident_is_the_24_7_line(schedule):
    first, _ = say(schedule, "2026-12-01T10:30", "report_problem", "el estampado no me responde")
    yes, text = say(schedule, "2026-12-01T10:31", "affirm", "sí", topic=first.topic,
                    ranking=(("affirm", 0.99),))
    assert yes.answer.kind == "critical_known_incident" and PRIORITY_NUMBER in text


def test_another_service_or_another_question_is_answered_as_usual(schedule):
    other, _ = say(schedule, "2026-12-01T10:30", "report_problem", "el token de la firma no me lo reconoce")
    assert other.answer.kind != "known_incident"
    hours, _ = say(schedule, "2026-12-01T10:30", "ask_opening_hours", "¿cuál es el horario?")
    assert hours.answer.kind.startswith("hours")
    closed, _ = say(schedule, "2026-12-01T10:30", "report_problem", "el estampado no me responde", incidents=())
    assert closed.answer.kind != "known_incident"


def test_which_incident_a_message_refers_to():
    both = Incident(8, "ambos", STAMPING.since, "")
    assert relevant((STAMPING,), None) is STAMPING  # the only one open
    assert relevant((STAMPING,), "firma_digital") is None
    assert relevant((both,), "firma_digital") is both
    assert relevant((STAMPING, both), None) is None  # two open: the customer says which
    assert parse([{"id": 1, "service": "nada", "since": "2026-12-01T09:40:00-05:00"},
                  {"id": 2, "service": "firma_digital", "since": "2026-12-01T09:40:00"},
                  {"id": 3, "service": "firma_digital", "since": "2026-12-01T09:40:00-05:00"}])[0].id == 3


def test_the_action_server_reads_them_from_the_desk_with_a_short_cache(monkeypatch):
    desk = FakeDesk([], secret="k")
    try:
        monkeypatch.setattr(desk_client, "INCIDENT_CACHE_SECONDS", 0.5)
        desk_client._INCIDENTS.clear()
        client = DeskClient(desk.url, "k")
        desk.incidents = [{"id": 7, "service": "estampado_cronologico", "since": "2026-12-01T09:40:00-05:00",
                           "message": "Guarde los documentos."}]
        first = asyncio.run(client.active_incidents())
        again = asyncio.run(client.active_incidents())
        assert [i.id for i in first] == [7] and again == first
        gets = [r for r in desk.requests if r["path"] == "/api/incidents/active"]
        assert len(gets) == 1 and gets[0]["signed"]
        desk.incidents = []  # closed in the desk
        time.sleep(0.6)
        assert asyncio.run(client.active_incidents()) == ()
    finally:
        desk.close()
        desk_client._INCIDENTS.clear()


def test_no_desk_means_no_known_incident_and_no_wait():
    desk_client._INCIDENTS.clear()
    started = time.monotonic()
    assert asyncio.run(DeskClient("http://127.0.0.1:9", "k").active_incidents()) == ()
    assert time.monotonic() - started < 2
    desk_client._INCIDENTS.clear()


def test_a_question_whether_it_works_never_gets_the_24_7_line_even_read_as_critical(schedule):
    # The classifier may read "¿está funcionando …?" as an incident: a question that names no
    # stop or outage is not one (helpdesk/priority.py names_a_failure).
    ranking = (("report_critical_incident", 0.96),)
    reply, text = say(schedule, "2026-12-01T22:00", "report_critical_incident",
                      "¿está funcionando el estampado cronológico?", ranking=ranking)
    assert reply.answer.kind == "known_incident" and PRIORITY_NUMBER not in text
