"""The desk's HTML pages (Spanish), built with strict escaping.

Every value put into a page goes through ``esc`` unless it is ``Markup`` built
here: customer text, packet fields and agent names are always escaped, never
trusted as HTML. The pages carry no inline script or style (the
Content-Security-Policy forbids both); desk.js adds the live parts.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from desk.readable import neutralise
from desk.store import Agent, Handoff
from helpdesk.spanish import at_time, format_date, format_time

BOGOTA = ZoneInfo("America/Bogota")

STATUS_LABELS = {
    "queued": "En espera",
    "taken": "Atendida por un asesor",
    "closed": "Cerrada",
    "returned": "Devuelta al asistente",
    "expired": "Expiró: nadie la tomó a tiempo",
}
PRIORITY_LABELS = {"1": "Prioridad 1 (crítica)", "normal": "Normal", "sin clasificar": "Sin clasificar"}
SPEAKER_LABELS = {"cliente": "Cliente", "asistente": "Asistente virtual", "sistema": "Aviso"}
NOTICES = {
    # Fixed messages shown after a redirect (?aviso=…): never text from the request.
    "tomada": "Usted tomó la conversación. El cliente ya sabe que le atiende.",
    "devuelta": "La conversación volvió al asistente virtual.",
    "cerrada": "La conversación quedó cerrada.",
    "ya-tomada": "Otra persona ya tomó esta conversación o ya no está en espera.",
    "no-suya": "Solo el asesor que tomó la conversación puede hacer eso.",
    "rasa": "No se pudo comunicar con el asistente virtual. Intente de nuevo en un momento.",
    "vacia": "Escriba un mensaje antes de enviarlo.",
    "larga": "El mensaje es demasiado largo.",
}


class Markup(str):
    """HTML that was built here and is safe to insert as is."""


def esc(value: Any) -> Markup:
    """``value`` as HTML text: escaped, and without bidi or invisible control characters (desk/readable.py)."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(neutralise("" if value is None else str(value)), quote=True))


def render(template: str, **values: Any) -> Markup:
    """``template`` with every value escaped (Markup values are inserted as they are)."""
    return Markup(template.format(**{name: esc(value) for name, value in values.items()}))


def join(parts: Iterable[Markup]) -> Markup:
    return Markup("".join(esc(p) for p in parts))


def when(stamp: float, style: str = "comma") -> str:
    """A Unix time in Bogotá time: "viernes 4 de diciembre, 10:30 a. m." (style "at": "… a las 10:30 a. m.")."""
    moment = datetime.fromtimestamp(stamp, BOGOTA)
    if style == "at":
        return f"{format_date(moment.date())} {at_time(moment.time())}"
    return f"{format_date(moment.date())}, {format_time(moment.time())}"


def clock(stamp: float | None) -> str:
    if not stamp:
        return ""
    return datetime.fromtimestamp(stamp, BOGOTA).strftime("%H:%M:%S")


def date_time(value: Any) -> str:
    """A packet's ISO date or a Unix time, shown in Bogotá time."""
    try:
        moment = (datetime.fromtimestamp(float(value), timezone.utc) if isinstance(value, (int, float))
                  else datetime.fromisoformat(str(value)))
    except (TypeError, ValueError):
        return str(value or "")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BOGOTA)
    return moment.astimezone(BOGOTA).strftime("%d/%m/%Y %H:%M:%S")


def duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {seconds:02d} s"
    return f"{seconds} s"


# -------------------------------------------------------------------- layout

