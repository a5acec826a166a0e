"""Triage of a reported problem and choice of escalation level.

The priority rule is a function of the answers collected so far; the
conversation (questions, digressions, cancel) lives in Rasa. What counts as
priority 1 comes from the channel page: a critical incident, which it
describes through the 24/7 line's purpose, and the examples support agents
use: production blocked, many users affected, a legal or tax deadline today.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from helpdesk.understanding import clean_free_text, detect_blocking, normalize

SERVICE_LABELS = {
    "firma_digital": "Firma digital",
    "estampado_cronologico": "Estampado cronológico",
    "otro": "Otro servicio",
}

# Questions of each guided conversation, in the order they are asked.
TRIAGE_QUESTIONS = ("affected_service", "operation_blocked", "problem_description")
ESCALATION_QUESTIONS = ("case_number", "support_contacted")

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


def decide_priority(answers: TriageAnswers) -> Priority | None:
    """Priority 1 exactly when the operation is stopped; None while undecided.

    The description can settle it too: "toda la operación detenida" counts as
    a yes even if the button was not pressed.
    """
    blocked = answers.operation_blocked
    if blocked is None and answers.description:
        blocked = detect_blocking(answers.description)
    if blocked is True:
        return Priority(1, "Prioridad 1 (crítico): el problema detiene su operación.")
    if blocked is False:
        return Priority(2, "No es un incidente crítico: el problema no detiene su operación.")
    return None


def next_triage_question(answers: TriageAnswers) -> str | None:
    """The next question to ask, or None when the decision can be made.

    A priority-1 case is decided as soon as it is known: the customer gets the
    24/7 line without being asked for a description first.
    """
    priority = decide_priority(answers)
    if priority is not None and priority.critical:
        return None
    if answers.service is None:
        return "affected_service"
    if answers.operation_blocked is None and priority is None:
        return "operation_blocked"
    if not answers.description:
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
    words = re.findall(r"[a-zñ0-9]+", normalize(clean))
    if sum(1 for w in words if w not in _FILLER_WORDS) < DESCRIPTION_MIN_CONTENT:
        return None
    return clean_free_text(clean)


def email_summary(answers: TriageAnswers, conversation_id: str = "") -> tuple[str, str]:
    """The ready-to-send e-mail (subject, body) with what the customer already said."""
    service = SERVICE_LABELS.get(answers.service or "", "No indicado")
    subject = f"Soporte {service.lower()}: caso reportado en el chat"
    blocked = {True: "Sí", False: "No", None: "No indicado"}[answers.operation_blocked]
    lines = [
        f"Servicio afectado: {service}",
        f"¿Detiene la operación?: {blocked}",
        f"Descripción: {answers.description or 'No indicada'}",
    ]
    if conversation_id:
        lines.append(f"Conversación del chat: {conversation_id}")
    lines.append("Nombre, NIT o cédula y teléfono de contacto: ")
    return subject, "\n".join(lines)


def mailto_link(address: str, subject: str, body: str) -> str:
    """A ``mailto:`` link with the subject and body encoded."""
    return f"mailto:{address}?subject={quote(subject)}&body={quote(body)}"


# ------------------------------------------------------------- escalation

_CASE_NUMBER = re.compile(r"\b(?:[A-Za-z]{2,5}[-#]?)?\d{4,12}\b")
_PRIOR_CONTACT_CUES = (
    "nadie me resuelve", "nadie me soluciona", "no me resuelven", "no me han resuelto", "no me solucionan",
    "llevo", "dias esperando", "semanas esperando", "no me responden", "no me han respondido", "sin respuesta",
    "ya llame", "ya escribi", "ya reporte", "ya hable", "ya me comunique", "ya tengo un caso", "mi caso",
    "el caso", "ticket", "radicado", "otra vez", "de nuevo", "varias veces", "no me dan solucion",
)


def extract_case_number(text: str) -> str | None:
    """A case or ticket number in the text ("caso 45821", "CAS-2024-1").."""
    match = _CASE_NUMBER.search(text or "")
    return match.group(0) if match else None


def mentions_prior_contact(text: str) -> bool:
    """Whether the customer says support already had the case."""
    norm = normalize(text)
    return any(cue in norm for cue in _PRIOR_CONTACT_CUES)


def escalation_level(wants_coordinator: bool, support_contacted: bool | None) -> str:
    """Which level fits: coordinator (supervisor already had it), supervisor, or level 1 first."""
    if wants_coordinator:
        return "coordinator"
    if support_contacted is False:
        return "support_group"
    return "supervisor"


def next_escalation_question(case_number: str | None, support_contacted: bool | None, wants_coordinator: bool, case_asked: bool) -> str | None:
    """Ask for the case number once (skippable), then whether support had the case."""
    if not case_asked and not case_number:
        return "case_number"
    if wants_coordinator or case_number or support_contacted is not None:
        return None
    return "support_contacted"


def unanswered(questions: list[str], answered: dict) -> list[str]:
    """The questions whose answers are still missing."""
    return [q for q in questions if answered.get(q) in (None, "")]
