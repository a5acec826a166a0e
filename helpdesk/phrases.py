"""The wording pieces the core composes from the schedule, read from ``schedule/phrases.yml``.

Whole answers are worded in ``domain.yml`` (the variations of ``utter_answer``). What the
core must build from the schedule before it fills those answers — a time ("7:00 a. m."), a
range of hours, a list of channels, "mañana miércoles a las 7:00 a. m.", why nobody attends
now, the titles of the "¿Se refiere a …?" buttons — is put together from named templates in
``schedule/phrases.yml``, a file a support supervisor edits like ``channels.yml``. The code
chooses the template and the values; the words are data (docs/wording.md).

:data:`TEMPLATES` is the contract between the code and the file: every key the code uses,
the placeholders its template must contain, and how the template must end. The file is
read once per process (:func:`phrases`) and validated fully — a missing or unknown key, a
missing or unknown placeholder, a period the assistant would double, a list of the wrong
length — with a :class:`PhrasesConfigError` naming the file, the key and what is allowed.
The action server checks it at start (``actions/runtime.startup_check``).
"""

from __future__ import annotations

import os
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from helpdesk.config_file import ConfigFileError, read_yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PHRASES_FILE = PROJECT_ROOT / "schedule" / "phrases.yml"
# Environment variable that points the assistant to another phrases file.
PHRASES_FILE_ENV = "ASSISTANT_PHRASES_FILE"

# How a template must end: a whole sentence ends with its own punctuation ("."); an open
# one gets its period from the code (helpdesk.spanish.sentence), which does not add one
# after "p. m." — so a period written there would be doubled. None: a piece of a sentence.
SENTENCE = "sentence"
OPEN = "open"

