"""A message cut into the questions it asks.

"¿Cuál es el correo? ¿Y atienden el sábado?", "me da el correo y atienden el sábado?",
"Buenos días, dos preguntas. La primera … La segunda …": customers ask several things in
one message. The NLU classifies each part on its own (``addons/clauses.py`` runs the
same model on the parts), and the core answers each (``helpdesk/dialogue.py``).

The cut is structural: after question marks and sentence ends, then before a joining
word (lexicon table ``clause_join``: "y", "además", "and") when both sides keep at least
``MIN_WORDS`` words. Nothing here knows what is asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.lexicon import lexicon
from helpdesk.text import word_spans

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


def split_questions(text: str) -> list[str]:
    """The texts of ``split_parts``."""
    return [p.text for p in split_parts(text)]
