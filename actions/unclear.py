"""Messages the assistant did not understand (nlu_fallback)."""

from __future__ import annotations

import os
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import agents_online, can_hand_off, hand_off, open_agent_channels
from actions.runtime import answer_events, now, schedule
from helpdesk import answers
from helpdesk.understanding import detect_blocking, detect_service

# The NLU reads at most this many characters (addons/message_guard.py); longer
# messages get a polite request to summarise.
MAX_MESSAGE_CHARS = int(os.environ.get("ASSISTANT_MAX_MESSAGE_CHARS", "2000"))


def consecutive_fallbacks(events: list[dict[str, Any]]) -> int:
    """How many of the latest customer messages in a row were not understood."""
    count = 0
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != "nlu_fallback":
            break
        count += 1
    return count


class ActionHandleUnclearMessage(Action):
    """Asks to rephrase; after two misunderstandings in a row, a person takes over.

    A message that names a service and a stopped operation gets the 24/7 line
    with the request to rephrase, however many times it was not understood.
    """

    def name(self) -> str:
        return "action_handle_unclear_message"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message = tracker.latest_message or {}
        if message.get("message_truncated"):
            return answer_events(answers.Answer("message_too_long"), tracker, max_chars=str(MAX_MESSAGE_CHARS))
        text = message.get("text") or ""
        if detect_blocking(text) and detect_service(text, message.get("entities") or []):
            # not understood, but it reads like a service down: the 24/7 line first
            return answer_events(answers.unclear_critical_answer(schedule()), tracker)
        if consecutive_fallbacks(tracker.events) < 2:
            return answer_events(answers.Answer("not_understood"), tracker)
        if can_hand_off(tracker):
            accepted, _ = hand_off(tracker, "not_understood")
            if accepted:
                return answer_events(answers.Answer("not_understood_handoff"), tracker)
        if agents_online():
            return answer_events(answers.Answer("not_understood_twice_open", {"open_channels": open_agent_channels()}), tracker)
        closed = answers.human_unavailable_answer(schedule(), now())
        return answer_events(answers.Answer("not_understood_twice_closed", closed.values), tracker)
