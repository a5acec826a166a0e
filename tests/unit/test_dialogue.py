"""helpdesk/dialogue.py: follow-ups read against the previous answer's topic.

Each case is a small conversation: the messages as the NLU reads them (intent and
text), the answer kind, and words the decided answer must or must not carry.
"""

from __future__ import annotations

import pytest

from helpdesk import dialogue
from helpdesk.clock import parse_moment
from helpdesk.dialogue import Message, Topic
from tools.published import PRIORITY_NUMBER, SUPERVISOR_EMAIL, SUPPORT_EMAIL

P1 = PRIORITY_NUMBER


def play(schedule, moment, turns):
    """Decide each turn with the topic the previous one left; returns the rendered values per turn."""
    now = parse_moment(moment)
    topic = Topic()
    out = []
    for intent, text in turns:
        reply = dialogue.respond(Message(intent, text), topic, schedule, now)
        topic = Topic.from_slot(reply.topic.to_slot())  # through the slot, as in Rasa
        out.append((reply.answer.kind, " ".join(str(v) for v in reply.answer.values.values())))
    return out


def test_a_follow_up_after_the_24_7_line_is_about_the_ordinary_channels(schedule):
    turns = play(schedule, "2026-12-01T22:00", [("ask_contact", "cual es el numero de emergencias?"),
                                                ("ask_contact", "ok y si no es tan grave a donde escribo?")])
    assert P1 in turns[0][1]
    assert P1 not in turns[1][1] and SUPPORT_EMAIL in turns[1][1]


def test_ok_to_the_critical_offer_is_not_a_yes(schedule):
    now = parse_moment("2026-12-01T22:00")
    offer = Topic("open_now", ("support_line",), offer="critical_check")
    for text in ("ok", "k", "listo", "vale"):
        reply = dialogue.respond(Message("affirm", text), offer, schedule, now)
        assert not reply.answer.kind.startswith("critical"), text
    yes = dialogue.respond(Message("affirm", "sí"), offer, schedule, now)
    assert yes.answer.kind.startswith("critical")


@pytest.mark.parametrize("text, level", [
    ("ya escalé con el supervisor hace una semana y no pasa nada, a quién sigue?", "coordinator"),
    ("Le escribí al supervisor hace 5 días y no me contesta. ¿Ahora con quién hablo?", "coordinator"),
    ("necesito el correo del supervisor, nadie me resuelve el problema con la firma", "supervisor"),
    ("hola, no he llamado a soporte todavia pero quiero hablar de una vez con el supervisor", "support_group"),
    ("ok ya llame y me dijeron que tocaba esperar 3 dias, eso no me sirve. ahora si paseme al supervisor", "supervisor"),
])
def test_the_escalation_level_follows_what_the_customer_says(text, level):
    assert dialogue.escalation_level_for("escalate_to_coordinator", text) == level


def test_a_report_read_as_escalation_without_an_escalation_cue_gets_support(schedule):
    turns = play(schedule, "2026-12-08T10:00", [
        ("request_escalation", "me aparece error de conexion cuando mando las solicitudes, eso puede esperar"),
    ])
    assert "supervisor" not in turns[0][1] and P1 not in turns[0][1]


def test_a_date_in_a_contact_question_gets_that_day_with_the_contact(schedule):
    turns = play(schedule, "2026-11-30T11:00", [("ask_contact", "el martes 8 se puede mandar correo? lo leen?")])
    kind, text = turns[0]
    assert kind == "hours_date_closed"
    assert "festivo" in text and "miércoles" in text and SUPPORT_EMAIL in text


def test_is_anyone_there_today_on_a_festivo_says_why_when_and_the_email(schedule):
    turns = play(schedule, "2026-12-25T10:00", [("ask_open_now", "hola hay alguien atendiendo hoy?")])
    text = turns[0][1]
    assert "Navidad" in text and "sábado" in text and SUPPORT_EMAIL in text


def test_until_when_after_pqrsa_is_the_pqrsa_line(schedule):
    turns = play(schedule, "2026-12-01T10:00", [
        ("submit_pqrsa", "quiero poner un reclamo porque me cobraron dos veces"),
        ("ask_opening_hours", "¿hasta qué hora atienden esa línea?"),
    ])
    assert "5:00 p. m." in turns[1][1]


def test_a_time_alone_keeps_the_day_just_asked(schedule):
    turns = play(schedule, "2026-12-04T12:00", [
        ("ask_opening_hours", "si llamo mañana a la 1 de la tarde me contestan?"),
        ("ask_opening_hours", "y a las 12?"),
    ])
    assert "sábado" in turns[1][1].lower()


