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

from desk import closing
from desk.canned import CannedReply
from desk.readable import neutralise
from desk.store import Agent, Handoff, Note
from helpdesk.spanish import at_time, format_date, format_time, sentence
from insights.html import duration as report_duration

BOGOTA = ZoneInfo("America/Bogota")

STATUS_LABELS = {
    "queued": "En espera",
    "taken": "Atendida por un asesor",
    "closed": "Cerrada",
    "returned": "Devuelta al asistente",
    "expired": "Expiró: nadie la tomó a tiempo",
}
PRIORITY_LABELS = {"1": "Prioridad 1 (crítica)", "normal": "Normal", "sin clasificar": "Sin clasificar"}
SPEAKER_LABELS = {"cliente": "Cliente", "asistente": "Asistente virtual", "sistema": "Aviso",
                  "aviso": "Aviso al cliente"}
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
    "motivo": "Elija el motivo de cierre antes de cerrar la conversación.",
    "nota": "Nota interna guardada. El cliente no la ve.",
    "nota-vacia": "Escriba la nota antes de guardarla.",
    "llamado": "Quedó marcado como atendido a su nombre.",
    "ya-llamado": "Otra persona ya lo había marcado como atendido.",
    "disponible": "Ahora está disponible: los clientes pueden pasar a la cola.",
    "pausa": "Está en pausa: si nadie más está disponible, el asistente ofrece la línea y el correo.",
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
    """A wait or a countdown as the report writes it ("2 min 05 s"), never negative."""
    return report_duration(max(0, int(seconds)))


# -------------------------------------------------------------------- layout

def page(title: str, content: Markup, *, demo: bool, agent: Agent | None = None, csrf: str = "",
         page_name: str = "", data: dict[str, Any] | None = None) -> str:
    banner = Markup(
        '<div class="demo-banner" role="note"><strong>MODO DEMOSTRACIÓN</strong> — cuenta y secretos de prueba; '
        "no use esta mesa con clientes reales.</div>"
    ) if demo else Markup("")
    account = Markup("")
    if agent is not None:
        links = [("/", "Cola", "queue"), ("/manana", "Lista de la mañana", "morning"),
                 ("/incidentes", "Incidentes", "incidents")]
        if agent.is_supervisor:
            links.append(("/supervision", "Supervisión", "supervision"))
        nav = join(render('<li><a class="button button--quiet" href="{href}"{current}>{label}</a></li>', href=href,
                          label=label, current=Markup(' aria-current="page"') if name == page_name else Markup(""))
                   for href, label, name in links)
        account = render(
            '<nav class="topnav" aria-label="Mesa"><ul>{nav}</ul></nav>'
            '<div class="account"><span class="account__who">{name}<span class="account__role">, {role}</span></span>'
            '{presence}<form method="post" action="/logout" class="inline-form">'
            '<input type="hidden" name="csrf_token" value="{csrf}">'
            '<button type="submit" class="button button--quiet">Salir</button></form></div>',
            nav=nav, name=agent.name, role=agent.role, presence=presence_switch(agent, csrf), csrf=csrf,
        )
    attributes = join(render(' data-{k}="{v}"', k=k, v=v) for k, v in (data or {}).items())
    return render(
        '<!doctype html>\n<html lang="es-CO">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="csrf-token" content="{csrf}">\n'
        "<title>{title} · Mesa de asesores</title>\n"
        '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">\n'
        '<link rel="stylesheet" href="/static/desk.css">\n'
        '<link rel="stylesheet" href="/static/incidents.css">\n'
        '<script src="/static/desk.js" defer></script>\n'
        '<script src="/static/incidents.js" defer></script>\n</head>\n'
        '<body data-page="{page_name}"{attributes}>\n'
        '<a class="skip-link" href="#contenido">Saltar al contenido</a>\n{banner}'
        '<header class="topbar"><p class="brand"><a href="/">Mesa de asesores</a>'
        '<span class="brand__sub"> · Soporte Firmas Digitales y Estampado Cronológico</span></p>{account}</header>\n'
        '<main id="contenido" tabindex="-1">\n{content}\n</main>\n'
        '<p id="desk-alert" class="sr-only" role="status" aria-live="polite"></p>\n</body>\n</html>\n',
        csrf=csrf, title=title, page_name=page_name, attributes=attributes, banner=banner, account=account,
        content=content,
    )


