"""Presence decides the hand-off (issue 20, point 2), with the real stack in Chromium.

Friday 10:00: the agents' hours. With nobody signed in at the desk, or the only agent on a
pause, a customer who asks for a person is not queued (nobody would take it) and is told so,
with the line and the e-mail; once an agent is on duty, the same request is queued.
Screenshot: var/screenshots/presence-nobody-on-duty.png.
"""

from __future__ import annotations

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.conftest import desk_beside, expect, model_says, new_agent_page, new_chat, screenshot_path, sign_in
from tools.published import MAIN_LINE


@pytest.fixture
def desk(web_stack, tmp_path):
    with desk_beside(web_stack, tmp_path) as running:
        yield running


def ask(chat) -> None:
    chat.open_with_welcome()
    chat.send("quiero hablar con un asesor")


def not_queued(chat, desk) -> None:
    answer = chat.wait_for_bot(MAIN_LINE)
    assert desk.status(chat.conversation_id()).status_code == 404  # the desk never got it
    assert chat.bot_bubbles("qué necesita").count() == 0  # not asked to describe it for nobody
    assert chat.bot_bubbles("Le comunico con un asesor").count() == 0
    if model_says("handoff_no_agent"):  # the wording of this change, once the model is trained with it
        expect(answer).to_contain_text("en este momento no hay ningún asesor disponible en el chat")
    else:  # a model trained before it: the nearest older answer (actions/handoff.py OLDER_KINDS)
        expect(answer).to_contain_text("No pude comunicarle con un asesor por este chat en este momento")
    expect(answer).to_contain_text("Correo electrónico de soporte")
    expect(answer).not_to_contain_text("chat.certicamara.com")  # nobody is on the chat: not offered


def test_nobody_on_duty_then_an_agent_on_a_pause_then_on_duty(request, browser, web_stack, desk):
    chat = new_chat(request, browser, web_stack)
    ask(chat)
    not_queued(chat, desk)
    chat.page.screenshot(path=str(screenshot_path("presence-nobody-on-duty.png")))

    page = new_agent_page(request, browser, "agent")
    sign_in(page, desk)
    page.get_by_role("button", name="Pasar a pausa").click()
    expect(page.locator("#presence-state")).to_have_text("En pausa")
    expect(page.locator("#aviso")).to_contain_text("Está en pausa")
    expect(page.locator("#on-duty")).to_have_text(
        "Nadie está disponible en este momento: el asistente no pasa clientes a la cola.")
    assert_accessible(page, "the queue with the agent on a pause")
    paused = new_chat(request, browser, web_stack)
    ask(paused)
    not_queued(paused, desk)

    page.get_by_role("button", name="Estoy disponible").click()
    expect(page.locator("#presence-state")).to_have_text("Disponible")
    queued = new_chat(request, browser, web_stack)
    ask(queued)
    queued.wait_for_bot("qué necesita")
    queued.send("renovar el certificado de firma")
    queued.wait_for_bot("Le comunico con un asesor de soporte")
    assert desk.status(queued.conversation_id()).json()["status"] == "queued"
    expect(page.locator("#queue-body tr").filter(has_text="renovar el certificado de firma")).to_have_count(1)
    assert chat.errors == [] and paused.errors == [] and queued.errors == [] and page.errors == []
