"""Validation action of ``question_form``: one reply to a guided question.

What the reply does is ``helpdesk.questions.judge``; here the tracker is read and
the judgement becomes slot events (see that module for the behaviour).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.runtime import understanding_of
from helpdesk.questions import judge, reasked_for_this_message


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
        judgement = judge(pending, message.get("text") or "", understanding_of(tracker), message.get("entities") or [],
                          tracker.events, has_description=bool(tracker.get_slot("problem_description")))
        if judgement is None:
            return []  # rejected: the rules decide what the message was
        events: list[EventType] = [SlotSet(slot, value) for slot, value in judgement.filled.items()]
        if judgement.skipped:
            skipped = list(tracker.get_slot("skipped_questions") or [])
            events.append(SlotSet("skipped_questions", skipped + [pending]))
        events.append(SlotSet("answer_received", pending))
        return events
