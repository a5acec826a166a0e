"""Who may call a route: the agent's session, CSRF tokens and cookies.

Every route module decorates its handlers with these:

    @page_auth        a page: no session → 303 to /login (a JSON call → 401)
    @api_auth         JSON only: no session → 401
    @csrf_required    a POST from an agent: the session's token (form field or header) or 403
    @supervisor_required  a supervisor's page or JSON: no session as @page_auth; an agent → 403

``load_session`` runs before every request (app.py registers it) and puts the
session, or None, in ``request.ctx.session``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect
from sanic.response import json as json_response

from desk import views
from desk.security import same_token, token_digest
from desk.store import Session

logger = logging.getLogger("desk")

SESSION_COOKIE = "desk_session"
LOGIN_COOKIE = "desk_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
SUPERVISORS_ONLY = "Esta página es solo para supervisores."

Handler = Callable[..., Awaitable[HTTPResponse]]


async def load_session(request: Request) -> None:
    """Request middleware: the session named by the cookie, or None."""
    request.ctx.session = None
    token = request.cookies.get(SESSION_COOKIE)
    if token and len(token) < 200:
        request.ctx.session = request.app.ctx.store.session(token_digest(token))


def wants_json(request: Request) -> bool:
    return "application/json" in (request.headers.get("accept") or "") or request.path.startswith("/api/")


def unauthenticated(request: Request, page: bool = True) -> HTTPResponse:
    if page and not wants_json(request):
        return redirect("/login", status=303)
    return json_response({"error": "unauthenticated", "message": "Inicie sesión."}, status=401)


def page_auth(handler: Handler) -> Handler:
    @functools.wraps(handler)
    async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        if request.ctx.session is None:
            return unauthenticated(request)
        return await handler(request, *args, **kwargs)
    return wrapper


def api_auth(handler: Handler) -> Handler:
    @functools.wraps(handler)
    async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        if request.ctx.session is None:
            return unauthenticated(request, page=False)
        return await handler(request, *args, **kwargs)
    return wrapper


def supervisor_required(handler: Handler) -> Handler:
    """Only for accounts with supervisor access (agents get 403; the session and CSRF rules still apply)."""
    @functools.wraps(handler)
    async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        session: Session | None = request.ctx.session
        if session is None:
            return unauthenticated(request)
        if not session.agent.is_supervisor:
            logger.warning("Refused %s %s to %s: supervisors only", request.method, request.path,
                           session.agent.username)
            if wants_json(request):
                return json_response({"error": "forbidden", "message": SUPERVISORS_ONLY}, status=403)
            return html(views.error_page("Acceso restringido", SUPERVISORS_ONLY, request.app.ctx.config.demo,
                                         session.agent, session.csrf_token), status=403)
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


def csrf_required(handler: Handler) -> Handler:
    @functools.wraps(handler)
    async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        if not csrf_ok(request):
            logger.warning("Refused %s %s: missing or wrong CSRF token", request.method, request.path)
            if wants_json(request):
                return json_response({"error": "csrf", "message": "Token CSRF ausente o inválido."}, status=403)
            return html(views.error_page("Solicitud rechazada", "Falta el token de seguridad del formulario. "
                                         "Recargue la página e intente de nuevo.", request.app.ctx.config.demo),
                        status=403)
        return await handler(request, *args, **kwargs)
    return wrapper


def set_cookie(request: Request, response: HTTPResponse, name: str, value: str, max_age: int,
               path: str = "/") -> None:
    """An HttpOnly, SameSite=Strict cookie (Secure with DESK_COOKIE_SECURE)."""
    response.cookies[name] = value
    response.cookies[name]["httponly"] = True
    response.cookies[name]["samesite"] = "Strict"
    response.cookies[name]["path"] = path
    response.cookies[name]["max-age"] = max_age
    if request.app.ctx.config.cookie_secure:
        response.cookies[name]["secure"] = True
