"""The support report on the scale-out tracker store: PostgreSQL, as deploy/endpoints.scale-out.yml.

A throw-away PostgreSQL and Redis (tools/services.py), one action server, one Rasa
server on deploy/endpoints.scale-out.yml (clock moved per conversation by
tools/clocked_rasa.py) and the desk; the plan of tools/conversation_player.py is played
through them and every figure is checked (tests/insights_checks.py), with the tracker
store found the way `make report` finds it: the endpoints file, ``${DB_…}`` expanded
from the environment.
"""

from __future__ import annotations

import threading
import uuid
from datetime import date

import psycopg2
import pytest

from insights import report, retention, source
from tests.conftest import ROOT
from tests.insights_checks import ALL_TRAFFIC, FIRST_DAY, LAST_DAY, check_played_answers, check_report
from tools import conversation_player as player
from tools import generate_conversations
from tools.services import Postgres, Redis

SCALE_OUT_ENDPOINTS = ROOT / "deploy" / "endpoints.scale-out.yml"


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("insights-pg")
    postgres, redis, clocked = Postgres(), Redis(), None
    try:
        postgres.init()
        redis.start()
        clocked = player.ClockedStack(tmp, endpoints=SCALE_OUT_ENDPOINTS, rasa_env={**postgres.env(), **redis.env()})
        clocked.start()
        planned = player.play_all(clocked, player.plan())
        yield clocked, planned, postgres
    finally:
        if clocked is not None:
            clocked.stop()
        redis.stop()
        postgres.destroy()


@pytest.fixture(scope="module")
def tracker(played) -> source.TrackerSource:
    _, _, postgres = played
    found = source.from_endpoints(SCALE_OUT_ENDPOINTS, environ=postgres.env())
    assert found.dialect == "postgresql" and found.port == postgres.port and found.database == postgres.database
    return found


def test_every_figure_equals_what_was_played_on_postgresql(played, tracker):
    clocked, planned, _ = played
    check_played_answers(clocked.tracker, planned)
    check_report(report.build(tracker, FIRST_DAY, LAST_DAY, desk_db=clocked.desk_db, traffic=ALL_TRAFFIC), planned)


def test_the_tracker_store_creates_the_timestamp_index_on_postgresql(played):
    _, _, postgres = played
    valid = postgres.sql("SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                         "WHERE c.relname = 'events_by_timestamp'")
    assert valid == "t"


def test_the_report_session_is_read_only(tracker):
    with tracker.connect() as connection, connection.cursor() as cursor:
        with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
            cursor.execute("DELETE FROM events")


def test_a_transcript_by_id_on_postgresql(played, tracker):
    _, planned, _ = played
    pqrsa = next(p for p in planned if p.name == "pqrsa-fri")
    lines = report.transcript(tracker, pqrsa.sender).lines
    assert [line.text for line in lines if line.who == "cliente"] == [pqrsa.steps[0].text]
    assert any("certicamararesponde@certicamara.com" in line.text for line in lines if line.who == "asistente")


def test_retention_on_postgresql_while_a_customer_talks(played, tracker):
    clocked, planned, postgres = played
    generate_conversations.generate(tracker, 300, date(2025, 9, 1), date(2025, 9, 30), seed=5)
    cutoff = retention.cutoff_for(30)
    old = int(postgres.sql(f"SELECT COUNT(DISTINCT sender_id) FROM events WHERE timestamp < {cutoff}"))
    assert old >= 300
    clocked.at("2026-12-09T10:50")  # Wednesday morning: outside the range the other tests report on
    finished: list[list[str]] = []
    stop = threading.Event()

    def talk() -> None:
        while not stop.is_set():
            sender = f"retention-pg-{uuid.uuid4().hex[:8]}"
            clocked.say(sender, "quiero hablar con un supervisor")
            clocked.say(sender, "ya hablé con el supervisor y nada")
            finished.append(clocked.answer_kinds(sender))

    customer = threading.Thread(target=talk)
    customer.start()
    try:
        result = retention.purge(tracker, 30, batch=10, pause=0.02)
    finally:
        stop.set()
        customer.join(timeout=120)
    assert result.conversations == old
    assert postgres.sql(f"SELECT COUNT(*) FROM events WHERE timestamp < {cutoff}") == "0"
    assert finished and all(k == ["escalation_supervisor", "escalation_coordinator"] for k in finished), finished
    after = report.build(tracker, FIRST_DAY, LAST_DAY, desk_db=None, traffic=ALL_TRAFFIC)
    assert after.summary["conversations"] == len(planned)  # the played conversations are all kept
