"""Who is on duty: the bot asks before it queues a customer; an agent goes on a pause and back.

    GET  /api/presence   bot → desk, HMAC-signed like the webhook: agents signed in and on duty,
                         hand-offs waiting, the expected wait of a customer queued now, the SLA
    POST /presencia      an agent (session + CSRF): ``available`` 1 (on duty) or 0 (on a pause)

desk/presence.py says what counts as signed in and on duty and how the wait is estimated.
"""

from __future__ import annotations

import logging

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect
from sanic.response import json as json_response

from desk import views
from desk.auth import csrf_required, page_auth, wants_json
from desk.presence import presence
from desk.routes.webhook import signed

logger = logging.getLogger("desk")


async def presence_api(request: Request) -> HTTPResponse:
    if not signed(request):
        return json_response({"error": "invalid signature"}, status=401)
    ctx = request.app.ctx
    return json_response(presence(ctx.store, ctx.config.queue_timeout).as_json())


@page_auth
@csrf_required
async def set_presence(request: Request) -> HTTPResponse:
    value = ((request.form or {}).get("available") or "").strip()
    if value not in ("0", "1"):
        if wants_json(request):
            return json_response({"ok": False, "message": "available debe ser 0 o 1."}, status=400)
        return redirect("/", status=303)
    agent = request.ctx.session.agent
    available = value == "1"
    request.app.ctx.store.set_available(agent.id, available)
    logger.info("Agent %s is %s", agent.username, "on duty" if available else "on a pause")
    code = "disponible" if available else "pausa"
    if wants_json(request):
        return json_response({"ok": True, "available": available, "code": code, "message": views.NOTICES[code]})
    return redirect(f"/?aviso={code}", status=303)


def register(app: Sanic) -> None:
    """The bot's presence question and an agent's pause switch."""
    app.get("/api/presence")(presence_api)
    app.post("/presencia")(set_presence)
