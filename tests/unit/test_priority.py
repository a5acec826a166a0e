"""helpdesk/priority.py: the classifier decides, structure modifies, replies are asymmetric.

The classifier's reading is given here (``Understanding``), so each test states what the
NLU said and checks what the rules do with it. Whether the trained NLU reads the priority
table right is checked against the running stack (tests/live/test_tables.py).
"""

from __future__ import annotations

import pytest

from helpdesk.priority import Understanding, classifier_says_critical, modifiers, read_priority

CRITICAL = Understanding("report_critical_incident", 0.93, (("report_critical_incident", 0.93), ("report_problem", 0.05)))
PROBLEM = Understanding("report_problem", 0.88, (("report_problem", 0.88), ("report_critical_incident", 0.08)))
DENY = Understanding("deny", 0.9, (("deny", 0.9), ("report_problem", 0.05)))
UNSURE = Understanding("nlu_fallback", 0.45, (("nlu_fallback", 0.45), ("report_critical_incident", 0.33), ("report_problem", 0.3)))


def test_the_classifier_decides_when_no_structure_modifies_it():
    assert read_priority("ni un usuario logra firmar desde las 8", CRITICAL).critical is True
    assert read_priority("el token no me lee en el portátil", PROBLEM).critical is None


def test_a_critical_intent_inside_a_two_question_label_counts():
    both = Understanding("ask_contact+report_critical_incident", 0.8, (("ask_contact+report_critical_incident", 0.8),))
    assert classifier_says_critical(both)


def test_a_close_second_critical_counts_only_when_it_is_first():
    assert classifier_says_critical(UNSURE)  # first after the fallback, 0.33
    behind = Understanding("report_problem", 0.55, (("report_problem", 0.55), ("report_critical_incident", 0.4)))
    assert not classifier_says_critical(behind)


@pytest.mark.parametrize("text, modifier", [
    ("¿qué hago si algún día se cae el estampado?", "hypothetical"),
    ("en caso de que la plataforma se caiga, ¿a quién llamo?", "hypothetical"),
    ("ayer se cayó el estampado pero ya volvió a funcionar", "resolved"),
    ("la semana pasada estuvimos detenidos por la firma", "past"),
    ("se cayó el portal de la DIAN, no podemos transmitir", "third_party"),
    ("no podemos firmar, pero no es urgente, puede esperar", "calm"),
])
def test_structure_modifies_a_critical_reading(text, modifier):
    reading = read_priority(text, CRITICAL)
    assert reading.modifier == modifier
    assert reading.critical is not True


def test_ongoing_words_keep_a_past_start_open():
    assert read_priority("desde ayer ningún usuario puede firmar", CRITICAL).critical is True
    assert modifiers("desde ayer no firma")["past"] is False


def test_ya_no_is_a_stop_not_a_recovery():
    # "ya no" is not in the resolved table: "ya no podemos facturar" is the incident itself.
    assert read_priority("se cayó el servicio, ya no podemos facturar", CRITICAL).critical is True


def test_a_calm_phrase_under_a_negation_is_not_calm():
    assert modifiers("no es solo a mí, es toda la oficina")["calm"] is False
    assert modifiers("no, solo a mí")["calm"] is True
    assert modifiers("no, no es urgente")["calm"] is True


def test_our_service_named_beside_a_third_party_is_ours():
    assert read_priority("la firma no funciona y hoy vence lo de la DIAN", CRITICAL).critical is True


def test_a_button_payload_is_never_read_as_words():
    assert read_priority("/affirm", CRITICAL).critical is None


# ------------------------------------------------------------- replies: asymmetric


@pytest.mark.parametrize("text, nlu, expected", [
    ("no", DENY, False),
    ("no, solo a mí me pasa", DENY, False),
    ("no señor.", DENY, False),
    ("puede esperar hasta mañana", DENY, False),
    ("seguimos trabajando normal, es solo un equipo", PROBLEM, False),
    ("sí", Understanding("affirm", 0.99, (("affirm", 0.99),)), True),
    ("claro, todo parado", CRITICAL, True),
    # a stop described without "sí" is a yes
    ("todos los equipos de la empresa fallan y el cierre es a medianoche", CRITICAL, True),
    # a "no" that opens a sentence describing the failure is not a no
    ("no es solo a mí, es toda la oficina y nada sella", CRITICAL, True),
    ("ya no sella ninguno y el cierre se acumula", CRITICAL, True),
    # the question named the stop: a reply read critical first, even unsurely, is a yes
    ("no es solo a mí, son los tres puestos y ya no sella nada", UNSURE, True),
    # neither: asked again
    ("no es solo a mí", DENY, None),
    ("ok", Understanding("affirm", 0.7, (("affirm", 0.7),)), None),
    ("no sé, puede ser", UNSURE, None),
    # "no" followed by a stop: contradiction, asked again
    ("no, todo está parado", CRITICAL, None),
])
def test_a_reply_is_a_no_only_when_the_customer_says_so(text, nlu, expected):
    assert read_priority(text, nlu, reply=True).critical is expected


