"""Rasa's socket.io channel with session persistence, as the widget uses it.

python-socketio >= 5.10 made `enter_room` a coroutine that Rasa 3.6 does not
await: the server then accepts messages but replies never reach the client.
These tests fail loudly if the Rasa environment drifts from 5.9.0.
"""

import queue
import time
import uuid

import socketio

MAIN_LINE = "(601) 7442727"


class Client:
    """One socket.io connection, as one page load of the widget."""

    def __init__(self, url: str, session_id: str):
        self.replies: queue.Queue[dict] = queue.Queue()
        confirmed: queue.Queue[str] = queue.Queue()
        self.session_id = session_id
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("session_confirm", confirmed.put)
        self.sio.on("bot_uttered", self.replies.put)
        self.sio.connect(url, transports=["websocket"], socketio_path="/socket.io", wait_timeout=10)
        self.sio.emit("session_request", {"session_id": session_id})
        assert confirmed.get(timeout=10) == session_id

    def say(self, text: str, until: str, timeout: float = 30) -> str:
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
    session_id = uuid.uuid4().hex
    client = Client(web_stack.rasa_url, session_id)
    try:
        text = client.say("¿cuál es el teléfono de soporte?", until=MAIN_LINE)
        assert "opción 2 (Soporte) y luego opción 1" in text
    finally:
        client.close()


def test_a_new_connection_with_the_same_session_continues_the_conversation(web_stack):
    session_id = uuid.uuid4().hex
    first = Client(web_stack.rasa_url, session_id)
    try:
        first.say("quiero hablar con un supervisor", until="número de caso")
    finally:
        first.close()
    second = Client(web_stack.rasa_url, session_id)  # a page reload
    try:
        # "/deny" only means "no case number" because the server kept the pending question.
        second.say("/deny", until="¿Ya reportó este caso al grupo de soporte")
    finally:
        second.close()
    assert web_stack.user_texts(session_id)[-2:] == ["quiero hablar con un supervisor", "/deny"]
