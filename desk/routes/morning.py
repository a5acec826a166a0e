"""The morning list (desk/morning.py): every agent's page for the first shift.

    GET  /manana          after-hours requests to call back, ordered for the shift (session)
    POST /manana/hecho    mark one done (fields ``key``, ``conversation_id``, ``note``): who and when
                          are recorded; the first mark stays (session + CSRF)
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import time

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect
from sanic.response import json as json_response

from desk import morning, views
from desk.auth import csrf_required, page_auth, wants_json
from desk.routes.reports import tracker_source
from desk.store import Session
from insights import source

logger = logging.getLogger("desk")
KEY = re.compile(r"^[^\x00-\x1f]{1,256}@\d{4}-\d{2}-\d{2}$")
MAX_NOTE = 500


async def items_now(request: Request) -> list[morning.MorningItem]:
    call = functools.partial(morning.collect, tracker_source(request))
    return await asyncio.get_running_loop().run_in_executor(None, call)


@page_auth
async def morning_page(request: Request) -> HTTPResponse:
    session: Session = request.ctx.session
    ctx = request.app.ctx
    now = time.time()
    try:
        items = await items_now(request)
        error = ""
    except source.SourceError as exc:
        items, error = [], f"No se pudo leer el registro de conversaciones: {exc}"
        logger.error("Morning list: %s", exc)
    done = ctx.store.callbacks([i.key for i in items])
    ordered = morning.order(items, done)
    return html(views.morning_page(ordered, done, morning.next_shift_label(morning.schedule(), now), session.agent,
                                   session.csrf_token, ctx.config.demo, request.args.get("aviso", ""), error),
                status=503 if error else 200)


@page_auth
@csrf_required
async def mark_done(request: Request) -> HTTPResponse:
    form = request.form or {}
    key = (form.get("key") or "").strip()
    conversation_id = key.rpartition("@")[0]
    note = (form.get("note") or "").strip()[:MAX_NOTE]
    if not KEY.match(key):
        if wants_json(request):
            return json_response({"ok": False, "message": "Elemento no válido."}, status=400)
        return redirect("/manana", status=303)
    store = request.app.ctx.store
    agent = request.ctx.session.agent
    before = store.callbacks([key]).get(key)
    mark = store.mark_called_back(key, conversation_id, agent, note)
    code = "ya-llamado" if before is not None else "llamado"
    if before is None:
        logger.info("Morning list: %s marked done by %s", key.rpartition("@")[2], agent.username)
    if wants_json(request):
        return json_response({"ok": True, "code": code, "message": views.NOTICES[code], "done_by": mark.done_by,
                              "done_at": mark.done_at, "done_text": views.done_text(mark)})
    return redirect(f"/manana?aviso={code}", status=303)


def register(app: Sanic) -> None:
    """The morning list."""
    app.get("/manana")(morning_page)
    app.post("/manana/hecho")(mark_done)
