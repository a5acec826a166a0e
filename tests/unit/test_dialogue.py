"""helpdesk/dialogue.py: follow-ups read against the previous answer's topic.

Each case is a small conversation: the messages as the NLU reads them (intent and
text), the answer kind, and words the decided answer must or must not carry.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from helpdesk import dialogue
from helpdesk.clock import parse_moment
from helpdesk.dialogue import Message, Topic
from tools.published import PRIORITY_NUMBER, SUPPORT_EMAIL

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


@pytest.mark.parametrize("intent, text, level", [
    ("escalate_to_coordinator", "ya escalé con el supervisor hace una semana y no pasa nada, a quién sigue?", "coordinator"),
    ("request_escalation", "necesito el correo del supervisor, nadie me resuelve el problema con la firma", "supervisor"),
    ("request_escalation", "hola, no he llamado a soporte todavia pero quiero hablar de una vez con el supervisor",
     "support_group"),
    ("escalate_to_coordinator", "no he llamado a soporte, páseme con el coordinador", "support_group"),
    ("request_escalation", "quiero hablar con el coordinador", "coordinator"),
])
def test_the_classifier_picks_the_level_and_the_text_modifies_it(intent, text, level):
    assert dialogue.escalation_level_for(intent, text) == level


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


def test_is_the_chat_open_asked_inside_the_chat_is_about_this_chat(schedule):
    now = parse_moment("2026-12-01T10:00")
    in_widget = Message("ask_open_now", "¿el chat está abierto?", entities=({"entity": "channel", "value": "chat"},),
                        channel="socketio")
    reply = dialogue.respond(in_widget, Topic(), schedule, now)
    assert reply.answer.kind == "chat_here_open"
    over_rest = dialogue.respond(replace(in_widget, channel="rest"), Topic(), schedule, now)
    assert over_rest.answer.kind != "chat_here_open" and "chat.certicamara.com" in str(over_rest.answer.values)
    closed = dialogue.respond(in_widget, Topic(), schedule, parse_moment("2026-12-06T10:00"))
    assert closed.answer.kind == "chat_here_closed" and "lunes" in closed.answer.values["next_opening"]


def _clause(text, intent, confidence, ranking):
    return {"text": text, "sentence": True, "intent": intent, "confidence": confidence,
            "ranking": [list(r) for r in ranking], "entities": []}


def test_a_sentence_read_critical_does_not_decide_for_a_letter_that_asks_the_hours():
    """A letter asking whether they attend on 24 December "because treasury must sign that
    day": one sentence read critical (0.83), the whole read first as a question about the
    hours and naming no stop — it is not a priority-1 report."""
    sentence = ("Por medio de la presente solicitamos nos informen el horario de soporte el 24 de "
                "diciembre, toda vez que nuestra área de tesorería requiere firmar documentos ese día.")
    letter = Message("ask_opening_hours", sentence + " Agradecemos su atención.", 0.52, (),
                     (("ask_opening_hours", 0.52), ("report_critical_incident", 0.41)),
                     (_clause(sentence, "report_critical_incident", 0.83,
                              (("report_critical_incident", 0.83), ("ask_opening_hours", 0.12))),
                      _clause("Agradecemos su atención.", "thank", 0.99, (("thank", 0.99),))))
    assert dialogue.reading_of(letter).critical is not True
    # a sentence that tells the stop, beside a whole that names it, decides
    outage = "Hoy el estampado está caído y nadie puede sellar."
    stopped = replace(letter, text=letter.text + " " + outage, clauses=letter.clauses + (
        _clause(outage, "report_critical_incident", 0.95, (("report_critical_incident", 0.95),)),))
    assert dialogue.reading_of(stopped).critical is True


@pytest.mark.parametrize("text", ["¿a qué hora abren mañana?", "what time do you open tomorrow?"])
def test_tomorrow_asked_after_midnight_is_the_coming_opening_today(schedule, text):
    # Monday 7 December 2026, 03:20: Tuesday the 8th is a festivo; "mañana" means today at 7:00
    kind, said = play(schedule, "2026-12-07T03:20", [("ask_opening_hours", text)])[0]
    assert "7:00 a. m." in said and "festivo" not in said, (kind, said)
    # the 8th named by its date is the 8th
    kind, said = play(schedule, "2026-12-07T03:20", [("ask_opening_hours", "¿y el martes 8 hay atención?")])[0]
    assert "festivo" in said or "Inmaculada" in said, (kind, said)


def test_a_question_the_nlu_could_not_place_beside_a_thanks_is_not_thanked(schedule):
    question = "¿Me repite, por favor, el número de la línea de incidentes críticos?"
    message = Message("thank", "Le agradezco. " + question, 0.79, (), (("thank", 0.79), ("ask_repeat", 0.16)),
                      (_clause("Le agradezco.", "thank", 0.99, (("thank", 0.99),)),
                       _clause(question, "nlu_fallback", 0.45, (("nlu_fallback", 0.45), ("ask_repeat", 0.43),
                                                                ("ask_contact", 0.40)))))
    reply = dialogue.respond(message, Topic(), schedule, parse_moment("2026-09-15T11:10"))
    # both guesses (repeat, contact) lead to the line the question names: it is given
    assert reply.answer.kind == "contact_priority_line", reply.answer.kind
    assert P1 in " ".join(map(str, reply.answer.values.values()))
    # a thanks alone is thanked
    alone = dialogue.respond(Message("thank", "Le agradezco."), Topic(), schedule, parse_moment("2026-09-15T11:10"))
    assert not alone.answer.kind.startswith("did_you_mean")


def test_beside_a_critical_incident_an_hours_question_does_not_list_who_attends_again(schedule):
    hours = "¿El correo de soporte atiende los sábados?"
    outage = "Y desde hace media hora el estampado está caído y toda la producción detenida."
    message = Message("report_critical_incident", f"Buenos días. {hours} {outage}", 0.9, (),
                      (("report_critical_incident", 0.9), ("ask_opening_hours", 0.08)),
                      (_clause(hours, "ask_opening_hours", 0.97, (("ask_opening_hours", 0.97),)),
                       _clause(outage, "report_critical_incident", 0.98, (("report_critical_incident", 0.98),))))
    reply = dialogue.respond(message, Topic(), schedule, parse_moment("2026-12-01T10:00"))
    said = [*reply.before, reply.answer]
    assert said[0].kind.startswith("critical"), [a.kind for a in said]
    assert any(a.kind.startswith("hours") for a in said[1:]), [a.kind for a in said]
    assert all(not a.values.get("status") for a in said[1:])
    assert all(a.kind not in dialogue.NOW_LISTS for a in said[1:])


def test_a_contact_asked_beside_an_escalation_is_the_level_just_given(schedule):
    escalation = "ya me cansé de llamar, nadie me resuelve."
    contact = "dame el correo de alguien que sí resuelva"
    message = Message("request_escalation", f"{escalation} {contact}", 0.8, (),
                      (("request_escalation", 0.8), ("ask_contact", 0.15)),
                      (_clause(escalation, "request_escalation", 0.95, (("request_escalation", 0.95),)),
                       _clause(contact, "ask_contact", 0.93, (("ask_contact", 0.93),))))
    reply = dialogue.respond(message, Topic(), schedule, parse_moment("2026-12-01T18:59"))
    said = [*reply.before, reply.answer]
    assert [a.kind for a in said] == ["escalation_supervisor"], [a.kind for a in said]
    # the support e-mail asked by name beside it is answered
    named = replace(message, clauses=(message.clauses[0], _clause("¿y el correo de soporte?", "ask_contact", 0.95,
                                                                  (("ask_contact", 0.95),))))
    said = [*dialogue.respond(named, Topic(), schedule, parse_moment("2026-12-01T18:59")).before]
    assert len(said) == 1


@pytest.mark.parametrize("intent", ["affirm", "nlu_fallback", "ask_contact"])
def test_ok_i_will_call_after_the_24_7_line_is_acknowledged_not_answered_with_a_closed_line(schedule, intent):
    critical = Topic("critical", ("priority_line",), incident=True)
    call = ({"entity": "channel", "value": "support_line", "start": 8, "end": 13},)
    reply = dialogue.respond(Message(intent, "listo ya llamo", 0.47, call), critical, schedule,
                             parse_moment("2026-12-09T22:20"))
    assert reply.answer.kind == "acknowledge" or reply.answer.kind == "anything_else", reply.answer.kind
    # a yes to the critical offer is still a yes
    offer = Topic("open_now", ("support_line",), offer="critical_check")
    yes = dialogue.respond(Message("affirm", "sí"), offer, schedule, parse_moment("2026-12-09T22:20"))
    assert yes.answer.kind.startswith("critical")


def test_the_customers_own_uncertainty_does_not_make_a_problem_critical():
    problem = "el programa de la firma me está sacando un letrero que no entiendo cuando voy a firmar"
    worry = "y no sé qué hacer porque yo no sé mucho de computadores"
    message = Message("report_critical_incident", f"{problem} {worry}", 0.8, (),
                      (("report_critical_incident", 0.8), ("report_problem", 0.2)),
                      ({**_clause(problem, "report_problem", 1.0, (("report_problem", 1.0),)), "sentence": False},
                       {**_clause(worry, "report_critical_incident", 1.0, (("report_critical_incident", 1.0),)),
                        "sentence": False}))
    assert dialogue.reading_of(message).critical is not True
    # a piece that tells the stop supports it
    stopped = replace(message, clauses=(message.clauses[0], {**message.clauses[1], "text": "y nadie en la notaría puede firmar"}))
    assert dialogue.reading_of(stopped).critical is True


def test_a_part_read_as_level_3_that_names_no_supervisor_or_coordinator_is_not_escalated(schedule):
    plan = "estamos planeando salir en producción con la integración del estampado en enero."
    who = "¿Con quién hablamos para coordinar las pruebas?"
    message = Message("request_support", f"{plan} {who}", 0.7, (), (("request_support", 0.7),),
                      (_clause(plan, "request_support", 0.9, (("request_support", 0.9),)),
                       _clause(who, "escalate_to_coordinator", 0.9, (("escalate_to_coordinator", 0.9),))))
    reply = dialogue.respond(message, Topic(), schedule, parse_moment("2026-12-04T12:00"))
    assert all(not a.kind.startswith("escalation") for a in [*reply.before, reply.answer])
    named = replace(message, clauses=(message.clauses[0], _clause("ya hablé con el supervisor y nada, ¿y el coordinador?",
                                                                  "escalate_to_coordinator", 0.9,
                                                                  (("escalate_to_coordinator", 0.9),))))
    reply = dialogue.respond(named, Topic(), schedule, parse_moment("2026-12-04T12:00"))
    assert any(a.kind == "escalation_coordinator" for a in [*reply.before, reply.answer])


@pytest.mark.parametrize("text", ["xq el lunes no?", "¿y el lunes tampoco?"])
def test_a_no_that_asks_about_a_day_is_a_question_about_that_day(schedule, text):
    # Sunday 15 November 2026; Monday the 16th is a festivo
    kind, said = play(schedule, "2026-11-15T10:00", [("deny", text)])[0]
    assert "festivo" in said and "16 de noviembre" in said, (kind, said)
    kind, _ = play(schedule, "2026-11-15T10:00", [("deny", "no")])[0]
    assert not kind.startswith("hours")


def test_a_date_written_like_a_number_with_support_asked_for_is_a_question_about_that_day(schedule):
    kind, said = play(schedule, "2026-01-10T09:30", [("ask_case_status", "12-01 hay soporte?")])[0]
    assert "12 de enero" in said, (kind, said)
    kind, _ = play(schedule, "2026-01-10T09:30", [("ask_case_status", "en qué va el caso 12-01?")])[0]
    assert kind.startswith("case_status"), kind


def test_a_contact_just_given_that_does_not_answer_is_a_no_answer_report(schedule):
    """'ese celular no contesta, ¿hay otro número?' after the 24/7 line: insist, the supervisor
    and the e-mail — not the same number again."""
    critical = Topic("critical", ("priority_line",), incident=True)
    reply = dialogue.respond(Message("ask_contact", "ese celular no contesta, hay otro numero?", 0.8), critical,
                             schedule, parse_moment("2026-12-08T09:20"))
    assert reply.answer.kind == "no_answer_critical"
    # with no contact given before, the question is a contact question
    fresh = dialogue.respond(Message("ask_contact", "cual es el numero? el otro no contesta", 0.8), Topic(),
                             schedule, parse_moment("2026-12-08T09:20"))
    assert fresh.answer.kind != "no_answer_critical"


def test_an_escalation_in_the_middle_of_the_critical_question_keeps_it_pending(schedule):
    """Asked whether the problem stops the operation, the customer first escalates; the 'no,
    puede esperar' that follows still answers the question."""
    now = parse_moment("2026-10-05T20:40")
    asked = Topic("problem", offer="critical_check")
    escalated = dialogue.respond(Message("escalate_to_coordinator", "ya hable con el supervisor y nada", 0.9), asked,
                                 schedule, now)
    assert escalated.answer.kind.startswith("escalation") and escalated.topic.offer == "critical_check"
    after = Topic.from_slot(escalated.topic.to_slot())
    no = dialogue.respond(Message("deny", "no, puede esperar a mañana, solo soy yo", 0.9), after, schedule, now)
    assert SUPPORT_EMAIL in " ".join(str(v) for v in no.answer.values.values())
    # an escalation with nothing pending leaves nothing pending
    plain = dialogue.respond(Message("request_escalation", "nadie me resuelve", 0.9), Topic(), schedule, now)
    assert plain.topic.offer is None


