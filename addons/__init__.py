"""Custom Rasa components (loaded by the Rasa server, not the action server).

Importing the package in the Rasa server also installs two speed-ups of Rasa's own
code, found by profiling under load: the compiled validation of action-server
responses (addons/action_validation.py) and the cached event-class lookup
(addons/event_types.py).
"""

try:
    import rasa.core.actions.action  # noqa: F401  (only in the Rasa environment)
except ImportError:  # the actions' environment imports nothing from here that needs Rasa
    pass
else:
    from addons import action_validation, event_types

    action_validation.install()
    event_types.install()
