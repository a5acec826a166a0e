"""Custom actions of the support assistant (run by the Rasa SDK action server).

Start the server from the project root:

    python -m rasa_sdk --actions actions

Importing this package is the server's start. Four deliberate start-up steps
happen here, and nowhere else at import time:

1. The action server listens on loopback unless SANIC_HOST says otherwise
   (rasa_sdk's own default is 0.0.0.0).
2. The schedule file is loaded and validated, the phrases the core words the schedule
   with (schedule/phrases.yml), and the lexicon the core reads (data/nlu/lexicon.yml and
   synonyms.yml). An invalid file stops the server with a message naming the file, the
   key and what is allowed, rather than letting it answer with wrong hours or words.
3. Its secrets are checked (helpdesk/secret_policy.py): beyond loopback it needs
   ACTION_SERVER_TOKEN, and a secret that is set must be a real one.
4. With ACTION_SERVER_TOKEN set, every call to /webhook must carry that token
   (Rasa sends it from ``action_endpoint: token:``): anyone else who reaches the
   server cannot run actions with a made-up tracker.
"""

import os

os.environ.setdefault("SANIC_HOST", "127.0.0.1")

from actions.runtime import require_token, startup_check  # noqa: E402
from helpdesk.secret_policy import require_action_server_secrets  # noqa: E402

startup_check()
require_action_server_secrets()
require_token()