def presence_switch(agent: Agent, csrf: str) -> Markup:
    """The agent's own presence: on duty (customers may be queued for them) or on a pause."""
    state, action, value = (("Disponible", "Pasar a pausa", "0") if agent.available
                            else ("En pausa", "Estoy disponible", "1"))
    return render(
        '<form method="post" action="/presencia" class="inline-form presence" id="presence-form">'
        '<input type="hidden" name="csrf_token" value="{csrf}"><input type="hidden" name="available" value="{value}">'
        '<span class="presence__state presence__state--{css}" id="presence-state">{state}</span> '
        '<button type="submit" class="button button--quiet">{action}</button></form>',
        csrf=csrf, value=value, css="on" if agent.available else "off", state=state, action=action,
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


def time_left_text(h: Handoff, now: float, sla: float) -> str:
    """The SLA of a hand-off in words: the time left to take a waiting one, how long it took to be
    taken, or that nobody took it in time."""
    if h.status == "queued":
        left = h.deadline(sla) - now
        return f"quedan {duration(left)}" if left > 0 else "tiempo agotado"
    if h.taken_at:
        waited = h.taken_at - h.received_at
        return f"tomada en {duration(waited)} ({'a tiempo' if waited <= sla else 'fuera de plazo'})"
    if h.status == "expired":
        return "nadie la tomó a tiempo"
    return "—"


def time_left(h: Handoff, now: float, sla: float) -> Markup:
    """``time_left_text``; a waiting one's as a countdown desk.js updates every second."""
    text = time_left_text(h, now, sla)
    if h.status != "queued":
        return esc(text)
    late = h.deadline(sla) - now <= 60
    return render('<span class="countdown{late}" data-deadline="{deadline}">{text}</span>',
                  late=" countdown--late" if late else "", deadline=f"{h.deadline(sla):.3f}", text=text)


def queue_row(h: Handoff, now: float, sla: float) -> Markup:
    s = h.summary(now)
    waited = duration(s["waiting_seconds"])
    waiting = ("esperando " + waited) if h.status == "queued" else ("esperó " + waited)
    return render(
        '<tr class="handoff handoff--{status}{p1}" data-handoff-id="{id}">'
        "<td>{status_badge}</td><td>{priority}</td><td>{reason}</td><td>{service}</td>"
        '<td class="description">{description}</td><td>{waiting}<br><span class="muted">desde las {since}</span></td>'
        '<td class="sla">{left}</td>'
        '<td>{agent}</td><td><a class="button button--small" href="/handoffs/{id}">Abrir<span class="sr-only"> '
        "la conversación {id}</span></a></td></tr>",
        status=h.status, p1=" handoff--p1" if h.priority == "1" else "", id=h.id, status_badge=status_badge(h.status),
        priority=priority_badge(h.priority), reason=h.reason_text or h.reason, service=h.service,
        description=h.description or "—", waiting=waiting, since=clock(h.received_at), left=time_left(h, now, sla),
        agent=h.agent_name or "—",
    )


QUEUE_COLUMNS = 9
QUEUE_NOTICES = ("disponible", "pausa")


def queue_page(handoffs: list[Handoff], agent: Agent, csrf: str, demo: bool, queue_timeout: float,
               on_duty: tuple[str, ...] = (), notice_code: str = "") -> str:
    now = time.time()
    waiting = sum(1 for h in handoffs if h.status == "queued")
    rows = join(queue_row(h, now, queue_timeout) for h in handoffs) or render(
        '<tr class="empty"><td colspan="{n}">No hay conversaciones todavía.</td></tr>', n=QUEUE_COLUMNS)
    content = render(
        '<h1>Cola de conversaciones</h1>{notice}'
        '<p class="lead"><span id="queue-count">{count}</span> · Plazo para tomar cada conversación: {timeout}; '
        "si nadie la toma, el asistente le ofrece al cliente los canales abiertos.</p>"
        '<p class="muted" id="on-duty">{on_duty}</p>'
        '<p class="notify-setup" id="notify-setup" hidden><button type="button" class="button button--small" '
        'id="notify-enable">Activar avisos del navegador</button> <span class="muted">para enterarse de una '
        "conversación nueva aunque esta pestaña no esté a la vista.</span></p>"
        '<p id="queue-updated" class="muted" role="status" aria-live="polite"></p>'
        '<div class="table-wrap" role="region" aria-labelledby="queue-caption" tabindex="0"><table class="queue">'
        '<caption id="queue-caption" class="sr-only">Conversaciones transferidas por el asistente virtual</caption>'
        '<thead><tr><th scope="col">Estado</th><th scope="col">Prioridad</th><th scope="col">Motivo</th>'
        '<th scope="col">Servicio</th><th scope="col">Lo que necesita</th><th scope="col">Espera</th>'
        '<th scope="col">Tiempo para atender</th>'
        '<th scope="col">Asesor</th><th scope="col"><span class="sr-only">Abrir</span></th></tr></thead>'
        '<tbody id="queue-body">{rows}</tbody></table></div>',
        count=waiting_text(waiting), timeout=duration(queue_timeout), rows=rows, on_duty=on_duty_text(on_duty),
        notice=notice(notice_code if notice_code in QUEUE_NOTICES else ""),
    )
    return page("Cola", content, demo=demo, agent=agent, csrf=csrf, page_name="queue",
                data={"sla": f"{queue_timeout:g}"})


def on_duty_text(names: tuple[str, ...]) -> str:
    if not names:
        return "Nadie está disponible en este momento: el asistente no pasa clientes a la cola."
    return "Disponibles ahora: " + ", ".join(names) + "."


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


def canned_select(replies: tuple[CannedReply, ...], agent: Agent) -> Markup:
    """The canned replies (desk/canned_replies.yml): choosing one fills the reply box (desk.js)."""
    if not replies:
        return Markup("")
    options = join(render('<option value="{text}">{title}</option>', text=r.for_agent(agent.name, agent.role),
                          title=r.title) for r in replies)
    return render(
        '<label for="canned-reply">Respuestas guardadas</label>'
        '<select id="canned-reply" aria-describedby="canned-help"><option value="">Elija una para '
        "empezar su respuesta…</option>{options}</select>"
        '<p class="muted small" id="canned-help">Queda en el cuadro de respuesta: revísela antes de enviarla.</p>',
        options=options,
    )


def close_form(h: Handoff, hidden: Markup) -> Markup:
    options = join(render('<option value="{value}">{label}</option>', value=k, label=v)
                   for k, v in closing.CLOSE_REASONS.items())
    return render(
        '<form method="post" action="/handoffs/{id}/close" class="inline-form close-form" id="close-form">{hidden}'
        '<label for="close-reason">Motivo de cierre</label> '
        '<select id="close-reason" name="reason" required><option value="">Elija el motivo…</option>{options}'
        '</select> <button type="submit" class="button button--danger">Cerrar</button></form>',
        id=h.id, hidden=hidden, options=options,
    )


def actions_for(h: Handoff, agent: Agent, csrf: str, replies: tuple[CannedReply, ...] = ()) -> Markup:
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
            "{canned}"
            '<label for="reply-text">Su respuesta al cliente</label>'
            '<textarea id="reply-text" name="text" rows="3" maxlength="2000" required></textarea>'
            '<div class="row"><button type="submit" class="button button--primary">Enviar</button></div></form>'
            '<div class="actions row">'
            '<form method="post" action="/handoffs/{id}/return" class="inline-form">{hidden}'
            '<button type="submit" class="button">Devolver al asistente</button></form>'
            "{close}</div>",
            id=h.id, hidden=hidden, canned=canned_select(replies, agent), close=close_form(h, hidden),
        )
    if h.status == "taken":
        return render('<p class="muted">La atiende {name}.</p>', name=h.agent_name or "otro asesor")
    return render('<p class="muted">{label}. No hay acciones pendientes.</p>', label=STATUS_LABELS.get(h.status, h.status))


