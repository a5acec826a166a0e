"""The desk's routes, grouped by what they serve; each module has ``register(app)``.

    webhook.py        bot → desk, HMAC-signed (docs/agent-desk-api.md, section 1)
    pages.py          login, logout, the queue and one conversation (HTML)
    agent_actions.py  take, reply, hand back, close (session + CSRF; Rasa is told)
    api.py            the queue and one hand-off as JSON, for the pages' script
    reports.py        pages for supervisors only (/supervision)
    presence.py       agents on duty: the bot's signed question, an agent's pause switch
    morning.py        the morning list: after-hours requests to call back, marked done
    incidents.py      known incidents: the bot's two signed endpoints, the team's pages (issue 21)

Plain functions registered on the app (not Blueprints): Sanic 21.12 gives a
Blueprint's routes the app-wide error format, where ``app.get`` keeps the one
it reads from each handler (an HTML page's errors stay HTML).
"""

from __future__ import annotations

from sanic import Sanic

from desk.routes import agent_actions, api, incidents, morning, pages, presence, reports, webhook

GROUPS = (webhook, presence, pages, agent_actions, api, morning, reports, incidents)


def register_all(app: Sanic) -> None:
    for group in GROUPS:
        group.register(app)
