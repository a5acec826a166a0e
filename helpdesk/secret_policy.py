"""Which secrets a server may start with (standard library only).

Every server of the project reads its secrets from the environment and checks
them with :func:`secret_problem` before it listens: the agent desk
(``desk/config.py``), the Rasa server (``addons/rasa_run.py`` and the socket.io
channel) and the action server (:func:`require_action_server_secrets`). A secret is
refused when it is

- missing or empty,
- shorter than ``MIN_LENGTH`` (32) characters,
- one of the values published in this repository or in the charts it builds on
  (``DEMO_VALUES``: the desk's demo webhook secret, the Helm chart's default token…),
- made of fewer than ``MIN_DISTINCT`` different characters ("aaaa…", "1234…"),
- surrounded by spaces (a copy-and-paste accident).

The message names the variable and says how to make a good value; it never
repeats the value (a secret must not reach a log).
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import stat
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

MIN_LENGTH = 32
MIN_DISTINCT = 8  # a random hex token of 32 characters has fewer than 8 in about 1 case in 30 million
GENERATE = "python3 -c \"import secrets; print(secrets.token_urlsafe(32))\""

# Published values: anybody can read them (this repository, its documentation, the
# official Helm chart's defaults), so no server accepts them outside demo mode.
DEMO_VALUES = frozenset({
    "demo-desk-webhook",  # desk/config.py DEMO_WEBHOOK_SECRET, printed by `make run`
    "x",  # the example of issue 19
    "rasaToken",  # the rasa Helm chart's default applicationSettings.token
    "rasa-token",  # the agent desk tests' fake Rasa, before the tests used random tokens
    "changeme", "secret", "token", "password",
})

PURPOSES = {
    "DESK_WEBHOOK_SECRET": "the HMAC secret the desk shares with the action server",
    "RASA_AUTH_TOKEN": "the token of Rasa's HTTP API (the desk uses it; --enable-api without it is open to anyone)",
    "SOCKETIO_SESSION_SECRET": "the key that signs the website chat's session values, the same on every Rasa "
                               "instance",
    "ACTION_SERVER_TOKEN": "the token Rasa sends to the action server (action_endpoint.token)",
}


class SecretError(ValueError):
    """A secret a server needs is missing or not good enough; the message names the variable."""


def secret_problem(name: str, value: str | None, purpose: str | None = None) -> str | None:
    """Why ``value`` cannot be the secret ``name`` (English, for the operator), or None."""
    what = purpose or PURPOSES.get(name, "a secret")
    advice = f"set it to a random value of at least {MIN_LENGTH} characters, e.g. {GENERATE}"
    if not value:
        return f"{name} is required ({what}): {advice}"
    if value.strip() != value:
        return f"{name} starts or ends with spaces or a line break: {advice}"
    if value in DEMO_VALUES or value.lower() in DEMO_VALUES:
        return f"{name} is a published demo value that anybody can read: {advice}"
    if len(value) < MIN_LENGTH:
        return f"{name} is too short ({len(value)} characters; at least {MIN_LENGTH}): {advice}"
    if len(set(value)) < MIN_DISTINCT:
        return f"{name} looks like a placeholder (only {len(set(value))} different characters): {advice}"
    return None


def is_loopback_host(host: str) -> bool:
    host = (host or "").strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def action_server_problems(environ: Mapping[str, str] = os.environ) -> list[str]:
    """What stops an action server from starting with this environment.

    - ``ACTION_SERVER_TOKEN`` is needed as soon as the server listens beyond loopback
      (``SANIC_HOST``, which actions/__init__.py defaults to 127.0.0.1): anyone who reaches
      it could run actions with a made-up tracker. A token that is set must be good anyway.
    - ``DESK_WEBHOOK_SECRET`` is needed when the desk (``DESK_URL``) is on another machine;
      a value that is set must be good, except the demo secret of a desk in demo mode on
      loopback (``make run`` without secrets). Unset with a desk on this machine, hand-offs
      are refused by the desk and the customer gets the open channels.
    """
    problems = []
    token = environ.get("ACTION_SERVER_TOKEN", "")
    host = environ.get("SANIC_HOST", "127.0.0.1")
    if token or not is_loopback_host(host):
        problem = secret_problem("ACTION_SERVER_TOKEN", token)
        if problem:
            problems.append(problem + ("" if token else f" (the action server listens on {host}, beyond this "
                                                         "machine: Rasa must send the token, action_endpoint.token)"))
    desk_url = environ.get("DESK_URL", "http://127.0.0.1:5070").strip()
    if desk_url and desk_url.lower() not in ("off", "none", "disabled"):
        secret = environ.get("DESK_WEBHOOK_SECRET", "")
        local_desk = is_loopback_host(urlsplit(desk_url).hostname or "")
        demo = environ.get("DESK_DEMO", "").strip().lower() in ("1", "true", "yes", "on", "si", "sí")
        if (secret or not local_desk) and not (demo and local_desk and secret == "demo-desk-webhook"):
            problem = secret_problem("DESK_WEBHOOK_SECRET", secret)
            if problem:
                problems.append(problem + f" (the secret of the desk at {desk_url}; DESK_URL=off: no desk)")
    return problems


def require_action_server_secrets(environ: Mapping[str, str] = os.environ) -> None:
    """Stop the action server (exit code 2, the reasons on stderr) when ``action_server_problems``
    finds any. Called where the action server starts (actions/__init__.py)."""
    problems = action_server_problems(environ)
    if problems:
        print("The action server cannot start:\n" + "\n".join(f"- {p}" for p in problems), file=sys.stderr,
              flush=True)
        raise SystemExit(2)


# ------------------------------------------------------------ a secret kept in a file

_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")


def stored_secret(path: Path) -> str:
    """The secret kept in ``path``, made on first use: a 0600 file in a 0700 folder.

    ``make run`` keeps the socket.io session key here so that a restart keeps the website
    chat's conversations. An unreadable or damaged file is replaced; looser modes are
    tightened.
    """
    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if stat.S_IMODE(folder.stat().st_mode) != 0o700:
        folder.chmod(0o700)
    try:
        value = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        value = ""
    if value and _TOKEN.match(value) and secret_problem("stored secret", value) is None:
        if stat.S_IMODE(path.stat().st_mode) != 0o600:
            path.chmod(0o600)
        return value
    value = secrets.token_urlsafe(48)
    temporary = folder / f".{path.name}.{os.getpid()}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(descriptor, (value + "\n").encode("ascii"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.replace(temporary, path)
    return value
