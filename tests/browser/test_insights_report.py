"""The report's HTML opened from disk in Debian's Chromium: the Chart.js charts draw, links reach transcripts.

The tracker is made by tools/generate_conversations.py from the conversations recorded
through the real stack (tools/data/recorded_conversations.jsonl.gz), then
`python -m insights` writes var-like output to a temporary folder, which Chromium opens
as a file:// page (no server), as a supervisor opening report.html would.
"""

from __future__ import annotations

import subprocess

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.conftest import expect, generated_tracker
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("insights-html")
    generated_tracker(tmp, 400, seed=11)
    out = tmp / "report"
    run = subprocess.run(
        [str(ROOT / ".venv" / "actions" / "bin" / "python"), "-m", "insights", "--from", "2026-11-01", "--to",
         "2026-11-30", "--out", str(out), "--tracker-store", f"sqlite:///{tmp / 'tracker.db'}",
         "--desk-db", str(tmp / "no-desk.db")],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "400 conversations" in run.stdout
    return out


def test_the_report_opened_from_disk_draws_its_charts(browser, report_dir):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        page.goto((report_dir / "report.html").as_uri())
        expect(page.locator("h1")).to_contain_text("Informe para supervisores: 01/11/2026 a 30/11/2026")
        for canvas in ("chart-day", "chart-hour", "chart-intents", "chart-fallback", "chart-signals", "chart-containment"):
            points = page.evaluate(
                "id => { const c = window.Chart && Chart.getChart(document.getElementById(id));"
                " return c ? c.data.datasets.reduce((n, d) => n + d.data.reduce((a, b) => a + Number(b), 0), 0) : -1; }",
                canvas)
            assert points > 0, f"{canvas}: no chart or no data ({points})"
            width = page.evaluate("id => document.getElementById(id).width", canvas)
            assert width > 100, canvas
        day_total = page.evaluate("""() => {
            const c = Chart.getChart(document.getElementById('chart-day'));
            return c.data.datasets.reduce((n, d) => n + d.data.reduce((a, b) => a + b, 0), 0); }""")
        cards = page.locator("#volumen .card b").nth(1).inner_text()
        assert day_total == int(cards)  # the chart shows the same messages as the figure
        # Counts are numbers, conversation ids are links to their transcripts in the same file.
        assert page.locator("#t-volumen_por_dia a").count() == 0
        assert page.locator("#t-no_entendidos tbody tr").first.locator("a").count() >= 1
        dead = page.evaluate("""() => [...document.querySelectorAll('a[href^="#conv-"]')]
            .filter(a => !document.getElementById(a.getAttribute('href').slice(1))).length""")
        assert dead == 0
        link = page.locator("#t-incidentes_criticos a").first  # a critical incident's conversation
        target = link.get_attribute("href")
        link.click()
        assert page.evaluate("() => location.hash") == target
        expect(page.locator(target)).to_be_visible()
        expect(page.locator(f"{target} .line.cliente").first).to_be_visible()
        # Read from disk: no server path on the page, the way to take test traffic in, and axe-core.
        content = page.content()
        assert str(report_dir.parent) not in content and "tracker.db" not in content
        expect(page.locator("#trafico-prueba")).to_contain_text("--include-test-traffic")
        assert_accessible(page, "report.html opened from disk")
        assert errors == []
    finally:
        context.close()
