"""Informational answers: contact data, hours, who attends now, PQRSA, levels."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import can_hand_off, hand_off
from actions.runtime import answer_events, now, schedule
from helpdesk import answers
from helpdesk.understanding import entity_values, requested_channels, values_in_text

# Intents answered as a short acknowledgement when they interrupt a question.
_ACKNOWLEDGED = {"greet": "acknowledge", "thank": "acknowledge", "bot_challenge": "bot",
                 "ask_help": "in_form_help", "out_of_scope": "in_form_help"}


def answer_for(intent: str, text: str, entities: list[dict[str, Any]]) -> answers.Answer:
    """The answer to an informational message, from its intent and entities."""
    sched, moment = schedule(), now()
    channels = requested_channels(entities, text)
    if intent == "ask_contact":
        return answers.contact_answer(sched, channels, moment)
    if intent == "ask_opening_hours":
        days = entity_values(entities, "day") or values_in_text(text, "day")
        return answers.hours_answer(sched, channels, days[0] if days else None, moment)
    if intent == "ask_open_now":
        return answers.open_now_answer(sched, moment)
    if intent == "request_support":
        return answers.support_answer(sched, moment)
    if intent == "submit_pqrsa":
        types = entity_values(entities, "request_type") or values_in_text(text, "request_type")
        return answers.pqrsa_answer(sched, types[0] if types else None, moment)
    if intent == "ask_escalation_levels":
        return answers.escalation_levels_answer(sched, moment)
    if intent in _ACKNOWLEDGED:
        return answers.Answer(_ACKNOWLEDGED[intent])
    # Any other intent routed here gets the ordinary support channels.
    return answers.contact_answer(sched, [], moment)


class ActionAnswerQuestion(Action):
    """Computes the answer to an informational question; `utter_answer` says it."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name") or ""
        answer = answer_for(intent, message.get("text") or "", message.get("entities") or [])
        return answer_events(answer, tracker)


class ActionAssessCriticalIncident(Action):
    """A critical incident: the 24/7 line, plus the channels open now.

    While chat agents are online, a widget customer is also handed to an agent.
    """

    def name(self) -> str:
        return "action_assess_critical_incident"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        answer = answers.critical_answer(schedule(), now())
        if answer.kind == "critical_with_open" and can_hand_off(tracker):
            accepted, _ = hand_off(tracker, "critical_incident")
            if accepted:
                answer.kind = "critical_with_handoff"
        return answer_events(answer, tracker)
