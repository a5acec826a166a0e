"""Personal data out of the customers' text before it reaches a report or an export.

Colombian customers type into the chat their e-mail, phone numbers and document
numbers (NIT of the company, cédula of the person). The report keeps the message
readable and replaces each of those by a label:

* ``[correo]``     — an e-mail address (``ana.perez@empresa.com.co``, ``ana @ empresa . co``);
* ``[teléfono]``   — a phone number: mobile (``3001234567``, ``300 123 4567``, ``+57 300 123 4567``),
  landline with its area code (``(601) 7442727``, ``601 744 2727``, ``6017442727``);
* ``[documento]``  — a NIT (``900.123.456-7``, ``900123456-7``, ``9001234567``) or a cédula
  (6 to 10 digits, with or without dots: ``1.020.304.050``, ``79.123.456``, ``52123456``),
  and any other run of 6 or more digits (an account, a serial): unknown numbers are
  masked rather than shown.

What stays: times ("7:00", "a las 8"), dates ("2026-11-30", "30/11/2026"), short case
numbers ("caso 45821"), words. Only customers' text is masked: the assistant's own
messages carry the company's published contacts and are shown as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

EMAIL = "[correo]"
PHONE = "[teléfono]"
DOCUMENT = "[documento]"

_SEP = r"[ .\-]?"  # one optional separator between digit groups

_EMAIL = re.compile(
    r"[\w.+%\-]+\s?(?:@|\(at\)|\[at\])\s?[\w\-]+(?:\s?\.\s?[\w\-]+)+", re.IGNORECASE | re.UNICODE
)
# +57 / 57 / 0057 before a mobile or a landline with area code.
_PHONE_INTL = re.compile(
    r"(?<![\d+])(?:\+|00)?\(?57\)?[ .\-]?(?:3\d{2}|60\d|\(60\d\))[ .\-]?\d{3}[ .\-]?\d{2}[ .\-]?\d{2}(?!\d)"
)
# (601) 7442727, (601) 744 2727, (1) 7442727, 601-744-2727, 6017442727
_PHONE_LANDLINE = re.compile(
    r"(?<!\d)(?:\(\s?60\d\s?\)|\(\s?\d\s?\)|60\d)[ .\-]?\d{3}[ .\-]?\d{2}[ .\-]?\d{2}(?!\d)"
)
# Mobile: 3xx xxx xxxx in any grouping.
_PHONE_MOBILE = re.compile(r"(?<![\d.])3\d{2}[ .\-]?\d{3}[ .\-]?\d{2}[ .\-]?\d{2}(?!\d)")
# NIT with check digit: 900.123.456-7, 900123456-7, 900 123 456 - 7
_NIT = re.compile(r"(?<![\d.])\d{3}[ .]?\d{3}[ .]?\d{3}\s?-\s?\d(?!\d)")
# Numbers written with thousands dots: 1.020.304.050, 79.123.456, 1.234.567 (≥ 6 digits)
_DOTTED = re.compile(r"(?<![\d.,$])\d{1,3}(?:\.\d{3}){1,3}(?![\d.]?\d)")
# Any remaining run of six or more digits.
_DIGITS = re.compile(r"(?<!\d)\d{6,}(?!\d)")
_ADJACENT = re.compile(r"\](?=\[)")


def mask(text: str | None, keep: Iterable[str] = ()) -> str:
    """The text with e-mails, phones and document numbers replaced by labels.

    ``keep``: strings left as they are (the company's published contacts in the
    assistant's own messages, which may also echo what a customer typed).

    >>> mask("mi NIT es 900.123.456-7 y mi cel 300 123 4567, correo ana@empresa.co")
    'mi NIT es [documento] y mi cel [teléfono], correo [correo]'
    """
    if not text:
        return ""
    kept = [k for k in sorted(set(keep), key=len, reverse=True) if k and k in text]
    for i, value in enumerate(kept):
        text = text.replace(value, f"\x00{_letters(i)}\x00")
    out = _mask(text)
    for i, value in enumerate(kept):
        out = out.replace(f"\x00{_letters(i)}\x00", value)
    return out


def _letters(i: int) -> str:
    """0 → "A", 25 → "Z", 26 → "BA": a placeholder without digits."""
    out = ""
    while True:
        out = chr(65 + i % 26) + out
        i //= 26
        if i == 0:
            return out


def _mask(text: str) -> str:
    out = _EMAIL.sub(EMAIL, text)
    out = _PHONE_INTL.sub(PHONE, out)
    out = _NIT.sub(DOCUMENT, out)
    out = _PHONE_LANDLINE.sub(_landline, out)
    out = _PHONE_MOBILE.sub(PHONE, out)
    out = _DOTTED.sub(_dotted, out)
    out = _DIGITS.sub(_digits, out)
    return _ADJACENT.sub("] ", out)


def _landline(match: re.Match) -> str:
    return PHONE


def _dotted(match: re.Match) -> str:
    """A dotted number of six or more digits (a cédula); "12.500" stays."""
    return DOCUMENT if sum(c.isdigit() for c in match.group(0)) >= 6 else match.group(0)


def _digits(match: re.Match) -> str:
    digits = match.group(0)
    if len(digits) == 10 and digits.startswith("3"):
        return PHONE
    if len(digits) == 10 and digits.startswith("60"):
        return PHONE
    return DOCUMENT


def has_personal_data(text: str) -> bool:
    """Whether :func:`mask` would change the text."""
    return mask(text) != (text or "")