def test_a_part_that_tells_no_failure_supports_no_critical_reading():
    """'pero no hay nadie hoy? es urgente' after a renewal: 'es urgente' alone reports nothing;
    a telegraphic report ('nomina. hoy. firma no sale. ningun pc') is still supported."""
    message = Message("report_critical_incident", "pero no hay nadie hoy? es urgente", 0.66, (),
                      (("report_critical_incident", 0.66), ("ask_open_now", 0.13)),
                      (_clause("pero no hay nadie hoy?", "nlu_fallback", 0.35, (("nlu_fallback", 0.35),)),
                       _clause("es urgente", "report_critical_incident", 0.37, (("report_critical_incident", 0.37),))))
    assert dialogue.reading_of(message).critical is not True
    telegraphic = Message("report_critical_incident", "nomina. hoy. firma no sale. ningun pc", 0.9, (),
                          (("report_critical_incident", 0.9), ("report_problem", 0.1)),
                          (_clause("nomina.", "inform", 0.5, (("inform", 0.5),)),
                           _clause("firma no sale.", "report_problem", 0.6, (("report_problem", 0.6), ("report_critical_incident", 0.35))),
                           _clause("ningun pc", "report_critical_incident", 0.5, (("report_critical_incident", 0.5),))))
    assert dialogue.reading_of(telegraphic).critical is True


