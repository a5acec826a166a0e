"""What every action needs: the validated schedule and the current moment."""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from helpdesk import clock
from helpdesk.answers import Answer
from helpdesk.loader import ScheduleConfigError, load_schedule, schedule_path_from_env
from helpdesk.schedule import Schedule

logger = logging.getLogger(__name__)

# Slots that carry the variables of one answer; all are cleared when a new
# answer is given so no value of an earlier answer leaks into a response.
ANSWER_SLOTS = (
    "channel_details", "day_label", "day_schedule", "closed_reason", "status", "next_holiday",
    "open_channels", "next_opening", "email", "priority_contact", "priority_reason",
    "request_type_label", "pqrsa_details", "levels", "level_details", "case_note", "chat_hours",
    "triage_reason", "email_summary", "mailto_link",
)


@lru_cache(maxsize=1)
def schedule() -> Schedule:
    """The validated schedule, loaded once per process."""
    return load_schedule(schedule_path_from_env())


def now() -> datetime:
    """The moment of this request: ASSISTANT_NOW if set, else the clock, in Bogotá."""
    return clock.now()


def startup_check(exit_on_error: bool = True) -> Schedule | None:
    """Validate the schedule file and ASSISTANT_NOW; stop the server if invalid."""
    try:
        loaded = schedule()
        fixed = clock.fixed_moment()
    except (ScheduleConfigError, clock.ClockConfigError) as exc:
        message = f"The action server cannot start: {exc}"
        if exit_on_error:
            print(message, file=sys.stderr, flush=True)
            raise SystemExit(2) from None
        logger.error(message)
        return None
    logger.info(
        "Schedule loaded from %s (%d channels); clock: %s",
        loaded.source,
        len(loaded.channels),
        f"fixed at {fixed.isoformat()}" if fixed else "system clock",
    )
    return loaded


def answer_events(answer: Answer, tracker: Tracker, **extra: Any) -> list[EventType]:
    """Slot events that make the rule's response say ``answer``.

    Answer variables this answer does not use are reset to None, but only those that
    hold a value: every event is stored and replayed by the tracker store, and
    resetting all twenty variables on every turn made most of them.
    """
    values: dict[str, Any] = {name: None for name in ANSWER_SLOTS if tracker.get_slot(name) is not None}
    values.update(answer.values)
    values.update(extra)
    events = [SlotSet(name, value) for name, value in values.items()]
    events += [SlotSet("answer_kind", answer.kind), SlotSet("answer_ready", True)]
    return events
