"""The desk's webhook (docs/agent-desk-api.md, section 1) on the real desk process.

Signed with helpdesk.desk_client.sign, as the action server signs; the desk
verifies with helpdesk.desk_client.verify. Rasa is a small fake here.
"""

import json
import time
import uuid

import pytest

from desk.security import conversation_ref
from helpdesk.desk_client import DeskClient, sign
from tests.desk_support import Agent, packet
from tests.support import run_coroutine

pytestmark = pytest.mark.slow  # starts the desk server (make test-fast leaves these out)


def new_id() -> str:
    return uuid.uuid4().hex


def test_a_signed_packet_is_queued_and_its_state_can_be_read(desk):
    cid = new_id()
    response = desk.post_packet(packet(cid))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "queued" and isinstance(body["handoff_id"], int)
    state = desk.status(cid)
    assert state.status_code == 200
    assert state.json()["status"] == "queued" and state.json()["agent"] == ""


def test_the_bots_own_client_is_accepted(desk):
    """DeskClient (what the action server uses) against the real desk: queued, then idempotent."""
    client = DeskClient(desk.url, desk.secret, attempts=1)
    cid = new_id()
    assert run_coroutine(client.create_handoff(packet(cid))).status == "queued"
    again = run_coroutine(client.create_handoff(packet(cid)))
    assert again.ok and again.status == "queued"
    assert run_coroutine(client.handoff_status(cid)).status == "queued"
    other = DeskClient(desk.url, "another-secret", attempts=1)
    assert run_coroutine(other.create_handoff(packet(new_id()))).status == "refused"


def test_a_second_handoff_of_a_queued_conversation_answers_200_with_the_same_one(desk):
    cid = new_id()
    first = desk.post_packet(packet(cid)).json()
    second = desk.post_packet(packet(cid, description="otra vez"))
    assert second.status_code == 200
    assert second.json()["handoff_id"] == first["handoff_id"] and second.json()["status"] == "queued"


def test_taken_then_returned_then_a_new_handoff(desk):
    cid = new_id()
    first = desk.post_packet(packet(cid)).json()["handoff_id"]
    agent = Agent(desk)
    agent.login()
    assert agent.take(first).status_code == 200
    again = desk.post_packet(packet(cid))
    assert again.status_code == 200 and again.json() == {"status": "taken", "handoff_id": first, "agent": "Ana"}
    assert desk.status(cid).json()["status"] == "taken" and desk.status(cid).json()["agent"] == "Ana"
    assert agent.hand_back(first).status_code == 200
    assert desk.status(cid).json()["status"] == "returned"
    new = desk.post_packet(packet(cid))
    assert new.status_code == 201 and new.json()["handoff_id"] != first


def test_unknown_conversation_is_404(desk):
    assert desk.status("nunca-" + new_id()).status_code == 404


def test_conversation_ids_with_odd_characters(desk):
    cid = "sesión/ä b?c#" + new_id()[:6]
    assert desk.post_packet(packet(cid)).status_code == 201
    assert desk.status(cid).json()["status"] == "queued"


# -------------------------------------------------------------- signatures

def body_of(data) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize("case", [
    "wrong secret", "no signature", "no timestamp", "old timestamp", "future timestamp", "signature of another body",
    "signature without prefix", "not a number timestamp", "nan timestamp", "no request id",
])
def test_bad_signatures_are_refused_with_401_and_nothing_is_queued(desk, case):
    cid = new_id()
    body = body_of(packet(cid))
    now = str(int(time.time()))
    kwargs = {
        "wrong secret": {"secret": "not-the-secret"},
        "no signature": {"signature": ""},
        "no timestamp": {"timestamp": "", "signature": sign(desk.secret, "", body)},
        "old timestamp": {"timestamp": str(int(time.time()) - 301)},
        "future timestamp": {"timestamp": str(int(time.time()) + 301)},
        "signature of another body": {"signature": sign(desk.secret, now, body_of(packet(new_id()))),
                                      "timestamp": now},
        "signature without prefix": {"signature": sign(desk.secret, now, body).removeprefix("sha256="),
                                     "timestamp": now},
        "not a number timestamp": {"timestamp": "ayer", "signature": sign(desk.secret, "ayer", body)},
        "nan timestamp": {"timestamp": "nan", "signature": sign(desk.secret, "nan", body, "req-12345678"),
                          "request_id": "req-12345678"},
        "no request id": {"timestamp": now, "signature": sign(desk.secret, now, body), "request_id": ""},
    }[case]
    response = desk.post_packet(body, **kwargs)
    assert response.status_code == 401, response.text
    assert desk.status(cid).status_code == 404


