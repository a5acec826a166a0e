"""Hand-off decisions, misunderstandings and the paused session start."""

import json

import pytest

from actions.handoff import ActionRequestHuman
from actions.unclear import ActionHandleUnclearMessage, consecutive_fallbacks
from tests.support import PRIORITY_NUMBER, render, run, slots_after, tracker
from tests.unit.test_desk_client import FakeDesk
from tools.published import CHAT_URL, MAIN_LINE, SUPPORT_EMAIL

ON_DUTY = {"agents_available": 1, "agents_signed_in": 1, "queued": 0, "expected_wait_seconds": 90,
           "sla_seconds": 180}
NOBODY = {**ON_DUTY, "agents_available": 0, "agents_signed_in": 1}


def handoffs(desk):
    """The hand-off requests the desk received (not the problem reports it counts)."""
    return [r for r in desk.requests if str(r.get("path", "")).startswith("/api/handoffs")]


def posts(desk):
    return [r for r in handoffs(desk) if r.get("method") != "GET"]


@pytest.fixture
def desk(monkeypatch):
    d = FakeDesk([], secret="k")
    d.presence = ON_DUTY
    d.created = {"status": "queued", "handoff_id": 1, "expected_wait_seconds": 90, "agents_available": 1}
    monkeypatch.setenv("DESK_URL", d.url)
    monkeypatch.setenv("DESK_WEBHOOK_SECRET", "k")
    monkeypatch.setenv("DESK_ATTEMPTS", "1")
    yield d
    d.close()


def human(text="quiero un asesor", channel="socketio", **kwargs):
    t = tracker(text, "request_human", channel=channel, **kwargs)
    events, _ = run(ActionRequestHuman(), t)
    return slots_after(t, events)


def test_outside_chat_hours_no_handoff_and_when_agents_return(clock, desk):
    clock("2026-12-05T14:00")  # Saturday after 13:00
    slots = human()
    assert slots["answer_kind"] == "human_unavailable" and slots["question_pending"] is False
    text = render("utter_answer", slots)["text"]
    assert "vuelven el lunes a las 7:00 a. m." in text and SUPPORT_EMAIL in text
    assert PRIORITY_NUMBER not in text
    assert handoffs(desk) == []


def test_on_a_festivo_no_handoff(clock, desk):
    clock("2026-07-13T10:00")
    assert human()["answer_kind"] == "human_unavailable"
    assert handoffs(desk) == []


def test_rest_customers_get_the_chat_and_the_line(clock, desk):
    clock("2026-12-04T10:00")
    slots = human(channel="rest")
    assert slots["answer_kind"] == "human_available"
    assert CHAT_URL in render("utter_answer", slots)["text"]
    assert handoffs(desk) == []


def test_widget_customer_is_asked_what_they_need_then_handed_off(clock, desk):
    clock("2026-12-04T10:00")
    slots = human()
    assert slots["question_pending"] is True and slots["pending_question"] == "handoff_description"
    assert "qué necesita" in render("utter_request_question", slots)["text"]
    t = tracker("", "deny", channel="socketio", latest_action="question_form",
                slots={"handoff_description": "renovar la firma de la empresa"})
    events, _ = run(ActionRequestHuman(), t)
    slots = slots_after(t, events)
    assert slots["answer_kind"] == "handoff_queued" and slots["question_pending"] is False
    assert "la espera estimada es de unos 2 minutos" in render("utter_answer", slots)["text"]
    sent = posts(desk)
    assert len(sent) == 1 and sent[0]["signed"]
    assert b"renovar la firma de la empresa" in sent[0]["body"]
    # The agent's screen gets the hours context.
    packet = json.loads(sent[0]["body"])
    assert packet["hours"] == {"in_hours": True, "text": "En horario de asesores: el chat atiende hasta las 7:00 p. m."}
    # Asking again while the case waits in the queue does not queue it twice.
    desk.states[t.sender_id] = "queued"
    events, _ = run(ActionRequestHuman(), tracker("asesor!!", "request_human", channel="socketio",
                                                  slots={"handoff_description": "x"}))
    assert slots_after(t, events)["answer_kind"] == "handoff_pending"
    assert len(posts(desk)) == 1


