"""Canned replies: short texts agents insert into their reply, from a file supervisors edit.

The file (``desk/canned_replies.yml``, or ``DESK_CANNED_REPLIES``) is read once when the
desk starts and checked completely, like the schedule file of the action server: a
missing file, invalid YAML, a reply without a title or text, a title used twice, a text
longer than a reply may be, or a variable other than ``{agent_name}`` / ``{agent_role}``
stops the desk with a message that names the file, the reply and the field, e.g.

    The agent desk cannot start: desk/canned_replies.yml: replies[3].text: missing. Each reply
    needs "title" (up to 60 characters) and "text" (up to 2000 characters).

``python -m desk check-replies`` runs the same check without starting anything. Choosing a
reply only fills the agent's reply box (desk.js): the agent reads, edits and sends it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from desk.config import ROOT, ConfigError
from desk.texts import PLACEHOLDER, VARIABLES, fill

DEFAULT_FILE = ROOT / "desk" / "canned_replies.yml"
MAX_TITLE = 60
MAX_TEXT = 2000  # the longest reply an agent may send (desk/routes/agent_actions.py MAX_REPLY)
MAX_REPLIES = 100
FIELDS = ("title", "text")
SHAPE = f'Each reply needs "title" (up to {MAX_TITLE} characters) and "text" (up to {MAX_TEXT} characters).'


@dataclass(frozen=True)
class CannedReply:
    title: str
    text: str

    def for_agent(self, name: str, role: str) -> str:
        """The text with the agent's name and role filled in."""
        return fill(self.text, {"agent_name": name, "agent_role": role})


def file_from_env(environ: Mapping[str, str] = os.environ) -> Path:
    """DESK_CANNED_REPLIES (relative to the project root), else desk/canned_replies.yml."""
    path = Path(environ.get("DESK_CANNED_REPLIES") or DEFAULT_FILE)
    return path if path.is_absolute() else ROOT / path


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def load(path: Path = DEFAULT_FILE) -> tuple[CannedReply, ...]:
    """The replies of ``path``, checked; ConfigError (naming the file, reply and field) otherwise."""
    path = Path(path)
    where = _shown(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{where}: cannot be read ({exc.strerror or exc}); DESK_CANNED_REPLIES names "
                          "the canned replies file") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: is not valid YAML: {exc}") from None
    if not isinstance(data, dict) or "replies" not in data:
        raise ConfigError(f"{where}: must have a 'replies:' list. {SHAPE}")
    unknown = sorted(set(data) - {"replies"})
    if unknown:
        raise ConfigError(f"{where}: unknown key {', '.join(map(str, unknown))}. Allowed: replies")
    items = data["replies"]
    if not isinstance(items, list) or not items:
        raise ConfigError(f"{where}: replies: must be a list with at least one reply. {SHAPE}")
    if len(items) > MAX_REPLIES:
        raise ConfigError(f"{where}: replies: {len(items)} replies; at most {MAX_REPLIES}")
    replies, titles = [], {}
    for number, item in enumerate(items, start=1):
        at = f"{where}: replies[{number}]"
        replies.append(_reply(at, item))
        key = replies[-1].title.casefold()
        if key in titles:
            raise ConfigError(f"{at}.title: {replies[-1].title!r} is also the title of replies[{titles[key]}]; "
                              "titles must be different")
        titles[key] = number
    return tuple(replies)


def _reply(at: str, item: Any) -> CannedReply:
    if not isinstance(item, dict):
        raise ConfigError(f"{at}: must be a mapping with title and text. {SHAPE}")
    unknown = sorted(set(map(str, item)) - set(FIELDS))
    if unknown:
        raise ConfigError(f"{at}: unknown field {', '.join(unknown)}. Allowed: {', '.join(FIELDS)}")
    values = {}
    for field, limit in (("title", MAX_TITLE), ("text", MAX_TEXT)):
        value = item.get(field)
        if value is None:
            raise ConfigError(f"{at}.{field}: missing. {SHAPE}")
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{at}.{field}: must be non-empty text. {SHAPE}")
        if len(value.strip()) > limit:
            raise ConfigError(f"{at}.{field}: {len(value.strip())} characters; at most {limit}")
        values[field] = value.strip()
    unknown_variables = sorted(set(PLACEHOLDER.findall(values["text"])) - set(VARIABLES))
    if unknown_variables:
        allowed = ", ".join("{" + v + "}" for v in VARIABLES)
        raise ConfigError(f"{at}.text: uses {', '.join('{' + v + '}' for v in unknown_variables)}; "
                          f"the desk fills only {allowed}")
    return CannedReply(values["title"], values["text"])
