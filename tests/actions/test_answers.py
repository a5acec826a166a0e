"""Informational answers: the rule says `utter_answer`; the action chooses its wording."""

import pytest

from actions.answers import ActionAnswerQuestion, ActionAssessCriticalIncident
from tests.support import PRIORITY_NUMBER, render, run, slots_after, tracker


def answer(text, intent, entities=None):
    t = tracker(text, intent, entities)
    events, dispatcher = run(ActionAnswerQuestion(), t)
    assert dispatcher.messages == []  # actions never speak; rules do
    slots = slots_after(t, events)
    return slots, render("utter_answer", slots)["text"]


def test_phone_question_gets_the_support_line_with_hours_and_status(clock):
    clock("2026-12-04T10:00")  # Friday
    slots, text = answer("cual es el tel de soporte", "ask_contact", [{"entity": "channel", "value": "support_line"}])
    assert slots["answer_kind"] == "contact" and slots["answer_ready"] is True
    assert "(601) 7442727, opción 2 (Soporte) y luego opción 1" in text
    assert "de lunes a viernes de 7:00 a. m. a 7:00 p. m. y los sábados de 8:00 a. m. a 1:00 p. m." in text
    assert "En este momento atiende, hasta las 7:00 p. m." in text
    assert PRIORITY_NUMBER not in text


def test_a_closed_channel_says_when_it_opens(clock):
    clock("2026-12-05T13:30")  # Saturday afternoon
    _, text = answer("link del chat", "ask_contact", [{"entity": "channel", "value": "chat"}])
    assert "http://chat.certicamara.com/CertiChat/chat.php" in text
    assert "En este momento no atiende; abre el lunes a las 7:00 a. m." in text


def test_email_can_be_written_while_closed(clock):
    clock("2026-12-01T20:00")  # Tuesday night
    _, text = answer("me da el correo", "ask_contact", [{"entity": "channel", "value": "correo"}])
    assert "soporte.firmadigital@certicamara.com" in text
    assert "puede escribir ya y se atenderá desde mañana miércoles a las 7:00 a. m." in text


def test_the_24_7_number_only_when_asked_for(clock):
    clock("2026-12-06T03:00")
    slots, text = answer("numero de la linea 24 horas", "ask_contact", [{"entity": "channel", "value": "priority_line"}])
    assert slots["answer_kind"] == "contact_priority_line"
    assert PRIORITY_NUMBER in text and "solo para incidentes críticos" in text
    _, text = answer("cual es el telefono", "ask_contact", [])
    assert PRIORITY_NUMBER not in text
    assert "(601) 7442727" in text


def test_supervisor_email_is_not_mixed_with_the_support_email(clock):
    clock("2026-12-04T10:00")
    _, text = answer("correo del supervisor", "ask_contact",
                     [{"entity": "channel", "value": "email"}, {"entity": "channel", "value": "supervisor"}])
    assert "supervisor.mesadeayuda@certicamara.com" in text
    assert "extensiones 1104, 1108 o 1102" in text
    assert "soporte.firmadigital@" not in text


def test_saturday_hours(clock):
    clock("2026-12-02T10:00")
    slots, text = answer("atienden los sabados?", "ask_opening_hours", [{"entity": "day", "value": "sabados"}])
    assert slots["answer_kind"] == "hours_day"
    assert "Horario de los sábados" in text
    assert "Línea telefónica de soporte: de 8:00 a. m. a 1:00 p. m.\n" in text  # one period, not two
    assert "Canal de PQRSA (peticiones, quejas, reclamos, sugerencias y apelaciones): no atiende." in text
    assert PRIORITY_NUMBER not in text


@pytest.mark.parametrize("text", ["atienden el sabdo?", "y los sabdos?", "¿abren el sábdo?"])
def test_a_misspelt_day_without_entity_still_gets_that_days_hours(clock, text):
    # the NLU extracts no day from a typo; the action reads the day from the text
    clock("2026-12-02T10:00")
    slots, rendered = answer(text, "ask_opening_hours")
    assert slots["answer_kind"] == "hours_day", rendered
    assert "Horario de los sábados" in rendered


