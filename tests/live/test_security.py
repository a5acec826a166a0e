"""Issue 12 against the running stack: a conversation id is not a key.

The customer's socket.io session value is issued by the server (the conversation
id with an HMAC, addons/socketio_channel.py). A third party who knows the id that
agents see and logs carry cannot read, write into, or divert that conversation; the
Rasa API token is not on the command line.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.socketio_customer import SocketCustomer
from tools.published import MAIN_LINE, SUPPORT_EMAIL

pytestmark = pytest.mark.slow


def user_texts(assistant, conversation_id: str) -> list[str]:
    response = requests.get(f"{assistant.url}/conversations/{conversation_id}/tracker",
                            params={"token": assistant.token}, timeout=30)
    response.raise_for_status()
    return [e.get("text") for e in response.json()["events"] if e.get("event") == "user"]


@pytest.fixture
def customer_socket(assistant):
    assistant.at("2026-12-04T10:00")
    sockets = []

    def connect(presented: str | None = None) -> SocketCustomer:
        sockets.append(SocketCustomer(assistant.url, presented))
        return sockets[-1]

    yield connect
    for s in sockets:
        s.close()


def test_the_server_issues_a_signed_session_and_a_web_conversation(customer_socket):
    customer = customer_socket()
    conversation_id, _, mac = customer.session.rpartition(".")
    assert conversation_id.startswith("web-") and len(mac) == 32


def test_the_id_agents_see_opens_nothing_over_socketio(assistant, customer_socket):
    customer = customer_socket()
    customer.send("¿cuál es el teléfono de soporte?")
    customer.wait_for(MAIN_LINE)
    # A third party with the conversation id (what the desk shows) asks to join it…
    intruder = customer_socket(customer.conversation_id)
    assert intruder.conversation_id != customer.conversation_id  # …and gets a conversation of its own
    # …writes into the customer's conversation with the bare id: ignored.
    intruder.send("mensaje del intruso", session=customer.conversation_id)
    # The customer's later messages and their answers never reach the intruder.
    customer.send("¿y el correo?")
    customer.wait_for(SUPPORT_EMAIL)
    time.sleep(2)
    assert intruder.drain() == []
    assert "mensaje del intruso" not in user_texts(assistant, customer.conversation_id)


def test_a_rest_sender_cannot_address_a_website_conversation(assistant, customer_socket):
    customer = customer_socket()
    customer.send("hola")
    customer.wait_for("")
    stray = requests.post(f"{assistant.url}/webhooks/rest/webhook",
                          json={"sender": customer.conversation_id, "message": "mensaje por REST"}, timeout=60)
    assert stray.status_code == 400
    assert "mensaje por REST" not in user_texts(assistant, customer.conversation_id)


def test_the_customer_who_reconnects_with_the_issued_session_continues(assistant, customer_socket):
    first = customer_socket()
    first.send("¿cuál es el correo de soporte?")
    first.wait_for(SUPPORT_EMAIL)
    first.close()
    again = customer_socket(first.session)  # a page reload: the widget presents what it was given
    assert again.session == first.session
    again.send("¿me lo repite?")
    again.wait_for(SUPPORT_EMAIL)
    assert user_texts(assistant, first.conversation_id)[-2:] == ["¿cuál es el correo de soporte?", "¿me lo repite?"]


def test_a_forged_session_value_gets_a_new_conversation(customer_socket):
    customer = customer_socket()
    forged = customer.conversation_id + "." + "0" * 32
    other = customer_socket(forged)
    assert other.conversation_id != customer.conversation_id


def test_an_agent_reply_reaches_the_customer_after_a_stray_rest_message(assistant, customer_socket):
    customer = customer_socket()
    customer.send("hola")
    customer.wait_for("")
    requests.post(f"{assistant.url}/webhooks/rest/webhook",
                  json={"sender": customer.conversation_id, "message": "stray"}, timeout=60)
    marker = f"Soy Ana, asesora de soporte ({uuid.uuid4().hex[:6]})"
    # What the desk sends for an agent's reply: the bot event, on the hand-off's channel.
    response = requests.post(
        f"{assistant.url}/conversations/{customer.conversation_id}/tracker/events",
        params={"token": assistant.token, "output_channel": "socketio", "execute_side_effects": "true"},
        json=[{"event": "bot", "text": marker}], timeout=60)
    assert response.status_code == 200, response.text
    assert marker in customer.wait_for(marker)


def test_the_rasa_api_token_is_not_in_the_process_arguments(assistant):
    cmdline = Path(f"/proc/{assistant.rasa.process.pid}/cmdline").read_bytes().decode("utf-8", "replace")
    assert "addons.rasa_run" in cmdline and "--enable-api" in cmdline
    assert assistant.token not in cmdline and "--auth-token" not in cmdline
    # …and the API does require it.
    status = requests.get(f"{assistant.url}/conversations/x/tracker", timeout=30)
    assert status.status_code == 401


def test_the_action_server_refuses_calls_without_rasas_token(assistant):
    call = {"next_action": "action_answer_question", "sender_id": "x",
            "tracker": {"sender_id": "x", "slots": {}, "latest_message": {"text": "hola", "intent": {"name": "greet"}},
                        "events": [], "paused": False, "followup_action": None, "active_loop": {},
                        "latest_action_name": None},
            "domain": {}, "version": "3.6.2"}
    url = f"http://127.0.0.1:{assistant.action_port}/webhook"
    assert requests.post(url, json=call, timeout=30).status_code == 401
    assert requests.post(url, params={"token": "wrong"}, json=call, timeout=30).status_code == 401
    assert requests.post(url, params={"token": assistant.action_token}, json=call, timeout=60).status_code != 401
    # Rasa itself sends it: a whole conversation works (every answer comes from an action).
    reply = requests.post(f"{assistant.url}/webhooks/rest/webhook",
                          json={"sender": "test-token-" + uuid.uuid4().hex[:6], "message": "correo de soporte"},
                          timeout=60).json()
    assert any(SUPPORT_EMAIL in m.get("text", "") for m in reply)
