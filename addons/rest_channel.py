"""The REST channel with its input checked: a bad body gets 400, never 500.

Rasa 3.6's RestInput calls ``request.json.get(...)`` without checking that the
body is a JSON object, so a valid JSON array, string, number, ``null`` or an
empty body raised AttributeError and Sanic answered 500; a message that was not
a string got 200 with no answer. This subclass keeps the name ``rest`` (the URL
stays ``POST /webhooks/rest/webhook``) and answers those requests with 400 and
a short explanation. The input channel is always ``rest``: a client cannot
claim to be the website chat (the hand-off to a person depends on the channel).

A ``sender`` that starts with ``web-`` is refused with 400: those are the website
chat's conversations (``addons/socketio_channel.py``), which a REST client must never
read, write into or take over.
"""

from __future__ import annotations

from rasa.core.channels.rest import RestInput
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from addons.socketio_channel import CONVERSATION_PREFIX


class CheckedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    async def _extract_sender(self, req: Request) -> str | None:
        # Called first by RestInput's webhook: the body check happens here.
        body = req.json
        if not isinstance(body, dict):
            raise InvalidUsage('The body must be a JSON object: {"sender": "...", "message": "..."}')
        if not isinstance(body.get("message"), str):
            raise InvalidUsage('"message" must be a string')
        sender = body.get("sender")
        if sender is not None and str(sender).startswith(CONVERSATION_PREFIX):
            raise InvalidUsage(f'"sender" must not start with "{CONVERSATION_PREFIX}": those ids belong to the website chat')
        return None if sender is None else str(sender)

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()
