"""Hand-off to a human agent and back, with every part real.

The customer is a socket.io client (as the widget), talking to a real Rasa
server (socket.io channel with session persistence, one worker, SQLite tracker
store) and a real action server whose clock is fixed to Friday 2026-12-04 10:00
in Bogotá (chat hours). The desk is the real `python -m desk` process; the agent
uses it over HTTP like a browser (login form with its CSRF token, session cookie).

All servers are started once for this module and stopped by the fixture's
finalizer, whatever happens. Tests that stop the desk or change its queue
timeout put it in the state they need first (Desk.ensure), so order does not matter.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest
import requests

from desk.security import conversation_ref
from tests.conftest import ROOT
from tests.desk_support import Agent, Desk, packet, wait_for
from tests.socketio_customer import SocketCustomer
from tools import stack
from tools.published import MAIN_LINE, SUPPORT_EMAIL

NOW = "2026-12-04T10:00"  # Friday morning: the chat, the line and the e-mail are open
QUEUE_TIMEOUT = 120  # long enough that nothing expires by accident
SHORT_TIMEOUT = 3
ARTIFACTS = ROOT / "tests" / "artifacts"

ASKS_WHAT = "qué necesita"
QUEUED = "Le comunico con un asesor de soporte"
TAKEN = "Le atiende Ana, asesora de soporte."
HANDED_BACK = "Ana le devolvió la conversación al asistente virtual. ¿En qué más le puedo ayudar?"
TIMED_OUT = "Ningún asesor pudo tomar su caso a tiempo"
DESK_DOWN = "No pude comunicarle con un asesor por este chat en este momento"


class HandoffStack:
    """Action server + Rasa (socket.io) + the desk, all on free loopback ports."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.logs = tmp / "logs"
        self.token = secrets.token_urlsafe(24)
        self.secret = secrets.token_urlsafe(24)
        self.action_port, self.rasa_port = stack.free_port(), stack.free_port()
        self.rasa_url = f"http://127.0.0.1:{self.rasa_port}"
        self.desk = Desk(tmp / "desk", self.rasa_url, self.token, queue_timeout=QUEUE_TIMEOUT, secret=self.secret)
        self.actions: stack.Service | None = None
        self.rasa: stack.Service | None = None

    def start(self) -> HandoffStack:
        self.desk.start()
        self.actions = stack.start_actions(self.action_port, self.logs, {
            "ASSISTANT_NOW": NOW, "DESK_URL": self.desk.url, "DESK_WEBHOOK_SECRET": self.secret,
        })
        endpoints = stack.write_endpoints(
            self.tmp / "endpoints.yml", self.action_port,
            tracker_store={"type": "SQL", "dialect": "sqlite", "db": str(self.tmp / "t.db")},
        )
        # One Sanic worker: the socket.io connection and the pushed agent messages must meet in one process.
        self.rasa = stack.start_rasa(self.rasa_port, endpoints, self.logs, env={"SANIC_WORKERS": "1"},
                                     auth_token=self.token, extra_args=["--cors", *stack.cors_origins()],
                                     timeout=400)
        return self

    def stop(self) -> None:
        for service in (self.rasa, self.actions):
            if service is not None:
                service.stop()
        self.desk.stop()

    def tracker(self, conversation_id: str) -> dict:
        response = requests.get(f"{self.rasa_url}/conversations/{urllib.parse.quote(conversation_id, safe='')}"
                                "/tracker", params={"token": self.token}, timeout=30)
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    running = HandoffStack(tmp_path_factory.mktemp("desk-handoff"))
    try:
        yield running.start()
    finally:
        running.stop()


@pytest.fixture
def desk(servers) -> Desk:
    return servers.desk.ensure(QUEUE_TIMEOUT)


@pytest.fixture
def agent(desk) -> Agent:
    signed_in = Agent(desk)
    response = signed_in.login()
    assert response.status_code == 200 and "Cola de conversaciones" in response.text, response.text[:500]
    return signed_in


@pytest.fixture
def customer(servers):
    customers: list[SocketCustomer] = []

    def connect(session: str | None = None) -> SocketCustomer:
        c = SocketCustomer(servers.rasa_url, session)
        customers.append(c)
        return c

    yield connect
    for c in customers:
        c.close()


def pause_events(tracker: dict) -> list[str]:
    return [e["event"] for e in tracker["events"] if e["event"] in ("pause", "resume")]


def ask_for_an_agent(c: SocketCustomer, need: str) -> float:
    """The customer asks for a person and says what they need; returns when the answer was sent."""
    c.say("quiero hablar con un asesor")
    c.wait_for(ASKS_WHAT)
    sent = time.monotonic()
    c.say(need)
    return sent


