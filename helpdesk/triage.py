"""Triage of a reported problem: the questions, the reading of the replies, the decision.

The conversation (asking, waiting, digressions, cancel) lives in Rasa; what to
ask next, how to read a reply and what to answer are pure functions here.
What counts as priority 1 is read by ``helpdesk.priority``: the operation is
stopped now (service down, production blocked, many users affected, a legal or
tax deadline today).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from helpdesk import answers
from helpdesk import spanish as es
from helpdesk.answers import SERVICE_LABELS, Answer
from helpdesk.lexicon import lexicon
from helpdesk.priority import Understanding, read_priority
from helpdesk.schedule import Schedule
from helpdesk.text import word_spans, words
from helpdesk.understanding import clean_free_text, detect_service, requested_channels

__all__ = ["SERVICE_LABELS"]  # re-exported for the desk and the report (the staff's labels)

# Questions of the triage, in the order they are asked.
TRIAGE_QUESTIONS = ("affected_service", "operation_blocked", "problem_description")

# A first message is the problem's description when it has this many words, and this
# many outside the lexicon table "filler" (greetings, politeness, "tengo un problema"):
# "buenas noches, tengo un problema con la factura" is not one; "no me deja firmar el pdf" is.
DESCRIPTION_MIN_WORDS = 5
DESCRIPTION_MIN_CONTENT = 3

# Intents that, said confidently, are a new request rather than an answer to a
# free-text question ("Descríbame el problema").
NOT_AN_ANSWER = {
    "ask_contact", "ask_opening_hours", "ask_open_now", "submit_pqrsa", "ask_escalation_levels",
    "request_escalation", "escalate_to_coordinator", "request_human", "cancel", "goodbye",
    "greet", "thank", "bot_challenge", "ask_help", "affirm", "deny", "ask_repeat", "ask_price",
    "ask_case_status", "report_no_answer",
}
FREE_TEXT_CONFIDENCE = 0.8
# What only a person can answer is a need to hand to the agent, not a digression:
# "quiero saber el estado de mi solicitud" after "¿qué necesita, en una frase?".
NEEDS_FOR_AN_AGENT = frozenset({"ask_case_status", "ask_price"})


@dataclass(frozen=True)
class TriageAnswers:
    """What the customer has told so far (None = not answered yet)."""

    service: str | None = None
    operation_blocked: bool | None = None
    description: str | None = None


@dataclass(frozen=True)
class Priority:
    """The decision and its one-line reason, in Spanish."""

    level: int  # 1 = critical, 2 = normal
    reason: str

    @property
    def critical(self) -> bool:
        return self.level == 1


def decide_priority(known: TriageAnswers) -> Priority | None:
    """Priority 1 exactly when the operation is stopped; None while undecided."""
    if known.operation_blocked is True:
        return Priority(1, es.say("triage.critical_reason"))
    if known.operation_blocked is False:
        return Priority(2, es.say("triage.not_critical_reason"))
    return None


def next_triage_question(known: TriageAnswers, skipped: Iterable[str] = ()) -> str | None:
    """The next question to ask, or None when the decision can be made.

    A priority-1 case is decided as soon as it is known: the customer gets the
    24/7 line without being asked for a description first. A question the
    customer could not answer (``skipped``) is not asked again.
    """
    skipped = set(skipped or ())
    priority = decide_priority(known)
    if priority is not None and priority.critical:
        return None
    if known.service is None and "affected_service" not in skipped:
        return "affected_service"
    if known.operation_blocked is None and priority is None and "operation_blocked" not in skipped:
        return "operation_blocked"
    if known.description is None and "problem_description" not in skipped:
        return "problem_description"
    return None


def description_from_first_message(text: str) -> str | None:
    """The first message as the problem's description, when it describes something."""
    clean = " ".join((text or "").split())
    if clean.startswith("/"):
        return None  # a button payload, not words
    tokens = words(clean)
    if len(tokens) < DESCRIPTION_MIN_WORDS:
        return None
    filler = {p[0] for p in lexicon().tables["filler"] if len(p) == 1}
    if sum(1 for w in tokens if w not in filler) < DESCRIPTION_MIN_CONTENT:
        return None
    return clean_free_text(clean)


def email_checklist(known: TriageAnswers) -> str:
    """What to put in the e-mail, naming what the customer already told us."""
    service = known.service if known.service in SERVICE_LABELS else None
    parts = [es.say("checklist.service", service=es.say(f"service.{service}")) if service
             else es.say("checklist.any_service"), es.say("checklist.what_happened")]
    if known.operation_blocked is False:
        parts.append(es.say("checklist.not_blocking"))
    parts.append(es.say("checklist.identity"))
    return es.join(parts)


# ------------------------------------------------------------- the step


@dataclass(frozen=True)
class Step:
    """One step of the triage: the answer to give, what is known, the next question."""

    answer: Answer
    known: TriageAnswers
    question: str | None = None


def first_reading(text: str, entities: Sequence[Mapping[str, Any]] = (), critical: bool | None = None) -> TriageAnswers:
    """What a first report already says: the service, whether it stops the operation (the
    priority reading of the message, ``helpdesk.dialogue.reading_of``), a description."""
    return TriageAnswers(
        service=detect_service(text, entities),
        operation_blocked=None if text.startswith("/") else critical,
        description=description_from_first_message(text),
    )