def note_item(note: Note) -> Markup:
    return render('<li class="note"><span class="note__who">{who}</span> <time class="note__time">{when}</time>'
                  '<p class="note__text">{text}</p></li>', who=note.agent_name, when=clock(note.created_at),
                  text=note.text)


def note_json(note: Note) -> dict[str, Any]:
    return {"id": note.id, "agent": note.agent_name, "time": clock(note.created_at), "text": note.text}


def notes_section(h: Handoff, notes: list[Note], csrf: str) -> Markup:
    items = join(note_item(n) for n in notes)
    return render(
        '<section class="notes" aria-labelledby="notes-title"><h3 id="notes-title">Notas internas</h3>'
        '<p class="muted small" id="notes-help">Solo las ve el equipo de soporte; nunca se envían al cliente.</p>'
        '<ul class="notes__list" id="notes-list">{items}</ul>'
        '<p class="muted small" id="notes-empty"{empty_hidden}>Sin notas todavía.</p>'
        '<form method="post" action="/handoffs/{id}/notes" class="stack" id="note-form">'
        '<input type="hidden" name="csrf_token" value="{csrf}">'
        '<label for="note-text">Nueva nota interna</label>'
        '<textarea id="note-text" name="text" rows="2" maxlength="2000" required aria-describedby="notes-help">'
        '</textarea><div class="row"><button type="submit" class="button">Guardar nota</button></div></form></section>',
        items=items, empty_hidden=Markup(" hidden") if notes else Markup(""), id=h.id, csrf=csrf,
    )


