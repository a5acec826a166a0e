"""The agents' HTML pages: sign-in, sign-out, the queue and one conversation.

    GET  /login, POST /login      the form (double-submit CSRF cookie); attempts held a few seconds at most
                                  per user name and per real client address, never refused for good
    POST /logout                  (session + CSRF)
    GET  /                        the queue               (session)
    GET  /handoffs/{id}           one conversation        (session)
"""

from __future__ import annotations

import asyncio
import logging

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect

from desk import views
from desk.auth import LOGIN_COOKIE, SESSION_COOKIE, csrf_required, page_auth, set_cookie
from desk.presence import presence
from desk.rasa_api import read_live
from desk.security import AttemptsBusy, client_address, new_token, same_token, token_digest, verify_password
from desk.store import Session

logger = logging.getLogger("desk")

# Notices of /handoffs/{id}?aviso=… shown as errors (the others are information).
ERROR_NOTICES = ("ya-tomada", "no-suya", "rasa", "vacia", "larga", "motivo", "nota-vacia")


def login_form(request: Request, error: str = "", username: str = "", status: int = 200) -> HTTPResponse:
    token = new_token()
    response = html(views.login_page(token, request.app.ctx.config.demo, error, username), status=status)
    set_cookie(request, response, LOGIN_COOKIE, token, 3600, path="/login")
    return response


async def login_get(request: Request) -> HTTPResponse:
    if request.ctx.session is not None:
        return redirect("/", status=303)
    return login_form(request)


async def login_post(request: Request) -> HTTPResponse:
    ctx = request.app.ctx
    form = request.form or {}
    username = (form.get("username") or "").strip()[:100]
    password = form.get("password") or ""
    if not same_token(request.cookies.get(LOGIN_COOKIE), form.get("csrf_token")):
        logger.warning("Refused a login: missing or wrong CSRF token")
        return login_form(request, "El formulario caducó. Intente de nuevo.", username, status=403)
    # Never a lock-out: the attempt is held a few seconds at most (per user name and per real
    # client address, desk/security.py), then checked; one address runs a few attempts at once.
    user_key = username.lower()
    address = client_address(request.ip, request.headers.getall("x-forwarded-for", []), ctx.config.trusted_proxies)
    try:
        async with ctx.login_slots.slot(address):
            hold = ctx.login_throttle.delay(user_key, address)
            if hold > 0:
                await asyncio.sleep(hold)
            agent, stored = ctx.store.agent_credentials(username)
            valid = await asyncio.get_running_loop().run_in_executor(None, verify_password, password, stored)
            if agent is None or not valid:
                ctx.login_throttle.failed(user_key, address)
    except AttemptsBusy:
        logger.warning("Refused a login from %s: too many attempts at once", address)
        response = login_form(request, "Hay demasiados intentos de ingreso desde su conexión en este momento. "
                                       "Espere unos segundos e intente de nuevo.", username, status=429)
        response.headers["Retry-After"] = "5"
        return response
    if agent is None or not valid:
        logger.warning("Failed login for %r from %s", username, address)
        error = "Usuario o contraseña incorrectos."
        if ctx.login_throttle.delay(user_key, address) > 0:
            error += " Por seguridad, el siguiente intento tardará unos segundos en comprobarse."
        return login_form(request, error, username, status=401)
    ctx.login_throttle.succeeded(user_key)
    token = new_token()
    lifetime = ctx.config.session_hours * 3600
    ctx.store.create_session(token_digest(token), agent, new_token(), lifetime)
    logger.info("Agent %s signed in", agent.username)
    response = redirect("/", status=303)
    set_cookie(request, response, SESSION_COOKIE, token, int(lifetime))
    set_cookie(request, response, LOGIN_COOKIE, "", 0, path="/login")
    return response


@page_auth
@csrf_required
async def logout(request: Request) -> HTTPResponse:
    request.app.ctx.store.delete_session(token_digest(request.cookies.get(SESSION_COOKIE)))
    logger.info("Agent %s signed out", request.ctx.session.agent.username)
    response = redirect("/login", status=303)
    set_cookie(request, response, SESSION_COOKIE, "", 0)
    return response


@page_auth
async def queue_page(request: Request) -> HTTPResponse:
    session: Session = request.ctx.session
    ctx = request.app.ctx
    config = ctx.config
    on_duty = presence(ctx.store, config.queue_timeout).names
    return html(views.queue_page(ctx.store.queue(), session.agent, session.csrf_token, config.demo,
                                 config.queue_timeout, on_duty, request.args.get("aviso", "")))


@page_auth
async def conversation_page(request: Request, handoff_id: int) -> HTTPResponse:
    session: Session = request.ctx.session
    ctx = request.app.ctx
    handoff = ctx.store.handoff(handoff_id)
    if handoff is None:
        return html(views.error_page("No encontrada", "Esa conversación no existe.", ctx.config.demo,
                                     session.agent, session.csrf_token), status=404)
    live, _ = await read_live(ctx.rasa, handoff)
    code = request.args.get("aviso", "")
    kind = "error" if code in ERROR_NOTICES else "info"
    return html(views.conversation_page(handoff, live, session.agent, session.csrf_token, ctx.config.demo,
                                        code, kind, sla=ctx.config.queue_timeout,
                                        notes=ctx.store.notes(handoff_id), replies=ctx.replies))


def register(app: Sanic) -> None:
    """Sign-in, sign-out, the queue and the conversation page."""
    app.get("/login")(login_get)
    app.post("/login")(login_post)
    app.post("/logout")(logout)
    app.get("/")(queue_page)
    app.get("/handoffs/<handoff_id:int>")(conversation_page)