def triage_step(
    schedule: Schedule,
    now: datetime,
    known: TriageAnswers,
    skipped: Iterable[str] = (),
) -> Step:
    """What to answer now: the 24/7 line, the channels open now, the next question, or the e-mail."""
    now = schedule.local(now)
    priority = decide_priority(known)
    if priority is not None and priority.critical:
        return Step(answers.critical_answer(schedule, now), known)
    agents = [c for c in schedule.open_channels("support", now) if c.id in answers.AGENT_CHANNELS]
    if agents:
        # Someone can look at it now: no questionnaire, just where to go.
        lines = answers.open_lines(schedule, agents, now)
        if priority is not None:
            reason = es.say("triage.not_critical_open")
            return Step(Answer("normal_open_not_critical", {"open_channels": lines, "triage_reason": reason}), known)
        reason = es.say("triage.open")
        return Step(Answer("normal_open", {"open_channels": lines, "triage_reason": reason}), known)

    question = next_triage_question(known, skipped)
    closed = answers.open_now_answer(schedule, now)
    if question is not None:
        values = {"closed_reason": closed.values["closed_reason"], "next_opening": closed.values["next_opening"]}
        return Step(Answer("triage_after_hours", values), known, question)

    email = answers.email_contact(schedule)
    if priority is None:
        reason = es.say("triage.undecided_closed")
    else:
        reason = priority.reason
    values = {
        "triage_reason": reason,
        "closed_reason": closed.values["closed_reason"],
        "next_opening": closed.values["next_opening"],
        "email": email,
        "email_summary": email_checklist(known),
    }
    return Step(Answer("normal_closed", values), known)


# ------------------------------------------------------ reading a reply


def read_reply(
    pending: str, text: str, nlu: Understanding, entities: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """The slots a reply to a guided question fills. Empty when it answers nothing.

    It can answer more than the pending question ("firma digital, y sí, todo está
    detenido"). Whether the problem stops the operation is read by
    ``helpdesk.priority.read_priority(reply=True)``: a no only when the customer says no,
    a yes when they say yes or describe a stop; anything else answers nothing, so the
    question is asked again (then skipped).
    """
    filled: dict[str, Any] = {}
    is_payload = text.startswith("/")
    words_ = "" if is_payload else text
    intent, confidence = nlu.intent, nlu.confidence
    if not is_payload and {"supervisor", "coordinator"} & set(requested_channels([], words_)):
        return {}  # "ya hablé con el supervisor": a new request, not an answer

    if pending in TRIAGE_QUESTIONS:
        service = detect_service(words_, entities)
        if service == "otro" and pending != "affected_service":
            service = None  # "firmo desde otro equipo" names no service
        if service:
            filled["affected_service"] = service
        dont_know = lexicon().starts_with("dont_know", words_) is not None
        if is_payload and intent in ("affirm", "deny") and pending == "operation_blocked":
            filled["operation_blocked"] = intent == "affirm"  # the buttons
        elif not is_payload:
            blocked = read_priority(words_, nlu, reply=pending == "operation_blocked").critical
            if blocked is not None:
                filled["operation_blocked"] = blocked
        if pending == "affected_service" and "affected_service" not in filled and dont_know:
            filled["affected_service"] = "otro"
        if pending == "problem_description" and not is_payload and words_.strip():
            if not (intent in NOT_AN_ANSWER and confidence >= FREE_TEXT_CONFIDENCE) and len(words_.strip()) > 1:
                filled["problem_description"] = clean_free_text(words_)
        if pending == "problem_description" and is_payload and intent == "deny":
            filled["problem_description"] = ""  # "Prefiero no describirlo"
        if pending != "problem_description" and filled.get("operation_blocked") is not True and not is_payload:
            # "firma digital, el token se bloqueó después de poner mal el pin y no, no me para
            # la operación": the answer and the description in one message.
            described = description_from_first_message(words_)
            if described and len(words(words_)) >= 10:
                filled["problem_description"] = described
        if pending == "operation_blocked" and "operation_blocked" not in filled and dont_know:
            filled["skip"] = True  # "no sé": moves on without a decision
        if pending == "affected_service" and "affected_service" not in filled and filled.get("operation_blocked") is False:
            # Asked for the service, told that it can wait ("no es grave, seguimos trabajando"):
            # the question that matters is answered; the service is not asked again.
            filled["skip"] = True
    elif pending == "handoff_description":
        if intent == "deny" or is_payload:
            filled["handoff_description"] = ""  # skipped: the customer tells the agent
        elif words_.strip() and not (intent in NOT_AN_ANSWER - NEEDS_FOR_AN_AGENT and confidence >= FREE_TEXT_CONFIDENCE):
            filled["handoff_description"] = clean_free_text(words_)
    return filled


# ------------------------------------------------------------- cases

# A case or ticket number: a number after a word that says so ("caso 45821", "radicado
# No. 2024-1187", "ticket #4412"; lexicon tables "case_word" and "number_word"), or a code
# with letters ("CAS-20931").
_CODE = re.compile(r"\b[A-Za-z]{2,5}-\d{3,12}\b")
_NUMBER = re.compile(r"[A-Za-z]{0,5}-?\d[\d-]{2,14}\d")


def extract_case_number(text: str) -> str | None:
    """A case or ticket number the customer gives ("caso 45821", "CAS-20931")."""
    text = text or ""
    spans = word_spans(text)
    tokens = [w for w, _, _ in spans]
    lex = lexicon()
    fillers = {p[0] for p in lex.tables["number_word"] if len(p) == 1}
    for hit in lex.find("case_word", tokens):
        i = hit.end
        while i < len(tokens) and tokens[i] in fillers:
            i += 1
        if i < len(tokens):
            match = _NUMBER.match(text, spans[i][1])
            if match:
                return match.group(0)
    code = _CODE.search(text)
    return code.group(0) if code else None
