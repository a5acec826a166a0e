"""A Rasa user's way to run the assistant, from a fresh checkout.

After `make setup` and a trained model, the servers are started the usual way from
the project root — `rasa run` with the project's own endpoints.yml and
credentials.yml, and `python -m rasa_sdk --actions actions` — without `make run`.
The checkout has no var/: the SQLite tracker store of endpoints.yml creates it, and
the conversation survives a SIGKILL of the Rasa server.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT
from tools.stack import MODEL, base_env, free_port

ACTION_PORT = 5055  # what the shipped endpoints.yml names
ASKS_SERVICE = "¿Qué servicio está afectado?"
ASKS_BLOCKED = "¿El problema detiene su operación?"
ASKS_DESCRIPTION = "Descríbame el problema"


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _checkout(target: Path) -> None:
    """The files a clone would have (tracked files of the working tree), the environments
    `make setup` built, and the trained model `make train` writes to models/."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(ROOT / ".venv")
    (target / "models").mkdir()
    shutil.copy2(MODEL, target / "models" / MODEL.name)


def _start(cmd: list[str], cwd: Path, log: Path, env: dict[str, str]) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen(cmd, cwd=cwd, env=base_env(env), stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _wait(url: str, process: subprocess.Popen, log: Path, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise AssertionError(f"{url} not ready in {timeout} s:\n" + log.read_text(errors="replace")[-3000:])


def _stop(process: subprocess.Popen | None, sig: int = signal.SIGTERM) -> None:
    if process is not None and process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture
def checkout(tmp_path):
    deadline = time.monotonic() + 120
    while not _port_free(ACTION_PORT):  # another stack of this machine may be finishing
        assert time.monotonic() < deadline, f"port {ACTION_PORT} (endpoints.yml's action server) stays busy"
        time.sleep(2)
    project = tmp_path / "checkout"
    _checkout(project)
    return project


def test_rasa_run_from_a_fresh_checkout_keeps_the_conversation_across_a_sigkill(checkout):
    assert not (checkout / "var").exists()  # as in a clone: var/ is not in git
    rasa_port = free_port()
    rasa_log, actions_log = checkout.parent / "rasa.log", checkout.parent / "actions.log"
    rasa_cmd = [str(checkout / ".venv/rasa/bin/rasa"), "run", "--port", str(rasa_port), "--interface", "127.0.0.1"]
    actions = rasa = None
    try:
        actions = _start([str(checkout / ".venv/actions/bin/python"), "-m", "rasa_sdk", "--actions", "actions"],
                         checkout, actions_log, {"ASSISTANT_NOW": "2026-12-05T20:00"})  # Saturday night: triage
        _wait(f"http://127.0.0.1:{ACTION_PORT}/health", actions, actions_log, timeout=120)
        rasa = _start(rasa_cmd, checkout, rasa_log, {})
        _wait(f"http://127.0.0.1:{rasa_port}/", rasa, rasa_log)
        url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
        sender = f"fresh-{uuid.uuid4().hex[:10]}"

        def say(text: str) -> str:
            reply = requests.post(url, json={"sender": sender, "message": text}, timeout=120)
            assert reply.status_code == 200, reply.text
            return "\n".join(m.get("text", "") for m in reply.json())

        assert ASKS_SERVICE in say("tengo un problema")
        assert ASKS_BLOCKED in say("con la firma digital")
        assert (checkout / "var" / "tracker.db").exists()
        first_log = rasa_log.read_text(errors="replace")
        assert " ERROR " not in first_log, first_log[-3000:]

        _stop(rasa, signal.SIGKILL)  # a crash or an OOM kill
        rasa = _start(rasa_cmd, checkout, rasa_log, {})
        _wait(f"http://127.0.0.1:{rasa_port}/", rasa, rasa_log)
        # The pending question survived: "no" answers it and the flow goes on.
        assert ASKS_DESCRIPTION in say("no")
        assert " ERROR " not in rasa_log.read_text(errors="replace"), rasa_log.read_text(errors="replace")[-3000:]
    finally:
        _stop(rasa)
        _stop(actions)
