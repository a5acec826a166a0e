"""A reported problem or incident: the 24/7 line, the open channels, or the next triage question.

The decision is ``helpdesk.triage_flow.decide``; here the tracker is read, an agent is
called for a critical incident during chat hours, and the decision becomes slot events.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import can_hand_off, hand_off
from actions.runtime import answer_events, incidents, message_of, now, say_before, schedule
from helpdesk import dialogue, triage_flow
from helpdesk.desk_client import DeskClient
from helpdesk.priority import PROBLEM_INTENTS
from helpdesk.understanding import detect_service

SLOTS_READ = ("affected_service", "operation_blocked", "problem_description", "skipped_questions")


_BACKGROUND: set[asyncio.Task] = set()


def report_to_desk(tracker: Tracker, turn: triage_flow.Turn) -> None:
    """Tell the desk about a problem report (its service, whether it is critical), without
    making the customer wait: the desk counts them to propose declaring an incident."""
    client = DeskClient.from_env()
    if client is None or tracker.latest_action_name == "question_form" and turn.step is not None \
            and turn.step.question is not None:
        return
    message = message_of(tracker)
    service = turn.step.known.service if turn.step is not None else None
    service = service or detect_service(message.request, list(message.entities))
    critical = turn.topic(dialogue.Topic()).kind == "critical"
    report = {"conversation_id": tracker.sender_id, "service": service if service != "otro" else None,
              "critical": critical, "at": now().isoformat()}
    task = asyncio.get_running_loop().create_task(client.report_problem(report))
    _BACKGROUND.add(task)
    task.add_done_callback(_BACKGROUND.discard)


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
        message = message_of(tracker)
        previous = dialogue.Topic.from_slot(tracker.get_slot("topic"))
        continuing = tracker.latest_action_name == "question_form"
        known_incidents = await incidents()
        turn = triage_flow.decide(
            message, continuing=continuing, slots={name: tracker.get_slot(name) for name in SLOTS_READ},
            previous=previous, schedule=schedule(), now=now(), incidents=known_incidents,
        )
        report_to_desk(tracker, turn)
        if turn.reply is not None:
            say_before(turn.reply.before, dispatcher, domain)
            return answer_events(turn.reply.answer, tracker) + [
                SlotSet("question_flow", "triage"), SlotSet("question_pending", False),
                SlotSet("pending_question", None), SlotSet("topic", turn.topic(previous).to_slot()),
            ]
        step = turn.step
        answer, topic = dialogue.closed_said_once(step.answer, previous, turn.topic(previous), schedule(), now())
        if answer.kind == "critical_with_open" and can_hand_off(tracker):
            accepted, _ = await hand_off(tracker, "critical_incident")
            if accepted:
                answer.kind = "critical_with_handoff"
        others = [p for p in dialogue.questions_of(message) if p.intent not in PROBLEM_INTENTS]
        if others and not continuing and step.question is None:
            # "se cayó el estampado, ¿y el correo?": the incident's answer first, then the other questions'.
            extra = dialogue.respond_to_each(others, topic, schedule(), now(), known_incidents,
                                             after_critical=answer.kind.startswith("critical"), said=answer)
            if extra is not None:
                say_before([answer, *extra.before], dispatcher, domain)
                # After the 24/7 line, "¿me lo repite?" and "nadie contesta" are about that line.
                kept = topic if answer.kind.startswith("critical") else extra.topic
                answer, topic = extra.answer, replace(kept, incident=topic.incident or extra.topic.incident)
        return answer_events(answer, tracker) + [
            SlotSet("affected_service", step.known.service),
            SlotSet("operation_blocked", step.known.operation_blocked),
            SlotSet("problem_description", step.known.description),
            SlotSet("skipped_questions", list(turn.skipped) if step.question else []),
            SlotSet("question_flow", "triage"),
            SlotSet("question_pending", step.question is not None),
            SlotSet("pending_question", step.question),
            SlotSet("answer_received", None),
            SlotSet("topic", topic.to_slot()),
        ]