def test_desk_down_offers_the_alternatives(clock, monkeypatch):
    clock("2026-12-04T10:00")
    monkeypatch.setenv("DESK_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("DESK_ATTEMPTS", "1")
    t = tracker("", "inform", channel="socketio", latest_action="question_form", slots={"handoff_description": ""})
    events, _ = run(ActionRequestHuman(), t)
    slots = slots_after(t, events)
    assert slots["answer_kind"] == "handoff_failed"
    assert MAIN_LINE in render("utter_answer", slots)["text"]


def test_desk_timeout_notice(clock, desk):
    clock("2026-12-04T18:59")
    slots = human(text="EXTERNAL: request_human")
    assert slots["answer_kind"] == "handoff_timeout_open"
    clock("2026-12-04T19:05")
    slots = human(text="EXTERNAL: request_human")
    assert slots["answer_kind"] == "handoff_timeout_closed"
    assert "vuelven mañana sábado a las 8:00 a. m." in render("utter_answer", slots)["text"]


FALLBACK_TURN = {"event": "user", "text": "asdf", "parse_data": {"intent": {"name": "nlu_fallback"}}}


def unclear(history=(), channel="socketio", **message_extra):
    t = tracker("qwerty", "nlu_fallback", channel=channel, history=list(history))
    t.latest_message.update(message_extra)
    events, _ = run(ActionHandleUnclearMessage(), t)
    return slots_after(t, events)


def test_first_and_second_misunderstandings_ask_to_rephrase_without_a_person(clock, desk):
    clock("2026-12-04T10:00")
    assert unclear()["answer_kind"] == "rephrase"  # no likely intents in the ranking to offer
    assert unclear([FALLBACK_TURN])["answer_kind"] == "rephrase"
    assert handoffs(desk) == []


def test_third_misunderstanding_in_chat_hours_hands_off(clock, desk):
    clock("2026-12-04T10:00")
    slots = unclear([FALLBACK_TURN, FALLBACK_TURN])
    assert slots["answer_kind"] == "not_understood_handoff"
    assert b'"reason":"not_understood"' in posts(desk)[0]["body"]


def test_third_misunderstanding_after_hours(clock, desk):
    clock("2026-12-06T10:00")
    slots = unclear([FALLBACK_TURN, FALLBACK_TURN])
    assert slots["answer_kind"] == "not_understood_twice_closed"
    assert "vuelven mañana lunes a las 7:00 a. m." in render("utter_answer", slots)["text"]
    assert handoffs(desk) == []


@pytest.mark.parametrize("text,kind", [
    ("Q PASA SI SE ME CAE EL ESTAMPADO EN PRODUCCION", "priority_procedure"),
    ("el token nada que ver se callo todo, la operacion esta parada", "critical_only_priority_line"),
])
def test_not_understood_but_an_outage_or_what_to_do_in_one_gets_the_24_7_line(clock, desk, text, kind):
    clock("2026-12-06T03:00")  # Sunday night: nothing else open
    for history in ([], [FALLBACK_TURN]):  # the first time and the second time alike
        # Below the NLU's threshold, the classifier still ranked a critical incident first.
        ranking = [("nlu_fallback", 0.45), ("report_critical_incident", 0.42), ("report_problem", 0.3)]
        t = tracker(text, "nlu_fallback", channel="socketio", history=history, ranking=ranking)
        events, _ = run(ActionHandleUnclearMessage(), t)
        slots = slots_after(t, events)
        assert slots["answer_kind"] == kind
        assert PRIORITY_NUMBER in render("utter_answer", slots)["text"]
    assert handoffs(desk) == []


@pytest.mark.parametrize("text", ["estampado fgh jkl", "urgente urgente", "se me bloqueo el pin jajaja"])
def test_not_understood_without_an_outage_never_gets_the_24_7_line(clock, desk, text):
    clock("2026-12-06T03:00")
    t = tracker(text, "nlu_fallback", channel="socketio")
    events, _ = run(ActionHandleUnclearMessage(), t)
    slots = slots_after(t, events)
    assert slots["answer_kind"] == "rephrase"
    assert PRIORITY_NUMBER not in render("utter_answer", slots)["text"]


def test_too_long_message(clock):
    clock("2026-12-04T10:00")
    slots = unclear(message_truncated={"original_length": 100000})
    assert slots["answer_kind"] == "message_too_long"
    assert "más de 2000 caracteres" in render("utter_answer", slots)["text"]


def test_consecutive_fallbacks_counts_only_the_latest_run():
    other = {"event": "user", "text": "hola", "parse_data": {"intent": {"name": "greet"}}}
    assert consecutive_fallbacks([FALLBACK_TURN, other, FALLBACK_TURN]) == 1
    assert consecutive_fallbacks([other, FALLBACK_TURN, {"event": "bot"}, FALLBACK_TURN]) == 2


def test_critical_incident_in_chat_hours_also_hands_off(clock, desk):
    from actions.triage import ActionTriageStep

    clock("2026-12-04T10:00")
    t = tracker("se cayo el servicio, toda la operacion detenida", "report_critical_incident", channel="socketio")
    events, _ = run(ActionTriageStep(), t)
    slots = slots_after(t, events)
    assert slots["answer_kind"] == "critical_with_handoff"
    assert PRIORITY_NUMBER in render("utter_answer", slots)["text"]
    assert b'"priority":"1"' in posts(desk)[0]["body"]


def test_nobody_on_duty_in_hours_is_not_queued_and_gets_the_line_and_the_email(clock, desk):
    clock("2026-12-04T10:00")
    desk.presence = NOBODY
    slots = human()
    assert slots["answer_kind"] == "handoff_no_agent" and slots["question_pending"] is False
    text = render("utter_answer", slots)["text"]
    assert "no hay ningún asesor disponible en el chat" in text
    assert MAIN_LINE in text and SUPPORT_EMAIL in text and CHAT_URL not in text
    assert posts(desk) == []


def test_an_agent_who_leaves_while_the_customer_describes_it_means_no_queue(clock, desk):
    clock("2026-12-04T10:00")
    assert human()["pending_question"] == "handoff_description"
    desk.presence = NOBODY
    t = tracker("", "inform", channel="socketio", latest_action="question_form",
                slots={"handoff_description": "renovar la firma"})
    events, _ = run(ActionRequestHuman(), t)
    assert slots_after(t, events)["answer_kind"] == "handoff_no_agent"
    assert posts(desk) == []


def test_a_desk_without_presence_queues_as_before_without_an_estimate(clock, desk):
    clock("2026-12-04T10:00")
    desk.presence, desk.created = None, {"status": "queued"}
    t = tracker("", "inform", channel="socketio", latest_action="question_form",
                slots={"handoff_description": "renovar la firma"})
    events, _ = run(ActionRequestHuman(), t)
    slots = slots_after(t, events)
    assert slots["answer_kind"] == "handoff_queued_no_estimate"
    assert render("utter_answer", slots)["text"].startswith("Listo. Le comunico con un asesor de soporte; en cuanto")
    assert len(posts(desk)) == 1


@pytest.mark.parametrize("unclear_or_critical", ["unclear", "critical"])
def test_nobody_on_duty_the_other_hand_offs_give_the_open_channels(clock, desk, unclear_or_critical):
    from actions.triage import ActionTriageStep

    clock("2026-12-04T10:00")
    desk.presence = NOBODY
    if unclear_or_critical == "unclear":
        assert unclear([FALLBACK_TURN, FALLBACK_TURN])["answer_kind"] == "not_understood_twice_open"
    else:
        t = tracker("se cayo el servicio, toda la operacion detenida", "report_critical_incident", channel="socketio")
        events, _ = run(ActionTriageStep(), t)
        slots = slots_after(t, events)
        assert slots["answer_kind"] == "critical_with_open"
        assert PRIORITY_NUMBER in render("utter_answer", slots)["text"]
    assert posts(desk) == []


def test_a_model_trained_before_the_new_wording_gets_the_nearest_older_answer(clock, desk):
    """The action server may be deployed before the model is trained again: Rasa sends the model's
    domain, and a kind it does not word would fall to the static text."""
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    from tests.support import domain

    clock("2026-12-04T10:00")
    desk.presence = NOBODY
    older = dict(domain())
    older["responses"] = dict(older["responses"])
    older["responses"]["utter_answer"] = [v for v in older["responses"]["utter_answer"]
                                          if {"name": "answer_kind", "type": "slot", "value": "handoff_no_agent"}
                                          not in (v.get("condition") or [])]
    t = tracker("quiero un asesor", "request_human", channel="socketio")
    events = asyncio.run(ActionRequestHuman().run(CollectingDispatcher(), t, older))
    slots = slots_after(t, events)
    assert slots["answer_kind"] == "handoff_failed"
    text = render("utter_answer", slots)["text"]
    assert text.startswith("No pude comunicarle con un asesor por este chat") and MAIN_LINE in text
    assert CHAT_URL not in text
