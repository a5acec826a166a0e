"""What every action needs: the validated schedule, the current moment, the message, slot events."""

from __future__ import annotations

import logging
import os
import sys
from datetime import datetime
from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from helpdesk import clock
from helpdesk.answers import Answer
from helpdesk.dialogue import Reply
from helpdesk.lexicon import LexiconError, lexicon
from helpdesk.loader import ScheduleConfigError, load_schedule, schedule_path_from_env
from helpdesk.message import Message
from helpdesk.phrases import PhrasesConfigError, phrases
from helpdesk.priority import Understanding
from helpdesk.schedule import Schedule

logger = logging.getLogger(__name__)

# Slots that carry the variables of one answer; all are cleared when a new
# answer is given so no value of an earlier answer leaks into a response.
ANSWER_SLOTS = (
    "channel_details", "day_label", "day_schedule", "closed_reason", "status", "next_holiday",
    "open_channels", "next_opening", "email", "priority_contact", "priority_reason",
    "request_type_label", "pqrsa_details", "levels", "level_details", "case_note", "chat_hours",
    "triage_reason", "email_summary", "option_1_title", "option_1_payload",
    "option_2_title", "option_2_payload", "option_3_title", "option_3_payload", "service_label",
    "service_id", "incident_service", "incident_since", "incident_message", "incident_update", "incident_estimate",
)


@lru_cache(maxsize=1)
def schedule() -> Schedule:
    """The validated schedule, loaded once per process."""
    return load_schedule(schedule_path_from_env())


def now() -> datetime:
    """The moment of this request: ASSISTANT_NOW if set, else the clock, in Bogotá."""
    return clock.now()


def startup_check(exit_on_error: bool = True) -> Schedule | None:
    """Validate the schedule file, the phrases file (schedule/phrases.yml) and ASSISTANT_NOW;
    stop the server if one is invalid."""
    try:
        loaded = schedule()
        wording = phrases()
        fixed = clock.fixed_moment()
        words = lexicon()
    except (ScheduleConfigError, PhrasesConfigError, clock.ClockConfigError, LexiconError) as exc:
        message = f"The action server cannot start: {exc}"
        if exit_on_error:
            print(message, file=sys.stderr, flush=True)
            raise SystemExit(2) from None
        logger.error(message)
        return None
    logger.info(
        "Schedule loaded from %s (%d channels); phrases from %s (%d); lexicon: %d tables; clock: %s",
        loaded.source,
        len(loaded.channels),
        wording.source,
        len(wording.templates),
        len(words.tables),
        f"fixed at {fixed.isoformat()}" if fixed else "system clock",
    )
    return loaded


def message_of(tracker: Tracker) -> Message:
    """The latest customer message as the conversation core reads it."""
    latest = tracker.latest_message or {}
    intent = latest.get("intent") or {}
    ranking = tuple(
        (r.get("name") or "", float(r.get("confidence") or 0.0)) for r in latest.get("intent_ranking") or []
    )
    return Message(
        intent=intent.get("name") or "",
        text=latest.get("text") or "",
        confidence=float(intent.get("confidence") or 0.0),
        entities=tuple(latest.get("entities") or ()),
        ranking=ranking,
        clauses=tuple(c for c in latest.get("clauses") or () if isinstance(c, dict)),
        channel=tracker.get_latest_input_channel() or "",
    )


async def incidents() -> tuple:
    """The incidents the support team declared in the desk and has not closed (cached a
    few seconds; none when no desk is configured or it does not answer)."""
    from helpdesk.desk_client import DeskClient

    client = DeskClient.from_env()
    return await client.active_incidents() if client is not None else ()


def understanding_of(tracker: Tracker) -> Understanding:
    """The NLU's reading of the latest message (intent, confidence, ranking)."""
    return message_of(tracker).understanding()


def render(answer: Answer, domain: dict[str, Any]) -> dict[str, Any]:
    """The text (and buttons) ``utter_answer`` would say for ``answer``, from domain.yml.

    Used for the earlier answers of a message that asked several things: the last one is
    said by the rule's ``utter_answer`` as always; the ones before it are sent by the
    action, with the same wording. The variation is the one whose conditions hold with
    ``answer_ready`` true and this ``answer_kind``.
    """
    slots = {"answer_ready": True, "answer_kind": answer.kind}
    for variation in (domain.get("responses") or {}).get("utter_answer") or []:
        conditions = variation.get("condition") or []
        if conditions and all(c.get("type") == "slot" and slots.get(c.get("name"), None) == c.get("value")
                              for c in conditions):
            text = variation.get("text") or ""
            for name, value in answer.values.items():
                text = text.replace("{" + name + "}", str(value))
            return {"text": text, "buttons": variation.get("buttons") or []}
    raise KeyError(f"no utter_answer variation for answer_kind {answer.kind!r} in domain.yml")


def say_before(earlier: list[Answer], dispatcher: Any, domain: dict[str, Any]) -> None:
    """Say the answers to the earlier questions of a message, worded by domain.yml (the
    only place where an action sends a message itself)."""
    for answer in earlier:
        rendered = render(answer, domain)
        dispatcher.utter_message(text=rendered["text"], buttons=rendered["buttons"] or None)


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


def reply_events(reply: Reply, tracker: Tracker, dispatcher: Any = None, domain: dict[str, Any] | None = None) -> list[EventType]:
    """The answer's slot events plus the state the next message resolves against; the
    answers to the earlier questions of the message (``reply.before``) are said first."""
    if reply.before and dispatcher is not None and domain is not None:
        say_before(reply.before, dispatcher, domain)
    return answer_events(reply.answer, tracker) + [SlotSet("topic", reply.topic.to_slot())]


TOKEN_ENV = "ACTION_SERVER_TOKEN"


def require_token() -> bool:
    """With ACTION_SERVER_TOKEN set, refuse /webhook calls without it (401).

    rasa_sdk 3.6 has no authentication of its own. Its Sanic app exists when the
    action package is imported (``rasa_sdk.endpoint.create_app`` creates it, then
    registers the actions), so the check is one request middleware on that app.
    Rasa sends the token as ``?token=…`` from ``action_endpoint: {url, token}``.
    Returns whether the check was installed.
    """
    import hmac

    from sanic import Sanic
    from sanic.response import json as json_response

    expected = os.environ.get(TOKEN_ENV, "")
    if not expected:
        return False
    try:
        app = Sanic.get_app("rasa_sdk")
    except Exception:  # imported outside the action server (tests, tools): nothing to protect
        return False

    @app.on_request
    async def check_token(request):
        if request.path == "/health":
            return None
        given = request.args.get("token") or ""
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return json_response({"error": "missing or wrong token"}, status=401)
        return None

    logger.info("Action server calls need the token from %s", TOKEN_ENV)
    return True
