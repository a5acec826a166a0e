"""What the desk says to the customer, read from the assistant's domain.yml.

Every sentence the customer reads lives in domain.yml, the desk's too: when an
agent takes a conversation, hands it back to the assistant or closes it, the
desk posts a bot event whose text is one of these responses:

    utter_desk_taken      "Le atiende {agent_name}, {agent_role}."
    utter_desk_returned   "{agent_name} le devolvió la conversación al asistente virtual. …"
    utter_desk_closed     "La conversación con el asesor terminó. …"

The variables are written as Rasa writes slot variables, ``{agent_name}`` and
``{agent_role}`` (the agent's display name and role); a response with several
``- text:`` variants gets one at random, as Rasa does. The file is read once at
start-up (DESK_DOMAIN_FILE, default the project's domain.yml) and checked
completely there: a missing response, a variant without text, a variable the
desk does not fill or something the desk cannot send (buttons, images…) stops
the desk with a ConfigError that names the file and the response.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from desk.config import ConfigError
from desk.store import Agent

TAKEN = "utter_desk_taken"
RETURNED = "utter_desk_returned"
CLOSED = "utter_desk_closed"
RESPONSES = {
    TAKEN: "when an agent takes the conversation",
    RETURNED: "when an agent hands the conversation back to the assistant",
    CLOSED: "when an agent closes the conversation",
}
VARIABLES = ("agent_name", "agent_role")
# Rasa's placeholder syntax (rasa/core/nlg/interpolator.py): {name}, without newline or braces inside.
PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")


@dataclass(frozen=True)
class DeskTexts:
    """The desk's responses (name → text variants), checked, from one domain file."""

    source: Path
    variants: Mapping[str, tuple[str, ...]]

    @classmethod
    def load(cls, path: Path) -> DeskTexts:
        """Read and check the desk's responses in ``path``; ConfigError when they cannot be used."""
        path = Path(path)
        try:
            domain = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"the domain file {path} (DESK_DOMAIN_FILE) cannot be read: {exc.strerror or exc}") \
                from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"the domain file {path} (DESK_DOMAIN_FILE) is not valid YAML: {exc}") from None
        responses = domain.get("responses") if isinstance(domain, dict) else None
        if not isinstance(responses, dict):
            raise ConfigError(f"{path} has no 'responses:' section; the desk needs {', '.join(RESPONSES)}")
        return cls(path, {name: _variants(path, name, responses.get(name)) for name in RESPONSES})

    def say(self, name: str, agent: Agent) -> str:
        """One variant of response ``name`` with the agent's name and role filled in."""
        values = {"agent_name": agent.name, "agent_role": agent.role}
        return fill(random.choice(self.variants[name]), values)

    def taken(self, agent: Agent) -> str:
        return self.say(TAKEN, agent)

    def returned(self, agent: Agent) -> str:
        return self.say(RETURNED, agent)

    def closed(self, agent: Agent) -> str:
        return self.say(CLOSED, agent)


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each ``{variable}`` replaced by its value (values are inserted as they are)."""
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def _variants(path: Path, name: str, variants: Any) -> tuple[str, ...]:
    where = f"{path}: responses.{name}"
    if variants is None:
        raise ConfigError(f"{where} is missing; the desk says it to the customer {RESPONSES[name]}")
    if not isinstance(variants, list) or not variants:
        raise ConfigError(f"{where} must be a list of variants (- text: …)")
    texts = []
    for number, variant in enumerate(variants, start=1):
        text = variant.get("text") if isinstance(variant, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise ConfigError(f"{where}, variant {number}, has no text")
        others = sorted(set(variant) - {"text"})
        if others:
            raise ConfigError(f"{where}, variant {number}, has {', '.join(others)}: the desk sends text only")
        unknown = sorted(set(PLACEHOLDER.findall(text)) - set(VARIABLES))
        if unknown:
            raise ConfigError(f"{where}, variant {number}, uses {', '.join('{' + u + '}' for u in unknown)}; "
                              f"the desk fills only {', '.join('{' + v + '}' for v in VARIABLES)}")
        texts.append(text)
    return tuple(texts)
