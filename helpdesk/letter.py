"""The request inside a long message or a formal letter.

Customers paste letters: a place and date, the addressee ("Señores CERTICAMARA S.A."), a
salutation, the body, a closing ("Cordialmente,") and a signature with a name, a job title
("Coordinador Administrativo"), an address and phone numbers. Only the body says what they
need. ``request_part`` keeps the body, so that neither the NLU (``addons/letter.py`` feeds
it this text) nor the core (``helpdesk/dialogue.py``) reads a job title as a request for
the coordinator, or the customer's own phone number as a contact.

It is structural, not a phrase list: the closing formula (lexicon table
``letter_closing``) and everything after it is the signature; leading lines that are the
addressee, a salutation (table ``letter_opening``) or a short heading without a question
(a place and date, a name of three words at most) are dropped. A short message is returned unchanged.
"""

from __future__ import annotations

from helpdesk.lexicon import lexicon
from helpdesk.text import word_spans, words

LETTER_MIN_WORDS = 30      # shorter messages are never trimmed
HEADING_MAX_WORDS = 8      # a leading place-and-date line ("Bogotá D.C., 20 de mayo de 2026")
NAME_MAX_WORDS = 3         # a leading name line ("CERTICAMARA S.A.", "Área de Soporte")
SIGNATURE_MIN_SHARE = 0.5  # a closing on one line counts only in the second half of the text


def _is_heading(line: str) -> bool:
    tokens = words(line)
    if not tokens:
        return True
    if "?" in line:
        return False
    opening = lexicon().find("letter_opening", tokens)
    covered = sum(h.end - h.start for h in opening)
    if covered == len(tokens) or line.rstrip().endswith((".", "!")):
        return covered == len(tokens)
    dated = any(t.isdigit() for t in tokens) and len(tokens) <= HEADING_MAX_WORDS
    return dated or len(tokens) <= NAME_MAX_WORDS


def request_part(text: str) -> str:
    """The part of a message that carries the request (the whole message when it is short)."""
    if not text or len(words(text)) < LETTER_MIN_WORDS:
        return text
    lines = text.splitlines()
    # The closing and the signature: from the first line that starts with a closing.
    for i, line in enumerate(lines):
        if i > 0 and lexicon().starts_with("letter_closing", line):
            lines = lines[:i]
            break
    else:
        if len(lines) <= 2:
            # One run-on line: a closing formula in its second half starts the signature
            # ("… el correo de soporte muchas gracias Gloria Inés Restrepo Coordinadora de …").
            flat = " ".join(lines)
            tokens = words(flat)
            for hit in lexicon().find("letter_closing", tokens):
                if hit.start >= len(tokens) * SIGNATURE_MIN_SHARE:
                    lines = [_cut_after_words(flat, hit.start)]
                    break
    # The heading: addressee, place and date, salutation.
    while len(lines) > 1 and _is_heading(lines[0]):
        lines = lines[1:]
    body = "\n".join(line for line in lines).strip()
    return body or text


def _cut_after_words(text: str, count: int) -> str:
    """The text up to (not including) its ``count``-th folded word."""
    spans = word_spans(text)
    return text[: spans[count][1]].rstrip(" ,;") if count < len(spans) else text
