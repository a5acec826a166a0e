"""The support report in the agent desk, in Debian's Chromium: a supervisor sees the charts,
the not-understood list, what went wrong, the desk's times and the previous period, reads it in
Spanish with dd/mm/aaaa dates, and axe-core finds no serious or critical violation; an agent is
refused.

The tracker store is made by tools/generate_conversations.py from conversations recorded
through the real stack (November and October 2026), plus conversations written by hand
(tests/report_trackers.py) that show each signal of a misunderstanding, agents' replies, the
options the assistant offered and test traffic; the hand-offs are rows of the desk's own
database. The desk reads the tracker store read-only through DESK_TRACKER_STORE, with its clock
at 30/11/2026 (ASSISTANT_NOW) so the presets are fixed days.
"""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
import yaml

from helpdesk.catalogue import INTENT_LABELS
from tests.browser.axe import assert_accessible
from tests.browser.conftest import expect, generated_tracker
from tests.conftest import ROOT
from tests.report_trackers import Tracker, Turn, agent_id, handoff, moment
from tools import generate_conversations, stack

pytestmark = pytest.mark.slow

SUPERVISOR = {"username": "sofia", "name": "Sofía", "role": "supervisora de soporte"}
AGENT = {"username": "ana", "name": "Ana", "role": "asesora de soporte"}
RANGE = "desde=2026-11-01&hasta=2026-11-30"
TODAY = "2026-11-30T10:00"
SCREENSHOT = ROOT / "var" / "screenshots" / "informe-supervisores.png"
CHARTS = ("chart-day", "chart-hour", "chart-intents", "chart-fallback", "chart-signals", "chart-containment")
HOURS = "Los sábados la línea de soporte, el chat y el correo atienden de 8:00 a. m. a 1:00 p. m."
DID_YOU_MEAN = "No estoy seguro de haberle entendido. ¿Se refiere a «Horarios»?"


def written_by_hand(db, desk_db) -> None:
    """One conversation per signal, agents' replies on three hand-offs, and test traffic."""
    tracker = Tracker(db)
    ask = lambda text: Turn(text, "ask_opening_hours", ["hours_week"], bot=[(HOURS, [])])  # noqa: E731
    tracker.conversation("web-rephrase", "2026-11-20T10:00", [ask("no puedo firmar el documento pdf"),
                                                              ask("no puedo firmar el documento en pdf")])
    tracker.conversation("web-buttons", "2026-11-20T10:10", [
        Turn("horaro", "nlu_fallback", ["did_you_mean_1"], bot=[(DID_YOU_MEAN, [("Sí", "/affirm"), ("No", "/deny")])]),
        Turn("/deny", "deny", ["rephrase"], bot=[("Disculpe, no le entendí. ¿Me lo puede escribir de otra forma?", [])]),
        Turn("zzz qqq", "nlu_fallback", ["not_understood_twice_open"],
             bot=[("Sigo sin entenderle. Puede llamar a la línea de soporte.", [])])])
    tracker.conversation("web-person", "2026-11-20T10:20", [
        ask("a qué hora abren"), Turn("quiero hablar con un asesor", "request_human", ["handoff_question"])])
    tracker.conversation("web-nobody", "2026-11-21T22:00", [
        Turn("se cayó todo, nadie puede firmar", "report_critical_incident", ["critical_only_priority_line"],
             slots={"priority_contact": "(57) 318 717 49 37"}),
        Turn("llamé y nadie contesta", "report_no_answer", ["no_answer_critical"])])
    base = moment("2026-11-24T09:00")
    ana = (agent_id(desk_db, AGENT["username"]), AGENT["name"])
    for i, (status, take, reply, end) in enumerate((("closed", 30, 90, 600), ("returned", 10, 50, 300),
                                                   ("taken", 90, 200, None))):
        cid = f"web-handoff-{i}"
        start = base + i * 3600
        tracker.conversation(cid, start, [Turn("quiero un asesor", "request_human", ["handoff_question"]),
                                          Turn("no puedo firmar", "inform", ["handoff_queued"], after=5)])
        received = start + 45
        tracker.agent_message(cid, received + reply, AGENT["name"], "Hola, le habla Ana. Reviso su caso.")
        handoff(desk_db, cid, received, status=status, agent=ana, taken=received + take,
                ended=received + end if end else None)
    tracker.conversation("test-live-probe", "2026-11-22T03:00", [
        Turn("se cayó el servicio de firma digital", "report_critical_incident", ["critical_only_priority_line"],
             slots={"priority_contact": "(57) 318 717 49 37"})])
    tracker.close()


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("desk-report")
    db = generated_tracker(tmp, 300, seed=7)
    from insights import source

    generate_conversations.generate(source.TrackerSource("sqlite", str(db)), 120, date(2026, 10, 2),
                                    date(2026, 10, 31), seed=8)  # the previous period
    password = "pw-" + uuid.uuid4().hex
    for account in (SUPERVISOR, AGENT):
        stack.add_desk_agent(tmp / "desk.db", account["username"], account["name"], account["role"], password,
                             supervisor=account is SUPERVISOR)
    written_by_hand(db, tmp / "desk.db")
    service = stack.start_desk(stack.free_port(), "http://127.0.0.1:9", uuid.uuid4().hex, tmp / "logs", env={
        "DESK_DB": str(tmp / "desk.db"), "DESK_WEBHOOK_SECRET": uuid.uuid4().hex,
        "DESK_TRACKER_STORE": f"sqlite:///{db}", "ASSISTANT_NOW": TODAY})
    yield service, password, tmp
    service.stop()


