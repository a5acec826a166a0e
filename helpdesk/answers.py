"""What to answer: pure functions of (schedule, request, moment).

Each function returns an :class:`Answer`: a ``kind`` that selects the wording
in ``domain.yml`` (a conditional variation of ``utter_answer``) and the
``values`` that fill its variables. The actions only read the message, call one
of these and turn the answer into slot events.

Rules of the product:

- the priority-1 line is named only in answers about a critical incident, or
  when the customer asks for that line (then with what it is for);
- answer what was asked: the asked channel, on the asked day; a closed channel
  always comes with when it opens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from helpdesk import spanish as es
from helpdesk.dates import DateMention
from helpdesk.schedule import Channel, Schedule, TimeRange

# Channels offered for ordinary support, in the order customers see them.
SUPPORT_CHANNELS = ("support_line", "chat", "email")
# Channels an agent answers live (the hand-off and "¿hay alguien?" answers).
AGENT_CHANNELS = ("support_line", "chat")
SERVICE_LABELS = {
    "firma_digital": "Firma digital",
    "estampado_cronologico": "Estampado cronológico",
    "otro": "Otro servicio",
}
REQUEST_TYPE_LABELS = {
    "peticion": "petición",
    "queja": "queja",
    "reclamo": "reclamo",
    "sugerencia": "sugerencia",
    "apelacion": "apelación",
}
# Parts of the day, in minutes since midnight (half-open).
PARTS_OF_DAY = {"morning": (0, 12 * 60), "afternoon": (12 * 60, 18 * 60), "evening": (18 * 60, 24 * 60)}
PART_LABELS = {"morning": "en la mañana", "afternoon": "en la tarde", "evening": "en la noche"}


@dataclass
class Answer:
    """A decided answer: which wording (kind) and the variables it needs."""

    kind: str
    values: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------- helpers


def _tail(separator: str, text: str) -> str:
    """``text`` after a separator, or nothing: an answer never ends in a blank (the
    templates write "{day_schedule}{status}")."""
    return f"{separator}{text}" if text else ""


def _earliest_opening(schedule: Schedule, channels: Sequence[Channel], start: datetime) -> tuple[datetime, list[Channel]] | None:
    """The first moment after ``start`` at which one of ``channels`` opens, and those that open then."""
    opens = [(c, schedule.next_opening(c.id, start)) for c in channels]
    opens = [(c, m) for c, m in opens if m is not None]
    if not opens:
        return None
    first = min(m for _, m in opens)
    return first, [c for c, m in opens if m == first]


def _channels(schedule: Schedule, ids: Sequence[str]) -> list[Channel]:
    return [schedule.channel(cid) for cid in ids if cid in schedule.channels]


def open_lines(schedule: Schedule, channels: Sequence[Channel], now: datetime) -> str:
    """Open channels as bullet lines: name, contact, until when."""
    return es.list_lines(es.describe_open_channel(schedule, c, now) for c in channels)


def next_support_opening(schedule: Schedule, now: datetime, request_type: str = "support") -> str:
    """ "La línea de soporte y el chat con asesores abren el lunes a las 7:00 a. m." """
    opening = schedule.next_opening_for(request_type, now)
    if opening is None:
        return "No hay una próxima apertura publicada."
    channels = [c for c in opening.channels if not c.always_open]
    verb = "abre" if len(channels) == 1 else "abren"
    return es.sentence(es.capitalize(f"{es.names(channels)} {verb} {es.format_when(opening.moment, now)}"))


def closed_reason(schedule: Schedule, now: datetime) -> str:
    """Why regular channels are closed now, as a sentence ("Hoy es domingo y no hay atención.")."""
    local = schedule.local(now)
    reason = schedule.closure_reason(local.date())
    if reason:
        return f"Hoy es {reason} y no hay atención."
    if local.weekday() == 6:
        return "Hoy es domingo y no hay atención."
    if local.weekday() == 5 and local.hour >= 12:
        return "Los sábados se atiende hasta la 1:00 p. m.; ahora no hay atención."
    return "En este momento estamos fuera del horario de atención."


# Said instead of the closed-hours reason when it was already explained in this period.
CLOSED_AGAIN = "Como le comenté, ahora no hay atención."


def email_contact(schedule: Schedule) -> str:
    return schedule.channel("email").contacts[0].value


def priority_contact(schedule: Schedule) -> str:
    """The 24/7 line's contacts as the responses show them."""
    return es.format_contacts(schedule.channel("priority_line").contacts)


