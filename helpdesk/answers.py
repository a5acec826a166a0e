"""What to answer: pure functions of (schedule, request, moment).

Each function returns an :class:`Answer`: a ``kind`` that selects the wording
in ``domain.yml`` (a conditional variation of the response the rule speaks)
and the ``values`` that fill its variables. The actions only read the
message, call one of these and turn the answer into slot events.

Rule of the product: the priority-1 line is named only in answers about a
critical incident or when the customer asks for that number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from helpdesk import spanish as es
from helpdesk.schedule import Channel, Schedule

# Channels offered for ordinary support, in the order customers see them.
SUPPORT_CHANNELS = ("support_line", "chat", "email")
REQUEST_TYPE_LABELS = {
    "peticion": "petición",
    "queja": "queja",
    "reclamo": "reclamo",
    "sugerencia": "sugerencia",
    "apelacion": "apelación",
}
WEEKDAY_IDS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass
class Answer:
    """A decided answer: which wording (kind) and the variables it needs."""

    kind: str
    values: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------- helpers


def _support_channels(schedule: Schedule) -> list[Channel]:
    return [schedule.channel(cid) for cid in SUPPORT_CHANNELS]


def _open_lines(schedule: Schedule, channels: Sequence[Channel], now: datetime) -> str:
    return es.list_lines(es.describe_open_channel(schedule, c, now) for c in channels)


def _next_support_opening(schedule: Schedule, now: datetime) -> str:
    """ "La línea telefónica de soporte, … abren el lunes a las 7:00 a. m." """
    opening = schedule.next_opening_for("support", now)
    if opening is None:
        return "No hay una próxima apertura publicada."
    return es.sentence(es.capitalize(es.describe_opening(opening.channels, opening.moment, now)))


def closed_reason(schedule: Schedule, now: datetime) -> str:
    """Why regular channels are closed now, as a short clause ("hoy es festivo (…)")."""
    local = schedule.local(now)
    reason = schedule.closure_reason(local.date())
    if reason:
        return f"hoy es {reason}"
    if local.weekday() == 6:
        return "los domingos no hay atención"
    return "estamos fuera del horario de atención"


def email_contact(schedule: Schedule) -> str:
    return schedule.channel("email").contacts[0].value


# ------------------------------------------------------------- answers


def contact_answer(schedule: Schedule, channel_ids: Sequence[str], now: datetime) -> Answer:
    """Contact data, hours and current status of the channels asked about.

    Without a channel, the ordinary support channels (never the 24/7 line).
    """
    now = schedule.local(now)
    lines = []
    ids = list(channel_ids) or list(SUPPORT_CHANNELS)
    for cid in ids:
        if cid in schedule.channels:
            lines.append(es.describe_channel(schedule, schedule.channel(cid), now))
        elif cid in schedule.escalation_levels:
            lines.append(es.describe_level(schedule, schedule.escalation_level(cid), now))
    kind = "contact_priority_line" if ids == ["priority_line"] else "contact"
    return Answer(kind, {"channel_details": "\n".join(lines)})


def hours_answer(schedule: Schedule, channel_ids: Sequence[str], day: str | None, now: datetime) -> Answer:
    """Opening hours, for a day ("¿atienden los sábados?", "¿y mañana?") or the week."""
    now = schedule.local(now)
    ids = [cid for cid in channel_ids if cid in schedule.channels] or list(SUPPORT_CHANNELS) + ["pqrsa"]
    channels = [schedule.channel(cid) for cid in ids]
    if day == "holiday":
        regular = [c for c in channels if c.closed_on_holidays]
        lines = [es.capitalize(c.name) for c in regular]
        upcoming = _next_holiday(schedule, now.date())
        values = {
            "day_schedule": es.list_lines(lines),
            "next_holiday": f"El próximo festivo es el {es.format_date(upcoming[0])} ({upcoming[1]})." if upcoming else "",
        }
        return Answer("hours_holiday", values)
    if day in ("today", "tomorrow") or day in WEEKDAY_IDS:
        target = _resolve_day(day, now.date())
        label = _day_label(day, target, now.date())
        reason = schedule.closure_reason(target) if day in ("today", "tomorrow") else None
        lines = []
        for c in channels:
            ranges = schedule.hours_on(c.id, target) if day in ("today", "tomorrow") else c.weekly_hours.get(target.weekday(), ())
            if c.always_open:
                lines.append(f"{es.capitalize(c.name)}: las 24 horas.")
            elif ranges:
                lines.append(es.sentence(f"{es.capitalize(c.name)}: {es.format_ranges(ranges)}"))
            else:
                lines.append(f"{es.capitalize(c.name)}: no atiende.")
        values = {"day_label": label, "day_schedule": es.list_lines(lines), "closed_reason": ""}
        if reason:
            values["closed_reason"] = es.sentence(f"{es.capitalize(label)} es {reason}: los canales regulares no atienden")
        status = _status_sentence(schedule, channels, now)
        values["status"] = status
        return Answer("hours_day", values)
    lines = [
        es.sentence(f"{es.capitalize(c.name)}: {es.format_weekly_hours(c)}") for c in channels
    ]
    return Answer("hours_week", {"day_schedule": es.list_lines(lines), "status": _status_sentence(schedule, channels, now)})


def open_now_answer(schedule: Schedule, now: datetime, request_type: str = "support") -> Answer:
    """Can someone attend me now? The open channels that fit, or when the next opens."""
    now = schedule.local(now)
    open_channels = [c for c in schedule.open_channels(request_type, now) if not c.always_open]
    if open_channels:
        return Answer("open_now", {"open_channels": _open_lines(schedule, open_channels, now)})
    return Answer(
        "closed_now",
        {
            "closed_reason": closed_reason(schedule, now),
            "next_opening": _next_support_opening(schedule, now),
            "email": email_contact(schedule),
        },
    )


def support_answer(schedule: Schedule, now: datetime) -> Answer:
    """A non-critical request (renewal, installation, how-to): where to go now."""
    answer = open_now_answer(schedule, now)
    answer.kind = "support_open" if answer.kind == "open_now" else "support_closed"
    return answer


def priority_contact(schedule: Schedule) -> str:
    """The 24/7 line's contacts as the responses show them."""
    return es.format_contacts(schedule.channel("priority_line").contacts)


