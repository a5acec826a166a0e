"""The agent desk web app (Sanic): webhook for the bot, pages and JSON for agents and supervisors.

Routes, one module per group under desk/routes/ (docs/agent-desk-api.md is the
contract of the webhook):

    webhook.py        POST /api/handoffs                     bot → desk, HMAC-signed packet
                      GET  /api/handoffs/{conversation_id}   bot → desk, HMAC-signed, latest hand-off's state
    pages.py          GET  /login, POST /login, POST /logout
                      GET  /                                 the queue               (session)
                      GET  /handoffs/{id}                    one conversation        (session)
    agent_actions.py  POST /handoffs/{id}/take|reply|return|close                    (session + CSRF)
    api.py            GET  /api/desk/queue                   the queue as JSON       (session)
                      GET  /api/desk/handoffs/{id}           state + live transcript + notes (session)
    presence.py       GET  /api/presence                     bot → desk, HMAC-signed: agents on duty, expected wait
                      POST /presencia                        an agent: on duty or on a pause (session + CSRF)
    morning.py        GET  /manana                           the morning list: after-hours requests to call back
                      POST /manana/hecho                     marked done by whoever called back (session + CSRF)
    reports.py        GET  /supervision                      last 7 days' hand-offs  (supervisor session)
                      GET  /supervision/informe?desde=&hasta= the support report (insights/)  (supervisor)
                      GET  /supervision/informe/no_entendidos.nlu.yml   its NLU draft         (supervisor)
                      GET  /supervision/conversacion?id=     one transcript, masked  (supervisor session)
                      GET  /supervision/static/*             Chart.js, drawing script, report CSS
    (here)            GET  /static/*, /favicon.ico           CSS, JS and the icon (no data)

Pages without a session redirect to /login; JSON calls answer 401; a
supervisor's page answers 403 to an agent (``supervisor_required``). Every POST
from an agent carries the session's CSRF token (form field ``csrf_token`` or
header ``X-CSRF-Token``); desk/auth.py has the checks. Logs never contain the
text of customer messages.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, raw, text

from desk import canned
from desk.auth import load_session
from desk.config import Config
from desk.rasa_api import RasaClient, RasaError
from desk.routes import register_all
from desk.security import AttemptSlots, LoginThrottle, conversation_ref
from desk.store import Store
from desk.texts import DeskTexts
from helpdesk.desk_client import ReplayGuard

logger = logging.getLogger("desk")

STATIC = Path(__file__).resolve().parent / "static"
EXPIRY_NOTICE_ATTEMPTS = 5

CSP = "; ".join([
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
    "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'",
])


def create_app(config: Config, store: Store | None = None, rasa: RasaClient | None = None,
               name: str = "agent_desk", texts: DeskTexts | None = None,
               replies: tuple[canned.CannedReply, ...] | None = None) -> Sanic:
    """The desk; ConfigError when the domain file lacks the desk's responses (desk/texts.py) or the
    canned replies file is not valid (desk/canned.py)."""
    texts = texts or DeskTexts.load(config.domain_file)
    replies = canned.load(config.canned_file) if replies is None else replies
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 1_000_000
    app.config.FORWARDED_SECRET = None
    app.ctx.config = config
    app.ctx.texts = texts
    app.ctx.replies = replies
    app.ctx.store = store or Store(config.db)
    app.ctx.rasa = rasa or RasaClient(config.rasa_url, config.rasa_token, config.rasa_timeout)
    app.ctx.replay_guard = ReplayGuard()
    app.ctx.login_throttle = LoginThrottle()
    app.ctx.login_slots = AttemptSlots()

    app.register_middleware(load_session, "request")
    app.register_middleware(security_headers, "response")
    app.route("/static/<name:path>", methods=["GET", "HEAD"])(static_file)
    app.route("/static/", methods=["GET", "HEAD"])(static_index)
    app.get("/favicon.ico")(favicon)
    register_all(app)

    app.register_listener(start_expiry, "after_server_start")
    app.register_listener(stop_expiry, "before_server_stop")
    return app


async def security_headers(request: Request, response: HTTPResponse) -> None:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"


# The only files under /static/: a name from this list or 404. Sanic's directory handler
# answered 500 (and logged a traceback) for "/static/", "/static//" and "/static/.", and served
# "/static/.." and "/static/desk.css/".
STATIC_FILES = {
    "desk.css": "text/css; charset=utf-8",
    "desk.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
    "incidents.css": "text/css; charset=utf-8",  # known incidents (desk/routes/incidents.py)
    "incidents.js": "text/javascript; charset=utf-8",
}


async def static_file(request: Request, name: str) -> HTTPResponse:
    content_type = STATIC_FILES.get(name)
    if content_type is None:
        return text("No encontrado.", status=404)
    body = (STATIC / name).read_bytes()
    return raw(b"" if request.method == "HEAD" else body, content_type=content_type,
               headers={"Cache-Control": "max-age=300", "Content-Length": str(len(body))})


async def static_index(request: Request) -> HTTPResponse:
    return text("No encontrado.", status=404)


async def favicon(request: Request) -> HTTPResponse:
    """Browsers ask for /favicon.ico on pages without an icon link (the report page)."""
    return raw((STATIC / "favicon.svg").read_bytes(), content_type="image/svg+xml",
               headers={"Cache-Control": "max-age=86400"})


# ------------------------------------------------------------- queue timeout

async def expire_once(app: Sanic) -> None:
    """Expire the hand-offs nobody took in time and tell the bot (retried on later rounds)."""
    config, store = app.ctx.config, app.ctx.store
    now = time.time()
    for handoff in store.expire(now - config.queue_timeout, now):
        logger.info("Hand-off %d expired: nobody took %s in %.0f s", handoff.id,
                    conversation_ref(handoff.conversation_id), config.queue_timeout)
    for handoff in store.expired_to_notify(EXPIRY_NOTICE_ATTEMPTS):
        try:
            await app.ctx.rasa.trigger_intent(handoff.conversation_id, "request_human", handoff.channel)
        except RasaError as exc:
            store.expiry_notice(handoff.id, delivered=False)
            logger.error("Hand-off %d: could not tell the bot that it expired: %s", handoff.id, exc)
        else:
            store.expiry_notice(handoff.id, delivered=True)
            logger.info("Hand-off %d: the bot was told that nobody took it", handoff.id)


async def expiry_loop(app: Sanic) -> None:
    tick = min(1.0, max(0.2, app.ctx.config.queue_timeout / 4))
    while True:
        try:
            await expire_once(app)
        except Exception:  # noqa: BLE001 - the loop must survive one bad round
            logger.exception("Queue timeout check failed")
        await asyncio.sleep(tick)


async def start_expiry(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
    config = app.ctx.config
    app.ctx.expiry_task = loop.create_task(expiry_loop(app))
    logger.info("Agent desk listening on http://%s:%d (Rasa at %s, queue timeout %.0f s)%s", config.host,
                config.port, config.rasa_url, config.queue_timeout, " [DEMO MODE]" if config.demo else "")


async def stop_expiry(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
    task = getattr(app.ctx, "expiry_task", None)
    if task is not None:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
