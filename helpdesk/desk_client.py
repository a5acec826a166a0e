"""Client of the agent desk's webhook: the only place the bot talks to a desk.

Any desk can be plugged in if it implements the contract in
docs/agent-desk-api.md: ``POST {DESK_URL}/api/handoffs`` with the packet as
JSON, signed with HMAC-SHA256 over ``"{timestamp}.{request id}.{body}"`` with a
shared secret, and ``GET {DESK_URL}/api/handoffs/{conversation_id}`` for its state;
optionally ``GET {DESK_URL}/api/presence`` (who is on duty, the expected wait): a desk
without it is taken as "unknown" and customers are queued as before.
The request id is a one-time nonce: a captured request cannot be replayed, not
even within the five-minute window.

Calls never block the action server's event loop: the HTTP request runs in the
default executor and the backoff between attempts is an ``asyncio.sleep``, so a
slow desk delays only the conversation that is being handed off.
The standard library and the core's own modules only; never imports rasa or rasa_sdk.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import math
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from helpdesk.incidents import Incident
from helpdesk.incidents import parse as parse_incidents

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Desk-Signature"
TIMESTAMP_HEADER = "X-Desk-Timestamp"
REQUEST_ID_HEADER = "X-Desk-Request-Id"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def sign(secret: str, timestamp: str, body: bytes, request_id: str = "") -> str:
    """ "sha256=<hex>" over "{timestamp}.{request id}.{body}"."""
    material = timestamp.encode("ascii", "replace") + b"." + request_id.encode("ascii", "replace") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), material, hashlib.sha256).hexdigest()


class ReplayGuard:
    """Request ids seen within the signature window: each is accepted once."""

    def __init__(self, window: float = 300):
        self.window = window
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def first_time(self, request_id: str, now: float) -> bool:
        with self._lock:
            for old, seen_at in list(self._seen.items()):
                if now - seen_at > 2 * self.window:
                    del self._seen[old]
            if request_id in self._seen:
                return False
            self._seen[request_id] = now
            return True


def verify(secret: str, timestamp: str | None, body: bytes, signature: str, max_age: float = 300,
           now: float | None = None, request_id: str | None = "", replay: ReplayGuard | None = None) -> bool:
    """Whether a request's signature is valid and recent, and (with ``replay``) its id new."""
    now = now if now is not None else time.time()
    try:
        moment = float(timestamp or "")
    except (TypeError, ValueError):
        return False
    if not math.isfinite(moment) or abs(now - moment) > max_age:
        return False  # "nan" and "inf" are not times
    request_id = request_id or ""
    if replay is not None and not _REQUEST_ID.match(request_id):
        return False
    if not hmac.compare_digest(sign(secret, timestamp or "", body, request_id), signature or ""):
        return False
    return replay is None or replay.first_time(request_id, now)


@dataclass(frozen=True)
class DeskResult:
    """What the desk said about a hand-off."""

    ok: bool
    status: str = ""  # queued, taken, closed, expired… or "unreachable"
    agent: str = ""
    error: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)  # the desk's whole answer

    @property
    def expected_wait(self) -> float | None:
        """Seconds the desk expects a newly queued customer to wait (None: it did not say)."""
        value = self.data.get("expected_wait_seconds")
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 else None


@dataclass(frozen=True)
class DeskPresence:
    """Who is on duty at the desk now (``known`` False: the desk did not say or could not be asked)."""

    known: bool
    on_duty: int = 0
    signed_in: int = 0
    queued: int = 0
    expected_wait: float | None = None

    @property
    def nobody(self) -> bool:
        """The desk says no agent is on duty: do not queue the customer."""
        return self.known and self.on_duty == 0


# Known incidents are read from the desk at most once per this many seconds per process.
INCIDENT_CACHE_SECONDS = float(os.environ.get("DESK_INCIDENT_CACHE_SECONDS", "5"))
INCIDENT_TIMEOUT = 1.0
_INCIDENTS: dict[str, tuple[float, tuple[Incident, ...]]] = {}