def _grouped(items: Sequence[tuple[Channel, str]]) -> list[tuple[list[Channel], str]]:
    """Channels that share a description, in first-seen order."""
    groups: list[tuple[list[Channel], str]] = []
    for channel, text in items:
        for members, existing in groups:
            if existing == text:
                members.append(channel)
                break
        else:
            groups.append(([channel], text))
    return groups


def _status(schedule: Schedule, channels: Sequence[Channel], now: datetime, with_contacts: bool = True) -> str:
    """ "Ahora atienden: la línea de soporte, (601) …, hasta las 7:00 p. m.; …" or when they open.

    A channel said to be open comes with how to reach it (``with_contacts``), unless the
    answer already gave its contacts.
    """
    regular = [c for c in channels if not c.always_open]
    open_now = [c for c in regular if schedule.is_open(c.id, now)]
    if open_now:
        verb = "atiende" if len(open_now) == 1 else "atienden"
        if with_contacts:
            parts = [f"{c.short_name or c.name}, {es.format_contacts(c.contacts)}, {es.until(schedule.closing_time(c.id, now))}"
                     for c in open_now]
            return es.sentence(f"Ahora {verb}: {'; '.join(parts)}")
        parts = []
        for members, closes in _grouped([(c, es.until(schedule.closing_time(c.id, now))) for c in open_now]):
            parts.append(f"{es.names(members)}, {closes}")
        return es.sentence(f"Ahora {verb} {'; '.join(parts)}")
    earliest = _earliest_opening(schedule, regular, now)
    if earliest is None:
        return ""
    first, members = earliest
    verb = "abre" if len(members) == 1 else "abren"
    return es.sentence(f"Ahora no hay atención; {es.names(members)} {verb} {es.format_when(first, now)}")


# ------------------------------------------------------------- contacts


def contact_answer(
    schedule: Schedule, channel_ids: Sequence[str], now: datetime, kinds: Sequence[str] = ()
) -> Answer:
    """Contact data, hours and current status of the channels asked about.

    Without a channel, the ordinary support channels (never the 24/7 line).
    ``kinds`` ("phone", "email", "url") keeps only those contacts of a channel
    that has several ("¿y por teléfono?" after the PQRSA answer).
    """
    now = schedule.local(now)
    ids = [cid for cid in channel_ids if cid in schedule.channels or cid in schedule.escalation_levels]
    if not ids or (set(ids) == set(SUPPORT_CHANNELS) and not kinds):
        return support_contacts_answer(schedule, now)  # the three, grouped by their hours
    lines = []
    for cid in ids:
        if cid in schedule.escalation_levels:
            lines.append(es.describe_level(schedule, schedule.escalation_level(cid), now, kinds))
            continue
        channel = schedule.channel(cid)
        if kinds and len(channel.contacts) > 1 and any(c.kind in kinds for c in channel.contacts):
            channel = _only(channel, kinds)
        lines.append(es.describe_channel_short(schedule, channel, now))
    kind = "contact_priority_line" if ids == ["priority_line"] else "contact"
    return Answer(kind, {"channel_details": "\n".join(lines)})


def contact_sentence(schedule: Schedule, channel_id: str) -> str:
    """One short sentence with a channel's contact data, after an answer that already
    named the channel: "Contacto: correo …" (a long name is not said twice)."""
    channel = schedule.channel(channel_id)
    return es.sentence(f"Contacto: {es.format_contacts(channel.contacts)}")


def _only(channel: Channel, kinds: Sequence[str]) -> Channel:
    """The channel with only some of its contacts; messages wait for it only by e-mail."""
    contacts = tuple(c for c in channel.contacts if c.kind in kinds)
    return replace(channel, contacts=contacts,
                   accepts_messages_when_closed=channel.accepts_messages_when_closed and any(c.kind == "email" for c in contacts))