def critical_answer(schedule: Schedule, now: datetime, reason: str = "") -> Answer:
    """A priority-1 incident: the 24/7 line at any hour, plus what else is open."""
    now = schedule.local(now)
    values = {
        "priority_contact": priority_contact(schedule),
        "priority_reason": reason,
    }
    open_channels = [c for c in schedule.open_channels("critical", now) if not c.always_open]
    if open_channels:
        values["open_channels"] = _open_lines(schedule, open_channels, now)
        return Answer("critical_with_open", values)
    values["next_opening"] = _next_support_opening(schedule, now)
    return Answer("critical_only_priority_line", values)


def unclear_critical_answer(schedule: Schedule) -> Answer:
    """A message not understood that names a service and a stopped operation.

    "Q PASA SI SE ME CAE EL ESTAMPADO EN PRODUCCION" may not parse, but the one
    answer that must not be missed is the 24/7 line: it goes with the request to
    rephrase.
    """
    return Answer("not_understood_critical", {"priority_contact": priority_contact(schedule)})


def pqrsa_answer(schedule: Schedule, request_type: str | None, now: datetime) -> Answer:
    """Where to file a petición, queja, reclamo, sugerencia or apelación."""
    now = schedule.local(now)
    channel = schedule.channel("pqrsa")
    label = REQUEST_TYPE_LABELS.get(request_type or "", "")
    values = {
        "request_type_label": f"su {label}" if label else "su petición, queja, reclamo, sugerencia o apelación",
        "pqrsa_details": es.describe_channel(schedule, channel, now),
    }
    return Answer("pqrsa", values)


def escalation_levels_answer(schedule: Schedule, now: datetime) -> Answer:
    """The three escalation levels, in order."""
    now = schedule.local(now)
    lines = [es.describe_level(schedule, lvl, now) for lvl in schedule.escalation_levels.values()]
    return Answer("escalation_levels", {"levels": es.list_lines(lines)})


def escalation_answer(
    schedule: Schedule, now: datetime, level_id: str, case_number: str | None = None
) -> Answer:
    """Contacts of the escalation level that fits (supervisor or coordinator)."""
    now = schedule.local(now)
    level = schedule.escalation_level(level_id)
    case = f" Mencione su número de caso {case_number}." if case_number else " Si tiene número de caso, menciónelo."
    values = {"level_details": es.describe_level(schedule, level, now), "case_note": case.strip()}
    if level_id == "support_group":
        values["level_details"] = es.list_lines(
            es.describe_channel(schedule, schedule.channel(cid), now) for cid in level.channel_ids
        )
        return Answer("escalation_first_level", values)
    return Answer(f"escalation_{level_id}", values)


def human_unavailable_answer(schedule: Schedule, now: datetime) -> Answer:
    """Asked for a person when the chat agents are not working."""
    now = schedule.local(now)
    chat = schedule.channel("chat")
    opens = schedule.next_opening("chat", now)
    return Answer(
        "human_unavailable",
        {
            "chat_hours": es.format_weekly_hours(chat),
            "next_opening": es.format_when(opens, now) if opens else "cuando se publique un nuevo horario",
            "email": email_contact(schedule),
        },
    )


# -------------------------------------------------------------- helpers


def _status_sentence(schedule: Schedule, channels: Sequence[Channel], now: datetime) -> str:
    regular = [c for c in channels if not c.always_open]
    open_now = [c for c in regular if schedule.is_open(c.id, now)]
    if open_now:
        names = es.join([c.name for c in open_now])
        verb = "atiende" if len(open_now) == 1 else "atienden"
        return es.sentence(f"Ahora mismo {verb}: {names}")
    opening = schedule.next_opening_for("support", now)
    if opening is None:
        return ""
    return es.sentence(f"Ahora mismo no hay atención; {es.describe_opening(opening.channels, opening.moment, now)}")


def _resolve_day(day: str, today: date) -> date:
    if day == "today":
        return today
    if day == "tomorrow":
        return today + timedelta(days=1)
    target = WEEKDAY_IDS.index(day)
    return today + timedelta(days=(target - today.weekday()) % 7)


def _day_label(day: str, target: date, today: date) -> str:
    if day == "today":
        return f"hoy {es.format_date(target)}"
    if day == "tomorrow":
        return f"mañana {es.format_date(target)}"
    return f"los {es.WEEKDAY_PLURALS[target.weekday()]}"


def _next_holiday(schedule: Schedule, today: date):
    for offset in range(0, 370):
        d = today + timedelta(days=offset)
        name = schedule.holiday_name(d)
        if name:
            return d, name
    return None
