"""The desk client against a real local HTTP server: signature, nonce, timeout, retries, never blocking."""

import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from helpdesk.desk_client import (
    REQUEST_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    DeskClient,
    ReplayGuard,
    sign,
    verify,
)
from tests.support import run_coroutine


class FakeDesk:
    """A tiny desk that verifies signatures and answers from a script of status codes."""

    def __init__(self, statuses, secret="s3cr3t", delay=0.0):
        self.statuses = list(statuses)
        self.secret = secret
        self.delay = delay
        self.requests = []
        self.replay = ReplayGuard()
        self.states = {}  # conversation id -> desk state answered to GET
        self.presence = None  # the answer to GET /api/presence (None: 404, a desk without it)
        self.created = {"status": "queued"}  # the answer to a new hand-off
        self.incidents = None  # the answer to GET /api/incidents/active (None: 404)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                ok = verify(outer.secret, self.headers.get(TIMESTAMP_HEADER), body, self.headers.get(SIGNATURE_HEADER),
                            request_id=self.headers.get(REQUEST_ID_HEADER), replay=outer.replay)
                outer.requests.append({"path": self.path, "body": body, "signed": ok})
                time.sleep(outer.delay)
                status = outer.statuses.pop(0) if outer.statuses else 201
                if not ok:
                    status = 401
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(outer.created).encode())

            def do_GET(self):
                ok = verify(outer.secret, self.headers.get(TIMESTAMP_HEADER), b"", self.headers.get(SIGNATURE_HEADER),
                            request_id=self.headers.get(REQUEST_ID_HEADER), replay=outer.replay)
                outer.requests.append({"path": self.path, "body": b"", "signed": ok, "method": "GET"})
                if self.path == "/api/incidents/active":
                    self.send_response(200 if outer.incidents is not None else 404)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(json.dumps({"incidents": outer.incidents or []}).encode())
                    return
                if self.path == "/api/presence":
                    self.send_response(200 if outer.presence is not None else 404)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(json.dumps(outer.presence or {"error": "not found"}).encode())
                    return
                state = outer.states.get(self.path.rsplit("/", 1)[-1])
                self.send_response(200 if state else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"status": state} if state else {"error": "no hand-off"}).encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def desk():
    desks = []

    def make(statuses=(), **kwargs):
        d = FakeDesk(statuses, **kwargs)
        desks.append(d)
        return d

    yield make
    for d in desks:
        d.close()


class Client:
    """A DeskClient called as the actions call it (awaited), recording its backoff sleeps."""

    def __init__(self, url, secret="s3cr3t", **kwargs):
        self.sleeps = []

        async def sleep(seconds):
            self.sleeps.append(seconds)

        self.inner = DeskClient(url=url, secret=secret, sleep=sleep, **kwargs)

    def create_handoff(self, packet):
        return run_coroutine(self.inner.create_handoff(packet))

    def handoff_status(self, conversation_id):
        return run_coroutine(self.inner.handoff_status(conversation_id))


def client(url, secret="s3cr3t", **kwargs):
    c = Client(url, secret, **kwargs)
    return c, c.sleeps


def test_signature_is_hmac_sha256_over_timestamp_request_id_and_body():
    body = b'{"a":1}'
    signature = sign("k", "1700000000", body, "req-0001")
    assert signature == "sha256=" + __import__("hmac").new(b"k", b"1700000000.req-0001." + body, "sha256").hexdigest()
    assert verify("k", "1700000000", body, signature, now=1700000010, request_id="req-0001")
    assert not verify("k", "1700000000", body + b" ", signature, now=1700000010, request_id="req-0001")  # body changed
    assert not verify("k", "1700000000", body, signature, now=1700000010, request_id="req-0002")  # other id
    assert not verify("other", "1700000000", body, signature, now=1700000010, request_id="req-0001")  # wrong secret
    assert not verify("k", "1700000000", body, signature, now=1700009999, request_id="req-0001")  # too old
    assert not verify("k", "not-a-number", body, signature)


