"""The chat widget on the demo page, in Chromium, against the real assistant.

The stack runs with ASSISTANT_NOW fixed to a Friday at 10:00 (Bogotá), when the
support line, the chat and the e-mail are open.
"""

import http.client
import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import ROOT, expect
from tools.published import CHAT_URL, MAIN_LINE, MAIN_TEL, PRIORITY_LINE, PRIORITY_NUMBER, SUPPORT_EMAIL


def test_phone_question_is_answered_with_a_tel_link(chat):
    chat.open_with_welcome()
    chat.screenshot("widget-desktop-welcome.png")
    chat.send("¿cuál es el teléfono de soporte?")
    expect(chat.user_bubbles().last).to_have_text("Usted: ¿cuál es el teléfono de soporte?")
    answer = chat.wait_for_bot(MAIN_LINE)
    link = answer.locator(f'a[href="{MAIN_TEL}"]')
    expect(link).to_have_text(MAIN_LINE)
    expect(chat.page.locator(".cw-typing")).to_be_hidden()
    expect(chat.log.locator(".cw-msg--bot .cw-time").last).to_have_text(re.compile(r"^\d{2}:\d{2}$"))
    # The welcome's options are gone once the customer has written.
    expect(chat.quick_replies()).to_have_count(0)
    chat.screenshot("widget-desktop.png")
    assert chat.errors == []


def test_critical_incident_number_is_a_tel_link(chat):
    chat.open_with_welcome()
    chat.send("se cayó el servicio de firma, toda la operación está detenida")
    answer = chat.wait_for_bot(PRIORITY_NUMBER)
    expect(answer.locator('a[href="tel:+573187174937"]')).to_have_text(PRIORITY_LINE)
    assert chat.errors == []


def test_quick_reply_sends_its_payload_and_shows_its_title(chat, web_stack):
    chat.open_with_welcome()
    chat.press("Horarios de atención")
    expect(chat.user_bubbles().last).to_have_text("Usted: Horarios de atención")
    chat.wait_for_bot("Horario (hora de Bogotá)")
    assert web_stack.user_texts(chat.conversation_id())[-1] == "/ask_opening_hours"
    assert chat.errors == []


def test_reload_keeps_the_history_and_the_conversation(chat, web_stack):
    chat.open_with_welcome()
    session = chat.session_id()
    chat.send("tengo un problema con el estampado, no me genera el sello")
    chat.wait_for_bot("Si el problema detiene su operación")
    shown_before = chat.log.locator(".cw-bubble").all_inner_texts()

    chat.page.reload()
    # The panel reopens as the customer left it, with the same messages and the pending options.
    expect(chat.panel).to_be_visible()
    expect(chat.log.locator(".cw-bubble")).to_have_count(len(shown_before))
    assert chat.log.locator(".cw-bubble").all_inner_texts() == shown_before
    expect(chat.quick_replies()).to_have_text(["Es un incidente crítico", "No es crítico"])
    expect(chat.page.locator(".cw-status")).to_have_text("Asesores: lun–vie 7–19, sáb 8–13")
    expect(chat.page.locator(".cw-conn")).to_be_hidden()  # connected: nothing to say about the connection
    assert chat.session_id() == session

    # The conversation continues: "/deny" only means "not critical" to a server that
    # remembers what it offered this conversation.
    chat.press("No es crítico")
    chat.wait_for_bot("no es un incidente crítico")
    assert web_stack.user_texts(chat.conversation_id())[-1] == "/deny"
    assert chat.errors == []


def test_markup_is_shown_as_literal_text(chat):
    dialogs = []
    chat.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    attack = "<img src=x onerror=alert(1)>"
    chat.open_with_welcome()
    replies_before = chat.bot_bubbles().count()
    chat.send(attack)
    expect(chat.user_bubbles().last).to_have_text(f"Usted: {attack}")
    expect(chat.bot_bubbles()).not_to_have_count(replies_before, timeout=30_000)
    chat.page.reload()  # history is rendered again from localStorage
    expect(chat.user_bubbles().last).to_have_text(f"Usted: {attack}")
    assert chat.log.locator("img").count() == 0
    assert dialogs == []
    assert chat.errors == []


