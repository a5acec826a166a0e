"""Reading a supervisor-edited YAML file (the schedule, the phrases) with errors that name
the file, the key and what is allowed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class ConfigFileError(ValueError):
    """A configuration file is missing, unreadable or invalid."""

    def __init__(self, source: str, key: str, problem: str, allowed: str | None = None):
        self.source = source
        self.key = key
        self.problem = problem
        self.allowed = allowed
        message = f"{source}: {key}: {problem}"
        if allowed:
            message += f" Allowed: {allowed}."
        super().__init__(message)


def read_yaml(path: Path, error: type[ConfigFileError]) -> Any:
    """The parsed YAML of ``path``; ``error`` (naming the file) when it is missing, unreadable
    or not YAML."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(source, "(file)", "the file does not exist.") from None
    except OSError as exc:
        raise error(source, "(file)", f"cannot be read ({exc.strerror}).") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise error(source, "(file)", f"is not valid YAML{where}.") from None
