"""A reported problem or incident: the 24/7 line, the open channels, or the next triage question.

The decision is ``helpdesk.triage_flow.decide``; here the tracker is read, an agent is
called for a critical incident during chat hours, and the decision becomes slot events.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import can_hand_off, hand_off
from actions.runtime import answer_events, now, schedule
from helpdesk import dialogue, triage_flow

SLOTS_READ = ("affected_service", "operation_blocked", "problem_description", "skipped_questions")


class ActionTriageStep(Action):
    """Starts or continues the triage; the rules say the question or the result.

    A critical incident in the website widget during chat hours is also handed to
    an agent (the customer still gets the 24/7 line first).
    """

    def name(self) -> str:
        return "action_triage_step"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message = tracker.latest_message or {}
        turn = triage_flow.decide(
            message.get("text") or "", message.get("entities") or [],
            continuing=tracker.latest_action_name == "question_form",
            slots={name: tracker.get_slot(name) for name in SLOTS_READ},
            previous=dialogue.Topic.from_slot(tracker.get_slot("topic")),
            schedule=schedule(), now=now(),
        )
        if turn.reply is not None:
            return answer_events(turn.reply.answer, tracker) + [
                SlotSet("question_flow", "triage"), SlotSet("question_pending", False),
                SlotSet("pending_question", None), SlotSet("topic", turn.topic.to_slot()),
            ]
        step = turn.step
        answer = step.answer
        if answer.kind == "critical_with_open" and can_hand_off(tracker):
            accepted, _ = await hand_off(tracker, "critical_incident")
            if accepted:
                answer.kind = "critical_with_handoff"
        return answer_events(answer, tracker) + [
            SlotSet("affected_service", step.known.service),
            SlotSet("operation_blocked", step.known.operation_blocked),
            SlotSet("problem_description", step.known.description),
            SlotSet("skipped_questions", list(turn.skipped) if step.question else []),
            SlotSet("question_flow", "triage"),
            SlotSet("question_pending", step.question is not None),
            SlotSet("pending_question", step.question),
            SlotSet("answer_received", None),
            SlotSet("topic", turn.topic.to_slot()),
        ]