def page(title: str, content: Markup, *, demo: bool, agent: Agent | None = None, csrf: str = "",
         page_name: str = "", data: dict[str, Any] | None = None) -> str:
    banner = Markup(
        '<div class="demo-banner" role="note"><strong>MODO DEMOSTRACIÓN</strong> — cuenta y secretos de prueba; '
        "no use esta mesa con clientes reales.</div>"
    ) if demo else Markup("")
    account = Markup("")
    if agent is not None:
        supervision = Markup('<a class="button button--quiet" href="/supervision">Supervisión</a>'
                             ) if agent.is_supervisor else Markup("")
        account = render(
            '<div class="account"><span class="account__who">{name}<span class="account__role">, {role}</span></span>'
            '{supervision}<form method="post" action="/logout" class="inline-form">'
            '<input type="hidden" name="csrf_token" value="{csrf}">'
            '<button type="submit" class="button button--quiet">Salir</button></form></div>',
            name=agent.name, role=agent.role, supervision=supervision, csrf=csrf,
        )
    attributes = join(render(' data-{k}="{v}"', k=k, v=v) for k, v in (data or {}).items())
    return render(
        '<!doctype html>\n<html lang="es-CO">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="csrf-token" content="{csrf}">\n'
        "<title>{title} · Mesa de asesores</title>\n"
        '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">\n'
        '<link rel="stylesheet" href="/static/desk.css">\n'
        '<script src="/static/desk.js" defer></script>\n</head>\n'
        '<body data-page="{page_name}"{attributes}>\n'
        '<a class="skip-link" href="#contenido">Saltar al contenido</a>\n{banner}'
        '<header class="topbar"><p class="brand"><a href="/">Mesa de asesores</a>'
        '<span class="brand__sub"> · Soporte Firmas Digitales y Estampado Cronológico</span></p>{account}</header>\n'
        '<main id="contenido" tabindex="-1">\n{content}\n</main>\n</body>\n</html>\n',
        csrf=csrf, title=title, page_name=page_name, attributes=attributes, banner=banner, account=account,
        content=content,
    )


def notice(code: str, kind: str = "info") -> Markup:
    text = NOTICES.get(code)
    if not text:
        return Markup('<div id="aviso" class="notice" role="status" hidden></div>')
    role = "alert" if kind == "error" else "status"
    return render('<div id="aviso" class="notice notice--{kind}" role="{role}">{text}</div>',
                  kind=kind, role=role, text=text)


# --------------------------------------------------------------------- login

def login_page(csrf: str, demo: bool, error: str = "", username: str = "") -> str:
    message = render('<p class="notice notice--error" role="alert">{e}</p>', e=error) if error else Markup("")
    content = render(
        '<section class="login" aria-labelledby="login-title">'
        '<h1 id="login-title">Ingreso de asesores</h1>{message}'
        '<form method="post" action="/login" class="stack">'
        '<input type="hidden" name="csrf_token" value="{csrf}">'
        '<label for="username">Usuario</label>'
        '<input id="username" name="username" autocomplete="username" required value="{username}" autofocus>'
        '<label for="password">Contraseña</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password" required>'
        '<button type="submit" class="button">Ingresar</button>'
        "</form></section>",
        message=message, csrf=csrf, username=username,
    )
    return page("Ingreso", content, demo=demo, csrf="", page_name="login")


# --------------------------------------------------------------------- queue

def status_badge(status: str) -> Markup:
    return render('<span class="status status--{s}">{label}</span>', s=status, label=STATUS_LABELS.get(status, status))


def priority_badge(priority: str) -> Markup:
    css = "p1" if priority == "1" else "normal"
    return render('<span class="priority priority--{css}">{label}</span>', css=css,
                  label=PRIORITY_LABELS.get(priority, priority))


def queue_row(h: Handoff, now: float) -> Markup:
    s = h.summary(now)
    waited = duration(s["waiting_seconds"])
    waiting = ("esperando " + waited) if h.status == "queued" else ("esperó " + waited)
    return render(
        '<tr class="handoff handoff--{status}{p1}" data-handoff-id="{id}">'
        "<td>{status_badge}</td><td>{priority}</td><td>{reason}</td><td>{service}</td>"
        '<td class="description">{description}</td><td>{waiting}<br><span class="muted">desde las {since}</span></td>'
        '<td>{agent}</td><td><a class="button button--small" href="/handoffs/{id}">Abrir<span class="sr-only"> '
        "la conversación {id}</span></a></td></tr>",
        status=h.status, p1=" handoff--p1" if h.priority == "1" else "", id=h.id, status_badge=status_badge(h.status),
        priority=priority_badge(h.priority), reason=h.reason_text or h.reason, service=h.service,
        description=h.description or "—", waiting=waiting, since=clock(h.received_at), agent=h.agent_name or "—",
    )


