"""Live conversations through the REST channel, at fixed moments (ASSISTANT_NOW).

These run the real Rasa server with the trained model and the real action
server: NLU, rules, actions and responses together, as customers use them.
"""

import pytest

from tools.published import (
    CHAT_URL,
    COORDINATOR_EMAIL,
    MAIN_LINE,
    PQRSA_EMAIL,
    PRIORITY_NUMBER,
    SUPERVISOR_EMAIL,
    SUPPORT_EMAIL,
)

P1 = PRIORITY_NUMBER


def test_phone_question_with_typos(customer):
    c = customer("2026-12-04T10:00")  # Friday morning
    text = c.say("kual es el telefno d soporte??")
    assert MAIN_LINE in text and "opción 2 (Soporte) y luego opción 1" in text
    assert "hasta las 7:00 p. m." in text
    assert P1 not in text


def test_all_caps_chat_link_on_saturday_afternoon(customer):
    c = customer("2026-12-05T13:30")
    text = c.say("PASEME EL LINK DEL CHAT")
    assert CHAT_URL in text
    assert "abre el lunes a las 7:00 a. m." in text


def test_do_you_attend_on_saturdays_and_holidays(customer):
    c = customer("2026-12-02T10:00")
    text = c.say("atienden los sabados?")
    assert "8:00 a. m. a 1:00 p. m." in text
    text = c.say("y los festivos?")
    assert "festivos no hay atención" in text
    assert P1 not in text


def test_misspelt_saturday_gets_saturdays_hours(customer):
    c = customer("2026-12-02T10:00")
    text = c.say("atienden el sabdo?")
    assert "sábado" in text and "8:00 a. m. a 1:00 p. m." in text


def test_shouted_what_if_timestamping_falls_in_production_gets_the_24_7_line(customer):
    # whatever the NLU makes of it, a service down in production must get the P1 line
    c = customer("2026-12-06T03:00")
    text = c.say("Q PASA SI SE ME CAE EL ESTAMPADO EN PRODUCCION")
    assert P1 in text, text


@pytest.mark.parametrize(
    "moment,expected",
    [
        ("2026-12-04T19:30", "mañana sábado a las 8:00 a. m."),
        ("2026-12-05T13:30", "el lunes a las 7:00 a. m."),
        ("2026-12-07T20:00", "el miércoles a las 7:00 a. m."),
    ],
)
def test_can_you_attend_me_now_when_closed(customer, moment, expected):
    c = customer(moment)
    text = c.say("me pueden atender ahora?")
    assert expected in text
    assert SUPPORT_EMAIL in text
    assert P1 not in text


def test_can_you_attend_me_now_when_open(customer):
    c = customer("2026-12-04T17:30")
    text = c.say("hay alguien q me atienda ya?")
    assert MAIN_LINE in text and CHAT_URL in text
    assert P1 not in text


def test_critical_incident_sunday_3am(customer):
    c = customer("2026-12-06T03:00")
    text = c.say("URGENTE se cayo el servicio de estampado, toda la operacion esta detenida")
    assert P1 in text
    assert "lunes a las 7:00 a. m." in text


def test_critical_incident_during_hours_also_gives_open_channels(customer):
    c = customer("2026-12-04T10:00")
    text = c.say("no podemos firmar nada en produccion, ningun usuario puede firmar")
    assert P1 in text
    assert MAIN_LINE in text and CHAT_URL in text


def test_renewal_question_sunday_10am(customer):
    c = customer("2026-12-06T10:00")
    text = c.say("buenas, quiero renovar mi firma digital q esta por vencer")
    assert "lunes a las 7:00 a. m." in text
    assert SUPPORT_EMAIL in text
    assert P1 not in text


def test_invoice_problem_friday_18_30(customer):
    c = customer("2026-12-04T18:30")
    text = c.say("tengo un problema, no me deja firmar las facturas electronicas")
    assert MAIN_LINE in text and "hasta las 7:00 p. m." in text
    assert P1 not in text


def test_festivo_morning(customer):
    c = customer("2026-12-08T09:00")
    text = c.say("buenos dias, hoy me pueden atender?")
    assert "festivo" in text
    assert "mañana miércoles a las 7:00 a. m." in text
    assert P1 not in text


def test_pqrsa_complaint(customer):
    c = customer("2026-12-04T10:00")
    text = c.say("quiero poner una queja por un cobro que me hicieron")
    assert PQRSA_EMAIL in text and "opción 3" in text
    assert P1 not in text


def test_english_sentence(customer):
    c = customer("2026-12-04T10:00")
    text = c.say("what's your support phone number?")
    assert MAIN_LINE in text


