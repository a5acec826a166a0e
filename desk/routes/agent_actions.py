"""What an agent does to a hand-off; each one is told to Rasa (docs/agent-desk-api.md, section 2).

    POST /handoffs/{id}/take      queued → taken: the customer is told who attends, the bot is paused
    POST /handoffs/{id}/reply     the agent's message, live on the hand-off's channel
    POST /handoffs/{id}/return    taken → returned: the bot resumes and says so
    POST /handoffs/{id}/close     taken → closed (field ``reason``, one of desk/closing.py): the
                                  customer is told, the bot resumes
    POST /handoffs/{id}/notes     an internal note (field ``text``): stored in the desk, never sent to Rasa

All need a session and its CSRF token. A fetch() call (Accept: application/json)
gets JSON; a plain form gets a redirect to the conversation with a fixed notice.
Only the agent who took a hand-off may reply, return or close it; any agent may add a note.

Who is speaking, for the widget: every message the desk sends carries, besides its text
(kept in the tracker for the transcripts and the report), a ``custom`` payload that Rasa's
socket.io channel emits as the widget's ``bot_uttered`` — ``{"text", "speaker": {"kind":
"agent"|"assistant", "name", "role"}, "handoff": "taken"|"reply"|"returned"|"closed"}`` — so the
widget shows the agent's name and role on the agent's messages and changes its header. Rasa
3.6 would also emit the plain text first (``OutputChannel.send_response`` sends ``text``, then
``custom``); ``BotUttered.message()`` lays the event's metadata over its text, so the metadata
``"text": null`` leaves only the custom payload to be emitted, once. The tracker's event keeps
its text (``widget_event``; tested against the real Rasa in tests/browser/test_handoff_two_pages.py).
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
from desk.closing import CLOSE_REASONS
from desk.rasa_api import RasaError, has_session_start
from desk.store import Agent, Handoff
from desk.texts import DeskTexts

logger = logging.getLogger("desk")

MAX_REPLY = 2000
MAX_NOTE = 2000

# What Rasa is told (docs/agent-desk-api.md, section 2); the texts come from domain.yml (desk/texts.py).
SESSION_START = [{"event": "session_started"}, {"event": "action", "name": "action_listen"}]


def speaker(agent: Agent | None) -> dict[str, str]:
    """Who says a message, as the widget shows it: the agent (name and role) or the assistant."""
    if agent is None:
        return {"kind": "assistant"}
    return {"kind": "agent", "name": agent.name, "role": agent.role}


def widget_event(text: str, step: str, agent: Agent | None, metadata: dict[str, Any] | None = None
                 ) -> dict[str, Any]:
    """A bot event the widget receives once, with who says it (module docstring)."""
    return {
        "event": "bot", "text": text,
        "data": {"custom": {"data": {"text": text, "speaker": speaker(agent), "handoff": step}}},
        "metadata": {**(metadata or {}), "desk": step, "text": None},
    }


def taken_events(texts: DeskTexts, agent: Agent) -> list[dict[str, Any]]:
    return [widget_event(texts.taken(agent), "taken", agent), {"event": "pause"}]


def reply_events(agent: Agent, text: str) -> list[dict[str, Any]]:
    return [widget_event(text, "reply", agent, {"agent": agent.name})]


def return_events(texts: DeskTexts, agent: Agent) -> list[dict[str, Any]]:
    return [{"event": "resume"}, widget_event(texts.returned(agent), "returned", None)]


def close_events(texts: DeskTexts, agent: Agent) -> list[dict[str, Any]]:
    return [widget_event(texts.closed(agent), "closed", None), {"event": "resume"}]


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
        await request.app.ctx.rasa.append_events(handoff.conversation_id, reply_events(agent, text),
                                                 channel=handoff.channel)
    except RasaError as exc:
        logger.error("Hand-off %d: reply of %s not delivered: %s", handoff_id, agent.username, exc)
        return outcome(request, handoff_id, "rasa", 502)
    request.app.ctx.store.replied(handoff_id)
    logger.info("Hand-off %d: %s replied (%d characters)", handoff_id, agent.username, len(text))
    if wants_json(request):
        return json_response({"ok": True, "code": "enviada"})
    return redirect(f"/handoffs/{handoff_id}", status=303)


async def finish(request: Request, handoff_id: int, status: str) -> HTTPResponse:
    """taken → ``status`` ("returned" or "closed", with a reason from CLOSE_REASONS), once Rasa has been told."""
    handoff, refused = own_handoff(request, handoff_id)
    if refused:
        return refused
    reason = None
    if status == "closed":
        reason = ((request.form or {}).get("reason") or "").strip()
        if reason not in CLOSE_REASONS:
            return outcome(request, handoff_id, "motivo", 400)
    ctx = request.app.ctx
    agent = request.ctx.session.agent
    events = return_events(ctx.texts, agent) if status == "returned" else close_events(ctx.texts, agent)
    try:
        await ctx.rasa.append_events(handoff.conversation_id, events, channel=handoff.channel)
    except RasaError as exc:
        logger.error("Hand-off %d: could not tell Rasa it was %s: %s", handoff_id, status, exc)
        return outcome(request, handoff_id, "rasa", 502)
    ctx.store.finish(handoff_id, agent, status, reason=reason)
    logger.info("Hand-off %d %s by %s%s", handoff_id, status, agent.username, f" ({reason})" if reason else "")
    return outcome(request, handoff_id, "devuelta" if status == "returned" else "cerrada", state=status)


@page_auth
@csrf_required
async def hand_back(request: Request, handoff_id: int) -> HTTPResponse:
    return await finish(request, handoff_id, "returned")


@page_auth
@csrf_required
async def close(request: Request, handoff_id: int) -> HTTPResponse:
    return await finish(request, handoff_id, "closed")


@page_auth
@csrf_required
async def add_note(request: Request, handoff_id: int) -> HTTPResponse:
    """An internal note: for the team only. Nothing here is sent to Rasa or the customer."""
    ctx = request.app.ctx
    if ctx.store.handoff(handoff_id) is None:
        return outcome(request, handoff_id, "ya-tomada", 404)
    text = ((request.form or {}).get("text") or "").strip()
    if not text:
        return outcome(request, handoff_id, "nota-vacia", 400)
    if len(text) > MAX_NOTE:
        return outcome(request, handoff_id, "larga", 400)
    agent = request.ctx.session.agent
    note = ctx.store.add_note(handoff_id, agent, text)
    logger.info("Hand-off %d: internal note by %s (%d characters)", handoff_id, agent.username, len(text))
    return outcome(request, handoff_id, "nota", note=views.note_json(note))


def register(app: Sanic) -> None:
    """Take, reply, hand back, close, and internal notes."""
    app.post("/handoffs/<handoff_id:int>/take")(take)
    app.post("/handoffs/<handoff_id:int>/reply")(reply)
    app.post("/handoffs/<handoff_id:int>/return")(hand_back)
    app.post("/handoffs/<handoff_id:int>/close")(close)
    app.post("/handoffs/<handoff_id:int>/notes")(add_note)