# key -> (the placeholders its template must use, how it must end)
TEMPLATES: dict[str, tuple[tuple[str, ...], str | None]] = {
    # times and dates
    "time.am": (("hour", "minute"), None),
    "time.pm": (("hour", "minute"), None),
    "time.noon": ((), None),
    "clock.one": (("time",), None),
    "clock.other": (("time",), None),
    "clock.midnight": ((), None),
    "clock.unknown": ((), None),
    "at": (("clock",), None),
    "until": (("clock",), None),
    "date": (("weekday", "day", "month"), None),
    "when.today": (("at",), None),
    "when.tomorrow": (("weekday", "at"), None),
    "when.this_week": (("weekday", "at"), None),
    "when.later": (("date", "at"), None),
    "when.unpublished": ((), None),
    "day_label.today": (("date",), None),
    "day_label.tomorrow": (("date",), None),
    "day_label.yesterday": (("date",), None),
    "day_label.other": (("date",), None),
    "part_of_day.morning": ((), None),
    "part_of_day.afternoon": ((), None),
    "part_of_day.evening": ((), None),
    # lists and names
    "join.and": (("first", "last"), None),
    "join.and_before_i": (("first", "last"), None),
    "join.or": (("first", "last"), None),
    "with_article.feminine": (("name",), None),
    "with_article.masculine": (("name",), None),
    # weekly hours
    "range": (("start", "end"), None),
    "days.one": (("day",), None),
    "days.two": (("first", "second"), None),
    "days.span": (("first", "last"), None),
    "weekly.always": ((), None),
    "weekly.group": (("days", "hours"), None),
    "weekly.none": ((), None),
    "weekly.except_holidays": (("hours",), None),
    # contacts
    "contact.instructions": (("contact", "instructions"), None),
    "contact.extension": (("contact", "extension"), None),
    "contact.extensions": (("contact", "extensions"), None),
    "contact.phone": (("contact",), None),
    "contact.email": (("contact",), None),
    "contact.url": (("contact",), None),
    "contact.sentence": (("contacts",), OPEN),
    "channel.contacts": (("channel", "contacts"), OPEN),
    "channel.open_until": (("channel", "contacts", "until"), OPEN),
    "channel.open_all_day": (("channel", "contacts"), OPEN),
    # a channel now
    "status.always": ((), SENTENCE),
    "status.open": (("until",), OPEN),
    "status.closed_messages_wait": (("when",), OPEN),
    "status.closed": (("when",), OPEN),
    "served.channel": (("hours",), OPEN),
    "served.write_any_time": (("hours",), OPEN),
    "served.one": (("hours",), OPEN),
    "served.two": (("hours",), OPEN),
    "served.many": (("hours",), OPEN),
    "serves.one": (("channels", "hours"), None),
    "serves.many": (("channels", "hours"), None),
    # escalation levels
    "level.named": (("name", "level", "contacts"), OPEN),
    "level.call_today": (("channel", "until"), OPEN),
    "level.call_when_open": (("channel", "when"), OPEN),
    "level.call": (("channel",), OPEN),
    "level.email_any_time": ((), SENTENCE),
    "level.line": (("level", "name", "contacts"), OPEN),
    # openings and closings
    "opening.none": ((), SENTENCE),
    "opening.one": (("channels", "when"), OPEN),
    "opening.many": (("channels", "when"), OPEN),
    "opening.again": (("when",), OPEN),
    "closed_reason.closed_day": (("reason",), SENTENCE),
    "closed_reason.weekday": (("weekday",), SENTENCE),
    "closed_reason.after_hours": (("days", "until"), SENTENCE),
    "closed_reason.out_of_hours": ((), SENTENCE),
    "closed_reason.again": ((), SENTENCE),
    "now.open_one": (("channels",), OPEN),
    "now.open_many": (("channels",), OPEN),
    "now.open_line": (("channel", "contacts", "until"), None),
    "now.listed_above": ((), SENTENCE),
    "now.serving_one": (("channels",), OPEN),
    "now.serving_many": (("channels",), OPEN),
    "now.serving_group": (("channels", "until"), None),
    "now.closed_one": (("channels", "when"), OPEN),
    "now.closed_many": (("channels", "when"), OPEN),
    "email_meanwhile": (("text", "email"), SENTENCE),
    # hours of a week, a weekday, a date
    "week.line": (("channels", "hours"), OPEN),
    "weekday.hours": (("days", "hours"), OPEN),
    "weekday.hours_some_closed": (("days", "hours", "closed"), OPEN),
    "weekday.no_holidays": ((), SENTENCE),
    "weekday.closed": (("days",), SENTENCE),
    "holiday.next": (("date", "name"), OPEN),
    "holiday.reason": (("name",), None),
    "on_date.hours": (("day", "hours"), OPEN),
    "on_date.some_closed_one": (("day", "hours", "closed"), OPEN),
    "on_date.some_closed_many": (("day", "hours", "closed"), OPEN),
    "on_date.closed_at": (("when", "hours"), OPEN),
    "on_date.day_hours": (("hours",), None),
    "on_date.day_hours_split": (("hours",), None),
    "on_date.others": (("channels", "hours"), None),
    "on_date.other_day_hours": (("hours",), None),
    "on_date.other_closed": ((), None),
    "closed_day.reason": (("day", "reason"), SENTENCE),
    "closed_day.today": (("date",), SENTENCE),
    "closed_day.tomorrow": (("date",), SENTENCE),
    "closed_day.no_hours": (("day",), SENTENCE),
    "closed_day.channels_closed": (("day", "channels"), OPEN),
    # requests, cases, services
    "pqrsa.any": ((), None),
    "pqrsa.peticion": ((), None),
    "pqrsa.queja": ((), None),
    "pqrsa.reclamo": ((), None),
    "pqrsa.sugerencia": ((), None),
    "pqrsa.apelacion": ((), None),
    "case_note.escalation_number": (("case",), SENTENCE),
    "case_note.escalation_no_number": ((), SENTENCE),
    "case_note.unknown_number": (("case",), None),
    "service.firma_digital": ((), None),
    "service.estampado_cronologico": ((), None),
    "service.otro": ((), None),
    "service_with_article.firma_digital": ((), None),
    "service_with_article.estampado_cronologico": ((), None),
    # triage of a problem
    "triage.critical_reason": ((), None),
    "triage.not_critical_reason": ((), SENTENCE),
    "triage.not_critical_open": ((), SENTENCE),
    "triage.open": ((), SENTENCE),
    "triage.undecided_closed": ((), SENTENCE),
    "checklist.service": (("service",), None),
    "checklist.any_service": ((), None),
    "checklist.what_happened": ((), None),
    "checklist.not_blocking": ((), None),
    "checklist.identity": ((), None),
    # "¿Se refiere a …?": a button's title for each intent offered
    "did_you_mean.ask_contact": ((), None),
    "did_you_mean.ask_opening_hours": ((), None),
    "did_you_mean.ask_open_now": ((), None),
    "did_you_mean.request_support": ((), None),
    "did_you_mean.report_problem": ((), None),
    "did_you_mean.report_critical_incident": ((), None),
    "did_you_mean.submit_pqrsa": ((), None),
    "did_you_mean.request_escalation": ((), None),
    "did_you_mean.escalate_to_coordinator": ((), None),
    "did_you_mean.ask_escalation_levels": ((), None),
    "did_you_mean.request_human": ((), None),
    "did_you_mean.ask_price": ((), None),
    "did_you_mean.ask_case_status": ((), None),
    # people and incidents
    "wait.under_a_minute": ((), None),
    "wait.one_minute": ((), None),
    "wait.minutes": (("minutes",), None),
    "incident.update": (("update",), OPEN),
    "incident.estimate": (("estimate",), OPEN),
}
# key -> how many words the list must have (None: one or more)
LISTS: dict[str, int | None] = {
    "weekdays": 7,
    "weekdays_plural": 7,
    "weekdays_short": 7,
    "months": 12,
    "feminine_names": None,
}


class PhrasesConfigError(ConfigFileError):
    """The phrases file is missing, unreadable or invalid."""


@dataclass(frozen=True)
class Phrases:
    """The validated templates and word lists of a phrases file."""

    source: str
    templates: Mapping[str, str]
    lists: Mapping[str, tuple[str, ...]]

    def __call__(self, key: str, **values: object) -> str:
        """The template ``key`` filled with ``values`` (exactly its placeholders)."""
        return self.templates[key].format(**values)

    def words(self, key: str) -> tuple[str, ...]:
        """A word list ("weekdays", "months", …)."""
        return self.lists[key]


