"""Loading and validating the schedule file (``schedule/channels.yml``).

Every problem is reported as a :class:`ScheduleConfigError` that names the
file, the key (as a dotted path) and what is allowed there, so a support
supervisor editing the file can fix it without reading code.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from helpdesk.config_file import ConfigFileError, read_yaml
from helpdesk.schedule import (
    MINUTES_PER_DAY,
    REQUEST_TYPES,
    WEEKDAYS,
    Channel,
    ClosedDay,
    Contact,
    EscalationLevel,
    Schedule,
    TimeRange,
    dial_number,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCHEDULE_FILE = PROJECT_ROOT / "schedule" / "channels.yml"
# Environment variable that points the assistant to another schedule file.
SCHEDULE_FILE_ENV = "ASSISTANT_SCHEDULE_FILE"

# Channels and escalation levels the assistant's answers rely on.
REQUIRED_CHANNELS = ("support_line", "priority_line", "email", "chat", "pqrsa")
REQUIRED_LEVELS = ("support_group", "supervisor", "coordinator")

TOP_LEVEL_KEYS = {
    "timezone": True,
    "holiday_country": False,
    "company_closed_days": False,
    "channels": True,
    "escalation_levels": True,
}
CHANNEL_KEYS = {
    "name": True,
    "short_name": False,
    "request_types": True,
    "contacts": True,
    "hours": True,
    "closed_on_holidays": False,
    "accepts_messages_when_closed": False,
}
LEVEL_KEYS = {"level": True, "name": True, "channels": False, "contacts": False, "hours_from": False}
CONTACT_KEYS = {"kind": True, "value": True, "instructions": False, "extensions": False}
CONTACT_KINDS = ("phone", "email", "url")

_TIME_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)


class ScheduleConfigError(ConfigFileError):
    """The schedule file is missing, unreadable or invalid."""


def schedule_path_from_env(environ: Mapping[str, str] = os.environ) -> Path:
    """The schedule file to use: ``$ASSISTANT_SCHEDULE_FILE`` or the default."""
    value = environ.get(SCHEDULE_FILE_ENV, "").strip()
    return Path(value) if value else DEFAULT_SCHEDULE_FILE


def load_schedule(path: Path | str = DEFAULT_SCHEDULE_FILE) -> Schedule:
    """Read, validate and build the schedule from a YAML file.

    Raises:
        ScheduleConfigError: naming the file, the key and what is allowed.
    """
    path = Path(path)
    return build_schedule(read_yaml(path, ScheduleConfigError), str(path))


def build_schedule(data: Any, source: str = "<memory>") -> Schedule:
    """Validate already-parsed YAML data and build the :class:`Schedule`."""
    v = _Validator(source)
    root = v.mapping(data, "(top level)", TOP_LEVEL_KEYS)

    tz_name = v.string(root["timezone"], "timezone")
    try:
        timezone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise v.error("timezone", f"unknown timezone {tz_name!r}.", "an IANA name such as America/Bogota") from None

    country = v.string(root.get("holiday_country", "CO"), "holiday_country")
    if country not in holidays.list_supported_countries():
        raise v.error("holiday_country", f"unknown country code {country!r}.", "an ISO 3166 code such as CO")

    closed_days = v.closed_days(root.get("company_closed_days") or [])

    raw_channels = v.mapping(root["channels"], "channels")
    channels: dict[str, Channel] = {cid: v.channel(cid, raw) for cid, raw in raw_channels.items()}
    v.require("channels", channels, REQUIRED_CHANNELS, "this channel is missing; the assistant's answers need it.")

    raw_levels = v.mapping(root["escalation_levels"], "escalation_levels")
    levels: dict[str, EscalationLevel] = {lid: v.level(lid, raw, channels) for lid, raw in raw_levels.items()}
    v.require("escalation_levels", levels, REQUIRED_LEVELS, "this escalation level is missing.")
    numbers = [lvl.level for lvl in levels.values()]
    if len(set(numbers)) != len(numbers):
        raise v.error("escalation_levels", "two levels have the same level number.", "distinct numbers 1, 2, 3…")

    return Schedule(
        channels=channels,
        escalation_levels=dict(sorted(levels.items(), key=lambda kv: kv[1].level)),
        timezone=timezone,
        holiday_country=country,
        company_closed_days=closed_days,
        source=source,
    )


class _Validator:
    """Checks pieces of the parsed YAML and raises errors that name the key."""

    def require(self, section: str, found: Mapping[str, Any], required: Sequence[str], problem: str) -> None:
        """Every id of ``required`` is in ``found`` (a section of the file), else the error names it."""
        for name in required:
            if name not in found:
                raise self.error(f"{section}.{name}", problem, ", ".join(required) + " (all required)")

    def __init__(self, source: str):
        self.source = source

    def error(self, key: str, problem: str, allowed: str | None = None) -> ScheduleConfigError:
        return ScheduleConfigError(self.source, key, problem, allowed)

    def mapping(self, value: Any, key: str, schema: Mapping[str, bool] | None = None) -> dict[str, Any]:
        if not isinstance(value, dict) or not value:
            raise self.error(key, f"must be a non-empty mapping (key: value lines), got {_shown(value)}.")
        if schema is not None:
            # Unknown keys first: a misspelt key ("horas") is the real mistake,
            # the "missing" key it should have been follows from it.
            for name in value:
                if name not in schema:
                    raise self.error(_join(key, str(name)), "unknown key.", ", ".join(schema))
            for name, required in schema.items():
                if required and name not in value:
                    raise self.error(_join(key, name), "this required key is missing.", ", ".join(schema))
        return value

    def string(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"must be a non-empty text, got {_shown(value)}.")
        return value.strip()

    def boolean(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, got {_shown(value)}.", "true, false")
        return value

    def closed_days(self, value: Any) -> dict[date, ClosedDay]:
        key = "company_closed_days"
        if not isinstance(value, list):
            raise self.error(key, f"must be a list, got {_shown(value)}.", "- {date: 2026-12-24, reason: ...}")
        days: dict[date, ClosedDay] = {}
        for i, item in enumerate(value):
            item_key = f"{key}[{i}]"
            item = self.mapping(item, item_key, {"date": True, "reason": True})
            raw_day = item["date"]
            if isinstance(raw_day, str):
                try:
                    raw_day = date.fromisoformat(raw_day)
                except ValueError:
                    pass
            if not isinstance(raw_day, date):
                raise self.error(f"{item_key}.date", f"not a date: {_shown(raw_day)}.", "YYYY-MM-DD")
            days[raw_day] = ClosedDay(raw_day, self.string(item["reason"], f"{item_key}.reason"))
        return days

    def channel(self, channel_id: Any, raw: Any) -> Channel:
        key = f"channels.{channel_id}"
        if not isinstance(channel_id, str) or not _ID.match(channel_id):
            raise self.error(key, "channel ids are lowercase words joined by _.", "e.g. support_line")
        raw = self.mapping(raw, key, CHANNEL_KEYS)
        request_types = raw["request_types"]
        if not isinstance(request_types, list) or not request_types:
            raise self.error(f"{key}.request_types", "must be a non-empty list.", ", ".join(REQUEST_TYPES))
        for rt in request_types:
            if rt not in REQUEST_TYPES:
                raise self.error(f"{key}.request_types", f"unknown request type {_shown(rt)}.", ", ".join(REQUEST_TYPES))
        return Channel(
            id=channel_id,
            name=self.string(raw["name"], f"{key}.name"),
            short_name=self.string(raw.get("short_name", raw["name"]), f"{key}.short_name"),
            request_types=frozenset(request_types),
            contacts=self.contacts(raw["contacts"], f"{key}.contacts", required=True),
            weekly_hours=self.hours(raw["hours"], f"{key}.hours"),
            closed_on_holidays=self.boolean(raw.get("closed_on_holidays", True), f"{key}.closed_on_holidays"),
            accepts_messages_when_closed=self.boolean(
                raw.get("accepts_messages_when_closed", False), f"{key}.accepts_messages_when_closed"
            ),
        )

    def contacts(self, value: Any, key: str, required: bool) -> tuple[Contact, ...]:
        if value is None and not required:
            return ()
        if not isinstance(value, list) or (required and not value):
            raise self.error(key, f"must be a non-empty list of contacts, got {_shown(value)}.")
        result = []
        for i, item in enumerate(value):
            item_key = f"{key}[{i}]"
            item = self.mapping(item, item_key, CONTACT_KEYS)
            kind = item["kind"]
            if kind not in CONTACT_KINDS:
                raise self.error(f"{item_key}.kind", f"unknown kind {_shown(kind)}.", ", ".join(CONTACT_KINDS))
            contact_value = self.string(str(item["value"]) if item["value"] is not None else None, f"{item_key}.value")
            if kind == "phone" and dial_number(contact_value) is None:
                raise self.error(f"{item_key}.value", f"not a Colombian phone number: {_shown(contact_value)}.",
                                 "10 digits with the area or mobile code, e.g. (601) 7442727, "
                                 "optionally after (57)")
            if kind == "email" and not _EMAIL.match(contact_value):
                raise self.error(f"{item_key}.value", f"not an e-mail address: {_shown(contact_value)}.")
            if kind == "url" and not contact_value.startswith(("http://", "https://")):
                raise self.error(f"{item_key}.value", f"not a web address: {_shown(contact_value)}.", "http://… or https://…")
            instructions = item.get("instructions")
            if instructions is not None:
                instructions = self.string(instructions, f"{item_key}.instructions")
            extensions = item.get("extensions") or []
            if not isinstance(extensions, list) or not all(str(e).isdigit() for e in extensions):
                raise self.error(f"{item_key}.extensions", f"must be a list of digit strings, got {_shown(extensions)}.", "e.g. [\"1104\", \"1108\"]")
            result.append(Contact(kind, contact_value, instructions, tuple(str(e) for e in extensions)))
        return tuple(result)

    def hours(self, value: Any, key: str) -> dict[int, tuple[TimeRange, ...]]:
        if not isinstance(value, dict) or not value:
            raise self.error(key, f"must map weekdays to lists of \"HH:MM-HH:MM\" ranges, got {_shown(value)}.", ", ".join(WEEKDAYS))
        weekly: dict[int, tuple[TimeRange, ...]] = {}
        for day_name, ranges in value.items():
            day_key = f"{key}.{day_name}"
            if day_name not in WEEKDAYS:
                raise self.error(day_key, f"unknown weekday {_shown(day_name)}.", ", ".join(WEEKDAYS))
            if isinstance(ranges, str):
                ranges = [ranges]
            if not isinstance(ranges, list) or not ranges:
                raise self.error(day_key, f"must be a list of \"HH:MM-HH:MM\" ranges, got {_shown(ranges)}.", "e.g. [\"07:00-19:00\"]")
            parsed = sorted((self.time_range(r, day_key) for r in ranges), key=lambda r: r.start)
            merged: list[TimeRange] = []
            for r in parsed:
                if merged and r.start < merged[-1].end:
                    raise self.error(day_key, f"ranges overlap: {_fmt(merged[-1])} and {_fmt(r)}.", "ranges that do not overlap")
                if merged and r.start == merged[-1].end:
                    merged[-1] = TimeRange(merged[-1].start, r.end)  # adjacent: one period
                else:
                    merged.append(r)
            weekly[WEEKDAYS.index(day_name)] = tuple(merged)
        return weekly

    def time_range(self, value: Any, key: str) -> TimeRange:
        match = _TIME_RANGE.match(value) if isinstance(value, str) else None
        if not match:
            raise self.error(key, f"not a time range: {_shown(value)}.", "\"HH:MM-HH:MM\" in 24-hour time, e.g. \"07:00-19:00\"")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        for h, m in ((h1, m1), (h2, m2)):
            if h > 24 or m > 59 or (h == 24 and m != 0):
                raise self.error(key, f"invalid time {h:02d}:{m:02d} in {_shown(value)}.", "00:00 to 23:59, and 24:00 as an end")
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if start == MINUTES_PER_DAY:
            raise self.error(key, f"a range cannot start at 24:00: {_shown(value)}.", "starts from 00:00 to 23:59")
        if end <= start:
            raise self.error(key, f"the range ends before it starts: {_shown(value)}.", "a start earlier than the end, e.g. \"07:00-19:00\"")
        return TimeRange(start, end)

    def level(self, level_id: Any, raw: Any, channels: Mapping[str, Channel]) -> EscalationLevel:
        key = f"escalation_levels.{level_id}"
        if not isinstance(level_id, str) or not _ID.match(level_id):
            raise self.error(key, "level ids are lowercase words joined by _.", "e.g. supervisor")
        raw = self.mapping(raw, key, LEVEL_KEYS)
        number = raw["level"]
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise self.error(f"{key}.level", f"must be a whole number from 1, got {_shown(number)}.")
        channel_ids = raw.get("channels") or []
        if not isinstance(channel_ids, list):
            raise self.error(f"{key}.channels", f"must be a list of channel ids, got {_shown(channel_ids)}.", ", ".join(channels))
        for cid in channel_ids:
            if cid not in channels:
                raise self.error(f"{key}.channels", f"unknown channel {_shown(cid)}.", ", ".join(channels))
        contacts = self.contacts(raw.get("contacts"), f"{key}.contacts", required=False)
        if not channel_ids and not contacts:
            raise self.error(key, "a level needs channels or contacts.", "channels: [...] and/or contacts: [...]")
        hours_from = raw.get("hours_from")
        if hours_from is not None and hours_from not in channels:
            raise self.error(f"{key}.hours_from", f"unknown channel {_shown(hours_from)}.", ", ".join(channels))
        return EscalationLevel(
            id=level_id,
            level=number,
            name=self.string(raw["name"], f"{key}.name"),
            channel_ids=tuple(channel_ids),
            contacts=contacts,
            hours_from=hours_from,
        )


def _join(key: str, name: str) -> str:
    return name if key == "(top level)" else f"{key}.{name}"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _fmt(r: TimeRange) -> str:
    return f"{r.start // 60:02d}:{r.start % 60:02d}-{r.end // 60:02d}:{r.end % 60:02d}"
