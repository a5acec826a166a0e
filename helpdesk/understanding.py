"""Entity values: what the NLU extracted, and what a text names that the NLU did not tag.

The NLU (a CRF) extracts spans such as "telefno", "CORREO" or "sabados"; the synonym table maps
exact strings only. These functions map any such span (without accents, in capitals,
with a typo) to the canonical values the core uses, and find the values named in a
text, with the same vocabulary: ``data/nlu/synonyms.yml`` read by ``helpdesk.lexicon``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from helpdesk.lexicon import lexicon
from helpdesk.text import normalize, words

CHANNELS = ("support_line", "priority_line", "email", "chat", "pqrsa", "supervisor", "coordinator")
SERVICES = ("firma_digital", "estampado_cronologico", "otro")
REQUEST_TYPES = ("peticion", "queja", "reclamo", "sugerencia", "apelacion")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "holiday", "today", "tomorrow")

_CANONICAL: Mapping[str, Sequence[str]] = {
    "channel": CHANNELS,
    "service": SERVICES,
    "request_type": REQUEST_TYPES,
    "day": DAYS,
}
# Naming a request type ("una queja") names the PQRSA channel.
_PQRSA_TYPES = ("queja", "reclamo", "sugerencia", "apelacion")


def canonical(entity: str, value: object) -> str | None:
    """Map an extracted entity value to its canonical value, or None.

    Accepts canonical values, synonyms the NLU did not map, missing accents, capitals and
    small typos ("telefno" → support_line).
    """
    if not isinstance(value, str) or not value.strip():
        return None
    allowed = _CANONICAL[entity]
    norm = normalize(value)
    if norm in allowed:
        return norm
    found = lexicon().values_in(allowed, value)
    return found[0] if found else None


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


def _without_titles(tokens: list[str]) -> list[str]:
    """The words without a job title the customer gives of themselves ("en calidad de
    Coordinadora de Talento Humano", "soy el supervisor de compras"): a title after a
    phrase of the lexicon table ``self_title`` is not a channel asked for."""
    lex = lexicon()
    out = list(tokens)
    for hit in lex.find("self_title", tokens):
        for i in range(hit.end, min(hit.end + 2, len(out))):
            out[i] = ""
    return out


def values_in_text(text: str, entity: str) -> list[str]:
    """Canonical values of one entity type named anywhere in the text."""
    tokens = words(text)
    if entity == "channel":
        tokens = _without_titles(tokens)
    found = lexicon().values_in(_CANONICAL[entity], tokens)
    if entity == "channel" and "pqrsa" not in found and lexicon().values_in(_PQRSA_TYPES, words(text)):
        found.append("pqrsa")
    return found


# The generic channels a customer names alongside a specific one ("el correo del
# supervisor", "el teléfono de PQRSA"): the specific one is meant.
_GENERIC_CHANNELS = ("support_line", "email")
_SPECIFIC_CHANNELS = ("priority_line", "pqrsa", "supervisor", "coordinator")


def requested_channels(entities: Iterable[Mapping[str, object]], text: str) -> list[str]:
    """The channels a message asks about, specific ones winning over generic ones.

    Uses the NLU's entities first and the text's words for what the NLU missed: "24/7" or
    "PQRS" inside a longer span, "el tel" beside "el link del chat".
    """
    channels = entity_values(entities, "channel")
    for value in values_in_text(text, "channel"):
        if value not in channels:
            channels.append(value)
    if any(c in _SPECIFIC_CHANNELS for c in channels):
        channels = [c for c in channels if c not in _GENERIC_CHANNELS]
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
