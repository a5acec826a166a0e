"""The assistant's clock: fixed by ``ASSISTANT_NOW`` or the system clock.

The schedule model never reads the time; the action server asks this module
once per request and passes the moment in.

``ASSISTANT_NOW_FILE`` names a file holding a moment in the same format, read on
every request: a running action server's clock can then be moved without a
restart (the live tests and the corpus runner play conversations at about sixty
moments with one action server; a demo can show the night mode). When the file is
missing or empty, ``ASSISTANT_NOW`` or the system clock applies.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

BOGOTA = ZoneInfo("America/Bogota")
CLOCK_ENV = "ASSISTANT_NOW"
CLOCK_FILE_ENV = "ASSISTANT_NOW_FILE"


class ClockConfigError(ValueError):
    """``ASSISTANT_NOW`` is set but is not an ISO-8601 moment."""


def parse_moment(value: str, default_tz: ZoneInfo = BOGOTA) -> datetime:
    """Parse an ISO-8601 moment; a naive value is taken as Bogotá time.

    "2026-12-05T10:00" → 10:00 in Bogotá; "2026-12-05T15:00Z" → 10:00 in Bogotá.

    Raises:
        ClockConfigError: if the text is not an ISO-8601 date-time.
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"  # Python 3.10's fromisoformat does not take "Z"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ClockConfigError(
            f"{CLOCK_ENV}={value!r} is not an ISO-8601 moment; "
            "use e.g. 2026-12-05T10:00 (Bogotá time) or 2026-12-05T15:00+00:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=default_tz)
    return moment.astimezone(default_tz)


def fixed_moment(environ: Mapping[str, str] = os.environ) -> datetime | None:
    """The moment fixed by ``ASSISTANT_NOW_FILE`` or ``ASSISTANT_NOW``, or None when neither is set."""
    path = environ.get(CLOCK_FILE_ENV, "").strip()
    if path:
        try:
            with open(path, encoding="utf-8") as handle:
                value = handle.read(200).strip()
        except FileNotFoundError:
            value = ""
        if value:
            return parse_moment(value)
    value = environ.get(CLOCK_ENV, "").strip()
    return parse_moment(value) if value else None


def now(environ: Mapping[str, str] = os.environ) -> datetime:
    """The current moment in Bogotá: ``ASSISTANT_NOW`` if set, else the system clock."""
    fixed = fixed_moment(environ)
    if fixed is not None:
        return fixed
    return datetime.now(timezone.utc).astimezone(BOGOTA)