def test_the_24_7_line_by_any_name_gets_that_line_but_24_hours_support_does_not(schedule):
    asked = play(schedule, "2026-12-06T03:00", [("ask_opening_hours", "me da la línea q atiende 24 horas")])
    assert P1 in asked[0][1]
    hours = play(schedule, "2026-12-06T03:00", [("ask_opening_hours", "¿ustedes atienden 24 horas?")])
    assert P1 not in hours[0][1]


def test_an_escalation_the_nlu_could_not_place_still_gets_the_supervisor(schedule):
    turns = play(schedule, "2026-12-02T06:30", [
        ("nlu_fallback", "Llevo 15 días esperando respuesta del caso y ya no sé a quién más acudir. "
                         "¿Con quién puedo hablar que tenga más autoridad?")])
    assert SUPERVISOR_EMAIL in turns[0][1]


@pytest.mark.parametrize("text, vague", [
    ("quisiera saber si", True), ("necesito lo de la vaina esa del", True), ("oiga y lo del sellito ese como es", True),
    ("el numero de", False),  # names the phone: the support line
    ("el telefono de soporte", False), ("necesito renovar el certificado de firma digital", False),
])
def test_a_half_sentence_gets_a_question_not_a_guess(schedule, text, vague):
    assert dialogue.is_vague(Message("request_support", text)) is vague
    kind = play(schedule, "2026-12-01T17:30", [("request_support", text)])[0][0]
    assert (kind == "help_prompt") is vague


def test_if_i_do_not_make_it_when_do_you_open_again(schedule):
    kind, text = play(schedule, "2026-12-05T12:59", [("ask_opening_hours", "y si no alcanzo, cuando vuelven a abrir?")])[0]
    assert "lunes 7 de diciembre" in text and "7:00 a. m." in text


def test_thanks_after_the_24_7_line_do_not_repeat_it(schedule):
    turns = play(schedule, "2026-12-01T22:00", [
        ("report_critical_incident", "se cayó el estampado para todos los usuarios, tenemos la facturación parada"),
        ("nlu_fallback", "gracias, ya marco"),
    ])
    assert P1 in turns[0][1] and P1 not in turns[1][1]


def test_when_do_you_open_again_and_another_way_are_answered_even_unplaced(schedule):
    kind, text = play(schedule, "2026-12-05T12:59", [("nlu_fallback", "y si no alcanzo, cuando vuelven a abrir?")])[0]
    assert "lunes 7 de diciembre" in text
    kind, text = play(schedule, "2026-12-01T10:00", [("nlu_fallback", "el link no me abre, hay otra forma?")])[0]
    assert "7442727" in text and SUPPORT_EMAIL in text


@pytest.mark.parametrize("text", ["gracias, chao", "gracias, ya marco", "ok gracias!!", "mil gracias, adiós",
                                  "listo, hasta luego"])
def test_a_thank_you_the_nlu_could_not_place_is_still_one(schedule, text):
    # Found by the support report on the corpus run: "gracias, chao" got "Disculpe, no le entendí".
    turns = play(schedule, "2026-12-01T22:00", [("report_critical_incident", "se cayó el estampado, todo parado"),
                                                ("nlu_fallback", text)])
    assert turns[1][0] == "acknowledge"


@pytest.mark.parametrize("text", ["gracias pero el token sigue sin firmar", "gracias, y el correo?",
                                  "asdf qwer"])
def test_a_message_that_says_more_than_thanks_is_not_taken_for_one(schedule, text):
    turns = play(schedule, "2026-12-01T22:00", [("nlu_fallback", text)])
    assert turns[0][0] != "acknowledge"


def test_a_worded_no_to_the_critical_offer_is_a_no_even_when_the_nlu_cannot_place_it(schedule):
    # Found by the support report on the corpus run: it got "¿Se refiere a …?".
    now = parse_moment("2026-12-01T19:00")
    offer = Topic("problem", offer="critical_check")
    reply = dialogue.respond(Message("nlu_fallback", "pues la verdad no, seguimos trabajando normal", 0.3),
                             offer, schedule, now)
    assert reply.answer.kind.startswith("not_critical")
    assert P1 not in " ".join(str(v) for v in reply.answer.values.values())
    reply = dialogue.respond(Message("nlu_fallback", "si, nos tiene parada la facturacion", 0.3), offer, schedule, now)
    assert reply.answer.kind.startswith("critical")
    # without the offer, the same words are not taken for an answer
    reply = dialogue.respond(Message("nlu_fallback", "pues la verdad no, seguimos trabajando normal", 0.3),
                             Topic(), schedule, now)
    assert not reply.answer.kind.startswith("not_critical")