def test_an_unsure_critical_reading_of_a_message_decides_only_when_it_names_a_stop():
    # outside a reply, the same unsure reading needs a stop or an outage named
    assert read_priority("la plataforma hace cosas raras con los tres puestos", UNSURE).critical is None
    assert read_priority("la plataforma está caída en los tres puestos", UNSURE).critical is True


def test_a_request_for_information_that_tells_no_failure_is_not_a_report():
    letter = ("solicitamos amablemente nos informen si prestan servicio el 24 de diciembre, toda vez que "
              "nuestra área de tesorería requiere firmar documentos ese día")
    assert read_priority(letter, CRITICAL).critical is not True
    # the same request beside a failure is read by the classifier
    assert read_priority("¿me pueden ayudar? ningún usuario de tesorería puede firmar", CRITICAL).critical is True


def test_an_answer_that_opens_with_no_se_and_then_tells_a_stop_is_a_report():
    """'no sé cómo explicarle, …' is a manner of speaking, not the customer's uncertainty."""
    text = "no se como explicarle, desde las 6 ya no sella nada y no podemos radicar, es toda el area"
    assert read_priority(text, CRITICAL, reply=True).critical is True
    assert read_priority(text, CRITICAL).critical is True
    for unsure in ("no sé", "no sé, la verdad", "ni idea, no sé si sea crítico"):
        assert read_priority(unsure, UNSURE, reply=True).modifier == "dont_know", unsure


def test_a_yes_corrected_by_a_later_no_is_a_no_unless_the_whole_still_reads_critical():
    corrected = "si nos detiene... bueno no, exagere, es solo un documento, lo demas esta sellando bien"
    reading = read_priority(corrected, DENY, reply=True)
    assert reading.critical is False and reading.modifier == "corrected_no"
    assert read_priority(corrected, CRITICAL, reply=True).critical is None  # ask again
    # a no that opens what follows, or an uncertainty, corrects nothing
    assert read_priority("sí, no podemos facturar nada", CRITICAL, reply=True).critical is True
    assert read_priority("si, bueno no se", DENY, reply=True).modifier != "corrected_no"


def test_a_word_the_tables_know_is_never_read_as_a_typo_of_another():
    """'El pasado 2 de febrero' names no stop: 'pasado' (of 'el mes pasado') is not 'parado'."""
    from helpdesk.lexicon import lexicon

    assert not lexicon().has("stop_state", "El pasado 2 de febrero nos facturaron un servicio")
    assert lexicon().has("stop_state", "todo esta paradoo")  # a real typo still matches
    letter = ("El pasado 2 de febrero nos facturaron un servicio de estampado cronológico que no solicitamos. "
              "Presentamos formalmente un reclamo por este cobro.")
    leaning = Understanding("report_critical_incident", 0.5, (("report_critical_incident", 0.5), ("submit_pqrsa", 0.39)))
    assert read_priority(letter, leaning).critical is not True


def test_a_reply_the_classifier_reads_as_a_confident_yes_is_a_yes_but_not_an_acknowledgement():
    affirm = Understanding("affirm", 0.95, (("affirm", 0.95),))
    assert read_priority("evidentemente, por algo les escribo", affirm, reply=True).critical is True
    assert read_priority("k", affirm, reply=True).critical is None
    assert read_priority("pues claro", Understanding("affirm", 0.4, (("affirm", 0.4),)), reply=True).critical is True
    for heard in ("ok", "listo", "vale", "entendido"):
        assert read_priority(heard, affirm, reply=True).critical is None, heard
    unsure = Understanding("affirm", 0.6, (("affirm", 0.6),))
    assert read_priority("mmm creería", unsure, reply=True).critical is None


@pytest.mark.parametrize("text, calm", [
    ("ya tenemos el proceso en producción desde ayer y anda perfecto", True),
    ("es lento pero funciona", True),
    ("funciona bien en mi equipo pero ninguno de los demás puede firmar", False),  # a failure told besides
    ("no funciona bien, nadie firma", False),
    ("hasta ayer funcionaba sin ningún problema y hoy nadie puede firmar", False),
])
def test_the_service_said_to_work_is_calm_only_when_nothing_else_fails(text, calm):
    assert modifiers(text)["calm"] is calm


def test_a_reply_read_after_the_acknowledgement_that_opens_it():
    problem = Understanding("report_problem", 0.8, (("report_problem", 0.8),))
    assert read_priority("ok. no, solo a mí, uso el otro navegador", problem, reply=True).critical is False
    assert read_priority("ok. no, no para la operación, es un certificado", problem, reply=True).critical is False
    assert read_priority("listo. sí, todos estamos parados", CRITICAL, reply=True).critical is True
    assert read_priority("mi portátil no lee el token, igual puedo firmar desde el equipo de la oficina",
                         PROBLEM).critical is False
