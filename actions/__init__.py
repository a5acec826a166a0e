"""Custom actions of the support assistant (run by the Rasa SDK action server).

Start the server from the project root:

    python -m rasa_sdk --actions actions

Importing this package is the server's start. Two deliberate start-up steps
happen here, and nowhere else at import time:

1. The action server listens on loopback unless SANIC_HOST says otherwise
   (rasa_sdk's own default is 0.0.0.0).
2. The schedule file is loaded and validated. An invalid file stops the
   server with a message naming the file, the key and what is allowed,
   rather than letting it answer with wrong hours.
"""

import os

os.environ.setdefault("SANIC_HOST", "127.0.0.1")

from actions.runtime import startup_check  # noqa: E402

startup_check()
