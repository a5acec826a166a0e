"""Custom Rasa components (loaded by the Rasa server, not the action server).

Importing the package in the Rasa server also installs four speed-ups of Rasa's own
code, found by profiling: the compiled validation of action-server responses
(addons/action_validation.py), the cached event-class lookup
(addons/event_types.py), the rule matching that stops once no rule can change
(addons/rule_keys.py) and the model graph run in order without dask's scheduler
(addons/graph_runner.py). (A fifth built DIET's weights without tracing a training
graph; it went with DIET on 2026-12-07: the model holds no TensorFlow network.) Each gives the same
results as Rasa's code it replaces (tests/rasa/test_rasa_speedups.py). They are
installed only on the Rasa release they were written for, not in `rasa train`, and
not with ASSISTANT_RASA_SPEEDUPS=off (addons/speedups.py).

It also installs, first and always, the log filter that keeps customers' text out of the
Rasa server's log: every record masked with helpdesk.privacy.mask and written on one
line, Rasa's parser warning without the customer's line (addons/log_privacy.py).
"""

try:
    import rasa.core.actions.action  # noqa: F401  (only in the Rasa environment)
except ImportError:  # the actions' environment imports nothing from here that needs Rasa
    pass
else:
    from addons.log_privacy import install as install_log_privacy
    from addons.speedups import install_all

    install_log_privacy()  # every log record masked and on one line (addons/log_privacy.py)
    install_all()  # guarded by Rasa's version and ASSISTANT_RASA_SPEEDUPS (addons/speedups.py)
