"""Answers through the action: the rule says `utter_answer`; the action chooses its wording.

Each test runs the real action with a rasa_sdk tracker and renders the response Rasa
would choose from domain.yml with the slots the action set.
"""

import pytest

from actions.answers import ActionAnswerQuestion
from actions.triage import ActionTriageStep
from helpdesk.dialogue import Topic
from tests.support import PRIORITY_NUMBER, render, run, slots_after, tracker
from tools.published import (
    CHAT_URL,
    COORDINATOR_EMAIL,
    COORDINATOR_PHONE,
    MAIN_LINE,
    MAIN_LINE_OPTIONS,
    PQRSA_EMAIL,
    PQRSA_PHONE,
    PRIORITY_LINE,
    SUPERVISOR_EMAIL,
    SUPERVISOR_PHONE,
    SUPPORT_EMAIL,
)


def answer(text, intent, entities=None, slots=None, ranking=None):
    t = tracker(text, intent, entities, slots=slots)
    if ranking:
        t.latest_message["intent_ranking"] = ranking
    events, dispatcher = run(ActionAnswerQuestion(), t)
    assert dispatcher.messages == []  # actions never speak; rules do
    after = slots_after(t, events)
    return after, render("utter_answer", after)["text"]


def follow(previous_slots, text, intent, entities=None):
    """The next message of the same conversation (the topic slot carries over)."""
    return answer(text, intent, entities, slots={"topic": previous_slots["topic"]})


def test_phone_question_gets_the_support_line_with_hours_and_status(clock):
    clock("2026-12-04T10:00")  # Friday
    slots, text = answer("cual es el tel de soporte", "ask_contact", [{"entity": "channel", "value": "support_line"}])
    assert slots["answer_kind"] == "contact" and slots["answer_ready"] is True
    assert f"{MAIN_LINE}, {MAIN_LINE_OPTIONS}" in text
    assert "de lunes a viernes de 7:00 a. m. a 7:00 p. m. y los sábados de 8:00 a. m. a 1:00 p. m." in text
    assert "Ahora atiende, hasta las 7:00 p. m." in text
    assert PRIORITY_NUMBER not in text


def test_the_chat_link_while_the_chat_is_closed_says_when_it_opens(clock):
    clock("2026-12-05T13:30")  # Saturday afternoon
    _, text = answer("link del chat", "ask_contact", [{"entity": "channel", "value": "chat"}])
    assert CHAT_URL in text
    assert "Ahora está cerrado; abre el lunes a las 7:00 a. m." in text


def test_email_can_be_written_while_closed(clock):
    clock("2026-12-01T20:00")  # Tuesday night
    _, text = answer("me da el correo", "ask_contact", [{"entity": "channel", "value": "correo"}])
    assert SUPPORT_EMAIL in text
    assert "lo que escriba se atenderá desde mañana miércoles a las 7:00 a. m." in text


@pytest.mark.parametrize("text", ["numero de la linea 24 horas", "el numero de emergencias", "la linea que atiende 24 horas"])
def test_the_24_7_number_when_asked_for_by_any_name_with_what_it_is_for(clock, text):
    clock("2026-12-06T03:00")
    slots, rendered = answer(text, "ask_contact")
    assert slots["answer_kind"] == "contact_priority_line"
    assert PRIORITY_NUMBER in rendered and "solo para incidentes críticos" in rendered


def test_a_plain_phone_question_is_the_support_line(clock):
    clock("2026-12-06T03:00")
    _, text = answer("cual es el cel", "ask_contact", [{"entity": "channel", "value": "cel"}])
    assert PRIORITY_NUMBER not in text and MAIN_LINE in text


def test_supervisor_email_is_not_mixed_with_the_support_email(clock):
    clock("2026-12-04T10:00")
    _, text = answer("correo del supervisor", "ask_contact",
                     [{"entity": "channel", "value": "email"}, {"entity": "channel", "value": "supervisor"}])
    assert SUPERVISOR_EMAIL in text
    assert "soporte.firmadigital@" not in text


