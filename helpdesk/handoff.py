"""The hand-off: the packet a human agent needs to take over a conversation, and what
the customer is told about people (the agents' hours, the expected wait, the chat itself).

Built from the Rasa tracker's events and slots (as plain dicts, so this module
never imports rasa or rasa_sdk). Documented in docs/agent-desk-api.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import reduce
from typing import Any

from helpdesk import spanish as es
from helpdesk.answers import Answer, email_contact, open_lines
from helpdesk.schedule import MINUTES_PER_DAY, Schedule
from helpdesk.triage import SERVICE_LABELS

PACKET_VERSION = 1
TRANSCRIPT_TURNS = 20

REASONS = {
    "customer_request": "El cliente pidió hablar con un asesor",
    "not_understood": "El asistente no entendió dos mensajes seguidos",
    "critical_incident": "Incidente crítico (prioridad 1) reportado en horario de asesores",
}

# Slots worth showing to the agent (the rest are the bot's own bookkeeping).
COLLECTED_SLOTS = {
    "affected_service": "Servicio afectado",
    "operation_blocked": "¿Detiene la operación?",
    "problem_description": "Descripción del problema",
    "handoff_description": "Lo que necesita (en sus palabras)",
    "case_number": "Número de caso",
}


def button_titles(event: Mapping[str, Any]) -> dict[str, str]:
    """payload -> title of the buttons a bot message showed."""
    buttons = (event.get("data") or {}).get("buttons") or []
    return {b.get("payload"): b.get("title") for b in buttons if isinstance(b, Mapping) and b.get("title")}


def payload_text(text: str, event: Mapping[str, Any], titles: Mapping[str, str]) -> str:
    """A button payload ("/deny") as the customer saw it: the title of the button pressed.

    The widget sends "/greet" when the chat is first opened, with no button: shown as
    "(abrió el chat)". Any other payload without a known button keeps its intent name.
    """
    if text in titles:
        return f"(eligió: {titles[text]})"
    intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name") or text[1:].split("{")[0] or "opción"
    if intent == "greet":
        return "(abrió el chat)"
    return f"(eligió una opción: {intent})"


def transcript(events: Iterable[Mapping[str, Any]], limit: int = TRANSCRIPT_TURNS) -> list[dict[str, Any]]:
    """The last ``limit`` customer and bot messages, oldest first.

    Button payloads ("/inform{…}") are shown with the title of the button pressed
    (``payload_text``). External events are left out.
    """
    lines: list[dict[str, Any]] = []
    titles: dict[str, str] = {}
    for event in events:
        kind = event.get("event")
        text = event.get("text")
        if kind == "bot":
            titles = button_titles(event)
        if kind not in ("user", "bot") or not text:
            continue
        if kind == "user":
            if text.startswith("EXTERNAL:"):
                continue
            if text.startswith("/"):
                text = payload_text(text, event, titles)
        lines.append({
            "from": "cliente" if kind == "user" else "asistente",
            "text": text,
            "timestamp": event.get("timestamp"),
        })
    return lines[-limit:]


def priority_of(slots: Mapping[str, Any], reason: str) -> str:
    """ "1" for critical, "normal", or "sin clasificar"."""
    if reason == "critical_incident" or slots.get("operation_blocked") is True:
        return "1"
    if slots.get("operation_blocked") is False:
        return "normal"
    return "sin clasificar"


def build_packet(
    conversation_id: str,
    reason: str,
    events: Iterable[Mapping[str, Any]],
    slots: Mapping[str, Any],
    now: datetime,
    channel: str | None = None,
    hours: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON packet sent to the agent desk (``hours``: ``hours_context`` at ``now``)."""
    if reason not in REASONS:
        raise ValueError(f"unknown hand-off reason {reason!r}; allowed: {', '.join(REASONS)}")
    service = slots.get("affected_service")
    description = slots.get("handoff_description") or slots.get("problem_description")
    collected = {
        label: _show(slots.get(name))
        for name, label in COLLECTED_SLOTS.items()
        if slots.get(name) not in (None, "")
    }
    return {
        "version": PACKET_VERSION,
        "conversation_id": conversation_id,
        "channel": channel,
        "reason": reason,
        "reason_text": REASONS[reason],
        "priority": priority_of(slots, reason),
        "service": SERVICE_LABELS.get(service or "", "No indicado"),
        "description": description or "",
        "slots": collected,
        "transcript": transcript(events),
        "created_at": now.isoformat(),
        **({"hours": dict(hours)} if hours else {}),
    }


