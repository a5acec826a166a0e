"""A website-chat customer over Rasa's socket.io channel, as the widget talks to it.

The server issues the session value in ``session_confirm`` (the conversation id with
an HMAC, addons/socketio_channel.py); the client presents exactly that value.
Shared by the live, browser and integration tests.
"""

from __future__ import annotations

import queue
import time

import socketio


class SocketCustomer:
    """One socket.io connection: one page load of the widget."""

    def __init__(self, url: str, presented: str | None = None, timeout: float = 30):
        self.inbox: queue.Queue[dict] = queue.Queue()
        self.received: list[dict] = []
        confirmed: queue.Queue[str] = queue.Queue()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("session_confirm", confirmed.put)
        self.sio.on("bot_uttered", self.inbox.put)
        self.sio.connect(url, transports=["websocket"], socketio_path="/socket.io", wait_timeout=timeout)
        self.sio.emit("session_request", {"session_id": presented})
        self.session = confirmed.get(timeout=timeout)  # what the widget keeps
        self.conversation_id = self.session.rpartition(".")[0]  # what agents and logs see

    def send(self, text: str, session: str | None = None) -> None:
        """A customer message; ``session`` presents another value than the one issued."""
        self.sio.emit("user_uttered", {"message": text, "session_id": session or self.session})

    def say(self, text: str) -> None:
        """Send after setting aside what arrived before, so ``wait_for`` sees only the replies."""
        self.drain()
        self.send(text)

    def drain(self) -> list[dict]:
        """Messages that arrived and were not looked at yet."""
        got = []
        while True:
            try:
                got.append(self.inbox.get_nowait())
            except queue.Empty:
                break
        self.received += got
        return got

    def wait_for(self, fragment: str, timeout: float = 60) -> str:
        """The text of the first new message containing ``fragment``."""
        seen = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = self.inbox.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.received.append(message)
            seen.append(message.get("text", ""))
            if fragment in message.get("text", ""):
                return message.get("text", "")
        raise AssertionError(f"no message with {fragment!r} in {timeout} s over socket.io; got {seen}")

    def silence(self, seconds: float) -> list[str]:
        """What arrives within ``seconds``."""
        time.sleep(seconds)
        return [m.get("text", "") for m in self.drain()]

    def close(self) -> None:
        self.sio.disconnect()
