"""Known incidents (issue 21): the bot's two signed endpoints and the team's pages.

    GET  /api/incidents/active                 bot → desk, HMAC-signed: the open incidents
    POST /api/incident-reports                 bot → desk, HMAC-signed: one problem report (alert rule)
    GET  /api/desk/incidents                   the banner of every desk page (session): open incidents,
                                               and open alerts for supervisors and on-call
    GET  /incidentes                           open and recent incidents, alerts (session; agents read)
    GET  /incidentes/nuevo[?alerta=ID]         the declaration form, pre-filled from an alert
    POST /incidentes                           declare                  (supervisor or on-call + CSRF)
    GET  /incidentes/{id}                      one incident             (session; agents read)
    POST /incidentes/{id}/actualizar           an update, the estimate  (supervisor or on-call + CSRF)
    POST /incidentes/{id}/cerrar               close                    (supervisor or on-call + CSRF)
    POST /incidentes/alertas/{id}/descartar    a false alarm            (supervisor or on-call + CSRF)

desk/incidents.py has the store and the alert rule, desk/incident_settings.py the settings
(checked when these routes are registered), desk/oncall.py the on-call webhook.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
import time
from datetime import datetime
from typing import Any

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect
from sanic.response import json as json_response

from desk import incident_views, oncall, views
from desk import incidents as inc
from desk.auth import api_auth, csrf_required, page_auth, unauthenticated, wants_json
from desk.incident_settings import IncidentSettings
from desk.readable import neutralise_data
from desk.routes.webhook import signed
from desk.security import conversation_ref
from desk.store import Session

logger = logging.getLogger("desk")

_SERVICE = re.compile(r"^[a-z_]{1,40}$")
_LOCAL = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$")


def managers_only(handler):
    """Supervisors and on-call accounts (read from the database on every request); agents get 403."""
    @functools.wraps(handler)
    async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        session: Session | None = request.ctx.session
        if session is None:
            return unauthenticated(request)
        if not request.app.ctx.incidents.can_manage(session.agent):
            logger.warning("Refused %s %s to %s: supervisors and on-call only", request.method, request.path,
                           session.agent.username)
            if wants_json(request):
                return json_response({"error": "forbidden", "message": incident_views.MANAGERS_ONLY}, status=403)
            return html(views.error_page("Acceso restringido", incident_views.MANAGERS_ONLY,
                                         request.app.ctx.config.demo, session.agent, session.csrf_token), status=403)
        return await handler(request, *args, **kwargs)
    return wrapper


# ------------------------------------------------------------------ bot → desk


async def active_api(request: Request) -> HTTPResponse:
    if not signed(request):
        return json_response({"error": "invalid signature"}, status=401)
    found = request.app.ctx.incidents.open_incidents()
    return json_response({"incidents": [i.as_bot_json() for i in found]})


def parse_report(body: bytes) -> dict[str, Any]:
    """The bot's report, checked: ValueError with what is wrong."""
    data = json.loads(body.decode("utf-8"))
    if not isinstance(data, dict):
        raise ValueError("the body is not a JSON object")
    conversation_id = data.get("conversation_id")
    if not isinstance(conversation_id, str) or not 0 < len(conversation_id) <= inc.MAX_CONVERSATION_ID:
        raise ValueError("conversation_id must be a string of 1 to 200 characters")
    service = data.get("service")
    if service is not None and (not isinstance(service, str) or not _SERVICE.match(service)):
        raise ValueError("service must be null or a service name like firma_digital")
    critical = data.get("critical")
    if not isinstance(critical, bool):
        raise ValueError("critical must be true or false")
    at = data.get("at")
    if not isinstance(at, str) or len(at) > 40:
        raise ValueError("at must be an ISO-8601 moment")
    moment = datetime.fromisoformat(at.replace("Z", "+00:00"))  # ValueError when it is not one
    if moment.tzinfo is None:
        raise ValueError("at must carry its offset (e.g. -05:00)")
    return {"conversation_id": conversation_id, "service": service, "critical": critical, "at": at}


async def report_api(request: Request) -> HTTPResponse:
    if not signed(request):
        return json_response({"error": "invalid signature"}, status=401)
    try:
        report = parse_report(request.body or b"")
    except (UnicodeDecodeError, ValueError) as exc:
        message = str(exc) if not isinstance(exc, json.JSONDecodeError) else "the body is not valid JSON"
        logger.warning("Refused an incident report: %s", message)
        return json_response({"error": "invalid report", "detail": message}, status=400)
    ctx = request.app.ctx
    settings: IncidentSettings = ctx.incident_settings
    outcome = ctx.incidents.record_report(report["conversation_id"], report["service"], report["critical"],
                                          report["at"], settings.rule)
    logger.info("Problem report %d from %s: service %s, %s%s", outcome.report.id,
                conversation_ref(report["conversation_id"]), report["service"] or "not named",
                "critical" if report["critical"] else "not critical",
                f", incident {outcome.incident_id}" if outcome.incident_id else "")
    if outcome.raised and outcome.alert is not None:
        logger.warning("Incident alert %d: %d critical reports about %s", outcome.alert.id,
                       outcome.alert.report_count, outcome.alert.service)
        if settings.oncall_url:
            notify_later(request.app, outcome.alert)
    alert = outcome.alert
    return json_response({"status": "recorded", "report_id": outcome.report.id, "incident_id": outcome.incident_id,
                          "alert_id": alert.id if alert else None, "alert_raised": outcome.raised}, status=201)