def test_a_captured_request_replayed_within_the_window_is_refused(desk):
    cid = new_id()
    body, now = body_of(packet(cid)), str(int(time.time()))
    signature = sign(desk.secret, now, body, "req-replayed-1")
    first = desk.post_packet(body, timestamp=now, signature=signature, request_id="req-replayed-1")
    assert first.status_code == 201
    again = desk.post_packet(body, timestamp=now, signature=signature, request_id="req-replayed-1")
    assert again.status_code == 401


def test_a_timestamp_within_five_minutes_is_accepted(desk):
    response = desk.post_packet(packet(new_id()), timestamp=str(int(time.time()) - 240))
    assert response.status_code == 201


def test_status_reads_need_a_signature_too(desk):
    cid = new_id()
    desk.post_packet(packet(cid))
    assert desk.status(cid, secret="wrong").status_code == 401
    assert desk.status(cid, timestamp=str(int(time.time()) - 400)).status_code == 401


def test_a_bad_signature_is_401_even_when_the_body_is_not_a_packet(desk):
    """Authentication comes first: an unsigned caller learns nothing about the format."""
    assert desk.post_packet(b"not json", secret="wrong").status_code == 401


# ----------------------------------------------------------- bodies refused

NOT_PACKETS = {
    "not json": b"not json", "array": b"[1, 2]", "string": b'"hola"', "null": b"null", "empty": b"",
    "not utf-8": b"\xff\xfe{}",
    "version 2": body_of({**packet("x"), "version": 2}),
    "version true": body_of({**packet("x"), "version": True}),
    "no conversation id": body_of({k: v for k, v in packet("x").items() if k != "conversation_id"}),
    "empty conversation id": body_of({**packet("x"), "conversation_id": ""}),
    "control character in id": body_of({**packet("x"), "conversation_id": "a\nb"}),
    "unknown priority": body_of({**packet("x"), "priority": "urgente"}),
    "description not text": body_of({**packet("x"), "description": 42}),
    "description too long": body_of({**packet("x"), "description": "x" * 6000}),
    "slots a list": body_of({**packet("x"), "slots": ["a"]}),
    "nested slot": body_of({**packet("x"), "slots": {"a": {"b": 1}}}),
    "unknown speaker": body_of({**packet("x"), "transcript": [{"from": "hacker", "text": "x"}]}),
    "line without text": body_of({**packet("x"), "transcript": [{"from": "cliente"}]}),
    "transcript a string": body_of({**packet("x"), "transcript": "hola"}),
    "created_at not a date": body_of({**packet("x"), "created_at": "ayer"}),
}


@pytest.mark.parametrize("body", list(NOT_PACKETS.values()), ids=list(NOT_PACKETS))
def test_a_body_that_is_not_a_packet_is_400(desk, body):
    response = desk.post_packet(body)
    assert response.status_code == 400, response.text
    assert desk.status("x").status_code == 404


def test_the_webhook_log_has_no_customer_text(running):
    desk, _ = running
    marker = "zz-" + new_id()
    cid = new_id()
    desk.post_packet(packet(cid, description=f"mi NIT es 900123456-7 {marker}",
                            transcript=[{"from": "cliente", "text": f"cédula 1020304050 {marker}", "timestamp": 1.0}]))
    desk.post_packet(packet(cid))
    log = desk.log()
    assert conversation_ref(cid) in log  # the hand-off is logged by a short reference…
    assert cid not in log  # …not by the id, which is not secret enough to sit in an INFO log
    assert marker not in log and "900123456" not in log and "1020304050" not in log  # …its text is not
