"""Real servers for the integration tests and a small REST client.

``MainStack`` is one action server and one Rasa server configured like the
project's endpoints.yml (SQLite tracker store through addons/tracker_store.py),
with the HTTP API behind a token and CORS limited to tools.stack's origins.
``Cluster`` is the scale-out layout of deploy/endpoints.scale-out.yml: two Rasa
instances sharing one PostgreSQL and one Redis, and one action server.

Both are started once per test session by the fixtures in conftest.py and
stopped by their finalizers (also when a test fails).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tarfile
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import requests
import yaml

from tests.conftest import ROOT
from tools import stack
from tools.services import Postgres, Redis

# Saturday 5 December 2026, 20:00 in Bogotá: every regular channel is closed, so
# the answers are the after-hours ones and the triage flow starts.
ASSISTANT_NOW = "2026-12-05T20:00"
SCALE_OUT_ENDPOINTS = ROOT / "deploy" / "endpoints.scale-out.yml"


@contextlib.contextmanager
def without_env(*names: str) -> Iterator[None]:
    """Start a process with the project's defaults, not this shell's overrides."""
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


class Rasa:
    """A running Rasa server, talked to as the website and the API clients do."""

    def __init__(self, service: stack.Service, token: str):
        self.service = service
        self.token = token

    @property
    def url(self) -> str:
        return self.service.url

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def post(self, body=None, *, data: bytes | None = None, headers: dict[str, str] | None = None,
             timeout: float = 90) -> requests.Response:
        """POST to the REST channel: ``body`` as JSON, or ``data`` as raw bytes."""
        if data is None:
            return requests.post(f"{self.url}/webhooks/rest/webhook", json=body, headers=headers, timeout=timeout)
        headers = {"Content-Type": "application/json", **(headers or {})}
        return requests.post(f"{self.url}/webhooks/rest/webhook", data=data, headers=headers, timeout=timeout)

    def say(self, sender: str, text: str) -> list[dict]:
        response = self.post({"sender": sender, "message": text})
        assert response.status_code == 200, f"{response.status_code}: {response.text[:500]}"
        return response.json()

    def tracker(self, sender: str) -> dict:
        response = requests.get(
            f"{self.url}/conversations/{urllib.parse.quote(sender, safe='')}/tracker",
            params={"token": self.token}, timeout=30,
        )
        assert response.status_code == 200, f"{response.status_code}: {response.text[:500]}"
        return response.json()

    def log(self) -> str:
        return self.service.log()


def texts(messages: list[dict]) -> str:
    """The bot's texts of one REST answer, one per line."""
    return "\n".join(m.get("text") or "" for m in messages)


def turns(events: list[dict]) -> list[dict]:
    """Split tracker events at user messages.

    Returns one entry per user message: its text, the texts of the bot
    messages that followed it and how many times the bot went back to
    listening (exactly once for a turn processed once).
    """
    result: list[dict] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            result.append({"user": event.get("text"), "bot": [], "listens": 0})
        elif result and kind == "bot":
            result[-1]["bot"].append(event.get("text"))
        elif result and kind == "action" and event.get("name") == "action_listen":
            result[-1]["listens"] += 1
    return result


def model_components(model: Path) -> set[str]:
    """Class paths of the custom components (``addons.…``) in a trained model's graph."""
    with tarfile.open(model, "r:gz") as archive:
        for member in archive:
            if member.name.lstrip("./") == "metadata.json":
                metadata = archive.extractfile(member).read().decode("utf-8")
                return set(re.findall(r"addons\.[a-z_]+\.[A-Za-z]+", metadata))
    return set()


def project_tracker_store(db_path: Path) -> dict:
    """endpoints.yml's tracker store, with the SQLite file moved to ``db_path``."""
    config = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))["tracker_store"]
    config = dict(config)
    if config.get("dialect", "sqlite") == "sqlite":
        config["db"] = str(db_path)
    return config


class MainStack:
    """Action server + one Rasa server with the project's configuration."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.logs = tmp / "logs"
        self.token = secrets.token_urlsafe(24)
        self.action_port = stack.free_port()
        self.actions: stack.Service | None = None
        self.rasa: Rasa | None = None
        self.endpoints = stack.write_endpoints(
            tmp / "endpoints.yml", self.action_port, tracker_store=project_tracker_store(tmp / "tracker.db")
        )

    def start(self) -> MainStack:
        self.start_actions()
        self.start_rasa()
        return self

    def start_actions(self) -> None:
        with without_env("SANIC_HOST"):  # the default of actions/__init__.py is what is tested
            self.actions = stack.start_actions(self.action_port, self.logs, {"ASSISTANT_NOW": ASSISTANT_NOW, "DESK_URL": "off"},
                                               wait=False)
        stack.wait_until_ready(self.actions, "/health", timeout=60)

    def stop_actions(self) -> None:
        if self.actions is not None:
            self.actions.stop()

    def start_rasa(self) -> None:
        service = stack.start_rasa(stack.free_port(), self.endpoints, self.logs, auth_token=self.token,
                                   extra_args=["--cors", *stack.cors_origins()], wait=False)
        self.rasa = Rasa(service, self.token)  # kept before waiting, so a failed start is still stopped
        stack.wait_until_ready(service, f"/status?token={self.token}", timeout=400)

    def kill_rasa(self) -> None:
        """SIGKILL the Rasa server, as a crash or an OOM kill would."""
        self.rasa.service.kill()

    def stop(self) -> None:
        if self.rasa is not None:
            self.rasa.service.stop()
        self.stop_actions()


class Cluster:
    """deploy/endpoints.scale-out.yml for real: PostgreSQL, Redis, one action server, two Rasa."""

    def __init__(self, tmp: Path, instances: int = 2):
        self.tmp = tmp
        self.logs = tmp / "logs"
        self.instances = instances
        self.token = secrets.token_urlsafe(24)
        self.postgres: Postgres | None = None
        self.redis: Redis | None = None
        self.actions: stack.Service | None = None
        self.rasa: list[Rasa] = []

    def start(self) -> Cluster:
        self.postgres = Postgres()
        self.postgres.init()
        self.redis = Redis()
        self.redis.start()
        action_port = stack.free_port()
        # deploy/endpoints.scale-out.yml sends ${ACTION_SERVER_TOKEN}; the action server checks it.
        action_token = secrets.token_urlsafe(32)
        with without_env("SANIC_HOST"):
            self.actions = stack.start_actions(action_port, self.logs, {"ASSISTANT_NOW": ASSISTANT_NOW, "DESK_URL": "off",
                                                                        "ACTION_SERVER_TOKEN": action_token}, wait=False)
        stack.wait_until_ready(self.actions, "/health", timeout=60)
        env = {**self.postgres.env(), **self.redis.env(),
               "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook", "ACTION_SERVER_TOKEN": action_token}
        # The instances load the model side by side, as pods of one deployment do.
        for _ in range(self.instances):
            service = stack.start_rasa(stack.free_port(), SCALE_OUT_ENDPOINTS, self.logs, env=env,
                                       auth_token=self.token, extra_args=["--cors", *stack.cors_origins()],
                                       wait=False)
            self.rasa.append(Rasa(service, self.token))
        for rasa in self.rasa:
            stack.wait_until_ready(rasa.service, f"/status?token={self.token}", timeout=400)
        return self

    def stop(self) -> None:
        for rasa in self.rasa:
            rasa.service.stop()
        if self.actions is not None:
            self.actions.stop()
        if self.redis is not None:
            self.redis.stop()
        if self.postgres is not None:
            self.postgres.destroy()
