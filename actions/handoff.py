"""A customer asks for a person."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.runtime import answer_events, now, schedule
from helpdesk import answers


class ActionRequestHuman(Action):
    """During chat hours, where the agents are; otherwise when they are back."""

    def name(self) -> Text:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        sched, moment = schedule(), now()
        if sched.is_open("chat", moment):
            agents = [c for c in sched.open_channels("support", moment) if c.id in ("chat", "support_line")]
            answer = answers.Answer("human_available", {"open_channels": answers._open_lines(sched, agents, moment)})
        else:
            answer = answers.human_unavailable_answer(sched, moment)
        return answer_events(answer)
