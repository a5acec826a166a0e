"""Spanish wording of schedule facts: times, days, hours and contacts.

The conversation's sentences live in ``domain.yml``; this module turns facts of the
schedule into the phrases those sentences carry ("de lunes a viernes de 7:00 a. m. a
7:00 p. m.", "mañana miércoles a las 7:00 a. m."), so the same fact is always written the
same way. The words are the templates of ``schedule/phrases.yml`` (``helpdesk.phrases``);
this module chooses the template and the values. Times follow the RAE's abbreviations
("a. m.", "p. m.", "m." for noon) in Bogotá time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time

from helpdesk.phrases import phrases
from helpdesk.schedule import MINUTES_PER_DAY, Channel, Contact, EscalationLevel, Schedule, TimeRange


def say(key: str, **values: object) -> str:
    """The phrase ``key`` of ``schedule/phrases.yml`` filled with ``values``."""
    return phrases()(key, **values)


def weekday_name(weekday: int) -> str:
    """ "lunes" … "domingo" (Monday is 0)."""
    return phrases().words("weekdays")[weekday]


def weekday_plural(weekday: int) -> str:
    """ "lunes" … "sábados", "domingos" (Monday is 0)."""
    return phrases().words("weekdays_plural")[weekday]


def weekday_short(weekday: int) -> str:
    """ "lun" … "dom" (Monday is 0)."""
    return phrases().words("weekdays_short")[weekday]


def month_name(month: int) -> str:
    """ "enero" … "diciembre" (January is 1)."""
    return phrases().words("months")[month - 1]


def _minutes(value: time | int) -> int:
    return (value if isinstance(value, int) else value.hour * 60 + value.minute) % MINUTES_PER_DAY


def format_time(value: time | int) -> str:
    """A time of day as "7:00 a. m.", "1:00 p. m.", "12:00 m." (noon), "12:00 a. m."."""
    hour, minute = divmod(_minutes(value), 60)
    if hour == 12 and minute == 0:
        return say("time.noon")
    return say("time.am" if hour < 12 else "time.pm", hour=hour % 12 or 12, minute=f"{minute:02d}")


def clock(value: time | int | datetime | None) -> str:
    """A time with its article: "las 7:00 p. m.", "la 1:00 p. m." (singular for one o'clock);
    "nuevo aviso" for no time."""
    if value is None:
        return say("clock.unknown")
    if isinstance(value, datetime):
        value = value.time()
    one = _minutes(value) // 60 % 12 == 1
    return say("clock.one" if one else "clock.other", time=format_time(value))


def end_clock(minute: int) -> str:
    """The end of a range with its article: "las 7:00 p. m.", or "la medianoche" for 24:00."""
    return say("clock.midnight") if minute >= MINUTES_PER_DAY else clock(minute)


def at_time(value: time | int) -> str:
    """ "a las 7:00 a. m.", but "a la 1:00 p. m." (singular for one o'clock)."""
    return say("at", clock=clock(value))


def join(items: Sequence[str], conjunction: str = "and") -> str:
    """ "a", "a y b", "a, b y c" (``conjunction`` "and"), "a, b o c" ("or")."""
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    last = items[-1]
    key = "join.or" if conjunction == "or" else "join.and"
    # "y" becomes "e" before a word starting with the sound /i/ ("e inglés"), not before
    # a diphthong ("y hielo").
    if key == "join.and" and last[:1].lower() in ("i", "í") and not last.lower().startswith(("ia", "ie", "io", "iu")):
        key = "join.and_before_i"
    return say(key, first=", ".join(items[:-1]), last=last)


def sentence(text: str) -> str:
    """Ends the text with one period: "… 7:00 a. m." is not followed by another.

    A period after a link or an address is sentence punctuation: the web widget
    leaves it out of the link (web/public/widget.js, trimUrl).
    """
    text = text.rstrip()
    return text if text.endswith((".", "?", "!")) else text + "."


def capitalize(text: str) -> str:
    """Upper-cases the first letter only (keeps "PQRSA", URLs and the rest)."""
    return text[:1].upper() + text[1:]


def format_ranges(ranges: Sequence[TimeRange]) -> str:
    """ "de 7:00 a. m. a 7:00 p. m." (and "y de …" for split days)."""
    parts = []
    for r in ranges:
        end = say("clock.midnight") if r.end == MINUTES_PER_DAY else format_time(r.end)
        parts.append(say("range", start=format_time(r.start), end=end))
    return join(parts)


def weekly_groups(channel: Channel) -> list[tuple[list[int], tuple[TimeRange, ...]]]:
    """Consecutive weekdays with the same hours: ([0, 1, 2, 3, 4], (7–19,)), ([5], (8–13,))."""
    groups: list[tuple[list[int], tuple[TimeRange, ...]]] = []
    for day in range(7):
        ranges = channel.weekly_hours.get(day, ())
        if not ranges:
            continue
        if groups and groups[-1][1] == ranges and groups[-1][0][-1] == day - 1:
            groups[-1][0].append(day)
        else:
            groups.append(([day], ranges))
    return groups


def format_weekly_hours(channel: Channel) -> str:
    """A channel's weekly hours for people.

    "de lunes a viernes de 7:00 a. m. a 7:00 p. m. y los sábados de 8:00 a. m.
    a 1:00 p. m., excepto festivos"; "las 24 horas, todos los días, festivos
    incluidos" for the 24/7 line.
    """
    if channel.always_open:
        return say("weekly.always")
    parts = []
    for days, ranges in weekly_groups(channel):
        if len(days) == 1:
            label = say("days.one", day=weekday_plural(days[0]))
        elif len(days) == 2:
            label = say("days.two", first=weekday_name(days[0]), second=weekday_name(days[1]))
        else:
            label = say("days.span", first=weekday_name(days[0]), last=weekday_name(days[-1]))
        parts.append(say("weekly.group", days=label, hours=format_ranges(ranges)))
    text = join(parts) if parts else say("weekly.none")
    if channel.closed_on_holidays:
        text = say("weekly.except_holidays", hours=text)
    return text


def format_date(day: date) -> str:
    """ "martes 8 de diciembre"."""
    return say("date", weekday=weekday_name(day.weekday()), day=day.day, month=month_name(day.month))


def format_when(moment: datetime, now: datetime) -> str:
    """When something happens, relative to ``now`` (both in the same timezone).

    "hoy a las 7:00 a. m.", "mañana miércoles a las 7:00 a. m.", "el lunes a
    las 7:00 a. m." within the coming week, and "el lunes 12 de enero a las
    7:00 a. m." further away.
    """
    moment = moment.astimezone(now.tzinfo)
    days = (moment.date() - now.date()).days
    at = at_time(moment.time())
    weekday = weekday_name(moment.weekday())
    if days == 0:
        return say("when.today", at=at)
    if days == 1:
        return say("when.tomorrow", weekday=weekday, at=at)
    if 1 < days < 7:
        return say("when.this_week", weekday=weekday, at=at)
    return when_dated(moment)


def when_dated(moment: datetime) -> str:
    """ "el lunes 12 de enero a las 7:00 a. m." (the date always said)."""
    return say("when.later", date=format_date(moment.date()), at=at_time(moment.time()))


def unpublished() -> str:
    """When a channel without a next opening opens: "cuando se publique un nuevo horario"."""
    return say("when.unpublished")


def format_contact(contact: Contact) -> str:
    """One contact as written for people, with its dialling instructions."""
    text = contact.value
    if contact.instructions:
        text = say("contact.instructions", contact=text, instructions=contact.instructions)
    if contact.extensions:
        if len(contact.extensions) == 1:
            text = say("contact.extension", contact=text, extension=contact.extensions[0])
        else:
            text = say("contact.extensions", contact=text, extensions=join(list(contact.extensions), "or"))
    return text


def format_contacts(contacts: Iterable[Contact]) -> str:
    """Several contacts: "correo x; teléfono (601) … , opción 3"."""
    contacts = list(contacts)
    if len(contacts) == 1:
        return format_contact(contacts[0])
    return "; ".join(say(f"contact.{c.kind}", contact=format_contact(c)) for c in contacts)


def channel_status(schedule: Schedule, channel: Channel, now: datetime) -> str:
    """Whether the channel attends now, and until when or from when.

    Closed means closed: a closed channel always comes with when it opens.
    """
    if channel.always_open:
        return say("status.always")
    if schedule.is_open(channel.id, now):
        return sentence(say("status.open", until=until(schedule.closing_time(channel.id, now))))
    opens = schedule.next_opening(channel.id, now)
    when = format_when(opens, now) if opens else unpublished()
    if channel.accepts_messages_when_closed:
        return sentence(say("status.closed_messages_wait", when=when))
    return sentence(say("status.closed", when=when))


def describe_open_channel(schedule: Schedule, channel: Channel, now: datetime) -> str:
    """A short line for a channel that is open now: name, contact, until when."""
    closes = schedule.closing_time(channel.id, now)
    name, contacts = capitalize(channel.name), format_contacts(channel.contacts)
    if closes:
        return sentence(say("channel.open_until", channel=name, contacts=contacts, until=until(closes)))
    return sentence(say("channel.open_all_day", channel=name, contacts=contacts))


def describe_level(
    schedule: Schedule, level: EscalationLevel, now: datetime, kinds: Sequence[str] = (), with_name: bool = True
) -> str:
    """An escalation level: its contacts, and the hours question answered honestly.

    The page publishes no hours for levels 2 and 3: the answer says so and suggests
    the support line's hours for a call; the e-mail can be sent at any time.
    ``kinds`` keeps only the phone or the e-mail ("¿y el teléfono del supervisor?").
    """
    contacts = list(level.contacts)
    for cid in level.channel_ids:
        contacts.extend(schedule.channel(cid).contacts)
    if kinds and any(c.kind in kinds for c in contacts):
        contacts = [c for c in contacts if c.kind in kinds]
    text = format_contacts(contacts)
    if with_name:
        text = sentence(say("level.named", name=capitalize(level.name), level=level.level, contacts=text))
    else:
        text = sentence(capitalize(text))
    if level.hours_from:
        desk = schedule.channel(level.hours_from)
        if any(c.kind == "phone" for c in contacts):
            # The hours that matter now, not the whole week: a phone-size answer.
            if schedule.is_open(desk.id, now):
                call = say("level.call_today", channel=short(desk), until=until(schedule.closing_time(desk.id, now)))
            else:
                opens = schedule.next_opening(desk.id, now)
                call = (say("level.call_when_open", channel=short(desk), when=format_when(opens, now)) if opens
                        else say("level.call", channel=short(desk)))
            text += " " + sentence(call)
        if any(c.kind == "email" for c in contacts):
            text += " " + say("level.email_any_time")
    return text


def list_lines(lines: Iterable[str]) -> str:
    """Lines as a bulleted block for the chat."""
    return "\n".join(f"• {line}" for line in lines)


# ------------------------------------------------- short names and dates


def short(channel: Channel) -> str:
    """The channel's short name ("el chat con asesores"), with its article."""
    name = channel.short_name or channel.name
    feminine = name.startswith(phrases().words("feminine_names"))
    return say("with_article.feminine" if feminine else "with_article.masculine", name=name)


def names(channels: Sequence[Channel]) -> str:
    """ "la línea de soporte y el chat con asesores"."""
    return join([short(c) for c in channels])


def day_label(day: date, today: date) -> str:
    """ "hoy martes 1 de diciembre", "mañana miércoles 2 de diciembre", "el jueves 24 de diciembre"."""
    delta = (day - today).days
    key = {0: "day_label.today", 1: "day_label.tomorrow", -1: "day_label.yesterday"}.get(delta, "day_label.other")
    return say(key, date=format_date(day))


def until(moment: datetime | None) -> str:
    """ "hasta las 7:00 p. m." / "hasta la 1:00 p. m."; "hasta nuevo aviso" for no time."""
    return say("until", clock=clock(moment))


def until_end(minute: int) -> str:
    """Until the end of a range: "hasta las 7:00 p. m.", "hasta la medianoche"."""
    return say("until", clock=end_clock(minute))


def describe_channel_short(schedule: Schedule, channel: Channel, now: datetime, with_name: bool = True,
                           with_hours: bool = True) -> str:
    """One channel for a contact answer: contact, hours and status, its name said once
    (without the weekly hours when ``with_hours`` is False: a closed channel in a list says
    only when it opens)."""
    contacts = format_contacts(channel.contacts)
    if with_name:
        text = sentence(say("channel.contacts", channel=capitalize(channel.name), contacts=contacts))
    else:
        text = sentence(capitalize(contacts))
    if not with_hours and not channel.always_open:
        return text + " " + channel_status(schedule, channel, now)
    hours = format_weekly_hours(channel)
    if channel.always_open:
        return text + " " + sentence(say("served.channel", hours=hours))
    if channel.accepts_messages_when_closed:
        text += " " + sentence(say("served.write_any_time", hours=hours))
    else:
        text += " " + sentence(say("served.channel", hours=hours))
    return text + " " + channel_status(schedule, channel, now)
