"""What an agent does to a hand-off; each one is told to Rasa (docs/agent-desk-api.md, section 2).

    POST /handoffs/{id}/take      queued → taken: the customer is told who attends, the bot is paused
    POST /handoffs/{id}/reply     the agent's message, live on the hand-off's channel
    POST /handoffs/{id}/return    taken → returned: the bot resumes and says so
    POST /handoffs/{id}/close     taken → closed: the customer is told, the bot resumes

All need a session and its CSRF token. A fetch() call (Accept: application/json)
gets JSON; a plain form gets a redirect to the conversation with a fixed notice.
Only the agent who took a hand-off may reply, return or close it.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect
from sanic.response import json as json_response

from desk import views
from desk.auth import csrf_required, page_auth, wants_json
from desk.rasa_api import RasaError, has_session_start
from desk.store import Agent, Handoff
from desk.texts import DeskTexts

logger = logging.getLogger("desk")

MAX_REPLY = 2000

# What Rasa is told (docs/agent-desk-api.md, section 2); the texts come from domain.yml (desk/texts.py).
SESSION_START = [{"event": "session_started"}, {"event": "action", "name": "action_listen"}]


def taken_events(texts: DeskTexts, agent: Agent) -> list[dict[str, Any]]:
    return [{"event": "bot", "text": texts.taken(agent)}, {"event": "pause"}]


def reply_events(name: str, text: str) -> list[dict[str, Any]]:
    return [{"event": "bot", "text": text, "metadata": {"agent": name}}]


def return_events(texts: DeskTexts, agent: Agent) -> list[dict[str, Any]]:
    return [{"event": "resume"}, {"event": "bot", "text": texts.returned(agent)}]


def close_events(texts: DeskTexts, agent: Agent) -> list[dict[str, Any]]:
    return [{"event": "bot", "text": texts.closed(agent)}, {"event": "resume"}]


def outcome(request: Request, handoff_id: int, code: str, status: int = 200, **extra: Any) -> HTTPResponse:
    """JSON for fetch() calls, a redirect to the conversation (with a fixed notice) for forms."""
    if wants_json(request):
        body = {"ok": status < 400, "code": code, "message": views.NOTICES.get(code, ""), **extra}
        return json_response(body, status=status)
    return redirect(f"/handoffs/{handoff_id}?aviso={code}", status=303)


def own_handoff(request: Request, handoff_id: int) -> tuple[Handoff | None, HTTPResponse | None]:
    """(the hand-off, None) when the signed-in agent has it taken, else (None, the refusal)."""
    handoff = request.app.ctx.store.handoff(handoff_id)
    agent = request.ctx.session.agent
    if handoff is None:
        return None, outcome(request, handoff_id, "ya-tomada", 404)
    if handoff.status != "taken" or handoff.agent_id != agent.id:
        return None, outcome(request, handoff_id, "no-suya", 409)
    return handoff, None


@page_auth
@csrf_required
async def take(request: Request, handoff_id: int) -> HTTPResponse:
    ctx = request.app.ctx
    agent = request.ctx.session.agent
    handoff = ctx.store.take(handoff_id, agent)
    if handoff is None:
        return outcome(request, handoff_id, "ya-tomada", 409)
    cid = handoff.conversation_id
    try:
        tracker = await ctx.rasa.tracker(cid)
        if not has_session_start(tracker):
            # A pause posted to a conversation without events is lost behind Rasa's automatic session start.
            await ctx.rasa.append_events(cid, SESSION_START, live=False)
        await ctx.rasa.append_events(cid, taken_events(ctx.texts, agent), channel=handoff.channel)
    except RasaError as exc:
        ctx.store.untake(handoff_id, agent)
        logger.error("Hand-off %d: could not tell Rasa that %s took it: %s", handoff_id, agent.username, exc)
        return outcome(request, handoff_id, "rasa", 502)
    logger.info("Hand-off %d taken by %s after %.1f s in the queue", handoff_id, agent.username,
                (handoff.taken_at or time.time()) - handoff.received_at)
    return outcome(request, handoff_id, "tomada", state="taken")


@page_auth
@csrf_required
async def reply(request: Request, handoff_id: int) -> HTTPResponse:
    handoff, refused = own_handoff(request, handoff_id)
    if refused:
        return refused
    text = ((request.form or {}).get("text") or "").strip()
    if not text:
        return outcome(request, handoff_id, "vacia", 400)
    if len(text) > MAX_REPLY:
        return outcome(request, handoff_id, "larga", 400)
    agent = request.ctx.session.agent
    try:
        await request.app.ctx.rasa.append_events(handoff.conversation_id, reply_events(agent.name, text),
                                                 channel=handoff.channel)
    except RasaError as exc:
        logger.error("Hand-off %d: reply of %s not delivered: %s", handoff_id, agent.username, exc)
        return outcome(request, handoff_id, "rasa", 502)
    logger.info("Hand-off %d: %s replied (%d characters)", handoff_id, agent.username, len(text))
    if wants_json(request):
        return json_response({"ok": True, "code": "enviada"})
    return redirect(f"/handoffs/{handoff_id}", status=303)


async def finish(request: Request, handoff_id: int, status: str) -> HTTPResponse:
    """taken → ``status`` ("returned" or "closed"), once Rasa has been told."""
    handoff, refused = own_handoff(request, handoff_id)
    if refused:
        return refused
    ctx = request.app.ctx
    agent = request.ctx.session.agent
    events = return_events(ctx.texts, agent) if status == "returned" else close_events(ctx.texts, agent)
    try:
        await ctx.rasa.append_events(handoff.conversation_id, events, channel=handoff.channel)
    except RasaError as exc:
        logger.error("Hand-off %d: could not tell Rasa it was %s: %s", handoff_id, status, exc)
        return outcome(request, handoff_id, "rasa", 502)
    ctx.store.finish(handoff_id, agent, status)
    logger.info("Hand-off %d %s by %s", handoff_id, status, agent.username)
    return outcome(request, handoff_id, "devuelta" if status == "returned" else "cerrada", state=status)


@page_auth
@csrf_required
async def hand_back(request: Request, handoff_id: int) -> HTTPResponse:
    return await finish(request, handoff_id, "returned")


@page_auth
@csrf_required
async def close(request: Request, handoff_id: int) -> HTTPResponse:
    return await finish(request, handoff_id, "closed")


def register(app: Sanic) -> None:
    """Take, reply, hand back and close."""
    app.post("/handoffs/<handoff_id:int>/take")(take)
    app.post("/handoffs/<handoff_id:int>/reply")(reply)
    app.post("/handoffs/<handoff_id:int>/return")(hand_back)
    app.post("/handoffs/<handoff_id:int>/close")(close)