def login(browser, desk, account, width: int = 1280):
    service, password, _ = desk
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="es-CO",
                                  timezone_id="America/Bogota")
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


def open_report(page, desk, query: str = RANGE) -> None:
    page.goto(f"{desk[0].url}/supervision/informe?{query}")
    expect(page.locator("h1")).to_contain_text("Informe para supervisores")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-day'))")


def test_a_supervisor_opens_the_report_sees_charts_not_understood_and_a_conversation(browser, desk):
    context, page = login(browser, desk, SUPERVISOR)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # CSP refusals land here
    try:
        page.get_by_role("link", name="Supervisión").click()
        page.get_by_label("Desde").fill("01/11/2026")
        page.get_by_label("Hasta").fill("30/11/2026")
        page.get_by_role("button", name="Ver informe").click()
        expect(page.locator("h1")).to_contain_text("Informe para supervisores: 01/11/2026 a 30/11/2026")
        for canvas in CHARTS:
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
        assert page.locator("#transcript li.line").count() >= 2
        assert errors == []
    finally:
        context.close()


def test_what_went_wrong_each_signal_with_its_conversations(browser, desk):
    context, page = login(browser, desk, SUPERVISOR)
    try:
        open_report(page, desk)
        summary = {row.locator("td").nth(0).inner_text(): int(row.locator("td").nth(1).inner_text())
                   for row in page.locator("#t-senales tbody tr").all()}
        assert set(summary) == {"Repite casi lo mismo", "Dos «no le entendí» seguidos",
                                "Pide un asesor justo después de una respuesta",
                                "Se fue después de un «no le entendí»",
                                "«Nadie contesta» después de darle la línea 24/7"}
        assert all(count >= 1 for count in summary.values()), summary
        # Each group lists its messages and links each to the conversation's transcript.
        for kind, conversation in (("rephrase", "web-rephrase"), ("two_fallbacks", "web-buttons"),
                                   ("person_after_answer", "web-person"), ("no_answer_after_line", "web-nobody")):
            row = page.locator(f"#t-senal_{kind} tbody tr", has=page.get_by_role("link", name=conversation))
            expect(row.first).to_be_visible()
        rephrase = page.locator("#t-senal_rephrase tbody tr", has=page.get_by_role("link", name="web-rephrase"))
        expect(rephrase).to_contain_text("no puedo firmar el documento en pdf")
        expect(rephrase).to_contain_text("Había escrito: «no puedo firmar el documento pdf». Respuesta: Horario de la semana")
        assert page.locator("#t-senal_ended_after_fallback tbody a").count() >= 1
        pressed = page.locator("#t-senal_two_fallbacks tbody tr", has=page.get_by_role("link", name="web-buttons"))
        expect(pressed.first).to_contain_text("(eligió: Responde que no)")  # a button pressed, not "/deny"
        # The transcript shows the options offered and the title of the button pressed, never "/deny".
        page.locator("#t-senal_two_fallbacks").get_by_role("link", name="web-buttons").first.click()
        transcript = page.locator("article.transcript:has(h3:text-is('Conversación web-buttons'))")
        expect(transcript).to_be_visible()
        expect(transcript.locator(".options li")).to_have_text(["Sí", "No"])
        expect(transcript.locator(".line.cliente .msg").nth(1)).to_have_text("(eligió: No)")
        assert "/deny" not in transcript.inner_text()
        # The same in the desk's transcript page.
        page.goto(f"{desk[0].url}/supervision/conversacion?id=web-buttons")
        expect(page.locator(".line__options li")).to_have_text(["Sí", "No"])
        expect(page.locator("#transcript")).to_contain_text("(eligió: No)")
        assert "/deny" not in page.locator("#transcript").inner_text()
    finally:
        context.close()


