"""Rasa's socket.io channel with session persistence, as the widget uses it.

python-socketio >= 5.10 made `enter_room` a coroutine that Rasa 3.6 does not
await: the server then accepts messages but replies never reach the client.
These tests fail loudly if the Rasa environment drifts from 5.9.0.
"""

import queue
import time

import socketio

MAIN_LINE = "(601) 7442727"


class Client:
    """One socket.io connection, as one page load of the widget."""

    def __init__(self, url: str, presented: str | None = None):
        self.replies: queue.Queue[dict] = queue.Queue()
        confirmed: queue.Queue[str] = queue.Queue()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("session_confirm", confirmed.put)
        self.sio.on("bot_uttered", self.replies.put)
        self.sio.connect(url, transports=["websocket"], socketio_path="/socket.io", wait_timeout=10)
        self.sio.emit("session_request", {"session_id": presented})
        # The server issues the session value (conversation id + HMAC); the client keeps it.
        self.session_id = confirmed.get(timeout=30)
        self.conversation_id = self.session_id.rpartition(".")[0]

    def say(self, text: str, until: str, timeout: float = 60) -> str:
        self.sio.emit("user_uttered", {"message": text, "session_id": self.session_id})
        received = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                received.append(self.replies.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                break
            if until in received[-1].get("text", ""):
                return "\n".join(m.get("text", "") for m in received)
        raise AssertionError(f"no reply with {until!r} over socket.io; got {received}")

    def close(self) -> None:
        self.sio.disconnect()


def test_replies_arrive_over_socketio_with_session_persistence(web_stack):
    client = Client(web_stack.rasa_url)
    try:
        text = client.say("¿cuál es el teléfono de soporte?", until=MAIN_LINE)
        assert "opción 2 (Soporte) y luego opción 1" in text
    finally:
        client.close()


def test_a_new_connection_with_the_issued_session_continues_the_conversation(web_stack):
    first = Client(web_stack.rasa_url)
    try:
        first.say("¿cuál es el correo de soporte?", until="soporte.firmadigital@certicamara.com")
    finally:
        first.close()
    second = Client(web_stack.rasa_url, first.session_id)  # a page reload
    try:
        assert second.session_id == first.session_id
        # "¿me lo repite?" only gets the e-mail because the server kept the conversation.
        second.say("¿me lo repite?", until="soporte.firmadigital@certicamara.com")
    finally:
        second.close()
    assert web_stack.user_texts(first.conversation_id)[-2:] == ["¿cuál es el correo de soporte?", "¿me lo repite?"]


def test_a_bare_conversation_id_gets_a_new_conversation(web_stack):
    first = Client(web_stack.rasa_url)
    try:
        other = Client(web_stack.rasa_url, first.conversation_id)
        try:
            assert other.conversation_id != first.conversation_id
        finally:
            other.close()
    finally:
        first.close()