def support_contacts_answer(schedule: Schedule, now: datetime) -> Answer:
    """The support line, the chat and the e-mail, grouped by their hours."""
    channels = _channels(schedule, SUPPORT_CHANNELS)
    lines = []
    for members, hours in _grouped([(c, es.format_weekly_hours(c)) for c in channels]):
        for c in members:
            lines.append(es.sentence(f"{es.capitalize(c.short_name or c.name)}: {es.format_contacts(c.contacts)}"))
        who = "Ambos atienden" if len(members) == 2 else ("Atienden" if len(members) > 2 else "Se atiende")
        lines.append(es.sentence(f"{who} {hours}"))
    return Answer("contact", {"channel_details": "\n".join(lines) + "\n" + _status(schedule, channels, now, with_contacts=False)})


def priority_procedure_answer(schedule: Schedule) -> Answer:
    """ "¿Qué hago si se cae el servicio?": the 24/7 line, for when it happens."""
    return Answer("priority_procedure", {"priority_contact": priority_contact(schedule)})


# ---------------------------------------------------------------- hours


def hours_week_answer(schedule: Schedule, channel_ids: Sequence[str], now: datetime) -> Answer:
    """The weekly hours of the channels asked about (default: line, chat, e-mail)."""
    now = schedule.local(now)
    channels = _channels(schedule, channel_ids) or _channels(schedule, SUPPORT_CHANNELS)
    lines = []
    for members, hours in _grouped([(c, es.format_weekly_hours(c)) for c in channels]):
        lines.append(es.sentence(es.capitalize(f"{es.names(members)}: {hours}")))
    return Answer("hours_week", {"day_schedule": "\n".join(lines), "status": _tail("\n", _status(schedule, channels, now))})


def hours_weekday_answer(schedule: Schedule, channel_ids: Sequence[str], weekday: int, now: datetime) -> Answer:
    """ "¿Atienden los sábados?": the regular hours of that weekday."""
    channels = _channels(schedule, channel_ids) or _channels(schedule, SUPPORT_CHANNELS)
    plural = es.WEEKDAY_PLURALS[weekday]
    parts = []
    closed = []
    for members, ranges in _grouped([(c, es.format_ranges(c.weekly_hours.get(weekday, ()))) for c in channels]):
        if ranges:
            verb = "atiende" if len(members) == 1 else "atienden"
            parts.append(f"{es.names(members)} {verb} {ranges}")
        else:
            closed.extend(members)
    if parts:
        text = f"Los {plural} " + "; ".join(parts)
        if closed:
            text += f"; {es.names(closed)} no"
        text = es.sentence(text) + " Los festivos no hay atención."
    else:
        text = f"Los {plural} no hay atención."
        opening = _next_open_weekday_text(channels)
        if opening:
            text += " " + opening
    return Answer("hours_weekday", {"day_schedule": text, "status": _tail("\n", _status(schedule, channels, schedule.local(now)))})


def _next_open_weekday_text(channels: Sequence[Channel]) -> str:
    hours = {es.format_weekly_hours(c) for c in channels if not c.always_open}
    if len(hours) == 1:
        return es.sentence(f"Se atiende {hours.pop()}")
    return ""


def holidays_answer(schedule: Schedule, now: datetime) -> Answer:
    """ "¿Atienden los festivos?": no, except the 24/7 line; the next festivo."""
    now = schedule.local(now)
    upcoming = next_holiday(schedule, now.date())
    text = ""
    if upcoming:
        text = es.sentence(f"El próximo festivo es el {es.format_date(upcoming[0])} ({upcoming[1]})")
    return Answer("hours_holiday", {"next_holiday": text})


def next_holiday(schedule: Schedule, today: date) -> tuple[date, str] | None:
    for offset in range(0, 370):
        d = today + timedelta(days=offset)
        name = schedule.holiday_name(d)
        if name:
            return d, name
    return None


def _window(mention: DateMention) -> tuple[int, int] | None:
    if mention.at is not None:
        minute = mention.at.hour * 60 + mention.at.minute
        return minute, minute + 1
    if mention.part:
        return PARTS_OF_DAY[mention.part]
    return None


