"""Messages the assistant did not understand (nlu_fallback): a two-stage fallback.

First "¿Se refiere a …?" with the two or three likeliest intents as buttons; if
the next message is not understood either, a request to rephrase with the menu;
a third one in a row goes to a person (a hand-off in the widget during chat
hours, else the channels and when agents are back). A message that names a date
or a channel, or reports a stopped operation, is answered instead
(``helpdesk.dialogue``).
"""

from __future__ import annotations

import os
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType

from actions.answers import topic_of
from actions.handoff import agents_online, can_hand_off, hand_off, open_agent_channels
from actions.runtime import answer_events, incidents, message_of, now, reply_events, schedule
from helpdesk import answers, dialogue

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
    """Decides what to say to a message the NLU did not understand."""

    def name(self) -> str:
        return "action_handle_unclear_message"

    async def run(self, dispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        latest = tracker.latest_message or {}
        if latest.get("message_truncated"):
            return answer_events(answers.Answer("message_too_long"), tracker, max_chars=str(MAX_MESSAGE_CHARS))
        reply = dialogue.respond(
            message_of(tracker), topic_of(tracker), schedule(), now(), consecutive_fallbacks(tracker.events),
            incidents=await incidents(),
        )
        if reply.answer.kind != "not_understood_twice":
            return reply_events(reply, tracker, dispatcher, domain)
        if can_hand_off(tracker):
            accepted, _ = await hand_off(tracker, "not_understood")
            if accepted:
                return answer_events(answers.Answer("not_understood_handoff"), tracker)
        if agents_online():
            answer = answers.Answer("not_understood_twice_open", {"open_channels": open_agent_channels()})
            return answer_events(answer, tracker)
        closed = answers.human_unavailable_answer(schedule(), now())
        return answer_events(answers.Answer("not_understood_twice_closed", closed.values), tracker)