def queue_page(handoffs: list[Handoff], agent: Agent, csrf: str, demo: bool, queue_timeout: float) -> str:
    now = time.time()
    waiting = sum(1 for h in handoffs if h.status == "queued")
    rows = join(queue_row(h, now) for h in handoffs) or Markup(
        '<tr class="empty"><td colspan="8">No hay conversaciones todavía.</td></tr>')
    content = render(
        '<h1>Cola de conversaciones</h1>'
        '<p class="lead"><span id="queue-count">{count}</span> · Si nadie toma una conversación en {timeout}, '
        "el asistente le ofrece al cliente los canales abiertos.</p>"
        '<p id="queue-updated" class="muted" role="status" aria-live="polite"></p>'
        '<div class="table-wrap"><table class="queue">'
        '<caption class="sr-only">Conversaciones transferidas por el asistente virtual</caption>'
        '<thead><tr><th scope="col">Estado</th><th scope="col">Prioridad</th><th scope="col">Motivo</th>'
        '<th scope="col">Servicio</th><th scope="col">Lo que necesita</th><th scope="col">Espera</th>'
        '<th scope="col">Asesor</th><th scope="col"><span class="sr-only">Abrir</span></th></tr></thead>'
        '<tbody id="queue-body">{rows}</tbody></table></div>',
        count=waiting_text(waiting), timeout=duration(queue_timeout), rows=rows,
    )
    return page("Cola", content, demo=demo, agent=agent, csrf=csrf, page_name="queue")


def waiting_text(count: int) -> str:
    if count == 0:
        return "Ninguna conversación en espera"
    return "1 conversación en espera" if count == 1 else f"{count} conversaciones en espera"


# -------------------------------------------------------------- conversation

def transcript_items(lines: list[dict[str, Any]], packet: bool = False) -> Markup:
    items = []
    for line in lines:
        who = line.get("from", "")
        label = line.get("agent") if who == "asesor" else SPEAKER_LABELS.get(who, who)
        stamp = line.get("timestamp")
        items.append(render(
            '<li class="line line--{who}"><span class="line__who">{label}</span>'
            '<time class="line__time">{time}</time><p class="line__text">{text}</p></li>',
            who=who, label=label or "Asesor", time=clock(stamp) if isinstance(stamp, (int, float)) else "",
            text=line.get("text", ""),
        ))
    if not items:
        return Markup('<li class="line line--empty">Sin mensajes.</li>') if packet else Markup("")
    return join(items)


def actions_for(h: Handoff, agent: Agent, csrf: str) -> Markup:
    hidden = render('<input type="hidden" name="csrf_token" value="{csrf}">', csrf=csrf)
    if h.status == "queued":
        return render(
            '<form method="post" action="/handoffs/{id}/take" class="actions">{hidden}'
            '<button type="submit" class="button button--primary">Tomar conversación</button></form>',
            id=h.id, hidden=hidden,
        )
    if h.status == "taken" and h.agent_id == agent.id:
        return render(
            '<form method="post" action="/handoffs/{id}/reply" class="reply stack" id="reply-form">{hidden}'
            '<label for="reply-text">Su respuesta al cliente</label>'
            '<textarea id="reply-text" name="text" rows="3" maxlength="2000" required></textarea>'
            '<div class="row"><button type="submit" class="button button--primary">Enviar</button></div></form>'
            '<div class="actions row">'
            '<form method="post" action="/handoffs/{id}/return" class="inline-form">{hidden}'
            '<button type="submit" class="button">Devolver al asistente</button></form>'
            '<form method="post" action="/handoffs/{id}/close" class="inline-form">{hidden}'
            '<button type="submit" class="button button--danger">Cerrar</button></form></div>',
            id=h.id, hidden=hidden,
        )
    if h.status == "taken":
        return render('<p class="muted">La atiende {name}.</p>', name=h.agent_name or "otro asesor")
    return render('<p class="muted">{label}. No hay acciones pendientes.</p>', label=STATUS_LABELS.get(h.status, h.status))


