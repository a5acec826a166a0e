"""Triage of a reported problem: questions asked, skipped, and the decision."""

import pytest

from actions.questions import ValidateQuestionForm, interpret_reply
from actions.triage import ActionTriageStep
from tests.support import PRIORITY_NUMBER, render, run, slots_after, tracker


def step(text, intent="report_problem", slots=None, latest_action="action_listen", entities=None):
    t = tracker(text, intent, entities, slots=slots, latest_action=latest_action)
    events, dispatcher = run(ActionTriageStep(), t)
    assert dispatcher.messages == []
    return slots_after(t, events)


def test_after_hours_an_unclear_problem_starts_with_the_service_question(clock):
    clock("2026-12-06T10:00")  # Sunday
    slots = step("tengo un problema")
    assert slots["question_pending"] is True and slots["pending_question"] == "affected_service"
    assert slots["question_flow"] == "triage"
    intro = render("utter_triage_intro", slots)["text"]
    assert "abren mañana lunes a las 7:00 a. m." in intro
    question = render("utter_request_question", slots)
    assert question["text"] == "¿Qué servicio está afectado?"
    assert [b["title"] for b in question["buttons"]] == ["Firma digital", "Estampado cronológico", "Otro"]


def test_a_descriptive_first_message_fills_service_and_description(clock):
    clock("2026-12-06T10:00")
    slots = step("no puedo firmar los documentos pdf, me sale error de certificado")
    assert slots["affected_service"] == "firma_digital"
    assert slots["problem_description"].startswith("no puedo firmar")
    assert slots["pending_question"] == "operation_blocked"


def test_the_obvious_critical_case_skips_every_question(clock):
    clock("2026-12-06T03:00")
    slots = step("urgente, toda la operación detenida, no podemos estampar")
    assert slots["question_pending"] is False
    assert slots["answer_kind"] == "critical_only_priority_line"
    text = render("utter_triage_result", slots)["text"]
    assert text.startswith("Prioridad 1 (crítico)")
    assert PRIORITY_NUMBER in text


def test_during_hours_there_is_no_questionnaire(clock):
    clock("2026-12-04T18:30")  # Friday 18:30: line and chat open until 19:00
    slots = step("tengo un problema con la factura electronica, no me deja firmar")
    assert slots["question_pending"] is False and slots["answer_kind"] == "normal_open"
    text = render("utter_triage_result", slots)["text"]
    assert "(601) 7442727" in text and "(hasta las 7:00 p. m.)" in text
    assert PRIORITY_NUMBER not in text


def continue_with(slots, reply_intent="inform"):
    return step("", reply_intent, slots=slots, latest_action="question_form")


def test_full_after_hours_path_to_a_non_critical_decision(clock):
    clock("2026-12-06T10:00")
    slots = step("tengo un problema")
    slots.update(affected_service="firma_digital")
    slots = continue_with(slots)
    assert slots["pending_question"] == "operation_blocked"
    slots.update(operation_blocked=False)
    slots = continue_with(slots)
    assert slots["pending_question"] == "problem_description"
    slots.update(problem_description="el token no es reconocido por el computador")
    slots = continue_with(slots)
    assert slots["question_pending"] is False and slots["answer_kind"] == "normal_closed"
    text = render("utter_triage_result", slots)["text"]
    assert "No es un incidente crítico" in text
    assert "abren mañana lunes a las 7:00 a. m." in text
    assert "Descripción: el token no es reconocido por el computador" in text
    assert "mailto:soporte.firmadigital@certicamara.com?subject=" in text
    assert PRIORITY_NUMBER not in text


def test_a_yes_to_the_blocking_question_decides_priority_1_at_once(clock):
    clock("2026-12-06T03:00")
    slots = step("tengo un problema", slots={})
    slots.update(affected_service="estampado_cronologico", operation_blocked=True)
    slots = continue_with(slots)
    assert slots["answer_kind"] == "critical_only_priority_line"
    assert PRIORITY_NUMBER in render("utter_triage_result", slots)["text"]


