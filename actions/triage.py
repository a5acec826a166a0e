"""A reported problem or incident: the 24/7 line, the open channels, or the next triage question."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import can_hand_off, hand_off
from actions.runtime import answer_events, now, schedule
from helpdesk import answers, dialogue, triage
from helpdesk.priority import read_priority


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
        text = message.get("text") or ""
        continuing = tracker.latest_action_name == "question_form"
        if continuing:
            known = triage.TriageAnswers(
                service=tracker.get_slot("affected_service"),
                operation_blocked=tracker.get_slot("operation_blocked"),
                description=tracker.get_slot("problem_description"),
            )
        else:
            known = triage.first_reading(text, message.get("entities") or [])
            previous = dialogue.Topic.from_slot(tracker.get_slot("topic"))
            if previous.kind == "problem":
                # More about the problem just triaged ("pues la verdad no, seguimos trabajando"):
                # what was known stays, the new message adds to it.
                known = triage.TriageAnswers(
                    service=known.service or tracker.get_slot("affected_service"),
                    operation_blocked=known.operation_blocked if known.operation_blocked is not None
                    else read_priority(text, reply=True).critical if not text.startswith("/") else None,
                    description=tracker.get_slot("problem_description") or known.description,
                )
            if previous.offer == "critical_check" and known.operation_blocked is None and not text.startswith("/"):
                # The answer to "si detiene su operación, dígamelo": "sí, nos tiene parada
                # la facturación" is a yes even without a cue of its own.
                reply = read_priority(text, reply=True)
                if reply.critical is not None and (reply.critical is False or triage.is_explicit_yes(text) or reply.reason):
                    known = replace(known, operation_blocked=reply.critical)
        if (not continuing and not text.startswith("/") and known.service is None and known.operation_blocked is not True
                and not read_priority(text).failing and triage.asks_who_attends(text)):
            # "¿y hoy ya no hay nadie?" read as an incident: a question about who attends now.
            topic = dialogue.Topic.from_slot(tracker.get_slot("topic"))
            reply = dialogue.respond(dialogue.Message("ask_open_now", text), topic, schedule(), now())
            return answer_events(reply.answer, tracker) + [
                SlotSet("question_flow", "triage"), SlotSet("question_pending", False),
                SlotSet("pending_question", None), SlotSet("topic", reply.topic.to_slot()),
            ]
        if not continuing and not text.startswith("/") and known.operation_blocked is None:
            reading = read_priority(text)
            if reading.hypothetical:
                # "¿Qué pasa si se me cae el estampado en producción?": a question about the
                # procedure, answered with the 24/7 line for that case; nothing is down.
                reply = dialogue.Reply(answers.priority_procedure_answer(schedule()), dialogue.Topic("contact", ("priority_line",)))
                return answer_events(reply.answer, tracker) + [
                    SlotSet("question_flow", "triage"), SlotSet("question_pending", False),
                    SlotSet("pending_question", None), SlotSet("topic", reply.topic.to_slot()),
                ]
        skipped = tracker.get_slot("skipped_questions") or [] if continuing else []
        step = triage.triage_step(schedule(), now(), known, skipped)
        answer = step.answer
        if answer.kind == "critical_with_open" and can_hand_off(tracker):
            accepted, _ = await hand_off(tracker, "critical_incident")
            if accepted:
                answer.kind = "critical_with_handoff"
        topic = dialogue.Topic("critical", ("priority_line",)) if answer.kind.startswith("critical") else dialogue.Topic(
            "problem", offer="critical_check" if step.known.operation_blocked is None else None
        )
        return answer_events(answer, tracker) + [
            SlotSet("affected_service", step.known.service),
            SlotSet("operation_blocked", step.known.operation_blocked),
            SlotSet("problem_description", step.known.description),
            SlotSet("skipped_questions", list(skipped) if step.question else []),
            SlotSet("question_flow", "triage"),
            SlotSet("question_pending", step.question is not None),
            SlotSet("pending_question", step.question),
            SlotSet("answer_received", None),
            SlotSet("topic", topic.to_slot()),
        ]