@pytest.mark.parametrize("stamp", ["nan", "NaN", "inf", "-inf", "1e999"])
def test_a_timestamp_that_is_not_a_finite_number_is_refused(stamp):
    # abs(now - nan) > 300 is False: "nan" used to pass the replay window.
    body = b"{}"
    assert not verify("k", stamp, body, sign("k", stamp, body, "req-0001"), request_id="req-0001")


def test_a_request_id_is_accepted_once():
    body, now = b"{}", 1700000000
    signature = sign("k", str(now), body, "req-0001")
    guard = ReplayGuard()
    assert verify("k", str(now), body, signature, now=now, request_id="req-0001", replay=guard)
    assert not verify("k", str(now), body, signature, now=now + 5, request_id="req-0001", replay=guard)
    assert not verify("k", str(now), body, sign("k", str(now), body), now=now, request_id="", replay=guard)


def test_a_slow_desk_never_blocks_another_conversations_turn(desk):
    # The action server runs every conversation's turn on one event loop: while the desk
    # takes a second to answer one hand-off, another customer's turn must complete first.
    d = desk([201], delay=1.0)
    c, _ = client(d.url, timeout=5)
    order = []

    async def hand_off():
        await c.inner.create_handoff({"conversation_id": "slow"})
        order.append("hand-off answered")

    async def other_turn():
        await asyncio.sleep(0.05)
        order.append("other turn done")

    async def both():
        await asyncio.gather(hand_off(), other_turn())

    run_coroutine(both())
    assert order == ["other turn done", "hand-off answered"]


def test_a_signed_packet_is_accepted(desk):
    d = desk([201])
    c, sleeps = client(d.url)
    result = c.create_handoff({"conversation_id": "abc", "texto": "ñandú"})
    assert result.ok and result.status == "queued"
    assert d.requests[0]["signed"] and d.requests[0]["path"] == "/api/handoffs"
    assert json.loads(d.requests[0]["body"]) == {"conversation_id": "abc", "texto": "ñandú"}
    assert sleeps == []


def test_server_errors_are_retried_with_backoff(desk):
    d = desk([503, 500, 201])
    c, sleeps = client(d.url, attempts=3, backoff=0.3)
    assert c.create_handoff({"x": 1}).ok
    assert len(d.requests) == 3
    assert sleeps == [0.3, 0.6]


def test_client_errors_are_not_retried(desk):
    d = desk([400])
    c, sleeps = client(d.url)
    result = c.create_handoff({"x": 1})
    assert not result.ok and result.status == "refused" and len(d.requests) == 1


def test_a_wrong_secret_is_refused_by_the_desk(desk):
    d = desk([])
    c, _ = client(d.url, secret="wrong")
    assert c.create_handoff({"x": 1}).status == "refused"


def test_unreachable_desk_gives_up_after_the_attempts():
    c, sleeps = client("http://127.0.0.1:9", attempts=3, backoff=0.1)  # discard port: refused
    result = c.create_handoff({"x": 1})
    assert not result.ok and result.status == "unreachable"
    assert sleeps == [0.1, 0.2]


def test_timeout(desk):
    d = desk([201, 201], delay=1.0)
    c, _ = client(d.url, timeout=0.2, attempts=2, backoff=0.0)
    started = time.monotonic()
    result = c.create_handoff({"x": 1})
    assert not result.ok and result.status == "unreachable"
    assert time.monotonic() - started < 3


def test_status_of_a_handoff(desk):
    d = desk([])
    d.states["conv-1"] = "taken"
    c, _ = client(d.url)
    assert c.handoff_status("conv-1").status == "taken"
    assert c.handoff_status("conv-2").status == "none"  # 404: no hand-off, not an error
    assert all(r["signed"] for r in d.requests)


def test_from_env():
    assert DeskClient.from_env({"DESK_URL": "off"}) is None
    c = DeskClient.from_env({"DESK_URL": "http://desk:5070/", "DESK_WEBHOOK_SECRET": "x", "DESK_ATTEMPTS": "5"})
    assert c.url == "http://desk:5070" and c.secret == "x" and c.attempts == 5
