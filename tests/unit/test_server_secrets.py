"""Secrets are required outside demo mode (issue 19, point 5).

Each server refuses to start, with a message naming the variable, when a secret it needs is
missing, shorter than 32 characters or a published demo value: the desk (its own process),
the Rasa server as ``make run`` and docs/deployment.md start it (``python -m addons.rasa_run run``,
checked before Rasa reads its arguments: a stand-in for Rasa records whether it was
reached), and the action server (actions/__init__.py). ``make run`` keeps
the socket.io session key in a 0600 file under var/ and reuses it. The scale-out endpoints
carry the action server's token and no command line shows a token.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
import subprocess
import sys

import pytest
import yaml

from helpdesk import secret_policy
from tests.conftest import ROOT
from tools import stack

GOOD = secrets.token_urlsafe(32)
SCALE_OUT = ROOT / "deploy" / "endpoints.scale-out.yml"


# ------------------------------------------------------------------------ the rules

@pytest.mark.parametrize("value,message", [
    (None, "is required"),
    ("", "is required"),
    ("x", "is a published demo value"),
    ("demo-desk-webhook", "is a published demo value"),
    ("rasaToken", "is a published demo value"),
    (GOOD[:31], "is too short (31 characters; at least 32)"),
    ("ab" * 20, "looks like a placeholder (only 2 different characters)"),
    (" " + GOOD, "starts or ends with spaces"),
])
def test_a_secret_is_refused_when_missing_short_or_published(value, message):
    problem = secret_policy.secret_problem("SOME_SECRET", value)
    assert problem.startswith("SOME_SECRET ") and message in problem
    assert "secrets.token_urlsafe(32)" in problem  # says how to make a good one
    if value and len(value) > 3:
        assert value.strip() not in problem  # never repeats the value


def test_a_random_token_is_accepted():
    for _ in range(200):
        assert secret_policy.secret_problem("X", secrets.token_urlsafe(32)) is None
        assert secret_policy.secret_problem("X", secrets.token_hex(16)) is None


# ---------------------------------------------------------------------------- the desk

def start_desk(tmp_path, **env: str) -> subprocess.CompletedProcess:
    environment = stack.base_env({"DESK_DB": str(tmp_path / "d.db"), "DESK_PORT": str(stack.free_port()), **env})
    for name in ("DESK_DEMO", "DESK_WEBHOOK_SECRET", "RASA_AUTH_TOKEN"):
        if name not in env:
            environment.pop(name, None)
    return subprocess.run([str(stack.ACTIONS_PYTHON), "-m", "desk"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env=environment)


@pytest.mark.slow
@pytest.mark.parametrize("env,message", [
    ({"DESK_WEBHOOK_SECRET": "x", "RASA_AUTH_TOKEN": GOOD}, "DESK_WEBHOOK_SECRET is a published demo value"),
    ({"DESK_WEBHOOK_SECRET": "demo-desk-webhook", "DESK_HOST": "0.0.0.0", "RASA_AUTH_TOKEN": GOOD},
     "DESK_WEBHOOK_SECRET is a published demo value"),
    ({"DESK_WEBHOOK_SECRET": GOOD[:20], "RASA_AUTH_TOKEN": GOOD}, "DESK_WEBHOOK_SECRET is too short"),
    ({"DESK_WEBHOOK_SECRET": GOOD, "RASA_AUTH_TOKEN": ""}, "RASA_AUTH_TOKEN is required"),
    ({"DESK_WEBHOOK_SECRET": GOOD}, "RASA_AUTH_TOKEN is required"),
    ({"DESK_WEBHOOK_SECRET": GOOD, "RASA_AUTH_TOKEN": "rasa-token"}, "RASA_AUTH_TOKEN is a published demo value"),
    ({"DESK_WEBHOOK_SECRET": GOOD, "RASA_AUTH_TOKEN": GOOD, "DESK_TRUSTED_PROXIES": "10.0.0.1,proxy"},
     "DESK_TRUSTED_PROXIES: 'proxy' is not an IP address"),
])
def test_the_desk_refuses_to_start_without_real_secrets(tmp_path, env, message):
    result = start_desk(tmp_path, **env)
    assert result.returncode == 2, result.stderr[-1000:]
    assert "The agent desk cannot start:" in result.stderr and message in result.stderr, result.stderr[-1000:]


# ----------------------------------------------------------- the Rasa server (rasa_run)

@pytest.fixture
def rasa_stand_in(tmp_path):
    """A package named ``rasa`` whose ``main`` prints the arguments it got: reached means started."""
    fake = tmp_path / "fake" / "rasa"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "__main__.py").write_text("import sys\ndef main():\n    print('RASA STARTED', sys.argv[1:])\n")

    def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "addons.rasa_run", *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=60,
                              env={"PYTHONPATH": f"{fake.parent}:{ROOT}", "PATH": "/usr/bin:/bin", **env})
    return run


LOOPBACK = ["run", "--enable-api", "--interface", "127.0.0.1"]


@pytest.mark.parametrize("args,env,message", [
    (LOOPBACK, {}, "RASA_AUTH_TOKEN is required"),
    (LOOPBACK, {"RASA_AUTH_TOKEN": ""}, "RASA_AUTH_TOKEN is required"),
    (LOOPBACK, {"RASA_AUTH_TOKEN": "3f9a8c7d6e5b"}, "RASA_AUTH_TOKEN is too short (12 characters; at least 32)"),
    (LOOPBACK, {"RASA_AUTH_TOKEN": "rasaToken"}, "RASA_AUTH_TOKEN is a published demo value"),
    ([*LOOPBACK, "--auth-token", "corto"], {"RASA_AUTH_TOKEN": GOOD}, "RASA_AUTH_TOKEN is too short"),
    # Beyond loopback the website chat's key must be set and shared (Rasa's default interface is 0.0.0.0).
    (["run", "--enable-api"], {"RASA_AUTH_TOKEN": GOOD}, "SOCKETIO_SESSION_SECRET is required"),
    (["run", "--interface", "0.0.0.0"], {}, "SOCKETIO_SESSION_SECRET is required"),
    (LOOPBACK, {"RASA_AUTH_TOKEN": GOOD, "SOCKETIO_SESSION_SECRET": "x"},
     "SOCKETIO_SESSION_SECRET is a published demo value"),
    # The scale-out endpoints send ${ACTION_SERVER_TOKEN} to the action servers.
    ([*LOOPBACK, "--endpoints", str(SCALE_OUT)], {"RASA_AUTH_TOKEN": GOOD, "ACTION_SERVER_URL": "http://actions/w"},
     "ACTION_SERVER_TOKEN is required"),
    ([*LOOPBACK, "--endpoints", str(SCALE_OUT)],
     {"RASA_AUTH_TOKEN": GOOD, "ACTION_SERVER_URL": "http://actions/w", "ACTION_SERVER_TOKEN": "abc"},
     "ACTION_SERVER_TOKEN is too short"),
])
def test_rasa_refuses_to_start_without_real_secrets(rasa_stand_in, args, env, message):
    result = rasa_stand_in(args, env)
    assert result.returncode == 2 and "RASA STARTED" not in result.stdout, (result.stdout, result.stderr[-800:])
    assert result.stderr.startswith("Rasa cannot start:") and message in result.stderr, result.stderr[-800:]
    assert GOOD not in result.stderr


def test_rasa_refuses_an_action_server_beyond_this_machine_without_a_token(rasa_stand_in, tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("action_endpoint:\n  url: http://10.20.30.40:5055/webhook\n", encoding="utf-8")
    result = rasa_stand_in([*LOOPBACK, "--endpoints", str(endpoints)], {"RASA_AUTH_TOKEN": GOOD})
    assert result.returncode == 2 and "ACTION_SERVER_TOKEN is required: the action server " \
                                      "(http://10.20.30.40:5055/webhook) is not on this machine" in result.stderr


@pytest.mark.parametrize("args,env", [
    (LOOPBACK, {"RASA_AUTH_TOKEN": GOOD}),  # tools/stack.py's start_rasa
    (["run", "--enable-api"], {"RASA_AUTH_TOKEN": GOOD, "SOCKETIO_SESSION_SECRET": secrets.token_hex(32)}),
    (["run", "--interface", "127.0.0.1"], {}),  # no API, on loopback: nothing to protect with a token
    ([*LOOPBACK, "--endpoints", str(SCALE_OUT)],
     {"RASA_AUTH_TOKEN": GOOD, "ACTION_SERVER_URL": "http://actions/w", "ACTION_SERVER_TOKEN": GOOD}),
    (["train"], {}),  # only `run` serves
])
def test_rasa_starts_with_real_secrets(rasa_stand_in, args, env):
    result = rasa_stand_in(args, env)
    assert result.returncode == 0 and "RASA STARTED" in result.stdout, result.stderr[-800:]


def test_make_run_makes_secrets_the_servers_accept():
    """tools/stack.py's per-run tokens pass the same rules (so `make run` always starts)."""
    source = (ROOT / "tools" / "stack.py").read_text(encoding="utf-8")
    sizes = [int(n) for n in re.findall(r"secrets\.token_urlsafe\((\d+)\)", source)]
    assert sizes and all(len(secrets.token_urlsafe(n)) >= secret_policy.MIN_LENGTH for n in sizes)


