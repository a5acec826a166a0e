"""A message cut into the questions it asks, and which of them to answer.

"¿Cuál es el correo? ¿Y atienden el sábado?", "me da el correo y atienden el sábado?",
"Buenos días, dos preguntas. La primera … La segunda …": customers ask several things in
one message. The NLU classifies each part on its own (``addons/clauses.py`` runs the
same model on the parts), and the core answers each (``helpdesk/dialogue.py``).

The cut is structural: after question marks and sentence ends, then before a joining
word (lexicon table ``clause_join``: "y", "además", "and") when both sides keep at least
``MIN_WORDS`` words. Nothing here knows what is asked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from helpdesk.lexicon import lexicon
from helpdesk.message import Message
from helpdesk.priority import PROBLEM_INTENTS
from helpdesk.text import word_spans, words

MAX_CLAUSES = 6
MIN_WORDS = 2
_ENDS = "?.!;\n"


def _at_marks(text: str) -> list[str]:
    parts, start = [], 0
    for i, ch in enumerate(text):
        if ch in _ENDS:
            parts.append(text[start: i + 1])
            start = i + 1
    parts.append(text[start:])
    return [p.strip(" ,¿¡") for p in parts if len(word_spans(p)) >= 1]


def _at_joins(text: str) -> list[str]:
    spans = word_spans(text)
    tokens = [w for w, _, _ in spans]
    parts, start_word, start_char = [], 0, 0
    for hit in lexicon().find("clause_join", tokens):
        if hit.start - start_word >= MIN_WORDS and len(tokens) - hit.end >= MIN_WORDS:
            cut = spans[hit.start][1]
            parts.append(text[start_char:cut])
            start_word, start_char = hit.start, cut
    parts.append(text[start_char:])
    return [p.strip(" ,¿¡") for p in parts if p.strip(" ,¿¡")]


@dataclass(frozen=True)
class Part:
    """One part of a message; ``sentence``: a whole sentence (cut at its end marks), not a
    piece of one cut at a joining word."""

    text: str
    sentence: bool


def split_parts(text: str) -> list[Part]:
    """The parts of a message (one part when it asks one thing, or is too long to cut)."""
    parts: list[Part] = []
    for sentence in _at_marks(text or ""):
        pieces = _at_joins(sentence)
        parts.extend(Part(p, len(pieces) == 1) for p in pieces)
    if len(parts) < 2 or len(parts) > MAX_CLAUSES:
        return [Part(text, True)]
    return parts


# Intents that are a question or a request with an answer of its own (a part of a message
# that is one of these is answered; greetings and thanks around them are not).
ANSWERABLE = frozenset({
    "ask_contact", "ask_opening_hours", "ask_open_now", "request_support", "report_problem",
    "report_critical_incident", "submit_pqrsa", "request_escalation", "escalate_to_coordinator",
    "ask_escalation_levels", "request_human", "ask_price", "ask_case_status", "report_no_answer",
})
# Intents answered as one when parts of a message carry several of them: two ways of
# escalating ("llevo una semana esperando y nadie me dice nada"), of reporting a problem,
# of asking about hours are one question.
FAMILIES = (
    frozenset({"request_escalation", "escalate_to_coordinator", "report_no_answer", "ask_case_status"}),
    frozenset({"report_problem", "report_critical_incident"}),
    frozenset({"ask_opening_hours", "ask_open_now"}),
)
# Intents whose parts are statements, not questions ("nadie me resuelve lo del certificado",
# "no podemos firmar"): they count as requests without a question mark or a request word.
# (A problem is not among them: a piece of a sentence is no reliable report of one; whether
# the message reports a problem is read on the whole, helpdesk/dialogue.py reading_of.)
STATEMENT_INTENTS = frozenset({"request_escalation", "escalate_to_coordinator", "report_no_answer", "submit_pqrsa"})
# Intents that are themselves a request for information: a part read as one of these asks,
# with or without a question mark ("me pasas el número y el horario del sábado?", "qué
# horario tiene soporte y a qué correo escribo").
INFORMATION_INTENTS = frozenset({"ask_contact", "ask_opening_hours", "ask_open_now", "ask_price",
                                 "ask_case_status", "ask_escalation_levels"})
CLAUSE_MIN_CONFIDENCE = 0.6    # a part with the message's own intent
OTHER_MIN_CONFIDENCE = 0.7     # a part asking something else, answered on its own
CLAUSE_MIN_WORDS = 3            # two are enough for a part that ends with "?" ("¿mañana atienden?")


def part_of(clause: dict[str, Any]) -> Message:
    """One part of a message, from the NLU's reading of it (``clauses`` in the parse data)."""
    intent = clause.get("intent") or ""
    confidence = float(clause.get("confidence") or 0)
    ranking = tuple((r[0], float(r[1])) for r in clause.get("ranking") or () if r and r[0]) or ((intent, confidence),)
    return Message(intent, clause.get("text") or "", confidence, tuple(clause.get("entities") or ()), ranking)


