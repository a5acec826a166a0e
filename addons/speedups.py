"""Installs the speed-ups of Rasa's own code, guarded by version and a switch.

Each module in ``addons/`` that replaces a piece of private Rasa code was written
against one Rasa release and is checked against Rasa's code by
``tests/rasa/test_rasa_speedups.py``. Here they are installed together:

- only on the Rasa release they were written for (``WRITTEN_FOR``); on another one
  Rasa's code is left alone and a WARNING says so;
- not when ``ASSISTANT_RASA_SPEEDUPS=off`` (the switch for comparing, or for ruling
  them out when something looks wrong);
- not in ``rasa train`` (the trained model must be Rasa's own);
- one INFO line lists what was installed (or says why nothing was). ``rasa run`` imports
  this package before Rasa sets up logging, so the line waits in ``_pending`` until
  ``log_pending()`` (called by ``addons.rasa_run`` once Rasa's logging is set up); the
  benchmark reads it to prove which code each server ran.
"""

from __future__ import annotations

import logging
import os
import sys

logger = logging.getLogger(__name__)

WRITTEN_FOR = "3.6.21"
SWITCH_ENV = "ASSISTANT_RASA_SPEEDUPS"
INSTALLED_PREFIX = f"Speed-ups of Rasa {WRITTEN_FOR} installed: "
NOT_INSTALLED_PREFIX = "Speed-ups of Rasa's code not installed: "

_pending: list[tuple[int, str]] = []


def _log(level: int, message: str) -> None:
    """Log now if logging is set up, else keep the line for ``log_pending()`` (without a
    handler Python drops INFO lines and prints WARNINGs unformatted)."""
    if logging.getLogger().handlers:
        logger.log(level, message)
    else:
        _pending.append((level, message))


def log_pending() -> None:
    """Log the lines ``install_all()`` kept while logging was not set up yet."""
    while _pending:
        logger.log(*_pending.pop(0))


def enabled(environ=os.environ, argv=sys.argv) -> tuple[bool, str]:
    """Whether to install, and why not."""
    if environ.get(SWITCH_ENV, "on").strip().lower() in ("0", "off", "false", "no"):
        return False, f"{SWITCH_ENV}=off"
    if len(argv) > 1 and argv[1] == "train":
        return False, "rasa train keeps Rasa's own code"
    import rasa

    if rasa.__version__ != WRITTEN_FOR:
        return False, f"Rasa {rasa.__version__} is not {WRITTEN_FOR}, the release they were written for"
    return True, ""


def install_all() -> list[str]:
    """Install every speed-up (or none); returns the names installed."""
    ok, why = enabled()
    if not ok:
        level = logging.WARNING if why.startswith("Rasa ") else logging.INFO
        _log(level, f"{NOT_INSTALLED_PREFIX}{why}; Rasa's own code runs.")
        return []
    from addons import action_validation, event_types, graph_runner, rule_keys

    installed = []
    for name, module in (("action-response validation", action_validation), ("event-class lookup", event_types),
                         ("rule matching", rule_keys), ("graph runner without dask", graph_runner)):
        module.install()
        installed.append(name)
    _log(logging.INFO, INSTALLED_PREFIX + ", ".join(installed))
    return installed