# ------------------------------------------------------------------ people

AGENT_CHANNEL = "chat"  # the agents answer in the website chat, in the chat's published hours


def hours_context(schedule: Schedule, now: datetime) -> dict[str, Any]:
    """For the agent's screen: in or out of the agents' hours, and when the channels reopen.

    {"in_hours": True, "text": "En horario de asesores: el chat atiende hasta las 7:00 p. m."}
    {"in_hours": False, "text": "Fuera del horario de asesores; el chat abre el lunes a las 7:00 a. m.",
     "reopens": "el lunes a las 7:00 a. m."}
    """
    now = schedule.local(now)
    if schedule.is_open(AGENT_CHANNEL, now):
        closes = es.until(schedule.closing_time(AGENT_CHANNEL, now))
        return {"in_hours": True, "text": es.sentence(f"En horario de asesores: el chat atiende {closes}")}
    opens = schedule.next_opening(AGENT_CHANNEL, now)
    reopens = es.format_when(opens, now) if opens else None
    text = es.sentence("Fuera del horario de asesores" + (f"; el chat abre {reopens}" if reopens else ""))
    return {"in_hours": False, "text": text, "reopens": reopens}


def _hour(minute: int) -> str:
    hour, rest = divmod(minute, 60)
    return f"{hour}" if rest == 0 else f"{hour}:{rest:02d}"


def agent_hours_short(schedule: Schedule) -> str:
    """The agents' weekly hours in a header's space: "lun–vie 7–19, sáb 8–13" (24-hour clock,
    consecutive days with the same hours joined; festivos are closed, as every answer says)."""
    parts = []
    for days, ranges in es.weekly_groups(schedule.channel(AGENT_CHANNEL)):
        first, last = es.weekday_short(days[0]), es.weekday_short(days[-1])
        label = first if len(days) == 1 else f"{first}–{last}"
        spans = [f"{_hour(r.start)}–{'24' if r.end == MINUTES_PER_DAY else _hour(r.end)}" for r in ranges]
        parts.append(f"{label} {reduce(lambda a, b: es.join([a, b]), spans)}")
    return ", ".join(parts)


def expected_wait_text(seconds: float) -> str:
    """The desk's estimate as the customer reads it: "menos de un minuto", "unos 3 minutos"."""
    if seconds < 60:
        return es.say("wait.under_a_minute")
    minutes = math.ceil(seconds / 60)
    return es.say("wait.one_minute") if minutes == 1 else es.say("wait.minutes", minutes=minutes)


def alternatives_now(schedule: Schedule, now: datetime) -> str:
    """The channels open now other than the chat (nobody is on it): the line, the e-mail."""
    now = schedule.local(now)
    channels = [c for c in schedule.open_channels("support", now) if c.id != AGENT_CHANNEL and not c.always_open]
    return open_lines(schedule, channels, now)


def no_agent_answer(schedule: Schedule, now: datetime) -> Answer:
    """In the agents' hours with nobody on duty at the desk: not queued; the line and the e-mail."""
    return Answer("handoff_no_agent", {"open_channels": alternatives_now(schedule, now)})


def in_chat_answer(schedule: Schedule, now: datetime, agents_on_duty: bool | None) -> Answer:
    """ "¿El chat está abierto?" asked inside the website chat: the customer is in it now.

    Not the chat's address (they are there): the assistant answers at any hour; the agents
    answer in this same chat in the chat's hours; in those hours, whether one is on duty
    (``agents_on_duty``; None when the desk does not say) and that a hand-off is one request
    away; out of them, when they are back and the e-mail meanwhile.
    """
    now = schedule.local(now)
    chat = schedule.channel(AGENT_CHANNEL)
    values = {"chat_hours": es.format_weekly_hours(chat)}
    if not schedule.is_open(AGENT_CHANNEL, now):
        opens = schedule.next_opening(AGENT_CHANNEL, now)
        values.update(next_opening=es.format_when(opens, now) if opens else es.unpublished(),
                      email=email_contact(schedule))
        return Answer("chat_here_closed", values)
    if agents_on_duty is False:
        values["open_channels"] = alternatives_now(schedule, now)
        return Answer("chat_here_no_agent", values)
    return Answer("chat_here_open", values)


def _show(value: Any) -> str:
    if value is True:
        return "Sí"
    if value is False:
        return "No"
    if isinstance(value, str) and value in SERVICE_LABELS:
        return SERVICE_LABELS[value]
    return str(value)
