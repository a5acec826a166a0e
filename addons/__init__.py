"""Custom Rasa components (loaded by the Rasa server, not the action server).

Importing the package in the Rasa server also installs the compiled validation of
action-server responses (addons/action_validation.py).
"""

try:
    import rasa.core.actions.action  # noqa: F401  (only in the Rasa environment)
except ImportError:  # the actions' environment imports nothing from here that needs Rasa
    pass
else:
    from addons import action_validation

    action_validation.install()
