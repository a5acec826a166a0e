"""Personal data out of every text the product shows or writes: one function, :func:`mask`.

Customers type into the chat their e-mail, phone numbers and document numbers (the NIT of
the company, the cédula of the person), card and account numbers. Every output that carries
customers' text goes through :func:`mask`: the support report (HTML, every CSV file, the NLU
draft, ``insights/``), the transcripts the desk shows supervisors (``insights.report.transcript``)
and the Rasa server's log (``addons/log_privacy.py``). docs/security.md lists each guarantee with
the test that proves it.

What :func:`mask` does, in this order:

1. **Normalise.** Unicode NFKC (full-width digits and ``＠`` become ASCII), then every format
   character (Unicode category Cf: zero-width spaces and joiners, soft hyphens, bidi controls)
   and lone surrogate is removed. The result is the text :func:`mask` returns, with the masks in it.
2. **Read digits as a person would.** On a copy used only to find things: a letter O (``o``)
   glued to digits (``1O95``), or a capital O standing alone between digit groups
   (``3 1 5 O 8``), is read as 0; control characters, combining marks and any space are
   read as a space.
3. **E-mails** → ``[correo]``: ``@`` (``＠`` after NFKC), ``(arroba)``, ``[arroba]``, ``arroba``,
   ``(at)``, ``[at]``, `` at ``; dots written with spaces around them (``empresa . com``) or as
   ``punto`` / ``dot``.
4. **Numbers.** A *run* is a sequence of digit groups joined by any number of spaces and at
   most four marks each: dots, commas, dashes (any Unicode dash or minus), underscores,
   parentheses, slashes, apostrophes, colons, brackets — any punctuation or symbol but a
   currency sign and ``%``. Every run of six or more digits is masked, whatever its grouping (``1 095 509 181``,
   ``54,564,363``, ``53_805_346``, ``920,078,468-8``, ``(334) 573-2445``,
   ``3 1 5 8 8 2 1 9 0 4``): a mobile or a landline → ``[teléfono]`` (a leading ``+`` or
   ``(`` is part of the mask), anything else → ``[documento]`` (NIT, cédula, card, account:
   an unknown number is masked rather than shown).

What stays:

* times (``7:00 a. m.``, ``19:00``, ``7:00-19:00``), ``24/7``, and dates (``8 de diciembre``,
  ``08/12/2026``, ``2026-12-08``, ``08-12-2026``) — each kept only when no other digits are
  joined to it (``2026-12-08`` stays; ``2026-12-08-55`` and ``12:34:56:78:90`` are runs);
* short numbers (five digits or fewer: ``caso 45821``, ``ePass 2003``, ``12.500``);
* amounts with a currency mark, up to nine digits (``$ 120.000``, ``COP 1.250.000``,
  ``120.000 pesos``): a price is not personal data, and a document number is not written
  with ``$`` before it. The same number without a mark (``120.000``) is masked;
* the values passed as ``keep``: the company's published contacts
  (:func:`published_contacts`, from schedule/channels.yml). A run is kept when its digit
  groups are, one after the other, published numbers (the line written any way, with or
  without 57, the 7-digit local number, an extension), and an e-mail when it is a published
  address written any way.

Numbers spelled in words (``tres uno cinco …``) are not recognised; six or more digits in a
list (``1, 2, 3, 4, 5, 6``) or a case number of six or more digits (``2024-1187``) are masked.

Also here, for every file the product writes: :func:`csv_cell` (no spreadsheet formulas),
:func:`printable` (one line without control, format or bidi characters), and
:func:`private_dir` / :func:`open_private` (folders 0700, files 0600). Standard library only;
never imports rasa.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from helpdesk.schedule import Schedule

EMAIL = "[correo]"
PHONE = "[teléfono]"
DOCUMENT = "[documento]"

MIN_DIGITS = 6  # a run of this many digits or more is masked

# What joins digit groups into one run, on the detection copy (where every space, control
# character and combining mark is already a plain space): any number of spaces and up to four
# marks — any punctuation or symbol (dots, commas, dashes, underscores, parentheses, slashes,
# apostrophes as in "1'095.509", colons, brackets, emoji …) except a currency sign and "%".
# The run is found on a copy where each mark is "." (``_joined``).
_SEP_CHARS = r" .,_()\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d/'"  # between digits and a lone O
_SEP = f"[{_SEP_CHARS}]"
_RUN = re.compile(r"\d+(?: +(?:\. *){0,4}\d+|(?:\. *){1,4}\d+)*")
_NOT_MARKS = frozenset("%\u2030\u2031")
_BARRIER = "\ue000"  # a kept time, date or amount on the detection copy: no run crosses it
_ADDRESS = "\ue001"  # an e-mail address (kept or masked) on the detection copy
# Digits and kept spans joined by the same gaps as a run: a cluster with a digit outside every
# kept span means those spans are part of a longer number.
_CLUSTER = re.compile(r"[\d\ue000]+(?:(?: +(?:\. *){0,4}|(?:\. *){1,4})[\d\ue000]+)*")

# Letters O glued to a digit and to no other letter: "1O95", "3OO", "2OO3" (not "No3", not "oso").
_O_GLUED = re.compile(r"(?<=\d)[Oo]+(?![^\W\d_])|(?<![^\W\d_])[Oo]+(?=\d)")
# A capital O standing alone between digit groups: "3 1 5 O 8". A lone lowercase "o" is the
# Spanish "or" ("3001234567 o 3109876543") and stays a word.
_O_ALONE = re.compile(rf"(?<=\d{_SEP})O(?={_SEP}+\d)|(?<=\d{_SEP}{{2}})O(?={_SEP}+\d)")

# "24/7", "7x24": the hours of the priority line, next to its number in the assistant's messages.
_ROUND_THE_CLOCK = re.compile(r"(?<!\d)(?:24 ?[/x] ?7|7 ?[/x] ?24)(?!\d)", re.IGNORECASE)
_TIME = re.compile(r"(?<!\d)(?:[01]?\d|2[0-4]) ?: ?[0-5]\d(?::[0-5]\d)?(?!\d)")
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:19|20)\d{2}"
# 2026-12-08, 2026.12.08, 2026/12/08, 08-12-2026, 08.12.2026, 08/12/2026 (one separator throughout).
_DATE = re.compile(rf"(?<!\d)(?:{_YEAR}([-./]){_MONTH}\1{_DAY}|{_DAY}([-./]){_MONTH}\2{_YEAR})(?!\d)")
# An amount with its currency mark: the amount is kept (the mark is not a digit anyway).
_PRICES = (
    re.compile(r"(?:\$|\bCOP\b|\bUSD\b|\bUS\$) ?(?P<amount>\d{1,3}(?:[.,'\u2019]\d{3}){1,2}(?:[.,]\d{1,2})?"
               r"|\d{1,9})(?!\d)", re.IGNORECASE),
    re.compile(r"(?<!\d)(?P<amount>\d{1,3}(?:[.,'\u2019]\d{3}){1,2}) ?(?:pesos|COP|mil|millones|USD|dólares)\b",
               re.IGNORECASE),
)

_LABEL = r"[\w%+\-]+"
_LOCAL = rf"{_LABEL}(?:(?:\.| +\. *){_LABEL})*"
_AT_WORD = r"(?: *[(\[] *(?:arroba|at) *[)\]] *| +(?:arroba|at) +)"
_AT = rf"(?: *@ *|{_AT_WORD})"
_TLD = r"(?:com|co|org|net|edu|gov|mil|info|biz|io|es|mx|us|ar|pe|cl|ec|ve)\b"
_DOT = rf"(?:\.(?! )| +\. *|\. +(?={_TLD})| *[(\[] *(?:punto|dot) *[)\]] *| +(?:punto|dot) +)"
_DOMAIN = rf"[\w\-]+(?:{_DOT}[\w\-]+)+"
_EMAIL = re.compile(rf"(?<![\w%+\-.]){_LOCAL}{_AT}{_DOMAIN}|(?<![\w%+\-.]){_LOCAL} *@ *[\w\-]+", re.IGNORECASE)
_EMAIL_HINT = re.compile(r"@|arroba|\bat\b", re.IGNORECASE)


def normalise(text: str | None) -> str:
    """NFKC, without format characters (Cf: zero-width, soft hyphen, bidi controls) and lone surrogates."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cs"))


