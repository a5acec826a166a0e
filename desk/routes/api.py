"""JSON for the agents' pages (desk.js polls these).

    GET /api/desk/queue             the queue, who is on duty   (session, else 401)
    GET /api/desk/handoffs/{id}     state + live transcript + internal notes   (session, else 401)

Each hand-off carries its SLA: ``deadline`` (Unix time: received + DESK_QUEUE_TIMEOUT) and
``seconds_left`` while it waits; desk.js counts it down every second.
"""

from __future__ import annotations

import time
from typing import Any

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import json as json_response

from desk import closing, views
from desk.auth import api_auth
from desk.presence import presence
from desk.rasa_api import read_live
from desk.readable import neutralise_data
from desk.store import Handoff


def summary(handoff: Handoff, now: float, sla: float | None = None) -> dict[str, Any]:
    """A hand-off as the queue shows it, with its Spanish labels (and its SLA when ``sla`` is given)."""
    data = handoff.summary(now)
    waited = views.duration(data["waiting_seconds"])
    data.update(
        status_label=views.STATUS_LABELS.get(handoff.status, handoff.status),
        priority_label=views.PRIORITY_LABELS.get(handoff.priority, handoff.priority),
        waiting_text=("esperando " if handoff.status == "queued" else "esperó ") + waited,
        since=views.clock(handoff.received_at),
        agent_id=handoff.agent_id,
        close_reason_label=closing.label(handoff.close_reason),
    )
    if sla is not None:
        data.update(deadline=handoff.deadline(sla), sla_text=views.time_left_text(handoff, now, sla),
                    seconds_left=max(0, int(handoff.deadline(sla) - now)) if handoff.status == "queued" else None)
    return data


@api_auth
async def queue_api(request: Request) -> HTTPResponse:
    now = time.time()
    ctx = request.app.ctx
    sla = ctx.config.queue_timeout
    handoffs = ctx.store.queue()
    waiting = sum(1 for h in handoffs if h.status == "queued")
    on_duty = presence(ctx.store, sla, now).names
    return json_response(neutralise_data({"handoffs": [summary(h, now, sla) for h in handoffs], "waiting": waiting,
                                          "waiting_text": views.waiting_text(waiting), "updated": views.clock(now),
                                          "now": now, "sla": sla, "on_duty_text": views.on_duty_text(on_duty)}))


@api_auth
async def handoff_api(request: Request, handoff_id: int) -> HTTPResponse:
    ctx = request.app.ctx
    handoff = ctx.store.handoff(handoff_id)
    if handoff is None:
        return json_response({"error": "not found"}, status=404)
    live, paused = await read_live(ctx.rasa, handoff)
    now = time.time()
    body = {"handoff": summary(handoff, now, ctx.config.queue_timeout), "packet": handoff.packet, "transcript": live,
            "paused": paused, "you": request.ctx.session.agent.id, "now": now,
            "notes": [views.note_json(n) for n in ctx.store.notes(handoff_id)]}
    if live is None:
        body["error"] = "No se pudo leer la conversación en el asistente."
    return json_response(neutralise_data(body))  # desk.js shows these strings: no bidi controls


def register(app: Sanic) -> None:
    """The agents' JSON."""
    app.get("/api/desk/queue")(queue_api)
    app.get("/api/desk/handoffs/<handoff_id:int>")(handoff_api)
