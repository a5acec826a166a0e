"""Rasa's socket.io channel with session ids only the server can issue.

Rasa 3.6's channel puts any socket that sends ``session_request {session_id: X}``
into room X and files its messages under conversation X: the conversation id was
the only credential, and it is not secret (agents see it in the desk, logs carry
it). This channel keeps the shape of Rasa's protocol — the server issues the value
in ``session_confirm``, the client presents exactly that value as ``session_id`` in
``session_request`` and ``user_uttered`` — but the value is now

    <conversation id>.<HMAC-SHA256 of the id under SOCKETIO_SESSION_SECRET>

so only the server can issue it. A value the server did not issue (a bare
conversation id, a forged or truncated one) gets a new conversation, never
someone else's; a ``user_uttered`` whose ``session_id`` is not the one this socket
was confirmed with is ignored. Conversation ids start with ``web-``, a prefix the
REST channel refuses (``addons/rest_channel.py``), so a REST ``sender`` can never
address a website conversation.

Rooms are named by the conversation id, as in Rasa, so messages pushed through
Rasa's HTTP API with ``output_channel=socketio`` (the agent desk) still reach the
customer. Several Rasa instances must share ``SOCKETIO_SESSION_SECRET``; without it a
random one is made per process (conversations then start afresh after a restart; ``make
run`` keeps one in var/secrets/, and ``addons/rasa_run.py`` requires it when Rasa listens
beyond loopback). A value that is set must be a real secret (helpdesk/secret_policy.py:
32 characters or more, not a published demo value), or Rasa does not start.

Message size: a socket.io message may be up to ``MAX_MESSAGE_BYTES`` (8 MiB), like a large
REST body, so a 1 MB message reaches the assistant and gets the same polite answer as over
REST (the NLU reads its first characters only: addons/message_guard.py). Python-socketio's
default (1 MB) and Sanic's websocket frame limit (1 MiB) closed the socket with no answer.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from socketio import AsyncServer

from helpdesk.secret_policy import SecretError, secret_problem

logger = logging.getLogger(__name__)

CONVERSATION_PREFIX = "web-"
SECRET_ENV = "SOCKETIO_SESSION_SECRET"
_SIGNATURE_CHARS = 32
MAX_MESSAGE_BYTES = 8 * 2 ** 20


def _secret() -> bytes:
    value = os.environ.get(SECRET_ENV, "")
    problem = secret_problem(SECRET_ENV, value) if value else None
    if problem:
        raise SecretError(f"Rasa cannot start: {problem}")
    if not value:
        logger.warning(
            "%s is not set: socket.io sessions are signed with a random secret of this process "
            "(conversations of the website chat start afresh after a restart, and several Rasa "
            "instances cannot share them).", SECRET_ENV,
        )
        value = secrets.token_hex(32)
        os.environ[SECRET_ENV] = value
    return value.encode("utf-8")


def sign(conversation_id: str, secret: bytes) -> str:
    """The session value the server issues for a conversation."""
    mac = hmac.new(secret, conversation_id.encode("utf-8"), hashlib.sha256).hexdigest()[:_SIGNATURE_CHARS]
    return f"{conversation_id}.{mac}"


def verify(session_value: Any, secret: bytes) -> str | None:
    """The conversation id of a value this server issued, or None."""
    if not isinstance(session_value, str) or "." not in session_value or len(session_value) > 200:
        return None
    conversation_id, _, _ = session_value.rpartition(".")
    if not conversation_id.startswith(CONVERSATION_PREFIX):
        return None
    if hmac.compare_digest(sign(conversation_id, secret), session_value):
        return conversation_id
    return None


def new_conversation_id() -> str:
    return f"{CONVERSATION_PREFIX}{uuid.uuid4().hex}"


class LargeMessageSocketBlueprint(SocketBlueprint):
    """Rasa's socket.io blueprint that also lets Sanic read websocket frames of ``MAX_MESSAGE_BYTES``."""

    def register(self, app: Any, options: dict[str, Any]) -> None:
        # Read by Sanic when the server starts, after the channels are registered.
        app.config.WEBSOCKET_MAX_SIZE = max(int(app.config.WEBSOCKET_MAX_SIZE or 0), MAX_MESSAGE_BYTES)
        super().register(app, options)


class SignedSocketIOInput(SocketIOInput):
    """socket.io input whose session ids are signed by the server (same name: ``socketio``)."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        secret = _secret()
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[], max_http_buffer_size=MAX_MESSAGE_BYTES)
        socketio_webhook = LargeMessageSocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        # socket id -> the conversation this socket was confirmed for
        confirmed: dict[str, str] = {}

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> Any:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict, auth: dict | None = None) -> bool:
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            confirmed.pop(sid, None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: dict | None) -> None:
            presented = (data or {}).get("session_id") if isinstance(data, dict) else None
            conversation_id = verify(presented, secret)
            if conversation_id is None:
                conversation_id = new_conversation_id()  # not issued here: a new conversation
            previous = confirmed.get(sid)
            if previous and previous != conversation_id:
                sio.leave_room(sid, previous, namespace=self.namespace)
            confirmed[sid] = conversation_id
            sio.enter_room(sid, conversation_id, namespace=self.namespace)
            await sio.emit("session_confirm", sign(conversation_id, secret), room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: dict) -> None:
            if not isinstance(data, dict):
                return
            conversation_id = confirmed.get(sid)
            if conversation_id is None or verify(data.get("session_id"), secret) != conversation_id:
                # Only what this socket was confirmed with: never another conversation.
                logger.debug("socket.io message with a session this socket was not confirmed for: ignored")
                return
            text = data.get("message", "")
            if not isinstance(text, str):
                return
            metadata = data.get(self.metadata_key, {})
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            message = UserMessage(
                text, SocketIOOutput(sio, self.bot_message_evt), conversation_id,
                input_channel=self.name(), metadata=metadata if isinstance(metadata, dict) else {},
            )
            await on_new_message(message)

        return socketio_webhook