def test_a_reply_to_the_critical_offer_needs_a_part_that_bears_it_out(schedule):
    """After 'closed, write to the e-mail' (critical offer pending), '¿pero no hay nadie hoy? es
    urgente' is a question and an urgency — not a yes; 'sí, es urgente' and a stop told are."""
    offer = Topic("open_now", ("support_line",), offer="critical_check")
    now = parse_moment("2027-02-14T11:05")
    leaning = (("report_critical_incident", 0.66), ("ask_open_now", 0.13))
    asked = Message("report_critical_incident", "pero no hay nadie hoy? es urgente", 0.66, (), leaning,
                    (_clause("pero no hay nadie hoy?", "nlu_fallback", 0.35, (("ask_opening_hours", 0.37),
                                                                              ("report_critical_incident", 0.15))),
                     _clause("es urgente", "report_critical_incident", 0.37, (("report_critical_incident", 0.37),))))
    assert dialogue.reply_reading_of(asked).critical is None
    assert not dialogue.respond(asked, offer, schedule, now).answer.kind.startswith("critical")
    yes = Message("affirm", "sí, es urgente", 0.9, (), (("affirm", 0.9),),
                  (_clause("sí,", "affirm", 0.9, (("affirm", 0.9),)),
                   _clause("es urgente", "report_critical_incident", 0.37, (("report_critical_incident", 0.37),))))
    assert dialogue.reply_reading_of(yes).critical is True
    stop = Message("report_critical_incident", "nadie puede firmar. todo parado", 0.9, (), (("report_critical_incident", 0.9),),
                   (_clause("nadie puede firmar.", "report_critical_incident", 0.8, (("report_critical_incident", 0.8),)),
                    _clause("todo parado", "report_critical_incident", 0.6, (("report_critical_incident", 0.6),))))
    assert dialogue.reply_reading_of(stop).critical is True


