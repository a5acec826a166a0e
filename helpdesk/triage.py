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
from helpdesk.answers import Answer
from helpdesk.priority import REASONS, read_priority
from helpdesk.schedule import Schedule
from helpdesk.text import normalize
from helpdesk.understanding import clean_free_text, detect_service

SERVICE_LABELS = {
    "firma_digital": "Firma digital",
    "estampado_cronologico": "Estampado cronológico",
    "otro": "Otro servicio",
}

# Questions of the triage, in the order they are asked.
TRIAGE_QUESTIONS = ("affected_service", "operation_blocked", "problem_description")

# Minimum words for a first message to count as the problem's description.
DESCRIPTION_MIN_WORDS = 5
_GENERIC_REPORTS = ("tengo un problema", "tengo un inconveniente", "necesito ayuda", "reportar un problema", "tengo una falla")
# Words that say nothing about what happened: greetings, politeness, "tengo un problema".
# A first message needs DESCRIPTION_MIN_CONTENT words outside this list to be a description
# ("buenas noches, tengo un problema con la factura" is not; "no me deja firmar el pdf" is).
_FILLER_WORDS = frozenset("""
    hola buenas buenos buen dia dias tardes noches feliz saludos senor senora senores
    por favor porfa porfavor pf gracias muchas amable urgente ayuda ayudeme ayudenme ayudar
    necesito quiero quisiera tengo tenemos tiene presento presenta presentamos reportar reporto
    problema problemas inconveniente inconvenientes falla fallas novedad lio
    un una unos unas el la los las lo de del al con en mi mis me nos es que q y o a para sobre
    esto este esta eso ese hay
""".split())
DESCRIPTION_MIN_CONTENT = 3

# Intents that, said confidently, are a new request rather than an answer to a
# free-text question ("Descríbame el problema").
NOT_AN_ANSWER = {
    "ask_contact", "ask_opening_hours", "ask_open_now", "submit_pqrsa", "ask_escalation_levels",
    "request_escalation", "escalate_to_coordinator", "request_human", "cancel", "goodbye",
    "greet", "thank", "bot_challenge", "ask_help", "affirm", "deny", "ask_repeat",
}
FREE_TEXT_CONFIDENCE = 0.8
# Replies that say "I don't know" to the service question: an answer, with no service.
_DONT_KNOW = re.compile(r"^(?:no se|ni idea|no estoy seguro|no sabria|no tengo idea|no lo se|no se cual|cualquiera|i don'?t know)\b")
# "Ya hablé con el supervisor", "quiero al supervisor": never a reply to a triage question.
_ESCALATION_WORDS = re.compile(r"\b(?:supervis\w*|coordinador\w*|cordinador\w*|escalar|escalamiento)\b")


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
    """Priority 1 exactly when the operation is stopped; None while undecided.

    The description can settle it too: "toda la operación detenida" counts as
    a yes even if the button was not pressed.
    """
    blocked = known.operation_blocked
    reason = REASONS["reply"]
    if blocked is None and known.description:
        reading = read_priority(known.description)
        blocked, reason = reading.critical, reading.reason or reason
    if blocked is True:
        return Priority(1, reason)
    if blocked is False:
        return Priority(2, "No es un incidente crítico: el problema no detiene su operación.")
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
    if len(clean.split()) < DESCRIPTION_MIN_WORDS:
        return None
    if normalize(clean).strip(" .!") in _GENERIC_REPORTS:
        return None
    words = re.findall(r"[a-z0-9]+", normalize(clean))
    if sum(1 for w in words if w not in _FILLER_WORDS) < DESCRIPTION_MIN_CONTENT:
        return None
    return clean_free_text(clean)


def email_checklist(known: TriageAnswers) -> str:
    """What to put in the e-mail, naming what the customer already told us."""
    service = SERVICE_LABELS.get(known.service or "")
    parts = [f"el servicio ({service.lower()})" if service else "el servicio afectado", "qué pasó"]
    if known.operation_blocked is False:
        parts.append("que no detiene su operación")
    parts.append("su nombre, NIT o cédula y un teléfono")
    return ", ".join(parts[:-1]) + " y " + parts[-1]


# ------------------------------------------------------------- the step


@dataclass(frozen=True)
class Step:
    """One step of the triage: the answer to give, what is known, the next question."""

    answer: Answer
    known: TriageAnswers
    question: str | None = None