def test_out_of_scope_gets_a_menu(customer):
    c = customer("2026-12-04T10:00")
    text = c.say("cual es la capital de francia")
    assert "solo atiendo consultas" in text
    assert "Reportar un problema" in c.buttons
    assert MAIN_LINE not in text


def test_after_hours_triage_with_buttons_and_summary(customer):
    c = customer("2026-12-05T20:00")  # Saturday night
    text = c.say("tengo un problema")
    assert "el lunes a las 7:00 a. m." in text
    assert "¿Qué servicio está afectado?" in text
    text = c.press("Firma digital")
    assert "¿El problema detiene su operación?" in text
    text = c.press("No")
    assert "Descríbame el problema" in text
    text = c.say("el token no aparece cuando lo conecto al computador")
    assert "No es un incidente crítico" in text
    assert f"escriba a {SUPPORT_EMAIL} con el servicio (firma digital)" in text
    assert P1 not in text


def test_triage_digression_then_resume(customer):
    c = customer("2026-12-05T20:00")
    c.say("tengo un problema con el estampado")
    text = c.say("cual es el correo de soporte?")
    assert SUPPORT_EMAIL in text
    assert "¿El problema detiene su operación?" in text  # the pending question again
    text = c.say("si, toda la operacion esta parada")
    assert P1 in text


def test_triage_cancel(customer):
    c = customer("2026-12-05T20:00")
    c.say("tengo un problema")
    text = c.say("olvidalo")
    assert "lo dejamos aquí" in text
    text = c.say("gracias")
    assert "Con gusto" in text


def test_two_answers_in_one_message(customer):
    c = customer("2026-12-05T20:00")
    c.say("tengo un problema")
    text = c.say("es la firma digital y no es urgente")
    assert "Descríbame el problema" in text


def test_escalation_to_the_coordinator(customer):
    # No questions first: the coordinator's contacts in the first answer.
    c = customer("2026-12-04T10:00")
    text = c.say("ya hable con el supervisor y no me resolvieron nada")
    assert COORDINATOR_EMAIL in text and "1101" in text
    assert P1 not in text


def test_escalation_gives_the_supervisor_at_once_and_never_contacted_support_goes_to_level_1(customer):
    c = customer("2026-12-04T10:00")
    text = c.say("quiero hablar con un supervisor, nadie me resuelve")
    assert SUPERVISOR_EMAIL in text and "1104" in text
    assert "número de caso" in text and P1 not in text  # optional, never a gate
    text = c.say("no he llamado a soporte todavía, quiero ir directo al supervisor")
    assert "grupo de soporte técnico" in text and MAIN_LINE in text
    assert "supervisor.mesadeayuda" not in text


def test_three_misunderstandings_in_a_row_on_rest_give_the_agents_channels(customer):
    # What the NLU makes of gibberish depends on the model (it may read it as out of
    # scope); the intent is sent directly so this tests the dialogue, not the NLU.
    # Two-stage fallback: "¿Se refiere a …?" or a request to rephrase, then the agents' channels.
    c = customer("2026-12-04T10:00")
    first = c.say("/nlu_fallback")
    assert "no le entendí" in first or "Se refiere" in first or "entendido" in first
    second = c.say("/nlu_fallback")
    assert "no le entendí" in second and "otra forma" in second
    third = c.say("/nlu_fallback")
    assert "no logro entenderle" in third
    assert CHAT_URL in third  # REST cannot carry an agent's replies


def test_asking_for_a_person_on_rest_during_chat_hours(customer):
    c = customer("2026-12-04T10:00")
    text = c.say("quiero hablar con un asesor")
    assert CHAT_URL in text and P1 not in text


def test_asking_for_a_person_after_hours(customer):
    c = customer("2026-12-05T14:00")
    text = c.say("me comunica con una persona por favor")
    assert "no hay asesores disponibles" in text and "el lunes a las 7:00 a. m." in text


def test_assistant_now_alone_fixes_the_clock_of_a_new_action_server(assistant, customer):
    # The acceptance suite's contract: `python -m rasa_sdk --actions actions` started with
    # ASSISTANT_NOW only. The other live tests move the clock through ASSISTANT_NOW_FILE.
    assistant.start_actions("2026-12-06T03:00", clock_file=False)
    try:
        c = customer("2026-12-06T03:00")
        text = c.say("hay alguien que me atienda ya?")
        assert "domingo" in text and "lunes" in text and "7:00 a. m." in text
    finally:
        assistant.start_actions("2026-12-04T10:00")
