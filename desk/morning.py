"""The morning list: what arrived while nobody could attend and needs a call-back.

Read from the assistant's tracker store (the conversations), not from the bot: each
answer the assistant gives is an ``answer_kind`` slot event, and a few kinds mean that a
customer needed a person and none was there —

    critical_only_priority_line   a critical incident while every regular channel was closed
    human_unavailable             asked for a person outside the agents' hours
    not_understood_twice_closed   the assistant could not understand them, agents' hours over
    handoff_timeout_closed        waited for an agent until the hours ended
    handoff_no_agent              asked for a person in hours, with nobody on duty

One item per conversation and shift: the events of a conversation that fall before the same
opening of the chat (the 7:00 shift of the next working day, festivos included, from
schedule/channels.yml) make one item, named ``<conversation id>@<that day>``; a critical
incident makes the whole item critical. The list is ordered for the shift: items not yet done
first, critical incidents before requests for a person, the oldest first (they have waited
longest); then the ones done, latest first, with who called back and when (``callbacks`` in the
desk's database).

What the customer said is their own messages of that conversation, unmasked (the agent calls
them back); how to reach them is every phone number and e-mail address in those messages that
is not one of the company's published contacts. Without one, the item says so: the customer
wrote in the website chat and left no contact.

The tracker store is opened read-only (insights/source.py), in a worker thread.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any

from helpdesk.handoff import button_titles, payload_text
from helpdesk.loader import load_schedule, schedule_path_from_env
from helpdesk.schedule import Schedule
from helpdesk.triage import SERVICE_LABELS
from insights.source import TrackerSource

WINDOW_DAYS = 7
MAX_MESSAGES = 8
# answer kind -> (what the list calls it, critical?)
MORNING_KINDS: dict[str, tuple[str, bool]] = {
    "critical_only_priority_line": ("Incidente crítico (prioridad 1) con los canales cerrados", True),
    "human_unavailable": ("Pidió hablar con un asesor fuera de horario", False),
    "not_understood_twice_closed": ("El asistente no le entendió y no había asesores", False),
    "handoff_timeout_closed": ("Esperó a un asesor hasta el cierre", False),
    "handoff_no_agent": ("Pidió un asesor y nadie estaba disponible", False),
}
SLOTS_SHOWN = {
    "affected_service": "Servicio",
    "problem_description": "Problema",
    "handoff_description": "Lo que necesita",
    "case_number": "Número de caso",
}
# Phones as customers write them: a Colombian mobile (3xx) or landline (60x), with or without +57.
PHONE = re.compile(
    r"(?<![\d+])(?:\+?\s?57[\s.-]?)?(?:\(\s*)?(3\d{2}|60[1-8])(?:\s*\))?[\s.-]?(\d{3})[\s.-]?(\d{2})[\s.-]?(\d{2})(?!\d)"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)


@dataclass
class MorningItem:
    key: str
    conversation_id: str
    shift: date  # the day of the opening this item is for
    first_at: float  # the first moment of the conversation that needed a person
    critical: bool
    reasons: list[str] = field(default_factory=list)
    said: list[tuple[float, str]] = field(default_factory=list)  # the customer's messages
    facts: dict[str, str] = field(default_factory=dict)  # slots the assistant collected
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)

    @property
    def reachable(self) -> bool:
        return bool(self.phones or self.emails)


@lru_cache(maxsize=1)
def schedule() -> Schedule:
    return load_schedule(schedule_path_from_env())


def shift_day(sched: Schedule, moment: float) -> date:
    """The day of the shift that answers a request made at ``moment``: today while the chat's
    agents are at work, else the day of the chat's next opening."""
    when = sched.local(datetime.fromtimestamp(moment, timezone.utc))
    if sched.is_open("chat", when):
        return when.date()
    opening = sched.next_opening("chat", when)
    return opening.date() if opening else when.date()


def published_digits(sched: Schedule) -> set[str]:
    """The company's own numbers, as digits (a customer who quotes them has not left a contact)."""
    found = set()
    for channel in sched.channels.values():
        for contact in channel.contacts:
            if contact.kind == "phone":
                digits = re.sub(r"\D", "", contact.value)
                found |= {digits, digits[-10:]}
    for level in sched.escalation_levels.values():
        for contact in level.contacts:
            if contact.kind == "phone":
                digits = re.sub(r"\D", "", contact.value)
                found |= {digits, digits[-10:]}
    return found


def published_emails(sched: Schedule) -> set[str]:
    emails = set()
    for holder in [*sched.channels.values(), *sched.escalation_levels.values()]:
        emails |= {c.value.lower() for c in holder.contacts if c.kind == "email"}
    return emails


