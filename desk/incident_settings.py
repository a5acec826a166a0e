"""The known-incident settings of the desk, read from the environment and checked at start-up.

    DESK_INCIDENT_ALERT           critical reports about one service in a window that raise an
                                  alert: "3/15m" (the default: 3 in 15 minutes), "5/1h", "off"
    DESK_ONCALL_WEBHOOK_URL       optional: where the desk POSTs each new alert (http or https)
    DESK_ONCALL_WEBHOOK_SECRET    required with the URL: the HMAC secret of that call (32+
                                  characters, helpdesk/secret_policy.py), not the bot's secret

A value that cannot be used stops the desk (``python -m desk``: exit 2) with a message that
names the variable, like the desk's other settings (desk/config.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from desk.config import ConfigError
from desk.incidents import AlertRule
from helpdesk.secret_policy import secret_problem

DEFAULT_RULE = "3/15m"
ONCALL_PURPOSE = "the HMAC secret of the desk's calls to the on-call webhook (DESK_ONCALL_WEBHOOK_URL)"


@dataclass(frozen=True)
class IncidentSettings:
    rule: AlertRule | None  # None: no detection
    oncall_url: str = ""
    oncall_secret: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> IncidentSettings:
        try:
            rule = AlertRule.parse(environ.get("DESK_INCIDENT_ALERT", DEFAULT_RULE) or DEFAULT_RULE)
        except ValueError as error:
            raise ConfigError(str(error)) from None
        url = environ.get("DESK_ONCALL_WEBHOOK_URL", "").strip()
        secret = environ.get("DESK_ONCALL_WEBHOOK_SECRET", "")
        if not url:
            return cls(rule)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"DESK_ONCALL_WEBHOOK_URL must be an http(s) URL like https://paging.example.co/hook, "
                              f"got {url[:80]!r}")
        if parts.username or parts.password:
            raise ConfigError("DESK_ONCALL_WEBHOOK_URL must not carry a user or password: the call is signed with "
                              "DESK_ONCALL_WEBHOOK_SECRET")
        problem = secret_problem("DESK_ONCALL_WEBHOOK_SECRET", secret, ONCALL_PURPOSE)
        if problem:
            raise ConfigError(problem)
        if secret == environ.get("DESK_WEBHOOK_SECRET", ""):
            raise ConfigError("DESK_ONCALL_WEBHOOK_SECRET must differ from DESK_WEBHOOK_SECRET: whoever receives the "
                              "alerts could otherwise sign requests to the desk as the bot")
        if rule is None:
            raise ConfigError("DESK_ONCALL_WEBHOOK_URL is set but DESK_INCIDENT_ALERT is off: no alert would ever be "
                              "sent; set a threshold such as 3/15m or unset the URL")
        return cls(rule, url, secret)
