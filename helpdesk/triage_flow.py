"""One message of a problem report, decided without Rasa.

``actions/triage.py`` gathers what the tracker knows (the message and the NLU's reading
of it, the slots of the triage, the state the last answer left), calls ``decide`` and
turns the decision into slot events; the hand-off to an agent (a side effect) stays in
the action.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from helpdesk import answers, dialogue, triage
from helpdesk.incidents import Incident, relevant
from helpdesk.priority import PROBLEM_INTENTS
from helpdesk.schedule import Schedule


@dataclass(frozen=True)
class Turn:
    """Either an answer outside the triage (``reply``), or the triage's next step."""

    reply: dialogue.Reply | None = None
    step: triage.Step | None = None
    skipped: tuple[str, ...] = ()

    def topic(self, previous: dialogue.Topic) -> dialogue.Topic:
        """The state this turn leaves (the incident and the closed-hours memory carried on)."""
        if self.reply is not None:
            return self.reply.topic
        assert self.step is not None
        if self.step.answer.kind.startswith("critical"):
            return dialogue.Topic("critical", ("priority_line",), incident=True, closed_until=previous.closed_until)
        offer = "critical_check" if self.step.known.operation_blocked is None else None
        return dialogue.Topic("problem", offer=offer, incident=previous.incident, closed_until=previous.closed_until)


def known_so_far(message: dialogue.Message, continuing: bool, slots: Mapping[str, Any],
                 previous: dialogue.Topic) -> triage.TriageAnswers:
    """What is known about the problem after this message.

    ``continuing``: the message answered a triage question (the form already read it into
    the slots). Otherwise it is a new report, or more about the problem just triaged.
    """
    if continuing:
        return triage.TriageAnswers(service=slots.get("affected_service"),
                                    operation_blocked=slots.get("operation_blocked"),
                                    description=slots.get("problem_description"))
    known = triage.first_reading(message.request, list(message.entities), dialogue.reading_of(message).critical)
    if previous.kind == "problem":
        # More about the problem just triaged: what was known stays, the new message adds to it.
        known = triage.TriageAnswers(
            service=known.service or slots.get("affected_service"),
            operation_blocked=known.operation_blocked,
            description=slots.get("problem_description") or known.description,
        )
    if previous.offer == "critical_check" and known.operation_blocked is None and not message.command:
        # The answer to "si detiene su operación, dígamelo", read as a reply (asymmetric).
        known = replace(known, operation_blocked=dialogue.reply_reading_of(message).critical)
    return known


def decide(message: dialogue.Message, continuing: bool, slots: Mapping[str, Any], previous: dialogue.Topic,
           schedule: Schedule, now: datetime, incidents: tuple[Incident, ...] = ()) -> Turn:
    """What to answer to a problem report or to a reply of the triage."""
    known = known_so_far(message, continuing, slots, previous)
    if not continuing and not message.command and relevant(incidents, known.service) is not None:
        # A problem with a service the team declared down: what is known, at once (the 24/7
        # line too when it stops the operation), instead of the triage's questions.
        return Turn(reply=dialogue.respond(message, previous, schedule, now, incidents=incidents))
    if not continuing and not message.command and known.operation_blocked is None:
        if dialogue.asks_procedure(message, dialogue.reading_of(message)):
            # "¿Qué pasa si se me cae el estampado en producción?": a question about the
            # procedure, answered with the 24/7 line for that case; nothing is down.
            return Turn(reply=dialogue.Reply(answers.priority_procedure_answer(schedule),
                                             dialogue.Topic("contact", ("priority_line",), incident=previous.incident,
                                                            closed_until=previous.closed_until)))
        asked = dialogue.question_instead_of_report(message)
        if asked is not None:
            # "¿y hoy no hay nadie?" read first as an incident: a question, answered as one.
            return Turn(reply=dialogue.respond(asked, previous, schedule, now, incidents=incidents))
        parts = dialogue.questions_of(message)
        if not any(p.intent in PROBLEM_INTENTS for p in parts):
            # Read as a problem as a whole, but every question in it is something else (a
            # letter asking for the hours): those questions are answered.
            return Turn(reply=dialogue.respond(message, previous, schedule, now))
    skipped = tuple(slots.get("skipped_questions") or ()) if continuing else ()
    return Turn(step=triage.triage_step(schedule, now, known, skipped), skipped=skipped)
