"""The customer's reply to a guided question (triage, hand-off summary), judged without Rasa.

``question_form`` waits for one reply; its validation action (actions/questions.py)
asks ``judge`` what the reply does. A reply that answers the pending question fills
the slots and ends the wait. A reply that answers nothing is rejected, so the rules
can treat it as a digression ("¿y el teléfono?"), a cancel, or a misunderstanding —
but only once: after the question was asked again in other words, a second
unreadable reply moves on without that answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from helpdesk.priority import Understanding
from helpdesk.triage import read_reply

# Intents that are another question, answered in the middle of the flow: not an attempt.
DIGRESSIONS = frozenset({
    "ask_contact", "ask_opening_hours", "ask_open_now", "request_support", "submit_pqrsa",
    "ask_escalation_levels", "ask_repeat", "ask_help", "bot_challenge", "out_of_scope", "greet", "thank",
    "ask_price", "ask_case_status",
    "cancel", "goodbye", "request_human", "request_escalation", "escalate_to_coordinator",
})
DIGRESSION_CONFIDENCE = 0.5
ASK_AGAIN_ACTION = "utter_request_question_again"


def reasked_for_this_message(events: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the question was just asked again for the latest message.

    Rasa runs the form (and its validation) once more right after the question is
    asked again, with the same latest message: that run must not count the message a
    second time, or the first unreadable reply would skip the question at once.
    """
    for event in reversed(events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") == ASK_AGAIN_ACTION:
            return True
    return False


def asked_again(events: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the pending question was already asked a second time (after a reply it could not read)."""
    for event in reversed(events):
        if event.get("event") == "slot" and event.get("name") == "pending_question":
            return False
        if event.get("event") == "action" and event.get("name") == ASK_AGAIN_ACTION:
            return True
    return False


@dataclass(frozen=True)
class Judgement:
    """What a reply does: ``None`` from ``judge`` means rejected (the rules decide)."""

    filled: dict[str, Any] = field(default_factory=dict)  # slots the reply answers
    skipped: bool = False                                 # the question is left without an answer


def judge(pending: str, text: str, nlu: Understanding, entities: Sequence[Mapping[str, Any]],
          events: Sequence[Mapping[str, Any]], has_description: bool) -> Judgement | None:
    """Read one reply to ``pending`` (``events``: the conversation's events, as dicts)."""
    intent, confidence = nlu.intent, nlu.confidence
    filled = read_reply(pending, text, nlu, list(entities))
    skip = bool(filled.pop("skip", False))
    if "problem_description" in filled and pending != "problem_description" and has_description:
        del filled["problem_description"]  # a description given earlier stays
    if not filled and not skip:
        if intent in DIGRESSIONS and confidence >= DIGRESSION_CONFIDENCE or not asked_again(events):
            return None  # rejected: the rules decide what the message was
        skip = True  # asked twice already: move on with what is known
    return Judgement(filled, skip)