def test_tampered_history_is_rendered_as_text(chat):
    """Whatever sits in localStorage (or comes from the bot) never becomes markup."""
    dialogs = []
    chat.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    chat.goto()
    chat.page.evaluate(
        """() => {
            localStorage.setItem('certichat.history', JSON.stringify([
              {from: 'bot', text: '<img src=x onerror=alert(1)> <b>hola</b> javascript:alert(2)',
               ts: '2026-12-04T15:00:00Z', buttons: [{title: '<img src=y onerror=alert(3)>', payload: '/greet'}]},
              {from: 'agent', text: '<b>soy</b>', agent: {name: '<img src=z onerror=alert(4)>', role: 7},
               ts: '2026-12-04T15:01:00Z'},
              {from: 'event', text: '<i>aviso</i>', ts: '2026-12-04T15:02:00Z'}
            ]));
            localStorage.setItem('certichat.agent', JSON.stringify({name: '<b>x</b>', role: {}}));
            localStorage.setItem('certichat.open', '1');
        }"""
    )
    chat.page.reload()
    bubble = chat.bot_bubbles().first
    expect(bubble).to_have_text("Asistente virtual: <img src=x onerror=alert(1)> <b>hola</b> javascript:alert(2)")
    expect(chat.quick_replies()).to_have_text(["<img src=y onerror=alert(3)>"])
    expect(chat.agent_bubbles()).to_have_text(["<img src=z onerror=alert(4)>: <b>soy</b>"])
    expect(chat.notices()).to_have_text(["<i>aviso</i>"])
    expect(chat.page.locator(".cw-title")).to_have_text("<b>x</b>")
    assert chat.log.locator("img, b, a, i").count() == 0
    assert chat.page.locator(".cw-header b").count() == 0
    assert dialogs == []


LINK_CASES = [
    ("Línea (601) 7442727, opción 2.",
     [("Línea ", None), (MAIN_LINE, MAIN_TEL), (", opción 2.", None)]),
    ("Prioridad 1: (57) 318 717 49 37.",
     [("Prioridad 1: ", None), (PRIORITY_LINE, "tel:+573187174937"), (".", None)]),
    ("teléfono (601) 745 2141, extensiones 1104, 1108 o 1102",
     [("teléfono ", None), ("(601) 745 2141", "tel:+576017452141"), (", extensiones 1104, 1108 o 1102", None)]),
    ("chat http://chat.certicamara.com/CertiChat/chat.php; correo",
     [("chat ", None), (CHAT_URL, CHAT_URL),
      ("; correo", None)]),
    ("(en http://chat.certicamara.com/CertiChat/chat.php).",
     [("(en ", None), (CHAT_URL, CHAT_URL),
      (").", None)]),
    ("escriba a soporte.firmadigital@certicamara.com.",
     [("escriba a ", None), (SUPPORT_EMAIL, "mailto:soporte.firmadigital@certicamara.com"),
      (".", None)]),
    ("Abrir: mailto:soporte.firmadigital@certicamara.com?subject=Caso%20de%20soporte&body=Hola%2C%20equipo",
     [("Abrir: ", None), (SUPPORT_EMAIL,
                          "mailto:soporte.firmadigital@certicamara.com?subject=Caso%20de%20soporte&body=Hola%2C%20equipo")]),
    ("javascript:alert(1) <a href=x>hola</a> ftp://x 1234567", [("javascript:alert(1) <a href=x>hola</a> ftp://x 1234567", None)]),
]


def test_links_are_detected_in_bot_text(chat):
    chat.goto()
    for text, expected in LINK_CASES:
        parts = chat.page.evaluate("t => CertiChat.linkParts(t)", text)
        assert [(p["text"], p.get("href")) for p in parts] == expected, text