# ------------------------------------------------------------------ the whole way


def test_customer_is_handed_to_an_agent_and_back(servers, desk, agent, customer, record_property):
    c = customer()
    marker = f"zz-{uuid.uuid4().hex[:10]}"
    need = f"no puedo firmar las facturas electrónicas desde ayer {marker}"

    # 1. The request reaches the desk with the packet.
    sent = ask_for_an_agent(c, need)
    row = wait_for(lambda: agent.find(c.conversation_id), timeout=30, interval=0.02, message="the hand-off in the desk")
    to_desk = time.monotonic() - sent
    c.wait_for(QUEUED)
    to_customer = time.monotonic() - sent
    record_property("request_to_desk_seconds", round(to_desk, 3))
    record_property("request_to_customer_notice_seconds", round(to_customer, 3))
    print(f"\n[desk] customer's request → hand-off in the desk API: {to_desk:.3f} s "
          f"(customer told it is queued after {to_customer:.3f} s)")
    assert row["status"] == "queued" and row["reason"] == "customer_request"

    details = agent.handoff(row["id"])
    p = details["packet"]
    record_property("packet", json.dumps(p, ensure_ascii=False))
    assert p["version"] == 1 and p["conversation_id"] == c.conversation_id and p["channel"] == "socketio"
    assert p["reason"] == "customer_request" and p["reason_text"] == "El cliente pidió hablar con un asesor"
    assert p["priority"] == "sin clasificar" and p["service"] == "No indicado"
    assert p["description"] == need
    assert p["slots"] == {"Lo que necesita (en sus palabras)": need}
    said = [(line["from"], line["text"]) for line in p["transcript"]]
    assert ("cliente", "quiero hablar con un asesor") in said and ("cliente", need) in said
    assert any(who == "asistente" and ASKS_WHAT in text for who, text in said)
    assert p["created_at"].startswith("2026-12-04T10:00")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "handoff-packet.json").write_text(json.dumps(p, ensure_ascii=False, indent=2), encoding="utf-8")
    (ARTIFACTS / "handoff-timing.json").write_text(json.dumps(
        {"request_to_desk_seconds": round(to_desk, 3), "request_to_customer_notice_seconds": round(to_customer, 3)}),
        encoding="utf-8")
    page = agent.page(row["id"]).text
    for shown in ("Datos de la transferencia", "El cliente pidió hablar con un asesor", "Sin clasificar",
                  "No indicado", need, c.conversation_id, "Tomar conversación"):
        assert shown in page, shown
    assert desk.status(c.conversation_id).json()["status"] == "queued"
    assert not servers.tracker(c.conversation_id)["paused"]

    # 2. The agent takes it: the customer is told who attends, and only now the bot is paused.
    taken = agent.take(row["id"])
    assert taken.status_code == 200, taken.text
    assert c.wait_for(TAKEN, timeout=10) == TAKEN
    tracker = servers.tracker(c.conversation_id)
    assert tracker["paused"] and pause_events(tracker) == ["pause"]
    assert desk.status(c.conversation_id).json() == {"status": "taken", "agent": "Ana", "handoff_id": row["id"]}

    # 3. While paused the bot stays quiet, and the agent sees the customer's message.
    question = f"¿sigue ahí? mi NIT es 900123456-7 {marker}"
    c.say(question)
    line = wait_for(lambda: [t for t in agent.handoff(row["id"])["transcript"] if t["text"] == question],
                    timeout=10, message="the customer's message in the desk")
    assert line[0]["from"] == "cliente"
    assert c.silence(3) == []
    events = servers.tracker(c.conversation_id)["events"]
    last_user = max(i for i, e in enumerate(events) if e["event"] == "user")
    assert events[last_user]["text"] == question
    assert not [e for e in events[last_user:] if e["event"] == "bot"], "the bot answered while paused"

    # 4. The agent's reply reaches the customer live.
    reply = "Hola, soy Ana. Ya reviso su firma; ¿me confirma el nombre de la empresa?"
    assert agent.reply(row["id"], reply).status_code == 200
    assert c.wait_for("Hola, soy Ana", timeout=10) == reply
    shown = agent.handoff(row["id"])["transcript"]
    assert {"from": "asesor", "agent": "Ana", "text": reply} == {k: shown[-1][k] for k in ("from", "agent", "text")}

    # 5. Hand back: the bot answers again.
    assert agent.hand_back(row["id"]).status_code == 200
    assert c.wait_for(HANDED_BACK, timeout=10) == HANDED_BACK
    assert not servers.tracker(c.conversation_id)["paused"]
    c.say("¿cuál es el teléfono de soporte?")
    assert MAIN_LINE in c.wait_for(MAIN_LINE, timeout=30)
    assert desk.status(c.conversation_id).json()["status"] == "returned"

    # Customer text never reaches the desk's log (INFO).
    assert marker not in desk.log() and "900123456" not in desk.log()
    assert conversation_ref(c.conversation_id) in desk.log() and c.conversation_id not in desk.log()