def test_a_fallback_between_hours_and_now_asked_in_the_chat_about_the_chat_is_about_this_chat():
    """'¿El chat está abierto?' read 0.36 hours / 0.34 now (a fallback by ambiguity), in the chat."""
    chat = ({"entity": "channel", "value": "chat", "start": 4, "end": 8},)
    ranking = (("nlu_fallback", 0.35), ("ask_opening_hours", 0.36), ("ask_open_now", 0.34))
    message = Message("nlu_fallback", "¿El chat está abierto?", 0.35, chat, ranking, channel="socketio")
    assert dialogue.classify(message, Topic(), dialogue.PriorityReading(None)) == "chat_here"
    elsewhere = Message("nlu_fallback", "¿cuál es el precio?", 0.35, (), (("nlu_fallback", 0.35), ("ask_price", 0.3)),
                        channel="socketio")
    assert dialogue.classify(elsewhere, Topic(), dialogue.PriorityReading(None)) != "chat_here"


# ---------------------------------------------------------------- first-sight batch 4 classes


def test_a_statement_of_a_failure_before_the_question_is_not_only_a_question():
    from helpdesk.priority import only_a_question

    assert only_a_question("¿y hoy no hay nadie?")
    assert only_a_question("oiga, ¿y mañana hay alguien?")
    assert not only_a_question("el sellado dejó de responder hace una hora, ningún contrato sale firmado, qué hago??")


