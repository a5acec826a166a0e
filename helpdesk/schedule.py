"""The schedule model: channels, weekly hours, festivos and the queries on them.

All moments are timezone-aware datetimes; they are converted to the schedule's
timezone (America/Bogota) before any rule is applied. Opening ranges are
half-open, ``[start, end)``: a channel published as "7 a. m. a 7 p. m." is open
at 18:59 and closed at 19:00.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from helpdesk.phrases import phrases

MINUTES_PER_DAY = 24 * 60
REQUEST_TYPES = ("support", "critical", "pqrsa")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# How far ahead next-opening searches look. A channel closed for longer than
# this is reported as having no next opening rather than searched forever.
SEARCH_HORIZON_DAYS = 370


@dataclass(frozen=True)
class TimeRange:
    """An opening range within one day, in minutes since midnight, end exclusive."""

    start: int
    end: int

    def contains(self, minute: int) -> bool:
        """Whether the minute of the day falls inside the range."""
        return self.start <= minute < self.end


def dial_number(published: str) -> str | None:
    """The international form of a published Colombian number, or None.

    "(601) 7442727" -> "+576017442727"; "(57) 318 717 49 37" -> "+573187174937".
    The same rule as the widget's tel: links (web/public/widget.js, telHref).
    """
    digits = re.sub(r"\D", "", published)
    if len(digits) == 12 and digits.startswith("57"):
        return "+" + digits
    if len(digits) == 10:
        return "+57" + digits
    return None


@dataclass(frozen=True)
class Contact:
    """One way of reaching a channel, as published."""

    kind: str  # "phone", "email" or "url"
    value: str
    instructions: str | None = None
    extensions: tuple[str, ...] = ()

    @property
    def href(self) -> str:
        """A link a chat client can open: ``tel:``, ``mailto:`` or the URL."""
        if self.kind == "phone":
            return f"tel:{dial_number(self.value)}"
        if self.kind == "email":
            return f"mailto:{self.value}"
        return self.value


@dataclass(frozen=True)
class Channel:
    """A support channel with its contacts, request types and weekly hours."""

    id: str
    name: str
    request_types: frozenset[str]
    contacts: tuple[Contact, ...]
    weekly_hours: Mapping[int, tuple[TimeRange, ...]]  # weekday (Monday=0) -> ranges
    closed_on_holidays: bool = True
    accepts_messages_when_closed: bool = False
    # The name once the full name was said ("el chat" after "chat en línea con asesores").
    short_name: str = ""

    @property
    def always_open(self) -> bool:
        """Open every minute of every day, festivos included (the 24/7 line)."""
        return not self.closed_on_holidays and all(
            self.weekly_hours.get(d) == (TimeRange(0, MINUTES_PER_DAY),) for d in range(7)
        )


@dataclass(frozen=True)
class EscalationLevel:
    """A level of the escalation ladder."""

    id: str
    level: int
    name: str
    channel_ids: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()
    # The page publishes no hours for levels 2 and 3; the assistant suggests
    # calling within the hours of this channel and says that it is a suggestion.
    hours_from: str | None = None


@dataclass(frozen=True)
class ClosedDay:
    """A company-specific day without service, with the reason customers see."""

    day: date
    reason: str


@dataclass(frozen=True)
class Opening:
    """The next moment at which some channels open."""

    moment: datetime
    channels: tuple[Channel, ...]


@dataclass
class Schedule:
    """Channels and their hours, with the queries the assistant needs.

    Build it with :func:`helpdesk.loader.load_schedule`, which validates the
    YAML file; the constructor trusts its arguments.
    """

    channels: dict[str, Channel]
    escalation_levels: dict[str, EscalationLevel]
    timezone: ZoneInfo
    holiday_country: str = "CO"
    company_closed_days: dict[date, ClosedDay] = field(default_factory=dict)
    source: str = "<memory>"

    # ----------------------------------------------------------------- time

    def local(self, moment: datetime) -> datetime:
        """The moment in the schedule's timezone. Naive datetimes are refused.

        Raises:
            ValueError: if ``moment`` has no timezone.
        """
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(
                f"the schedule needs a timezone-aware datetime, got naive {moment.isoformat()}"
            )
        return moment.astimezone(self.timezone)

    def holiday_name(self, day: date) -> str | None:
        """The Spanish name of the Colombian festivo on ``day``, if it is one.

        Festivos moved to a Monday keep their own name: the library's "(observado)"
        suffix is an English-calendar notion customers do not use.
        """
        return _holidays_for(self.holiday_country, day.year).get(day)

    def holidays_of_year(self, year: int) -> Mapping[date, str]:
        """Every festivo of a year, date -> Spanish name."""
        return _holidays_for(self.holiday_country, year)

    def closure_reason(self, day: date) -> str | None:
        """Why regular channels are closed all ``day``: a company closed day or a festivo.

        Company closed days take precedence so their own reason is shown.
        """
        closed = self.company_closed_days.get(day)
        if closed is not None:
            return closed.reason
        name = self.holiday_name(day)
        if name is not None:
            return phrases()("holiday.reason", name=name)  # "festivo (Navidad)"
        return None

    # ----------------------------------------------------------- channels

    def channel(self, channel_id: str) -> Channel:
        """The channel with this id.

        Raises:
            KeyError: naming the unknown id and the known ones.
        """
        try:
            return self.channels[channel_id]
        except KeyError:
            known = ", ".join(self.channels)
            raise KeyError(f"unknown channel {channel_id!r}; known: {known}") from None

    def channels_for(self, request_type: str) -> list[Channel]:
        """Channels that take a request type, in the order of the file."""
        _check_request_type(request_type)
        return [c for c in self.channels.values() if request_type in c.request_types]

    def hours_on(self, channel_id: str, day: date) -> tuple[TimeRange, ...]:
        """The opening ranges of a channel on a calendar day (empty when closed).

        Festivos and company closed days close every channel marked
        ``closed_on_holidays``; they take precedence over the weekly hours.
        """
        channel = self.channel(channel_id)
        if channel.closed_on_holidays and self.closure_reason(day) is not None:
            return ()
        return channel.weekly_hours.get(day.weekday(), ())

    def is_open(self, channel_id: str, moment: datetime) -> bool:
        """Whether the channel attends at ``moment``."""
        local = self.local(moment)
        minute = local.hour * 60 + local.minute
        return any(r.contains(minute) for r in self.hours_on(channel_id, local.date()))

    def open_channels(self, request_type: str, moment: datetime) -> list[Channel]:
        """Channels that take ``request_type`` and are open at ``moment``."""
        return [c for c in self.channels_for(request_type) if self.is_open(c.id, moment)]

    def closing_time(self, channel_id: str, moment: datetime) -> datetime | None:
        """When the opening period that contains ``moment`` ends.

        None if the channel is closed at ``moment``, or if it does not close
        within the search horizon (the 24/7 line).
        """
        if not self.is_open(channel_id, moment):
            return None
        local = self.local(moment)
        minute = local.hour * 60 + local.minute
        day = local.date()
        end = next(r.end for r in self.hours_on(channel_id, day) if r.contains(minute))
        for _ in range(SEARCH_HORIZON_DAYS):
            if end < MINUTES_PER_DAY:
                return self._at(day, end)
            # Open until midnight: the period goes on if the next day opens at 00:00.
            day += timedelta(days=1)
            following = self.hours_on(channel_id, day)
            if not following or following[0].start != 0:
                return self._at(day, 0)
            end = following[0].end
        return None

    def next_opening(self, channel_id: str, after: datetime) -> datetime | None:
        """The first moment at or after ``after`` at which the channel opens.

        "Opens" means the start of an opening period; a period that runs past
        midnight into the next day is one period, so the 24/7 line never
        "opens" again and gets None. A channel open at ``after`` gets the
        start of its *next* period.
        """
        local = self.local(after)
        day = local.date()
        for offset in range(SEARCH_HORIZON_DAYS):
            current = day + timedelta(days=offset)
            for r in self.hours_on(channel_id, current):
                if r.start == 0 and self._open_at_previous_midnight(channel_id, current):
                    continue  # continuation of yesterday's period, not an opening
                start = self._at(current, r.start)
                if start >= local:
                    return start
        return None

    def next_opening_for(self, request_type: str, after: datetime) -> Opening | None:
        """The earliest next opening among the channels that take ``request_type``.

        Returns the moment and every such channel that opens then.
        """
        found: dict[datetime, list[Channel]] = {}
        for channel in self.channels_for(request_type):
            moment = self.next_opening(channel.id, after)
            if moment is not None:
                found.setdefault(moment, []).append(channel)
        if not found:
            return None
        first = min(found)
        return Opening(first, tuple(found[first]))

    # -------------------------------------------------------- escalation

    def escalation_level(self, level_id: str) -> EscalationLevel:
        """The escalation level with this id (support_group, supervisor, coordinator)."""
        try:
            return self.escalation_levels[level_id]
        except KeyError:
            known = ", ".join(self.escalation_levels)
            raise KeyError(f"unknown escalation level {level_id!r}; known: {known}") from None

    # ------------------------------------------------------------ helpers

    def _at(self, day: date, minute: int) -> datetime:
        if minute >= MINUTES_PER_DAY:
            return datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.timezone)
        return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.timezone)

    def _open_at_previous_midnight(self, channel_id: str, day: date) -> bool:
        previous = self.hours_on(channel_id, day - timedelta(days=1))
        return bool(previous) and previous[-1].end == MINUTES_PER_DAY


def _check_request_type(request_type: str) -> None:
    if request_type not in REQUEST_TYPES:
        raise ValueError(
            f"unknown request type {request_type!r}; allowed: {', '.join(REQUEST_TYPES)}"
        )


@lru_cache(maxsize=32)
def _holidays_for(country: str, year: int) -> Mapping[date, str]:
    # One holidays object per (country, year): cheap to query, built once.
    return {
        day: name.replace(" (observado)", "").strip()
        for day, name in holidays.country_holidays(country, years=year, language="es").items()
    }
