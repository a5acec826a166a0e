"""Bot → desk: the signed hand-off webhook (docs/agent-desk-api.md, section 1).

    POST /api/handoffs                     queue a packet
    GET  /api/handoffs/{conversation_id}   the latest hand-off's state

A new hand-off's answer also says how long the customer should expect to wait
(desk/presence.py): ``expected_wait_seconds``, ``agents_available``, ``position``.

Both need the HMAC signature of helpdesk.desk_client (checked before the body
is parsed), not an agent's session.
"""

from __future__ import annotations

import json
import logging
import urllib.parse

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import json as json_response

from desk.packet import PacketError, validate_packet
from desk.presence import presence
from desk.security import conversation_ref
from helpdesk.desk_client import REQUEST_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

logger = logging.getLogger("desk")


def signed(request: Request) -> bool:
    """Whether the request carries a valid, fresh, not yet seen signature of the shared secret."""
    ctx = request.app.ctx
    ok = verify(ctx.config.webhook_secret, request.headers.get(TIMESTAMP_HEADER), request.body or b"",
                request.headers.get(SIGNATURE_HEADER) or "", request_id=request.headers.get(REQUEST_ID_HEADER),
                replay=ctx.replay_guard)
    if not ok:
        logger.warning("Refused %s %s: missing, wrong or expired signature", request.method, request.path)
    return ok


async def webhook_create(request: Request) -> HTTPResponse:
    if not signed(request):
        return json_response({"error": "invalid signature"}, status=401)
    try:
        packet = validate_packet(json.loads((request.body or b"").decode("utf-8")))
    except (UnicodeDecodeError, ValueError) as exc:
        message = str(exc) if isinstance(exc, PacketError) else "the body is not valid JSON"
        logger.warning("Refused a hand-off: %s", message)
        return json_response({"error": "invalid packet", "detail": message}, status=400)
    handoff, created = request.app.ctx.store.create_handoff(packet)
    if not created:
        logger.info("Hand-off %d of %s is already %s", handoff.id, conversation_ref(handoff.conversation_id),
                    handoff.status)
        return json_response({"status": handoff.status, "handoff_id": handoff.id,
                              "agent": handoff.agent_name or ""}, status=200)
    logger.info("Hand-off %d queued: %s, reason %s, priority %s", handoff.id,
                conversation_ref(handoff.conversation_id), handoff.reason, handoff.priority)
    logger.debug("Hand-off %d is conversation %s", handoff.id, handoff.conversation_id)
    ctx = request.app.ctx
    waiting = [h.id for h in ctx.store.queue() if h.status == "queued"]
    position = waiting.index(handoff.id) + 1 if handoff.id in waiting else 1
    now = presence(ctx.store, ctx.config.queue_timeout, position=position)
    return json_response({"status": "queued", "handoff_id": handoff.id, "position": position,
                          "agents_available": now.on_duty, "expected_wait_seconds": int(round(now.expected_wait))},
                         status=201)


async def webhook_status(request: Request, conversation_id: str) -> HTTPResponse:
    if not signed(request):
        return json_response({"error": "invalid signature"}, status=401)
    handoff = request.app.ctx.store.latest_handoff(urllib.parse.unquote(conversation_id))
    if handoff is None:
        return json_response({"error": "not found"}, status=404)
    return json_response({"status": handoff.status, "agent": handoff.agent_name or "", "handoff_id": handoff.id})


def register(app: Sanic) -> None:
    """The bot's two signed endpoints."""
    app.post("/api/handoffs")(webhook_create)
    app.get("/api/handoffs/<conversation_id:path>")(webhook_status)
