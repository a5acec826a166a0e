"""The report as one HTML page (Spanish), with charts drawn by Chart.js.

``render(report, chart_js_src=…, charts_js_src=…)`` returns the page. It runs no
inline script: the figures' data sit in a ``<script type="application/json">``
block, and two external scripts draw them — Chart.js's UMD build
(``web/node_modules/chart.js/dist/chart.umd.js``, pinned in web/package.json) and
``insights/static/report-charts.js``. ``make report`` copies both beside
report.html, so the file works when opened from disk; the desk page can serve them
from its own static route under a Content-Security-Policy without inline script.
"""

from __future__ import annotations

import html
import json
from collections.abc import Container
from pathlib import Path
from typing import Any

from insights.report import Report, Table, anchor
from insights.source import ROOT

CHART_JS = ROOT / "web" / "node_modules" / "chart.js" / "dist" / "chart.umd.js"
CHARTS_JS = Path(__file__).resolve().parent / "static" / "report-charts.js"
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#0b3d63;color:#fff;padding:1.2rem 2rem}header h1{margin:0 0 .3rem;font-size:1.5rem}
main{padding:1rem 2rem 3rem;max-width:1200px}section{background:#fff;border:1px solid #d8dde3;border-radius:8px;
padding:1rem 1.4rem;margin:1rem 0}h2{font-size:1.2rem;color:#0b3d63}h3{font-size:1rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.9rem}th,td{border-bottom:1px solid #e3e7eb;
padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#eef2f6}td.n{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{background:#eef4fa;border-radius:6px;padding:.6rem 1rem;min-width:10rem}
.card b{display:block;font-size:1.4rem}.chart{position:relative;height:280px;margin:.5rem 0 1rem}
.after{color:#8a1c1c;font-weight:600}.note{color:#555;font-size:.85rem}nav a{color:#fff;margin-right:1rem}
.transcript{border-top:1px solid #d8dde3;padding:.5rem 0}.line{margin:.2rem 0}.who{font-weight:600;margin-right:.4rem}
.cliente .who{color:#0b3d63}.asistente .who{color:#3c6e2f}.when{color:#777;font-size:.8rem;margin-right:.4rem}
.msg{white-space:pre-wrap}
"""


def _cell(value: Any, column: str, linked: Container[str]) -> str:
    if column in ("Conversación", "Ids de conversación"):  # conversation ids: links to their transcripts
        ids = str(value).split()
        shown = [f'<a href="#{anchor(cid)}">{html.escape(cid)}</a>' if cid in linked else html.escape(cid)
                 for cid in ids[:5]]
        return " ".join(shown) + (f" (+{len(ids) - 5})" if len(ids) > 5 else "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<td class="n">{value}</td>'
    return html.escape(str(value))


def _table(table: Table, limit: int | None = None, linked: Container[str] = ()) -> str:
    head = "".join(f"<th scope=\"col\">{html.escape(c)}</th>" for c in table.columns)
    body = []
    rows = table.rows if limit is None else table.rows[:limit]
    for row in rows:
        cells = []
        for column, value in zip(table.columns, row, strict=True):
            rendered = _cell(value, column, linked)
            cells.append(rendered if rendered.startswith("<td") else f"<td>{rendered}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if limit is not None and len(table.rows) > limit:
        more = f'<p class="note">{len(table.rows) - limit} filas más en {table.name}.csv.</p>'
    note = f'<p class="note">{html.escape(table.note)}</p>' if table.note else ""
    return (f'<table id="t-{table.name}"><caption class="note">{html.escape(table.title)} '
            f"({table.name}.csv)</caption><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            f"{note}{more}")


def _card(label: str, value: Any) -> str:
    return f'<div class="card"><b>{html.escape(str(value))}</b>{html.escape(label)}</div>'


def chart_data(report: Report) -> dict[str, Any]:
    """What report-charts.js draws, per canvas id."""
    day, hour = report.table("volumen_por_dia"), report.table("volumen_por_hora")
    rate = report.table("tasa_no_entendidos")
    intents = report.table("intenciones")
    return {
        "chart-day": {"type": "bar", "labels": day.column("Fecha"), "stacked": True, "datasets": [
            {"label": "Mensajes en horario", "data": day.column("Mensajes en horario"), "color": "#2f6ea3"},
            {"label": "Mensajes fuera de horario", "data": day.column("Mensajes fuera de horario"), "color": "#c0392b"}]},
        "chart-hour": {"type": "bar", "labels": hour.column("Hora"), "stacked": True, "datasets": [
            {"label": "Mensajes en horario", "data": hour.column("Mensajes en horario"), "color": "#2f6ea3"},
            {"label": "Mensajes fuera de horario", "data": hour.column("Mensajes fuera de horario"), "color": "#c0392b"}]},
        "chart-intents": {"type": "bar", "horizontal": True, "labels": intents.column("Intención")[:15], "datasets": [
            {"label": "Mensajes", "data": intents.column("Mensajes")[:15], "color": "#2f6ea3"}]},
        "chart-fallback": {"type": "line", "labels": rate.column("Fecha"), "datasets": [
            {"label": "Tasa de no entendidos (%)", "data": rate.column("Tasa %"), "color": "#c0392b"}]},
    }


def render(report: Report, chart_js_src: str = "chart.umd.js", charts_js_src: str = "report-charts.js",
           stylesheet_href: str | None = None, nlu_href: str = "no_entendidos.nlu.yml",
           back: tuple[str, str] | None = None) -> str:
    """The whole page. ``chart_js_src`` / ``charts_js_src``: where the page loads Chart.js
    and the drawing script from (beside the file by default). The desk serves the page under
    a Content-Security-Policy without inline style: it passes ``stylesheet_href`` (the CSS as
    a file), where its NLU draft is (``nlu_href``) and a link back (``back``: href, label)."""
    s = report.summary
    period = f"{report.start.isoformat()} a {report.end.isoformat()}"
    data = json.dumps(chart_data(report), ensure_ascii=False).replace("</", "<\\/")
    sections = [
        '<section id="volumen"><h2>Volumen</h2><div class="cards">'
        + _card("conversaciones", s["conversations"]) + _card("mensajes de clientes", s["messages"])
        + _card("mensajes fuera de horario", s["messages_after_hours"]) + "</div>"
        '<div class="chart"><canvas id="chart-day" aria-label="Mensajes por día, en horario y fuera de horario" '
        'role="img"></canvas></div>' + _table(report.table("volumen_por_dia"))
        + '<div class="chart"><canvas id="chart-hour" aria-label="Mensajes por hora del día" role="img"></canvas></div>'
        + _table(report.table("volumen_por_hora")) + "</section>",
        '<section id="preguntas"><h2>Qué preguntan los clientes</h2>'
        '<div class="chart"><canvas id="chart-intents" aria-label="Intenciones más frecuentes" role="img"></canvas></div>'
        + _table(report.table("intenciones")) + _table(report.table("tipos_de_solicitud"))
        + _table(report.table("canales_recomendados")) + "<div class=\"cards\">"
        + _card("respuestas «cerrado, abre …»", s["closed_answers"]) + _card("respuestas en total", s["answers"])
        + "</div>" + _table(report.table("cerrado_abre")) + _table(report.table("respuestas")) + "</section>",
        '<section id="criticos"><h2>Incidentes críticos</h2><div class="cards">'
        + _card("incidentes prioridad 1", s["critical"]) + _card("fuera de horario", s["critical_after_hours"])
        + _card("reportes no críticos atendidos en el triage", s["non_critical_triaged"]) + "</div>"
        + _table(report.table("incidentes_criticos"), limit=1000, linked=report.transcripts) + "</section>",
        '<section id="no-entendidos"><h2>Lo que el asistente no entendió</h2><div class="cards">'
        + _card("mensajes no entendidos", s["not_understood"]) + _card("mensajes escritos", s["typed_messages"])
        + f'</div><p class="note">El borrador para etiquetar y agregar a data/nlu/: '
        f'<a href="{html.escape(nlu_href)}" download>no_entendidos.nlu.yml</a>.</p>'
        '<div class="chart"><canvas id="chart-fallback" aria-label="Tasa de no entendidos por día" role="img"></canvas></div>'
        + _table(report.table("no_entendidos"), limit=200, linked=report.transcripts)
        + _table(report.table("tasa_no_entendidos")) + "</section>",
        '<section id="transferencias"><h2>Transferencias y escalamientos</h2>'
        + _table(report.table("transferencias")) + _table(report.table("transferencias_por_motivo"))
        + _table(report.table("escalamientos")) + "</section>",
        _transcripts(report),
    ]
    nav = " ".join(f'<a href="#{i}">{t}</a>' for i, t in (
        ("volumen", "Volumen"), ("preguntas", "Preguntas"), ("criticos", "Críticos"),
        ("no-entendidos", "No entendidos"), ("transferencias", "Transferencias"), ("conversaciones", "Conversaciones")))
    if back is not None:
        nav = f'<a href="{html.escape(back[0])}">{html.escape(back[1])}</a> ' + nav
    style = (f'<link rel="stylesheet" href="{html.escape(stylesheet_href)}">' if stylesheet_href
             else f"<style>{CSS}</style>")
    return (
        '<!DOCTYPE html><html lang="es"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Informe de soporte {html.escape(period)}</title>{style}</head><body>"
        f"<header><h1>Informe para supervisores: {html.escape(period)}</h1>"
        f"<p>Conversaciones del asistente virtual (hora de Bogotá). Fuente: {html.escape(report.source)}. "
        f"Generado el {report.generated_at.strftime('%Y-%m-%d %H:%M')} en {report.seconds:.1f} s. "
        "Los correos, teléfonos y números de documento de los clientes aparecen enmascarados.</p>"
        f"<nav>{nav}</nav></header><main>{''.join(sections)}</main>"
        f'<script type="application/json" id="report-data">{data}</script>'
        f'<script src="{html.escape(chart_js_src)}"></script><script src="{html.escape(charts_js_src)}"></script>'
        "</body></html>"
    )


def _transcripts(report: Report) -> str:
    parts = ['<section id="conversaciones"><h2>Conversaciones citadas</h2>'
             '<p class="note">La transcripción de cada conversación que el informe enlaza (datos personales '
             "enmascarados; los contactos publicados de la empresa se muestran).</p>"]
    for cid, transcript in report.transcripts.items():
        lines = "".join(
            f'<div class="line {line.who}"><span class="when">{line.moment.strftime("%Y-%m-%d %H:%M")}</span>'
            f'<span class="who">{"Cliente" if line.who == "cliente" else "Asistente"}:</span>'
            f'<span class="msg">{html.escape(line.text)}</span></div>'
            for line in transcript.lines)
        parts.append(f'<article class="transcript" id="{anchor(cid)}"><h3>Conversación {html.escape(cid)}</h3>'
                     f"{lines or '<p class=note>Sin mensajes.</p>'}</article>")
    return "".join(parts) + "</section>"