def hours_context(h: Handoff) -> str:
    """What the bot said about the hours when it handed over (packet "hours"), e.g. "En horario de
    asesores: el chat atiende hasta las 7:00 p. m."."""
    hours = h.packet.get("hours") or {}
    return hours.get("text") or "—"


def conversation_page(h: Handoff, live: list[dict[str, Any]] | None, agent: Agent, csrf: str, demo: bool,
                      notice_code: str = "", notice_kind: str = "info", *, sla: float = 180,
                      notes: list[Note] | None = None, replies: tuple[CannedReply, ...] = ()) -> str:
    p = h.packet
    now = time.time()
    slots = join(render("<dt>{k}</dt><dd>{v}</dd>", k=k, v=v) for k, v in (p.get("slots") or {}).items()) or Markup(
        "<dt>—</dt><dd>El asistente no recogió datos.</dd>")
    live_items = transcript_items(live) if live is not None else Markup("")
    live_error = "" if live is not None else "No se pudo leer la conversación en el asistente."
    closed = render("<dt>Motivo de cierre</dt><dd id=\"close-reason-shown\">{r}</dd>", r=closing.label(h.close_reason)
                    ) if h.close_reason else Markup("")
    content = render(
        '<p><a href="/">← Volver a la cola</a></p>'
        '<h1>Conversación <span class="mono">{short}</span></h1>{notice}'
        '<div class="columns">'
        '<section class="panel packet" aria-labelledby="packet-title">'
        '<h2 id="packet-title">Datos de la transferencia</h2>'
        '<dl class="facts">'
        '<dt>Estado</dt><dd id="handoff-status">{status}</dd>'
        '<dt>Asesor</dt><dd id="handoff-agent">{agent_name}</dd>'
        '<dt>Tiempo para atenderla</dt><dd id="handoff-sla">{left} <span class="muted">(plazo: {sla})</span></dd>'
        '<dt>Horario</dt><dd id="handoff-hours">{hours}</dd>'
        '<dt>Conversación</dt><dd class="mono" id="conversation-id">{cid}</dd>'
        "<dt>Motivo</dt><dd>{reason}</dd>"
        "<dt>Prioridad</dt><dd>{priority}</dd>"
        "<dt>Servicio</dt><dd>{service}</dd>"
        '<dt>Lo que necesita</dt><dd class="description">{description}</dd>'
        "<dt>Canal</dt><dd>{channel}</dd>"
        "<dt>Solicitada</dt><dd>{created}</dd>"
        '<dt>Recibida en la mesa</dt><dd>{received}</dd>{closed}'
        "</dl>"
        "<h3>Datos recogidos por el asistente</h3><dl class=\"facts\">{slots}</dl>"
        "{notes}"
        "</section>"
        '<section class="panel live" aria-labelledby="live-title">'
        '<h2 id="live-title">Conversación con el cliente</h2>'
        '<p class="muted" id="live-error" role="alert">{live_error}</p>'
        '<div class="log" id="conversation-log" role="log" aria-live="polite" aria-labelledby="live-title" '
        'tabindex="0">'
        '<ol class="transcript transcript--before" aria-label="Antes de la transferencia">{transcript}</ol>'
        '<p class="divider"><span>Transferida a la mesa a las {received_clock}</span></p>'
        '<ol class="transcript" id="live-transcript" aria-label="Desde la transferencia">{live_items}</ol>'
        "</div>"
        "{actions}"
        "</section></div>",
        short=h.conversation_id[:12], notice=notice(notice_code, notice_kind), status=status_badge(h.status),
        agent_name=h.agent_name or "—", left=time_left(h, now, sla), sla=duration(sla), hours=hours_context(h),
        cid=h.conversation_id, reason=h.reason_text or h.reason,
        priority=priority_badge(h.priority), service=h.service, description=h.description or "—",
        channel=h.channel or "—", created=date_time(h.created_at), received=date_time(h.received_at), closed=closed,
        slots=slots, notes=notes_section(h, notes or [], csrf),
        transcript=transcript_items(p.get("transcript") or [], packet=True), live_error=live_error,
        received_clock=clock(h.received_at), live_items=live_items, actions=actions_for(h, agent, csrf, replies),
    )
    return page(f"Conversación {h.id}", content, demo=demo, agent=agent, csrf=csrf, page_name="conversation",
                data={"handoff-id": h.id, "status": h.status, "agent-id": h.agent_id or "", "sla": f"{sla:g}"})


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
                     days: int, complete: bool = True, report_form: Markup | None = None) -> str:
    """The hand-offs of the last ``days`` days, newest first, with their state and how long each waited
    (``complete`` False: only the newest ones fitted), below the report's date form (``report_form``,
    desk/report_views.py: dd/mm/aaaa and presets)."""
    rows = join(supervision_row(h, now) for h in handoffs) or Markup(
        f'<tr class="empty"><td colspan="8">No hubo transferencias en los últimos {days} días.</td></tr>')
    count = len(handoffs)
    content = render(
        '<p><a href="/">← Volver a la cola</a></p>'
        "<h1>Supervisión</h1>{report_form}"
        '<nav class="supervision-tools" aria-label="Buscar una conversación">'
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
        report_form=report_form or Markup(""),
    )
    return page("Supervisión", content, demo=demo, agent=agent, csrf=csrf, page_name="supervision")