@dataclass
class DeskClient:
    """Sends hand-offs to the desk, with a timeout and retries with backoff."""

    url: str
    secret: str
    timeout: float = 3.0
    attempts: int = 3
    backoff: float = 0.3
    sleep: Callable[[float], Any] = asyncio.sleep

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

    async def create_handoff(self, packet: dict[str, Any]) -> DeskResult:
        """POST the signed packet; retries on network errors and 5xx, not on 4xx."""
        body = json.dumps(packet, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return await self._request("POST", "/api/handoffs", body)

    async def handoff_status(self, conversation_id: str) -> DeskResult:
        """The desk's state for the latest hand-off of a conversation."""
        path = "/api/handoffs/" + urllib.parse.quote(conversation_id, safe="")
        return await self._request("GET", path, b"")

    async def presence(self) -> DeskPresence:
        """Agents on duty and the expected wait; one attempt (the hand-off itself retries)."""
        result = await self._request("GET", "/api/presence", b"", attempts=1)
        data = result.data
        if not result.ok or not isinstance(data.get("agents_available"), int):
            return DeskPresence(False)
        counts = {name: data.get(name) if isinstance(data.get(name), int) else 0
                  for name in ("agents_available", "agents_signed_in", "queued")}
        return DeskPresence(True, counts["agents_available"], counts["agents_signed_in"], counts["queued"],
                            result.expected_wait)

    async def active_incidents(self) -> tuple[Incident, ...]:
        """The incidents the team declared and has not closed (``GET /api/incidents/active``).

        Cached ``INCIDENT_CACHE_SECONDS`` per process, so every instance of the action server
        sees a declaration or a closing within that time and asks the desk at most once per
        period; a desk that does not answer (or is not there, as in the acceptance runs)
        costs one short attempt per period and means no known incident.
        """
        now = time.monotonic()
        cached = _INCIDENTS.get(self.url)
        if cached is not None and cached[0] > now:
            return cached[1]
        loop = asyncio.get_running_loop()
        quick = DeskClient(self.url, self.secret, timeout=min(self.timeout, INCIDENT_TIMEOUT), attempts=1)
        outcome = await loop.run_in_executor(None, quick._once, "GET", "/api/incidents/active", b"")
        incidents: tuple[Incident, ...] = ()
        if isinstance(outcome, DeskResult) and outcome.ok:
            incidents = parse_incidents(outcome.data.get("incidents") or ())
        else:
            logger.debug("No incidents from the desk at %s: %s", self.url,
                         outcome if isinstance(outcome, str) else outcome.error or outcome.status)
        _INCIDENTS[self.url] = (now + INCIDENT_CACHE_SECONDS, incidents)
        return incidents

    async def report_problem(self, report: dict[str, Any]) -> DeskResult:
        """Tell the desk a customer reported a problem (``POST /api/incident-reports``: service,
        critical, conversation id, the time): the desk counts them to propose declaring an
        incident. One attempt; the customer's answer never waits for it."""
        body = json.dumps(report, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return await self._request("POST", "/api/incident-reports", body, attempts=1)

    def _once(self, method: str, path: str, body: bytes) -> DeskResult | str:
        """One attempt (blocking; run in the executor): a result, or the error to retry on."""
        timestamp = str(int(time.time()))
        request_id = uuid.uuid4().hex
        request = urllib.request.Request(
            self.url + path,
            data=body if method == "POST" else None,
            method=method,
            headers={
                "Content-Type": "application/json",
                TIMESTAMP_HEADER: timestamp,
                REQUEST_ID_HEADER: request_id,
                SIGNATURE_HEADER: sign(self.secret, timestamp, body, request_id),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                data = json.loads(response.read().decode("utf-8") or "{}")
                if not isinstance(data, dict):
                    return DeskResult(False, "refused", error="the desk's answer is not a JSON object")
                return DeskResult(True, str(data.get("status", "")), data.get("agent", "") or "", data=data)
        except urllib.error.HTTPError as exc:
            error = f"HTTP {exc.code}"
            if exc.code == 404 and method == "GET":
                return DeskResult(False, "none")  # no hand-off for this conversation
            if exc.code < 500:
                logger.error("Agent desk refused %s %s: %s", method, path.split("/api/handoffs/")[0] or path, error)
                return DeskResult(False, "refused", error=error)
            return error
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return str(getattr(exc, "reason", exc))

    async def _request(self, method: str, path: str, body: bytes, attempts: int | None = None) -> DeskResult:
        error = ""
        attempts = attempts or self.attempts
        loop = asyncio.get_running_loop()
        for attempt in range(1, attempts + 1):
            outcome = await loop.run_in_executor(None, self._once, method, path, body)
            if isinstance(outcome, DeskResult):
                return outcome
            error = outcome
            if attempt < attempts:
                await self.sleep(self.backoff * 2 ** (attempt - 1))
        logger.error("Agent desk unreachable at %s after %d attempts: %s", self.url, attempts, error)
        return DeskResult(False, "unreachable", error=error)
