"""Questions, follow-ups and loose data: the conversation core decides, this action records."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.runtime import incidents, message_of, now, reply_events, schedule
from helpdesk import answers, dialogue
from helpdesk.desk_client import DeskClient
from helpdesk.handoff import in_chat_answer

# Intents answered as a short acknowledgement when they interrupt a guided question.
_ACKNOWLEDGED = {"greet": "acknowledge", "thank": "acknowledge", "bot_challenge": "bot",
                 "ask_help": "in_form_help", "out_of_scope": "in_form_help"}


class ActionAnswerQuestion(Action):
    """Answers a question or a follow-up with helpdesk.dialogue; `utter_answer` says it."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message = message_of(tracker)
        if message.intent in _ACKNOWLEDGED:
            return reply_events(dialogue.Reply(answers.Answer(_ACKNOWLEDGED[message.intent]), topic_of(tracker)), tracker)
        reply = dialogue.respond(message, topic_of(tracker), schedule(), now(), incidents=await incidents())
        if reply.answer.kind == "chat_here_open":
            # In the chat's hours: whether an agent is on duty is the desk's to say.
            client = DeskClient.from_env()
            if client is not None and (await client.presence()).nobody:
                reply.answer = in_chat_answer(schedule(), now(), agents_on_duty=False)
        return reply_events(reply, tracker, dispatcher, domain)


def topic_of(tracker: Tracker) -> dialogue.Topic:
    return dialogue.Topic.from_slot(tracker.get_slot("topic"))