def hours_on_date_answer(
    schedule: Schedule, channel_ids: Sequence[str], mention: DateMention, now: datetime
) -> Answer:
    """The hours of the asked channels on the asked date, narrowed to a part of the day or a time.

    A date without service (festivo, Sunday, a company closed day) says why and when
    the channels open again.
    """
    now = schedule.local(now)
    day = mention.day or now.date()
    channels = [c for c in _channels(schedule, channel_ids) if not c.always_open] or _channels(schedule, SUPPORT_CHANNELS)
    label = es.day_label(day, now.date())
    when = label + (f" {PART_LABELS[mention.part]}" if mention.part else "")
    if mention.at is not None:
        when += f" {es.at_time(mention.at)}"
    reason = schedule.closure_reason(day)
    ranges = {c.id: schedule.hours_on(c.id, day) for c in channels}
    if not any(ranges.values()):
        text = closed_day_sentence(label, day, reason, channels, now.date())
        return Answer("hours_date_closed", {"day_schedule": text, "next_opening": _reopening(schedule, channels, day, now)})
    window = _window(mention)
    if window is not None:
        return _hours_in_window(schedule, channels, ranges, day, window, when, now)
    parts = []
    closed = []
    for members, text in _grouped([(c, es.format_ranges(ranges[c.id])) for c in channels]):
        if text:
            verb = "atiende" if len(members) == 1 else "atienden"
            parts.append(f"{es.names(members)} {verb} {text}")
        else:
            closed.extend(members)
    text = f"{es.capitalize(label)} " + "; ".join(parts)
    if closed:
        text += f"; {es.names(closed)} no atiende" + ("n" if len(closed) > 1 else "")
    status = _status(schedule, channels, now) if day == now.date() else ""
    return Answer("hours_date", {"day_schedule": es.sentence(text), "status": _tail(" ", status)})


def _hours_in_window(schedule, channels, ranges, day, window, when, now) -> Answer:
    start, end = window
    open_in = []
    for c in channels:
        for r in ranges[c.id]:
            if r.start < end and start < r.end:
                open_in.append((c, r))
                break
    if not open_in:
        groups = [(m, t) for m, t in _grouped([(c, es.format_ranges(ranges[c.id])) for c in channels]) if t]
        if len(groups) == 1:
            day_ranges = f"ese día se atiende {groups[0][1]}"
        else:
            day_ranges = "ese día " + "; ".join(
                f"{es.names(m)} {'atiende' if len(m) == 1 else 'atienden'} {t}" for m, t in groups
            )
        text = es.sentence(f"{es.capitalize(when)} no hay atención: {day_ranges}")
        return Answer("hours_date_closed", {"day_schedule": text, "next_opening": _reopening_after(schedule, channels, day, end, now)})
    parts = []
    for members, text in _grouped([(c, _range_phrase(r, start)) for c, r in open_in]):
        verb = "atiende" if len(members) == 1 else "atienden"
        parts.append(f"{es.names(members)} {verb} {text}")
    closed = [c for c in channels if c not in [m for m, _ in open_in]]
    text = f"{es.capitalize(when)} " + "; ".join(parts)
    if closed:
        text = es.sentence(text) + f" {es.capitalize(es.names(closed))} no: " + "; ".join(
            _closed_phrase(ranges[c.id]) for c in closed
        )
    return Answer("hours_date", {"day_schedule": es.sentence(text), "status": ""})


def _range_phrase(r: TimeRange, start: int) -> str:
    """ "de 8:00 a. m. a 1:00 p. m." when it opens later, else "hasta las 7:00 p. m."."""
    if r.start > start:
        return es.format_ranges([r])
    return "hasta la medianoche" if r.end >= 24 * 60 else f"hasta {es.at_time(r.end)[2:]}"


def _closed_phrase(ranges: Sequence[TimeRange]) -> str:
    return f"ese día atiende {es.format_ranges(ranges)}" if ranges else "ese día no atiende"


