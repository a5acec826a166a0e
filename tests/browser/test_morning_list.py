"""The morning list (issue 20, point 4), with the real stack in Chromium.

Saturday 22:00 (the action server's clock): every regular channel is closed. One customer
reports a critical incident and leaves a mobile number; another asks for a person and leaves
an e-mail. At the desk (which reads the same tracker store), the morning list shows both for the
next shift — the critical one first — with what they wrote and how to reach them, and the agent
who calls back marks it done (who and when are kept). (The shift is reckoned from the moments
Rasa stored, its own clock: here the machine's, not the action server's fixed Saturday night.)
Screenshot: var/screenshots/morning-list.png.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.conftest import desk_beside, expect, new_agent_page, new_chat, screenshot_path, sign_in
from tools.published import PRIORITY_NUMBER

SATURDAY_NIGHT = "2026-12-05T22:00"


@pytest.fixture
def desk(web_stack, tmp_path):
    env = {"DESK_TRACKER_STORE": f"sqlite:///{web_stack.tracker_db}"}
    with desk_beside(web_stack, tmp_path, now=SATURDAY_NIGHT, extra_env=env) as running:
        yield running


def test_after_hours_requests_wait_for_the_morning_shift(request, browser, web_stack, desk):
    person = new_chat(request, browser, web_stack)
    person.open_with_welcome()
    person.send("quiero hablar con un asesor, por favor")
    person.wait_for_bot("vuelven el lunes a las 7:00 a. m.")
    person.send("pueden escribirme a maria.gomez@ejemplo.com.co")

    critical = new_chat(request, browser, web_stack)
    critical.open_with_welcome()
    critical.send("se cayó el servicio de firma, toda la operación está detenida. Mi celular es 300 123 4567")
    critical.wait_for_bot(PRIORITY_NUMBER)
    ids = {"critical": critical.conversation_id(), "person": person.conversation_id()}

    page = new_agent_page(request, browser, "agent")
    sign_in(page, desk)
    page.get_by_role("link", name="Lista de la mañana").click()
    expect(page.get_by_role("heading", name="Lista de la mañana", level=1)).to_be_visible()
    items = page.locator("#morning-list > li")
    keys = [k for k in items.evaluate_all("els => els.map(e => e.dataset.key)")
            if k.split("@")[0] in ids.values()]
    # Critical first, each named by its conversation and the day of the shift that calls back.
    assert [k.split("@")[0] for k in keys] == [ids["critical"], ids["person"]], keys
    assert all(re.search(r"@\d{4}-\d{2}-\d{2}$", k) for k in keys)
    first = page.locator(f'li[data-key="{keys[0]}"]')
    expect(first).to_contain_text("Incidente crítico")
    expect(first).to_contain_text("toda la operación está detenida")
    expect(first.get_by_role("link", name="300 123 4567")).to_have_attribute("href", "tel:+573001234567")
    second = page.locator(f'li[data-key="{keys[1]}"]')
    expect(second).to_contain_text("Pidió hablar con un asesor fuera de horario")
    expect(second.get_by_role("link", name="maria.gomez@ejemplo.com.co")).to_have_attribute(
        "href", "mailto:maria.gomez@ejemplo.com.co")
    assert_accessible(page, "the morning list")
    page.screenshot(path=str(screenshot_path("morning-list.png")), full_page=True)

    # Ana calls the critical one back and marks it done: her name and the time stay.
    first.get_by_label("Cómo quedó (opcional)").fill("Ya firma; era el token vencido.")
    first.get_by_role("button", name=re.compile("Ya lo llamé")).click()
    expect(page.locator("#aviso")).to_have_text("Quedó marcado como atendido a su nombre.")
    done = page.locator(f'li[data-key="{keys[0]}"]')
    expect(done).to_contain_text(re.compile(r"Atendido por Ana el \w+ \d+ de \w+ a las? \d+:\d\d [ap]\. m\. "
                                            r"Ya firma; era el token vencido\."))
    expect(done.get_by_role("button", name=re.compile("Ya lo llamé"))).to_have_count(0)
    # Done ones go after the pending ones.
    order = [k for k in items.evaluate_all("els => els.map(e => e.dataset.key)") if k in keys]
    assert order == [keys[1], keys[0]]
    assert person.errors == [] and critical.errors == [] and page.errors == []