def test_containment_the_desk_times_per_agent_and_the_previous_period(browser, desk):
    context, page = login(browser, desk, SUPERVISOR)
    try:
        open_report(page, desk)
        measures = {row.locator("td").nth(0).inner_text(): row.locator("td").nth(1).inner_text()
                    for row in page.locator("#t-transferencias tbody tr").all()}
        assert measures["Mediana de primera respuesta escrita de un asesor"] == "1 min 30 s"  # 90, 50, 200
        assert measures["Mediana de resolución"] == "7 min 30 s"  # 600 and 300
        ana = page.locator("#t-asesores tbody tr", has_text="Ana")
        expect(ana.locator("td")).to_have_text(["Ana", "3", "1", "1", "1", "3", "30 s", "1 min 30 s", "7 min 30 s"])
        containment = page.locator("#t-contencion tbody tr").first
        expect(containment.locator("td").first).to_have_text("Resueltas por el asistente, sin un asesor")
        assert int(containment.locator("td").nth(1).inner_text()) > 0
        comparison = {row.locator("td").nth(0).inner_text(): [c.inner_text() for c in row.locator("td").all()[1:]]
                      for row in page.locator("#t-comparacion tbody tr").all()}
        current, previous, _ = comparison["Conversaciones"]
        assert int(current) == 307 and int(previous) == 120  # 300 generated + 7 by hand; October's 120
        assert "02/10/2026 a 31/10/2026" in page.locator("#comparacion").inner_text()
    finally:
        context.close()


