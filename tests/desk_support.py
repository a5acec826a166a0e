"""Helpers for the agent desk's tests: the real desk process, an agent's browser-less
session (requests), signed webhook calls, and a small fake of Rasa's HTTP API.

The desk always runs as its own process (`python -m desk`, started by
tools.stack.start_desk) on a free loopback port with a fresh SQLite file; the
fixtures that use these helpers stop it in their finalizers.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

from helpdesk.desk_client import REQUEST_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from tools import stack

AGENT = {"username": "ana", "name": "Ana", "role": "asesora de soporte"}
ANA = {"kind": "agent", "name": "Ana", "role": "asesora de soporte"}
ASSISTANT = {"kind": "assistant"}


def desk_bot_event(text: str, step: str, speaker: dict[str, str], **metadata: Any) -> dict[str, Any]:
    """A bot event as the desk posts it: the text for the tracker, the custom payload the
    widget gets once (desk/routes/agent_actions.py ``widget_event``)."""
    return {"event": "bot", "text": text,
            "data": {"custom": {"data": {"text": text, "speaker": speaker, "handoff": step}}},
            "metadata": {**metadata, "desk": step, "text": None}}


def packet(conversation_id: str, **changes: Any) -> dict[str, Any]:
    """A version-1 packet as helpdesk.handoff.build_packet makes it."""
    data = {
        "version": 1,
        "conversation_id": conversation_id,
        "channel": "socketio",
        "reason": "customer_request",
        "reason_text": "El cliente pidió hablar con un asesor",
        "priority": "normal",
        "service": "Firma digital",
        "description": "no puedo firmar las facturas desde ayer",
        "slots": {"Servicio afectado": "Firma digital", "¿Detiene la operación?": "No"},
        "transcript": [
            {"from": "cliente", "text": "quiero hablar con un asesor", "timestamp": time.time() - 5},
            {"from": "asistente", "text": "¿qué necesita, en una frase?", "timestamp": time.time() - 4},
        ],
        "created_at": "2026-12-04T10:30:00-05:00",
    }
    data.update(changes)
    return data


class Desk:
    """A running desk process and what it needs: its DB, secret, agent password."""

    def __init__(self, tmp: Path, rasa_url: str, rasa_token: str, queue_timeout: float = 120,
                 extra_env: dict[str, str] | None = None, port: int | None = None,
                 secret: str | None = None, create_agent: bool = True):
        self.tmp = tmp
        self.db = tmp / "desk.db"
        self.logs = tmp / "logs"
        self.rasa_url = rasa_url
        self.rasa_token = rasa_token
        self.secret = secret or secrets.token_urlsafe(24)
        self.password = secrets.token_urlsafe(18)
        self.port = port or stack.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra_env = dict(extra_env or {})
        self.queue_timeout = queue_timeout
        self.service: stack.Service | None = None
        if create_agent and not self.db.exists():
            stack.add_desk_agent(self.db, AGENT["username"], AGENT["name"], AGENT["role"], self.password)

    def env(self) -> dict[str, str]:
        return {"DESK_DB": str(self.db), "DESK_WEBHOOK_SECRET": self.secret,
                "DESK_QUEUE_TIMEOUT": str(self.queue_timeout), **self.extra_env}

    def start(self, queue_timeout: float | None = None) -> Desk:
        if queue_timeout is not None:
            self.queue_timeout = queue_timeout
        self.service = stack.start_desk(self.port, self.rasa_url, self.rasa_token, self.logs, self.env())
        return self

    def stop(self) -> None:
        if self.service is not None:
            self.service.stop()
            self.service = None

    def restart(self, queue_timeout: float | None = None) -> Desk:
        """Stop and start again (same port, same database), e.g. with another queue timeout."""
        self.stop()
        return self.start(queue_timeout)

    def ensure(self, queue_timeout: float) -> Desk:
        """Running, with this queue timeout."""
        if self.service is None or not self.service.alive() or self.queue_timeout != queue_timeout:
            self.restart(queue_timeout)
        return self

    def log(self) -> str:
        return self.service.log() if self.service else ""

    # --------------------------------------------------------- as the bot does

    def signed(self, method: str, path: str, body: bytes = b"", secret: str | None = None,
               timestamp: str | None = None, signature: str | None = None,
               request_id: str | None = None) -> requests.Response:
        """A request signed as the bot signs it; ``timestamp=""`` or ``signature=""`` leaves that header out."""
        stamp = str(int(time.time())) if timestamp is None else timestamp
        rid = uuid.uuid4().hex if request_id is None else request_id
        headers = {"Content-Type": "application/json", TIMESTAMP_HEADER: stamp, REQUEST_ID_HEADER: rid,
                   SIGNATURE_HEADER: sign(secret or self.secret, stamp, body, rid) if signature is None else signature}
        headers = {k: v for k, v in headers.items() if v != ""}
        return requests.request(method, self.url + path, data=body if method == "POST" else None, headers=headers,
                                timeout=10)

    def post_packet(self, data: Any, **kwargs: Any) -> requests.Response:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8") if not isinstance(data, bytes) else data
        return self.signed("POST", "/api/handoffs", body, **kwargs)

    def status(self, conversation_id: str, **kwargs: Any) -> requests.Response:
        return self.signed("GET", "/api/handoffs/" + urllib.parse.quote(conversation_id, safe=""), **kwargs)


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


class Agent:
    """An agent using the desk over HTTP, as the browser does (cookies, CSRF token)."""

    def __init__(self, desk: Desk):
        self.desk = desk
        self.http = requests.Session()
        self.csrf = ""

    def login(self, username: str = AGENT["username"], password: str | None = None) -> requests.Response:
        form = self.http.get(self.desk.url + "/login", timeout=10)
        token = CSRF_FIELD.search(form.text).group(1)
        response = self.http.post(self.desk.url + "/login", timeout=30, data={
            "username": username, "password": password or self.desk.password, "csrf_token": token,
        })
        match = CSRF_META.search(response.text)
        self.csrf = match.group(1) if match else ""
        return response

    def queue(self) -> list[dict[str, Any]]:
        response = self.http.get(self.desk.url + "/api/desk/queue", timeout=10)
        assert response.status_code == 200, response.text[:300]
        return response.json()["handoffs"]

    def find(self, conversation_id: str) -> dict[str, Any] | None:
        """The newest hand-off of a conversation in the queue."""
        found = [h for h in self.queue() if h["conversation_id"] == conversation_id]
        return max(found, key=lambda h: h["id"]) if found else None

    def handoff(self, handoff_id: int) -> dict[str, Any]:
        response = self.http.get(f"{self.desk.url}/api/desk/handoffs/{handoff_id}", timeout=30)
        assert response.status_code == 200, response.text[:300]
        return response.json()

    def page(self, handoff_id: int) -> requests.Response:
        return self.http.get(f"{self.desk.url}/handoffs/{handoff_id}", timeout=30)

    def act(self, handoff_id: int, action: str, as_json: bool = True, csrf: str | None = None,
            **fields: str) -> requests.Response:
        headers = {"Accept": "application/json"} if as_json else {}
        data = {"csrf_token": self.csrf if csrf is None else csrf, **fields}
        return self.http.post(f"{self.desk.url}/handoffs/{handoff_id}/{action}", data=data, headers=headers,
                              timeout=30, allow_redirects=False)

    def take(self, handoff_id: int) -> requests.Response:
        return self.act(handoff_id, "take")

    def reply(self, handoff_id: int, text: str) -> requests.Response:
        return self.act(handoff_id, "reply", text=text)

    def hand_back(self, handoff_id: int) -> requests.Response:
        return self.act(handoff_id, "return")

    def close(self, handoff_id: int, reason: str = "resolved") -> requests.Response:
        return self.act(handoff_id, "close", reason=reason)

    def note(self, handoff_id: int, text: str) -> requests.Response:
        return self.act(handoff_id, "notes", text=text)


def wait_for(condition, timeout: float = 15, interval: float = 0.05, message: str = "condition"):
    """Poll ``condition()`` until it returns something truthy; returns it."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


