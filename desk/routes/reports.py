"""Pages for the people who run support (supervisor access only; agents get 403).

    GET /supervision                         the hand-offs of the last 7 days: state and wait
    GET /supervision/informe?desde=&hasta=[&pruebas=incluir]   the support report (insights/): volume,
                                             what customers ask, critical incidents, not understood,
                                             what went wrong, containment, hand-offs and agents, the
                                             previous period; dates dd/mm/aaaa (the form) or aaaa-mm-dd
    GET /supervision/informe/no_entendidos.nlu.yml?desde=&hasta=   the NLU draft of that report
    GET /supervision/conversacion?id=…       one conversation's transcript by id (masked)
    GET /supervision/static/{file}           Chart.js, the drawing script and the report's CSS

With ``Accept: application/json`` /supervision gives the same data as JSON. Every page
needs a supervisor's session (``@supervisor_required``). The report reads the tracker
store read-only (``DESK_TRACKER_STORE``, else the tracker store of endpoints.yml) and the
desk's own database, in a worker thread: the desk keeps serving agents meanwhile.
Test traffic (``REPORT_TEST_SENDERS``, insights/traffic.py, checked when the routes are
registered: the desk does not start with an invalid list) is left out unless ``pruebas=incluir``.
A store that cannot be read is said in Spanish without its path or host (the log has them).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import time
from datetime import date, timedelta
from urllib.parse import urlencode

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, html, raw
from sanic.response import json as json_response

from desk import report_views, views
from desk.auth import supervisor_required, wants_json
from desk.config import ConfigError
from desk.readable import neutralise, neutralise_data
from desk.routes.api import summary
from desk.store import Session
from helpdesk import clock
from helpdesk.loader import load_schedule, schedule_path_from_env
from insights import export, report, source, traffic
from insights import html as report_html

logger = logging.getLogger("desk")

REPORT_DAYS = 7
REPORT_LIMIT = 2000  # rows on one page; more in 7 days would need paging


@supervisor_required
async def supervision_page(request: Request) -> HTTPResponse:
    session: Session = request.ctx.session
    ctx = request.app.ctx
    now = time.time()
    since = now - REPORT_DAYS * 24 * 3600
    handoffs = ctx.store.handoffs_since(since, limit=REPORT_LIMIT)
    complete = len(handoffs) < REPORT_LIMIT
    if wants_json(request):
        return json_response(neutralise_data({"days": REPORT_DAYS, "since": since, "complete": complete,
                                              "handoffs": [summary(h, now) for h in handoffs]}))
    return html(views.supervision_page(handoffs, since, now, session.agent, session.csrf_token, ctx.config.demo,
                                       REPORT_DAYS, complete, report_form=report_views.report_form(today_in_bogota())))


# ------------------------------------------------------------------ the report

MAX_REPORT_DAYS = 366
DEFAULT_REPORT_DAYS = 7
ASSETS = {
    "chart.umd.js": (report_html.CHART_JS, "text/javascript; charset=utf-8"),
    "report-charts.js": (report_html.CHARTS_JS, "text/javascript; charset=utf-8"),
}


class RangeError(ValueError):
    """The dates asked for do not make a report."""


EARLIEST_REPORT_DAY = date(2000, 1, 1)  # before any conversation this assistant can have held
ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
DAY_MONTH_YEAR = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
DAY_LABELS = {"desde": "inicial", "hasta": "final"}


def shown_day(day: date) -> str:
    return report.day_text(day)


def report_range(args, today: date) -> tuple[date, date]:
    """``desde``/``hasta`` (dd/mm/aaaa as the form sends them, or aaaa-mm-dd as the presets' links;
    Bogotá days, both included); the last 7 days by default.

    Every malformed, impossible or out-of-range date is a RangeError with a Spanish message
    (the page answers 400): a day before 01/01/2000 or after today, a range backwards or
    longer than MAX_REPORT_DAYS. Date arithmetic never leaves Python's range (0001–9999).
    """
    def day(name: str) -> date | None:
        value = (args.get(name) or "").strip()
        if not value:
            return None
        label = DAY_LABELS[name]
        shown = value if len(value) <= 40 else value[:40] + "…"
        iso, dmy = ISO_DAY.fullmatch(value), DAY_MONTH_YEAR.fullmatch(value)
        if not iso and not dmy:
            raise RangeError(f"La fecha {label} «{shown}» no es una fecha como {shown_day(today)} "
                             "(día/mes/año).")
        year, month, day_of_month = (iso.groups() if iso else tuple(reversed(dmy.groups())))
        try:
            parsed = date(int(year), int(month), int(day_of_month))
        except ValueError:
            raise RangeError(f"La fecha {label} «{shown}» no existe en el calendario.") from None
        if parsed < EARLIEST_REPORT_DAY:
            raise RangeError(f"La fecha {label} ({shown_day(parsed)}) es anterior al {shown_day(EARLIEST_REPORT_DAY)}: "
                             "no hay conversaciones tan antiguas.")
        if parsed > today:
            raise RangeError(f"La fecha {label} ({shown_day(parsed)}) es posterior a hoy ({shown_day(today)}): "
                             "el informe cubre días hasta hoy.")
        return parsed

    end = day("hasta") or today
    start = day("desde") or max(EARLIEST_REPORT_DAY, end - timedelta(days=DEFAULT_REPORT_DAYS - 1))
    if end < start:
        raise RangeError(f"La fecha final ({shown_day(end)}) es anterior a la inicial ({shown_day(start)}).")
    if (end - start).days + 1 > MAX_REPORT_DAYS:
        raise RangeError(f"El informe abarca como máximo {MAX_REPORT_DAYS} días; del {shown_day(start)} al "
                         f"{shown_day(end)} hay {(end - start).days + 1}.")
    return start, end


def includes_test_traffic(args) -> bool:
    return (args.get(report_views.INCLUDE_TEST[0]) or "").strip() == report_views.INCLUDE_TEST[1]


def traffic_of(request: Request) -> traffic.TestTraffic:
    return traffic.TestTraffic(request.app.ctx.report_test_senders, include=includes_test_traffic(request.args))


def tracker_source(request: Request) -> source.TrackerSource:
    url = request.app.ctx.config.tracker_store
    return source.from_url(url) if url else source.from_endpoints()


def today_in_bogota() -> date:
    schedule = load_schedule(schedule_path_from_env())
    return schedule.local(clock.now()).date()  # the product's one clock (ASSISTANT_NOW in tests)


async def build_report(request: Request, start: date, end: date) -> report.Report:
    """The report, built in a worker thread (it reads the whole range)."""
    call = functools.partial(report.build, tracker_source(request), start, end,
                             desk_db=request.app.ctx.config.db, traffic=traffic_of(request))
    return await asyncio.get_running_loop().run_in_executor(None, call)


def report_problem(request: Request, title: str, message: str, status: int) -> HTTPResponse:
    session: Session = request.ctx.session
    return html(views.error_page(title, message, request.app.ctx.config.demo, session.agent, session.csrf_token),
                status=status)


async def report_of_request(request: Request) -> tuple[date, date, report.Report] | HTTPResponse:
    """The report of the range the request asks for, or the page that says why there is none."""
    try:
        start, end = report_range(request.args, today_in_bogota())
        return start, end, await build_report(request, start, end)
    except RangeError as error:
        return report_problem(request, "Fechas no válidas", str(error), 400)
    except source.SourceError as error:
        logger.error("report: %s", error)  # the path or host stays in the log, not on the page
        return report_problem(request, "Informe no disponible",
                              "No se pudo leer el registro de conversaciones. El registro del escritorio dice por qué; "
                              "avise a quien administra el servidor.", 503)


def with_report(handler):
    """Calls ``handler(request, start, end, report)`` with the report the request asks for."""
    @functools.wraps(handler)
    async def wrapper(request: Request) -> HTTPResponse:
        found = await report_of_request(request)
        return found if isinstance(found, HTTPResponse) else await handler(request, *found)
    return wrapper


@supervisor_required
@with_report
async def report_page(request: Request, start: date, end: date, built: report.Report) -> HTTPResponse:
    query = urlencode({"desde": start.isoformat(), "hasta": end.isoformat()})
    include = built.traffic.include
    page = report_html.render(
        built, chart_js_src="/supervision/static/chart.umd.js", charts_js_src="/supervision/static/report-charts.js",
        stylesheet_href="/supervision/static/report.css",
        nlu_href=f"/supervision/informe/no_entendidos.nlu.yml?{query}", back=("/supervision", "← Supervisión"),
        form=report_views.report_form(today_in_bogota(), start, end, include),
        include_href=report_views.report_href(start, end, not include),
    )
    return html(neutralise(page))  # customer text in order: no bidi controls anywhere on the page


@supervisor_required
@with_report
async def nlu_draft(request: Request, start: date, end: date, built: report.Report) -> HTTPResponse:
    name = f"no_entendidos_{start.isoformat()}_{end.isoformat()}.nlu.yml"
    return raw(export.nlu_draft(built).encode("utf-8"), content_type="text/yaml; charset=utf-8",
               headers={"Content-Disposition": f'attachment; filename="{name}"'})


@supervisor_required
async def conversation_view(request: Request) -> HTTPResponse:
    session: Session = request.ctx.session
    conversation_id = (request.args.get("id") or "").strip()
    if not conversation_id or len(conversation_id) > 200:
        return report_problem(request, "Conversación no indicada",
                              "Escriba el identificador de la conversación (como aparece en el informe).", 400)
    try:
        call = functools.partial(report.transcript, tracker_source(request), conversation_id)
        found = await asyncio.get_running_loop().run_in_executor(None, call)
    except source.SourceError as error:
        logger.error("transcript: %s", error)
        return report_problem(request, "Conversación no disponible",
                              "No se pudo leer el registro de conversaciones. El registro del escritorio dice por qué; "
                              "avise a quien administra el servidor.", 503)
    return html(report_views.transcript_page(conversation_id, found.lines, session.agent, session.csrf_token,
                                             request.app.ctx.config.demo), status=200 if found.lines else 404)


async def report_asset(request: Request, name: str) -> HTTPResponse:
    if name == "report.css":
        return raw(report_html.CSS.encode("utf-8"), content_type="text/css; charset=utf-8")
    if name not in ASSETS:
        return html(views.error_page("No encontrado", "Esa página no existe.", request.app.ctx.config.demo), status=404)
    path, content_type = ASSETS[name]
    return raw(path.read_bytes(), content_type=content_type, headers={"Cache-Control": "max-age=3600"})


def register(app: Sanic) -> None:
    """The supervisors' pages; ConfigError when REPORT_TEST_SENDERS is not a list of prefixes."""
    try:
        app.ctx.report_test_senders = traffic.prefixes_from_env()
    except traffic.TrafficError as error:
        raise ConfigError(str(error)) from None
    app.get("/supervision")(supervision_page)
    app.get("/supervision/informe")(report_page)
    app.get("/supervision/informe/no_entendidos.nlu.yml")(nlu_draft)
    app.get("/supervision/conversacion")(conversation_view)
    app.get("/supervision/static/<name:str>")(report_asset)
