"""Text folding shared by the NLU tokenizer and the core's readers.

One decision for the whole product: customers write "telefono", "TELÉFONO" and
"teléfono" for one word, and often "manana" for "mañana" (phones and office
keyboards without ñ), so matching folds case and every accent, ñ included.
The Rasa tokenizer (``addons/tokenizer.py``) and every reader in ``helpdesk``
use this function, so a word the NLU sees is the word the readers see.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold_char(ch: str) -> str:
    """One character lowercased without accents ("É" → "e", "Ñ" → "n")."""
    decomposed = unicodedata.normalize("NFKD", ch.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lowercase, accents removed (ñ → n); spaces are kept as they are."""
    return "".join(fold_char(ch) for ch in text or "")


def normalize(text: str) -> str:
    """``fold`` with runs of whitespace collapsed and the ends stripped."""
    return _SPACES.sub(" ", fold(text)).strip()


def words(text: str) -> list[str]:
    """The folded words of a text (letters and digits)."""
    return re.findall(r"[a-z0-9]+", fold(text))


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """The folded words of a text with where each stands in the original text
    (the same words as ``words``): [("telefono", 7, 15), …]."""
    spans: list[tuple[str, int, int]] = []
    current, start = "", 0
    for i, ch in enumerate(text or ""):
        folded = fold_char(ch)
        if folded and all("a" <= c <= "z" or "0" <= c <= "9" for c in folded):
            if not current:
                start = i
            current += folded
        elif current:
            spans.append((current, start, i))
            current = ""
    if current:
        spans.append((current, start, len(text)))
    return spans


def one_edit_apart(a: str, b: str) -> bool:
    """Whether two words are equal or differ by one insertion, deletion or substitution
    (a typo: "lunez" for "lunes", "festvo" for "festivo")."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:]
