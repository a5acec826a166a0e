"""One customer message as the NLU read it: the core's input.

Built by the actions from Rasa's parse data (``actions/runtime.message_of``): the intent, its
confidence and ranking, the entities, and the NLU's reading of each part of a message that
asks several things (``clauses``, ``addons/clauses.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from helpdesk.letter import request_part
from helpdesk.priority import Understanding


@dataclass(frozen=True)
class Message:
    """One customer message as the NLU read it."""

    intent: str
    text: str = ""
    confidence: float = 1.0
    entities: tuple[dict[str, Any], ...] = ()
    ranking: tuple[tuple[str, float], ...] = ()
    clauses: tuple[dict[str, Any], ...] = ()  # each question of the message, read on its own
    channel: str = ""  # the input channel ("socketio": the website chat, "rest": an API client)

    @property
    def command(self) -> bool:
        """A button's payload ("/affirm"), not words."""
        return self.text.startswith("/")

    @property
    def request(self) -> str:
        """The words that carry the request (a letter without its heading and signature)."""
        return "" if self.command else request_part(self.text)

    def understanding(self) -> Understanding:
        return Understanding(self.intent, self.confidence, self.ranking or ((self.intent, self.confidence),))
