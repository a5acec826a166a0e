"""Validate action-server responses with a validator compiled once.

Rasa 3.6 checks every response of the action server with ``jsonschema.validate``
(``RemoteAction._validate_action_result``). That function first checks the
*schema* against the JSON Schema 2020-12 meta-schema, on every call: profiled
with py-spy under load, it was 57 % of the Rasa server's CPU per turn (several
action calls per turn, the question form validating each answer). This module
builds the validator once and validates the response against the same schema
with the same error (``best_match``), so a malformed response is still refused.

A second step: each event in the schema is checked against ``oneOf`` 23 event
schemas, which all differ in the constant ``event`` name. A fast path checks each
event against the one schema of its name only (if that passes, exactly one of the
23 passes, so the full schema passes too); anything else goes through the full
validator, which then decides and gives Rasa's error.

Installed when the ``addons`` package is imported by the Rasa server (the model's
custom components and the tracker and lock stores live in it).
"""

from __future__ import annotations

from typing import Any

import jsonschema
from rasa.core.actions.action import RemoteAction

_original = RemoteAction._validate_action_result
# The schema is a constant of Rasa's (a static method): both validators are built once.
_SCHEMA = RemoteAction.action_response_format_spec()
_CLS = jsonschema.validators.validator_for(_SCHEMA)
_CLS.check_schema(_SCHEMA)
_FULL = _CLS(_SCHEMA)
# The fast path: the response without its events' oneOf, and one validator per event name.
_EVENT = _SCHEMA["properties"]["events"]["items"]
_EVENT_BASE = {key: value for key, value in _EVENT.items() if key != "oneOf"}
_BY_NAME = {alternative["properties"]["event"]["const"]: _CLS({"allOf": [_EVENT_BASE, alternative]})
            for alternative in _EVENT["oneOf"]}
_OUTER = _CLS(dict(_SCHEMA, properties=dict(_SCHEMA["properties"], events={"type": "array"})))


def _fast_valid(result: Any) -> bool:
    if not _OUTER.is_valid(result):
        return False
    for event in result.get("events") or []:
        name = event.get("event") if isinstance(event, dict) else None
        validator = _BY_NAME.get(name) if isinstance(name, str) else None
        if validator is None or not validator.is_valid(event):
            return False
    return True


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    if _fast_valid(result):
        return True
    error = jsonschema.exceptions.best_match(_FULL.iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            "from the Action endpoint is valid."
        )
        raise error
    return True


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result
