"""Escalation: the case number, level 1 first, supervisor, coordinator."""

from actions.escalation import ActionEscalationStep
from tests.support import PRIORITY_NUMBER, render, run, slots_after, tracker


def step(text, intent, slots=None, latest_action="action_listen"):
    t = tracker(text, intent, slots=slots, latest_action=latest_action)
    events, dispatcher = run(ActionEscalationStep(), t)
    assert dispatcher.messages == []
    return slots_after(t, events)


def test_asks_for_the_case_number_first(clock):
    clock("2026-12-04T10:00")
    slots = step("quiero hablar con un supervisor", "request_escalation")
    assert slots["question_pending"] is True and slots["pending_question"] == "case_number"
    assert "número de caso" in render("utter_request_question", slots)["text"]


def test_a_case_number_in_the_first_message_goes_straight_to_the_supervisor(clock):
    clock("2026-12-04T10:00")
    slots = step("nadie me resuelve el caso 778812, quiero un supervisor", "request_escalation")
    assert slots["question_pending"] is False and slots["answer_kind"] == "escalation_supervisor"
    text = render("utter_escalation_result", slots)["text"]
    assert "supervisor.mesadeayuda@certicamara.com" in text
    assert "(601) 745 2141, extensiones 1104, 1108 o 1102" in text
    assert "Mencione su número de caso 778812." in text
    assert PRIORITY_NUMBER not in text


def test_without_case_number_asks_whether_support_had_it_then_level_1(clock):
    clock("2026-12-05T15:00")  # Saturday afternoon: desk closed
    slots = step("quiero escalar esto", "request_escalation")
    slots.update(case_number="", case_number_asked=True)
    slots = step("", "deny", slots=slots, latest_action="question_form")
    assert slots["pending_question"] == "support_contacted"
    slots.update(support_contacted=False)
    slots = step("", "deny", slots=slots, latest_action="question_form")
    assert slots["answer_kind"] == "escalation_first_level"
    text = render("utter_escalation_result", slots)["text"]
    assert "primero debe estar registrado con el grupo de soporte técnico" in text
    assert "(601) 7442727" in text and "abre el lunes a las 7:00 a. m." in text
    assert "supervisor.mesadeayuda" not in text


def test_supervisor_already_had_it_goes_to_the_coordinator(clock):
    clock("2026-12-04T10:00")
    slots = step("ya hable con el supervisor y nada", "escalate_to_coordinator")
    assert slots["pending_question"] == "case_number"
    slots.update(case_number="", case_number_asked=True)
    slots = step("", "deny", slots=slots, latest_action="question_form")
    assert slots["answer_kind"] == "escalation_coordinator"
    text = render("utter_escalation_result", slots)["text"]
    assert "coordinador.mesadeayuda@certicamara.com" in text and "extensión 1101" in text


def test_escalation_after_hours_says_the_desk_is_closed(clock):
    clock("2026-12-06T10:00")
    slots = step("caso 445566 sin respuesta, necesito el supervisor", "request_escalation")
    text = render("utter_escalation_result", slots)["text"]
    assert "no publica un horario propio" in text
    assert "La mesa de ayuda abre mañana lunes a las 7:00 a. m." in text
