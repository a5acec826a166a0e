"""Pages for the people who run support (supervisor access only; agents get 403).

    GET /supervision     the hand-offs of the last 7 days: state and wait   (supervisor session)

With ``Accept: application/json`` the same data comes as JSON. The report
pages to come belong here, each behind ``@supervisor_required``.
"""

from __future__ import annotations

import time

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, html
from sanic.response import json as json_response

from desk import views
from desk.auth import supervisor_required, wants_json
from desk.routes.api import summary
from desk.store import Session

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
        return json_response({"days": REPORT_DAYS, "since": since, "complete": complete,
                              "handoffs": [summary(h, now) for h in handoffs]})
    return html(views.supervision_page(handoffs, since, now, session.agent, session.csrf_token, ctx.config.demo,
                                       REPORT_DAYS, complete))


def register(app: Sanic) -> None:
    """The supervisors' pages."""
    app.get("/supervision")(supervision_page)