def phrases_path_from_env(environ: Mapping[str, str] = os.environ) -> Path:
    """The phrases file to use: ``$ASSISTANT_PHRASES_FILE`` or the default."""
    value = environ.get(PHRASES_FILE_ENV, "").strip()
    return Path(value) if value else DEFAULT_PHRASES_FILE


@lru_cache(maxsize=1)
def phrases() -> Phrases:
    """The validated phrases, loaded once per process."""
    return load_phrases(phrases_path_from_env())


def load_phrases(path: Path | str = DEFAULT_PHRASES_FILE) -> Phrases:
    """Read and validate a phrases file.

    Raises:
        PhrasesConfigError: naming the file, the key and what is allowed.
    """
    path = Path(path)
    return build_phrases(read_yaml(path, PhrasesConfigError), str(path))


def build_phrases(data: Any, source: str = "<memory>") -> Phrases:
    """Validate parsed YAML against :data:`TEMPLATES` and :data:`LISTS`."""
    if not isinstance(data, Mapping):
        raise PhrasesConfigError(source, "(file)", "must be a mapping of named phrases (key: value lines).")
    flat = _flatten(data, source)
    unknown = sorted(set(flat) - set(TEMPLATES) - set(LISTS))
    if unknown:
        raise PhrasesConfigError(source, unknown[0], "is not a phrase the assistant uses.",
                                 _nearby(unknown[0]))
    missing = [key for key in (*TEMPLATES, *LISTS) if key not in flat]
    if missing:
        raise PhrasesConfigError(source, missing[0], "is missing"
                                 + (f" (and {len(missing) - 1} more: {', '.join(missing[1:4])}…)." if len(missing) > 1
                                    else "."))
    templates = {key: _template(source, key, flat[key]) for key in TEMPLATES}
    lists = {key: _list(source, key, flat[key]) for key in LISTS}
    return Phrases(source, templates, lists)


def _flatten(data: Mapping[Any, Any], source: str, prefix: str = "") -> dict[str, Any]:
    """Nested sections as dotted keys ("when: {today: …}" -> "when.today"); lists are values."""
    flat: dict[str, Any] = {}
    for raw_key, value in data.items():
        if not isinstance(raw_key, str) or not raw_key:
            raise PhrasesConfigError(source, f"{prefix}{raw_key!r}", "keys must be names (text).")
        key = f"{prefix}{raw_key}"
        if isinstance(value, Mapping) and key not in TEMPLATES and key not in LISTS:
            flat.update(_flatten(value, source, key + "."))
        else:
            flat[key] = value
    return flat


def _template(source: str, key: str, value: Any) -> str:
    wanted, ending = TEMPLATES[key]
    allowed = ", ".join("{" + name + "}" for name in wanted) or "none"
    if not isinstance(value, str) or not value.strip():
        raise PhrasesConfigError(source, key, f"must be a non-empty text in quotes, got {value!r}.")
    if value != value.strip():
        raise PhrasesConfigError(source, key, "starts or ends with a space or a line break; remove it.")
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(value)
                  if name is not None]
    except ValueError as exc:
        raise PhrasesConfigError(source, key, f"has a brace that opens or closes nothing ({exc}).",
                                 f"placeholders {allowed}; write {{{{ or }}}} for a brace") from None
    for name, spec, conversion in fields:
        if spec or conversion or name not in wanted:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise PhrasesConfigError(source, key, f"unknown placeholder {shown}.", allowed)
    used = {name for name, _, _ in fields}
    absent = [name for name in wanted if name not in used]
    if absent:
        raise PhrasesConfigError(source, key, f"must keep the placeholder {{{absent[0]}}} (the assistant fills it).",
                                 allowed)
    if ending == SENTENCE and not value.endswith((".", "?", "!")):
        raise PhrasesConfigError(source, key, "is a whole sentence: end it with a period.")
    if ending == OPEN and value.endswith("."):
        raise PhrasesConfigError(source, key, "must not end with a period: the assistant adds it "
                                 "(and does not double the one of \"p. m.\").")
    return value


def _list(source: str, key: str, value: Any) -> tuple[str, ...]:
    size = LISTS[key]
    if not isinstance(value, list) or not value:
        raise PhrasesConfigError(source, key, f"must be a list (- word lines), got {value!r}.")
    if size is not None and len(value) != size:
        raise PhrasesConfigError(source, key, f"must have {size} words, got {len(value)}.")
    for i, word in enumerate(value):
        if not isinstance(word, str) or not word.strip() or word != word.strip():
            raise PhrasesConfigError(source, f"{key}[{i}]", f"must be a word without spaces around it, got {word!r}.")
    return tuple(value)


def _nearby(key: str) -> str:
    """The keys of the same section, to say what the file may have there."""
    section = key.rsplit(".", 1)[0] + "." if "." in key else ""
    names = [k for k in (*TEMPLATES, *LISTS) if k.startswith(section)] if section else []
    return ", ".join(names) if names else "the keys listed in docs/wording.md"