@pytest.mark.parametrize("text", ["en otras partes atienden mejor?", "cuando viene el tecnico?",
                                  "atienden por el dominio de la empresa?"])
def test_words_near_a_day_name_are_not_taken_for_one(clock, text):
    clock("2026-12-02T10:00")
    slots, rendered = answer(text, "ask_opening_hours")
    assert slots["answer_kind"] == "hours_week", rendered


def test_holiday_hours_do_not_offer_the_24_7_number(clock):
    clock("2026-12-02T10:00")
    slots, text = answer("y los festivos?", "ask_opening_hours", [{"entity": "day", "value": "festivos"}])
    assert slots["answer_kind"] == "hours_holiday"
    assert "Los festivos no atienden" in text
    assert "martes 8 de diciembre" in text  # the next festivo
    assert PRIORITY_NUMBER not in text


def test_today_on_a_festivo(clock):
    clock("2026-07-13T09:00")
    _, text = answer("atienden hoy?", "ask_opening_hours", [{"entity": "day", "value": "hoy"}])
    assert "es festivo" in text
    assert "abren mañana martes a las 7:00 a. m." in text


def test_open_now_during_hours(clock):
    clock("2026-12-04T17:30")  # Friday: line and chat until 19:00, e-mail closed at 17:00
    slots, text = answer("me pueden atender ahora?", "ask_open_now")
    assert slots["answer_kind"] == "open_now"
    assert "Línea telefónica de soporte: (601) 7442727" in text and "(hasta las 7:00 p. m.)" in text
    assert "Chat en línea con asesores" in text
    assert "soporte.firmadigital@" not in text
    assert PRIORITY_NUMBER not in text


@pytest.mark.parametrize(
    "moment,when",
    [
        ("2026-12-04T19:30", "abren mañana sábado a las 8:00 a. m."),
        ("2026-12-05T13:30", "abren el lunes a las 7:00 a. m."),
        ("2026-12-07T20:00", "abren el miércoles a las 7:00 a. m."),
        ("2026-12-01T20:00", "abren mañana miércoles a las 7:00 a. m."),
        ("2026-12-02T05:00", "abren hoy a las 7:00 a. m."),
    ],
)
def test_closed_now_says_when_the_next_channel_opens(clock, moment, when):
    clock(moment)
    slots, text = answer("hay alguien?", "ask_open_now")
    assert slots["answer_kind"] == "closed_now"
    assert when in text
    assert "soporte.firmadigital@certicamara.com" in text  # what to do meanwhile
    assert PRIORITY_NUMBER not in text


def test_closed_on_a_festivo_says_why(clock):
    clock("2026-12-08T10:00")
    _, text = answer("me atienden ya?", "ask_open_now")
    assert "hoy es festivo (" in text


def test_pqrsa_with_its_type(clock):
    clock("2026-12-05T10:00")  # Saturday: PQRSA closed
    slots, text = answer("quiero poner una queja", "submit_pqrsa", [{"entity": "request_type", "value": "queja"}])
    assert slots["answer_kind"] == "pqrsa"
    assert "Para radicar su queja" in text
    assert "certicamararesponde@certicamara.com" in text and "(601) 7442727, opción 3" in text
    assert "se atenderá desde el lunes a las 7:00 a. m." in text


def test_renewal_question_on_sunday(clock):
    clock("2026-12-06T10:00")
    slots, text = answer("como renuevo mi firma digital", "request_support")
    assert slots["answer_kind"] == "support_closed"
    assert "los domingos no hay atención" in text
    assert "abren mañana lunes a las 7:00 a. m." in text
    assert PRIORITY_NUMBER not in text