# ---------------------------------------------------- make run keeps the socket.io key

def test_make_run_keeps_the_session_key_in_a_private_file_and_reuses_it(tmp_path, monkeypatch):
    monkeypatch.delenv("SOCKETIO_SESSION_SECRET", raising=False)
    path = tmp_path / "var" / "secrets" / "socketio_session_secret"
    first = stack.keep_session_secret(path)
    assert os.environ["SOCKETIO_SESSION_SECRET"] == first
    assert secret_policy.secret_problem("SOCKETIO_SESSION_SECRET", first) is None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    monkeypatch.delenv("SOCKETIO_SESSION_SECRET")
    assert stack.keep_session_secret(path) == first  # the next `make run`: same key, same conversations
    path.chmod(0o644)
    path.parent.chmod(0o755)
    monkeypatch.delenv("SOCKETIO_SESSION_SECRET")
    assert stack.keep_session_secret(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    path.write_text("x\n")  # damaged: replaced by a new key
    monkeypatch.delenv("SOCKETIO_SESSION_SECRET")
    assert stack.keep_session_secret(path) not in (first, "x")
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_a_key_in_the_environment_wins_and_no_file_is_made(tmp_path, monkeypatch):
    monkeypatch.setenv("SOCKETIO_SESSION_SECRET", GOOD)
    path = tmp_path / "secrets" / "k"
    assert stack.keep_session_secret(path) == GOOD and not path.exists()


def test_make_run_passes_the_kept_key_to_rasa():
    source = (ROOT / "tools" / "stack.py").read_text(encoding="utf-8")
    main = source[source.index("def main()"):]
    assert main.index("keep_session_secret()") < main.index("start_stack(")


# ------------------------------------------------------------------ the action server

@pytest.mark.parametrize("env,message", [
    ({"SANIC_HOST": "0.0.0.0"}, "ACTION_SERVER_TOKEN is required"),
    ({"SANIC_HOST": "10.1.2.3", "ACTION_SERVER_TOKEN": ""}, "ACTION_SERVER_TOKEN is required"),
    ({"ACTION_SERVER_TOKEN": "abc"}, "ACTION_SERVER_TOKEN is too short"),
    ({"DESK_URL": "http://desk.internal:5070", "DESK_WEBHOOK_SECRET": ""}, "DESK_WEBHOOK_SECRET is required"),
    ({"DESK_WEBHOOK_SECRET": "x"}, "DESK_WEBHOOK_SECRET is a published demo value"),
    ({"DESK_WEBHOOK_SECRET": "demo-desk-webhook"}, "DESK_WEBHOOK_SECRET is a published demo value"),
])
def test_the_action_servers_rules(env, message):
    problems = secret_policy.action_server_problems(env)
    assert any(message in p for p in problems), problems


@pytest.mark.parametrize("env", [
    {},  # a checkout: loopback, a desk on this machine that refuses unsigned hand-offs
    {"DESK_URL": "off"},
    {"SANIC_HOST": "0.0.0.0", "ACTION_SERVER_TOKEN": GOOD, "DESK_URL": "http://desk:5070", "DESK_WEBHOOK_SECRET": GOOD},
    {"DESK_DEMO": "1", "DESK_WEBHOOK_SECRET": "demo-desk-webhook", "DESK_URL": "http://127.0.0.1:5070"},  # make run
])
def test_the_action_server_starts_where_no_secret_is_needed(env):
    assert secret_policy.action_server_problems(env) == []


@pytest.mark.slow
def test_the_action_server_refuses_to_start_beyond_loopback_without_its_token():
    """Importing the actions package is the action server's start (actions/__init__.py)."""
    env = stack.base_env({"SANIC_HOST": "0.0.0.0"})
    env.pop("ACTION_SERVER_TOKEN", None)
    result = subprocess.run([str(stack.ACTIONS_PYTHON), "-c", "import actions"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env=env)
    assert result.returncode == 2 and "ACTION_SERVER_TOKEN is required" in result.stderr, result.stderr[-800:]


# ------------------------------------------------------------------- the scale-out file

def test_the_scale_out_endpoints_carry_the_action_servers_token_from_the_environment():
    config = yaml.safe_load(SCALE_OUT.read_text(encoding="utf-8"))
    assert config["action_endpoint"] == {"url": "${ACTION_SERVER_URL}", "token": "${ACTION_SERVER_TOKEN}"}


def test_no_token_on_a_command_line_in_the_deployment_files():
    """The scale-out file, the README and every page of docs/ (commands move between pages)."""
    pages = sorted((ROOT / "docs").glob("*.md"))
    assert {"deployment.md", "agent-desk.md", "security.md"} <= {p.name for p in pages}
    for path in (SCALE_OUT, ROOT / "README.md", *pages):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"--auth-token[ =]+[\"']?\$", text), path  # --auth-token "$RASA_AUTH_TOKEN"
        assert not re.search(r"\?token=\$", text), path
