"""Triage of a reported problem: questions asked, replies read, skipped, and the decision."""

import pytest

from actions.questions import ValidateQuestionForm
from actions.triage import ActionTriageStep
from helpdesk.priority import Understanding
from helpdesk.triage import description_from_first_message, extract_case_number, read_reply
from tests.support import PRIORITY_NUMBER, render, run, slots_after, tracker
from tools.published import MAIN_LINE, SUPPORT_EMAIL


def nlu(intent: str, confidence: float = 0.95) -> Understanding:
    """What the NLU said of a message, as the actions read it."""
    return Understanding(intent, confidence, ((intent, confidence),))


def step(text, intent="report_problem", slots=None, latest_action="action_listen", entities=None):
    t = tracker(text, intent, entities, slots=slots, latest_action=latest_action)
    events, dispatcher = run(ActionTriageStep(), t)
    assert dispatcher.messages == []
    return slots_after(t, events)


def continue_with(slots, reply_intent="inform"):
    return step("", reply_intent, slots=slots, latest_action="question_form")


def test_after_hours_an_unclear_problem_starts_with_the_service_question(clock):
    clock("2026-12-06T10:00")  # Sunday
    slots = step("tengo un problema")
    assert slots["question_pending"] is True and slots["pending_question"] == "affected_service"
    intro = render("utter_triage_intro", slots)["text"]
    assert intro.startswith("Hoy es domingo y no hay atención.") and "mañana lunes a las 7:00 a. m." in intro
    question = render("utter_request_question", slots)
    assert question["text"] == "¿Qué servicio está afectado?"
    assert [b["title"] for b in question["buttons"]] == ["Firma digital", "Estampado cronológico", "Otro"]
    again = render("utter_request_question_again", slots)
    assert again["text"] != question["text"] and len(again["buttons"]) == 3


def test_a_descriptive_first_message_fills_service_and_description(clock):
    clock("2026-12-06T10:00")
    slots = step("no puedo firmar los documentos pdf, me sale error de certificado")
    assert slots["affected_service"] == "firma_digital"
    assert slots["problem_description"].startswith("no puedo firmar")
    assert slots["pending_question"] == "operation_blocked"


def test_the_obvious_critical_case_skips_every_question(clock):
    clock("2026-12-06T03:00")
    slots = step("urgente, toda la operación detenida, no podemos estampar", "report_critical_incident")
    assert slots["question_pending"] is False
    assert slots["answer_kind"] == "critical_only_priority_line"
    text = render("utter_answer", slots)["text"]
    assert text.startswith("Es un incidente crítico (prioridad 1)")
    assert PRIORITY_NUMBER in text


@pytest.mark.parametrize("text", [
    "¿qué pasa si algún día se cae el estampado?",
    "ayer se cayó el estampado pero ya funciona",
    "tranquilo, no es urgente, pero no puedo firmar",
])
def test_a_critical_reading_modified_by_structure_never_gets_the_24_7_line(clock, text):
    # The NLU says critical; a hypothetical, a resolved incident or "no es urgente" override it.
    clock("2026-12-06T03:00")
    slots = step(text, "report_critical_incident")
    assert not slots["answer_kind"].startswith("critical")
    assert PRIORITY_NUMBER not in render("utter_triage_intro", slots)["text"]


def test_during_hours_there_is_no_questionnaire(clock):
    clock("2026-12-04T18:30")  # Friday 18:30: line and chat open until 19:00
    slots = step("tengo un problema con la factura electronica, no me deja firmar")
    assert slots["question_pending"] is False and slots["answer_kind"] == "normal_open"
    text = render("utter_answer", slots)["text"]
    assert MAIN_LINE in text and "(hasta las 7:00 p. m.)" in text
    assert PRIORITY_NUMBER not in text


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
    text = render("utter_answer", slots)["text"]
    assert "No es un incidente crítico" in text
    assert "abren mañana lunes a las 7:00 a. m." in text
    # What to write, naming what the customer already said; short enough for a phone.
    assert f"escriba a {SUPPORT_EMAIL} con el servicio (firma digital), qué pasó" in text
    assert "NIT o cédula" in text and len(text) <= 400
    assert PRIORITY_NUMBER not in text