def test_a_negation_after_the_supervisor_in_another_clause_is_not_about_the_supervisor():
    assert dialogue.escalation_level_for(
        "request_escalation", "me comunica con el supervisor, aún no he abierto un caso con ustedes") == "support_group"
    assert not dialogue.supervisor_done("prefiero el supervisor, no tengo tiempo de llamar a la línea")
    assert dialogue.supervisor_done("el supervisor no me ha resuelto nada")


def test_a_phone_asked_for_that_after_pqrsa_is_the_pqrsa_phone(schedule):
    turns = play(schedule, "2026-12-01T10:00", [
        ("submit_pqrsa", "quiero presentar un reclamo por una factura mal hecha"),
        ("ask_contact", "y hay algún teléfono para eso?"),
    ])
    assert "opción 3" in turns[1][1]


@pytest.mark.parametrize("first, second", [
    (("me pasa el correo de soporte", "ask_contact"), ("y el horario del sábado?", "ask_opening_hours")),
    (("qué horario tiene la línea", "ask_opening_hours"), ("y a qué correo escribo", "ask_contact")),
])
def test_a_part_read_as_a_request_for_information_asks_without_a_question_mark(schedule, first, second):
    text = f"{first[0]} {second[0]}"
    message = Message(second[1], text, 0.9, (), ((second[1], 0.9), (first[1], 0.1)),
                      (_clause(first[0], first[1], 0.75, ((first[1], 0.75),)),
                       _clause(second[0], second[1], 0.97, ((second[1], 0.97),))))
    assert [p.intent for p in dialogue.questions_of(message)] == [first[1], second[1]]


def test_the_day_asked_beside_another_request_stays_for_a_part_of_that_day(schedule):
    """'¿abren el sábado? necesito instalar el token' then '¿y en la tarde, a las 3?': Saturday at 3."""
    now = parse_moment("2027-02-10T14:30")
    asked = "abren el sabado?"
    need = "necesito que me ayuden a instalar el token"
    message = Message("request_support", f"{asked} {need}", 0.8, (), (("request_support", 0.8),),
                      (_clause(asked, "ask_opening_hours", 0.95, (("ask_opening_hours", 0.95),)),
                       _clause(need, "request_support", 0.95, (("request_support", 0.95),))))
    first = dialogue.respond(message, Topic(), schedule, now)
    topic = Topic.from_slot(first.topic.to_slot())
    assert topic.day is not None and topic.day.weekday() == 5
    later = dialogue.respond(Message("ask_opening_hours", "y en la tarde tipo 3 alcanzo?"), topic, schedule, now)
    said = " ".join(str(v) for v in later.answer.values.values())
    assert "sábado" in said and "1:00 p. m." in said, said


