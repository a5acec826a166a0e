"""Reading the customer's reply to a guided question (triage, escalation).

``question_form`` waits for one reply; this validation action interprets it.
A reply that answers the pending question (or another question of the same
flow: "firma digital, y sí, todo está detenido") fills the slots and ends
the wait. A reply that answers nothing is rejected, so the rules can treat
it as a digression ("¿y el teléfono?"), a cancel, or a misunderstanding.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from helpdesk.triage import extract_case_number, mentions_prior_contact
from helpdesk.understanding import clean_free_text, detect_blocking, detect_service, normalize

# Intents that, said confidently, are a new request rather than an answer to
# a free-text question ("Descríbame el problema").
NOT_AN_ANSWER = {
    "ask_contact", "ask_opening_hours", "ask_open_now", "submit_pqrsa", "ask_escalation_levels",
    "request_escalation", "escalate_to_coordinator", "request_human", "cancel", "goodbye",
    "greet", "thank", "bot_challenge", "ask_help", "affirm", "deny",
}
FREE_TEXT_CONFIDENCE = 0.8
_NO_CASE_CUES = ("no tengo", "no lo tengo", "no se", "no me dieron", "ninguno", "no hay", "sin numero")


def interpret_reply(pending: str, text: str, intent: str, confidence: float,
                    entities: list[dict[str, Any]]) -> dict[str, Any]:
    """The slots a reply fills, given the pending question. Empty when it answers nothing."""
    filled: dict[str, Any] = {}
    is_payload = text.startswith("/")
    words = "" if is_payload else text

    if pending in ("affected_service", "operation_blocked", "problem_description"):
        service = detect_service(words, entities)
        if service:
            filled["affected_service"] = service
        blocked = detect_blocking(words)
        if pending == "operation_blocked" and intent in ("affirm", "deny"):
            blocked = intent == "affirm"
        if blocked is not None:
            filled["operation_blocked"] = blocked
        if pending == "problem_description" and not is_payload and words.strip():
            if not (intent in NOT_AN_ANSWER and confidence >= FREE_TEXT_CONFIDENCE):
                filled["problem_description"] = clean_free_text(words)
    elif pending == "case_number":
        number = extract_case_number(words)
        norm = normalize(words)
        if number:
            filled["case_number"] = number
            filled["support_contacted"] = True
        elif intent == "deny" or any(cue in norm for cue in _NO_CASE_CUES):
            filled["case_number"] = ""
        if filled:
            filled["case_number_asked"] = True
        if mentions_prior_contact(words):
            filled["support_contacted"] = True
    elif pending == "handoff_description":
        if intent == "deny" or is_payload:
            filled["handoff_description"] = ""  # skipped: the customer tells the agent
        elif words.strip() and not (intent in NOT_AN_ANSWER and confidence >= FREE_TEXT_CONFIDENCE):
            filled["handoff_description"] = clean_free_text(words)
    elif pending == "support_contacted":
        if intent in ("affirm", "deny"):
            filled["support_contacted"] = intent == "affirm"
        elif mentions_prior_contact(words):
            filled["support_contacted"] = True
        number = extract_case_number(words)
        if number:
            filled["case_number"] = number
            filled["support_contacted"] = True
    return filled


class ValidateQuestionForm(Action):
    """Validation action of question_form: interprets one reply."""

    def name(self) -> str:
        return "validate_question_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        pending: str | None = tracker.get_slot("pending_question")
        if tracker.get_slot("requested_slot") is None or not pending:
            return []  # the form is being activated: the question was just asked
        message = tracker.latest_message or {}
        intent = message.get("intent") or {}
        filled = interpret_reply(
            pending,
            message.get("text") or "",
            intent.get("name") or "",
            float(intent.get("confidence") or 0.0),
            message.get("entities") or [],
        )
        if not filled:
            return []  # rejected: the rules decide what the message was
        events: list[EventType] = [SlotSet(name, value) for name, value in filled.items()]
        events.append(SlotSet("answer_received", pending))
        return events
