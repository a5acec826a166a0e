"""The support report in the agent desk, in Debian's Chromium: a supervisor sees the charts,
the not-understood list, a conversation and the NLU draft; an agent is refused.

The tracker store is made by tools/generate_conversations.py from conversations recorded
through the real stack; the desk reads it read-only through DESK_TRACKER_STORE.
"""

from __future__ import annotations

import uuid

import pytest
import yaml

from tests.browser.conftest import expect, generated_tracker
from tools import stack

pytestmark = pytest.mark.slow

SUPERVISOR = {"username": "sofia", "name": "Sofía", "role": "supervisora de soporte"}
AGENT = {"username": "ana", "name": "Ana", "role": "asesora de soporte"}
RANGE = "desde=2026-11-01&hasta=2026-11-30"


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("desk-report")
    generated_tracker(tmp, 300, seed=7)
    password = "pw-" + uuid.uuid4().hex
    for account in (SUPERVISOR, AGENT):
        stack.add_desk_agent(tmp / "desk.db", account["username"], account["name"], account["role"], password,
                             supervisor=account is SUPERVISOR)
    service = stack.start_desk(stack.free_port(), "http://127.0.0.1:9", uuid.uuid4().hex, tmp / "logs", env={
        "DESK_DB": str(tmp / "desk.db"), "DESK_WEBHOOK_SECRET": uuid.uuid4().hex,
        "DESK_TRACKER_STORE": f"sqlite:///{tmp / 'tracker.db'}"})
    yield service, password
    service.stop()


def login(browser, desk, account):
    service, password = desk
    context = browser.new_context()
    page = context.new_page()
    page.goto(service.url + "/login")
    page.get_by_label("Usuario").fill(account["username"])
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.locator("h1")).to_contain_text("Cola")
    return context, page


def chart_total(page, canvas: str) -> float:
    return page.evaluate(
        "id => { const c = window.Chart && Chart.getChart(document.getElementById(id));"
        " return c ? c.data.datasets.reduce((n, d) => n + d.data.reduce((a, b) => a + Number(b), 0), 0) : -1; }",
        canvas)


def test_a_supervisor_opens_the_report_sees_charts_not_understood_and_a_conversation(browser, desk):
    context, page = login(browser, desk, SUPERVISOR)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # CSP refusals land here
    try:
        page.get_by_role("link", name="Supervisión").click()
        page.locator("#report-form input[name=desde]").fill("2026-11-01")
        page.locator("#report-form input[name=hasta]").fill("2026-11-30")
        page.get_by_role("button", name="Ver informe").click()
        expect(page.locator("h1")).to_contain_text("Informe para supervisores: 2026-11-01 a 2026-11-30")
        for canvas in ("chart-day", "chart-hour", "chart-intents", "chart-fallback"):
            assert chart_total(page, canvas) > 0, canvas
            assert page.evaluate("id => document.getElementById(id).width", canvas) > 100, canvas
        # the stylesheet applied (served as a file: the desk's CSP allows no inline style)
        assert page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor") == "rgb(11, 61, 99)"
        not_understood = page.locator("#t-no_entendidos tbody tr")
        assert not_understood.count() > 0
        # one click from a not-understood message to its conversation
        link = page.locator("#t-no_entendidos tbody a").first
        conversation_id = link.inner_text()
        link.click()
        transcript = page.locator(f"article.transcript:has(h3:text-is('Conversación {conversation_id}'))")
        expect(transcript).to_be_visible()
        assert transcript.locator(".line").count() >= 2
        # the NLU draft of the same range, as a file to label
        draft = page.request.get(f"{desk[0].url}/supervision/informe/no_entendidos.nlu.yml?{RANGE}")
        assert draft.status == 200 and "attachment" in draft.headers["content-disposition"]
        data = yaml.safe_load(draft.text())
        assert data["nlu"] and all("examples" in block for block in data["nlu"])
        # any conversation by id, from the supervision page
        page.goto(desk[0].url + "/supervision")
        page.locator("#conversation-form input[name=id]").fill(conversation_id)
        page.locator("#conversation-form").get_by_role("button", name="Ver").click()
        expect(page.locator("h1")).to_contain_text(f"Conversación {conversation_id}")
        assert page.locator("#transcript li").count() >= 2
        assert errors == []
    finally:
        context.close()


def test_an_agent_is_refused_the_report_and_its_data(browser, desk):
    context, page = login(browser, desk, AGENT)
    try:
        assert page.get_by_role("link", name="Supervisión").count() == 0
        for path in (f"/supervision/informe?{RANGE}", f"/supervision/informe/no_entendidos.nlu.yml?{RANGE}",
                     "/supervision/conversacion?id=x"):
            response = page.goto(desk[0].url + path)
            assert response.status == 403, path
            expect(page.locator("body")).to_contain_text("Esta página es solo para supervisores.")
            assert "chart-day" not in page.content()
    finally:
        context.close()


def test_bad_dates_get_a_clear_answer(browser, desk):
    context, page = login(browser, desk, SUPERVISOR)
    try:
        response = page.goto(desk[0].url + "/supervision/informe?desde=2026-11-30&hasta=2026-11-01")
        assert response.status == 400
        expect(page.locator("body")).to_contain_text("es anterior a la inicial")
        response = page.goto(desk[0].url + "/supervision/informe?desde=ayer")
        assert response.status == 400
        expect(page.locator("body")).to_contain_text("no es una fecha")
    finally:
        context.close()