def test_the_report_reads_in_spanish_with_labelled_charts_and_no_server_paths(browser, desk):
    context, page = login(browser, desk, SUPERVISOR)
    try:
        open_report(page, desk)
        for canvas in CHARTS:
            axes = page.evaluate("""id => { const o = Chart.getChart(document.getElementById(id)).options;
                return [o.scales.x.title.display && o.scales.x.title.text, o.scales.y.title.display && o.scales.y.title.text,
                        o.plugins.valueLabels.enabled]; }""", canvas)
            assert axes[0] and axes[1] and axes[2] is True, (canvas, axes)
            assert page.evaluate("id => Chart.getChart(document.getElementById(id)).config.plugins"
                                 ".some(p => p.id === 'valueLabels')", canvas), canvas
        labels = page.evaluate("() => Chart.getChart(document.getElementById('chart-intents')).data.labels")
        assert labels and set(labels) <= set(INTENT_LABELS.values()), labels
        assert page.evaluate("() => Chart.getChart(document.getElementById('chart-day')).data.labels[0]") == "01/11"
        intents = page.locator("#t-intenciones")
        expect(intents.locator("thead th").first).to_have_text("Intención")
        expect(intents.locator("tbody tr").first.locator("td").first).to_have_text(
            re.compile("|".join(map(re.escape, INTENT_LABELS.values()))))
        expect(page.locator("#t-volumen_por_dia tbody tr").first.locator("td").first).to_have_text("01/11/2026")
        content = page.content()
        tmp = str(desk[2])
        for leak in (tmp, str(ROOT), "/tmp/", "tracker.db", "desk.db", "sqlite:"):
            assert leak not in content, leak
        # The date form: labelled fields in dd/mm/aaaa, the range shown, and the presets.
        desde, hasta = page.get_by_label("Desde"), page.get_by_label("Hasta")
        expect(desde).to_have_value("01/11/2026")
        expect(hasta).to_have_value("30/11/2026")
        expect(desde).to_have_attribute("placeholder", "dd/mm/aaaa")
        presets = page.get_by_role("navigation", name="Periodos frecuentes").get_by_role("link")
        expect(presets).to_have_text(["Hoy", "Últimos 7 días", "Este mes"])
        expect(page.get_by_role("link", name="Este mes")).to_have_attribute("aria-current", "page")
        page.get_by_role("link", name="Últimos 7 días").click()
        expect(page.locator("h1")).to_contain_text("24/11/2026 a 30/11/2026")
        page.get_by_role("link", name="Hoy").click()
        expect(page.locator("h1")).to_contain_text("30/11/2026 a 30/11/2026")
        # dd/mm/aaaa typed in the form; a month/day order is refused with a Spanish reason.
        page.get_by_label("Desde").fill("15/11/2026")
        page.get_by_label("Hasta").fill("20/11/2026")
        page.get_by_role("button", name="Ver informe").click()
        expect(page.locator("h1")).to_contain_text("15/11/2026 a 20/11/2026")
        response = page.goto(f"{desk[0].url}/supervision/informe?desde=11/30/2026")
        assert response.status == 400
        expect(page.locator("body")).to_contain_text("«11/30/2026» no existe en el calendario")
    finally:
        context.close()


def test_test_traffic_is_left_out_counted_and_can_be_taken_in(browser, desk):
    context, page = login(browser, desk, SUPERVISOR)
    try:
        open_report(page, desk)
        notice = page.locator("#trafico-prueba")
        expect(notice).to_contain_text("Se excluyó 1 conversación de prueba (1 mensaje)")
        expect(notice).to_contain_text("«test-»")
        assert page.get_by_role("link", name="test-live-probe").count() == 0
        critical_before = page.locator("#t-incidentes_criticos tbody tr").count()
        notice.get_by_role("link", name="Incluir el tráfico de prueba").click()
        expect(page.locator("#trafico-prueba")).to_contain_text("Este informe incluye el tráfico de prueba")
        expect(page.get_by_label("Incluir el tráfico de prueba")).to_be_checked()
        assert page.locator("#t-incidentes_criticos tbody tr").count() == critical_before + 1
        expect(page.locator("#t-incidentes_criticos").get_by_role("link", name="test-live-probe")).to_have_count(1)
    finally:
        context.close()


def test_axe_finds_no_serious_violation_on_the_report_and_the_supervision_page(browser, desk):
    context, page = login(browser, desk, SUPERVISOR)
    try:
        open_report(page, desk)
        assert_accessible(page, "the supervisors' report (/supervision/informe)")
        page.locator("#t-senal_two_fallbacks").get_by_role("link", name="web-buttons").first.click()
        assert_accessible(page, "the report at a cited conversation")
        page.goto(f"{desk[0].url}/supervision")
        assert_accessible(page, "the supervision page with the report's date form")
        page.goto(f"{desk[0].url}/supervision/conversacion?id=web-buttons")
        assert_accessible(page, "a conversation's transcript with the options offered")
        # The screenshot for people: the top of the report as a supervisor sees it.
        open_report(page, desk)
        from helpdesk.privacy import private_dir

        private_dir(SCREENSHOT.parent, tighten=True)  # var/screenshots/ 0700, as the product keeps var/
        page.screenshot(path=str(SCREENSHOT), full_page=False)
        page.locator("#senales").screenshot(path=str(SCREENSHOT.with_name("informe-que-salio-mal.png")))
        for shot in (SCREENSHOT, SCREENSHOT.with_name("informe-que-salio-mal.png")):
            shot.chmod(0o600)
        assert SCREENSHOT.stat().st_size > 10_000
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
