"""Triage of a reported problem: ask what is missing, then decide the priority."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.runtime import answer_events, now, schedule
from helpdesk import answers, triage
from helpdesk.understanding import detect_blocking, detect_service

TRIAGE_SLOTS = ("affected_service", "operation_blocked", "problem_description")


def _continuing(tracker: Tracker) -> bool:
    """Whether this step follows an answer to the form (not a new report)."""
    return tracker.latest_action_name == "question_form"


def triage_step(
    text: str,
    entities: list[dict[str, Any]],
    known: triage.TriageAnswers,
    fresh: bool,
    conversation_id: str = "",
) -> tuple[answers.Answer, triage.TriageAnswers, str | None]:
    """One step of the triage: the answer to give and the next question, if any."""
    sched, moment = schedule(), now()
    if fresh:
        known = triage.TriageAnswers(
            service=detect_service(text, entities),
            operation_blocked=detect_blocking(text),
            description=triage.description_from_first_message(text),
        )
    priority = triage.decide_priority(known)
    support_open = [c for c in sched.open_channels("support", moment) if c.id in ("support_line", "chat")]

    if priority is not None and priority.critical:
        answer = answers.critical_answer(sched, moment)
        answer.values["triage_reason"] = priority.reason
        return answer, known, None
    if support_open:
        # Someone can look at it now: no questionnaire, just where to go.
        answer = answers.open_now_answer(sched, moment)
        reason = priority.reason if priority else (
            "Lamento el inconveniente. Si el problema detiene su operación, dígamelo para tratarlo como incidente crítico."
        )
        return answers.Answer("normal_open", {"open_channels": answer.values["open_channels"], "triage_reason": reason}), known, None

    question = triage.next_triage_question(known)
    if question is not None:
        closed = answers.open_now_answer(sched, moment)
        return answers.Answer("triage_after_hours", {
            "closed_reason": closed.values["closed_reason"],
            "next_opening": closed.values["next_opening"],
        }), known, question

    closed = answers.open_now_answer(sched, moment)
    email = answers.email_contact(sched)
    subject, body = triage.email_summary(known, conversation_id)
    values = {
        "triage_reason": (priority or triage.Priority(2, "No es un incidente crítico.")).reason,
        "closed_reason": closed.values["closed_reason"],
        "next_opening": closed.values["next_opening"],
        "email": email,
        "email_summary": f"Asunto: {subject}\n{body}",
        "mailto_link": triage.mailto_link(email, subject, body),
    }
    return answers.Answer("normal_closed", values), known, None


class ActionTriageStep(Action):
    """Starts or continues the triage; the rules say the question or the result."""

    def name(self) -> str:
        return "action_triage_step"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message = tracker.latest_message or {}
        fresh = not _continuing(tracker)
        known = triage.TriageAnswers(
            service=tracker.get_slot("affected_service"),
            operation_blocked=tracker.get_slot("operation_blocked"),
            description=tracker.get_slot("problem_description"),
        )
        answer, known, question = triage_step(
            message.get("text") or "", message.get("entities") or [], known, fresh, tracker.sender_id
        )
        events = answer_events(answer, tracker)
        events += [
            SlotSet("affected_service", known.service),
            SlotSet("operation_blocked", known.operation_blocked),
            SlotSet("problem_description", known.description),
            SlotSet("question_flow", "triage"),
            SlotSet("question_pending", question is not None),
            SlotSet("pending_question", question),
            SlotSet("answer_received", None),
        ]
        return events
