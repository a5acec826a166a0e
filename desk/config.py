"""The desk's configuration, read from the environment once at start-up."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from helpdesk.secret_policy import secret_problem

ROOT = Path(__file__).resolve().parent.parent

# Demo mode only (DESK_DEMO=1, loopback only): a fixed agent and fixed secrets so
# that a developer can try the desk with `make serve` in a minute. Printed in the log.
DEMO_AGENT = {"username": "ana", "name": "Ana", "role": "asesora de soporte"}
DEMO_PASSWORD = "demo-ana-2026"
DEMO_WEBHOOK_SECRET = "demo-desk-webhook"


class ConfigError(Exception):
    """The environment does not describe a desk that may start."""


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _project_path(value: str) -> Path:
    """A path from the environment; a relative one is relative to the project root."""
    path = Path(value)
    return path if path.is_absolute() else ROOT / path


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on", "si", "sí")


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies(value: str) -> tuple[Network, ...]:
    """DESK_TRUSTED_PROXIES: addresses or networks (CIDR) of the reverse proxies in front of the
    desk, separated by commas or spaces. Only a request whose socket comes from one of them has
    its X-Forwarded-For read (desk/security.py ``client_address``)."""
    networks = []
    for item in value.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(item.strip("[]"), strict=False))
        except ValueError:
            raise ConfigError(
                f"DESK_TRUSTED_PROXIES: {item[:60]!r} is not an IP address or a network like 10.0.0.0/8 "
                "(list the reverse proxies in front of the desk, separated by commas)") from None
        if networks[-1].prefixlen == 0:
            raise ConfigError(f"DESK_TRUSTED_PROXIES: {item!r} would trust every address: anybody could then "
                              "choose the address the login throttle sees. List only your proxies.")
    return tuple(networks)


@dataclass(frozen=True)
class Config:
    host: str
    port: int
    db: Path
    webhook_secret: str
    rasa_url: str
    rasa_token: str
    queue_timeout: float
    demo: bool
    session_hours: float = 8.0
    cookie_secure: bool = False
    rasa_timeout: float = 10.0
    # The tracker store the supervisors' report reads (sqlite:///… or postgresql://…);
    # empty: the tracker store of the project's endpoints.yml.
    tracker_store: str = ""
    # The responses the desk says to the customer (desk/texts.py) are read from here.
    domain_file: Path = ROOT / "domain.yml"
    # Reverse proxies whose X-Forwarded-For gives the client's address (DESK_TRUSTED_PROXIES).
    trusted_proxies: tuple[Network, ...] = ()
    # The canned replies supervisors edit (desk/canned.py), read and checked at start-up.
    canned_file: Path = ROOT / "desk" / "canned_replies.yml"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Config:
        demo = _flag(environ.get("DESK_DEMO", ""))
        host = environ.get("DESK_HOST", "127.0.0.1").strip() or "127.0.0.1"
        try:
            port = int(environ.get("DESK_PORT", "5070"))
            queue_timeout = float(environ.get("DESK_QUEUE_TIMEOUT", "180"))
            session_hours = float(environ.get("DESK_SESSION_HOURS", "8"))
        except ValueError as exc:
            raise ConfigError(f"DESK_PORT, DESK_QUEUE_TIMEOUT and DESK_SESSION_HOURS must be numbers: {exc}") from exc
        if not 0 < port < 65536:
            raise ConfigError(f"DESK_PORT must be a TCP port (1-65535), got {port}")
        if queue_timeout <= 0:
            raise ConfigError(f"DESK_QUEUE_TIMEOUT must be a positive number of seconds, got {queue_timeout}")
        db = _project_path(environ.get("DESK_DB", "var/desk.db"))
        domain_file = _project_path(environ.get("DESK_DOMAIN_FILE") or "domain.yml")
        canned_file = _project_path(environ.get("DESK_CANNED_REPLIES") or "desk/canned_replies.yml")  # desk/canned.py
        secret = environ.get("DESK_WEBHOOK_SECRET", "")
        token = environ.get("RASA_AUTH_TOKEN", "")
        if demo:
            if not is_loopback(host):
                raise ConfigError(
                    f"DESK_DEMO=1 has a fixed demo password: it only runs on loopback, and DESK_HOST is {host!r}. "
                    "Unset DESK_DEMO, or use DESK_HOST=127.0.0.1."
                )
            secret = secret or DEMO_WEBHOOK_SECRET
            if not token:
                raise ConfigError("RASA_AUTH_TOKEN is required (the token of Rasa's HTTP API)")
        else:
            # Outside demo mode every secret must be a real one (helpdesk/secret_policy.py):
            # present, 32 characters or more, not a published demo value.
            for name, value in (("DESK_WEBHOOK_SECRET", secret), ("RASA_AUTH_TOKEN", token)):
                problem = secret_problem(name, value)
                if problem:
                    raise ConfigError(problem)
        rasa_url = environ.get("RASA_URL", "http://127.0.0.1:5005").strip().rstrip("/")
        if not rasa_url.startswith(("http://", "https://")):
            raise ConfigError(f"RASA_URL must be an http(s) URL, got {rasa_url!r}")
        return cls(
            host=host, port=port, db=db, webhook_secret=secret, rasa_url=rasa_url, rasa_token=token,
            queue_timeout=queue_timeout, demo=demo, session_hours=session_hours,
            cookie_secure=_flag(environ.get("DESK_COOKIE_SECURE", "")),
            tracker_store=environ.get("DESK_TRACKER_STORE", "").strip(), domain_file=domain_file,
            trusted_proxies=trusted_proxies(environ.get("DESK_TRUSTED_PROXIES", "")),
            canned_file=canned_file,
        )
