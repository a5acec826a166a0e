"""Validate action-server responses with a validator compiled once.

Rasa 3.6 checks every response of the action server with ``jsonschema.validate``
(``RemoteAction._validate_action_result``). That function first checks the
*schema* against the JSON Schema 2020-12 meta-schema, on every call: profiled
with py-spy under load, it was 57 % of the Rasa server's CPU per turn (several
action calls per turn, the question form validating each answer). This module
builds the validator once and validates the response against the same schema
with the same error (``best_match``), so a malformed response is still refused.

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


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    error = jsonschema.exceptions.best_match(_compiled(self.action_response_format_spec()).iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            "from the Action endpoint is valid."
        )
        raise error
    return True


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result