def mask(text: str | None, keep: Iterable[str] = ()) -> str:
    """The text normalised, with e-mails, phones and document numbers replaced by labels.

    ``keep``: values left as they are wherever they appear, written any way (the company's
    published contacts: :func:`published_contacts`).

    >>> mask("mi NIT es 900.123.456-7 y mi cel 300 123 4567, correo ana@empresa.co")
    'mi NIT es [documento] y mi cel [teléfono], correo [correo]'
    """
    shown = normalise(text)
    if not shown:
        return ""
    kept = _Kept.of(tuple(keep) if not isinstance(keep, frozenset) else keep)
    seen = _detection_copy(shown)
    spans: list[tuple[int, int, str]] = []

    if _EMAIL_HINT.search(seen):
        found = [m.span() for m in _EMAIL.finditer(seen)]
        spans += [(start, end, EMAIL) for start, end in found if not kept.email(shown[start:end])]
        seen = _block(seen, found, _ADDRESS)  # no number is read inside an address (kept or masked)

    seen = _block(seen, [m.span() for m in _ROUND_THE_CLOCK.finditer(seen)])  # "24/7 (57) 318 …": always
    kept_spans = [m.span() for pattern in (_TIME, _DATE) for m in pattern.finditer(seen)]
    kept_spans += [m.span("amount") for pattern in _PRICES for m in pattern.finditer(seen)]
    seen = _protect(seen, _disjoint(kept_spans))

    for match in _RUN.finditer(_joined(seen)):
        groups = re.findall(r"\d+", match.group(0))
        if sum(len(g) for g in groups) < MIN_DIGITS or kept.digits(groups):
            continue
        start, end = match.span()
        while start > 0 and seen[start - 1] in "+(":
            start -= 1
        while end < len(shown) and unicodedata.category(shown[end])[0] == "M":  # a keycap, a variation selector
            end += 1
        if end < len(seen) and seen[end] == ")" and seen.count("(", start, end) > seen.count(")", start, end):
            end += 1
        spans.append((start, end, _number_label(seen[start:end], "".join(groups))))

    return _replace(shown, spans)


