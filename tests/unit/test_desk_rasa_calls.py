"""What the desk tells Rasa when an agent takes, replies, hands back or closes, and
when nobody takes a hand-off in time (docs/agent-desk-api.md, section 2).

The real desk process against a fake of Rasa's HTTP API that records each call.
"""

import time
import uuid

import pytest

from tests.desk_support import ANA, ASSISTANT, Agent, desk_bot_event, packet, running_desk, wait_for
from tools import stack

pytestmark = pytest.mark.slow  # starts the desk server (make test-fast leaves these out)

LIVE = {"output_channel": "socketio", "execute_side_effects": "true"}
BETO_PASSWORD = "beto-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    with running_desk(tmp_path_factory.mktemp("desk-rasa")) as (desk, rasa):
        stack.add_desk_agent(desk.db, "beto", "Beto", "asesor de soporte", BETO_PASSWORD)
        yield desk, rasa


@pytest.fixture
def rasa(running):
    running[1].failing = False
    yield running[1]
    running[1].failing = False


@pytest.fixture
def agent(desk):
    a = Agent(desk)
    assert a.login().status_code == 200
    return a


def queued(desk, rasa, with_session: bool = True, **changes) -> tuple:
    cid = uuid.uuid4().hex
    if with_session:
        rasa.trackers[cid] = [{"event": "session_started", "timestamp": time.time() - 10},
                              {"event": "action", "name": "action_listen", "timestamp": time.time() - 10}]
    handoff_id = desk.post_packet(packet(cid, **changes)).json()["handoff_id"]
    return cid, handoff_id


def posted(rasa, cid):
    return [(c["what"], c["query"], c["body"]) for c in rasa.calls_for(cid, "POST")]


def test_taking_says_who_attends_then_pauses_live(desk, rasa, agent):
    cid, handoff_id = queued(desk, rasa)
    response = agent.take(handoff_id)
    assert response.status_code == 200 and response.json()["state"] == "taken"
    assert posted(rasa, cid) == [(
        "tracker/events", {**LIVE, "token": rasa.token},
        [desk_bot_event("Le atiende Ana, asesora de soporte.", "taken", ANA), {"event": "pause"}],
    )]
    assert desk.status(cid).json() == {"status": "taken", "agent": "Ana", "handoff_id": handoff_id}


def test_taking_a_conversation_without_session_start_posts_one_first(desk, rasa, agent):
    cid, handoff_id = queued(desk, rasa, with_session=False)
    assert agent.take(handoff_id).status_code == 200
    calls = posted(rasa, cid)
    assert calls[0] == ("tracker/events", {"token": rasa.token},
                        [{"event": "session_started"}, {"event": "action", "name": "action_listen"}])
    assert calls[1][2][-1] == {"event": "pause"} and calls[1][1]["output_channel"] == "socketio"
    assert len(calls) == 2


def beto(desk) -> Agent:
    other = Agent(desk)
    assert other.login("beto", BETO_PASSWORD).status_code == 200
    return other


def test_only_one_agent_can_take_a_conversation(desk, rasa, agent):
    cid, handoff_id = queued(desk, rasa)
    other = beto(desk)
    assert agent.take(handoff_id).status_code == 200
    second = other.take(handoff_id)
    assert second.status_code == 409 and second.json()["code"] == "ya-tomada"
    assert agent.take(handoff_id).status_code == 409
    assert len(posted(rasa, cid)) == 1


def test_replies_go_live_with_the_agents_name(desk, rasa, agent):
    cid, handoff_id = queued(desk, rasa)
    agent.take(handoff_id)
    response = agent.reply(handoff_id, "  Hola, soy Ana. ¿Me confirma el NIT?  ")
    assert response.status_code == 200
    assert posted(rasa, cid)[-1] == (
        "tracker/events", {**LIVE, "token": rasa.token},
        [desk_bot_event("Hola, soy Ana. ¿Me confirma el NIT?", "reply", ANA, agent="Ana")],
    )
    assert agent.reply(handoff_id, "   ").status_code == 400
    assert agent.reply(handoff_id, "x" * 2001).status_code == 400
    assert len(posted(rasa, cid)) == 2


def test_only_the_agent_who_took_it_can_reply_hand_back_or_close(desk, rasa, agent):
    cid, handoff_id = queued(desk, rasa)
    other = beto(desk)
    assert other.reply(handoff_id, "hola").status_code == 409  # still queued
    agent.take(handoff_id)
    for action in ("reply", "return", "close"):
        response = other.act(handoff_id, action, text="hola")
        assert response.status_code == 409 and response.json()["code"] == "no-suya", action
    assert len(posted(rasa, cid)) == 1


def test_hand_back_resumes_then_the_bot_says_so(desk, rasa, agent):
    cid, handoff_id = queued(desk, rasa)
    agent.take(handoff_id)
    response = agent.hand_back(handoff_id)
    assert response.status_code == 200 and response.json()["state"] == "returned"
    assert posted(rasa, cid)[-1] == ("tracker/events", {**LIVE, "token": rasa.token}, [
        {"event": "resume"},
        desk_bot_event("Ana le devolvió la conversación al asistente virtual. ¿En qué más le puedo ayudar?",
                       "returned", ASSISTANT),
    ])
    assert desk.status(cid).json()["status"] == "returned"
    assert agent.reply(handoff_id, "¿sigue ahí?").status_code == 409