def conversation_page(h: Handoff, live: list[dict[str, Any]] | None, agent: Agent, csrf: str, demo: bool,
                      notice_code: str = "", notice_kind: str = "info") -> str:
    p = h.packet
    slots = join(render("<dt>{k}</dt><dd>{v}</dd>", k=k, v=v) for k, v in (p.get("slots") or {}).items()) or Markup(
        "<dt>—</dt><dd>El asistente no recogió datos.</dd>")
    live_items = transcript_items(live) if live is not None else Markup("")
    live_error = "" if live is not None else "No se pudo leer la conversación en el asistente."
    content = render(
        '<p><a href="/">← Volver a la cola</a></p>'
        '<h1>Conversación <span class="mono">{short}</span></h1>{notice}'
        '<div class="columns">'
        '<section class="panel packet" aria-labelledby="packet-title">'
        '<h2 id="packet-title">Datos de la transferencia</h2>'
        '<dl class="facts">'
        '<dt>Estado</dt><dd id="handoff-status">{status}</dd>'
        '<dt>Asesor</dt><dd id="handoff-agent">{agent_name}</dd>'
        '<dt>Conversación</dt><dd class="mono" id="conversation-id">{cid}</dd>'
        "<dt>Motivo</dt><dd>{reason}</dd>"
        "<dt>Prioridad</dt><dd>{priority}</dd>"
        "<dt>Servicio</dt><dd>{service}</dd>"
        '<dt>Lo que necesita</dt><dd class="description">{description}</dd>'
        "<dt>Canal</dt><dd>{channel}</dd>"
        "<dt>Solicitada</dt><dd>{created}</dd>"
        '<dt>Recibida en la mesa</dt><dd>{received}</dd>'
        "</dl>"
        "<h3>Datos recogidos por el asistente</h3><dl class=\"facts\">{slots}</dl>"
        "<h3>Conversación antes de la transferencia</h3>"
        '<ol class="transcript transcript--packet">{transcript}</ol>'
        "</section>"
        '<section class="panel live" aria-labelledby="live-title">'
        '<h2 id="live-title">Conversación en vivo</h2>'
        '<p class="muted" id="live-error" role="alert">{live_error}</p>'
        '<ol class="transcript" id="live-transcript" role="log" aria-live="polite" '
        'aria-label="Mensajes desde la transferencia">{live_items}</ol>'
        "{actions}"
        "</section></div>",
        short=h.conversation_id[:12], notice=notice(notice_code, notice_kind), status=status_badge(h.status),
        agent_name=h.agent_name or "—", cid=h.conversation_id, reason=h.reason_text or h.reason,
        priority=priority_badge(h.priority), service=h.service, description=h.description or "—",
        channel=h.channel or "—", created=date_time(h.created_at), received=date_time(h.received_at),
        slots=slots, transcript=transcript_items(p.get("transcript") or [], packet=True), live_error=live_error,
        live_items=live_items, actions=actions_for(h, agent, csrf),
    )
    return page(f"Conversación {h.id}", content, demo=demo, agent=agent, csrf=csrf, page_name="conversation",
                data={"handoff-id": h.id, "status": h.status, "agent-id": h.agent_id or ""})


def error_page(title: str, message: str, demo: bool, agent: Agent | None = None, csrf: str = "") -> str:
    content = render('<h1>{title}</h1><p>{message}</p><p><a href="/">Volver a la cola</a></p>',
                     title=title, message=message)
    return page(title, content, demo=demo, agent=agent, csrf=csrf, page_name="error")


# --------------------------------------------------------------- supervision