def test_phone_width_360(phone_chat):
    chat = phone_chat
    chat.goto()
    assert chat.page.evaluate("document.documentElement.scrollWidth") <= 360
    chat.launcher.tap()
    expect(chat.panel).to_be_visible()
    chat.wait_for_bot("¿En qué le puedo ayudar?")
    chat.send("¿atienden los sábados?")
    chat.wait_for_bot("8:00 a. m. a 1:00 p. m.")
    box = chat.panel.bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 360, 740)
    sizes = chat.page.evaluate(
        """() => {
            const log = document.querySelector('.cw-log');
            const rights = [...document.querySelectorAll('.cw-msg, .cw-quick button, .cw-form *')]
              .map(e => e.getBoundingClientRect().right);
            return {page: document.documentElement.scrollWidth, log: log.scrollWidth - log.clientWidth,
                    right: Math.max(...rights)};
        }"""
    )
    assert sizes["page"] <= 360 and sizes["log"] == 0 and sizes["right"] <= 360, sizes
    chat.screenshot("widget-phone-360.png")
    assert chat.errors == []


def test_keyboard_only(chat):
    page = chat.goto().page
    for _ in range(20):  # Tab through the page until the launcher has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('cw-launcher')"):
            break
    else:
        pytest.fail("the launcher cannot be reached with Tab")
    expect(chat.launcher).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(chat.panel).to_be_visible()
    expect(chat.input).to_be_focused()
    chat.wait_for_bot("¿En qué le puedo ayudar?")

    # The welcome's options precede the input: Shift+Tab walks back to them.
    for _ in range(10):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.textContent") == "Horarios de atención":
            break
    else:
        pytest.fail("the quick replies cannot be reached with Shift+Tab")
    page.keyboard.press("Enter")
    expect(chat.user_bubbles().last).to_have_text("Usted: Horarios de atención")
    chat.wait_for_bot("Horario (hora de Bogotá)")
    expect(chat.input).to_be_focused()

    page.keyboard.type("¿cuál es el correo de soporte?")
    page.keyboard.press("Enter")
    chat.wait_for_bot(SUPPORT_EMAIL)
    expect(chat.input).to_have_value("")
    expect(chat.input).to_be_focused()

    page.keyboard.press("Escape")
    expect(chat.panel).to_be_hidden()
    expect(chat.launcher).to_be_focused()
    expect(chat.launcher).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(chat.input).to_be_focused()
    assert chat.errors == []


def test_accessible_names_and_live_region(chat):
    chat.goto()
    expect(chat.page.get_by_role("button", name="Abrir el chat de soporte", exact=True)).to_be_visible()
    chat.open()
    expect(chat.page.get_by_role("dialog", name="Asistente virtual")).to_be_visible()
    log = chat.page.get_by_role("log", name="Conversación de soporte")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(chat.page.get_by_role("button", name="Cerrar el chat")).to_be_visible()
    expect(chat.page.get_by_role("button", name="Enviar")).to_be_visible()
    expect(chat.input).to_be_visible()


def test_text_contrast_meets_wcag_aa(chat):
    chat.open_with_welcome()
    chat.send("¿cuál es el teléfono de soporte?")
    chat.wait_for_bot(MAIN_LINE)
    ratios = chat.page.evaluate(
        """() => {
            const rgb = c => c.match(/[\\d.]+/g).map(Number);
            const lum = ([r, g, b]) => [r, g, b].map(v => {
                v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
            }).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
            const background = el => {
                for (; el; el = el.parentElement) {
                    const c = rgb(getComputedStyle(el).backgroundColor);
                    if (c.length < 4 || c[3] > 0) return c.slice(0, 3);
                }
                return [255, 255, 255];
            };
            const ratio = (fg, bg) => {
                const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
                return (a + 0.05) / (b + 0.05);
            };
            const out = {};
            for (const sel of ['.cw-title', '.cw-status', '.cw-msg--bot .cw-bubble', '.cw-msg--user .cw-bubble',
                               '.cw-link', '.cw-time', '.cw-send', '.cw-input', '.cw-close']) {
                const el = document.querySelector(sel);
                out[sel] = ratio(rgb(getComputedStyle(el).color).slice(0, 3), background(el));
            }
            const input = document.querySelector('.cw-input');
            out['placeholder'] = ratio(rgb(getComputedStyle(input, '::placeholder').color).slice(0, 3), background(input));
            return out;
        }"""
    )
    low = {k: round(v, 2) for k, v in ratios.items() if v < 4.5}
    assert not low, low