def test_close_ends_the_agents_conversation_and_the_bot_goes_on(servers, desk, agent, customer):
    c = customer()
    ask_for_an_agent(c, "necesito renovar el certificado de la empresa")
    c.wait_for(QUEUED)
    row = wait_for(lambda: agent.find(c.conversation_id), timeout=10, message="the hand-off in the desk")
    assert agent.take(row["id"]).status_code == 200
    c.wait_for(TAKEN, timeout=10)
    assert agent.close(row["id"]).status_code == 200
    c.wait_for("La conversación con el asesor terminó. Gracias por escribirnos.", timeout=10)
    assert pause_events(servers.tracker(c.conversation_id)) == ["pause", "resume"]
    c.say("¿cuál es el correo de soporte?")
    c.wait_for(SUPPORT_EMAIL, timeout=30)
    assert desk.status(c.conversation_id).json()["status"] == "closed"


# ------------------------------------------------------------------ when things go wrong


def test_nobody_takes_it_in_time_the_customer_is_told_and_the_bot_goes_on(servers, customer):
    desk = servers.desk.ensure(SHORT_TIMEOUT)
    try:
        on_duty = Agent(desk)  # an agent is on duty (or the customer would not be queued), and does not take it
        on_duty.login()
        c = customer()
        ask_for_an_agent(c, "quiero saber el estado de mi solicitud de firma")
        c.wait_for(QUEUED)
        told = c.wait_for(TIMED_OUT, timeout=SHORT_TIMEOUT + 20)
        assert "Le atienden ahora" in told and MAIN_LINE in told
        assert desk.status(c.conversation_id).json()["status"] == "expired"
        tracker = servers.tracker(c.conversation_id)
        assert pause_events(tracker) == [] and not tracker["paused"]
        assert any(e["event"] == "user" and e.get("text") == "EXTERNAL: request_human" for e in tracker["events"])
        c.say("¿cuál es el teléfono de soporte?")
        assert MAIN_LINE in c.wait_for(MAIN_LINE, timeout=30)
        agent = Agent(desk)
        agent.login()
        row = agent.find(c.conversation_id)
        assert row["status"] == "expired" and row["status_label"] == "Expiró: nadie la tomó a tiempo"
        assert agent.take(row["id"]).status_code == 409
    finally:
        servers.desk.ensure(QUEUE_TIMEOUT)


def test_desk_down_the_bot_offers_alternatives_and_is_not_paused(servers, customer):
    servers.desk.stop()
    try:
        c = customer()
        ask_for_an_agent(c, "tengo un problema con el estampado cronológico")
        answer = c.wait_for(DESK_DOWN, timeout=30)
        assert "Le atienden ahora" in answer and MAIN_LINE in answer
        tracker = servers.tracker(c.conversation_id)
        assert pause_events(tracker) == [] and not tracker["paused"]
        c.say("¿cuál es el teléfono de soporte?")
        assert MAIN_LINE in c.wait_for(MAIN_LINE, timeout=30)
    finally:
        servers.desk.ensure(QUEUE_TIMEOUT)


# ------------------------------------------------------------------ refusals


def test_requests_without_a_session_are_refused(desk):
    http = requests.Session()
    for path in ("/", "/handoffs/1"):
        response = http.get(desk.url + path, allow_redirects=False, timeout=10)
        assert response.status_code == 303 and response.headers["Location"] == "/login", path
    for path in ("/api/desk/queue", "/api/desk/handoffs/1"):
        assert http.get(desk.url + path, timeout=10).status_code == 401, path
    for action in ("take", "reply", "return", "close"):
        response = http.post(f"{desk.url}/handoffs/1/{action}", data={"text": "hola"},
                             headers={"Accept": "application/json"}, timeout=10)
        assert response.status_code == 401, action
    assert http.get(desk.url + "/login", timeout=10).status_code == 200


def test_webhook_with_a_bad_signature_is_refused(desk):
    cid = "firma-" + uuid.uuid4().hex
    assert desk.post_packet(packet(cid), secret="not-the-secret").status_code == 401
    assert desk.post_packet(packet(cid), timestamp=str(int(time.time()) - 3600)).status_code == 401
    assert desk.status(cid, secret="not-the-secret").status_code == 401
    assert desk.status(cid).status_code == 404  # nothing was queued
    assert desk.post_packet(packet(cid)).status_code == 201