# ---------------------------------------------------------------- morning list

def done_text(mark: Any) -> str:
    """ "Atendido por Ana el lunes 7 de diciembre a las 7:12 a. m." (+ the note)."""
    text = sentence(f"Atendido por {mark.done_by} el {when(mark.done_at, 'at')}")
    return f"{text} {mark.note}" if mark.note else text


def morning_item(item: Any, mark: Any, csrf: str, n: int) -> Markup:
    said = join(render('<li><time class="muted">{at}</time> {text}</li>', at=clock(stamp)[:5], text=text)
                for stamp, text in item.said) or Markup('<li class="muted">No escribió nada más.</li>')
    facts = join(render("<dt>{k}</dt><dd>{v}</dd>", k=k, v=v) for k, v in item.facts.items())
    reach = join([*(render('<li><a href="tel:+57{digits}">{shown}</a></li>', digits="".join(ch for ch in p if ch.isdigit()),
                           shown=p) for p in item.phones),
                  *(render('<li><a href="mailto:{e}">{e}</a></li>', e=e) for e in item.emails)])
    reach = render('<ul class="reach">{r}</ul>', r=reach) if reach else Markup(
        '<p class="reach reach--none">No dejó teléfono ni correo: escribió por el chat del sitio web.</p>')
    if mark is not None:
        action = render('<p class="done" data-done="1">{t}</p>', t=done_text(mark))
    else:
        action = render(
            '<form method="post" action="/manana/hecho" class="stack done-form">'
            '<input type="hidden" name="csrf_token" value="{csrf}"><input type="hidden" name="key" value="{key}">'
            '<label for="note-{n}">Cómo quedó (opcional)</label>'
            '<input id="note-{n}" name="note" maxlength="500" autocomplete="off">'
            '<div class="row"><button type="submit" class="button button--primary">Ya lo llamé: marcar como '
            "atendido</button></div></form>", csrf=csrf, key=item.key, n=n)
    return render(
        '<li class="morning-item{crit}{done}" data-key="{key}">'
        '<h2 class="morning-item__title">{kind} <span class="muted">· {at}</span></h2>'
        '<p class="morning-item__why">{reasons}</p>'
        '<dl class="facts">{facts}<dt>Conversación</dt><dd class="mono">{cid}</dd></dl>'
        '<h3>Lo que escribió</h3><ol class="said">{said}</ol>'
        "<h3>Cómo contactarle</h3>{reach}{action}</li>",
        crit=" morning-item--critical" if item.critical else "", done=" morning-item--done" if mark else "",
        key=item.key, kind="Incidente crítico" if item.critical else "Pidió un asesor",
        at=when(item.first_at), reasons="; ".join(item.reasons), facts=facts, cid=item.conversation_id, said=said,
        reach=reach, action=action,
    )


