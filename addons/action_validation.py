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

_validator: Any | None = None
_original = RemoteAction._validate_action_result


def _compiled(schema: dict[str, Any]) -> Any:
    global _validator
    if _validator is None:
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
    return _validator


_fast: dict[str, Any] | None = None


def _fast_validators(schema: dict[str, Any]) -> dict[str, Any]:
    """The response without its events' oneOf, and one validator per event name."""
    global _fast
    if _fast is None:
        cls = jsonschema.validators.validator_for(schema)
        events = schema["properties"]["events"]
        event = events["items"]
        base = {key: value for key, value in event.items() if key != "oneOf"}
        by_name = {alternative["properties"]["event"]["const"]: cls({"allOf": [base, alternative]})
                   for alternative in event["oneOf"]}
        outer = dict(schema, properties=dict(schema["properties"], events={"type": "array"}))
        _fast = {"outer": cls(outer), "events": by_name}
    return _fast


def _fast_valid(schema: dict[str, Any], result: Any) -> bool:
    fast = _fast_validators(schema)
    if not fast["outer"].is_valid(result):
        return False
    for event in result.get("events") or []:
        name = event.get("event") if isinstance(event, dict) else None
        validator = fast["events"].get(name) if isinstance(name, str) else None
        if validator is None or not validator.is_valid(event):
            return False
    return True


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    schema = self.action_response_format_spec()
    if _fast_valid(schema, result):
        return True
    error = jsonschema.exceptions.best_match(_compiled(schema).iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            "from the Action endpoint is valid."
        )
        raise error
    return True


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result
