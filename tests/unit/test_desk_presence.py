"""Presence (issue 20, point 2): the desk knows who is signed in and on duty, answers the bot's
signed question, and estimates the wait of a customer queued now."""

import sqlite3
import time
import uuid

import pytest

from desk.presence import expected_wait
from helpdesk.desk_client import DeskClient
from tests.desk_support import Agent, packet, running_desk
from tests.support import run_coroutine
from tools import stack

pytestmark = pytest.mark.slow  # starts the desk server (make test-fast leaves these out)


@pytest.mark.parametrize("waits,position,on_duty,seconds", [
    ([], 1, 1, 90),                 # no history yet: half the SLA
    ([30, 60, 90], 1, 1, 60),       # the median of recent waits
    ([30, 60, 90], 2, 1, 120),      # one customer ahead, one agent: two rounds
    ([30, 60, 90], 2, 2, 60),       # two agents take the two at once
    ([100, 120], 3, 1, 180),        # never more than the SLA
])
def test_the_expected_wait(waits, position, on_duty, seconds):
    assert expected_wait(waits, position, on_duty, 180) == seconds


def presence(desk):
    response = desk.signed("GET", "/api/presence")
    assert response.status_code == 200, response.text
    return response.json()


def test_who_is_on_duty_as_the_bot_asks(tmp_path):
    with running_desk(tmp_path, queue_timeout=180) as (desk, _):
        stack.add_desk_agent(desk.db, "beto", "Beto", "asesor de soporte", "clave-beto-" + uuid.uuid4().hex)
        assert desk.signed("GET", "/api/presence", secret="otro-secreto").status_code == 401
        assert presence(desk) == {"agents_signed_in": 0, "agents_available": 0, "queued": 0,
                                  "expected_wait_seconds": 90, "sla_seconds": 180}
        ana = Agent(desk)
        ana.login()
        assert presence(desk)["agents_available"] == 1
        queue = ana.http.get(desk.url + "/", timeout=10).text
        assert "Disponibles ahora: Ana." in queue and 'id="presence-state">Disponible<' in queue
        # A pause: still signed in, no longer on duty; the bot would not queue anybody.
        paused = ana.http.post(desk.url + "/presencia", data={"csrf_token": ana.csrf, "available": "0"},
                               headers={"Accept": "application/json"}, timeout=10)
        assert paused.status_code == 200 and paused.json()["available"] is False
        assert presence(desk)["agents_available"] == 0 and presence(desk)["agents_signed_in"] == 1
        page = ana.http.get(desk.url + "/", timeout=10).text
        assert 'id="presence-state">En pausa<' in page and "Nadie está disponible en este momento" in page
        client = DeskClient(desk.url, desk.secret, attempts=1)
        assert run_coroutine(client.presence()).nobody
        # Without the CSRF token the switch is refused.
        forged = ana.http.post(desk.url + "/presencia", data={"available": "1"}, timeout=10,
                               headers={"Accept": "application/json"})
        assert forged.status_code == 403
        ana.http.post(desk.url + "/presencia", data={"csrf_token": ana.csrf, "available": "1"}, timeout=10)
        assert presence(desk)["agents_available"] == 1
        assert not run_coroutine(client.presence()).nobody
        # A desk left open in a closed laptop: the session is no longer seen, nobody is on duty.
        with sqlite3.connect(desk.db) as db:
            db.execute("UPDATE sessions SET last_seen = ?", (time.time() - 600,))
        assert presence(desk)["agents_signed_in"] == 0
        ana.queue()  # the page polls again: back on duty
        assert presence(desk)["agents_available"] == 1
        # Signing out ends the presence at once.
        ana.http.post(desk.url + "/logout", data={"csrf_token": ana.csrf}, timeout=10)
        assert presence(desk)["agents_available"] == 0


def test_a_new_handoff_is_answered_with_the_expected_wait_and_its_place(tmp_path):
    with running_desk(tmp_path, queue_timeout=180) as (desk, _):
        ana = Agent(desk)
        ana.login()
        first = desk.post_packet(packet(uuid.uuid4().hex)).json()
        assert first["position"] == 1 and first["agents_available"] == 1 and first["expected_wait_seconds"] == 90
        second = desk.post_packet(packet(uuid.uuid4().hex)).json()
        assert second["position"] == 2 and second["expected_wait_seconds"] == 180
        urgent = desk.post_packet(packet(uuid.uuid4().hex, priority="1")).json()
        assert urgent["position"] == 1  # priority 1 goes first
        assert presence(desk)["queued"] == 3
        client = DeskClient(desk.url, desk.secret, attempts=1)
        created = run_coroutine(client.create_handoff(packet(uuid.uuid4().hex)))
        assert created.ok and created.expected_wait == 180