@pytest.mark.parametrize(
    "pending,text,intent,entities,expected",
    [
        ("affected_service", "/inform", "inform", [{"entity": "service", "value": "firma_digital"}], {"affected_service": "firma_digital"}),
        ("affected_service", "el estampado", "inform", [], {"affected_service": "estampado_cronologico"}),
        ("affected_service", "firma digital y si, toda la operacion esta detenida", "inform", [],
         {"affected_service": "firma_digital", "operation_blocked": True}),
        ("affected_service", "es la firma digital y no es urgente", "report_critical_incident", [],
         {"affected_service": "firma_digital", "operation_blocked": False}),
        ("affected_service", "cual es el telefono?", "ask_contact", [], {}),
        ("affected_service", "cancelar", "cancel", [], {}),
        ("operation_blocked", "/affirm", "affirm", [], {"operation_blocked": True}),
        ("operation_blocked", "no", "deny", [], {"operation_blocked": False}),
        ("operation_blocked", "no es urgente, puede esperar", "inform", [], {"operation_blocked": False}),
        ("operation_blocked", "es la firma digital", "inform", [], {"affected_service": "firma_digital"}),
        ("problem_description", "el token no aparece en el equipo", "report_problem", [],
         {"affected_service": "firma_digital", "problem_description": "el token no aparece en el equipo"}),
        ("problem_description", "cual es el horario del chat", "ask_opening_hours", [], {}),
        ("problem_description", "si", "affirm", [], {}),
        ("case_number", "mi caso es el 458213", "inform", [], {"case_number": "458213", "support_contacted": True, "case_number_asked": True}),
        ("case_number", "no tengo", "deny", [], {"case_number": "", "case_number_asked": True}),
        ("support_contacted", "si ya llame", "affirm", [], {"support_contacted": True}),
        ("support_contacted", "no", "deny", [], {"support_contacted": False}),
    ],
)
def test_interpreting_replies(pending, text, intent, entities, expected):
    assert interpret_reply(pending, text, intent, 0.95, entities) == expected


def test_the_validation_action_fills_and_ends_the_wait():
    t = tracker("no", "deny", slots={"pending_question": "operation_blocked", "requested_slot": "answer_received"},
                latest_action="question_form", active_loop={"name": "question_form"})
    events, _ = run(ValidateQuestionForm(), t)
    assert {"event": "slot", "timestamp": None, "name": "operation_blocked", "value": False} in events
    assert {"event": "slot", "timestamp": None, "name": "answer_received", "value": "operation_blocked"} in events


def test_the_validation_action_rejects_what_is_not_an_answer():
    t = tracker("olvidalo", "cancel", slots={"pending_question": "affected_service", "requested_slot": "answer_received"},
                active_loop={"name": "question_form"})
    events, _ = run(ValidateQuestionForm(), t)
    assert events == []


def test_the_validation_action_is_silent_on_activation():
    t = tracker("tengo un problema", "report_problem", slots={"pending_question": "affected_service"})
    events, _ = run(ValidateQuestionForm(), t)
    assert events == []


def test_markup_in_a_description_is_never_repeated_as_markup():
    filled = interpret_reply("problem_description", "<script>alert(1)</script> no firma <img src=x>", "report_problem", 0.9, [])
    assert "<" not in filled["problem_description"] and ">" not in filled["problem_description"]
    assert filled["problem_description"].startswith("‹script›alert(1)‹/script›")


@pytest.mark.parametrize("first, is_description", [
    ("tengo un problema", False),
    ("buenas noches, tengo un problema", False),
    ("Buenas tardes, tengo un problema con la factura electrónica", False),
    ("hola buenas tardes tengo un inconveniente urgente por favor", False),
    ("no puedo firmar el documento, me sale un error", True),
    ("el token no aparece cuando lo conecto al computador", True),
    ("no me deja firmar la factura desde el portal", True),
])
def test_a_first_message_is_the_description_only_when_it_says_what_happened(first, is_description):
    from helpdesk.triage import description_from_first_message

    assert (description_from_first_message(first) is not None) is is_description
