import pytest


@pytest.fixture
def clock(monkeypatch):
    """Fix the assistant's clock: clock("2026-12-06T03:00") (Bogotá)."""

    def set_moment(iso: str) -> None:
        monkeypatch.setenv("ASSISTANT_NOW", iso)

    return set_moment
