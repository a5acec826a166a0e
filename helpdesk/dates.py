"""Reading the date (and time of day) a customer names in a question.

"¿atienden el 8 de diciembre?", "¿el lunes 12 hay soporte?", "¿y pasado mañana?",
"el 24 en la tarde", "¿abren este sábado?", "mañana temprano", "en navidad".

Why our own reader: ``dateparser`` 1.5 (the well-kept library with Spanish support)
was checked first against ``tests/tables/dates.yml``; in search mode it read
"pasado mañana" as tomorrow, "el lunes 12" as a date a year away, "8/12" as
12 August, found nothing in "el 24 en la tarde", and took "a mi" and "8 dias" for
dates (``tools/date_reader_eval.py`` prints the comparison). Customers' questions
use a small set of forms, listed above each rule below; the reader knows them and
nothing else, so a stray "a" or a case number is never a date.

Rules (Bogotá calendar, ``today`` passed in):

- "hoy", "mañana", "pasado mañana", "ayer"; "esta mañana/tarde/noche" is today;
- a weekday is the next such day, today included ("¿atienden el sábado?" on a
  Saturday is today); "el próximo sábado" on a Saturday is in a week; "los
  sábados" (plural) is the weekday in general, not a date;
- "el lunes 12": the next Monday that falls on a 12th;
- "el 24": the 24th of this month, today included, else of the next month;
- "8 de diciembre", "dic 8", "December 8th", "8/12" (day first, as in Colombia):
  the next such date, unless the message speaks of the past ("se me venció el 5
  de noviembre");
- festivos by name ("navidad", "año nuevo", "viernes santo", "san josé") through
  the holiday calendar the caller passes;
- a part of the day ("temprano", "en la tarde", "en la noche") or a time ("a las
  3 de la tarde" → 15:00; without a.m./p.m., 1 to 6 are afternoon hours).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta

from helpdesk.text import fold, one_edit_apart

WEEKDAY_WORDS = {
    "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5, "domingo": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}
_WEEKDAY_PLURALS = {"sabados": 5, "domingos": 6, "mondays": 0, "tuesdays": 1, "wednesdays": 2,
                    "thursdays": 3, "fridays": 4, "saturdays": 5, "sundays": 6}
# Real words one letter away from a day name, never taken for one.
_NOT_DAYS = frozenset({"dominio", "dominios", "vienes", "salado", "mares", "lunas", "nueves", "martas"})
MONTHS = {
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    "ene": 1, "feb": 2, "mar": 3, "abr": 4, "may": 5, "jun": 6, "jul": 7, "ago": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dic": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12, "jan": 1, "aug": 8, "dec": 12,
}
# Festivos named in words: keyword (folded) -> words of the holiday's Spanish name.
HOLIDAY_WORDS = {
    "navidad": ("navidad",),
    "ano nuevo": ("ano nuevo",),
    "reyes": ("reyes",),
    "san jose": ("san jose",),
    "jueves santo": ("jueves santo",),
    "viernes santo": ("viernes santo",),
    "semana santa": ("jueves santo",),
    "dia del trabajo": ("trabajo",),
    "dia del trabajador": ("trabajo",),
    "ascension": ("ascension",),
    "corpus": ("corpus",),
    "sagrado corazon": ("sagrado corazon",),
    "san pedro": ("san pedro",),
    "chiquinquira": ("chiquinquira",),
    "20 de julio": ("independencia",),
    "batalla de boyaca": ("boyaca",),
    "asuncion": ("asuncion",),
    "dia de la raza": ("raza",),
    "todos los santos": ("todos los santos",),
    "independencia de cartagena": ("cartagena",),
    "inmaculada": ("inmaculada",),
}
_FIXED_DAYS = {"nochebuena": (12, 24), "noche buena": (12, 24), "nochevieja": (12, 31), "fin de ano": (12, 31)}
# Words after a bare number that make it something other than a day ("3 tokens").
_UNITS = frozenset("""
    usuarios usuario tokens token dias dia horas hora anos ano meses mes semanas semana minutos
    digitos veces personas equipos documentos facturas certificados firmas pesos mil millones
    preguntas casos opcion opciones intentos
