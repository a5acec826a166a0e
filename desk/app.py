"""The agent desk web app (Sanic): webhook for the bot, pages and JSON for agents.

Routes (docs/agent-desk-api.md is the contract of the first two):

    POST /api/handoffs                     bot → desk, HMAC-signed packet
    GET  /api/handoffs/{conversation_id}   bot → desk, HMAC-signed, latest hand-off's state
    GET  /login, POST /login, POST /logout
    GET  /                                 the queue               (session)
    GET  /handoffs/{id}                    one conversation        (session)
    POST /handoffs/{id}/take|reply|return|close                    (session + CSRF)
    GET  /api/desk/queue                   the queue as JSON       (session)
    GET  /api/desk/handoffs/{id}           state + live transcript (session)
    GET  /static/*                         CSS and JS (no data)

Pages without a session redirect to /login; JSON calls answer 401. Every POST
from an agent carries the session's CSRF token (form field ``csrf_token`` or
header ``X-CSRF-Token``). Logs never contain the text of customer messages.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect, text
from sanic.response import json as json_response

from desk import views
from desk.config import Config
from desk.packet import PacketError, validate_packet
from desk.rasa_api import RasaClient, RasaError, has_session_start, is_paused, live_transcript
from desk.security import LoginThrottle, conversation_ref, new_token, same_token, token_digest, verify_password
from desk.store import Handoff, Session, Store
from helpdesk.desk_client import REQUEST_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, ReplayGuard, verify

logger = logging.getLogger("desk")

STATIC = Path(__file__).resolve().parent / "static"
SESSION_COOKIE = "desk_session"
LOGIN_COOKIE = "desk_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
MAX_REPLY = 2000
EXPIRY_NOTICE_ATTEMPTS = 5

# What Rasa is told (docs/agent-desk-api.md, section 2).
SESSION_START = [{"event": "session_started"}, {"event": "action", "name": "action_listen"}]


def taken_events(name: str, role: str):
    return [{"event": "bot", "text": f"Le atiende {name}, {role}."}, {"event": "pause"}]


def reply_events(name: str, text: str):
    return [{"event": "bot", "text": text, "metadata": {"agent": name}}]


def return_events(name: str):
    return [{"event": "resume"},
            {"event": "bot", "text": f"{name} le devolvió la conversación al asistente virtual. "
                                     "¿En qué más le puedo ayudar?"}]


CLOSE_EVENTS = [{"event": "bot", "text": "La conversación con el asesor terminó. Gracias por escribirnos."},
                {"event": "resume"}]

CSP = "; ".join([
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
    "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'",
])


def create_app(config: Config, store: Store | None = None, rasa: RasaClient | None = None,
               name: str = "agent_desk") -> Sanic:
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 1_000_000
    app.config.FORWARDED_SECRET = None
    app.ctx.config = config
    app.ctx.store = store or Store(config.db)
    app.ctx.rasa = rasa or RasaClient(config.rasa_url, config.rasa_token, config.rasa_timeout)
    # Per user name: 5 failures in 10 min; per address a higher limit (agents share an office NAT).
    app.ctx.replay_guard = ReplayGuard()
    app.ctx.login_throttle = LoginThrottle()
    app.static("/static", str(STATIC), name="static")

    @app.get("/static/")
    async def static_index(request: Request) -> HTTPResponse:
        # Sanic answered 500 to the directory itself: there is no index, so 404.
        return text("No encontrado.", status=404)
    session_lifetime = config.session_hours * 3600

    def store_() -> Store:
        return app.ctx.store

    # ------------------------------------------------------------ middleware

    @app.middleware("request")
    async def load_session(request: Request) -> None:
        request.ctx.session = None
        token = request.cookies.get(SESSION_COOKIE)
        if token and len(token) < 200:
            request.ctx.session = store_().session(token_digest(token))

    @app.middleware("response")
    async def security_headers(request: Request, response: HTTPResponse) -> None:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"

    def wants_json(request: Request) -> bool:
        return "application/json" in (request.headers.get("accept") or "") or request.path.startswith("/api/")

    def page_auth(handler: Callable[..., Awaitable[HTTPResponse]]):
        @functools.wraps(handler)
        async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            if request.ctx.session is None:
                if wants_json(request):
                    return json_response({"error": "unauthenticated", "message": "Inicie sesión."}, status=401)
                return redirect("/login", status=303)
            return await handler(request, *args, **kwargs)
        return wrapper

    def api_auth(handler: Callable[..., Awaitable[HTTPResponse]]):
        @functools.wraps(handler)
        async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            if request.ctx.session is None:
                return json_response({"error": "unauthenticated", "message": "Inicie sesión."}, status=401)
            return await handler(request, *args, **kwargs)
        return wrapper

    def csrf_ok(request: Request) -> bool:
        session: Session = request.ctx.session
        given = request.headers.get(CSRF_HEADER)
        if given is None:
            try:
                given = request.form.get("csrf_token") if request.form else None
            except Exception:  # noqa: BLE001 - an unparsable body has no token
                given = None
        return same_token(session.csrf_token, given)

    def csrf_required(handler: Callable[..., Awaitable[HTTPResponse]]):
        @functools.wraps(handler)
        async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            if not csrf_ok(request):
                logger.warning("Refused %s %s: missing or wrong CSRF token", request.method, request.path)
                if wants_json(request):
                    return json_response({"error": "csrf", "message": "Token CSRF ausente o inválido."}, status=403)
                return html(views.error_page("Solicitud rechazada", "Falta el token de seguridad del formulario. "
                                             "Recargue la página e intente de nuevo.", config.demo), status=403)
            return await handler(request, *args, **kwargs)
        return wrapper

    def cookie(response: HTTPResponse, name: str, value: str, max_age: int, path: str = "/") -> None:
        response.cookies[name] = value
        response.cookies[name]["httponly"] = True
        response.cookies[name]["samesite"] = "Strict"
        response.cookies[name]["path"] = path
        response.cookies[name]["max-age"] = max_age
        if config.cookie_secure:
            response.cookies[name]["secure"] = True

    # -------------------------------------------------------------- webhook

    def signed(request: Request) -> bool:
        ok = verify(config.webhook_secret, request.headers.get(TIMESTAMP_HEADER), request.body or b"",
                    request.headers.get(SIGNATURE_HEADER) or "", request_id=request.headers.get(REQUEST_ID_HEADER),
                    replay=app.ctx.replay_guard)
        if not ok:
            logger.warning("Refused %s %s: missing, wrong or expired signature", request.method, request.path)
        return ok

    @app.post("/api/handoffs")
    async def webhook_create(request: Request) -> HTTPResponse:
        if not signed(request):
            return json_response({"error": "invalid signature"}, status=401)
        try:
            packet = validate_packet(json.loads((request.body or b"").decode("utf-8")))
        except (UnicodeDecodeError, ValueError) as exc:
            message = str(exc) if isinstance(exc, PacketError) else "the body is not valid JSON"
            logger.warning("Refused a hand-off: %s", message)
            return json_response({"error": "invalid packet", "detail": message}, status=400)
        handoff, created = store_().create_handoff(packet)
        if not created:
            logger.info("Hand-off %d of %s is already %s", handoff.id, conversation_ref(handoff.conversation_id),
                        handoff.status)
            return json_response({"status": handoff.status, "handoff_id": handoff.id,
                                  "agent": handoff.agent_name or ""}, status=200)
        logger.info("Hand-off %d queued: %s, reason %s, priority %s", handoff.id,
                    conversation_ref(handoff.conversation_id), handoff.reason, handoff.priority)
        logger.debug("Hand-off %d is conversation %s", handoff.id, handoff.conversation_id)
        return json_response({"status": "queued", "handoff_id": handoff.id}, status=201)

    @app.get("/api/handoffs/<conversation_id:path>")
    async def webhook_status(request: Request, conversation_id: str) -> HTTPResponse:
        if not signed(request):
            return json_response({"error": "invalid signature"}, status=401)
        handoff = store_().latest_handoff(urllib.parse.unquote(conversation_id))
        if handoff is None:
            return json_response({"error": "not found"}, status=404)
        return json_response({"status": handoff.status, "agent": handoff.agent_name or "", "handoff_id": handoff.id})

    # ---------------------------------------------------------------- login

    def login_form(error: str = "", username: str = "", status: int = 200) -> HTTPResponse:
        token = new_token()
        response = html(views.login_page(token, config.demo, error, username), status=status)
        cookie(response, LOGIN_COOKIE, token, 3600, path="/login")
        return response

    @app.get("/login")
    async def login_get(request: Request) -> HTTPResponse:
        if request.ctx.session is not None:
            return redirect("/", status=303)
        return login_form()

    @app.post("/login")
    async def login_post(request: Request) -> HTTPResponse:
        form = request.form or {}
        username = (form.get("username") or "").strip()[:100]
        password = form.get("password") or ""
        if not same_token(request.cookies.get(LOGIN_COOKIE), form.get("csrf_token")):
            logger.warning("Refused a login: missing or wrong CSRF token")
            return login_form("El formulario caducó. Intente de nuevo.", username, status=403)
        user_key, address_key = username.lower(), request.remote_addr or request.ip
        wait = app.ctx.login_throttle.wait(user_key, address_key)
        if wait > 0:
            logger.warning("Refused a login for %r: too many failures, %.0f s to wait", username, wait)
            seconds = max(1, int(wait + 0.999))
            response = login_form(f"Demasiados intentos fallidos. Espere {seconds} s e intente de nuevo.", username,
                                  status=429)
            response.headers["Retry-After"] = str(seconds)
            return response
        agent, stored = store_().agent_credentials(username)
        loop = asyncio.get_running_loop()
        valid = await loop.run_in_executor(None, verify_password, password, stored)
        if agent is None or not valid:
            app.ctx.login_throttle.failed(user_key, address_key)
            logger.warning("Failed login for %r", username)
            return login_form("Usuario o contraseña incorrectos.", username, status=401)
        app.ctx.login_throttle.succeeded(user_key, address_key)
        token = new_token()
        store_().create_session(token_digest(token), agent, new_token(), session_lifetime)
        logger.info("Agent %s signed in", agent.username)
        response = redirect("/", status=303)
        cookie(response, SESSION_COOKIE, token, int(session_lifetime))
        cookie(response, LOGIN_COOKIE, "", 0, path="/login")
        return response

    @app.post("/logout")
    @page_auth
    @csrf_required
    async def logout(request: Request) -> HTTPResponse:
        store_().delete_session(token_digest(request.cookies.get(SESSION_COOKIE)))
        logger.info("Agent %s signed out", request.ctx.session.agent.username)
        response = redirect("/login", status=303)
        cookie(response, SESSION_COOKIE, "", 0)
        return response

    # ---------------------------------------------------------------- pages

    @app.get("/")
    @page_auth
    async def queue_page(request: Request) -> HTTPResponse:
        session: Session = request.ctx.session
        return html(views.queue_page(store_().queue(), session.agent, session.csrf_token, config.demo,
                                     config.queue_timeout))

    async def read_live(handoff: Handoff):
        """(transcript since the hand-off, paused) from Rasa's tracker, or (None, None) when unreachable."""
        try:
            tracker = await app.ctx.rasa.tracker(handoff.conversation_id)
        except RasaError as exc:
            logger.warning("Could not read %s: %s", conversation_ref(handoff.conversation_id), exc)
            return None, None
        stamps = [line["timestamp"] for line in handoff.packet.get("transcript") or []
                  if isinstance(line.get("timestamp"), (int, float))]
        since = max(stamps) if stamps else handoff.received_at - 2
        return live_transcript(tracker, since), is_paused(tracker)

    @app.get("/handoffs/<handoff_id:int>")
    @page_auth
    async def conversation_page(request: Request, handoff_id: int) -> HTTPResponse:
        session: Session = request.ctx.session
        handoff = store_().handoff(handoff_id)
        if handoff is None:
            return html(views.error_page("No encontrada", "Esa conversación no existe.", config.demo,
                                         session.agent, session.csrf_token), status=404)
        live, _ = await read_live(handoff)
        code = request.args.get("aviso", "")
        kind = "error" if code in ("ya-tomada", "no-suya", "rasa", "vacia", "larga") else "info"
        return html(views.conversation_page(handoff, live, session.agent, session.csrf_token, config.demo,
                                            code, kind))

    # ------------------------------------------------------------ agent API

    def summary(handoff: Handoff, now: float) -> dict[str, Any]:
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

    @app.get("/api/desk/queue")
    @api_auth
    async def queue_api(request: Request) -> HTTPResponse:
        now = time.time()
        handoffs = store_().queue()
        waiting = sum(1 for h in handoffs if h.status == "queued")
        return json_response({"handoffs": [summary(h, now) for h in handoffs], "waiting": waiting,
                              "waiting_text": views.waiting_text(waiting), "updated": views.clock(now)})

    @app.get("/api/desk/handoffs/<handoff_id:int>")
    @api_auth
    async def handoff_api(request: Request, handoff_id: int) -> HTTPResponse:
        handoff = store_().handoff(handoff_id)
        if handoff is None:
            return json_response({"error": "not found"}, status=404)
        live, paused = await read_live(handoff)
        body = {"handoff": summary(handoff, time.time()), "packet": handoff.packet, "transcript": live,
                "paused": paused, "you": request.ctx.session.agent.id}
        if live is None:
            body["error"] = "No se pudo leer la conversación en el asistente."
        return json_response(body)

    def outcome(request: Request, handoff_id: int, code: str, status: int = 200, **extra: Any) -> HTTPResponse:
        """JSON for fetch() calls, a redirect to the conversation (with a fixed notice) for forms."""
        if wants_json(request):
            body = {"ok": status < 400, "code": code, "message": views.NOTICES.get(code, ""), **extra}
            return json_response(body, status=status)
        return redirect(f"/handoffs/{handoff_id}?aviso={code}", status=303)

    async def own_handoff(request: Request, handoff_id: int):
        handoff = store_().handoff(handoff_id)
        agent = request.ctx.session.agent
        if handoff is None:
            return None, outcome(request, handoff_id, "ya-tomada", 404)
        if handoff.status != "taken" or handoff.agent_id != agent.id:
            return None, outcome(request, handoff_id, "no-suya", 409)
        return handoff, None

    @app.post("/handoffs/<handoff_id:int>/take")
    @page_auth
    @csrf_required
    async def take(request: Request, handoff_id: int) -> HTTPResponse:
        agent = request.ctx.session.agent
        handoff = store_().take(handoff_id, agent)
        if handoff is None:
            return outcome(request, handoff_id, "ya-tomada", 409)
        cid = handoff.conversation_id
        try:
            tracker = await app.ctx.rasa.tracker(cid)
            if not has_session_start(tracker):
                # A pause posted to a conversation without events is lost behind Rasa's automatic session start.
                await app.ctx.rasa.append_events(cid, SESSION_START, live=False)
            await app.ctx.rasa.append_events(cid, taken_events(agent.name, agent.role), channel=handoff.channel)
        except RasaError as exc:
            store_().untake(handoff_id, agent)
            logger.error("Hand-off %d: could not tell Rasa that %s took it: %s", handoff_id, agent.username, exc)
            return outcome(request, handoff_id, "rasa", 502)
        logger.info("Hand-off %d taken by %s after %.1f s in the queue", handoff_id, agent.username,
                    (handoff.taken_at or time.time()) - handoff.received_at)
        return outcome(request, handoff_id, "tomada", state="taken")

    @app.post("/handoffs/<handoff_id:int>/reply")
    @page_auth
    @csrf_required
    async def reply(request: Request, handoff_id: int) -> HTTPResponse:
        handoff, refused = await own_handoff(request, handoff_id)
        if refused:
            return refused
        text = ((request.form or {}).get("text") or "").strip()
        if not text:
            return outcome(request, handoff_id, "vacia", 400)
        if len(text) > MAX_REPLY:
            return outcome(request, handoff_id, "larga", 400)
        agent = request.ctx.session.agent
        try:
            await app.ctx.rasa.append_events(handoff.conversation_id, reply_events(agent.name, text), channel=handoff.channel)
        except RasaError as exc:
            logger.error("Hand-off %d: reply of %s not delivered: %s", handoff_id, agent.username, exc)
            return outcome(request, handoff_id, "rasa", 502)
        logger.info("Hand-off %d: %s replied (%d characters)", handoff_id, agent.username, len(text))
        if wants_json(request):
            return json_response({"ok": True, "code": "enviada"})
        return redirect(f"/handoffs/{handoff_id}", status=303)

    async def finish(request: Request, handoff_id: int, status: str) -> HTTPResponse:
        handoff, refused = await own_handoff(request, handoff_id)
        if refused:
            return refused
        agent = request.ctx.session.agent
        events = return_events(agent.name) if status == "returned" else CLOSE_EVENTS
        try:
            await app.ctx.rasa.append_events(handoff.conversation_id, events, channel=handoff.channel)
        except RasaError as exc:
            logger.error("Hand-off %d: could not tell Rasa it was %s: %s", handoff_id, status, exc)
            return outcome(request, handoff_id, "rasa", 502)
        store_().finish(handoff_id, agent, status)
        logger.info("Hand-off %d %s by %s", handoff_id, status, agent.username)
        return outcome(request, handoff_id, "devuelta" if status == "returned" else "cerrada", state=status)

    @app.post("/handoffs/<handoff_id:int>/return")
    @page_auth
    @csrf_required
    async def hand_back(request: Request, handoff_id: int) -> HTTPResponse:
        return await finish(request, handoff_id, "returned")

    @app.post("/handoffs/<handoff_id:int>/close")
    @page_auth
    @csrf_required
    async def close(request: Request, handoff_id: int) -> HTTPResponse:
        return await finish(request, handoff_id, "closed")

    # --------------------------------------------------------- queue timeout

    async def expire_once() -> None:
        now = time.time()
        for handoff in store_().expire(now - config.queue_timeout, now):
            logger.info("Hand-off %d expired: nobody took %s in %.0f s", handoff.id,
                        conversation_ref(handoff.conversation_id), config.queue_timeout)
        for handoff in store_().expired_to_notify(EXPIRY_NOTICE_ATTEMPTS):
            try:
                await app.ctx.rasa.trigger_intent(handoff.conversation_id, "request_human", handoff.channel)
            except RasaError as exc:
                store_().expiry_notice(handoff.id, delivered=False)
                logger.error("Hand-off %d: could not tell the bot that it expired: %s", handoff.id, exc)
            else:
                store_().expiry_notice(handoff.id, delivered=True)
                logger.info("Hand-off %d: the bot was told that nobody took it", handoff.id)

    async def expiry_loop() -> None:
        tick = min(1.0, max(0.2, config.queue_timeout / 4))
        while True:
            try:
                await expire_once()
            except Exception:  # noqa: BLE001 - the loop must survive one bad round
                logger.exception("Queue timeout check failed")
            await asyncio.sleep(tick)

    app.ctx.expire_once = expire_once

    @app.after_server_start
    async def start_expiry(app_: Sanic, loop) -> None:
        app_.ctx.expiry_task = loop.create_task(expiry_loop())
        logger.info("Agent desk listening on http://%s:%d (Rasa at %s, queue timeout %.0f s)%s", config.host,
                    config.port, config.rasa_url, config.queue_timeout, " [DEMO MODE]" if config.demo else "")

    @app.before_server_stop
    async def stop_expiry(app_: Sanic, loop) -> None:
        task = getattr(app_.ctx, "expiry_task", None)
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    return app