def test_a_hypothetical_that_also_asks_the_hours_gets_both(schedule):
    now = parse_moment("2027-03-08T09:15")
    message = Message("ask_opening_hours", "si algún día se cae la plataforma un sábado qué hago, y atienden sábados?", 0.95)
    reply = dialogue.respond(message, Topic(), schedule, now)
    kinds = [a.kind for a in (*reply.before, reply.answer)]
    assert kinds[0] == "priority_procedure" and len(kinds) == 2, kinds
    said = " ".join(str(v) for v in reply.answer.values.values())
    assert "8:00 a. m." in said and P1 not in said
    only = dialogue.respond(Message("report_problem", "qué hago si algún día se cae la plataforma?", 0.9), Topic(), schedule, now)
    assert not only.before


def test_channels_listed_by_an_earlier_answer_to_the_same_message_are_not_repeated(schedule):
    """'¿en qué va mi pedido? compré un token y no llega': the problem's answer (the triage's)
    listed who attends now; the case-status answer after it does not list them again."""
    from helpdesk import triage

    now = parse_moment("2027-02-04T13:10")
    problem = triage.triage_step(schedule, now, triage.TriageAnswers(service="firma_digital", operation_blocked=None,
                                                                    description="no llega el token"), ()).answer
    status = Message("ask_case_status", "en qué va mi pedido 77321?", 0.9)
    reply = dialogue.respond_to_each([status], Topic(), schedule, now, said=problem)
    first = str(problem.values.get("open_channels"))
    second = str(reply.answer.values.get("open_channels"))
    assert "7442727" in first and "7442727" not in second and "arriba" in second, second
    assert SUPPORT_EMAIL in first + second


def test_a_question_read_first_as_an_incident_is_answered_as_the_question_ranked_next():
    ranking = (("report_critical_incident", 0.57), ("ask_opening_hours", 0.35), ("ask_open_now", 0.06))
    asked = dialogue.question_instead_of_report(Message("report_critical_incident", "y hoy no hay nadie?", 0.57, (), ranking))
    assert asked is not None and asked.intent == "ask_opening_hours"
    urgent = Message("report_critical_incident", "pero no hay nadie hoy? es urgente", 0.57, (), ranking)
    assert dialogue.question_instead_of_report(urgent) is not None
    # the schedule family together: now 0.12 + hours 0.08
    split = (("report_critical_incident", 0.73), ("ask_open_now", 0.12), ("ask_opening_hours", 0.08))
    asked = dialogue.question_instead_of_report(Message("report_critical_incident", "pero no hay nadie hoy? es urgente",
                                                        0.73, (), split))
    assert asked is not None and asked.intent == "ask_open_now"
    # a stop named, or a statement, stays a report
    assert dialogue.question_instead_of_report(
        Message("report_critical_incident", "¿se cayó el servicio? nadie firma", 0.57, (), ranking)) is None
    assert dialogue.question_instead_of_report(
        Message("report_critical_incident", "está caída la plataforma?", 0.57, (), ranking)) is None
    assert dialogue.question_instead_of_report(
        Message("report_critical_incident", "hoy no hay nadie que pueda firmar", 0.57, (), ranking)) is None


@pytest.mark.parametrize("text, named", [
    ("necesito con urgencia el correo para renovar", False),   # urgency, not the line ("urgencias" no typo of it)
    ("es una urgencia, a dónde llamo para renovar?", False),
    ("me da el número de urgencias", True),
    ("ese es el de emergencias?", True),
    ("cuál es la línea 24 horas", True),
])
def test_only_a_name_of_the_24_7_line_names_it(text, named):
    from helpdesk.understanding import requested_channels

    assert ("priority_line" in requested_channels([], text)) is named


def test_a_generic_contact_right_after_pqrsa_is_the_pqrsa_one_unless_support_is_named(schedule):
    turns = play(schedule, "2026-03-18T10:20", [
        ("submit_pqrsa", "manifiesto nuestra inconformidad por un cobro doble"),
        ("ask_contact", "a q correo lo envio entonces, me confirma porfa?"),
    ])
    assert "certicamararesponde" in turns[1][1]
    turns = play(schedule, "2026-03-18T10:20", [
        ("submit_pqrsa", "manifiesto nuestra inconformidad por un cobro doble"),
        ("ask_contact", "y el correo de soporte técnico para otra cosa?"),
    ])
    assert SUPPORT_EMAIL in turns[1][1]