def test_escalation_levels(clock):
    clock("2026-12-04T10:00")
    _, text = answer("cuales son los niveles de escalamiento", "ask_escalation_levels")
    assert text.index("nivel 1") < text.index("nivel 2") < text.index("nivel 3")
    assert "coordinador.mesadeayuda@certicamara.com" in text


def test_every_answer_slot_is_reset_so_nothing_leaks_from_the_previous_answer(clock):
    clock("2026-12-04T10:00")
    t = tracker("horario", "ask_opening_hours", slots={"pqrsa_details": "viejo", "channel_details": "viejo"})
    events, _ = run(ActionAnswerQuestion(), t)
    slots = slots_after(t, events)
    assert slots["pqrsa_details"] is None and slots["channel_details"] is None


@pytest.mark.parametrize(
    "moment,kind,expected,absent",
    [
        ("2026-12-06T03:00", "critical_only_priority_line", "abren mañana lunes a las 7:00 a. m.", "Chat en línea"),
        ("2026-12-04T10:00", "critical_with_open", "Chat en línea con asesores", "abren"),
        ("2026-12-08T09:00", "critical_only_priority_line", "abren mañana miércoles a las 7:00 a. m.", "Chat en línea"),
    ],
)
def test_critical_incident_gets_the_24_7_line_at_any_hour(clock, moment, kind, expected, absent):
    clock(moment)
    t = tracker("se cayo el servicio de estampado", "report_critical_incident")
    events, _ = run(ActionAssessCriticalIncident(), t)
    slots = slots_after(t, events)
    assert slots["answer_kind"] == kind
    text = render("utter_critical_incident", slots)["text"]
    assert "(57) 318 717 49 37" in text
    assert expected in text
    assert absent not in text


def test_without_the_action_the_static_variation_still_gives_the_main_line():
    # answer_ready is false when the action server did not run this turn.
    for response in ("utter_answer", "utter_critical_incident", "utter_triage_result",
                     "utter_escalation_result", "utter_human"):
        text = render(response, {"answer_ready": False, "answer_kind": "contact"})["text"]
        assert "(601) 7442727" in text or "(601) 745 2141" in text, response
    assert PRIORITY_NUMBER not in render("utter_answer", {"answer_ready": False})["text"]
    assert PRIORITY_NUMBER in render("utter_critical_incident", {"answer_ready": False})["text"]


def test_only_answer_variables_holding_a_value_are_reset(clock):
    # Every event is stored and replayed by the tracker store: an answer sets its own
    # variables and resets only the stale ones, not all twenty on every turn.
    clock("2026-12-04T10:00")
    t = tracker("cual es el correo de pqrsa", "ask_contact", [{"entity": "channel", "value": "pqrsa"}],
                slots={"mailto_link": "mailto:soporte.firmadigital@certicamara.com", "triage_reason": "x"})
    events, _ = run(ActionAnswerQuestion(), t)
    set_names = [e["name"] for e in events if e.get("event") == "slot"]
    assert len(set_names) == len(set(set_names))
    reset = {e["name"] for e in events if e.get("event") == "slot" and e["value"] is None}
    assert reset == {"mailto_link", "triage_reason"}
    assert len(set_names) < 12
    text = render("utter_answer", slots_after(t, events))["text"]
    assert "certicamararesponde@certicamara.com" in text


@pytest.mark.parametrize("text", ["what is the email for complaints?", "a que correo mando un reclamo"])
def test_the_email_for_a_request_type_is_the_pqrsa_email(clock, text):
    # Naming a PQRSA type (in Spanish or English) makes the generic "correo" the PQRSA one.
    clock("2026-12-09T16:30")
    _, answer_text = answer(text, "ask_contact", [{"entity": "channel", "value": "email"}])
    assert "certicamararesponde@certicamara.com" in answer_text
    assert "soporte.firmadigital@certicamara.com" not in answer_text