def test_a_skipped_question_is_not_asked_again_and_the_flow_moves_on(clock):
    clock("2026-12-06T10:00")
    slots = step("tengo un problema")
    slots.update(skipped_questions=["affected_service"])
    slots = continue_with(slots)
    assert slots["pending_question"] == "operation_blocked"
    slots.update(skipped_questions=["affected_service", "operation_blocked"])
    slots = continue_with(slots)
    assert slots["pending_question"] == "problem_description"
    slots.update(problem_description="")
    slots = continue_with(slots)
    assert slots["answer_kind"] == "normal_closed" and slots["skipped_questions"] == []
    text = render("utter_answer", slots)["text"]
    assert "Si el problema llega a detener su operación, dígamelo" in text
    assert PRIORITY_NUMBER not in text


def test_a_yes_to_the_blocking_question_decides_priority_1_at_once(clock):
    clock("2026-12-06T03:00")
    slots = step("tengo un problema", slots={})
    slots.update(affected_service="estampado_cronologico", operation_blocked=True)
    slots = continue_with(slots)
    assert slots["answer_kind"] == "critical_only_priority_line"
    assert PRIORITY_NUMBER in render("utter_answer", slots)["text"]


@pytest.mark.parametrize(
    "pending,text,intent,entities,expected",
    [
        ("affected_service", "/inform", "inform", [{"entity": "service", "value": "firma_digital"}], {"affected_service": "firma_digital"}),
        ("affected_service", "el estampado", "inform", [], {"affected_service": "estampado_cronologico"}),
        ("affected_service", "firma digital y si, toda la operacion esta detenida", "report_critical_incident", [],
         {"affected_service": "firma_digital", "operation_blocked": True}),
        ("affected_service", "es la firma digital y no es urgente", "report_critical_incident", [],
         {"affected_service": "firma_digital", "operation_blocked": False}),
        ("affected_service", "ni idea", "inform", [], {"affected_service": "otro"}),
        # what only a person can answer is the need handed to the agent
        ("handoff_description", "quiero saber el estado de mi solicitud de firma", "ask_case_status", [],
         {"handoff_description": "quiero saber el estado de mi solicitud de firma"}),
        ("handoff_description", "cual es el telefono de soporte?", "ask_contact", [], {}),
        # asked for the service, told it can wait: that answer counts and the service is not asked again
        ("affected_service", "tranquilo, no es grave, seguimos trabajando", "deny", [],
         {"operation_blocked": False, "skip": True}),
        ("affected_service", "cual es el telefono?", "ask_contact", [], {}),
        ("affected_service", "cancelar", "cancel", [], {}),
        ("affected_service", "ya hable con el supervisor y nada", "escalate_to_coordinator", [], {}),
        ("operation_blocked", "/affirm", "affirm", [], {"operation_blocked": True}),
        ("operation_blocked", "no", "deny", [], {"operation_blocked": False}),
        ("operation_blocked", "sí, es el token con el que firmamos la nómina que se paga hoy", "inform", [],
         {"affected_service": "firma_digital", "operation_blocked": True}),
        ("operation_blocked", "no, para nada, firmo desde otro equipo", "deny", [], {"operation_blocked": False}),
        ("operation_blocked", "tranquilo, no es urgente", "inform", [], {"operation_blocked": False}),
        ("operation_blocked", "puede esperar, seguimos trabajando", "inform", [], {"operation_blocked": False}),
        ("operation_blocked", "es la firma digital", "inform", [], {"affected_service": "firma_digital"}),
        ("operation_blocked", "no se", "inform", [], {"skip": True}),
        ("problem_description", "el token no aparece en el equipo", "report_problem", [],
         {"affected_service": "firma_digital", "problem_description": "el token no aparece en el equipo"}),
        ("problem_description", "cual es el horario del chat", "ask_opening_hours", [], {}),
        ("problem_description", "si", "affirm", [], {}),
    ],
)
def test_reading_replies(pending, text, intent, entities, expected):
    assert read_reply(pending, text, nlu(intent), entities) == expected


