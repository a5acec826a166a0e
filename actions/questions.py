"""Reading the customer's reply to a guided question (triage, hand-off summary).

``question_form`` waits for one reply; this validation action asks the core
(``helpdesk.triage.read_reply``) what the reply says. A reply that answers the
pending question fills the slots and ends the wait. A reply that answers nothing
is rejected, so the rules can treat it as a digression ("¿y el teléfono?"), a
cancel, or a misunderstanding — but only once: after the question was asked again
in other words, a second unreadable reply moves on without that answer.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from helpdesk.triage import read_reply

# Intents that are another question, answered in the middle of the flow: not an attempt.
DIGRESSIONS = {
    "ask_contact", "ask_opening_hours", "ask_open_now", "request_support", "submit_pqrsa",
    "ask_escalation_levels", "ask_repeat", "ask_help", "bot_challenge", "out_of_scope", "greet", "thank",
    "cancel", "goodbye", "request_human", "request_escalation", "escalate_to_coordinator",
}


def reasked_for_this_message(events: list[dict[str, Any]]) -> bool:
    """Whether the question was just asked again for the latest message.

    Rasa runs the form (and this validation) once more right after
    ``utter_request_question_again``, with the same latest message: that run must
    not count the message a second time, or the first unreadable reply would skip
    the question at once.
    """
    for event in reversed(events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") == "utter_request_question_again":
            return True
    return False


def asked_again(events: list[dict[str, Any]]) -> bool:
    """Whether the pending question was already asked a second time (after a reply it could not read)."""
    for event in reversed(events):
        if event.get("event") == "slot" and event.get("name") == "pending_question":
            return False
        if event.get("event") == "action" and event.get("name") == "utter_request_question_again":
            return True
    return False


class ValidateQuestionForm(Action):
    """Validation action of question_form: interprets one reply."""

    def name(self) -> str:
        return "validate_question_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        pending: str | None = tracker.get_slot("pending_question")
        if tracker.get_slot("requested_slot") is None or not pending:
            return []  # the form is being activated: the question was just asked
        if reasked_for_this_message(tracker.events):
            return []  # the question was just asked again: wait for the next reply
        message = tracker.latest_message or {}
        intent = message.get("intent") or {}
        name = intent.get("name") or ""
        confidence = float(intent.get("confidence") or 0.0)
        filled = read_reply(pending, message.get("text") or "", name, confidence, message.get("entities") or [])
        skip = filled.pop("skip", False)
        if "problem_description" in filled and pending != "problem_description" and tracker.get_slot("problem_description"):
            del filled["problem_description"]  # a description given earlier stays
        if not filled and not skip:
            if name in DIGRESSIONS and confidence >= 0.5 or not asked_again(tracker.events):
                return []  # rejected: the rules decide what the message was
            skip = True  # asked twice already: move on with what is known
        events: list[EventType] = [SlotSet(slot, value) for slot, value in filled.items()]
        if skip:
            skipped = list(tracker.get_slot("skipped_questions") or [])
            events.append(SlotSet("skipped_questions", skipped + [pending]))
        events.append(SlotSet("answer_received", pending))
        return events
