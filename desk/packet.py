"""Validation of the hand-off packet (version 1, docs/agent-desk-api.md).

The desk stores what it shows, so everything is checked for type and size; a
body that is not a packet is answered 400 with the first problem found (in
English: the caller is a program).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

PRIORITIES = ("1", "normal", "sin clasificar")
SPEAKERS = ("cliente", "asistente")
LIMITS = {
    "conversation_id": 256, "channel": 64, "reason": 64, "reason_text": 500, "service": 200,
    "description": 5000, "created_at": 64, "slot_name": 200, "slot_value": 2000, "text": 5000,
    "hours_text": 500, "reopens": 200,
}
MAX_SLOTS = 50
MAX_TRANSCRIPT = 200


class PacketError(ValueError):
    """The body is not a version-1 packet."""


def _text(data: dict[str, Any], name: str, required: bool = True, allow_empty: bool = True) -> Any:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise PacketError(f"{name} must be a string")
    if not allow_empty and not value.strip():
        raise PacketError(f"{name} must not be empty")
    if len(value) > LIMITS[name]:
        raise PacketError(f"{name} is longer than {LIMITS[name]} characters")
    return value


def validate_packet(data: Any) -> dict[str, Any]:
    """The packet, normalised; raises PacketError when ``data`` is not one."""
    if not isinstance(data, dict):
        raise PacketError("the body must be a JSON object")
    if data.get("version") != 1 or isinstance(data.get("version"), bool):
        raise PacketError("version must be 1")
    packet: dict[str, Any] = {"version": 1}
    packet["conversation_id"] = _text(data, "conversation_id", allow_empty=False)
    if any(ord(c) < 32 for c in packet["conversation_id"]):
        raise PacketError("conversation_id must not contain control characters")
    packet["channel"] = _text(data, "channel", required=False)
    packet["reason"] = _text(data, "reason", allow_empty=False)
    packet["reason_text"] = _text(data, "reason_text")
    priority = data.get("priority")
    if priority not in PRIORITIES:
        raise PacketError(f"priority must be one of {', '.join(PRIORITIES)}")
    packet["priority"] = priority
    packet["service"] = _text(data, "service")
    packet["description"] = _text(data, "description")
    packet["created_at"] = _text(data, "created_at", allow_empty=False)
    try:
        datetime.fromisoformat(packet["created_at"])
    except ValueError as exc:
        raise PacketError("created_at must be an ISO-8601 date and time") from exc

    packet["hours"] = _hours(data.get("hours"))

    slots = data.get("slots", {})
    if not isinstance(slots, dict) or len(slots) > MAX_SLOTS:
        raise PacketError(f"slots must be an object with at most {MAX_SLOTS} entries")
    packet["slots"] = {}
    for name, value in slots.items():
        if not isinstance(value, (str, int, float, bool)) or len(name) > LIMITS["slot_name"]:
            raise PacketError("slots must map names to strings")
        value = str(value)
        if len(value) > LIMITS["slot_value"]:
            raise PacketError(f"slot {name!r} is too long")
        packet["slots"][name] = value

    transcript = data.get("transcript", [])
    if not isinstance(transcript, list) or len(transcript) > MAX_TRANSCRIPT:
        raise PacketError(f"transcript must be a list of at most {MAX_TRANSCRIPT} messages")
    lines: list[dict[str, Any]] = []
    for line in transcript:
        if not isinstance(line, dict) or line.get("from") not in SPEAKERS:
            raise PacketError(f"each transcript line needs from ({' or '.join(SPEAKERS)}) and text")
        text = _text(line, "text")
        stamp = line.get("timestamp")
        if stamp is not None and (isinstance(stamp, bool) or not isinstance(stamp, (int, float))):
            raise PacketError("transcript timestamps must be numbers (Unix time)")
        lines.append({"from": line["from"], "text": text, "timestamp": stamp})
    packet["transcript"] = lines
    return packet


def _hours(hours: Any) -> dict[str, Any] | None:
    """The optional hours context: {"in_hours": bool, "text": "…", "reopens": "…" or absent}."""
    if hours is None:
        return None
    if not isinstance(hours, dict) or not isinstance(hours.get("in_hours"), bool):
        raise PacketError("hours must be an object with in_hours (true or false) and text")
    text, reopens = hours.get("text"), hours.get("reopens")
    if not isinstance(text, str) or len(text) > LIMITS["hours_text"]:
        raise PacketError(f"hours.text must be a string of at most {LIMITS['hours_text']} characters")
    if reopens is not None and (not isinstance(reopens, str) or len(reopens) > LIMITS["reopens"]):
        raise PacketError(f"hours.reopens must be a string of at most {LIMITS['reopens']} characters")
    return {"in_hours": hours["in_hours"], "text": text, "reopens": reopens}
