"""Escalation: the case number (optional), then the level that fits."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.runtime import answer_events, now, schedule
from helpdesk import answers, triage


class ActionEscalationStep(Action):
    """Starts or continues an escalation; the rules say the question or the contacts."""

    def name(self) -> str:
        return "action_escalation_step"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        intent = (message.get("intent") or {}).get("name")
        if tracker.latest_action_name != "question_form":
            # A new escalation request: start from what the message says.
            case_number = triage.extract_case_number(text)
            wants_coordinator = intent == "escalate_to_coordinator"
            contacted = True if (case_number or wants_coordinator or triage.mentions_prior_contact(text)) else None
            case_asked = False
        else:
            case_number = tracker.get_slot("case_number")
            wants_coordinator = bool(tracker.get_slot("wants_coordinator"))
            contacted = tracker.get_slot("support_contacted")
            case_asked = bool(tracker.get_slot("case_number_asked"))

        question = triage.next_escalation_question(case_number, contacted, wants_coordinator, case_asked)
        if question is None:
            level = triage.escalation_level(wants_coordinator, contacted)
            answer = answers.escalation_answer(schedule(), now(), level, case_number or None)
        else:
            answer = answers.Answer("escalation_question")
        return answer_events(answer, tracker) + [
            SlotSet("case_number", case_number),
            SlotSet("case_number_asked", case_asked),
            SlotSet("support_contacted", contacted),
            SlotSet("wants_coordinator", wants_coordinator),
            SlotSet("question_flow", "escalation"),
            SlotSet("question_pending", question is not None),
            SlotSet("pending_question", question),
            SlotSet("answer_received", None),
        ]
