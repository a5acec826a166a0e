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
from helpdesk.catalogue import SERVICE_LABELS
from helpdesk.dates import DateMention
from helpdesk.schedule import Channel, Schedule, TimeRange
from helpdesk.spanish import say

__all__ = ["SERVICE_LABELS"]  # the staff's labels (helpdesk/catalogue.py), imported from here by the desk

# Channels offered for ordinary support, in the order customers see them.
SUPPORT_CHANNELS = ("support_line", "chat", "email")
# Channels an agent answers live (the hand-off and "¿hay alguien?" answers).
AGENT_CHANNELS = ("support_line", "chat")
# Request types of a PQRSA, each worded by the phrase "pqrsa.<type>".
REQUEST_TYPES = ("peticion", "queja", "reclamo", "sugerencia", "apelacion")
# Parts of the day, in minutes since midnight (half-open); worded by "part_of_day.<part>".
PARTS_OF_DAY = {"morning": (0, 12 * 60), "afternoon": (12 * 60, 18 * 60), "evening": (18 * 60, 24 * 60)}


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
        return say("opening.none")
    channels = [c for c in opening.channels if not c.always_open]
    key = "opening.one" if len(channels) == 1 else "opening.many"
    return es.sentence(es.capitalize(say(key, channels=es.names(channels), when=es.format_when(opening.moment, now))))


def closed_reason(schedule: Schedule, now: datetime) -> str:
    """Why the regular channels are closed now (call it when they are), as a sentence:
    "Hoy es domingo y no hay atención.", "Los sábados se atiende hasta la 1:00 p. m.; ahora
    no hay atención." (after Saturday's closing, read from the schedule)."""
    local = schedule.local(now)
    reason = schedule.closure_reason(local.date())
    if reason:
        return say("closed_reason.closed_day", reason=reason)
    if local.weekday() == 6:
        return say("closed_reason.weekday", weekday=es.weekday_name(6))
    if local.weekday() == 5:
        closes = _last_closing(schedule, 5)
        if closes is not None and local.hour * 60 + local.minute >= closes:
            return say("closed_reason.after_hours", days=es.weekday_plural(5), until=es.until_end(closes))
    return say("closed_reason.out_of_hours")


def _last_closing(schedule: Schedule, weekday: int) -> int | None:
    """When the last of the ordinary support channels closes on that weekday (minutes), if any opens."""
    ends = [r.end for c in _channels(schedule, SUPPORT_CHANNELS) for r in c.weekly_hours.get(weekday, ())]
    return max(ends) if ends else None


def listed_above() -> str:
    """Said instead of a list of who attends now that an earlier answer to the same message gave."""
    return say("now.listed_above")


def closed_again() -> str:
    """Said instead of the closed-hours reason when it was already explained in this period."""
    return say("closed_reason.again")


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
        one = len(open_now) == 1
        if with_contacts:
            parts = [say("now.open_line", channel=c.short_name or c.name, contacts=es.format_contacts(c.contacts),
                         until=es.until(schedule.closing_time(c.id, now)))
                     for c in open_now]
            return es.sentence(say("now.open_one" if one else "now.open_many", channels="; ".join(parts)))
        parts = []
        for members, closes in _grouped([(c, es.until(schedule.closing_time(c.id, now))) for c in open_now]):
            parts.append(say("now.serving_group", channels=es.names(members), until=closes))
        return es.sentence(say("now.serving_one" if one else "now.serving_many", channels="; ".join(parts)))
    earliest = _earliest_opening(schedule, regular, now)
    if earliest is None:
        return ""
    first, members = earliest
    key = "now.closed_one" if len(members) == 1 else "now.closed_many"
    return es.sentence(say(key, channels=es.names(members), when=es.format_when(first, now)))


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
    return es.sentence(say("contact.sentence", contacts=es.format_contacts(channel.contacts)))


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
            lines.append(es.sentence(say("channel.contacts", channel=es.capitalize(c.short_name or c.name),
                                         contacts=es.format_contacts(c.contacts))))
        key = "served.two" if len(members) == 2 else ("served.many" if len(members) > 2 else "served.one")
        lines.append(es.sentence(say(key, hours=hours)))
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
        lines.append(es.sentence(es.capitalize(say("week.line", channels=es.names(members), hours=hours))))
    return Answer("hours_week", {"day_schedule": "\n".join(lines), "status": _tail("\n", _status(schedule, channels, now))})


