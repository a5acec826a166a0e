"""The desk's client for Rasa's HTTP API (docs/agent-desk-api.md, section 2).

Standard library urllib, run in the event loop's default executor so a slow
Rasa never blocks the desk. Every call carries ``?token=…`` (RASA_AUTH_TOKEN);
the token is never logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from desk.security import conversation_ref
from desk.store import Handoff
from helpdesk.handoff import button_titles, payload_text

logger = logging.getLogger(__name__)

# Bot messages reach the customer's widget live when side effects are executed,
# through the channel the hand-off came from (never "latest": a stray message on
# another channel would otherwise take the agent's replies away from the customer).
DEFAULT_CHANNEL = "socketio"


def live_params(channel: str | None) -> dict[str, str]:
    return {"output_channel": channel or DEFAULT_CHANNEL, "execute_side_effects": "true"}


class RasaError(Exception):
    """Rasa could not be reached or refused the call."""


class RasaClient:
    def __init__(self, url: str, token: str, timeout: float = 10.0):
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _url(self, conversation_id: str, what: str, params: dict[str, str] | None = None) -> str:
        query = urllib.parse.urlencode({**(params or {}), "token": self.token})
        return f"{self.url}/conversations/{urllib.parse.quote(conversation_id, safe='')}/{what}?{query}"

    def _call(self, method: str, url: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method,
                                         headers={"Content-Type": "application/json", "Accept": "application/json"})
        where = url.split("?", 1)[0]  # without the token
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read().decode("utf-8") or "null")
        except urllib.error.HTTPError as exc:
            raise RasaError(f"Rasa answered HTTP {exc.code} to {method} {where}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise RasaError(f"Rasa unreachable for {method} {where}: {getattr(exc, 'reason', exc)}") from None

    async def _run(self, method: str, url: str, body: Any = None) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self._call, method, url, body)

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        """The conversation's tracker (all events of the current and past sessions)."""
        tracker = await self._run("GET", self._url(conversation_id, "tracker"))
        if not isinstance(tracker, dict):
            raise RasaError("Rasa answered a tracker that is not a JSON object")
        return tracker

    async def append_events(self, conversation_id: str, events: list[dict[str, Any]], live: bool = True,
                            channel: str | None = None) -> None:
        """Append events; with ``live`` their bot messages are sent to ``channel`` (the hand-off's)."""
        params = live_params(channel) if live else None
        await self._run("POST", self._url(conversation_id, "tracker/events", params), events)

    async def trigger_intent(self, conversation_id: str, intent: str, channel: str | None = None) -> None:
        """An external event: the bot runs as if the customer had this intent, answering on the hand-off's channel."""
        await self._run("POST", self._url(conversation_id, "trigger_intent", {"output_channel": channel or DEFAULT_CHANNEL}),
                        {"name": intent})


def has_session_start(tracker: dict[str, Any]) -> bool:
    return any(e.get("event") == "session_started" for e in tracker.get("events") or [])


# The desk's own notices to the customer (metadata "desk" of desk/routes/agent_actions.py).
DESK_NOTICES = ("taken", "returned", "closed")


def live_transcript(tracker: dict[str, Any], since: float) -> list[dict[str, Any]]:
    """Customer, bot and agent messages (and pauses) after ``since``, oldest first.

    ``since`` is the moment of the packet's last line: that line and those before it are
    the packet's transcript, shown once (desk/views.py), never again here.
    """
    lines: list[dict[str, Any]] = []
    titles: dict[str, str] = {}
    for event in tracker.get("events") or []:
        stamp = event.get("timestamp") or 0
        kind = event.get("event")
        if kind == "bot":
            titles = button_titles(event)
        if stamp <= since:
            continue
        if kind == "user":
            text = event.get("text") or ""
            if text.startswith("EXTERNAL:"):
                continue
            if text.startswith("/"):
                text = payload_text(text, event, titles)
            lines.append({"from": "cliente", "text": text, "timestamp": stamp})
        elif kind == "bot" and event.get("text"):
            metadata = event.get("metadata") or {}
            agent = metadata.get("agent")
            who = "aviso" if metadata.get("desk") in DESK_NOTICES else "asesor" if agent else "asistente"
            lines.append({"from": who, "agent": agent or "", "text": event["text"], "timestamp": stamp})
        elif kind == "pause":
            lines.append({"from": "sistema", "text": "El asistente virtual quedó en pausa.", "timestamp": stamp})
        elif kind == "resume":
            lines.append({"from": "sistema", "text": "El asistente virtual volvió a responder.", "timestamp": stamp})
    return lines


def is_paused(tracker: dict[str, Any]) -> bool:
    return bool(tracker.get("paused"))


async def read_live(rasa: RasaClient, handoff: Handoff) -> tuple[list[dict[str, Any]] | None, bool | None]:
    """(transcript since the hand-off, paused) from Rasa's tracker, or (None, None) when unreachable."""
    try:
        tracker = await rasa.tracker(handoff.conversation_id)
    except RasaError as exc:
        logger.warning("Could not read %s: %s", conversation_ref(handoff.conversation_id), exc)
        return None, None
    return live_transcript(tracker, packet_end(handoff)), is_paused(tracker)


def packet_end(handoff: Handoff) -> float:
    """The moment of the packet transcript's last line (the live transcript starts after it)."""
    stamps = [line["timestamp"] for line in handoff.packet.get("transcript") or []
              if isinstance(line.get("timestamp"), (int, float))]
    return max(stamps) if stamps else handoff.received_at - 2
