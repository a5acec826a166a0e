"""`rasa` with the HTTP API token read from the environment, not from the command line.

    RASA_AUTH_TOKEN=… .venv/rasa/bin/python -m addons.rasa_run run --enable-api …

Rasa takes its token only as ``--auth-token``, where any local user reads it in the
process list (``/proc/<pid>/cmdline``) — and it allows replacing the model and
writing events. Rasa parses ``sys.argv`` inside the process, so this entry point
adds the token to ``sys.argv`` after the process started: the arguments the
kernel shows stay without it.

Importing ``addons`` installs the speed-ups of Rasa's code (addons/speedups.py)
before Rasa sets up logging; a hook of Rasa's plugin manager, called right after,
logs the INFO line that says which were installed.
"""

from __future__ import annotations

import os
import sys

TOKEN_ENV = "RASA_AUTH_TOKEN"


def main() -> None:
    token = os.environ.get(TOKEN_ENV, "")
    if token and len(sys.argv) > 1 and sys.argv[1] in ("run", "shell", "interactive") and not any(
        a.startswith(("--auth-token", "-t")) for a in sys.argv
    ):
        sys.argv.append(f"--auth-token={token}")  # "=": a token may start with "-"
    from rasa.__main__ import main as rasa_main

    _log_speedups_once_logging_is_set_up()
    rasa_main()


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