def test_an_escalation_right_after_the_supervisors_contact_is_the_next_level(schedule):
    turns = play(schedule, "2026-11-30T11:00", [
        ("ask_contact", "el supervisor como lo contacto"),
        ("request_escalation", "y si él tampoco me resuelve?"),
    ])
    assert "coordinador" in turns[1][1]


def test_hours_of_the_supervisor_are_its_contact_that_says_it_publishes_none(schedule):
    turns = play(schedule, "2026-12-10T23:40", [("ask_opening_hours", "y el supervisor a que hora llega?")])
    assert "supervisor.mesadeayuda" in turns[0][1] or "745 2141" in turns[0][1]


def test_after_a_critical_answer_beside_another_the_state_is_the_incident(schedule):
    now = parse_moment("2026-12-09T22:15")
    report = "desde las 9 ninguno de los cajeros puede firmar las facturas"
    asked = "y el correo de soporte cual es?"
    message = Message("report_critical_incident", f"{report} {asked}", 0.95, (), (("report_critical_incident", 0.95),),
                      (_clause(report, "report_critical_incident", 0.95, (("report_critical_incident", 0.95),)),
                       _clause(asked, "ask_contact", 0.95, (("ask_contact", 0.95),))))
    reply = dialogue.respond(message, Topic(), schedule, now)
    assert reply.before and reply.before[0].kind.startswith("critical")
    topic = Topic.from_slot(reply.topic.to_slot())
    assert topic.kind == "critical" and "priority_line" in topic.channels
    again = dialogue.respond(Message("ask_repeat", "me repite el numero porfa"), topic, schedule, now)
    assert P1 in " ".join(str(v) for v in again.answer.values.values())


def test_a_request_for_information_told_as_something_done_is_no_question():
    from helpdesk.clauses import questions_asked

    done = "ya llame a ese numero 2 veces"
    fails = "no contesta nadie"
    message = Message("report_no_answer", f"{done} y {fails}", 0.9, (), (("report_no_answer", 0.9),),
                      (_clause(done, "ask_contact", 0.85, (("ask_contact", 0.85),)),
                       _clause(f"y {fails}", "report_no_answer", 0.95, (("report_no_answer", 0.95),))))
    assert [p.intent for p in questions_asked(message)] == ["report_no_answer"]


def test_a_customer_who_never_contacted_support_asking_for_the_supervisor_is_one_request(schedule):
    now = parse_moment("2026-12-24T19:30")
    never = "No he llamado a soporte aún;"
    asked = "prefiero que me den de una vez los datos del supervisor."
    message = Message("ask_contact", f"{never} {asked}", 0.9, (), (("ask_contact", 0.9),),
                      (_clause(never, "report_no_answer", 0.9, (("report_no_answer", 0.9),)),
                       _clause(asked, "ask_contact", 0.95, (("ask_contact", 0.95),))))
    reply = dialogue.respond(message, Topic(), schedule, now)
    said = " ".join(str(v) for a in (*reply.before, reply.answer) for v in a.values.values())
    assert not reply.before and "7442727" in said, said


def test_the_supervisor_already_written_to_is_the_coordinator_and_a_week_without_answer_is_an_escalation(schedule):
    assert dialogue.escalation_level_for("escalate_to_coordinator", "al supervisor ya le escribí el lunes y tampoco nada") \
        == "coordinator"
    assert dialogue.escalation_level_for("request_escalation", "quiero el supervisor, le escribo hoy mismo") == "supervisor"
    turns = play(schedule, "2026-09-16T14:00", [
        ("report_no_answer", "NADIE me ha respondido en una semana!!! mandé correo a soporte y nada"),
    ])
    assert turns[0][0].startswith("escalation_supervisor"), turns[0][0]
    busy = play(schedule, "2026-09-16T14:00", [("report_no_answer", "llamé y está ocupado")])
    assert not busy[0][0].startswith("escalation"), busy[0][0]