def _get(url: str, path: str):
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", path)  # sent as is: no client-side normalisation of ".."
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def test_page_headers_and_served_files(web_stack):
    response, body = _get(web_stack.page_url, "/")
    assert response.status == 200
    csp = response.getheader("Content-Security-Policy")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
    assert f"ws://127.0.0.1:{urlsplit(web_stack.rasa_url).port}" in csp
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    html = body.decode("utf-8")
    # No inline script, no event-handler attributes, nothing from another origin.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert not re.search(r"(src|href)=\"(https?:)?//", html)

    response, body = _get(web_stack.page_url, "/config.js")
    assert response.status == 200 and web_stack.rasa_url.encode() in body
    response, body = _get(web_stack.page_url, "/vendor/socket.io.min.js")
    assert response.status == 200 and response.getheader("Content-Type").startswith("text/javascript")
    assert b"Socket.IO v4." in body[:200]
    for path in ("/../README.md", "/%2e%2e/README.md", "/vendor/../package.json", "/vendor/socket.io.js"):
        assert _get(web_stack.page_url, path)[0].status == 404, path


def test_no_third_party_code_is_committed():
    web = ROOT / "web"
    assert (web / "package-lock.json").exists()
    assert "web/node_modules/" in (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert not list((web / "public").rglob("socket.io*"))


def test_the_header_says_who_answers_at_any_hour(chat, web_stack):
    """A virtual assistant, and when people answer, from the schedule: never "En línea" all night."""
    _, body = _get(web_stack.page_url, "/config.js")
    assert '"agentHours": "lun–vie 7–19, sáb 8–13"' in body.decode("utf-8")
    chat.open_with_welcome()
    expect(chat.page.locator(".cw-title")).to_have_text("Asistente virtual")
    expect(chat.page.locator(".cw-status")).to_have_text("Asesores: lun–vie 7–19, sáb 8–13")
    expect(chat.page.get_by_role("dialog", name="Asistente virtual")).to_have_attribute("aria-describedby", "cw-status")
    # Screen readers hear who speaks, by name.
    expect(chat.bot_bubbles().first).to_contain_text("Asistente virtual: ¡Hola!")
    assert chat.page.locator(".cw-header").evaluate("e => e.tagName") == "DIV"  # no second banner landmark
    assert chat.errors == []


def test_asking_in_the_chat_whether_the_chat_is_open(chat, web_stack):
    """Decision (docs/agent-desk.md, "Who is answering"): the customer is in the chat; the answer is
    about this chat (the assistant at any hour, the agents here in the chat's hours), never its URL."""
    from tests.browser.conftest import model_says

    chat.open_with_welcome()
    chat.send("¿El chat está abierto?")
    expect(chat.bot_bubbles()).to_have_count(2, timeout=30_000)
    slots = {e["name"]: e["value"] for e in web_stack.tracker(chat.conversation_id())["events"]
             if e["event"] == "slot"}
    assert slots["answer_kind"] == "chat_here_open"  # Friday 10:00, no desk in this stack: not said to be empty
    if not model_says("chat_here_open"):
        pytest.skip("the wording is in domain.yml; models/assistant.tar.gz was trained before it (make train)")
    answer = chat.bot_bubbles().last
    expect(answer).to_contain_text("Sí: ya está en el chat de soporte")
    expect(answer).not_to_contain_text(CHAT_URL)
    expect(chat.quick_replies()).to_have_text(["Hablar con un asesor"])