def notify_later(app: Sanic, alert: inc.Alert) -> None:
    """Call the on-call webhook in a worker thread; the outcome is kept on the alert."""
    settings: IncidentSettings = app.ctx.incident_settings
    store: inc.IncidentStore = app.ctx.incidents
    body = oncall.alert_body(alert, store.reports_of_alert(alert.id))

    async def send() -> None:
        loop = asyncio.get_running_loop()
        ok, error = await loop.run_in_executor(None, oncall.post_alert, settings.oncall_url, settings.oncall_secret,
                                               body)
        store.notified(alert.id, ok, error)
        if ok:
            logger.info("Incident alert %d: the on-call webhook accepted it", alert.id)
        else:
            logger.error("Incident alert %d: the on-call webhook failed: %s", alert.id, error)

    task = asyncio.get_running_loop().create_task(send())
    app.ctx.incident_tasks.add(task)
    task.add_done_callback(app.ctx.incident_tasks.discard)


# ------------------------------------------------------------------ the team's pages


@api_auth
async def banner_api(request: Request) -> HTTPResponse:
    ctx = request.app.ctx
    can_manage = ctx.incidents.can_manage(request.ctx.session.agent)
    alerts = ctx.incidents.open_alerts() if can_manage else []
    return json_response(neutralise_data(incident_views.banner_json(ctx.incidents.open_incidents(), alerts,
                                                                    can_manage, time.time())))


@page_auth
async def list_page(request: Request) -> HTTPResponse:
    session: Session = request.ctx.session
    ctx = request.app.ctx
    store: inc.IncidentStore = ctx.incidents
    now = time.time()
    can_manage = store.can_manage(session.agent)
    alerts = [(a, store.reports_of_alert(a.id)) for a in store.open_alerts()] if can_manage else []
    return html(incident_views.incidents_page(
        store.open_incidents(), store.recent_incidents(now - inc.RECENT_DAYS * 24 * 3600), alerts,
        can_manage=can_manage, rule=ctx.incident_settings.rule, oncall_configured=bool(ctx.incident_settings.oncall_url),
        agent=session.agent, csrf=session.csrf_token, demo=ctx.config.demo, notice_code=request.args.get("aviso", ""),
        now=now))


def _alert_of(request: Request, value: str | None) -> inc.Alert | None:
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 18:
        return None
    alert = request.app.ctx.incidents.alert(int(value))
    return alert if alert is not None and alert.status == "open" else None


def _form(request: Request, values: dict[str, str], errors: dict[str, str], alert: inc.Alert | None,
          status: int = 200) -> HTTPResponse:
    session: Session = request.ctx.session
    reports = request.app.ctx.incidents.reports_of_alert(alert.id) if alert else []
    return html(incident_views.form_page(values, errors, alert, reports, agent=session.agent, csrf=session.csrf_token,
                                         demo=request.app.ctx.config.demo), status=status)


@managers_only
async def new_page(request: Request) -> HTTPResponse:
    alert = _alert_of(request, request.args.get("alerta"))
    since = alert.first_report_at if alert else time.time()
    values = {"since": incident_views.local_input(since), "service": alert.service if alert else ""}
    return _form(request, values, {}, alert)


def parse_since(value: str) -> float:
    """A ``datetime-local`` value (Bogotá time) as Unix time; ValueError when it is not one."""
    match = _LOCAL.match((value or "").strip())
    if not match:
        raise ValueError(value)
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    return datetime(year, month, day, hour, minute, second, tzinfo=inc.BOGOTA).timestamp()


def _form_values(request: Request, *names: str) -> dict[str, str]:
    form = request.form or {}
    return {name: (form.get(name) or "")[:2000] for name in names}


@managers_only
@csrf_required
async def declare(request: Request) -> HTTPResponse:
    session: Session = request.ctx.session
    store: inc.IncidentStore = request.app.ctx.incidents
    values = _form_values(request, "service", "since", "message", "estimate", "alerta")
    alert = _alert_of(request, values["alerta"])
    errors: dict[str, str] = {}
    if values["service"] not in inc.SERVICES:
        errors["service"] = "Elija el servicio afectado."
    try:
        since = parse_since(values["since"])
    except ValueError:
        errors["since"] = "Indique la fecha y la hora en que empezó la falla."
        since = time.time()
    if not " ".join(values["message"].split()):
        errors["message"] = "Escriba el mensaje para los clientes: qué hacer mientras tanto."
    if not errors:
        try:
            incident = store.open_incident(values["service"], since, values["message"], values["estimate"],
                                           session.agent, alert_id=alert.id if alert else None)
        except inc.IncidentError as error:
            errors[error.field or "message"] = str(error)
    if errors:
        if wants_json(request):
            return json_response({"ok": False, "errors": errors}, status=400)
        return _form(request, values, errors, alert, status=400)
    logger.info("Incident %d declared by %s: %s", incident.id, session.agent.username, incident.service)
    if wants_json(request):
        return json_response({"ok": True, "incident": incident.as_bot_json()}, status=201)
    return redirect(f"/incidentes/{incident.id}?aviso=declarado", status=303)


