"""The incidents pages of the desk (Spanish, usted), built like desk/views.py: every value escaped,
no inline script or style (the desk's Content-Security-Policy), one ``<h1>`` per page, labelled
fields with their hints and errors tied to them (``aria-describedby``, ``aria-invalid``).

    /incidentes              open incidents, alerts (supervisors and on-call), the last 30 days
    /incidentes/nuevo        the form to declare one (pre-filled from an alert)
    /incidentes/{id}         one incident: what the assistant says, updates, reports, history
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from desk import incidents as inc
from desk.store import Agent
from desk.texts import fill
from desk.views import Markup, duration, esc, join, page, render, when
from helpdesk import incidents as bot_incidents
from helpdesk.spanish import capitalize, format_time, sentence

SERVICE_CHOICES = (("firma_digital", "Firma digital"), ("estampado_cronologico", "Estampado cronológico"),
                   ("ambos", "Ambos"))
NOTICES = {
    # Fixed messages after a redirect (?aviso=…): never text from the request.
    "declarado": "Incidente declarado. El asistente lo menciona a los clientes en unos segundos.",
    "actualizado": "Actualización guardada. El asistente la dice en unos segundos.",
    "cerrado": "Incidente cerrado. El asistente deja de mencionarlo en unos segundos.",
    "descartada": "Alerta descartada. Los reportes que lleguen desde ahora se cuentan de nuevo.",
    "ya-descartada": "Esa alerta ya no estaba abierta.",
}
ACTIONS = {
    "opened": "Declaró el incidente",
    "updated": "Publicó una actualización",
    "closed": "Cerró el incidente",
    "alert_raised": "La mesa levantó una alerta",
    "alert_dismissed": "Descartó la alerta",
}
ALERT_STATUS = {"open": "abierta", "declared": "incidente declarado", "attached": "con el incidente ya abierto",
                "dismissed": "descartada"}
MANAGERS_ONLY = "Solo los supervisores y el personal de guardia pueden declarar, actualizar o cerrar incidentes."


def local_input(stamp: float) -> str:
    """The value of a ``datetime-local`` field: Bogotá time, to the minute."""
    return datetime.fromtimestamp(stamp, inc.BOGOTA).strftime("%Y-%m-%dT%H:%M")


def notice(code: str) -> Markup:
    text = NOTICES.get(code)
    if not text:
        return Markup("")
    kind = "error" if code.startswith("ya-") else "info"
    return render('<div id="aviso" class="notice notice--{kind}" role="status">{text}</div>', kind=kind, text=text)


def service_badge(service: str | None) -> Markup:
    label = inc.SERVICE_LABELS.get(service or "", "No indicado" if not service else "Otro servicio")
    return render('<span class="incident-service">{label}</span>', label=label)


# ------------------------------------------------------------------ what the assistant says


@functools.lru_cache(maxsize=4)
def _known_incident_text(domain_file: str) -> str:
    """The known_incident wording of domain.yml (``utter_answer``), or "" when it cannot be read."""
    try:
        domain = yaml.safe_load(Path(domain_file).read_text(encoding="utf-8"))
        for variant in domain["responses"]["utter_answer"]:
            if any(c.get("value") == "known_incident" for c in variant.get("condition") or ()):
                return str(variant["text"])
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError):
        pass
    return ""


def assistant_says(incident: inc.Incident, domain_file: Path, now: float) -> str:
    """What a customer who reports a problem with this service reads now (the non-critical answer)."""
    template = _known_incident_text(str(domain_file))
    if not template:
        return ""
    values = bot_incidents.values(incident.for_bot(), datetime.fromtimestamp(now, inc.BOGOTA))
    try:
        return " ".join(fill(template, values).split())
    except KeyError:
        return ""


# ------------------------------------------------------------------ pieces


def alert_summary(alert: inc.Alert) -> str:
    minutes = alert.window_seconds / 60
    count = alert.report_count
    reports = "1 reporte crítico" if count == 1 else f"{count} reportes críticos"
    return (f"{alert.service_label}: {reports} (umbral: {alert.threshold} en {minutes:g} min). "
            f"Primer reporte: {hour(alert.first_report_at)}; alerta: {hour(alert.raised_at)}.")


def hour(stamp: float) -> str:
    """ "3:30 p. m." in Bogotá."""
    return format_time(datetime.fromtimestamp(stamp, inc.BOGOTA).time())


def notified_text(alert: inc.Alert, oncall_configured: bool) -> str:
    if alert.notified_at:
        return f"Aviso enviado a guardia: {hour(alert.notified_at)}."
    if alert.notify_error:
        return "No se pudo avisar a guardia por el webhook; el registro del escritorio dice por qué."
    return "Avisando a guardia…" if oncall_configured else "Sin webhook de guardia configurado: solo se muestra aquí."


def reports_table(reports: list[inc.Report], caption: str, supervisor: bool, table_id: str) -> Markup:
    def row(r: inc.Report) -> Markup:
        conversation = (render('<a href="/supervision/conversacion?id={q}">{cid}</a>',
                               q=_quote(r.conversation_id), cid=r.conversation_id)
                        if supervisor else render('<span class="mono">{cid}</span>', cid=r.conversation_id))
        return render("<tr><td>{at}</td><td>{service}</td><td>{critical}</td><td>{conversation}</td></tr>",
                      at=when(r.received_at), service=service_badge(r.service),
                      critical="Sí (prioridad 1)" if r.critical else "No", conversation=conversation)

    if not reports:
        return render('<p class="muted" id="{id}">No llegaron reportes.</p>', id=table_id)
    return render(
        '<div class="table-wrap" role="region" aria-labelledby="{id}-caption" tabindex="0">'
        '<table class="queue" id="{id}"><caption id="{id}-caption" class="sr-only">{caption}</caption>'
        '<thead><tr><th scope="col">Recibido</th><th scope="col">Servicio</th><th scope="col">Crítico</th>'
        '<th scope="col">Conversación</th></tr></thead><tbody>{rows}</tbody></table></div>',
        id=table_id, caption=caption, rows=join(row(r) for r in reports))


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def alert_item(alert: inc.Alert, reports: list[inc.Report], csrf: str, supervisor: bool,
               oncall_configured: bool) -> Markup:
    return render(
        '<li class="incident-alert" data-alert-id="{id}">'
        '<h3 class="incident-alert__title">Posible incidente: {service}</h3>'
        "<p>{summary}</p><p class=\"muted\">{notified}</p>"
        "{reports}"
        '<div class="row"><a class="button button--primary" href="/incidentes/nuevo?alerta={id}">Declarar el '
        "incidente<span class=\"sr-only\"> de {service}</span></a>"
        '<form method="post" action="/incidentes/alertas/{id}/descartar" class="inline-form">'
        '<input type="hidden" name="csrf_token" value="{csrf}">'
        '<button type="submit" class="button">Descartar: falsa alarma<span class="sr-only"> ({service})</span>'
        "</button></form></div></li>",
        id=alert.id, service=alert.service_label, summary=alert_summary(alert),
        notified=notified_text(alert, oncall_configured),
        reports=reports_table(reports, f"Reportes de la alerta {alert.id}", supervisor, f"alert-{alert.id}-reports"),
        csrf=csrf)


def incident_card(incident: inc.Incident, now: float) -> Markup:
    update = render("<dt>Última actualización</dt><dd>{u}</dd>", u=incident.latest_update) \
        if incident.updates else Markup("")
    estimate = render("<dt>Tiempo estimado</dt><dd>{e}</dd>", e=incident.estimate) if incident.estimate else Markup("")
    return render(
        '<li class="incident incident--open" data-incident-id="{id}">'
        '<h3 class="incident__title"><a href="/incidentes/{id}">{service}</a> <span class="muted">· desde el '
        "{since}</span></h3>"
        '<dl class="facts"><dt>Mensaje para los clientes</dt><dd>{message}</dd>{update}{estimate}'
        "<dt>Declarado por</dt><dd>{who}, {declared} (hace {ago})</dd></dl></li>",
        id=incident.id, service=incident.service_label, since=when(incident.since, "at"), message=incident.message,
        update=update, estimate=estimate, who=incident.opened_by, declared=when(incident.opened_at),
        ago=duration(now - incident.opened_at))


def recent_row(incident: inc.Incident) -> Markup:
    return render(
        "<tr><td><a href=\"/incidentes/{id}\">{service}</a></td><td>{since}</td><td>{opened} ({who})</td>"
        "<td>{closed} ({closer})</td><td>{lasted}</td></tr>",
        id=incident.id, service=incident.service_label, since=when(incident.since), opened=when(incident.opened_at),
        who=incident.opened_by, closed=when(incident.closed_at or 0), closer=incident.closed_by or "—",
        lasted=duration((incident.closed_at or incident.opened_at) - incident.opened_at))


# ------------------------------------------------------------------ the pages


def incidents_page(open_incidents: list[inc.Incident], recent: list[inc.Incident],
                   alerts: list[tuple[inc.Alert, list[inc.Report]]], *, can_manage: bool, rule: inc.AlertRule | None,
                   oncall_configured: bool, agent: Agent, csrf: str, demo: bool, notice_code: str = "",
                   now: float) -> str:
    if can_manage:
        declare = Markup('<p><a class="button button--primary" href="/incidentes/nuevo" id="declare-link">Declarar un '
                         "incidente</a></p>")
        alert_list = join(alert_item(a, reports, csrf, agent.is_supervisor, oncall_configured) for a, reports in alerts)
        rule_text = (f"La mesa levanta una alerta con {rule.describe()} sobre un mismo servicio."
                     if rule else "La detección automática está desactivada (DESK_INCIDENT_ALERT=off).")
        alerts_section = render(
            '<section class="panel incident-section" aria-labelledby="alerts-title">'
            '<h2 id="alerts-title">Alertas</h2><p class="muted">{rule}</p>{body}</section>',
            rule=rule_text,
            body=render('<ul class="incident-alerts" id="incident-alerts">{items}</ul>', items=alert_list)
            if alerts else Markup('<p id="no-alerts">No hay alertas abiertas.</p>'))
    else:
        declare = render('<p class="muted" id="read-only">{t}</p>', t=MANAGERS_ONLY)
        alerts_section = Markup("")
    open_list = (render('<ul class="incidents" id="open-incidents">{items}</ul>',
                        items=join(incident_card(i, now) for i in open_incidents))
                 if open_incidents else Markup('<p id="no-open-incidents">No hay incidentes abiertos: el asistente '
                                               "atiende los reportes como siempre.</p>"))
    recent_table = (render(
        '<div class="table-wrap" role="region" aria-labelledby="recent-caption" tabindex="0">'
        '<table class="queue" id="recent-incidents"><caption id="recent-caption" class="sr-only">Incidentes cerrados '
        "en los últimos {days} días</caption><thead><tr><th scope=\"col\">Servicio</th><th scope=\"col\">Desde</th>"
        '<th scope="col">Declarado</th><th scope="col">Cerrado</th><th scope="col">Duración</th></tr></thead>'
        "<tbody>{rows}</tbody></table></div>", days=inc.RECENT_DAYS, rows=join(recent_row(i) for i in recent))
        if recent else render('<p id="no-recent">Ningún incidente cerrado en los últimos {d} días.</p>',
                              d=inc.RECENT_DAYS))
    content = render(
        "<h1>Incidentes conocidos</h1>{notice}"
        '<p class="lead">Mientras un incidente está abierto, el asistente les dice a quienes reportan un problema con '
        "ese servicio, o preguntan si funciona, que la falla ya se conoce, desde cuándo, qué hacer mientras tanto y "
        "la última actualización. Un caso crítico recibe igual la línea de prioridad 1 (24 horas).</p>{declare}"
        "{alerts}"
        '<section class="incident-section" aria-labelledby="open-title"><h2 id="open-title">Abiertos</h2>{open}</section>'
        '<section class="incident-section" aria-labelledby="recent-title"><h2 id="recent-title">Cerrados en los '
        "últimos {days} días</h2>{recent}</section>",
        notice=notice(notice_code), declare=declare, alerts=alerts_section, open=open_list, days=inc.RECENT_DAYS,
        recent=recent_table)
    return page("Incidentes", content, demo=demo, agent=agent, csrf=csrf, page_name="incidents")


def _field_error(errors: Mapping[str, str], name: str, help_id: str = "") -> tuple[Markup, Markup]:
    """The error paragraph of a field and the attributes that tie its hint and error to it."""
    described = [help_id] if help_id else []
    if name not in errors:
        return Markup(""), (render(' aria-describedby="{d}"', d=help_id) if help_id else Markup(""))
    described.append(f"{name}-error")
    return (render('<p class="field-error" id="{n}-error">{e}</p>', n=name, e=errors[name]),
            render(' aria-invalid="true" aria-describedby="{d}"', d=" ".join(described)))


def form_page(values: Mapping[str, str], errors: Mapping[str, str], alert: inc.Alert | None,
              alert_reports: list[inc.Report], *, agent: Agent, csrf: str, demo: bool) -> str:
    """The declaration form; ``values`` are what the fields show (the defaults, an alert's, or what was sent)."""
    summary = Markup("")
    if errors:
        summary = render('<div class="notice notice--error" role="alert" id="form-errors"><p>Revise el formulario:</p>'
                         "<ul>{items}</ul></div>", items=join(render("<li>{e}</li>", e=e) for e in errors.values()))
    from_alert = Markup("")
    if alert is not None:
        from_alert = render(
            '<section class="panel incident-section" aria-labelledby="from-alert-title">'
            '<h2 id="from-alert-title">A partir de la alerta</h2><p>{summary}</p>{reports}</section>',
            summary=alert_summary(alert),
            reports=reports_table(alert_reports, "Reportes de la alerta", agent.is_supervisor, "alert-reports"))
    options = join(render('<option value="{v}"{sel}>{label}</option>', v=value, label=label,
                          sel=Markup(" selected") if values.get("service") == value else Markup(""))
                   for value, label in SERVICE_CHOICES)
    service_error, service_attrs = _field_error(errors, "service")
    since_error, since_attrs = _field_error(errors, "since", "since-help")
    message_error, message_attrs = _field_error(errors, "message", "message-help")
    estimate_error, estimate_attrs = _field_error(errors, "estimate", "estimate-help")
    content = render(
        '<p><a href="/incidentes">← Incidentes</a></p><h1>Declarar un incidente</h1>{summary}{from_alert}'
        '<form method="post" action="/incidentes" class="stack incident-form" id="incident-form" novalidate>'
        '<input type="hidden" name="csrf_token" value="{csrf}">'
        '<input type="hidden" name="alerta" value="{alert_id}">'
        '<label for="incident-service">Servicio afectado</label>'
        '<select id="incident-service" name="service" required{service_attrs}>'
        '<option value="">Elija el servicio…</option>{options}</select>{service_error}'
        '<label for="incident-since">Desde (hora de Bogotá)</label>'
        '<input type="datetime-local" id="incident-since" name="since" value="{since}" required{since_attrs}>'
        '<p class="muted small" id="since-help">Cuándo empezó la falla. Por defecto, ahora{since_hint}.</p>{since_error}'
        '<label for="incident-message">Mensaje para los clientes</label>'
        '<textarea id="incident-message" name="message" rows="3" maxlength="{max_message}" required{message_attrs}>{message}</textarea>'
        '<p class="muted small" id="message-help">Qué hacer mientras tanto, en una o dos frases, de usted. El '
        "asistente lo dice después de «Ya conocemos una falla en … desde …; el equipo de soporte está trabajando en "
        "ella.». No escriba teléfonos ni correos: el asistente da los canales.</p>{message_error}"
        '<label for="incident-estimate">Tiempo estimado de solución (opcional)</label>'
        '<input id="incident-estimate" name="estimate" maxlength="{max_estimate}" value="{estimate}" '
        'autocomplete="off"{estimate_attrs}>'
        '<p class="muted small" id="estimate-help">Como lo diría a un cliente, por ejemplo «hacia las 3:00 p. m.». '
        "Vacío si no se sabe.</p>{estimate_error}"
        '<div class="row"><button type="submit" class="button button--primary">Declarar el incidente</button>'
        '<a href="/incidentes">Cancelar</a></div></form>',
        summary=summary, from_alert=from_alert, csrf=csrf, alert_id=str(alert.id) if alert else "",
        options=options, service_error=service_error, service_attrs=service_attrs, since=values.get("since", ""),
        since_hint=" (con una alerta, la hora del primer reporte)" if alert else "", since_attrs=since_attrs,
        since_error=since_error, max_message=inc.MAX_MESSAGE, message=values.get("message", ""),
        message_attrs=message_attrs, message_error=message_error, max_estimate=inc.MAX_ESTIMATE,
        estimate=values.get("estimate", ""), estimate_attrs=estimate_attrs, estimate_error=estimate_error)
    return page("Declarar un incidente", content, demo=demo, agent=agent, csrf=csrf, page_name="incident-form")


def change_text(change: inc.Change) -> str:
    text = ACTIONS.get(change.action, change.action)
    detail = change.detail
    if change.action == "updated":
        text += f": «{detail.get('update', '')}»"
        if isinstance(detail.get("estimate"), dict):
            after = detail["estimate"].get("after") or "sin tiempo estimado"
            text += f"; tiempo estimado: {after}"
    elif change.action == "closed" and detail.get("note"):
        text += f": «{detail['note']}»"
    elif change.action == "alert_raised":
        text += f" ({detail.get('reports')} reportes críticos de {inc.SERVICE_LABELS.get(detail.get('service'), '')})"
    elif change.action == "opened" and detail.get("alerts"):
        text += " a partir de una alerta"
    return text


def lead_time_text(lead: Mapping[str, float | None]) -> str:
    first, alert, declared = lead.get("first_report"), lead.get("alert"), lead.get("declared")
    if first is None:
        return "Declarado sin reportes previos de clientes en la mesa."
    parts = [f"primer reporte: {hour(first)}"]
    if alert is not None:
        parts.append(f"alerta: {duration(alert - first)} después")
        parts.append(f"declaración: {duration((declared or alert) - alert)} después de la alerta")
    else:
        parts.append(f"declaración: {duration((declared or first) - first)} después, sin alerta")
    return capitalize("; ".join(parts)) + "."


def incident_page(incident: inc.Incident, *, changes: list[inc.Change], reports: list[inc.Report],
                  alerts: list[inc.Alert], lead: Mapping[str, float | None], says: str, can_manage: bool,
                  agent: Agent, csrf: str, demo: bool, now: float, notice_code: str = "",
                  errors: Mapping[str, str] | None = None, values: Mapping[str, str] | None = None) -> str:
    errors, values = errors or {}, values or {}
    status = ("Abierto" if incident.is_open else
              f"Cerrado por {incident.closed_by} el {when(incident.closed_at or 0, 'at')}")
    closing_note = (render("<dt>Nota de cierre</dt><dd>{n}</dd>", n=incident.closing_note)
                    if incident.closing_note else Markup(""))
    updates = join(render('<li class="note"><span class="note__who">{who}</span> <time class="note__time">{at}</time>'
                          '<p class="note__text">{text}</p></li>', who=u.by, at=when(u.at), text=u.text)
                   for u in incident.updates)
    updates_block = (render('<ol class="notes__list" id="incident-updates">{u}</ol>', u=updates) if incident.updates
                     else Markup('<p class="muted" id="no-updates">Sin actualizaciones todavía.</p>'))
    says_block = (render('<section class="panel incident-section" aria-labelledby="says-title">'
                         '<h2 id="says-title">Lo que dice el asistente</h2>'
                         '<blockquote class="incident-says" id="assistant-says">{s}</blockquote>'
                         '<p class="muted small">A quien reporta un problema con este servicio o pregunta si funciona. '
                         "Si además detiene su operación, le da la línea de prioridad 1 (24 horas) diciendo que el "
                         "equipo ya trabaja en ello.</p></section>", s=says)
                  if incident.is_open and says else Markup(""))
    manage = Markup("")
    if incident.is_open and can_manage:
        update_error, update_attrs = _field_error(errors, "text", "update-help")
        estimate_error, estimate_attrs = _field_error(errors, "estimate", "update-estimate-help")
        note_error, note_attrs = _field_error(errors, "note")
        manage = render(
            '<section class="panel incident-section" aria-labelledby="update-title">'
            '<h2 id="update-title">Publicar una actualización</h2>'
            '<form method="post" action="/incidentes/{id}/actualizar" class="stack" id="update-form">'
            '<input type="hidden" name="csrf_token" value="{csrf}">'
            '<label for="update-text">Actualización para los clientes</label>'
            '<textarea id="update-text" name="text" rows="2" maxlength="{max_update}" required{update_attrs}>{text}</textarea>'
            '<p class="muted small" id="update-help">El asistente la dice como «Última actualización: …».</p>'
            "{update_error}"
            '<label for="update-estimate">Tiempo estimado de solución</label>'
            '<input id="update-estimate" name="estimate" maxlength="{max_estimate}" value="{estimate}" '
            'autocomplete="off"{estimate_attrs}>'
            '<p class="muted small" id="update-estimate-help">Queda el que escriba aquí; vacío lo quita.</p>'
            "{estimate_error}"
            '<div class="row"><button type="submit" class="button button--primary">Publicar la actualización'
            "</button></div></form></section>"
            '<section class="panel incident-section" aria-labelledby="close-title">'
            '<h2 id="close-title">Cerrar el incidente</h2>'
            '<form method="post" action="/incidentes/{id}/cerrar" class="stack" id="close-incident-form">'
            '<input type="hidden" name="csrf_token" value="{csrf}">'
            '<label for="close-note">Nota de cierre (opcional, para el equipo)</label>'
            '<input id="close-note" name="note" maxlength="{max_note}" autocomplete="off"{note_attrs}>{note_error}'
            '<p class="muted small">Al cerrarlo, el asistente deja de mencionarlo en unos segundos.</p>'
            '<div class="row"><button type="submit" class="button button--danger">Cerrar el incidente</button></div>'
            "</form></section>",
            id=incident.id, csrf=csrf, max_update=inc.MAX_UPDATE, update_attrs=update_attrs,
            text=values.get("text", ""), update_error=update_error, max_estimate=inc.MAX_ESTIMATE,
            estimate=values.get("estimate", incident.estimate), estimate_attrs=estimate_attrs,
            estimate_error=estimate_error, max_note=inc.MAX_NOTE, note_attrs=note_attrs, note_error=note_error)
    elif incident.is_open:
        manage = render('<p class="muted" id="read-only">{t}</p>', t=MANAGERS_ONLY)
    error_summary = (render('<div class="notice notice--error" role="alert" id="form-errors"><ul>{items}</ul></div>',
                            items=join(render("<li>{e}</li>", e=e) for e in errors.values()))
                     if errors else Markup(""))
    alerts_list = (render('<ul id="incident-alert-list">{items}</ul>', items=join(
        render("<li>{s} ({status})</li>", s=alert_summary(a), status=ALERT_STATUS.get(a.status, a.status))
        for a in alerts)) if alerts else Markup('<p class="muted">Ninguna alerta.</p>'))
    history = join(render("<tr><td>{at}</td><td>{who}</td><td>{what}</td></tr>", at=when(c.at),
                          who=c.by or "La mesa", what=change_text(c)) for c in changes)
    estimate = incident.estimate or "—"
    content = render(
        '<p><a href="/incidentes">← Incidentes</a></p>'
        '<h1>Incidente: {service}</h1>{notice}{error_summary}'
        '<dl class="facts" id="incident-facts">'
        '<dt>Estado</dt><dd id="incident-status">{status}</dd>'
        "<dt>Servicio</dt><dd>{service}</dd>"
        "<dt>Desde</dt><dd>{since}</dd>"
        "<dt>Mensaje para los clientes</dt><dd>{message}</dd>"
        '<dt>Tiempo estimado</dt><dd id="incident-estimate">{estimate}</dd>'
        "<dt>Declarado por</dt><dd>{who}, {opened}</dd>{closing_note}"
        '<dt>Detección</dt><dd id="incident-lead">{lead}</dd>'
        "</dl>{says}"
        '<section class="incident-section" aria-labelledby="updates-title"><h2 id="updates-title">Actualizaciones</h2>'
        "{updates}</section>{manage}"
        '<section class="incident-section" aria-labelledby="reports-title"><h2 id="reports-title">Reportes de '
        "clientes recibidos ({count})</h2>{reports}</section>"
        '<section class="incident-section" aria-labelledby="alerts-title"><h2 id="alerts-title">Alertas</h2>'
        "{alerts}</section>"
        '<section class="incident-section" aria-labelledby="history-title"><h2 id="history-title">Historial de '
        "cambios</h2>"
        '<div class="table-wrap" role="region" aria-labelledby="history-caption" tabindex="0">'
        '<table class="queue" id="incident-history"><caption id="history-caption" class="sr-only">Cambios del '
        "incidente: quién y cuándo</caption><thead><tr><th scope=\"col\">Cuándo</th><th scope=\"col\">Quién</th>"
        '<th scope="col">Qué</th></tr></thead><tbody>{history}</tbody></table></div></section>',
        service=incident.service_label, notice=notice(notice_code), error_summary=error_summary, status=status,
        since=when(incident.since, "at"), message=incident.message, estimate=estimate, who=incident.opened_by,
        opened=when(incident.opened_at), closing_note=closing_note, lead=lead_time_text(lead), says=says_block,
        updates=updates_block, manage=manage, count=len(reports),
        reports=reports_table(reports, "Reportes de clientes del incidente", agent.is_supervisor, "incident-reports"),
        alerts=alerts_list, history=history)
    return page(f"Incidente {incident.id}", content, demo=demo, agent=agent, csrf=csrf, page_name="incident",
                data={"incident-id": incident.id})


def banner_json(open_incidents: list[inc.Incident], alerts: list[inc.Alert], can_manage: bool,
                now: float) -> dict[str, Any]:
    """What incidents.js shows at the top of every desk page."""
    return {
        "now": now,
        "can_manage": can_manage,
        "open": [{"id": i.id, "text": sentence(f"Incidente abierto: {i.service_label}, desde el {when(i.since, 'at')}"),
                  "href": f"/incidentes/{i.id}"} for i in open_incidents],
        "alerts": [{"id": a.id, "text": f"Posible incidente. {alert_summary(a)}",
                    "declare_href": f"/incidentes/nuevo?alerta={a.id}", "service": a.service_label}
                   for a in alerts] if can_manage else [],
    }


__all__ = ["incidents_page", "form_page", "incident_page", "banner_json", "assistant_says", "local_input", "esc"]