def contacts_in(texts: Iterable[str], sched: Schedule) -> tuple[list[str], list[str]]:
    """(phones, e-mails) the customer wrote, in order, without the company's published ones."""
    own_digits, own_emails = published_digits(sched), published_emails(sched)
    phones: list[str] = []
    emails: list[str] = []
    for text in texts:
        for match in PHONE.finditer(text):
            digits = "".join(match.groups())
            shown = f"{digits[:3]} {digits[3:6]} {digits[6:]}" if digits.startswith("3") else \
                f"({digits[:3]}) {digits[3:]}"
            if digits not in own_digits and shown not in phones:
                phones.append(shown)
        for match in EMAIL.finditer(text):
            address = match.group(0).rstrip(".")
            if address.lower() not in own_emails and address not in emails:
                emails.append(address)
    return phones, emails


def _param(source: TrackerSource) -> str:
    return "?" if source.dialect == "sqlite" else "%s"


def _rows(source: TrackerSource, sql: str, args: tuple) -> list[tuple]:
    with source.connect() as connection:
        cursor = connection.cursor()
        cursor.execute(sql.replace("?", _param(source)), args)
        rows = cursor.fetchall()
        cursor.close()
        return rows


def _data(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def collect(source: TrackerSource, now: float | None = None, sched: Schedule | None = None,
            days: int = WINDOW_DAYS) -> list[MorningItem]:
    """The items of the last ``days`` days, in no particular order (``order`` sorts them)."""
    now = time.time() if now is None else now
    sched = sched or schedule()
    since = now - days * 86400
    answers = _rows(source, "SELECT sender_id, timestamp, data FROM events WHERE type_name = 'slot' "
                            "AND timestamp >= ? AND data LIKE ? ORDER BY timestamp, id", (since, '%answer_kind%'))
    items: dict[str, MorningItem] = {}
    for sender, stamp, raw in answers:
        data = _data(raw)
        kind = data.get("value")
        if data.get("name") != "answer_kind" or kind not in MORNING_KINDS:
            continue
        label, critical = MORNING_KINDS[kind]
        shift = shift_day(sched, float(stamp))
        key = f"{sender}@{shift.isoformat()}"
        item = items.get(key) or items.setdefault(key, MorningItem(key, sender, shift, float(stamp), critical))
        item.critical |= critical
        if label not in item.reasons:
            item.reasons.append(label)
    if not items:
        return []
    senders = sorted({item.conversation_id for item in items.values()})
    by_sender: dict[str, list[MorningItem]] = {}
    for item in items.values():
        by_sender.setdefault(item.conversation_id, []).append(item)
    for start in range(0, len(senders), 200):
        chunk = senders[start:start + 200]
        marks = ", ".join("?" * len(chunk))
        events = _rows(source, f"SELECT sender_id, type_name, timestamp, data FROM events WHERE sender_id IN ({marks}) "
                               "AND timestamp >= ? AND type_name IN ('user', 'bot', 'slot') ORDER BY sender_id, id",
                       (*chunk, since))
        titles: dict[str, dict[str, str]] = {}
        for sender, type_name, stamp, raw in events:
            event = _data(raw)
            item = _item_at(by_sender.get(sender, []), sched, float(stamp))
            if type_name == "bot":
                titles[sender] = button_titles(event)
            elif type_name == "user" and item is not None:
                text = event.get("text") or ""
                if not text or text.startswith("EXTERNAL:"):
                    continue
                if text.startswith("/"):
                    text = payload_text(text, event, titles.get(sender, {}))
                    if text == "(abrió el chat)":
                        continue
                item.said.append((float(stamp), text))
            elif type_name == "slot" and item is not None and event.get("name") in SLOTS_SHOWN:
                value = event.get("value")
                if value not in (None, ""):
                    item.facts[SLOTS_SHOWN[event["name"]]] = SERVICE_LABELS.get(str(value), str(value))
    for item in items.values():
        item.phones, item.emails = contacts_in([text for _, text in item.said], sched)
        item.said = item.said[-MAX_MESSAGES:]
    return list(items.values())


def _item_at(candidates: list[MorningItem], sched: Schedule, stamp: float) -> MorningItem | None:
    """The item of the same shift as an event at ``stamp`` (the customer's words of that night)."""
    if not candidates:
        return None
    shift = shift_day(sched, stamp)
    for item in candidates:
        if item.shift == shift:
            return item
    return None


def order(items: list[MorningItem], done: dict[str, Any]) -> list[MorningItem]:
    """For the shift: not done first (critical, then the oldest), then the done ones, latest first."""
    pending = sorted((i for i in items if i.key not in done), key=lambda i: (not i.critical, i.first_at))
    finished = sorted((i for i in items if i.key in done), key=lambda i: -done[i.key].done_at)
    return pending + finished


def next_shift_label(sched: Schedule, now: float) -> str:
    """ "lunes 7 de diciembre a las 7:00 a. m." — the next time the chat's agents start."""
    from helpdesk.spanish import at_time, format_date

    when = sched.local(datetime.fromtimestamp(now, timezone.utc))
    if sched.is_open("chat", when):
        return ""
    opening = sched.next_opening("chat", when)
    if opening is None:
        return ""
    return f"{format_date(opening.date())} {at_time(opening.time())}"
