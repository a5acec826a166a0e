"""The desk client against a real local HTTP server: signature, timeout, retries."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from helpdesk.desk_client import SIGNATURE_HEADER, TIMESTAMP_HEADER, DeskClient, sign, verify


class FakeDesk:
    """A tiny desk that verifies signatures and answers from a script of status codes."""

    def __init__(self, statuses, secret="s3cr3t", delay=0.0):
        self.statuses = list(statuses)
        self.secret = secret
        self.delay = delay
        self.requests = []
        self.states = {}  # conversation id -> desk state answered to GET
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                ok = verify(outer.secret, self.headers.get(TIMESTAMP_HEADER), body, self.headers.get(SIGNATURE_HEADER))
                outer.requests.append({"path": self.path, "body": body, "signed": ok})
                time.sleep(outer.delay)
                status = outer.statuses.pop(0) if outer.statuses else 201
                if not ok:
                    status = 401
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"status": "queued"}).encode())

            def do_GET(self):
                ok = verify(outer.secret, self.headers.get(TIMESTAMP_HEADER), b"", self.headers.get(SIGNATURE_HEADER))
                outer.requests.append({"path": self.path, "body": b"", "signed": ok, "method": "GET"})
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


def client(url, secret="s3cr3t", **kwargs):
    sleeps = []
    c = DeskClient(url=url, secret=secret, sleep=sleeps.append, **kwargs)
    return c, sleeps


def test_signature_is_hmac_sha256_over_timestamp_and_body():
    body = b'{"a":1}'
    signature = sign("k", "1700000000", body)
    assert signature == "sha256=" + __import__("hmac").new(b"k", b"1700000000." + body, "sha256").hexdigest()
    assert verify("k", "1700000000", body, signature, now=1700000010)
    assert not verify("k", "1700000000", body + b" ", signature, now=1700000010)  # body changed
    assert not verify("other", "1700000000", body, signature, now=1700000010)  # wrong secret
    assert not verify("k", "1700000000", body, signature, now=1700009999)  # replay, too old
    assert not verify("k", "not-a-number", body, signature)


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