def has_personal_data(text: str | None, keep: Iterable[str] = ()) -> bool:
    """Whether :func:`mask` would hide something in the text."""
    return mask(text, keep) != normalise(text)


def _detection_copy(shown: str) -> str:
    """Same length as ``shown``: spaces, controls and marks as " ", the letter O in numbers as 0."""
    seen = "".join(" " if unicodedata.category(ch)[0] in "CZM" else ch for ch in shown)
    seen = _O_GLUED.sub(lambda m: "0" * len(m.group(0)), seen)
    while True:
        again = _O_ALONE.sub("0", seen)
        if again == seen:
            return seen
        seen = again


def _joined(seen: str) -> str:
    """``seen`` with every mark that joins digit groups written "." (same length)."""
    return "".join("." if _is_mark(ch) else ch for ch in seen)


def _is_mark(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category[0] in "PS" and category != "Sc" and ch not in _NOT_MARKS


def _disjoint(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans without overlaps (the first, longest one kept)."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
        if not out or start >= out[-1][1]:
            out.append((start, end))
    return out


def _protect(seen: str, spans: list[tuple[int, int]]) -> str:
    """``seen`` with the spans (times, dates, amounts) turned into barriers no run crosses.

    A span is kept only when no other digit is joined to it by spaces and marks, directly or
    through other kept spans: "2026-12-08" or "7:00" alone, "7:00-19:00", a list of dates are
    kept; "2026-12-08-55" and "12:34:56:78:90" are runs. One pass over the clusters of digits
    and spans joined as a run joins its groups.
    """
    if not spans:
        return seen
    blocked = _block(seen, spans)
    joined = _joined(blocked)
    tainted = [cluster.span() for cluster in _CLUSTER.finditer(joined) if re.search(r"\d", cluster.group(0))]
    kept, i = [], 0
    for start, end in spans:  # both sorted: one walk
        while i < len(tainted) and tainted[i][1] <= start:
            i += 1
        if not (i < len(tainted) and tainted[i][0] <= start < tainted[i][1]):
            kept.append((start, end))
    return _block(seen, kept)


def _block(seen: str, spans: list[tuple[int, int]], barrier: str = _BARRIER) -> str:
    chars = list(seen)
    for start, end in spans:
        chars[start:end] = barrier * (end - start)
    return "".join(chars)


def _number_label(span: str, digits: str) -> str:
    """``[teléfono]`` for a Colombian mobile or landline (or anything written with +), else ``[documento]``."""
    if span.startswith("+"):
        return PHONE
    national = digits
    if national.startswith("00"):
        national = national[2:]
    if national.startswith("57") and len(national) == 12:
        national = national[2:]
    if len(national) == 10 and (national.startswith("3") or national.startswith("60")):
        return PHONE
    if re.match(r"\(\s*\d{1,3}\s*\)", span) and 7 <= len(digits) <= 10:
        return PHONE
    return DOCUMENT


def _replace(shown: str, spans: list[tuple[int, int, str]]) -> str:
    """``shown`` with each span replaced by its label; a label never touches a bracket (Rasa markup)."""
    out: list[str] = []
    last = 0
    for start, end, label in sorted(spans):
        piece = shown[last:start]
        if (piece or "".join(out)).endswith("]"):
            piece += " "
        out.append(piece + label)
        last = end
        if shown[end:end + 1] in ("[", "(", "{"):
            out.append(" ")
    out.append(shown[last:])
    return "".join(out)


class _Kept:
    """The ``keep`` values as digit strings and e-mail addresses, compared however they are written."""

    def __init__(self, values: Iterable[str]):
        self.numbers: set[str] = set()
        self.emails: set[str] = set()
        for value in values:
            value = normalise(value)
            if "@" in value:
                self.emails.add(_email_key(value))
                continue
            digits = re.sub(r"\D", "", value)
            if not digits:
                continue
            self.numbers.add(digits)
            national = digits[2:] if len(digits) == 12 and digits.startswith("57") else digits
            if len(national) == 10:
                self.numbers |= {national, "57" + national}
                if national.startswith("60"):  # the local number, and with the old one-digit area code
                    self.numbers |= {national[3:], national[2] + national[3:]}

    @staticmethod
    @lru_cache(maxsize=32)
    def of(values: tuple[str, ...] | frozenset[str]) -> _Kept:
        return _Kept(values)

    def email(self, written: str) -> bool:
        return bool(self.emails) and _email_key(written) in self.emails

    def digits(self, groups: list[str]) -> bool:
        """Whether the groups, in order, split into published numbers (each a run of whole groups)."""
        if not self.numbers:
            return False
        reachable = [True] + [False] * len(groups)
        for i in range(len(groups)):
            if not reachable[i]:
                continue
            joined = ""
            for j in range(i, len(groups)):
                joined += groups[j]
                if joined in self.numbers:
                    reachable[j + 1] = True
        return reachable[-1]


def _email_key(written: str) -> str:
    key = re.sub(_AT_WORD, "@", written.lower())
    key = re.sub(r" *[(\[] *(?:punto|dot) *[)\]] *| +(?:punto|dot) +", ".", key)
    return re.sub(r"\s+", "", key)


# ------------------------------------------------------------------ published contacts


def published_contacts(schedule: Schedule | None = None) -> frozenset[str]:
    """The company's phone numbers (as published and in international form), extensions and
    e-mail addresses from schedule/channels.yml ($ASSISTANT_SCHEDULE_FILE): what ``keep`` gets."""
    if schedule is None:
        from helpdesk.loader import load_schedule, schedule_path_from_env

        schedule = load_schedule(schedule_path_from_env())
    values: set[str] = set()
    for owner in [*schedule.channels.values(), *schedule.escalation_levels.values()]:
        for contact in owner.contacts:
            values.add(contact.value)
            if contact.kind == "phone":
                values.add(contact.href.split(":", 1)[1])
                values.update(contact.extensions)
    return frozenset(values)


# ------------------------------------------------------------------ files the product writes

# OWASP "CSV injection": a cell that starts with one of these is read as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet never runs and the csv module always writes: text loses its
    control characters other than tab and line breaks (a NUL stops Python's csv writer), its
    format characters and lone surrogates; then, when it starts with = + - @ tab or CR (or
    their full-width forms), it gets a leading apostrophe. Numbers stay numbers."""
    if not isinstance(value, str):
        return value
    value = "".join(ch for ch in value if ch in "\t\n\r" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_row(row: Iterable[Any]) -> list[Any]:
    return [csv_cell(value) for value in row]


PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
PRIVATE_UMASK = 0o077  # for a process whose files must come out 0600 in 0700 folders


def private_dir(path: Path | str, tighten: bool = False) -> Path:
    """``path`` as a folder only its owner can enter: each folder created here is 0700; an
    existing one is changed to 0700 only with ``tighten`` (the product's own var/ folders)."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        os.chmod(folder, PRIVATE_DIR)
    if tighten:
        os.chmod(path, PRIVATE_DIR)
    return path


def open_private(path: Path | str, mode: str = "w", **kwargs: Any) -> IO[Any]:
    """Open ``path`` for writing (``"w"``, ``"wb"``) or appending (``"a"``, ``"ab"``) as a file only
    its owner can read: 0600, also when it existed."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC), PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def write_private(path: Path | str, data: str | bytes, encoding: str = "utf-8") -> Path:
    """Write ``data`` to ``path`` (0600)."""
    if isinstance(data, bytes):
        with open_private(path, "wb") as handle:
            handle.write(data)
    else:
        with open_private(path, "w", encoding=encoding) as handle:
            handle.write(data)
    return Path(path)


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")


def without_controls(text: str) -> str:
    """``text`` without invisible control characters (C0 but tab and line breaks, DEL, C1) and
    non-characters; the line and paragraph separators (U+2028, U+2029) as line breaks."""
    return _CONTROLS.sub("", text).replace("\u2028", "\n").replace("\u2029", "\n")


def printable(text: str | None) -> str:
    """One line: format characters (Cf: zero-width, bidi controls), lone surrogates and
    non-characters removed; control characters (C0, C1, DEL), private-use and unassigned code
    points, line and paragraph separators and every space become one space."""
    if not text:
        return ""
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if category in ("Cf", "Cs") or _noncharacter(ch):
            continue  # invisible: removed ("hol\u200ba" is "hola")
        kept.append(" " if category[0] in "CZ" else ch)
    return " ".join("".join(kept).split())


def _noncharacter(ch: str) -> bool:
    code = ord(ch)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


__all__ = ["EMAIL", "PHONE", "DOCUMENT", "mask", "normalise", "has_personal_data", "published_contacts",
           "csv_cell", "csv_row", "printable", "without_controls", "private_dir", "open_private", "write_private"]
