"""Hand-off in two real pages: the customer's chat widget and the agent desk.

Reuses the browser stack of conftest.py (action server with the Friday-morning
clock, Rasa with the socket.io channel, web/server.py) and its `chat` helper.
The desk runs as its own process (`python -m desk`); for this test the stack's
action server is restarted on the same port with DESK_URL and
DESK_WEBHOOK_SECRET pointing at it, and put back as it was afterwards, so the
other browser tests see the stack they expect.

The customer asks for an asesor, the agent signs in, sees the packet, takes the
conversation, replies, and hands it back; the bot then answers again.
Screenshots of both pages: tests/artifacts/handoff-customer.png and
tests/artifacts/handoff-agent.png.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import NOW, artifact, expect
from tests.desk_support import AGENT, Desk
from tools import stack
from tools.published import MAIN_LINE


@pytest.fixture
def desk(web_stack, tmp_path):
    """The desk, and the stack's action server pointed at it for the length of the test."""
    actions = web_stack.stack.actions
    action_port = int(actions.url.rsplit(":", 1)[1])
    logs = tmp_path / "logs"
    running = Desk(tmp_path / "desk", web_stack.rasa_url, web_stack.token, queue_timeout=300)
    running.start()
    try:
        actions.stop()
        web_stack.stack.actions = stack.start_actions(action_port, logs, {
            "ASSISTANT_NOW": NOW, "DESK_URL": running.url, "DESK_WEBHOOK_SECRET": running.secret,
        })
        yield running
    finally:
        running.stop()
        web_stack.stack.actions.stop()
        web_stack.stack.actions = stack.start_actions(action_port, logs, {"ASSISTANT_NOW": NOW})


@pytest.fixture
def agent_page(request, browser, desk):
    """A second browser context (its own cookies): the agent's desk."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-CO",
                                  timezone_id="America/Bogota")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.errors = errors

    def finish():
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            page.screenshot(path=str(artifact("failure-handoff-agent.png")), full_page=True)
        context.close()

    request.addfinalizer(finish)
    return page


def test_customer_and_agent_pages(chat, agent_page, desk):
    need = "no puedo firmar las facturas electrónicas desde ayer"

    # The customer asks for a person in the widget.
    chat.open_with_welcome()
    chat.send("quiero hablar con un asesor")
    chat.wait_for_bot("qué necesita")
    chat.send(need)
    chat.wait_for_bot("Le comunico con un asesor de soporte")
    session = chat.conversation_id()

    # The agent signs in and finds the conversation in the queue.
    page = agent_page
    page.goto(desk.url + "/")
    expect(page).to_have_url(re.compile(r"/login$"))
    page.get_by_label("Usuario").fill(AGENT["username"])
    page.get_by_label("Contraseña").fill(desk.password)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", name="Cola de conversaciones")).to_be_visible()
    row = page.locator("#queue-body tr").filter(has_text=need)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("En espera")
    expect(row).to_contain_text("El cliente pidió hablar con un asesor")
    page.screenshot(path=str(artifact("handoff-queue.png")), full_page=True)
    row.get_by_role("link", name=re.compile("Abrir")).click()

    # The packet.
    expect(page.get_by_role("heading", name="Datos de la transferencia")).to_be_visible()
    expect(page.locator("#conversation-id")).to_have_text(session)
    packet = page.locator(".packet")
    for shown in ("El cliente pidió hablar con un asesor", "Sin clasificar", "No indicado", need,
                  "Lo que necesita (en sus palabras)", "quiero hablar con un asesor"):
        expect(packet).to_contain_text(shown)

    # Take it: the customer is told who attends.
    page.get_by_role("button", name="Tomar conversación").click()
    expect(page.locator("#aviso")).to_have_text(re.compile("Usted tomó la conversación"))
    expect(page.locator("#handoff-status")).to_have_text("Atendida por un asesor")
    chat.wait_for_bot("Le atiende Ana, asesora de soporte.")

    # The customer writes; the bot stays quiet and the agent sees it live.
    chat.send("¿me ayuda a revisar el certificado?")
    live = page.locator("#live-transcript")
    expect(live.locator(".line--cliente").last).to_contain_text("¿me ayuda a revisar el certificado?")

    # The agent replies; the customer sees it.
    reply = "Claro, soy Ana. ¿Me confirma el NIT de la empresa?"
    page.get_by_label("Su respuesta al cliente").fill(reply)
    page.get_by_role("button", name="Enviar").click()
    chat.wait_for_bot("¿Me confirma el NIT de la empresa?")
    expect(live.locator(".line--asesor").last).to_contain_text(reply)
    expect(page.get_by_label("Su respuesta al cliente")).to_have_value("")
    page.screenshot(path=str(artifact("handoff-agent-taken.png")), full_page=True)
    # Nothing but the agent answered the customer's message while paused.
    bot_texts = chat.bot_bubbles().all_inner_texts()
    after_question = bot_texts[[i for i, t in enumerate(bot_texts) if "Le atiende Ana" in t][-1] + 1:]
    assert [re.sub(r"^Asistente:\s*", "", t) for t in after_question] == [reply]

    # Hand back: the bot answers again.
    page.get_by_role("button", name="Devolver al asistente").click()
    expect(page.locator("#handoff-status")).to_have_text("Devuelta al asistente")
    chat.wait_for_bot("Ana le devolvió la conversación al asistente virtual")
    chat.send("¿cuál es el teléfono de soporte?")
    chat.wait_for_bot(MAIN_LINE)
    expect(live.locator(".line--asistente").last).to_contain_text(MAIN_LINE, timeout=10_000)

    chat.screenshot("handoff-customer.png")
    page.screenshot(path=str(artifact("handoff-agent.png")), full_page=True)
    assert chat.errors == []
    assert page.errors == []