def closed_day_sentence(label: str, day: date, reason: str | None, channels: Sequence[Channel], today: date) -> str:
    """ "El martes 8 de diciembre es festivo (La Inmaculada Concepción) y no hay atención."."""
    relative = (day - today).days in (0, 1)
    if reason:
        return f"{es.capitalize(label)} es {reason} y no hay atención."
    if day.weekday() == 6:
        if relative:
            first = label.split()[0]
            return f"{es.capitalize(first)} es domingo {es.format_date(day).split(' ', 1)[1]} y no hay atención."
        return f"{es.capitalize(label)} no hay atención."
    return es.sentence(f"{es.capitalize(label)} no atiende {es.names(channels)}")


def _reopening(schedule: Schedule, channels: Sequence[Channel], day: date, now: datetime) -> str:
    start = max(now, datetime.combine(day, time(0), tzinfo=schedule.timezone))
    return _first_opening(schedule, channels, start, now, "Vuelven a atender")


def _reopening_after(schedule, channels, day, minute, now) -> str:
    start = max(now, datetime.combine(day, time(min(minute, 1439) // 60, min(minute, 1439) % 60), tzinfo=schedule.timezone))
    return _first_opening(schedule, channels, start, now, "Vuelven a atender")


def _first_opening(schedule, channels, start, now, lead) -> str:
    earliest = _earliest_opening(schedule, channels, start)
    if earliest is None:
        return ""
    first, members = earliest
    when = es.format_when(first, now)
    if (first.date() - now.date()).days >= 2:
        when = f"el {es.format_date(first.date())} {es.at_time(first.time())}"
    if len(members) == len(channels) or lead == "Vuelven a atender":
        return es.sentence(f"{lead} {when}")
    return es.sentence(f"{es.capitalize(es.names(members))} {'abre' if len(members) == 1 else 'abren'} {when}")


# ------------------------------------------------------------- now


def open_now_answer(schedule: Schedule, now: datetime, request_type: str = "support") -> Answer:
    """Can someone attend me now? The open channels with their contact, or when the next opens."""
    now = schedule.local(now)
    open_channels = [c for c in schedule.open_channels(request_type, now) if not c.always_open]
    if open_channels:
        return Answer("open_now", {"open_channels": open_lines(schedule, open_channels, now)})
    return Answer(
        "closed_now",
        {
            "closed_reason": closed_reason(schedule, now),
            "next_opening": next_support_opening(schedule, now, request_type),
            "email": email_contact(schedule),
        },
    )


def support_answer(schedule: Schedule, now: datetime) -> Answer:
    """A non-critical request (renewal, installation, how-to): where to go now."""
    answer = open_now_answer(schedule, now)
    answer.kind = "support_open" if answer.kind == "open_now" else "support_closed"
    return answer


def critical_answer(schedule: Schedule, now: datetime) -> Answer:
    """A priority-1 incident: the 24/7 line at any hour, first; plus the line and chat when open.

    Decision (README): the e-mail and chat rows of the page recommend the 24/7 mobile
    for critical cases even in their hours, so the mobile leads at any hour.
    """
    now = schedule.local(now)
    values = {"priority_contact": priority_contact(schedule)}
    open_channels = [c for c in schedule.open_channels("critical", now) if not c.always_open]
    if open_channels:
        values["open_channels"] = open_lines(schedule, open_channels, now)
        return Answer("critical_with_open", values)
    values["next_opening"] = next_support_opening(schedule, now)
    return Answer("critical_only_priority_line", values)


def not_critical_answer(schedule: Schedule, now: datetime) -> Answer:
    """The customer says it is not critical: the ordinary channels, open or when they open."""
    answer = open_now_answer(schedule, now)
    answer.kind = "not_critical_open" if answer.kind == "open_now" else "not_critical_closed"
    return answer


# -------------------------------------------------------------- PQRSA


def pqrsa_answer(schedule: Schedule, request_type: str | None, now: datetime, kinds: Sequence[str] = ()) -> Answer:
    """Where to file a petición, queja, reclamo, sugerencia or apelación."""
    now = schedule.local(now)
    channel = schedule.channel("pqrsa")
    if kinds and any(c.kind in kinds for c in channel.contacts):
        channel = _only(channel, kinds)
    label = REQUEST_TYPE_LABELS.get(request_type or "", "")
    values = {
        "request_type_label": f"su {label}" if label else "una petición, queja, reclamo, sugerencia o apelación",
        "pqrsa_details": es.describe_channel_short(schedule, channel, now, with_name=False),
    }
    return Answer("pqrsa", values)


# --------------------------------------------------------- escalation


def escalation_levels_answer(schedule: Schedule, now: datetime) -> Answer:
    """The three escalation levels, in order, each with its contacts."""
    now = schedule.local(now)
    lines = []
    for level in schedule.escalation_levels.values():
        contacts = list(level.contacts)
        for cid in level.channel_ids:
            contacts.extend(schedule.channel(cid).contacts)
        lines.append(es.sentence(f"Nivel {level.level}, {level.name}: {es.format_contacts(contacts)}"))
    return Answer("escalation_levels", {"levels": es.list_lines(lines)})


def escalation_answer(schedule: Schedule, now: datetime, level_id: str, case_number: str | None = None) -> Answer:
    """Contacts of the escalation level that fits (support group first, supervisor, coordinator)."""
    now = schedule.local(now)
    level = schedule.escalation_level(level_id)
    case = (
        f"Incluya su número de caso ({case_number}) en el correo."
        if case_number
        else "Si tiene número de caso, inclúyalo en el correo."
    )
    values = {"level_details": es.describe_level(schedule, level, now, with_name=False), "case_note": case}
    if level_id == "support_group":
        values["level_details"] = es.list_lines(
            es.describe_open_channel(schedule, schedule.channel(cid), now)
            if schedule.is_open(cid, now)
            else es.describe_channel_short(schedule, schedule.channel(cid), now)
            for cid in level.channel_ids
        )
        return Answer("escalation_first_level", values)
    return Answer(f"escalation_{level_id}", values)


# ------------------------------------------------------------- people


def human_available_answer(schedule: Schedule, now: datetime) -> Answer:
    """Agents are working: the chat and the line, with until when."""
    now = schedule.local(now)
    channels = [c for c in schedule.open_channels("support", now) if c.id in AGENT_CHANNELS]
    return Answer("human_available", {"open_channels": open_lines(schedule, channels, now)})


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


# ------------------------------------------------- nobody answers, unknowable


def with_email_meanwhile(schedule: Schedule, text: str) -> str:
    """ "… Mientras tanto puede escribir a soporte.firmadigital@… y se atenderá al abrir." """
    return f"{text} Mientras tanto puede escribir a {email_contact(schedule)} y se atenderá al abrir.".strip()


def no_answer_critical_answer(schedule: Schedule, now: datetime) -> Answer:
    """Nobody answers the 24/7 line: insist there, and meanwhile the supervisor (level 2)
    and the support e-mail, marked as a critical incident — never only a closed channel."""
    now = schedule.local(now)
    supervisor = schedule.escalation_level("supervisor")
    return Answer("no_answer_critical", {
        "priority_contact": priority_contact(schedule),
        "level_details": es.format_contacts(supervisor.contacts),
        "email": email_contact(schedule),
    })


def no_answer_answer(schedule: Schedule, now: datetime, tried: Sequence[str]) -> Answer:
    """A channel did not answer: the other channels open now, or when they open and the e-mail."""
    now = schedule.local(now)
    open_now = [c for c in schedule.open_channels("support", now) if not c.always_open]
    others = [c for c in open_now if c.id not in tried] or open_now
    if others:
        return Answer("no_answer_open", {"open_channels": open_lines(schedule, others, now)})
    return Answer("no_answer_closed", {"closed_reason": closed_reason(schedule, now),
                                       "next_opening": next_support_opening(schedule, now),
                                       "email": email_contact(schedule)})


def unknown_answer(schedule: Schedule, now: datetime, kind: str, case_number: str | None = None) -> Answer:
    """What the assistant cannot know (``price_unknown``, ``case_status_unknown``): said
    plainly, with the channels that can answer, open now or when they open."""
    now = schedule.local(now)
    case = f" (número {case_number})" if case_number else ""
    open_channels = [c for c in schedule.open_channels("support", now) if not c.always_open]
    if open_channels:
        return Answer(f"{kind}_open", {"open_channels": open_lines(schedule, open_channels, now), "case_note": case})
    return Answer(f"{kind}_closed", {"next_opening": next_support_opening(schedule, now),
                                     "email": email_contact(schedule), "case_note": case})
