"""A real assistant for the live tests: action server + Rasa server on loopback.

The Rasa server loads the model once per test session; the action server starts
once with ASSISTANT_NOW (the acceptance suite's contract) and ASSISTANT_NOW_FILE,
which moves its clock for each test without a restart (helpdesk/clock.py).
test_conversations.py also restarts it with ASSISTANT_NOW alone.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import requests

from tools import stack


class Assistant:
    """Talks to the running assistant as the website does (REST channel)."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.logs = tmp / "logs"
        self.action_port = stack.free_port()
        self.rasa_port = stack.free_port()
        self.token = uuid.uuid4().hex
        self.action_token = uuid.uuid4().hex  # ACTION_SERVER_TOKEN: as deployed, Rasa must send it
        self.moment: str | None = None
        self.actions: stack.Service | None = None
        self.clock_file = tmp / "assistant-now"
        self.restartable = True
        self.start_actions("2026-12-04T10:00")
        endpoints = stack.write_endpoints(
            tmp / "endpoints.yml",
            self.action_port,
            # The tracker store that ships (endpoints.yml), on a file of this run.
            tracker_store={"type": "addons.tracker_store.ReportingSQLTrackerStore", "dialect": "sqlite",
                           "db": str(tmp / "tracker.db")},
            action_token=self.action_token,
        )
        self.rasa = stack.start_rasa(self.rasa_port, endpoints, self.logs, auth_token=self.token)
        self.url = self.rasa.url

    def start_actions(self, moment: str, clock_file: bool = True) -> None:
        if self.actions is not None:
            self.actions.stop()
        self.clock_file.unlink(missing_ok=True)
        env = {"ASSISTANT_NOW": moment, "DESK_URL": "off", "ACTION_SERVER_TOKEN": self.action_token}
        if clock_file:
            env["ASSISTANT_NOW_FILE"] = str(self.clock_file)
        # No agent desk here: REST customers are never handed off (their channel
        # cannot carry an agent's replies); tests/integration covers the desk.
        self.actions = stack.start_actions(self.action_port, self.logs, env)
        self.moment = moment
        self.restartable = clock_file

    def at(self, moment: str) -> Assistant:
        """Fix the clock: writes ASSISTANT_NOW_FILE (a restart only if the server died)."""
        if not self.actions.alive() or not self.restartable:
            self.start_actions(moment)
        elif moment != self.moment:
            self.clock_file.write_text(moment, encoding="utf-8")
            self.moment = moment
        return self

    def send(self, text: str, sender: str) -> list[dict]:
        response = requests.post(
            f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
        )
        assert response.status_code == 200, response.text
        return response.json()

    def stop(self) -> None:
        self.rasa.stop()
        if self.actions:
            self.actions.stop()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory):
    live = Assistant(tmp_path_factory.mktemp("live"))
    yield live
    live.stop()


class Conversation:
    """One customer (a unique sender id) talking to the assistant."""

    def __init__(self, assistant: Assistant):
        self.assistant = assistant
        self.sender = f"test-{uuid.uuid4().hex[:12]}"
        self.last: list[dict] = []

    def say(self, text: str) -> str:
        self.last = self.assistant.send(text, self.sender)
        return "\n".join(m.get("text", "") for m in self.last)

    @property
    def buttons(self) -> list[str]:
        return [b["title"] for m in self.last for b in m.get("buttons", [])]

    def press(self, title: str) -> str:
        payload = next(b["payload"] for m in self.last for b in m.get("buttons", []) if b["title"] == title)
        return self.say(payload)


@pytest.fixture
def customer(assistant):
    def new(moment: str) -> Conversation:
        assistant.at(moment)
        return Conversation(assistant)

    return new