def test_close_says_goodbye_then_resumes(desk, rasa, agent):
    cid, handoff_id = queued(desk, rasa)
    agent.take(handoff_id)
    assert agent.close(handoff_id).status_code == 200
    assert posted(rasa, cid)[-1] == ("tracker/events", {**LIVE, "token": rasa.token}, [
        desk_bot_event("La conversación con el asesor terminó. Gracias por escribirnos.", "closed", ASSISTANT),
        {"event": "resume"},
    ])
    assert desk.status(cid).json()["status"] == "closed"


def test_when_rasa_fails_the_take_is_undone(desk, rasa, agent):
    cid, handoff_id = queued(desk, rasa)
    rasa.failing = True
    response = agent.take(handoff_id)
    assert response.status_code == 502 and response.json()["code"] == "rasa"
    assert desk.status(cid).json()["status"] == "queued"
    rasa.failing = False
    assert agent.take(handoff_id).status_code == 200


def test_forms_without_javascript_redirect_back_with_a_fixed_notice(desk, rasa, agent):
    cid, handoff_id = queued(desk, rasa)
    response = agent.act(handoff_id, "take", as_json=False)
    assert response.status_code == 303 and response.headers["Location"] == f"/handoffs/{handoff_id}?aviso=tomada"
    page = agent.http.get(desk.url + response.headers["Location"], timeout=10)
    assert "Usted tomó la conversación." in page.text
    assert "Su respuesta al cliente" in page.text and "Devolver al asistente" in page.text
    # An unknown notice code shows nothing (no reflected text).
    odd = agent.http.get(f"{desk.url}/handoffs/{handoff_id}?aviso=<b>hola</b>", timeout=10)
    assert "<b>hola</b>" not in odd.text and "&lt;b&gt;hola" not in odd.text


def test_the_live_transcript_reads_the_tracker_after_the_handoff(desk, rasa, agent):
    cid, handoff_id = queued(desk, rasa)
    agent.take(handoff_id)
    rasa.trackers[cid].append({"event": "user", "text": "<b>¿hola?</b>", "timestamp": time.time()})
    agent.reply(handoff_id, "Aquí estoy")
    data = agent.handoff(handoff_id)
    lines = [(line["from"], line["text"]) for line in data["transcript"]]
    assert lines == [
        ("aviso", "Le atiende Ana, asesora de soporte."),
        ("sistema", "El asistente virtual quedó en pausa."),
        ("cliente", "<b>¿hola?</b>"),  # JSON: the page inserts it with textContent
        ("asesor", "Aquí estoy"),
    ]
    assert data["paused"] is True and data["handoff"]["status"] == "taken"
    page = agent.page(handoff_id).text
    assert "&lt;b&gt;¿hola?&lt;/b&gt;" in page and "<b>¿hola?" not in page


def test_the_queue_lists_priority_one_first_and_shows_waiting_time(desk, rasa, agent):
    _, normal_id = queued(desk, rasa)
    _, urgent_id = queued(desk, rasa, priority="1", reason="critical_incident",
                          reason_text="Incidente crítico (prioridad 1) reportado en horario de asesores")
    handoffs = agent.queue()
    ids = [h["id"] for h in handoffs if h["status"] == "queued"]
    assert ids.index(urgent_id) < ids.index(normal_id)
    urgent = next(h for h in handoffs if h["id"] == urgent_id)
    assert urgent["priority_label"] == "Prioridad 1 (crítica)" and urgent["waiting_text"].startswith("esperando")
    page = agent.http.get(desk.url + "/", timeout=10).text
    assert f'class="handoff handoff--queued handoff--p1" data-handoff-id="{urgent_id}"' in page


def test_nobody_takes_it_in_time_the_bot_is_told(tmp_path):
    with running_desk(tmp_path, queue_timeout=1) as (desk, rasa):
        cid = uuid.uuid4().hex
        rasa.failing = True  # first notice fails: it is retried
        handoff_id = desk.post_packet(packet(cid)).json()["handoff_id"]
        wait_for(lambda: desk.status(cid).json()["status"] == "expired", timeout=10, message="expiry")
        wait_for(lambda: rasa.calls_for(cid), timeout=10, message="a first trigger_intent")
        rasa.failing = False
        calls = wait_for(lambda: [c for c in rasa.calls_for(cid) if c["what"] == "trigger_intent"][1:], timeout=10,
                         message="the retried trigger_intent")
        assert calls[0]["query"] == {"output_channel": "socketio", "token": rasa.token}
        assert calls[0]["body"] == {"name": "request_human"}
        time.sleep(2)
        assert len([c for c in rasa.calls_for(cid) if c["what"] == "trigger_intent"]) == 2  # not again once told
        agent = Agent(desk)
        agent.login()
        row = next(h for h in agent.queue() if h["id"] == handoff_id)
        assert row["status"] == "expired" and row["status_label"] == "Expiró: nadie la tomó a tiempo"
        assert agent.take(handoff_id).status_code == 409
        assert "Expiró: nadie la tomó a tiempo" in agent.http.get(desk.url + "/", timeout=10).text
        # The customer asks again: a new hand-off.
        assert desk.post_packet(packet(cid)).status_code == 201
