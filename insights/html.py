"""The report as one HTML page (Spanish), with charts drawn by Chart.js.

``render(report, chart_js_src=…, charts_js_src=…)`` returns the page. It runs no
inline script: the figures' data sit in a ``<script type="application/json">``
block, and two external scripts draw them — Chart.js's UMD build
(``web/node_modules/chart.js/dist/chart.umd.js``, pinned in web/package.json) and
``insights/static/report-charts.js``. ``make report`` copies both beside
report.html, so the file works when opened from disk; the desk page can serve them
from its own static route under a Content-Security-Policy without inline script.

What people read: Spanish labels for intents and answers (helpdesk/catalogue.py), days as
dd/mm/aaaa, waits as "2 min 05 s", every chart with its axes titled and its values written
on the bars, the store's kind but never a file path or a host. ``range_form`` is the date
form (dd/mm/aaaa, presets) the desk shows above the report and on its supervision page.
"""

from __future__ import annotations

import html
import json
from collections.abc import Container, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from insights import incidents as known_incidents
from insights.report import SIGNALS, Report, Table, anchor, day_text
from insights.source import ROOT

CHART_JS = ROOT / "web" / "node_modules" / "chart.js" / "dist" / "chart.umd.js"
CHARTS_JS = Path(__file__).resolve().parent / "static" / "report-charts.js"
# Colours: every text colour has a contrast of at least 4.5:1 on its background (WCAG AA,
# axe-core's color-contrast rule, tests/browser/test_desk_report.py).
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#0b3d63;color:#fff;padding:1.2rem 2rem}header h1{margin:0 0 .3rem;font-size:1.5rem}
header p{margin:.3rem 0}header a{color:#fff}
main{padding:1rem 2rem 3rem;max-width:1200px}section{background:#fff;border:1px solid #d8dde3;border-radius:8px;
padding:1rem 1.4rem;margin:1rem 0}section section{border:0;padding:0;margin:1.2rem 0 0}
h2{font-size:1.2rem;color:#0b3d63}h3{font-size:1rem;color:#1b1f24}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.9rem}th,td{border-bottom:1px solid #e3e7eb;
padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#eef2f6}td.n{text-align:right;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.2rem 0;color:#1b1f24}caption .file{font-weight:400;color:#4a525c}
.cards{display:flex;flex-wrap:wrap;gap:.8rem;padding:0;margin:.5rem 0;list-style:none}
.card{background:#eef4fa;border-radius:6px;padding:.6rem 1rem;min-width:10rem;color:#1b1f24}
.card b{display:block;font-size:1.4rem}.card small{display:block;color:#4a525c}
.chart{position:relative;height:300px;margin:.5rem 0 1rem}.chart--tall{height:420px}
.after{color:#8a1c1c;font-weight:600}.note{color:#4a525c;font-size:.85rem}
nav.sections a{color:#fff;margin-right:1rem}
.transcript{border-top:1px solid #d8dde3;padding:.5rem 0}.line{margin:.2rem 0}.who{font-weight:600;margin-right:.4rem}
.cliente .who{color:#0b3d63}.asistente .who{color:#2f5a24}.asesor .who{color:#6b2c91}
.when{color:#4a525c;font-size:.8rem;margin-right:.4rem}.msg{white-space:pre-wrap}
.options{display:flex;flex-wrap:wrap;gap:.3rem;list-style:none;margin:.2rem 0 .4rem 1.5rem;padding:0}
.options li{border:1px solid #2f6ea3;color:#1f4f7a;border-radius:1rem;padding:.05rem .6rem;font-size:.85rem}
.options-label{font-size:.8rem;color:#4a525c;margin-left:1.5rem}
.range-form{background:#fff;color:#1b1f24;border:1px solid #d8dde3;border-radius:8px;padding:.8rem 1rem;margin:1rem 0}
.range-form fieldset{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.8rem 1.2rem;align-items:flex-end}
.range-form legend{font-weight:600;margin-bottom:.4rem;padding:0}
.range-form .field{display:flex;flex-direction:column;gap:.2rem}
.range-form .field--check{flex-direction:row;align-items:center;gap:.4rem}
.range-form label{font-weight:600}.range-form input[type=text]{font:inherit;padding:.3rem .4rem;width:8.5rem;
border:1px solid #6b7580;border-radius:4px}
.range-form button{font:inherit;background:#0b3d63;color:#fff;border:0;border-radius:4px;padding:.4rem .9rem;cursor:pointer}
.range-form .hint{flex-basis:100%;margin:0;color:#4a525c;font-size:.85rem}
.presets{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0;margin:.6rem 0 0}
.presets a{color:#0b3d63;border:1px solid #0b3d63;border-radius:1rem;padding:.1rem .7rem;text-decoration:none}
.presets a[aria-current]{background:#0b3d63;color:#fff}
.traffic{background:#fff8e1;border:1px solid #c9a227;border-radius:6px;padding:.5rem .8rem;color:#1b1f24}
.traffic a{color:#0b3d63}
.delta-up,.delta-down{font-weight:600}
"""
# Columns whose values are conversation ids (links to their transcripts).
ID_COLUMNS = ("Conversación", "Ids de conversación")
DATE_COLUMNS = ("Fecha", "Fecha y hora")


def duration(seconds: float | str) -> str:
    """Seconds as people read a wait: "45 s", "2 min 05 s", "1 h 03 min" (a difference may be
    negative: "−2 min 05 s"); "" stays ""."""
    if seconds == "" or seconds is None:
        return ""
    if float(seconds) < 0:
        return "−" + duration(-float(seconds))
    total = int(round(float(seconds)))
    minutes, secs = divmod(total, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def _day_cell(value: Any) -> str:
    """An ISO day ("2026-11-30") or moment ("2026-11-30 21:04") as dd/mm/aaaa [hh:mm]."""
    text = str(value)
    try:
        if len(text) == 10:
            return day_text(date.fromisoformat(text))
        return datetime.strptime(text, "%Y-%m-%d %H:%M").strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return text


def _number(value: float | int) -> str:
    """A number as written in Colombia: decimal comma."""
    return f"{value}".replace(".", ",") if isinstance(value, float) else str(value)


def _cell(value: Any, column: str, linked: Container[str], seconds: bool = False) -> str:
    if column in ID_COLUMNS:  # conversation ids: links to their transcripts
        ids = str(value).split()
        shown = [f'<a href="#{anchor(cid)}">{html.escape(cid)}</a>' if cid in linked else html.escape(cid)
                 for cid in ids[:5]]
        return " ".join(shown) + (f" (+{len(ids) - 5})" if len(ids) > 5 else "")
    if column in DATE_COLUMNS:
        return html.escape(_day_cell(value))
    signed = column == "Diferencia" and isinstance(value, (int, float)) and value > 0
    if seconds:
        return f'<td class="n">{"+" if signed else ""}{html.escape(duration(value)) if value != "" else "—"}</td>'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<td class="n">{"+" if signed else ""}{_number(value)}</td>'
    return html.escape(str(value))


def _heading(column: str) -> str:
    """A column heading as the page shows it (the seconds' unit goes: the values say "2 min 05 s")."""
    return column[:-4] if column.endswith(" (s)") else column


def _table(table: Table, limit: int | None = None, linked: Container[str] = ()) -> str:
    shown = table.shown or [(c, c) for c in table.columns]
    index = [table.columns.index(c) for c, _ in shown]
    head = "".join(f'<th scope="col">{html.escape(_heading(h))}</th>' for _, h in shown)
    body = []
    rows = table.rows if limit is None else table.rows[:limit]
    measure_rows = table.columns[:2] == ["Medida", "Valor"] or table.columns[0] == "Medida"
    for row in rows:
        in_seconds = measure_rows and str(row[0]).endswith("(s)")
        cells = []
        for i, (column, _) in zip(index, shown, strict=True):
            value = row[i]
            if i == 0 and in_seconds:
                value = _heading(str(value))
            rendered = _cell(value, column, linked, seconds=(i > 0 and in_seconds) or column.endswith(" (s)"))
            cells.append(rendered if rendered.startswith("<td") else f"<td>{rendered}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not rows:
        body.append(f'<tr><td colspan="{len(shown)}">Nada en este periodo.</td></tr>')
    more = ""
    if limit is not None and len(table.rows) > limit:
        more = f'<p class="note">{len(table.rows) - limit} filas más en el archivo {table.name}.csv.</p>'
    note = f'<p class="note">{html.escape(table.note)}</p>' if table.note else ""
    return (f'<table id="t-{table.name}"><caption>{html.escape(table.title)} '
            f'<span class="file">(archivo {table.name}.csv)</span></caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>{note}{more}")


def _card(label: str, value: Any, detail: str = "") -> str:
    shown = _number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)
    small = f"<small>{html.escape(detail)}</small>" if detail else ""
    return f'<li class="card"><b>{html.escape(shown)}</b>{html.escape(label)}{small}</li>'


def _cards(*cards: str) -> str:
    return '<ul class="cards">' + "".join(cards) + "</ul>"


def _chart(canvas: str, label: str, tall: bool = False) -> str:
    return (f'<div class="chart{" chart--tall" if tall else ""}"><canvas id="{canvas}" role="img" '
            f'aria-label="{html.escape(label)}"></canvas></div>')


def chart_data(report: Report) -> dict[str, Any]:
    """What report-charts.js draws, per canvas id: every chart with its axes' titles and the
    values written on its bars (``values``)."""
    day, hour = report.table("volumen_por_dia"), report.table("volumen_por_hora")
    rate = report.table("tasa_no_entendidos")
    intents = report.table("intenciones")
    signals = report.table("senales")
    containment = report.table("contencion")
    days = [date.fromisoformat(d).strftime("%d/%m") for d in day.column("Fecha")]
    return {
        "chart-day": {"type": "bar", "labels": days, "stacked": True, "values": True,
                      "axes": {"x": "Día (dd/mm)", "y": "Mensajes de clientes"}, "datasets": [
            {"label": "Mensajes en horario", "data": day.column("Mensajes en horario"), "color": "#1f5f99"},
            {"label": "Mensajes fuera de horario", "data": day.column("Mensajes fuera de horario"), "color": "#b03a2e"}]},
        "chart-hour": {"type": "bar", "labels": hour.column("Hora"), "stacked": True, "values": True,
                       "axes": {"x": "Hora del día (Bogotá)", "y": "Mensajes de clientes"}, "datasets": [
            {"label": "Mensajes en horario", "data": hour.column("Mensajes en horario"), "color": "#1f5f99"},
            {"label": "Mensajes fuera de horario", "data": hour.column("Mensajes fuera de horario"), "color": "#b03a2e"}]},
        "chart-intents": {"type": "bar", "horizontal": True, "values": True,
                          "labels": intents.column("Descripción")[:15],
                          "axes": {"x": "Mensajes", "y": "Intención"}, "datasets": [
            {"label": "Mensajes", "data": intents.column("Mensajes")[:15], "color": "#1f5f99"}]},
        "chart-fallback": {"type": "line", "labels": [date.fromisoformat(d).strftime("%d/%m") for d in rate.column("Fecha")],
                           "values": True, "axes": {"x": "Día (dd/mm)", "y": "% de los mensajes escritos"}, "datasets": [
            {"label": "Tasa de no entendidos (%)", "data": rate.column("Tasa %"), "color": "#b03a2e"}]},
        "chart-signals": {"type": "bar", "horizontal": True, "values": True, "labels": signals.column("Señal"),
                          "axes": {"x": "Veces", "y": "Señal"}, "datasets": [
            {"label": "Veces", "data": signals.column("Veces"), "color": "#b03a2e"}]},
        "chart-containment": {"type": "bar", "horizontal": True, "values": True,
                              "labels": containment.column("Conversaciones"),
                              "axes": {"x": "Conversaciones", "y": "Cómo terminó"}, "datasets": [
            {"label": "Conversaciones", "data": containment.column("Cuántas"), "color": "#1f5f99"}]},
    }


def range_form(action: str, start: date | None, end: date | None, presets: Sequence[tuple[str, str, bool]] = (),
               include_test: bool = False) -> str:
    """The report's date form: two dd/mm/aaaa fields with their labels, whether to take test
    traffic in, and links for the usual periods (``presets``: label, href, current)."""
    def field(name: str, label: str, value: date | None) -> str:
        shown = day_text(value) if value else ""
        return (f'<div class="field"><label for="f-{name}">{label}</label>'
                f'<input type="text" id="f-{name}" name="{name}" value="{shown}" inputmode="numeric" '
                'placeholder="dd/mm/aaaa" pattern="[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}" maxlength="10" autocomplete="off" '
                'aria-describedby="f-fechas-ayuda"></div>')

    current_mark = ' aria-current="page"'
    links = "".join(
        f'<li><a href="{html.escape(href)}"{current_mark if current else ""}>{html.escape(label)}</a></li>'
        for label, href, current in presets)
    checked = " checked" if include_test else ""
    return (
        f'<form method="get" action="{html.escape(action)}" class="range-form" id="report-form">'
        "<fieldset><legend>Periodo del informe</legend>"
        + field("desde", "Desde", start) + field("hasta", "Hasta", end)
        + '<div class="field field--check"><input type="checkbox" id="f-pruebas" name="pruebas" value="incluir"'
        f'{checked}><label for="f-pruebas">Incluir el tráfico de prueba</label></div>'
        '<button type="submit">Ver informe</button>'
        '<p class="hint" id="f-fechas-ayuda">Fechas como día/mes/año, por ejemplo 30/11/2026 (hora de Bogotá, '
        "ambos días incluidos). Sin fechas: los últimos 7 días.</p></fieldset>"
        + (f'<nav aria-label="Periodos frecuentes"><ul class="presets">{links}</ul></nav>' if links else "")
        + "</form>"
    )


def _traffic(report: Report, include_href: str | None) -> str:
    s = report.summary
    prefixes = html.escape(report.traffic.describe())
    if report.traffic.include:
        text = (f"Este informe incluye el tráfico de prueba (conversaciones cuyo identificador empieza por "
                f"{prefixes}).")
        link = f' <a href="{html.escape(include_href)}">Excluirlo</a>.' if include_href else ""
    else:
        count, messages = s.get("test_conversations", 0), s.get("test_messages", 0)
        what = "Se excluyó 1 conversación de prueba" if count == 1 else f"Se excluyeron {count} conversaciones de prueba"
        said = "1 mensaje" if messages == 1 else f"{messages} mensajes"
        text = f"{what} ({said}): identificadores que empiezan por {prefixes}."
        link = (f' <a href="{html.escape(include_href)}">Incluir el tráfico de prueba</a>.' if include_href
                else " Para incluirlo: <code>python -m insights … --include-test-traffic</code>.")
    return f'<p class="traffic" id="trafico-prueba">{text}{link}</p>'


def _signals(report: Report) -> str:
    s = report.summary
    parts = ['<section id="senales" aria-labelledby="h-senales"><h2 id="h-senales">Qué salió mal</h2>'
             '<p class="note">Además de los mensajes que el asistente no entendió: lo que hicieron los clientes '
             "después de una respuesta que quizá fue equivocada. Cada grupo enlaza sus conversaciones.</p>",
             _cards(_card("señales de malentendido", s["signals"]),
                    _card("conversaciones con alguna señal", s["signal_conversations"])),
             _chart("chart-signals", "Señales de malentendido: veces de cada una"),
             _table(report.table("senales"))]
    for kind, (title, _) in SIGNALS.items():
        table = report.table(f"senal_{kind}")
        parts.append(f'<section id="senal-{kind}" aria-labelledby="h-senal-{kind}"><h3 id="h-senal-{kind}">'
                     f"{html.escape(title)} ({len(table.rows)})</h3>"
                     + _table(table, limit=100, linked=report.transcripts) + "</section>")
    return "".join(parts) + "</section>"


def _comparison(report: Report) -> str:
    if "comparacion" not in report.tables:
        return ""
    return ('<section id="comparacion" aria-labelledby="h-comparacion"><h2 id="h-comparacion">'
            "Comparación con el periodo anterior</h2>" + _table(report.table("comparacion")) + "</section>")


def render(report: Report, chart_js_src: str = "chart.umd.js", charts_js_src: str = "report-charts.js",
           stylesheet_href: str | None = None, nlu_href: str = "no_entendidos.nlu.yml",
           back: tuple[str, str] | None = None, form: str = "", include_href: str | None = None) -> str:
    """The whole page. ``chart_js_src`` / ``charts_js_src``: where the page loads Chart.js
    and the drawing script from (beside the file by default). The desk serves the page under
    a Content-Security-Policy without inline style: it passes ``stylesheet_href`` (the CSS as
    a file), where its NLU draft is (``nlu_href``), a link back (``back``: href, label), the
    date form (``form``, from ``range_form``) and the same report with the test traffic
    taken in or left out (``include_href``)."""
    s = report.summary
    period = f"{day_text(report.start)} a {day_text(report.end)}"
    data = json.dumps(chart_data(report), ensure_ascii=False).replace("</", "<\\/")
    sections = [
        _comparison(report),
        '<section id="volumen" aria-labelledby="h-volumen"><h2 id="h-volumen">Volumen</h2>'
        + _cards(_card("conversaciones", s["conversations"]), _card("mensajes de clientes", s["messages"]),
                 _card("mensajes fuera de horario", s["messages_after_hours"]))
        + _chart("chart-day", "Mensajes por día, en horario y fuera de horario") + _table(report.table("volumen_por_dia"))
        + _chart("chart-hour", "Mensajes por hora del día, en horario y fuera de horario")
        + _table(report.table("volumen_por_hora")) + "</section>",
        '<section id="preguntas" aria-labelledby="h-preguntas"><h2 id="h-preguntas">Qué preguntan los clientes</h2>'
        + _chart("chart-intents", "Intenciones más frecuentes", tall=True)
        + _table(report.table("intenciones")) + _table(report.table("tipos_de_solicitud"))
        + _table(report.table("canales_recomendados"))
        + _cards(_card("respuestas «cerrado, abre …»", s["closed_answers"]), _card("respuestas en total", s["answers"]))
        + _table(report.table("cerrado_abre")) + _table(report.table("respuestas")) + "</section>",
        '<section id="criticos" aria-labelledby="h-criticos"><h2 id="h-criticos">Incidentes críticos</h2>'
        + _cards(_card("incidentes prioridad 1", s["critical"]), _card("fuera de horario", s["critical_after_hours"]),
                 _card("reportes no críticos atendidos en el triage", s["non_critical_triaged"]))
        + _table(report.table("incidentes_criticos"), limit=1000, linked=report.transcripts) + "</section>",
        known_incidents.section(report),
        '<section id="no-entendidos" aria-labelledby="h-no-entendidos"><h2 id="h-no-entendidos">'
        "Lo que el asistente no entendió</h2>"
        + _cards(_card("mensajes no entendidos", s["not_understood"]), _card("mensajes escritos", s["typed_messages"]),
                 _card("tasa de no entendidos", f"{_number(s['not_understood_rate'])} %"))
        + '<p class="note">El borrador para etiquetar y agregar a los datos de entrenamiento del asistente: '
        f'<a href="{html.escape(nlu_href)}" download>no_entendidos.nlu.yml</a>.</p>'
        + _chart("chart-fallback", "Tasa de no entendidos por día")
        + _table(report.table("no_entendidos"), limit=200, linked=report.transcripts)
        + _table(report.table("tasa_no_entendidos")) + "</section>",
        _signals(report),
        '<section id="transferencias" aria-labelledby="h-transferencias"><h2 id="h-transferencias">'
        "Contención, transferencias y asesores</h2>"
        + _cards(_card("resueltas sin un asesor", f"{_number(s['containment_rate'])} %",
                       f"{s['contained']} de {s['conversations']} conversaciones"),
                 _card("primera respuesta de un asesor (mediana)", duration(s["first_response_median"]) or "—"),
                 _card("resolución (mediana)", duration(s["resolution_median"]) or "—"))
        + _chart("chart-containment", "Cómo terminaron las conversaciones: con o sin un asesor")
        + _table(report.table("contencion")) + _table(report.table("transferencias"))
        + _table(report.table("asesores")) + _table(report.table("transferencias_por_motivo"))
        + _table(report.table("escalamientos")) + "</section>",
        _transcripts(report),
    ]
    nav = " ".join(f'<a href="#{i}">{t}</a>' for i, t in (
        ("comparacion", "Comparación"), ("volumen", "Volumen"), ("preguntas", "Preguntas"), ("criticos", "Críticos"),
        ("incidentes-conocidos", "Incidentes conocidos"),
        ("no-entendidos", "No entendidos"), ("senales", "Qué salió mal"), ("transferencias", "Asesores"),
        ("conversaciones", "Conversaciones")))
    if back is not None:
        nav = f'<a href="{html.escape(back[0])}">{html.escape(back[1])}</a> ' + nav
    style = (f'<link rel="stylesheet" href="{html.escape(stylesheet_href)}">' if stylesheet_href
             else f"<style>{CSS}</style>")
    return (
        '<!DOCTYPE html><html lang="es-CO"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Informe de soporte {html.escape(period)}</title>{style}</head><body>"
        f"<header><h1>Informe para supervisores: {html.escape(period)}</h1>"
        f"<p>Conversaciones del asistente virtual (hora de Bogotá), leídas del registro de conversaciones "
        f"({html.escape(report.source_kind or 'sin fuente')}). Generado el "
        f"{report.generated_at.strftime('%d/%m/%Y %H:%M')} en {_number(round(report.seconds, 1))} s. "
        "Los correos, teléfonos y números de documento de los clientes aparecen enmascarados.</p>"
        f'<nav class="sections" aria-label="Secciones del informe">{nav}</nav></header>'
        f"<main>{form}{_traffic(report, include_href)}{''.join(sections)}</main>"
        f'<script type="application/json" id="report-data">{data}</script>'
        f'<script src="{html.escape(chart_js_src)}"></script><script src="{html.escape(charts_js_src)}"></script>'
        "</body></html>"
    )


WHO = {"cliente": "Cliente", "asistente": "Asistente virtual", "asesor": "Asesor"}


def transcript_lines(lines) -> str:
    """A transcript's lines: who said what and when, the options the assistant offered, the agents' names."""
    parts = []
    for line in lines:
        who = WHO.get(line.who, line.who)
        if line.who == "asesor" and line.agent:
            who = f"Asesor {line.agent}"
        parts.append(
            f'<div class="line {html.escape(line.who)}"><span class="when">{line.moment.strftime("%d/%m/%Y %H:%M")}</span>'
            f'<span class="who">{html.escape(who)}:</span><span class="msg">{html.escape(line.text)}</span></div>')
        if line.options:
            parts.append('<p class="options-label">Opciones ofrecidas:</p><ul class="options">'
                         + "".join(f"<li>{html.escape(o)}</li>" for o in line.options) + "</ul>")
    return "".join(parts)


def _transcripts(report: Report) -> str:
    parts = ['<section id="conversaciones" aria-labelledby="h-conversaciones"><h2 id="h-conversaciones">'
             "Conversaciones citadas</h2>"
             '<p class="note">La transcripción de cada conversación que el informe enlaza (datos personales '
             "enmascarados; los contactos publicados de la empresa se muestran), con las opciones que el "
             "asistente ofreció y el botón que eligió el cliente.</p>"]
    for cid, transcript in report.transcripts.items():
        lines = transcript_lines(transcript.lines)
        parts.append(f'<article class="transcript" id="{anchor(cid)}"><h3>Conversación {html.escape(cid)}</h3>'
                     f"{lines or '<p class=note>Sin mensajes.</p>'}</article>")
    return "".join(parts) + "</section>"
