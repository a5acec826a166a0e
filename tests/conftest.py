"""Shared fixtures. Tests run in .venv/actions (`make test`, docs/testing.md)."""

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


# The extended layers: each starts its own Rasa servers (a browser stack, persistence
# restarts, two scale-out instances, the desk hand-off) or loads the model in several
# processes (the speed-up checks). `make test` runs every layer, `make test-core` all
# but these; .ci/run adds the extended layers when the core run left time (docs/testing.md).
EXTENDED = ("tests/browser/", "tests/integration/", "tests/rasa/test_rasa_speedups.py")


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = Path(str(item.fspath)).resolve().relative_to(ROOT).as_posix()
        if path.startswith(EXTENDED):
            item.add_marker(pytest.mark.extended)
