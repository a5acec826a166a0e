"""Look up event classes by type name once, not on every event.

Rasa 3.6 deserialises each stored event with ``Event.resolve_by_type``, which
walks every subclass of ``Event`` (recursively) until one has the type name.
The tracker store replays a conversation's events on every message, so under
load this walk was about 9 % of the Rasa server's CPU (py-spy). This keeps a
dictionary of the answers: the same class as Rasa's own lookup, found once per
type name. Unknown names still go through Rasa's lookup (default or error).
"""

from __future__ import annotations

from typing import Any

from rasa.shared.core.events import Event

_original = Event.resolve_by_type
_found: dict[str, Any] = {}


def resolve_by_type(type_name: str, default: Any = None) -> Any:
    cls = _found.get(type_name)
    if cls is None:
        cls = _original(type_name, default)
        if cls is not None and getattr(cls, "type_name", None) == type_name:
            _found[type_name] = cls
    return cls


def install() -> None:
    Event.resolve_by_type = staticmethod(resolve_by_type)
