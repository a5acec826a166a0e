"""Installs the speed-ups of Rasa's own code, guarded by version and a switch.

Each module in ``addons/`` that replaces a piece of private Rasa code was written
against one Rasa release and is checked against Rasa's code by
``tests/rasa/test_rasa_speedups.py``. Here they are installed together:

- only on the Rasa release they were written for (``WRITTEN_FOR``); on another one
  Rasa's code is left alone and a WARNING says so;
- not when ``ASSISTANT_RASA_SPEEDUPS=off`` (the switch for comparing, or for ruling
  them out when something looks wrong);
- not in ``rasa train`` (the trained model must be Rasa's own);
- one INFO line lists what was installed.
"""

from __future__ import annotations

import logging
import os
import sys

logger = logging.getLogger(__name__)

WRITTEN_FOR = "3.6.21"
SWITCH_ENV = "ASSISTANT_RASA_SPEEDUPS"


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
        log = logger.warning if why.startswith("Rasa ") else logger.info
        log("Speed-ups of Rasa's code not installed: %s; Rasa's own code runs.", why)
        return []
    from addons import action_validation, event_types, graph_runner, model_load, rule_keys

    installed = []
    for name, module in (("action-response validation", action_validation), ("event-class lookup", event_types),
                         ("rule matching", rule_keys), ("graph runner without dask", graph_runner),
                         ("model load without a training graph", model_load)):
        module.install()
        installed.append(name)
    logger.info("Speed-ups of Rasa %s installed: %s", WRITTEN_FOR, ", ".join(installed))
    return installed