def family_confidence(part: Message) -> float:
    """How sure the classifier is of the part's kind of question: its intent's score plus
    those of the intents answered as one with it ("¿pasado mañana hay alguien en el chat?":
    now 0.66, hours 0.25 — surely about the schedule)."""
    family = next((f for f in FAMILIES if part.intent in f), frozenset({part.intent}))
    scores = {name: score for name, score in part.ranking}
    return max(part.confidence, sum(scores.get(name, 0.0) for name in family))


def _same_question(a: str, b: str) -> bool:
    return a == b or any(a in family and b in family for family in FAMILIES)


def is_question(text: str) -> bool:
    """A part that asks or requests something: it ends with "?" or has a request word
    (lexicon table ``request_words``); "llamé a la línea" or "lo abrí el jueves" do not."""
    return text.rstrip().endswith("?") or lexicon().has("request_words", words(text))


def questions_asked(message: Message, critical: Callable[[Message], bool | None] = lambda m: None) -> list[Message]:
    """The questions of a message, each as a message of its own, in the order asked; the
    message itself when it asks one thing.

    From the NLU's reading of each part (``clauses``): a part counts when it was read with
    confidence as something answerable, has a few words, and asks or requests something
    (``is_question``) or carries the message's own intent; consecutive parts of the same
    intent are joined ("el correo y el teléfono" is one contact question). Several sentences with one question in them
    (a letter, "en qué va mi caso 558214? lo abrí el jueves") are that question, unless
    the message reports a problem.
    """
    parts: list[Message] = []
    main = message.understanding().first()
    for clause in message.clauses:
        part = part_of(clause)
        words_needed = CLAUSE_MIN_WORDS - 1 if part.text.rstrip().endswith("?") else CLAUSE_MIN_WORDS
        confidence = family_confidence(part)
        if part.intent not in ANSWERABLE or confidence < CLAUSE_MIN_CONFIDENCE \
                or len(words(part.text)) < words_needed:
            continue
        # A request for information asks without "?" ("me pasas el número y el horario"), but not
        # beside a report, nor told as something done ("ya llamé a ese número 2 veces y …"):
        # there it is part of the story.
        informs = part.intent in INFORMATION_INTENTS and main not in PROBLEM_INTENTS \
            and not lexicon().has("contact_past", words(part.text))
        asks = is_question(part.text) or part.intent in STATEMENT_INTENTS or informs
        if part.intent != main and (not asks or confidence < OTHER_MIN_CONFIDENCE):
            continue  # "llamé a la línea", "lo abrí el jueves": a statement counts only as the message's own intent
        if parts and _same_question(parts[-1].intent, part.intent):
            last = parts[-1]
            intent = main if _same_question(main, last.intent) else last.intent
            parts[-1] = replace(last, intent=intent, text=f"{last.text} {part.text}",
                                entities=last.entities + part.entities)
        else:
            parts.append(part)
    if len(parts) >= 2:
        return parts
    if len(parts) == 1 and message.intent != parts[0].intent and message.intent not in PROBLEM_INTENTS \
            and parts[0].intent not in PROBLEM_INTENTS and not critical(message):
        return parts
    return [message]