def form_tracker(text, intent, pending, history=None):
    return tracker(text, intent, slots={"pending_question": pending, "requested_slot": "answer_received"},
                   latest_action="question_form", active_loop={"name": "question_form"}, history=history)


def test_the_validation_action_fills_and_ends_the_wait():
    events, _ = run(ValidateQuestionForm(), form_tracker("no", "deny", "operation_blocked"))
    assert {"event": "slot", "timestamp": None, "name": "operation_blocked", "value": False} in events
    assert {"event": "slot", "timestamp": None, "name": "answer_received", "value": "operation_blocked"} in events


def test_an_unreadable_reply_is_rejected_once_then_the_question_is_skipped():
    first, _ = run(ValidateQuestionForm(), form_tracker("mmm", "nlu_fallback", "operation_blocked"))
    assert first == []  # the rule asks again, in other words
    asked_again = [{"event": "slot", "name": "pending_question", "value": "operation_blocked"},
                   {"event": "action", "name": "utter_did_not_understand"},
                   {"event": "action", "name": "utter_request_question_again"}]
    second, _ = run(ValidateQuestionForm(), form_tracker("???", "nlu_fallback", "operation_blocked", asked_again))
    names = {e["name"]: e["value"] for e in second}
    assert names["answer_received"] == "operation_blocked"
    assert names["skipped_questions"] == ["operation_blocked"]


def test_the_form_run_right_after_asking_again_does_not_count_the_same_reply_twice():
    # Rasa runs the form (and its validation) again right after utter_request_question_again,
    # with the same latest message: that must not skip the question at the first "mmm".
    t = form_tracker("mmm", "nlu_fallback", "operation_blocked",
                     [{"event": "slot", "name": "pending_question", "value": "operation_blocked"}])
    t.events += [{"event": "action", "name": "utter_did_not_understand"},
                 {"event": "action", "name": "utter_request_question_again"}]
    events, _ = run(ValidateQuestionForm(), t)
    assert events == []


def test_another_question_in_the_middle_is_not_an_attempt():
    asked_again = [{"event": "slot", "name": "pending_question", "value": "affected_service"},
                   {"event": "action", "name": "utter_request_question_again"}]
    events, _ = run(ValidateQuestionForm(), form_tracker("cual es el correo", "ask_contact", "affected_service", asked_again))
    assert events == []


def test_the_validation_action_is_silent_on_activation():
    t = tracker("tengo un problema", "report_problem", slots={"pending_question": "affected_service"})
    events, _ = run(ValidateQuestionForm(), t)
    assert events == []


def test_markup_in_a_description_is_never_repeated_as_markup():
    filled = read_reply("problem_description", "<script>alert(1)</script> no firma <img src=x>", nlu("report_problem", 0.9), [])
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
    assert (description_from_first_message(first) is not None) is is_description


@pytest.mark.parametrize("text,number", [
    ("nadie me resuelve el caso 45821", "45821"),
    ("mi radicado es el No. 2024-1187", "2024-1187"),
    ("ticket #4412 sin respuesta", "4412"),
    ("CAS-20931 lleva una semana", "CAS-20931"),
    ("llamé al 7442727 y nadie contesta", None),
    ("atienden el 8 de diciembre de 2026?", None),
])
def test_a_case_number_is_read_only_when_the_customer_gives_one(text, number):
    assert extract_case_number(text) == number


def test_a_long_reply_to_the_service_question_also_describes_the_problem():
    filled = read_reply("affected_service", "firma digital, el token se bloqueó despues de poner mal el pin y no, "
                        "no me para nada la operacion", nlu("report_problem", 0.9), [])
    assert filled["affected_service"] == "firma_digital" and filled["operation_blocked"] is False
    assert "el token se bloqueó" in filled["problem_description"]