def morning_page(items: list[Any], done: dict[str, Any], next_shift: str, agent: Agent, csrf: str, demo: bool,
                 notice_code: str = "", error: str = "") -> str:
    pending = sum(1 for i in items if i.key not in done)
    summary = ("Nada pendiente." if not pending else
               "1 pendiente por llamar." if pending == 1 else f"{pending} pendientes por llamar.")
    shift = render(" {s}", s=sentence(f"Próximo turno: {next_shift}")) if next_shift else Markup("")
    body = join(morning_item(i, done.get(i.key), csrf, n) for n, i in enumerate(items, start=1))
    listing = render('<ol class="morning" id="morning-list">{b}</ol>', b=body) if items else Markup(
        '<p id="morning-empty">No hubo incidentes críticos ni pedidos de un asesor fuera de horario en los últimos '
        "7 días.</p>")
    problem = render('<p class="notice notice--error" role="alert">{e}</p>', e=error) if error else Markup("")
    kind = "error" if notice_code == "ya-llamado" else "info"
    content = render(
        "<h1>Lista de la mañana</h1>{notice}{problem}"
        '<p class="lead" id="morning-count">{summary}{shift}</p>'
        '<p class="muted">Incidentes críticos y pedidos de un asesor que llegaron cuando nadie podía atender '
        "(últimos 7 días): primero los críticos, luego los demás, del más antiguo al más reciente. Quien llama "
        "al cliente lo marca como atendido; queda su nombre y la hora.</p>{listing}",
        notice=notice(notice_code, kind), problem=problem, summary=summary, shift=shift, listing=listing,
    )
    return page("Lista de la mañana", content, demo=demo, agent=agent, csrf=csrf, page_name="morning")
