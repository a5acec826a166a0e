"""What the customer is told about people (helpdesk/handoff.py): the agents' hours in the widget's
header, the hours context of the agent's screen, the expected wait, and "¿El chat está abierto?"
asked inside the chat — worded by domain.yml."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from helpdesk.handoff import (
    agent_hours_short,
    build_packet,
    expected_wait_text,
    hours_context,
    in_chat_answer,
    no_agent_answer,
)
from tests.support import render
from tools.published import CHAT_URL, MAIN_LINE, SUPPORT_EMAIL

BOGOTA = ZoneInfo("America/Bogota")


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=BOGOTA)


def said(answer) -> str:
    return render("utter_answer", {"answer_ready": True, "answer_kind": answer.kind, **answer.values})["text"]


def test_the_widget_header_gives_the_agents_hours_from_the_schedule(schedule):
    assert agent_hours_short(schedule) == "lun–vie 7–19, sáb 8–13"


def test_the_header_follows_an_edited_schedule(schedule):
    from dataclasses import replace

    from helpdesk.schedule import TimeRange

    chat = schedule.channel("chat")
    hours = {**chat.weekly_hours, 5: (TimeRange(8 * 60 + 30, 12 * 60),), 6: (TimeRange(9 * 60, 11 * 60),)}
    edited = replace(schedule, channels={**schedule.channels, "chat": replace(chat, weekly_hours=hours)})
    assert agent_hours_short(edited) == "lun–vie 7–19, sáb 8:30–12, dom 9–11"


@pytest.mark.parametrize("moment,expected", [
    ("2026-12-04T10:00", {"in_hours": True, "text": "En horario de asesores: el chat atiende hasta las 7:00 p. m."}),
    ("2026-12-05T12:30", {"in_hours": True, "text": "En horario de asesores: el chat atiende hasta la 1:00 p. m."}),
    ("2026-12-05T14:00", {"in_hours": False, "reopens": "el lunes a las 7:00 a. m.",
                          "text": "Fuera del horario de asesores; el chat abre el lunes a las 7:00 a. m."}),
    ("2026-12-07T19:00", {"in_hours": False, "reopens": "el miércoles a las 7:00 a. m.",  # 8 Dec: festivo
                          "text": "Fuera del horario de asesores; el chat abre el miércoles a las 7:00 a. m."}),
])
def test_the_packet_carries_the_hours_context(schedule, moment, expected):
    context = hours_context(schedule, at(moment))
    assert context == expected
    packet = build_packet("c1", "customer_request", [], {}, at(moment), "socketio", hours=context)
    assert packet["hours"] == context


@pytest.mark.parametrize("seconds,text", [
    (0, "menos de un minuto"), (59, "menos de un minuto"), (60, "alrededor de un minuto"),
    (61, "unos 2 minutos"), (90, "unos 2 minutos"), (180, "unos 3 minutos"),
])
def test_the_expected_wait_as_the_customer_reads_it(seconds, text):
    assert expected_wait_text(seconds) == text


def test_nobody_on_duty_gives_the_line_and_the_email_not_the_chat(schedule):
    text = said(no_agent_answer(schedule, at("2026-12-04T10:00")))
    assert text.startswith("Es horario de atención, pero en este momento no hay ningún asesor disponible en el chat")
    assert MAIN_LINE in text and SUPPORT_EMAIL in text and CHAT_URL not in text
    # After 5 p. m. the e-mail is no longer attended: the line only.
    late = said(no_agent_answer(schedule, at("2026-12-04T17:30")))
    assert MAIN_LINE in late and SUPPORT_EMAIL not in late


def test_asked_inside_the_chat_whether_the_chat_is_open(schedule):
    """Decision: the customer is in the chat; the answer says so, never gives the chat's address,
    and says who answers here: the assistant at any hour, agents in the chat's hours (and whether
    one is on duty now), and how to reach one."""
    week = "de lunes a viernes de 7:00 a. m. a 7:00 p. m. y los sábados de 8:00 a. m. a 1:00 p. m., excepto festivos"
    open_ = in_chat_answer(schedule, at("2026-12-04T10:00"), agents_on_duty=True)
    rendered = render("utter_answer", {"answer_ready": True, "answer_kind": open_.kind, **open_.values})
    assert rendered["text"] == (
        "Sí: ya está en el chat de soporte. Yo soy el asistente virtual y le respondo a cualquier hora; los asesores "
        f"atienden en este mismo chat {week}. Si quiere hablar con uno, pídamelo y le comunico.")
    assert [b["payload"] for b in rendered["buttons"]] == ["/request_human"]
    nobody = said(in_chat_answer(schedule, at("2026-12-04T10:00"), agents_on_duty=False))
    assert "en este momento no hay ninguno disponible" in nobody and MAIN_LINE in nobody
    closed = said(in_chat_answer(schedule, at("2026-12-05T14:00"), agents_on_duty=None))
    assert "y vuelven el lunes a las 7:00 a. m." in closed and SUPPORT_EMAIL in closed
    for text in (rendered["text"], nobody, closed):
        assert CHAT_URL not in text and "{" not in text