def first_reading(text: str, entities: Sequence[Mapping[str, Any]] = ()) -> TriageAnswers:
    """What a first report already says: the service, whether it stops the operation, a description."""
    reading = read_priority(text) if not text.startswith("/") else None
    return TriageAnswers(
        service=detect_service(text, entities),
        operation_blocked=reading.critical if reading is not None else None,
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
        return Step(answers.critical_answer(schedule, now, priority.reason), known)
    agents = [c for c in schedule.open_channels("support", now) if c.id in answers.AGENT_CHANNELS]
    if agents:
        # Someone can look at it now: no questionnaire, just where to go.
        lines = answers.open_lines(schedule, agents, now)
        if priority is not None:
            reason = "Entendido: no es un incidente crítico."
            return Step(Answer("normal_open_not_critical", {"open_channels": lines, "triage_reason": reason}), known)
        reason = "Lamento el inconveniente. Si el problema detiene su operación, dígamelo para tratarlo como incidente crítico."
        return Step(Answer("normal_open", {"open_channels": lines, "triage_reason": reason}), known)

    question = next_triage_question(known, skipped)
    closed = answers.open_now_answer(schedule, now)
    if question is not None:
        values = {"closed_reason": closed.values["closed_reason"], "next_opening": closed.values["next_opening"]}
        return Step(Answer("triage_after_hours", values), known, question)

    email = answers.email_contact(schedule)
    if priority is None:
        reason = "Si el problema llega a detener su operación, dígamelo y le doy la línea para incidentes críticos."
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


# A yes that answers "¿detiene su operación?"; acknowledgements ("ok", "k",
# "vale", "listo") are not one.
_EXPLICIT_YES = re.compile(
    r"\b(?:si|sii+|claro|correcto|exacto|efectivamente|afirmativo|obvio|totalmente|yes|yep|asi es|por supuesto)\b"
)


_WHO_ATTENDS = re.compile(r"\b(?:hay (?:alguien|nadie)|no hay nadie|alguien (?:me )?(?:atiende|responde)|atienden (?:hoy|ahora|ya)|estan abiertos|ya cerraron)\b")


def asks_who_attends(text: str) -> bool:
    """ "¿Y hoy ya no hay nadie?": a question about who attends, not a report."""
    return bool(_WHO_ATTENDS.search(normalize(text)))


def is_explicit_yes(text: str) -> bool:
    """A real yes ("sí", "claro"), not an acknowledgement ("ok", "k", "listo")."""
    return bool(_EXPLICIT_YES.search(normalize(text)))


def read_reply(
    pending: str, text: str, intent: str, confidence: float, entities: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """The slots a reply to a guided question fills. Empty when it answers nothing.

    It can answer more than the pending question ("firma digital, y sí, todo está
    detenido"). "Sí, es el token con el que firmamos la nómina que se paga hoy" is a
    yes with its reason; "no, para nada, firmo desde otro equipo" is a no.
    """
    filled: dict[str, Any] = {}
    is_payload = text.startswith("/")
    words = "" if is_payload else text
    norm = normalize(words)
    if not is_payload and _ESCALATION_WORDS.search(norm):
        return {}  # "ya hablé con el supervisor": a new request, not an answer

    if pending in TRIAGE_QUESTIONS:
        service = detect_service(words, entities)
        if service == "otro" and pending != "affected_service":
            service = None  # "firmo desde otro equipo" names no service
        if service:
            filled["affected_service"] = service
        reading = read_priority(words, reply=pending == "operation_blocked")
        blocked = reading.critical
        dont_know = bool(_DONT_KNOW.match(norm)) and not re.search(r"\b(?:pero|aunque)\b", norm)
        if pending == "operation_blocked" and blocked is None and intent == "deny" and not dont_know:
            blocked = False  # "no se" is not a no: it skips the question below
        if pending == "operation_blocked" and blocked is None and intent == "affirm" and (
            is_payload or is_explicit_yes(words)
        ):
            # Only a real yes ("sí", "claro", the button): "ok", "k" or "listo" to
            # "¿detiene su operación?" is an acknowledgement, never a critical incident.
            blocked = True
        if pending == "operation_blocked" and blocked is None and intent == "report_critical_incident" and confidence >= FREE_TEXT_CONFIDENCE:
            blocked = True
        if blocked is not None:
            filled["operation_blocked"] = blocked
        if pending == "affected_service" and "affected_service" not in filled and _DONT_KNOW.match(norm):
            filled["affected_service"] = "otro"
        if pending == "problem_description" and not is_payload and words.strip():
            if not (intent in NOT_AN_ANSWER and confidence >= FREE_TEXT_CONFIDENCE) and len(norm) > 1:
                filled["problem_description"] = clean_free_text(words)
        if pending == "problem_description" and is_payload and intent == "deny":
            filled["problem_description"] = ""  # "Prefiero no describirlo"
        if pending != "problem_description" and filled.get("operation_blocked") is not True and not is_payload:
            # "firma digital, el token se bloqueó después de poner mal el pin y no, no me para
            # la operación": the answer and the description in one message.
            described = description_from_first_message(words)
            if described and len(words.split()) >= 10:
                filled["problem_description"] = described
        if pending == "operation_blocked" and "operation_blocked" not in filled and _DONT_KNOW.match(norm):
            filled["skip"] = True  # "no sé": moves on without a decision
    elif pending == "handoff_description":
        if intent == "deny" or is_payload:
            filled["handoff_description"] = ""  # skipped: the customer tells the agent
        elif words.strip() and not (intent in NOT_AN_ANSWER and confidence >= FREE_TEXT_CONFIDENCE):
            filled["handoff_description"] = clean_free_text(words)
    return filled


# ------------------------------------------------------------- cases

# A case or ticket number: after a word that says so ("caso 45821", "radicado
# No. 2024-1187", "ticket #4412"), or a code with letters ("CAS-20931").
_CASE_NUMBER = re.compile(
    r"(?:\b(?:caso|casos|ticket|tiquete|radicado|radicacion|solicitud|requerimiento|incidente|case)\b"
    r"(?:\s+(?:n[or]?\.?|numero|num|no|#|es|el|la|de|mi|con))*\s*#?\s*([A-Za-z]{0,5}-?\d[\d-]{2,14}\d))"
    r"|\b([A-Za-z]{2,5}-\d{3,12})\b",
    re.IGNORECASE,
)


def extract_case_number(text: str) -> str | None:
    """A case or ticket number the customer gives ("caso 45821", "CAS-20931")."""
    match = _CASE_NUMBER.search(text or "")
    if not match:
        return None
    return match.group(1) or match.group(2)
