"""JSON for the agents' pages (desk.js polls these).

    GET /api/desk/queue             the queue                   (session, else 401)
    GET /api/desk/handoffs/{id}     state + live transcript     (session, else 401)
"""

from __future__ import annotations

import time
from typing import Any

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import json as json_response

from desk import views
from desk.auth import api_auth
from desk.rasa_api import read_live
from desk.readable import neutralise_data
from desk.store import Handoff


def summary(handoff: Handoff, now: float) -> dict[str, Any]:
    """A hand-off as the queue shows it, with its Spanish labels."""
    data = handoff.summary(now)
    waited = views.duration(data["waiting_seconds"])
    data.update(
        status_label=views.STATUS_LABELS.get(handoff.status, handoff.status),
        priority_label=views.PRIORITY_LABELS.get(handoff.priority, handoff.priority),
        waiting_text=("esperando " if handoff.status == "queued" else "esperó ") + waited,
        since=views.clock(handoff.received_at),
        agent_id=handoff.agent_id,
    )
    return data


@api_auth
async def queue_api(request: Request) -> HTTPResponse:
    now = time.time()
    handoffs = request.app.ctx.store.queue()
    waiting = sum(1 for h in handoffs if h.status == "queued")
    return json_response(neutralise_data({"handoffs": [summary(h, now) for h in handoffs], "waiting": waiting,
                                          "waiting_text": views.waiting_text(waiting), "updated": views.clock(now)}))


@api_auth
async def handoff_api(request: Request, handoff_id: int) -> HTTPResponse:
    ctx = request.app.ctx
    handoff = ctx.store.handoff(handoff_id)
    if handoff is None:
        return json_response({"error": "not found"}, status=404)
    live, paused = await read_live(ctx.rasa, handoff)
    body = {"handoff": summary(handoff, time.time()), "packet": handoff.packet, "transcript": live,
            "paused": paused, "you": request.ctx.session.agent.id}
    if live is None:
        body["error"] = "No se pudo leer la conversación en el asistente."
    return json_response(neutralise_data(body))  # desk.js shows these strings: no bidi controls


def register(app: Sanic) -> None:
    """The agents' JSON."""
    app.get("/api/desk/queue")(queue_api)
    app.get("/api/desk/handoffs/<handoff_id:int>")(handoff_api)