def hours_weekday_answer(schedule: Schedule, channel_ids: Sequence[str], weekday: int, now: datetime) -> Answer:
    """ "¿Atienden los sábados?": the regular hours of that weekday."""
    channels = _channels(schedule, channel_ids) or _channels(schedule, SUPPORT_CHANNELS)
    plural = es.weekday_plural(weekday)
    parts = []
    closed = []
    for members, ranges in _grouped([(c, es.format_ranges(c.weekly_hours.get(weekday, ()))) for c in channels]):
        if ranges:
            parts.append(_serves(members, ranges))
        else:
            closed.extend(members)
    if parts:
        if closed:
            text = say("weekday.hours_some_closed", days=plural, hours="; ".join(parts), closed=es.names(closed))
        else:
            text = say("weekday.hours", days=plural, hours="; ".join(parts))
        text = es.sentence(text) + " " + say("weekday.no_holidays")
    else:
        text = say("weekday.closed", days=plural)
        opening = _next_open_weekday_text(channels)
        if opening:
            text += " " + opening
    return Answer("hours_weekday", {"day_schedule": text, "status": _tail("\n", _status(schedule, channels, schedule.local(now)))})


def _next_open_weekday_text(channels: Sequence[Channel]) -> str:
    hours = {es.format_weekly_hours(c) for c in channels if not c.always_open}
    if len(hours) == 1:
        return es.sentence(say("served.one", hours=hours.pop()))
    return ""


def _serves(members: Sequence[Channel], hours: str) -> str:
    """ "la línea de soporte y el chat atienden de 8:00 a. m. a 1:00 p. m."."""
    return say("serves.one" if len(members) == 1 else "serves.many", channels=es.names(members), hours=hours)


def holidays_answer(schedule: Schedule, now: datetime) -> Answer:
    """ "¿Atienden los festivos?": no, except the 24/7 line; the next festivo."""
    now = schedule.local(now)
    upcoming = next_holiday(schedule, now.date())
    text = ""
    if upcoming:
        text = es.sentence(say("holiday.next", date=es.format_date(upcoming[0]), name=upcoming[1]))
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
    when = label + (f" {say('part_of_day.' + mention.part)}" if mention.part else "")
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
            parts.append(_serves(members, text))
        else:
            closed.extend(members)
    if closed:
        key = "on_date.some_closed_one" if len(closed) == 1 else "on_date.some_closed_many"
        text = say(key, day=es.capitalize(label), hours="; ".join(parts), closed=es.names(closed))
    else:
        text = say("on_date.hours", day=es.capitalize(label), hours="; ".join(parts))
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
            day_ranges = say("on_date.day_hours", hours=groups[0][1])
        else:
            day_ranges = say("on_date.day_hours_split", hours="; ".join(_serves(m, t) for m, t in groups))
        text = es.sentence(say("on_date.closed_at", when=es.capitalize(when), hours=day_ranges))
        return Answer("hours_date_closed", {"day_schedule": text, "next_opening": _reopening_after(schedule, channels, day, end, now)})
    parts = [_serves(members, text) for members, text in _grouped([(c, _range_phrase(r, start)) for c, r in open_in])]
    closed = [c for c in channels if c not in [m for m, _ in open_in]]
    text = say("on_date.hours", day=es.capitalize(when), hours="; ".join(parts))
    if closed:
        text = es.sentence(text) + " " + say("on_date.others", channels=es.capitalize(es.names(closed)),
                                             hours="; ".join(_closed_phrase(ranges[c.id]) for c in closed))
    return Answer("hours_date", {"day_schedule": es.sentence(text), "status": ""})


def _range_phrase(r: TimeRange, start: int) -> str:
    """ "de 8:00 a. m. a 1:00 p. m." when it opens later, else "hasta las 7:00 p. m."."""
    if r.start > start:
        return es.format_ranges([r])
    return es.until_end(r.end)


