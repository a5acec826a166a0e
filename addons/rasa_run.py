"""`rasa` with the HTTP API token read from the environment, not from the command line.

    RASA_AUTH_TOKEN=… .venv/rasa/bin/python -m addons.rasa_run run --enable-api …

Rasa takes its token only as ``--auth-token``, where any local user reads it in the
process list (``/proc/<pid>/cmdline``) — and it allows replacing the model and
writing events. Rasa parses ``sys.argv`` inside the process, so this entry point
adds the token to ``sys.argv`` after the process started: the arguments the
kernel shows stay without it.

Before Rasa reads its arguments or loads a model, ``run`` checks the secrets this server
needs (``startup_problems``; the rules are helpdesk/secret_policy.py) and stops with exit
code 2 and a message naming the variable:

- ``--enable-api`` needs ``RASA_AUTH_TOKEN`` (Rasa would serve its API to anyone without one);
- ``SOCKETIO_SESSION_SECRET``, when set, must be a real secret, and it is needed when the
  website chat's channel (credentials) listens beyond loopback (``--interface``; Rasa's
  default is 0.0.0.0): a random key per process would drop every website conversation on
  each restart and could not be shared by several instances;
- the action server's token of the endpoints file (``action_endpoint.token``, usually
  ``${ACTION_SERVER_TOKEN}``) must be a real secret, and it is needed when the action
  server is not on this machine.

Importing ``addons`` installs the speed-ups of Rasa's code (addons/speedups.py)
before Rasa sets up logging; a hook of Rasa's plugin manager, called right after,
logs the INFO line that says which were installed.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

TOKEN_ENV = "RASA_AUTH_TOKEN"
SOCKETIO_CHANNEL = "addons.socketio_channel.SignedSocketIOInput"
_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def main() -> None:
    problems = startup_problems(sys.argv[1:], os.environ)
    if problems:
        print("Rasa cannot start:\n" + "\n".join(f"- {p}" for p in problems), file=sys.stderr, flush=True)
        raise SystemExit(2)
    token = os.environ.get(TOKEN_ENV, "")
    if token and len(sys.argv) > 1 and sys.argv[1] in ("run", "shell", "interactive") and not any(
        a.startswith(("--auth-token", "-t")) for a in sys.argv
    ):
        sys.argv.append(f"--auth-token={token}")  # "=": a token may start with "-"
    from rasa.__main__ import main as rasa_main

    _log_speedups_once_logging_is_set_up()
    rasa_main()


def _yaml(path: Path) -> dict:
    try:
        import yaml

        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except Exception:  # noqa: BLE001 - a missing or broken file is Rasa's to report
        return {}
    return loaded if isinstance(loaded, dict) else {}


def startup_problems(args: list[str], environ: Mapping[str, str]) -> list[str]:
    """What stops ``rasa <args>`` from starting with these secrets (empty: nothing)."""
    from helpdesk.secret_policy import is_loopback_host, secret_problem

    if not args or args[0] != "run":
        return []
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--enable-api", action="store_true")
    parser.add_argument("-t", "--auth-token", default=None)
    parser.add_argument("-i", "--interface", default="0.0.0.0")
    parser.add_argument("--credentials", default="credentials.yml")
    parser.add_argument("--endpoints", default="endpoints.yml")
    known, _ = parser.parse_known_args(args[1:])
    problems = []

    if known.enable_api:
        token = known.auth_token if known.auth_token is not None else environ.get(TOKEN_ENV, "")
        problem = secret_problem(TOKEN_ENV, token)
        if problem:
            problems.append(problem + " (--enable-api serves the HTTP API: with no token, to anyone)")

    channels = _yaml(Path(known.credentials))
    if SOCKETIO_CHANNEL in channels:
        value = environ.get("SOCKETIO_SESSION_SECRET", "")
        if value or not is_loopback_host(known.interface):
            problem = secret_problem("SOCKETIO_SESSION_SECRET", value)
            if problem:
                if not value:
                    problem += (f" (Rasa listens on {known.interface}: every instance must sign the website "
                                "chat's sessions with the same key, kept across restarts)")
                problems.append(problem)

    action = _yaml(Path(known.endpoints)).get("action_endpoint")
    if isinstance(action, dict) and action.get("url"):
        url = _VARIABLE.sub(lambda m: environ.get(m.group(1), m.group(0)), str(action["url"]))
        raw = action.get("token")
        if raw is not None and str(raw).strip():
            named = _VARIABLE.fullmatch(str(raw).strip())
            name = named.group(1) if named else f"action_endpoint.token in {known.endpoints}"
            value = environ.get(named.group(1), "") if named else str(raw)
            problem = secret_problem(name, value, "the token Rasa sends to the action server")
            if problem:
                problems.append(problem)
        elif "${" not in url and not is_loopback_host(urlsplit(url).hostname or ""):
            problems.append(
                f"ACTION_SERVER_TOKEN is required: the action server ({url}) is not on this machine, so anyone "
                f"who reaches it could run actions; add 'token: ${{ACTION_SERVER_TOKEN}}' to action_endpoint in "
                f"{known.endpoints} and set ACTION_SERVER_TOKEN, the same on the action servers")
    return problems


def _log_speedups_once_logging_is_set_up() -> None:
    """Rasa calls ``configure_commandline`` of every registered plugin after it has set up
    logging and before it runs the command: the moment to log the speed-ups' line."""
    try:
        import pluggy
        from rasa.plugin import plugin_manager
    except ImportError:  # not Rasa 3.x (or a stand-in): nothing to hook into
        return

    from addons import speedups

    class SpeedupsLogLine:
        @pluggy.HookimplMarker("rasa")
        def configure_commandline(self, cmdline_arguments):  # the name is the hook's
            speedups.log_pending()

    plugin_manager().register(SpeedupsLogLine())


if __name__ == "__main__":
    main()
