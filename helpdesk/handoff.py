"""The hand-off packet: what a human agent needs to take over a conversation.

Built from the Rasa tracker's events and slots (as plain dicts, so this module
never imports rasa or rasa_sdk). Documented in docs/agent-desk-api.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

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
) -> dict[str, Any]:
    """The JSON packet sent to the agent desk."""
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
    }


def _show(value: Any) -> str:
    if value is True:
        return "Sí"
    if value is False:
        return "No"
    if isinstance(value, str) and value in SERVICE_LABELS:
        return SERVICE_LABELS[value]
    return str(value)