class FakeRasa:
    """Rasa's HTTP API as far as the desk uses it: tracker, append events, trigger_intent.

    Records every call (path, query, JSON body); answers 401 to a wrong token and
    500 to everything while ``failing`` is set.
    """

    def __init__(self, token: str | None = None):
        self.token = token or secrets.token_urlsafe(32)  # the desk refuses a short RASA_AUTH_TOKEN
        self.calls: list[dict[str, Any]] = []
        self.trackers: dict[str, list[dict[str, Any]]] = {}
        self.failing = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null") if length else None
                parts = url.path.split("/")  # ['', 'conversations', id, what...]
                cid = urllib.parse.unquote(parts[2]) if len(parts) > 2 else ""
                what = "/".join(parts[3:])
                outer.calls.append({"method": method, "conversation": cid, "what": what, "query": query,
                                    "body": body})
                if query.get("token") != outer.token:
                    return self._answer(401, {"message": "wrong token"})
                if outer.failing:
                    return self._answer(500, {"message": "failing"})
                events = outer.trackers.setdefault(cid, [])
                if method == "POST" and what == "tracker/events":
                    for event in body:
                        events.append({"timestamp": time.time(), **event})
                paused = False
                for event in events:
                    if event.get("event") == "pause":
                        paused = True
                    elif event.get("event") in ("resume", "session_started"):
                        paused = paused if event.get("event") == "session_started" else False
                return self._answer(200, {"sender_id": cid, "events": events, "paused": paused})

            def do_GET(self):  # noqa: N802
                self._handle("GET")

            def do_POST(self):  # noqa: N802
                self._handle("POST")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def calls_for(self, conversation_id: str, method: str = "POST") -> list[dict[str, Any]]:
        return [c for c in self.calls if c["conversation"] == conversation_id and c["method"] == method]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class running_desk:  # noqa: N801 - used as a context manager, like open()
    """A desk process with a fake Rasa, stopped on exit: ``with running_desk(tmp) as (desk, rasa):``."""

    def __init__(self, tmp: Path, **desk_options: Any):
        self.tmp = tmp
        self.options = desk_options

    def __enter__(self):
        self.rasa = FakeRasa()
        self.desk = Desk(self.tmp, self.rasa.url, self.rasa.token, **self.options)
        try:
            self.desk.start()
        except BaseException:
            self.__exit__()
            raise
        return self.desk, self.rasa

    def __exit__(self, *exc: Any) -> None:
        self.desk.stop()
        self.rasa.close()
