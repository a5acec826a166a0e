"""Normalising what the NLU extracted, and keyword cues from the raw text.

DIET extracts spans such as "telefno", "CORREO" or "sabados"; the synonym
table only maps exact strings. These functions map any such span (without
accents, in capitals, with a typo) to the canonical values the core uses, and
read a few cues (the service, whether the operation is stopped) from the text
itself as a second opinion.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence

from helpdesk.text import normalize, one_edit_apart  # the one folding of the product (ñ → n)

CHANNELS = ("support_line", "priority_line", "email", "chat", "pqrsa", "supervisor", "coordinator")
SERVICES = ("firma_digital", "estampado_cronologico", "otro")
REQUEST_TYPES = ("peticion", "queja", "reclamo", "sugerencia", "apelacion")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "holiday", "today", "tomorrow")

# Keyword stems per canonical value, most specific first; matched against
# normalised words (lowercase, no accents). Multi-word stems match phrases.
_REQUEST_TYPE_STEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("apelacion", ("apela", "apelo", "apelar", "appeal")),
    ("sugerencia", ("sugerencia", "sugerir", "sugiero", "suggest")),
    ("reclamo", ("reclam", "claim")),
    ("queja", ("queja", "quejar", "quejo", "complain")),
    ("peticion", ("peticion", "solicitud", "derecho de peticion", "petition", "request")),
)
# Naming a request type names the PQRSA channel ("the email for complaints" is
# certicamararesponde@, not the support e-mail); "solicitud"/"request" alone do not.
_PQRSA_STEMS = ("pqr", "pqrs", "pqrsa", "pqrsf", "pqrsd") + tuple(
    stem for _, stems in _REQUEST_TYPE_STEMS for stem in stems if stem not in ("solicitud", "request")
)
_CHANNEL_STEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("priority_line", ("24/7", "24 horas", "24h", "7x24", "emergenc", "prioridad", "critic", "urgenc", "p1")),
    ("coordinator", ("coordinad", "cordinad")),
    ("supervisor", ("supervis", "superviz")),
    ("pqrsa", _PQRSA_STEMS),
    ("chat", ("chat", "certichat", "chatear")),
    ("email", ("correo", "email", "e-mail", "mail", "emeil", "corre")),
    ("support_line", ("telefon", "tel", "telf", "linea", "numero", "num", "celular", "cel", "llamar", "fono", "phone", "call", "pbx")),
)
_SERVICE_STEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("estampado_cronologico", ("estamp", "sello de tiempo", "sellado", "timestamp", "cronolog", "tsa")),
    ("firma_digital", ("firma", "firmar", "certificado", "token", "signature", "sign")),
    ("otro", ("otro", "otra", "other", "ninguno")),
)
_DAY_STEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("holiday", ("festiv", "feriad", "holiday", "puente")),
    ("today", ("hoy", "today")),
    ("tomorrow", ("manana", "tomorrow")),
    ("monday", ("lunes", "monday")),
    ("tuesday", ("martes", "tuesday")),
    ("wednesday", ("miercoles", "wednesday")),
    ("thursday", ("jueves", "thursday")),
    ("friday", ("viernes", "friday")),
    ("saturday", ("sabado", "saturday", "sab")),
    ("sunday", ("domingo", "sunday", "dom")),
)

_STEMS_BY_ENTITY: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "channel": _CHANNEL_STEMS,
    "service": _SERVICE_STEMS,
    "request_type": _REQUEST_TYPE_STEMS,
    "day": _DAY_STEMS,
}
_CANONICAL: Mapping[str, Sequence[str]] = {
    "channel": CHANNELS,
    "service": SERVICES,
    "request_type": REQUEST_TYPES,
    "day": DAYS,
}

def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9/+-]+", normalize(text))


def canonical(entity: str, value: object) -> str | None:
    """Map an extracted entity value to its canonical value, or None.

    Accepts canonical values, synonyms the NLU did not map, missing accents,
    capitals and small typos ("telefno" → support_line).
    """
    if not isinstance(value, str) or not value.strip():
        return None
    allowed = _CANONICAL[entity]
    norm = normalize(value)
    if norm in allowed:
        return norm
    words = _words(value)
    stems = _STEMS_BY_ENTITY[entity]
    for canonical_value, keys in stems:
        for key in keys:
            if (" " in key or "/" in key) and key in norm:
                return canonical_value
            if any(w.startswith(key) if len(key) > 3 else w == key for w in words):
                return canonical_value
    # Typos: compare each word with every stem of four letters or more.
    vocabulary = {key: cv for cv, keys in stems for key in keys if len(key) >= 4 and " " not in key}
    for w in words:
        if len(w) < 4:
            continue
        match = difflib.get_close_matches(w[: max(len(k) for k in vocabulary)], list(vocabulary), n=1, cutoff=0.8)
        if match:
            return vocabulary[match[0]]
    return None


def entity_values(entities: Iterable[Mapping[str, object]], entity: str) -> list[str]:
    """Distinct canonical values of one entity type, in order of appearance."""
    values: list[str] = []
    for e in entities or []:
        if e.get("entity") != entity:
            continue
        value = canonical(entity, e.get("value")) or canonical(entity, e.get("text"))
        if value and value not in values:
            values.append(value)
    return values


def values_in_text(text: str, entity: str) -> list[str]:
    """Canonical values of one entity type named anywhere in the text (keyword scan)."""
    norm = normalize(text)
    words = _words(text)
    found: list[tuple[int, str]] = []
    for canonical_value, keys in _STEMS_BY_ENTITY[entity]:
        positions = []
        for key in keys:
            if " " in key or "/" in key:
                pos = norm.find(key)
                if pos >= 0:
                    positions.append(pos)
            else:
                for w in words:
                    if (w.startswith(key) if len(key) > 3 else w == key):
                        positions.append(norm.find(w))
                        break
        if positions:
            found.append((min(positions), canonical_value))
    if not found and entity == "day":
        found = _misspelt_days(words, norm)
    return [v for _, v in sorted(found)]


# Day names a customer may misspell ("sabdo", "domigo", "miercole"): a word of five
# letters or more, with the same first letter and one edit away (Levenshtein) from
# one of these. Checked only when no day was found as written. The first letter
# keeps "partes" from being "martes"; one edit keeps "viene" from being "viernes";
# the real words one edit from a day name are listed and never taken for one.
# Spanish whole words only, not _DAY_STEMS: English names and short stems one
# edit away would catch common words ("todas" → "today", "manzana" → "mañana").
_NOT_DAYS = frozenset({"dominio", "dominios", "vienes", "salado", "mares", "lunas", "nueves", "festiva"})
_DAY_NAMES = {
    "lunes": "monday", "martes": "tuesday", "miercoles": "wednesday", "jueves": "thursday",
    "viernes": "friday", "sabado": "saturday", "sabados": "saturday", "domingo": "sunday",
    "domingos": "sunday", "festivo": "holiday", "festivos": "holiday",
}


def _misspelt_days(words: list[str], norm: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for word in words:
        if len(word) < 5 or word in _NOT_DAYS:
            continue
        for name, value in _DAY_NAMES.items():
            if word[0] == name[0] and one_edit_apart(word, name):
                if value not in (v for _, v in found):
                    found.append((norm.find(word), value))
                break
    return found


# The generic channels a customer names alongside a specific one ("el correo
# del supervisor", "el teléfono de PQRSA"): the specific one is meant.
_GENERIC_CHANNELS = ("support_line", "email")
_SPECIFIC_CHANNELS = ("priority_line", "pqrsa", "supervisor", "coordinator")


def requested_channels(entities: Iterable[Mapping[str, object]], text: str) -> list[str]:
    """The channels a message asks about, specific ones winning over generic ones.

    Uses the NLU's entities first and falls back to keywords in the text.
    """
    channels = entity_values(entities, "channel")
    for value in values_in_text(text, "channel"):
        if value in _SPECIFIC_CHANNELS and value not in channels:
            channels.append(value)  # the NLU missed "24/7" or "PQRS" inside a longer span
    if not channels:
        channels = values_in_text(text, "channel")
    if any(c in _SPECIFIC_CHANNELS for c in channels):
        channels = [c for c in channels if c not in _GENERIC_CHANNELS]
    if "coordinator" in channels and "supervisor" in channels:
        pass  # both asked: both answered
    return channels


def detect_service(text: str, entities: Iterable[Mapping[str, object]] = ()) -> str | None:
    """The affected service named in a message, if any."""
    values = entity_values(entities, "service") or values_in_text(text, "service")
    return values[0] if values else None


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_free_text(text: str, limit: int = 500) -> str:
    """A customer's free text made safe to repeat: no control characters, no markup.

    Angle brackets become the look-alike ‹ › so "<script>" can never be echoed
    as markup by a client that renders HTML (the agent desk, an e-mail client).
    """
    text = _CONTROL.sub(" ", text or "")
    text = text.replace("<", "‹").replace(">", "›")
    return " ".join(text.split())[:limit]