def _incident_response(request: Request, incident: inc.Incident, notice_code: str = "",
                       errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
                       status: int = 200) -> HTTPResponse:
    session: Session = request.ctx.session
    ctx = request.app.ctx
    store: inc.IncidentStore = ctx.incidents
    now = time.time()
    says = incident_views.assistant_says(incident, ctx.config.domain_file, now) if incident.is_open else ""
    return html(incident_views.incident_page(
        incident, changes=store.changes(incident.id), reports=store.reports_of_incident(incident.id),
        alerts=store.alerts_of(incident.id), lead=store.lead_time(incident), says=says,
        can_manage=store.can_manage(session.agent), agent=session.agent, csrf=session.csrf_token, demo=ctx.config.demo,
        now=now, notice_code=notice_code, errors=errors, values=values), status=status)


def _not_found(request: Request) -> HTTPResponse:
    session: Session = request.ctx.session
    if wants_json(request):
        return json_response({"error": "not found"}, status=404)
    return html(views.error_page("No encontrado", "Ese incidente no existe.", request.app.ctx.config.demo,
                                 session.agent, session.csrf_token), status=404)


@page_auth
async def incident_page(request: Request, incident_id: int) -> HTTPResponse:
    incident = request.app.ctx.incidents.incident(incident_id)
    if incident is None:
        return _not_found(request)
    return _incident_response(request, incident, request.args.get("aviso", ""))


@managers_only
@csrf_required
async def update(request: Request, incident_id: int) -> HTTPResponse:
    session: Session = request.ctx.session
    store: inc.IncidentStore = request.app.ctx.incidents
    incident = store.incident(incident_id)
    if incident is None:
        return _not_found(request)
    values = _form_values(request, "text", "estimate")
    try:
        store.add_update(incident_id, values["text"], session.agent, estimate=values["estimate"])
    except inc.IncidentError as error:
        errors = {error.field or "text": str(error)}
        if wants_json(request):
            return json_response({"ok": False, "errors": errors}, status=400)
        return _incident_response(request, store.incident(incident_id), errors=errors, values=values, status=400)
    logger.info("Incident %d updated by %s", incident_id, session.agent.username)
    if wants_json(request):
        return json_response({"ok": True, "incident": store.incident(incident_id).as_bot_json()})
    return redirect(f"/incidentes/{incident_id}?aviso=actualizado", status=303)


@managers_only
@csrf_required
async def close(request: Request, incident_id: int) -> HTTPResponse:
    session: Session = request.ctx.session
    store: inc.IncidentStore = request.app.ctx.incidents
    incident = store.incident(incident_id)
    if incident is None:
        return _not_found(request)
    values = _form_values(request, "note")
    try:
        store.close_incident(incident_id, session.agent, values["note"])
    except inc.IncidentError as error:
        if wants_json(request):
            return json_response({"ok": False, "errors": {"note": str(error)}}, status=409 if incident.status ==
                                 "closed" else 400)
        return _incident_response(request, store.incident(incident_id), errors={"note": str(error)},
                                  status=409 if incident.status == "closed" else 400)
    logger.info("Incident %d closed by %s", incident_id, session.agent.username)
    if wants_json(request):
        return json_response({"ok": True})
    return redirect(f"/incidentes/{incident_id}?aviso=cerrado", status=303)


@managers_only
@csrf_required
async def dismiss(request: Request, alert_id: int) -> HTTPResponse:
    session: Session = request.ctx.session
    done = request.app.ctx.incidents.dismiss_alert(alert_id, session.agent)
    if done:
        logger.info("Incident alert %d dismissed by %s", alert_id, session.agent.username)
    if wants_json(request):
        return json_response({"ok": done}, status=200 if done else 409)
    return redirect(f"/incidentes?aviso={'descartada' if done else 'ya-descartada'}", status=303)


def register(app: Sanic) -> None:
    """The incidents' endpoints and pages; ConfigError when DESK_INCIDENT_ALERT or the on-call
    webhook settings cannot be used (desk/incident_settings.py)."""
    app.ctx.incident_settings = IncidentSettings.from_env()
    app.ctx.incidents = inc.IncidentStore(app.ctx.store.path)
    app.ctx.incident_tasks = set()
    app.get("/api/incidents/active")(active_api)
    app.post("/api/incident-reports")(report_api)
    app.get("/api/desk/incidents")(banner_api)
    app.get("/incidentes")(list_page)
    app.get("/incidentes/nuevo")(new_page)
    app.post("/incidentes")(declare)
    app.get("/incidentes/<incident_id:int>")(incident_page)
    app.post("/incidentes/<incident_id:int>/actualizar")(update)
    app.post("/incidentes/<incident_id:int>/cerrar")(close)
    app.post("/incidentes/alertas/<alert_id:int>/descartar")(dismiss)
