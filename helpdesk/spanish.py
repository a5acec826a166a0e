"""Spanish wording of schedule facts: times, days, hours and contacts.

The conversation's sentences live in ``domain.yml``; this module only turns
facts into the phrases those sentences carry ("de lunes a viernes de
7:00 a. m. a 7:00 p. m.", "mañana miércoles a las 7:00 a. m."), so the same
fact is always written the same way. Times follow the RAE's abbreviations
("a. m.", "p. m.", "m." for noon) in Bogotá time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time

from helpdesk.schedule import MINUTES_PER_DAY, Channel, Contact, EscalationLevel, Schedule, TimeRange

WEEKDAY_NAMES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
WEEKDAY_PLURALS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábados", "domingos")
MONTH_NAMES = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
)


def format_time(value: time | int) -> str:
    """A time of day as "7:00 a. m.", "1:00 p. m.", "12:00 m." (noon), "12:00 a. m."."""
    minutes = value if isinstance(value, int) else value.hour * 60 + value.minute
    minutes %= MINUTES_PER_DAY
    hour, minute = divmod(minutes, 60)
    if hour == 12 and minute == 0:
        return "12:00 m."
    suffix = "a. m." if hour < 12 else "p. m."
    hour12 = hour % 12 or 12
    return f"{hour12}:{minute:02d} {suffix}"


def at_time(value: time | int) -> str:
    """ "a las 7:00 a. m.", but "a la 1:00 p. m." (singular for one o'clock)."""
    text = format_time(value)
    return f"a la {text}" if text.startswith("1:") else f"a las {text}"


def join(items: Sequence[str], conjunction: str = "y") -> str:
    """ "a", "a y b", "a, b y c"."""
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    # "y" becomes "e" before a word starting with the sound /i/ ("e inglés").
    last = items[-1]
    if conjunction == "y" and last[:1].lower() in ("i", "í") and not last.lower().startswith(("ia", "ie", "io", "iu")):
        conjunction = "e"
    return f"{', '.join(items[:-1])} {conjunction} {last}"


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
        end = "la medianoche" if r.end == MINUTES_PER_DAY else format_time(r.end)
        parts.append(f"de {format_time(r.start)} a {end}")
    return join(parts)


def format_weekly_hours(channel: Channel) -> str:
    """A channel's weekly hours for people.

    "de lunes a viernes de 7:00 a. m. a 7:00 p. m. y los sábados de 8:00 a. m.
    a 1:00 p. m., excepto festivos"; "las 24 horas, todos los días, festivos
    incluidos" for the 24/7 line.
    """
    if channel.always_open:
        return "las 24 horas, todos los días, festivos incluidos"
    groups: list[tuple[list[int], tuple[TimeRange, ...]]] = []
    for day in range(7):
        ranges = channel.weekly_hours.get(day, ())
        if not ranges:
            continue
        if groups and groups[-1][1] == ranges and groups[-1][0][-1] == day - 1:
            groups[-1][0].append(day)
        else:
            groups.append(([day], ranges))
    parts = []
    for days, ranges in groups:
        if len(days) == 1:
            label = f"los {WEEKDAY_PLURALS[days[0]]}"
        elif len(days) == 2:
            label = f"{WEEKDAY_NAMES[days[0]]} y {WEEKDAY_NAMES[days[1]]}"
        else:
            label = f"de {WEEKDAY_NAMES[days[0]]} a {WEEKDAY_NAMES[days[-1]]}"
        parts.append(f"{label} {format_ranges(ranges)}")
    text = join(parts) if parts else "sin horario publicado"
    if channel.closed_on_holidays:
        text += ", excepto festivos"
    return text


def format_date(day: date) -> str:
    """ "martes 8 de diciembre"."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} de {MONTH_NAMES[day.month - 1]}"


def format_when(moment: datetime, now: datetime) -> str:
    """When something happens, relative to ``now`` (both in the same timezone).

    "hoy a las 7:00 a. m.", "mañana miércoles a las 7:00 a. m.", "el lunes a
    las 7:00 a. m." within the coming week, and "el lunes 12 de enero a las
    7:00 a. m." further away.
    """
    moment = moment.astimezone(now.tzinfo)
    days = (moment.date() - now.date()).days
    clock = at_time(moment.time())
    weekday = WEEKDAY_NAMES[moment.weekday()]
    if days == 0:
        return f"hoy {clock}"
    if days == 1:
        return f"mañana {weekday} {clock}"
    if 1 < days < 7:
        return f"el {weekday} {clock}"
    return f"el {format_date(moment.date())} {clock}"


def format_contact(contact: Contact) -> str:
    """One contact as written for people, with its dialling instructions."""
    text = contact.value
    if contact.instructions:
        text += f", {contact.instructions}"
    if contact.extensions:
        if len(contact.extensions) == 1:
            text += f", extensión {contact.extensions[0]}"
        else:
            text += f", extensiones {join(list(contact.extensions), 'o')}"
    return text


def format_contacts(contacts: Iterable[Contact]) -> str:
    """Several contacts: "correo x; teléfono (601) … , opción 3"."""
    labels = {"phone": "teléfono", "email": "correo", "url": "enlace"}
    contacts = list(contacts)
    if len(contacts) == 1:
        return format_contact(contacts[0])
    return "; ".join(f"{labels[c.kind]} {format_contact(c)}" for c in contacts)


def channel_status(schedule: Schedule, channel: Channel, now: datetime) -> str:
    """Whether the channel attends now, and until when or from when.

    Closed means closed: a closed channel always comes with when it opens.
    """
    if channel.always_open:
        return "Atiende ahora y a cualquier hora."
    if schedule.is_open(channel.id, now):
        closes = schedule.closing_time(channel.id, now)
        return sentence(f"Ahora atiende, hasta {_clock_article(closes)}")
    opens = schedule.next_opening(channel.id, now)
    when = format_when(opens, now) if opens else "cuando se publique un nuevo horario"
    if channel.accepts_messages_when_closed:
        return sentence(f"Ahora está fuera de horario: lo que escriba se atenderá desde {when}")
    return sentence(f"Ahora está cerrado; abre {when}")


def describe_open_channel(schedule: Schedule, channel: Channel, now: datetime) -> str:
    """A short line for a channel that is open now: name, contact, until when."""
    closes = schedule.closing_time(channel.id, now)
    until = f" (hasta {_clock_article(closes)})" if closes else " (24 horas)"
    return sentence(f"{capitalize(channel.name)}: {format_contacts(channel.contacts)}{until}")


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
    text = sentence(f"{capitalize(level.name)} (nivel {level.level}): {text}" if with_name else capitalize(text))
    if level.hours_from:
        desk = schedule.channel(level.hours_from)
        if any(c.kind == "phone" for c in contacts):
            # The hours that matter now, not the whole week: a phone-size answer.
            if schedule.is_open(desk.id, now):
                when = f"hoy, {until(schedule.closing_time(desk.id, now))}"
                text += " " + sentence(f"No publica horario propio: llame en el horario de la línea de soporte ({when})")
            else:
                opens = schedule.next_opening(desk.id, now)
                when = f", que abre {format_when(opens, now)}" if opens else ""
                text += " " + sentence(f"No publica horario propio: llame en el horario de la línea de soporte{when}")
        if any(c.kind == "email" for c in contacts):
            text += " El correo puede enviarlo a cualquier hora."
    return text


def list_lines(lines: Iterable[str]) -> str:
    """Lines as a bulleted block for the chat."""
    return "\n".join(f"• {line}" for line in lines)


def _with_article(name: str) -> str:
    feminine = name.startswith(("línea", "linea"))
    return f"{'la' if feminine else 'el'} {name}"


def _clock_article(moment: datetime | None) -> str:
    if moment is None:
        return "nuevo aviso"
    return at_time(moment.time())[2:]  # "las 7:00 p. m." / "la 1:00 p. m."


# ------------------------------------------------- short names and dates


def short(channel: Channel) -> str:
    """The channel's short name ("el chat con asesores"), with its article."""
    return _with_article(channel.short_name or channel.name)


def names(channels: Sequence[Channel]) -> str:
    """ "la línea de soporte y el chat con asesores"."""
    return join([short(c) for c in channels])


def day_label(day: date, today: date) -> str:
    """ "hoy martes 1 de diciembre", "mañana miércoles 2 de diciembre", "el jueves 24 de diciembre"."""
    delta = (day - today).days
    if delta == 0:
        return f"hoy {format_date(day)}"
    if delta == 1:
        return f"mañana {format_date(day)}"
    if delta == -1:
        return f"ayer {format_date(day)}"
    return f"el {format_date(day)}"


def until(moment: datetime | None) -> str:
    """ "hasta las 7:00 p. m." / "hasta la 1:00 p. m."."""
    return f"hasta {_clock_article(moment)}"


def describe_channel_short(schedule: Schedule, channel: Channel, now: datetime, with_name: bool = True) -> str:
    """One channel for a contact answer: contact, hours and status, its name said once."""
    contacts = format_contacts(channel.contacts)
    text = sentence(f"{capitalize(channel.name)}: {contacts}" if with_name else capitalize(contacts))
    if channel.always_open:
        return text + " Atiende las 24 horas, todos los días, festivos incluidos."
    if channel.accepts_messages_when_closed:
        text += " " + sentence(f"Puede escribir a cualquier hora; se atiende {format_weekly_hours(channel)}")
    else:
        text += " " + sentence(f"Atiende {format_weekly_hours(channel)}")
    return text + " " + channel_status(schedule, channel, now)