def test_saturdays_in_general_get_the_saturday_hours(clock):
    clock("2026-12-02T10:00")
    slots, text = answer("atienden los sabados?", "ask_opening_hours", [{"entity": "day", "value": "sabados"}])
    assert slots["answer_kind"] == "hours_weekday"
    assert "Los sábados" in text and "de 8:00 a. m. a 1:00 p. m." in text
    assert PRIORITY_NUMBER not in text


@pytest.mark.parametrize(
    "moment,text,expected",
    [
        ("2026-12-05T10:00", "atienden el 8 de diciembre?", ["martes 8 de diciembre es festivo (La Inmaculada Concepción)", "miércoles 9 de diciembre a las 7:00 a. m."]),
        ("2026-01-09T16:00", "el lunes 12 hay soporte?", ["lunes 12 de enero es festivo (Día de los Reyes Magos)", "martes 13 de enero a las 7:00 a. m."]),
        ("2026-03-20T18:30", "el lunes hay servicio?", ["lunes 23 de marzo es festivo (Día de San José)", "martes 24 de marzo"]),
        ("2026-12-23T14:00", "el 24 en la tarde hay soporte?", ["jueves 24 de diciembre en la tarde", "hasta las 7:00 p. m.", "hasta las 5:00 p. m."]),
        ("2026-12-30T11:00", "y el 1 de enero?", ["viernes 1 de enero es festivo (Año Nuevo)", "sábado 2 de enero a las 8:00 a. m."]),
        ("2026-12-07T18:00", "mañana no atienden? es festivo?", ["Mañana martes 8 de diciembre es festivo", "miércoles 9 de diciembre a las 7:00 a. m."]),
        ("2026-07-15T11:00", "el sábado a las 3 de la tarde hay alguien?", ["sábado 18 de julio a las 3:00 p. m. no hay atención", "de 8:00 a. m. a 1:00 p. m."]),
    ],
)
def test_a_date_named_in_the_question_gets_that_dates_hours(clock, moment, text, expected):
    clock(moment)
    slots, rendered = answer(text, "ask_opening_hours")
    for fact in expected:
        assert fact in rendered, rendered
    assert "(observado)" not in rendered and PRIORITY_NUMBER not in rendered


def test_holidays_in_general_do_not_give_the_24_7_number(clock):
    clock("2026-12-02T10:00")
    slots, text = answer("y los festivos?", "ask_opening_hours", [{"entity": "day", "value": "festivos"}])
    assert slots["answer_kind"] == "hours_holiday"
    assert "martes 8 de diciembre (La Inmaculada Concepción)" in text
    assert PRIORITY_NUMBER not in text


def test_open_now_gives_the_open_channels_with_their_contact(clock):
    clock("2026-12-04T17:30")  # Friday: line and chat until 19:00, e-mail closed at 17:00
    slots, text = answer("hay alguien que me atienda ya?", "ask_open_now")
    assert slots["answer_kind"] == "open_now"
    assert MAIN_LINE in text and CHAT_URL in text and "(hasta las 7:00 p. m.)" in text
    assert "soporte.firmadigital@" not in text
    assert PRIORITY_NUMBER not in text


@pytest.mark.parametrize(
    "moment,reason,when",
    [
        ("2026-12-04T19:30", "fuera del horario", "mañana sábado a las 8:00 a. m."),
        ("2026-12-05T13:30", "Los sábados se atiende hasta la 1:00 p. m.", "el lunes a las 7:00 a. m."),
        ("2026-12-06T10:00", "Hoy es domingo y no hay atención.", "mañana lunes a las 7:00 a. m."),
        ("2026-12-08T10:00", "Hoy es festivo (La Inmaculada Concepción) y no hay atención.", "mañana miércoles a las 7:00 a. m."),
    ],
)
def test_closed_now_says_why_and_when_the_next_channel_opens(clock, moment, reason, when):
    clock(moment)
    slots, text = answer("hay alguien?", "ask_open_now")
    assert slots["answer_kind"] == "closed_now"
    assert reason in text and when in text
    assert SUPPORT_EMAIL in text  # what to do meanwhile
    assert PRIORITY_NUMBER not in text