""".split())
_PAST_WORDS = re.compile(
    r"\b(?:vencio|se me vencio|se vencio|fue|llame|llamamos|escribi|escribimos|envie|pase|paso|estuvo|hubo|"
    r"compre|pague|recibi|hable|contestaron|contesto|atendieron|reporte)\b"
)

HolidayLookup = Callable[[int], Mapping[date, str]]


@dataclass(frozen=True)
class DateMention:
    """A date named in a message.

    ``day`` is the calendar date (None when only a time or a weekday in general
    was named); ``weekday`` is set for "los sábados" (every Saturday); ``part`` is
    "morning", "afternoon" or "evening"; ``at`` a time of day.
    """

    day: date | None = None
    weekday: int | None = None
    part: str | None = None
    at: time | None = None

    @property
    def empty(self) -> bool:
        return self.day is None and self.weekday is None and self.part is None and self.at is None


def _says_tomorrow(folded: str) -> bool:
    """ "mañana" or "tomorrow" as the day after today ("la mañana" is a part of the day)."""
    return bool(re.search(r"\b(?:manana|tomorrow)\b", folded)) and not re.search(
        r"\b(?:la|esta|hasta|pasado)\s+manana\b", folded)


def names_tomorrow(text: str) -> bool:
    """The text names the day after today as such, in words, not by its date or weekday."""
    folded = _clean(text)
    return _says_tomorrow(folded) or bool(re.search(r"\bmanana\b.*\b(?:la|por la|en la) manana\b", folded))


# Days of the month in words ("el doce", "ocho de diciembre"), read as digits where a day is
# named: after "el", "día" or a weekday, or before "de" and a month.
_NUMBER_WORDS = {
    "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9,
    "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "dieciseis": 16,
    "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20, "veintiuno": 21, "veintiun": 21,
    "veintidos": 22, "veintitres": 23, "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26,
    "veintisiete": 27, "veintiocho": 28, "veintinueve": 29, "treinta": 30, "treinta y uno": 31,
}
_NUMBER_WORD = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_DAY_BEFORE = "|".join(["el", "dia", *WEEKDAY_WORDS])


def _days_in_words(folded: str) -> str:
    def digits(match: re.Match[str]) -> str:
        return f"{match.group(1)} {_NUMBER_WORDS[match.group(2)]}"

    folded = re.sub(rf"\b({_DAY_BEFORE})\s+({_NUMBER_WORD})\b", digits, folded)
    return re.sub(rf"\b()({_NUMBER_WORD})(?=\s+de\s+[a-z]+)",
                  lambda m: str(_NUMBER_WORDS[m.group(2)]) if _month_of(folded[m.end():].split()[1]) else m.group(0),
                  folded)


def _clean(text: str) -> str:
    folded = fold(text)
    folded = re.sub(r"\b24\s*/\s*7\b|\b7\s*x\s*24\b|\b24\s*(?:horas|hrs|h)\b", " ", folded)
    folded = re.sub(r"\(?\+?\d[\d\s()-]{6,}\d", " ", folded)  # phone and case numbers
    folded = re.sub(r"[^\w\s/:-]", " ", folded)
    return _days_in_words(" ".join(folded.split()))


def _weekday_of(word: str) -> int | None:
    if word in WEEKDAY_WORDS:
        return WEEKDAY_WORDS[word]
    if len(word) >= 5 and word not in _NOT_DAYS:
        for name, value in WEEKDAY_WORDS.items():
            if word[0] == name[0] and one_edit_apart(word, name):
                return value
    return None


def _month_of(word: str) -> int | None:
    if word in MONTHS:
        return MONTHS[word]
    if len(word) >= 5:
        for name, value in MONTHS.items():
            if len(name) >= 5 and word[0] == name[0] and one_edit_apart(word, name):
                return value
    return None


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _next_date(month: int, day: int, today: date, past: bool) -> date | None:
    this_year = _valid(today.year, month, day)
    if this_year is None:
        return _valid(today.year + 1, month, day)
    if this_year >= today:
        return this_year
    if past and (today - this_year).days <= 200:
        return this_year
    return _valid(today.year + 1, month, day)


def _next_day_of_month(day: int, today: date) -> date | None:
    year, month = today.year, today.month
    for _ in range(13):
        candidate = _valid(year, month, day)
        if candidate and candidate >= today:
            return candidate
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return None


def _next_weekday(weekday: int, today: date, following: bool) -> date:
    delta = (weekday - today.weekday()) % 7
    if following and delta == 0:
        delta = 7
    return today + timedelta(days=delta)


def _time_of_day(text: str) -> tuple[time | None, str | None, tuple[int, int] | None]:
    """A time ("a las 3 de la tarde") or a part of the day ("en la tarde")."""
    match = re.search(
        r"\b(?:a las|a la|las|at|tipo|como a las|desde las|hasta las)\s+(\d{1,2})(?::(\d{2})|\s+y\s+(media|cuarto))?"
        r"(?:\s*(de la manana|de la tarde|de la noche|del mediodia|am|pm|a m|p m))?\b",
        text,
    ) or re.search(r"\b(\d{1,2})(?::(\d{2}))?()\s*(am|pm|a m|p m)\b", text)
    if match:
        hour = int(match.group(1))
        minute = int(match.group(2) or 0)
        if match.group(3) == "media":
            minute = 30
        elif match.group(3) == "cuarto":
            minute = 15
        suffix = match.group(4) or ""
        if suffix in ("de la tarde", "de la noche", "pm", "p m") and hour < 12:
            hour += 12
        elif suffix in ("de la manana", "am", "a m") and hour == 12:
            hour = 0
        elif not suffix and 1 <= hour <= 6:
            hour += 12  # "a las 3": business hours are meant, so 3 p. m.
        if 0 <= hour <= 23 and 0 <= minute <= 59:
            return time(hour, minute), None, match.span()
    if re.search(r"\b(?:mediodia|medio dia|noon)\b", text):
        return time(12, 0), None, None
    if re.search(r"\b(?:temprano|early|(?:en|por|de|en horas de) la manana|esta manana|in the morning|this morning)\b", text):
        return None, "morning", None
    if re.search(r"\b(?:(?:en|por|de|esta|a) la tarde|esta tarde|in the afternoon|this afternoon)\b", text):
        return None, "afternoon", None
    if re.search(r"\b(?:(?:en|por|de|esta) la noche|esta noche|tonight|in the evening|at night)\b", text):
        return None, "evening", None
    return None, None, None


def read_date(text: str, today: date, holidays: HolidayLookup | None = None) -> DateMention | None:
    """The date a message names, relative to ``today`` (Bogotá), or None.

    Args:
        text: the customer's message as written.
        today: the current date in Bogotá.
        holidays: year -> {date: name} of the festivos, to read festivos by name.
    """
    t = _clean(text)
    if not t:
        return None
    at, part, time_span = _time_of_day(t)
    # Numbers that belong to the time are not days ("a las 3").
    t_days = t if time_span is None else t[: time_span[0]] + " " + t[time_span[1]:]
    past = bool(_PAST_WORDS.search(t))
    day, weekday = _find_day(t_days, "?" in text or t_days.strip() != t.strip(), today, past, holidays)
    if re.search(r"\b(?:esta manana|esta tarde|esta noche|this morning|this afternoon|tonight)\b", t) and day is None:
        day = today
    mention = DateMention(day=day, weekday=weekday, part=part, at=at)
    return None if mention.empty else mention


def _find_day(t: str, asked: bool, today: date, past: bool, holidays: HolidayLookup | None) -> tuple[date | None, int | None]:
    words = t.split()
    # "8 de diciembre", "1ro de enero de 2027", "8th of december"
    for match in re.finditer(r"\b(\d{1,2}|primero|1ro|1o)(?:st|nd|rd|th|ro|o)?\s+(?:de\s+|of\s+)?([a-z]+)(?:\s+(?:de\s+|del\s+)?(\d{4}))?\b", t):
        month = _month_of(match.group(2))
        if month is None:
            continue
        number = 1 if match.group(1) in ("primero", "1ro", "1o") else int(match.group(1))
        if match.group(3):
            found = _valid(int(match.group(3)), month, number)
        else:
            found = _next_date(month, number, today, past)
        if found:
            return found, None
    # "diciembre 8", "dic 8", "December 8th"
    for match in re.finditer(r"\b([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?\b", t):
        month = _month_of(match.group(1))
        if month is not None and _weekday_of(match.group(1)) is None:
            found = _next_date(month, int(match.group(2)), today, past)
            if found:
                return found, None
    # "8/12", "12-01", "25/12/2026" (day first)
    for match in re.finditer(r"\b(\d{1,2})[/-](\d{1,2})(?:[/-](\d{2,4}))?\b", t):
        number, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            continue
        if match.group(3):
            year = int(match.group(3))
            found = _valid(year + 2000 if year < 100 else year, month, number)
        else:
            found = _next_date(month, number, today, past)
        if found:
            return found, None
    # Festivos and fixed days by name.
    for key, (month, number) in _FIXED_DAYS.items():
        if re.search(rf"\b{key}\b", t):
            return _next_date(month, number, today, past), None
    if holidays is not None:
        for key, name_words in HOLIDAY_WORDS.items():
            if re.search(rf"\b{key}\b", t):
                found = _next_holiday(name_words, today, holidays)
                if found:
                    return found, None
    # Relative days.
    if re.search(r"\bpasado\s+manana\b|\bday after tomorrow\b", t):
        return today + timedelta(days=2), None
    if _says_tomorrow(t):
        return today + timedelta(days=1), None
    if re.search(r"\b(?:manana)\b", t) and re.search(r"\bmanana\b.*\b(?:la|por la|en la) manana\b", t):
        return today + timedelta(days=1), None  # "mañana en la mañana"
    # Weekdays, with an optional day of the month ("el lunes 12").
    for index, word in enumerate(words):
        if word in _WEEKDAY_PLURALS or (word.endswith("s") and word[:-1] in ("sabado", "domingo")):
            return None, _WEEKDAY_PLURALS.get(word, WEEKDAY_WORDS.get(word[:-1]))
        weekday = _weekday_of(word)
        if weekday is None:
            continue
        nxt = words[index + 1] if index + 1 < len(words) else ""
        if nxt.isdigit() and 1 <= int(nxt) <= 31:
            found = _weekday_with_number(weekday, int(nxt), today)
            if found:
                return found, None
        previous = " ".join(words[max(0, index - 2): index])
        after = " ".join(words[index + 1: index + 3])
        # "el próximo sábado", "el sábado siguiente", "el sábado que viene": said on a Saturday, the next one
        following = bool(re.search(r"\b(?:proximo|proxima|siguiente|otro|next)$", previous)
                         or re.match(r"(?:siguiente|que viene|entrante)\b", after))
        if previous.endswith("los") and word in ("lunes", "martes", "miercoles", "jueves", "viernes"):
            return None, weekday  # "los lunes": every Monday
        if re.search(r"\bla (?:otra|proxima|siguiente) semana\b|\bnext week\b", t):
            following = True
        if past and not following:
            delta = (today.weekday() - weekday) % 7
            return today - timedelta(days=delta), None
        return _next_weekday(weekday, today, following), None
    if re.search(r"\b(?:hoy|today)\b", t):
        return today, None
    if re.search(r"\b(?:ayer|yesterday)\b", t):
        return today - timedelta(days=1), None
    # "el 24", "para el 8", "el dia 15"
    for match in re.finditer(r"\b(?:el|este|para el|el dia|dia|on the)\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:\s+(\w+))?", t):
        number = int(match.group(1))
        after = match.group(2) or ""
        if not 1 <= number <= 31 or after in _UNITS or after in ("de", "of") and _month_of(t[match.end():].split()[0] if t[match.end():].split() else "") is not None:
            continue
        if not after and not asked and not re.search(r"\b(?:atienden|abren|hay|soporte|horario|atencion|chat|linea)\b", t):
            continue  # "el 1" alone: a menu option more likely than a date
        found = _next_day_of_month(number, today)
        if found:
            return found, None
    return None, None


def _weekday_with_number(weekday: int, number: int, today: date) -> date | None:
    for offset in range(0, 400):
        candidate = today + timedelta(days=offset)
        if candidate.weekday() == weekday and candidate.day == number:
            return candidate
    return None


def _next_holiday(name_words: tuple[str, ...], today: date, holidays: HolidayLookup) -> date | None:
    for year in (today.year, today.year + 1):
        for day, name in sorted(holidays(year).items()):
            if day >= today and all(w in fold(name) for w in name_words):
                return day
    return None
