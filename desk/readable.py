"""Text that agents and supervisors read exactly as it was written, in the order it was written.

Customer text reaches the desk's pages and JSON (packet, transcript, report). A bidi
control character in it — U+202E RIGHT-TO-LEFT OVERRIDE and its kin — makes the browser
show the following characters in another order ("pagar 0001$" read as "$1000 ragap"; a
number or a link that reads differently from what it is). ``neutralise`` removes every
bidi control (U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates, U+200E/U+200F
marks, U+061C the Arabic letter mark) and the invisible control characters (C0 but tab
and line breaks, DEL, C1), so what is shown is the text in its logical order. The
desk's pages escape every value through ``desk.views.esc``, which calls it; the JSON
the pages' script reads goes through ``neutralise_data``.
"""

from __future__ import annotations

import re
from typing import Any

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_HIDDEN = re.compile("[" + BIDI_CONTROLS + r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def neutralise(text: str) -> str:
    """``text`` without bidi controls and invisible control characters."""
    return _HIDDEN.sub("", text)


def neutralise_data(value: Any) -> Any:
    """Every string in a JSON-like value (dicts, lists, keys included) neutralised."""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, dict):
        return {neutralise_data(k): neutralise_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [neutralise_data(v) for v in value]
    return value
