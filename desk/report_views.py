"""The supervisors' report pieces of the desk's pages: the date form and one conversation's transcript.

The form is the report's own (``insights.html.range_form``: two dd/mm/aaaa fields with
their labels, test traffic, the presets "Hoy", "Últimos 7 días", "Este mes"), shown on
/supervision and above the report. Dates travel as dd/mm/aaaa from the form and as
aaaa-mm-dd in the presets' links; desk/routes/reports.py reads both.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from desk.store import Agent
from desk.views import Markup, join, page, render
from insights import html as report_html

REPORT_PATH = "/supervision/informe"
INCLUDE_TEST = ("pruebas", "incluir")  # the query parameter that takes test traffic in


def report_href(start: date, end: date, include_test: bool = False) -> str:
    query = {"desde": start.isoformat(), "hasta": end.isoformat()}
    if include_test:
        query[INCLUDE_TEST[0]] = INCLUDE_TEST[1]
    return f"{REPORT_PATH}?{urlencode(query)}"


def presets(today: date, include_test: bool = False, current: tuple[date, date] | None = None
            ) -> list[tuple[str, str, bool]]:
    """The usual periods: (label, href, whether it is the one shown)."""
    ranges = [("Hoy", today, today), ("Últimos 7 días", today - timedelta(days=6), today),
              ("Este mes", today.replace(day=1), today)]
    return [(label, report_href(start, end, include_test), current == (start, end)) for label, start, end in ranges]


def report_form(today: date, start: date | None = None, end: date | None = None, include_test: bool = False) -> Markup:
    """The report's date form with its presets (the values shown as dd/mm/aaaa)."""
    current = (start, end) if start and end else None
    return Markup(report_html.range_form(REPORT_PATH, start, end, presets(today, include_test, current), include_test))


def transcript_page(conversation_id: str, lines: list[Any], agent: Agent, csrf: str, demo: bool) -> str:
    """One conversation from the tracker store (insights.report.transcript: masked, oldest first),
    with the options the assistant offered and the agents' names."""
    def item(line: Any) -> Markup:
        who = report_html.WHO.get(line.who, line.who)
        if line.who == "asesor" and getattr(line, "agent", ""):
            who = f"Asesor {line.agent}"
        options = Markup("")
        if getattr(line, "options", ()):
            options = render('<p class="line__options-label">Opciones ofrecidas:</p><ul class="line__options">{items}</ul>',
                             items=join(render("<li>{o}</li>", o=o) for o in line.options))
        return render(
            '<li class="line line--{who_class}"><span class="line__when">{when}</span> '
            '<strong class="line__who">{label}:</strong> <span class="line__text">{text}</span>{options}</li>',
            who_class=line.who, when=line.moment.strftime("%d/%m/%Y %H:%M"), label=who, text=line.text, options=options)

    body = render('<ol class="transcript" id="transcript">{items}</ol>', items=join(item(line) for line in lines)
                  ) if lines else Markup(
        '<p id="transcript-empty">No hay mensajes con ese identificador en el registro de conversaciones.</p>')
    content = render(
        '<p><a href="/supervision">← Supervisión</a></p><h1>Conversación {cid}</h1>'
        '<p class="muted">Hora de Bogotá. Correos, teléfonos y documentos de los clientes enmascarados. '
        "Bajo cada mensaje del asistente, las opciones que ofreció; un botón elegido aparece con su texto.</p>{body}",
        cid=conversation_id, body=body)
    return page("Conversación", content, demo=demo, agent=agent, csrf=csrf, page_name="transcript")


__all__ = ["report_form", "presets", "report_href", "transcript_page"]