def _closed_phrase(ranges: Sequence[TimeRange]) -> str:
    return say("on_date.other_day_hours", hours=es.format_ranges(ranges)) if ranges else say("on_date.other_closed")


def closed_day_sentence(label: str, day: date, reason: str | None, channels: Sequence[Channel], today: date) -> str:
    """ "El martes 8 de diciembre es festivo (La Inmaculada Concepción) y no hay atención."."""
    delta = (day - today).days
    if reason:
        return say("closed_day.reason", day=es.capitalize(label), reason=reason)
    if day.weekday() == 6:
        if delta in (0, 1):
            return say("closed_day.today" if delta == 0 else "closed_day.tomorrow", date=es.format_date(day))
        return say("closed_day.no_hours", day=es.capitalize(label))
    return es.sentence(say("closed_day.channels_closed", day=es.capitalize(label), channels=es.names(channels)))


def _reopening(schedule: Schedule, channels: Sequence[Channel], day: date, now: datetime) -> str:
    start = max(now, datetime.combine(day, time(0), tzinfo=schedule.timezone))
    return _first_opening(schedule, channels, start, now)


def _reopening_after(schedule, channels, day, minute, now) -> str:
    start = max(now, datetime.combine(day, time(min(minute, 1439) // 60, min(minute, 1439) % 60), tzinfo=schedule.timezone))
    return _first_opening(schedule, channels, start, now)


def _first_opening(schedule, channels, start, now) -> str:
    """ "Vuelven a atender el lunes 12 de enero a las 7:00 a. m." (the date said from the day after tomorrow)."""
    earliest = _earliest_opening(schedule, channels, start)
    if earliest is None:
        return ""
    first, _ = earliest
    when = es.when_dated(first) if (first.date() - now.date()).days >= 2 else es.format_when(first, now)
    return es.sentence(say("opening.again", when=when))


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

    Decision (docs/decisions.md): the e-mail and chat rows of the page recommend the 24/7 mobile
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
    values = {
        "request_type_label": say(f"pqrsa.{request_type}" if request_type in REQUEST_TYPES else "pqrsa.any"),
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
        lines.append(es.sentence(say("level.line", level=level.level, name=level.name, contacts=es.format_contacts(contacts))))
    return Answer("escalation_levels", {"levels": es.list_lines(lines)})


def escalation_answer(schedule: Schedule, now: datetime, level_id: str, case_number: str | None = None) -> Answer:
    """Contacts of the escalation level that fits (support group first, supervisor, coordinator)."""
    now = schedule.local(now)
    level = schedule.escalation_level(level_id)
    case = (say("case_note.escalation_number", case=case_number) if case_number
            else say("case_note.escalation_no_number"))
    values = {"level_details": es.describe_level(schedule, level, now, with_name=False), "case_note": case}
    if level_id == "support_group":
        values["level_details"] = es.list_lines(
            es.describe_open_channel(schedule, schedule.channel(cid), now)
            if schedule.is_open(cid, now)
            else es.describe_channel_short(schedule, schedule.channel(cid), now, with_hours=False)
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
            "next_opening": es.format_when(opens, now) if opens else es.unpublished(),
            "email": email_contact(schedule),
        },
    )


# ------------------------------------------------- nobody answers, unknowable


def with_email_meanwhile(schedule: Schedule, text: str) -> str:
    """ "… Mientras tanto puede escribir a soporte.firmadigital@… y se atenderá al abrir." """
    return say("email_meanwhile", text=text, email=email_contact(schedule)).strip()


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
    case = " " + say("case_note.unknown_number", case=case_number) if case_number else ""
    open_channels = [c for c in schedule.open_channels("support", now) if not c.always_open]
    if open_channels:
        return Answer(f"{kind}_open", {"open_channels": open_lines(schedule, open_channels, now), "case_note": case})
    return Answer(f"{kind}_closed", {"next_opening": next_support_opening(schedule, now),
                                     "email": email_contact(schedule), "case_note": case})
