"""Client of the agent desk's webhook: the only place the bot talks to a desk.

Any desk can be plugged in if it implements the contract in
docs/agent-desk-api.md: ``POST {DESK_URL}/api/handoffs`` with the packet as
JSON, signed with HMAC-SHA256 over ``"{timestamp}.{body}"`` with a shared
secret, and ``GET {DESK_URL}/api/handoffs/{conversation_id}`` for its state.
Standard library only; never imports rasa or rasa_sdk.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Desk-Signature"
TIMESTAMP_HEADER = "X-Desk-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """ "sha256=<hex>" over "{timestamp}.{body}"."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, max_age: float = 300,
           now: float | None = None) -> bool:
    """Whether a request's signature is valid and recent (replays are refused)."""
    try:
        age = abs((now if now is not None else time.time()) - float(timestamp))
    except (TypeError, ValueError):
        return False
    if age > max_age:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature or "")


@dataclass(frozen=True)
class DeskResult:
    """What the desk said about a hand-off."""

    ok: bool
    status: str = ""  # queued, taken, closed, expired… or "unreachable"
    agent: str = ""
    error: str = ""


@dataclass
class DeskClient:
    """Sends hand-offs to the desk, with a timeout and retries with backoff."""

    url: str
    secret: str
    timeout: float = 3.0
    attempts: int = 3
    backoff: float = 0.3
    sleep: Callable[[float], None] = time.sleep

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> DeskClient | None:
        """The configured client, or None when no desk is configured (DESK_URL empty)."""
        url = environ.get("DESK_URL", "http://127.0.0.1:5070").strip()
        if not url or url.lower() in ("off", "none", "disabled"):
            return None
        return cls(
            url=url.rstrip("/"),
            secret=environ.get("DESK_WEBHOOK_SECRET", ""),
            timeout=float(environ.get("DESK_TIMEOUT", "3")),
            attempts=int(environ.get("DESK_ATTEMPTS", "3")),
            backoff=float(environ.get("DESK_BACKOFF", "0.3")),
        )

    def create_handoff(self, packet: dict[str, Any]) -> DeskResult:
        """POST the signed packet; retries on network errors and 5xx, not on 4xx."""
        body = json.dumps(packet, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return self._request("POST", "/api/handoffs", body)

    def handoff_status(self, conversation_id: str) -> DeskResult:
        """The desk's state for the latest hand-off of a conversation."""
        path = "/api/handoffs/" + urllib.parse.quote(conversation_id, safe="")
        return self._request("GET", path, b"")

    def _request(self, method: str, path: str, body: bytes) -> DeskResult:
        error = ""
        for attempt in range(1, self.attempts + 1):
            timestamp = str(int(time.time()))
            request = urllib.request.Request(
                self.url + path,
                data=body if method == "POST" else None,
                method=method,
                headers={
                    "Content-Type": "application/json",
                    TIMESTAMP_HEADER: timestamp,
                    SIGNATURE_HEADER: sign(self.secret, timestamp, body),
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    data = json.loads(response.read().decode("utf-8") or "{}")
                    return DeskResult(True, data.get("status", ""), data.get("agent", "") or "")
            except urllib.error.HTTPError as exc:
                error = f"HTTP {exc.code}"
                if exc.code == 404 and method == "GET":
                    return DeskResult(False, "none")  # no hand-off for this conversation
                if exc.code < 500:
                    logger.error("Agent desk refused %s %s: %s", method, path, error)
                    return DeskResult(False, "refused", error=error)
            except (urllib.error.URLError, OSError, ValueError) as exc:
                error = str(getattr(exc, "reason", exc))
            if attempt < self.attempts:
                self.sleep(self.backoff * 2 ** (attempt - 1))
        logger.error("Agent desk unreachable at %s after %d attempts: %s", self.url, self.attempts, error)
        return DeskResult(False, "unreachable", error=error)
