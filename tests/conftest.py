"""Shared fixtures. Tests run in .venv/actions (see README, `make test`)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from helpdesk.loader import load_schedule  # noqa: E402


@pytest.fixture(scope="session")
def schedule():
    """The real schedule file of the project."""
    return load_schedule(ROOT / "schedule" / "channels.yml")