def supervision_row(h: Handoff, now: float) -> Markup:
    waited = duration(h.summary(now)["waiting_seconds"])
    return render(
        '<tr class="handoff handoff--{status}" data-handoff-id="{id}">'
        "<td>{received}</td><td>{status_badge}</td><td>{wait}</td><td>{priority}</td><td>{reason}</td>"
        '<td>{service}</td><td>{agent}</td><td><a class="button button--small" href="/handoffs/{id}">Abrir'
        '<span class="sr-only"> la conversación {id}</span></a></td></tr>',
        status=h.status, id=h.id, received=when(h.received_at), status_badge=status_badge(h.status),
        wait=f"{waited} (sigue en espera)" if h.status == "queued" else waited, priority=priority_badge(h.priority),
        reason=h.reason_text or h.reason, service=h.service, agent=h.agent_name or "—",
    )


def supervision_page(handoffs: list[Handoff], since: float, now: float, agent: Agent, csrf: str, demo: bool,
                     days: int, complete: bool = True) -> str:
    """The hand-offs of the last ``days`` days, newest first, with their state and how long each waited
    (``complete`` False: only the newest ones fitted)."""
    rows = join(supervision_row(h, now) for h in handoffs) or Markup(
        f'<tr class="empty"><td colspan="8">No hubo transferencias en los últimos {days} días.</td></tr>')
    count = len(handoffs)
    content = render(
        '<p><a href="/">← Volver a la cola</a></p>'
        "<h1>Supervisión</h1>"
        '<nav class="supervision-tools" aria-label="Informes">'
        '<form method="get" action="/supervision/informe" class="inline-form" id="report-form">'
        '<label>Informe desde <input type="date" name="desde"></label> '
        '<label>hasta <input type="date" name="hasta"></label> '
        '<button type="submit" class="button">Ver informe</button>'
        '<span class="muted"> (sin fechas: los últimos 7 días)</span></form>'
        '<form method="get" action="/supervision/conversacion" class="inline-form" id="conversation-form">'
        '<label>Conversación <input type="text" name="id" required maxlength="200" '
        'placeholder="identificador"></label> <button type="submit" class="button">Ver</button></form></nav>'
        '<p class="lead" id="supervision-count">Últimos {days} días (desde el {since}): {count}.{partial}</p>'
        '<div class="table-wrap"><table class="queue" id="supervision-table">'
        '<caption class="sr-only">Transferencias a asesores de los últimos {days} días</caption>'
        '<thead><tr><th scope="col">Recibida</th><th scope="col">Estado</th><th scope="col">Espera</th>'
        '<th scope="col">Prioridad</th><th scope="col">Motivo</th><th scope="col">Servicio</th>'
        '<th scope="col">Asesor</th><th scope="col"><span class="sr-only">Abrir</span></th></tr></thead>'
        "<tbody>{rows}</tbody></table></div>"
        '<p class="muted">Espera: desde que llegó a la mesa hasta que un asesor la tomó o expiró.</p>',
        count="1 transferencia" if count == 1 else f"{count} transferencias", days=days, since=when(since, "at"),
        partial="" if complete else " Se muestran solo las más recientes.", rows=rows,
    )
    return page("Supervisión", content, demo=demo, agent=agent, csrf=csrf, page_name="supervision")


def transcript_page(conversation_id: str, lines: list[Any], agent: Agent, csrf: str, demo: bool) -> str:
    """One conversation from the tracker store (insights.report.transcript: masked, oldest first)."""
    items = join(render(
        '<li class="line line--{who}"><span class="line__when">{when}</span> '
        '<strong class="line__who">{label}:</strong> <span class="line__text">{text}</span></li>',
        who=line.who, when=line.moment.strftime("%Y-%m-%d %H:%M"),
        label="Cliente" if line.who == "cliente" else "Asistente", text=line.text) for line in lines)
    body = render('<ol class="transcript" id="transcript">{items}</ol>', items=items) if lines else Markup(
        '<p id="transcript-empty">No hay mensajes con ese identificador en el registro de conversaciones.</p>')
    content = render(
        '<p><a href="/supervision">← Supervisión</a></p><h1>Conversación {cid}</h1>'
        '<p class="muted">Hora de Bogotá. Correos, teléfonos y documentos de los clientes enmascarados.</p>{body}',
        cid=conversation_id, body=body)
    return page("Conversación", content, demo=demo, agent=agent, csrf=csrf, page_name="transcript")
