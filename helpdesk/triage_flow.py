"""One message of a problem report, decided without Rasa.

``actions/triage.py`` gathers what the tracker knows (the message, the slots of the
triage, the topic of the last answer), calls ``decide`` and turns the decision into
slot events; the hand-off to an agent (a side effect) stays in the action.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from helpdesk import answers, dialogue, triage
from helpdesk.priority import read_priority
from helpdesk.schedule import Schedule


@dataclass(frozen=True)
class Turn:
    """Either an answer outside the triage (``reply``), or the triage's next step."""

    reply: dialogue.Reply | None = None
    step: triage.Step | None = None
    skipped: tuple[str, ...] = ()

    @property
    def topic(self) -> dialogue.Topic:
        if self.reply is not None:
            return self.reply.topic
        assert self.step is not None
        if self.step.answer.kind.startswith("critical"):
            return dialogue.Topic("critical", ("priority_line",))
        return dialogue.Topic("problem", offer="critical_check" if self.step.known.operation_blocked is None else None)


def known_so_far(text: str, entities: Sequence[Mapping[str, Any]], continuing: bool,
                 slots: Mapping[str, Any], previous: dialogue.Topic) -> triage.TriageAnswers:
    """What is known about the problem after this message.

    ``continuing``: the message answered a triage question (the form already read it into
    the slots). Otherwise it is a new report, or more about the problem just triaged.
    """
    if continuing:
        return triage.TriageAnswers(service=slots.get("affected_service"),
                                    operation_blocked=slots.get("operation_blocked"),
                                    description=slots.get("problem_description"))
    command = text.startswith("/")
    known = triage.first_reading(text, entities)
    if previous.kind == "problem":
        # More about the problem just triaged ("pues la verdad no, seguimos trabajando"):
        # what was known stays, the new message adds to it.
        known = triage.TriageAnswers(
            service=known.service or slots.get("affected_service"),
            operation_blocked=known.operation_blocked if known.operation_blocked is not None
            else read_priority(text, reply=True).critical if not command else None,
            description=slots.get("problem_description") or known.description,
        )
    if previous.offer == "critical_check" and known.operation_blocked is None and not command:
        # The answer to "si detiene su operación, dígamelo": "sí, nos tiene parada
        # la facturación" is a yes even without a cue of its own.
        reply = read_priority(text, reply=True)
        if reply.critical is not None and (reply.critical is False or triage.is_explicit_yes(text) or reply.reason):
            known = replace(known, operation_blocked=reply.critical)
    return known


def decide(text: str, entities: Sequence[Mapping[str, Any]], continuing: bool, slots: Mapping[str, Any],
           previous: dialogue.Topic, schedule: Schedule, now: datetime) -> Turn:
    """What to answer to a problem report or to a reply of the triage."""
    known = known_so_far(text, entities, continuing, slots, previous)
    command = text.startswith("/")
    if (not continuing and not command and known.service is None and known.operation_blocked is not True
            and not read_priority(text).failing and triage.asks_who_attends(text)):
        # "¿y hoy ya no hay nadie?" read as an incident: a question about who attends now.
        return Turn(reply=dialogue.respond(dialogue.Message("ask_open_now", text), previous, schedule, now))
    if not continuing and not command and known.operation_blocked is None and read_priority(text).hypothetical:
        # "¿Qué pasa si se me cae el estampado en producción?": a question about the
        # procedure, answered with the 24/7 line for that case; nothing is down.
        return Turn(reply=dialogue.Reply(answers.priority_procedure_answer(schedule),
                                         dialogue.Topic("contact", ("priority_line",))))
    skipped = tuple(slots.get("skipped_questions") or ()) if continuing else ()
    return Turn(step=triage.triage_step(schedule, now, known, skipped), skipped=skipped)