def test_yes_after_the_closed_answer_offers_the_critical_line(clock):
    clock("2026-12-06T03:00")
    slots, _ = answer("me pueden atender?", "ask_open_now")
    slots, text = follow(slots, "si", "affirm")
    assert PRIORITY_NUMBER in text and "Es un incidente crítico (prioridad 1)" in text
    slots, _ = answer("me pueden atender?", "ask_open_now")
    slots, text = follow(slots, "no, puede esperar", "deny")
    assert PRIORITY_NUMBER not in text and "lunes a las 7:00 a. m." in text


def test_pqrsa_and_the_phone_follow_up(clock):
    clock("2026-12-05T10:00")  # Saturday: PQRSA closed
    slots, text = answer("quiero poner una queja", "submit_pqrsa", [{"entity": "request_type", "value": "queja"}])
    assert slots["answer_kind"] == "pqrsa" and "Para radicar su queja" in text
    assert PQRSA_EMAIL in text and f"{PQRSA_PHONE.value}, {PQRSA_PHONE.instructions}" in text
    assert text.count("PQRSA") == 1  # the long channel name is not said twice
    slots, text = follow(slots, "y por telefono?", "ask_contact", [{"entity": "channel", "value": "telefono"}])
    assert "opción 3" in text and "opción 2" not in text
    assert "abre el lunes a las 7:00 a. m." in text


def test_until_when_is_about_the_channel_just_discussed(clock):
    clock("2026-12-01T15:00")  # Tuesday
    slots, _ = answer("me da el correo", "ask_contact", [{"entity": "channel", "value": "correo"}])
    _, text = follow(slots, "hasta que hora?", "ask_opening_hours")
    assert "correo atiende de 7:00 a. m. a 5:00 p. m." in text
    assert "7:00 p. m." not in text


def test_repeat_gives_the_last_answer_again(clock):
    clock("2026-12-01T15:00")
    slots, first = answer("el telefono del supervisor", "ask_contact", [{"entity": "channel", "value": "supervisor"}])
    _, again = follow(slots, "me lo repite?", "ask_repeat")
    assert again == first


def test_escalation_gives_the_supervisor_at_once_and_the_case_is_optional(clock):
    clock("2026-12-04T10:00")
    slots, text = answer("nadie me resuelve, quiero hablar con un supervisor", "request_escalation")
    assert slots["answer_kind"] == "escalation_supervisor"
    assert SUPERVISOR_EMAIL in text and f"{SUPERVISOR_PHONE.value}, extensiones 1104, 1108 o 1102" in text
    assert "Si tiene número de caso, inclúyalo en el correo." in text
    assert "se escala" not in text and PRIORITY_NUMBER not in text
    _, text = answer("nadie me resuelve el caso 778812", "request_escalation")
    assert "Incluya su número de caso (778812) en el correo." in text


def test_already_talked_to_the_supervisor_gets_the_coordinator(clock):
    clock("2026-12-04T10:00")
    slots, text = answer("ya hable con el supervisor y nada", "request_escalation")
    assert slots["answer_kind"] == "escalation_coordinator"
    assert COORDINATOR_EMAIL in text and f"{COORDINATOR_PHONE.value}, extensión {COORDINATOR_PHONE.extensions[0]}" in text


def test_never_contacted_support_goes_to_support_first(clock):
    clock("2026-12-04T10:00")
    slots, text = answer("no he llamado a soporte, quiero al supervisor de una", "request_escalation")
    assert slots["answer_kind"] == "escalation_first_level"
    assert MAIN_LINE in text and SUPPORT_EMAIL in text
    assert "supervisor.mesadeayuda" not in text


def test_escalation_levels(clock):
    clock("2026-12-04T10:00")
    _, text = answer("cuales son los niveles de escalamiento", "ask_escalation_levels")
    assert text.index("Nivel 1") < text.index("Nivel 2") < text.index("Nivel 3")
    assert COORDINATOR_EMAIL in text


