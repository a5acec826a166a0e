"""Customers' text out of the Rasa server's log: every record masked, on one line.

Rasa writes what a customer typed to its log in places: a message that starts with "/" and
is not an intent ("/mi cédula es …") gives, at WARNING, ``Failed to parse arguments in line
'<the message>'. Expected the intent to be one of […] but found <the message>.``
(``YAMLStoryReader.unpack_regex_message`` → ``rasa.shared.utils.io.raise_warning``, a Python
warning) or the structlog event ``message.parsing.failed`` with ``user_text``; at DEBUG many
more. The text arrives verbatim, with its line breaks, so a customer can also forge log lines.

:func:`install` (called once, from ``addons/__init__.py``, when the Rasa server imports the
add-ons) makes every log record of the process go through :class:`CustomerTextFilter`, from
any logger and to any handler, including the ones Sanic and Rasa set up later: it is
installed as the record factory (``logging.setLogRecordFactory``), so a record is clean
from the moment it exists. Python warnings are routed to the log
(``logging.captureWarnings``) so they are cleaned too. For each record the filter:

* replaces, in Rasa's parser warning, the customer's line and the "intent" read from it by
  the reason only; and in a structlog JSON event, the values of the keys Rasa itself lists
  as users' data (``rasa/utils/log_utils.py``: ``text``, ``user_text``, ``message`` …) by
  their length (in the console renderer's ``key=value`` form, a terminal, by a placeholder);
* masks the rest with ``helpdesk.privacy.mask`` (the product's one masking function: phones,
  documents, e-mails), after decoding ``\\uXXXX`` escapes (a repr or a JSON dump hides
  full-width digits and zero-width characters behind them);
* escapes line breaks and other control characters (``\\n``, ``\\r``, ``\\x1b`` …), so one
  record is one line; terminal colour codes are dropped;
* masks the traceback text of ``exc_info`` and ``stack_info``.

If any of this fails the record says so instead of carrying the original text.
tests/unit/test_log_privacy.py builds real records of these formats.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from helpdesk.privacy import mask

PARSER_WARNING = "Failed to parse arguments in line '"
PARSER_REASONS = {
    "Expected the intent to be one of": "the intent is not one of the domain",
    "Failed to decode parameters as a json object": "the entities are not a JSON object",
    "Expected entities from": "unknown entity types",
    "Failed to interpret some parts": "text after the entities",
}
# The keys Rasa's own anonymizer treats as users' data (rasa/utils/log_utils.py, _anonymizer).
CUSTOMER_TEXT_KEYS = frozenset({
    "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
    "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response", "slot_candidates",
    "rasa_event", "rasa_events", "tracker_states", "current_states", "old_states", "successes", "current_entity",
    "next_entity", "states", "entity", "token_text", "user_message", "json_message",
})
UNMASKABLE = "[registro omitido: no se pudo enmascarar]"

_COLOURS = re.compile(r"\x1b\[[0-9;]*m")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})|\\x([0-9a-fA-F]{2})")
_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r"}
# The same keys as structlog's console renderer writes them (a terminal): key='…', key="…", key=[…], key=…
_CONSOLE_PAIR = re.compile(
    r"\b(" + "|".join(sorted(CUSTOMER_TEXT_KEYS, key=len, reverse=True)) + r")="
    r"(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\[[^\]]*\]|\{[^}]*\}|\S+)", re.DOTALL)


def one_line(text: str) -> str:
    """Line breaks and control characters (tab aside) as escapes: ``\\n``, ``\\r``, ``\\x1b``, ``\\u2028``."""
    def escape(match: re.Match) -> str:
        ch = match.group(0)
        return _NAMED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")

    return _UNSAFE.sub(escape, text)


def _decode_escapes(text: str) -> str:
    def decode(match: re.Match) -> str:
        code = int(next(g for g in match.groups() if g), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _ESCAPE.sub(decode, text)


def _redact_parser_warning(text: str) -> str:
    start = text.find(PARSER_WARNING)
    if start < 0:
        return text
    rest = text[start:]
    reason = next((why for marker, why in PARSER_REASONS.items() if marker in rest), "unreadable")
    return (text[:start] + "Failed to parse a message that starts with '/' as an intent "
            f"({reason}); the customer's text is not logged.")


def _customer_value(value: Any) -> str:
    if isinstance(value, str):
        return f"[texto del cliente: {len(value)} caracteres]"
    return "[datos del cliente omitidos]"


def _clean_event(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _customer_value(item) if key in CUSTOMER_TEXT_KEYS else _clean_event(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_clean_event(item) for item in value]
    if isinstance(value, str):
        return mask(value)
    return value


def clean_message(text: str) -> str:
    """A log message without customers' text or personal data, on one line."""
    text = _COLOURS.sub("", text)
    stripped = text.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        try:
            event = json.loads(stripped)
        except ValueError:
            event = None
        if isinstance(event, dict):  # a structlog event rendered by Rasa's JSONRenderer
            return one_line(json.dumps(_clean_event(event)))
    text = _CONSOLE_PAIR.sub(lambda m: f"{m.group(1)}=[texto del cliente omitido]", text)
    return one_line(mask(_redact_parser_warning(_decode_escapes(text))))


class CustomerTextFilter(logging.Filter):
    """Rewrites a record's message (and traceback) without customers' text; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.msg = clean_message(record.getMessage())
            record.args = None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = mask(_decode_escapes(record.exc_text))
            if record.stack_info:
                record.stack_info = mask(record.stack_info)
        except Exception:  # a record that cannot be cleaned must not leak what it carried
            record.msg, record.args, record.exc_text, record.stack_info = UNMASKABLE, None, None, None
            record.exc_info = None
        return True


FILTER = CustomerTextFilter()


def install() -> None:
    """Every log record of this process through :data:`FILTER`, Python warnings included (idempotent)."""
    logging.captureWarnings(True)
    factory = logging.getLogRecordFactory()
    if getattr(factory, "masks_customer_text", False):
        return

    def masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        FILTER.filter(record)
        return record

    masking_factory.masks_customer_text = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masking_factory)


def installed() -> bool:
    return bool(getattr(logging.getLogRecordFactory(), "masks_customer_text", False))
