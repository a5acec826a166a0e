"""axe-core (pinned in web/package.json) on the widget and on every page of the agent desk
(issue 20, point 7): no serious or critical violation.

The widget: closed and open, on a desktop and on a 360 px phone, against the real assistant.
The desk: its own process with a fake of Rasa's HTTP API (tests/desk_support.py) and a small
tracker store for the morning list — login, the queue (waiting, taken and closed rows), a
conversation waiting and one taken (canned replies, notes, closing reason), the morning list,
and the supervision index (a supervisor's account). The report pages under /supervision/informe
belong to the report's own tests (tests/browser/test_desk_report.py).
"""

from __future__ import annotations

import time
import uuid

import pytest

from tests.browser.axe import assert_accessible, pinned_version, violations
from tests.browser.conftest import expect, new_agent_page, sign_in
from tests.desk_support import Agent, packet, running_desk
from tests.unit.test_desk_morning import Store, night, stamp
from tools import stack

SUPERVISOR = {"username": "sofia", "name": "Sofía", "role": "supervisora de soporte"}


def test_axe_is_the_pinned_version(chat):
    chat.goto()
    from tests.browser.axe import inject

    assert inject(chat.page) == pinned_version() == "4.14.1"


def test_the_widget_closed_and_open_on_a_desktop(chat):
    chat.goto()
    assert_accessible(chat.page, "the demo page with the widget closed (desktop)")
    chat.open_with_welcome()
    assert_accessible(chat.page, "the widget open with the welcome (desktop)")
    chat.send("¿cuál es el teléfono de soporte?")
    chat.wait_for_bot("(601) 7442727")
    assert_accessible(chat.page, "the widget open after an answer (desktop)")
    # The duplicate banner axe found (a <header> inside the dialog) is gone, even among the moderate ones.
    assert not [v for v in violations(chat.page) if v["id"] == "landmark-no-duplicate-banner"]


def test_the_widget_closed_and_open_on_a_phone(phone_chat):
    chat = phone_chat
    chat.goto()
    assert_accessible(chat.page, "the demo page with the widget closed (360 px)")
    chat.launcher.tap()
    expect(chat.panel).to_be_visible()
    chat.wait_for_bot("¿En qué le puedo ayudar?")
    assert_accessible(chat.page, "the widget open (360 px)")


@pytest.fixture(scope="module")
def desk_pages(tmp_path_factory):
    """A desk with a waiting, a taken and a closed hand-off, a supervisor, and a night to call back."""
    tmp = tmp_path_factory.mktemp("axe-desk")
    store = Store(tmp / "tracker.db")
    night(store, base=time.time() - stamp("2026-12-06T06:00"))  # last night, by the desk's clock
    with running_desk(tmp / "desk", extra_env={"DESK_TRACKER_STORE": f"sqlite:///{store.path}"}) as (desk, rasa):
        password = "pw-" + uuid.uuid4().hex
        stack.add_desk_agent(desk.db, SUPERVISOR["username"], SUPERVISOR["name"], SUPERVISOR["role"], password,
                             supervisor=True)
        ids = {}
        for state in ("closed", "taken", "queued"):
            cid = uuid.uuid4().hex
            rasa.trackers[cid] = [{"event": "session_started", "timestamp": time.time() - 60},
                                  {"event": "user", "text": "quiero un asesor", "timestamp": time.time() - 50},
                                  {"event": "bot", "text": "¿Qué necesita, en una frase?", "timestamp": time.time() - 40}]
            ids[state] = desk.post_packet(packet(cid, priority="1" if state == "queued" else "normal", hours={
                "in_hours": True, "text": "En horario de asesores: el chat atiende hasta las 7:00 p. m."})).json()[
                "handoff_id"]
        ana = Agent(desk)
        ana.login()
        for state in ("closed", "taken"):
            ana.take(ids[state])
            ana.reply(ids[state], "Hola, le habla Ana.")
            ana.note(ids[state], "Nota interna de prueba.")
        ana.close(ids["closed"], "resolved")
        yield desk, ids, password


def test_every_desk_page(request, browser, desk_pages):
    desk, ids, password = desk_pages
    page = new_agent_page(request, browser, "ana")
    page.goto(desk.url + "/login")
    assert_accessible(page, "the desk's login page")
    sign_in(page, desk)
    expect(page.locator("#queue-body tr")).to_have_count(3)
    assert_accessible(page, "the queue (waiting, taken and closed rows)")
    page.goto(f"{desk.url}/handoffs/{ids['queued']}")
    assert_accessible(page, "a conversation waiting to be taken")
    page.goto(f"{desk.url}/handoffs/{ids['taken']}")
    expect(page.get_by_label("Respuestas guardadas")).to_be_visible()
    assert_accessible(page, "a conversation taken by the agent (reply, canned replies, notes, closing)")
    page.goto(f"{desk.url}/handoffs/{ids['closed']}")
    assert_accessible(page, "a closed conversation")
    page.goto(desk.url + "/manana")
    expect(page.locator("#morning-list > li")).to_have_count(4)
    assert_accessible(page, "the morning list")

    supervisor = new_agent_page(request, browser, "supervisor")
    sign_in(supervisor, desk, SUPERVISOR["username"], password)
    supervisor.get_by_role("link", name="Supervisión").click()
    expect(supervisor.get_by_role("heading", name="Supervisión", level=1)).to_be_visible()
    assert_accessible(supervisor, "the supervision index")
    assert page.errors == [] and supervisor.errors == []