def test_a_loose_channel_or_day_is_answered_not_a_dead_end(clock):
    clock("2026-12-01T10:00")
    _, text = answer("correo", "inform")
    assert SUPPORT_EMAIL in text
    _, text = answer("el jueves", "inform")
    assert "jueves 3 de diciembre" in text and "7:00 a. m." in text


def test_did_you_mean_offers_the_likeliest_intents_as_buttons(clock):
    clock("2026-12-01T10:00")
    ranking = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "ask_opening_hours", "confidence": 0.3},
               {"name": "ask_contact", "confidence": 0.2}, {"name": "greet", "confidence": 0.1}]
    slots, text = answer("kiero sabr una cosa", "nlu_fallback", ranking=ranking)
    rendered = render("utter_answer", slots)
    assert rendered["text"].startswith("No estoy seguro de haberle entendido. ¿Se refiere a")
    assert slots["option_1_title"] == "Horarios de atención" and slots["option_2_payload"] == "/ask_contact"
    topic = Topic.from_slot(slots["topic"])
    assert topic.offer == "did_you_mean" and topic.options == ("ask_opening_hours", "ask_contact")


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
def test_critical_incident_gets_the_24_7_line_first_at_any_hour(clock, moment, kind, expected, absent):
    clock(moment)
    t = tracker("se cayo el servicio de estampado", "report_critical_incident")
    events, _ = run(ActionTriageStep(), t)
    slots = slots_after(t, events)
    assert slots["answer_kind"] == kind
    text = render("utter_answer", slots)["text"]
    assert text.startswith("Es un incidente crítico (prioridad 1)")
    assert text.index(PRIORITY_LINE) < text.index("\n")  # the 24/7 line leads
    assert expected in text and absent not in text


@pytest.mark.parametrize("family,present,absent", [
    ("general", MAIN_LINE, PRIORITY_NUMBER),
    ("critical", PRIORITY_NUMBER, None),
    ("pqrsa", PQRSA_EMAIL, PRIORITY_NUMBER),
    ("escalation", SUPERVISOR_EMAIL, PRIORITY_NUMBER),
    ("human", CHAT_URL, PRIORITY_NUMBER),
])
def test_without_the_action_server_the_static_answer_fits_the_request(family, present, absent):
    # answer_ready is false when the action server did not run this turn; request_family
    # is set from the intent by Rasa itself.
    text = render("utter_answer", {"answer_ready": False, "request_family": family, "answer_kind": "contact"})["text"]
    assert present in text
    if absent:
        assert absent not in text


def test_only_answer_variables_holding_a_value_are_reset(clock):
    # Every event is stored and replayed by the tracker store: an answer sets its own
    # variables and resets only the stale ones, not all twenty on every turn.
    clock("2026-12-04T10:00")
    t = tracker("cual es el correo de pqrsa", "ask_contact", [{"entity": "channel", "value": "pqrsa"}],
                slots={"email_summary": "el servicio", "triage_reason": "x"})
    events, _ = run(ActionAnswerQuestion(), t)
    set_names = [e["name"] for e in events if e.get("event") == "slot"]
    assert len(set_names) == len(set(set_names))
    reset = {e["name"] for e in events if e.get("event") == "slot" and e["value"] is None}
    assert reset == {"email_summary", "triage_reason"}
    assert len(set_names) < 12
    text = render("utter_answer", slots_after(t, events))["text"]
    assert PQRSA_EMAIL in text


@pytest.mark.parametrize("text", ["what is the email for complaints?", "a que correo mando un reclamo"])
def test_the_email_for_a_request_type_is_the_pqrsa_email(clock, text):
    # Naming a PQRSA type (in Spanish or English) makes the generic "correo" the PQRSA one.
    clock("2026-12-09T16:30")
    _, answer_text = answer(text, "ask_contact", [{"entity": "channel", "value": "email"}])
    assert PQRSA_EMAIL in answer_text
    assert SUPPORT_EMAIL not in answer_text
