"""The supervisor access level: the column and its migration, the command line, and
the first supervisors' page (GET /supervision) on the real desk process.

Agents get 403 on a supervisor's page (a Spanish page, or JSON); without a
session it is the login redirect as everywhere; supervisors keep the queue.
"""

import re
import sqlite3
import subprocess
import time
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests

from desk import views
from desk.store import Agent as StoredAgent
from desk.store import Handoff, Store
from tests.desk_support import Agent, packet, running_desk
from tools import stack

BOGOTA = ZoneInfo("America/Bogota")
SUPERVISORS_ONLY = "Esta página es solo para supervisores."
CARLA_PASSWORD = "carla-" + uuid.uuid4().hex
DAY = 24 * 3600

# The agents table as the desk created it before the access level existed.
OLD_SCHEMA = """
CREATE TABLE agents (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    demo          INTEGER NOT NULL DEFAULT 0,
    created_at    REAL NOT NULL
);
CREATE TABLE sessions (
    id_digest   TEXT PRIMARY KEY,
    agent_id    INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    created_at  REAL NOT NULL,
    last_seen   REAL NOT NULL,
    expires_at  REAL NOT NULL
);
"""


def desk_cli(db, *args, password: str | None = None) -> subprocess.CompletedProcess:
    env = {"DESK_DB": str(db), **({"DESK_NEW_PASSWORD": password} if password else {})}
    return subprocess.run([str(stack.ACTIONS_PYTHON), "-m", "desk", *args], cwd=stack.ROOT, env=stack.base_env(env),
                          capture_output=True, text=True, timeout=60)


def columns(db) -> dict[str, tuple]:
    with sqlite3.connect(db) as conn:
        return {row[1]: row for row in conn.execute("PRAGMA table_info(agents)")}


# ------------------------------------------------------------------ the column

def test_a_new_database_has_the_access_column_with_its_check(tmp_path):
    store = Store(tmp_path / "new.db")
    ana = store.add_agent("ana", "Ana", "asesora de soporte", "scrypt$x")
    carla = store.add_agent("carla", "Carla", "supervisora", "scrypt$x", access="supervisor")
    assert (ana.access, ana.is_supervisor, carla.is_supervisor) == ("agent", False, True)
    assert store.agent("carla").is_supervisor and not store.agent("ana").is_supervisor
    with pytest.raises(ValueError):
        store.add_agent("dario", "Dario", "asesor", "scrypt$x", access="admin")
    store.close()
    column = columns(tmp_path / "new.db")["access"]
    assert (column[2], column[3], column[4]) == ("TEXT", 1, "'agent'")  # type, NOT NULL, default
    with sqlite3.connect(tmp_path / "new.db") as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE agents SET access = 'admin' WHERE username = 'ana'")


def test_an_old_database_gets_the_column_and_its_accounts_stay_agents(tmp_path):
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(OLD_SCHEMA)
        conn.execute("INSERT INTO agents (username, display_name, role, password_hash, demo, created_at) "
                     "VALUES ('ana', 'Ana', 'asesora de soporte', 'scrypt$x', 0, 1.0)")
    assert "access" not in columns(db)
    store = Store(db)
    assert store.agent("ana") == StoredAgent(1, "ana", "Ana", "asesora de soporte", False, "agent")
    assert store.set_access("ana", "supervisor") and store.agent("ana").is_supervisor
    assert not store.set_access("nadie", "supervisor")
    store.close()
    assert Store(db).agent("ana").is_supervisor  # opened again: nothing to migrate, nothing lost
    with sqlite3.connect(db) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE agents SET access = 'jefe'")


def test_the_cli_migrates_an_old_database_and_sets_the_access(tmp_path):
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(OLD_SCHEMA)
    created = desk_cli(db, "add-agent", "carla", "--name", "Carla", "--role", "supervisora de soporte",
                       "--supervisor", password=CARLA_PASSWORD)
    assert created.returncode == 0, created.stderr
    assert "acceso de supervisor" in created.stdout
    assert desk_cli(db, "add-agent", "ana", "--name", "Ana", "--role", "asesora", password=CARLA_PASSWORD
                    ).returncode == 0
    with sqlite3.connect(db) as conn:
        assert dict(conn.execute("SELECT username, access FROM agents")) == {"carla": "supervisor", "ana": "agent"}
    assert desk_cli(db, "set-access", "ana", "supervisor").returncode == 0
    assert desk_cli(db, "set-access", "carla", "agent").returncode == 0
    with sqlite3.connect(db) as conn:
        assert dict(conn.execute("SELECT username, access FROM agents")) == {"carla": "agent", "ana": "supervisor"}
    unknown = desk_cli(db, "set-access", "nadie", "agent")
    assert unknown.returncode == 1 and "no existe" in unknown.stderr
    assert desk_cli(db, "set-access", "ana", "admin").returncode == 2  # not a level


def test_handoffs_since_lists_newest_first_within_the_window(tmp_path):
    store = Store(tmp_path / "d.db")
    now = time.time()
    old = store.create_handoff(packet("old"), now=now - 8 * DAY)[0]
    first = store.create_handoff(packet("first"), now=now - 6 * DAY)[0]
    last = store.create_handoff(packet("last"), now=now - 60)[0]
    assert [h.id for h in store.handoffs_since(now - 7 * DAY)] == [last.id, first.id]
    assert old.id not in [h.id for h in store.handoffs_since(now - 7 * DAY)]
    assert [h.id for h in store.handoffs_since(now - 7 * DAY, limit=1)] == [last.id]


def test_the_supervision_page_escapes_what_it_shows():
    attack = '<img src=x onerror="alert(1)">'
    handoff = Handoff(
        id=3, conversation_id="c", status="expired", reason="customer_request", reason_text=attack, priority="1",
        service=attack, description="", channel="socketio", packet={}, created_at="", received_at=1.0,
        agent_id=None, agent_name=None, taken_at=None, ended_at=181.0, expiry_notified=True,
    )
    carla = StoredAgent(2, "carla", "<b>Carla</b>", "supervisora", access="supervisor")
    page = views.supervision_page([handoff], 0.0, 200.0, carla, "tok", demo=False, days=7)
    assert "<img" not in page and "<b>Carla" not in page and "&lt;img src=x" in page
    assert "3 min 00 s" in page and "Expiró: nadie la tomó a tiempo" in page
    assert 'href="/supervision"' in page  # the supervisor's way to the page
    agent_page = views.queue_page([], StoredAgent(1, "ana", "Ana", "asesora"), "tok", demo=False, queue_timeout=180)
    assert 'href="/supervision"' not in agent_page


# -------------------------------------------------------------- the desk process

@pytest.fixture(scope="module")
def running(tmp_path_factory):
    with running_desk(tmp_path_factory.mktemp("desk-supervisor")) as (desk, rasa):
        made = desk_cli(desk.db, "add-agent", "carla", "--name", "Carla", "--role", "supervisora de soporte",
                        "--supervisor", password=CARLA_PASSWORD)
        assert made.returncode == 0, made.stderr
        yield desk, rasa


@pytest.fixture
def supervisor(desk):
    carla = Agent(desk)
    assert carla.login("carla", CARLA_PASSWORD).status_code == 200
    return carla


@pytest.fixture
def agent(desk):
    ana = Agent(desk)
    assert ana.login().status_code == 200
    return ana


def row_of(page: str, handoff_id: int) -> str:
    match = re.search(rf'<tr class="handoff[^"]*" data-handoff-id="{handoff_id}">(.*?)</tr>', page)
    assert match, f"no row for hand-off {handoff_id}"
    return match.group(1)


def bogota(stamp: float) -> str:
    """The hour as the page writes it, e.g. 10:30 a. m., computed here independently."""
    moment = datetime.fromtimestamp(stamp, BOGOTA)
    if (moment.hour, moment.minute) == (12, 0):
        return "12:00 m."
    return f"{moment.hour % 12 or 12}:{moment.minute:02d} {'a. m.' if moment.hour < 12 else 'p. m.'}"


@pytest.mark.slow
def test_a_supervisor_sees_the_last_seven_days_with_state_and_wait(desk, supervisor):
    # Rows in the desk's own database (what the page reads), moved back in time once they reached their
    # final state, so that the running desk's queue timeout never touches them.
    now = time.time()
    store = Store(desk.db)
    try:
        ana = store.agent("ana")
        taken = store.create_handoff(packet(uuid.uuid4().hex), now=now)[0]
        store.take(taken.id, ana, now=now + 125)
        store.finish(taken.id, ana, "returned", now=now + 600)
        expired = store.create_handoff(packet(uuid.uuid4().hex, priority="1", reason_text="Incidente crítico"),
                                       now=now)[0]
        too_old = store.create_handoff(packet(uuid.uuid4().hex), now=now)[0]
    finally:
        store.close()
    with sqlite3.connect(desk.db) as conn:
        conn.execute("UPDATE handoffs SET status = 'expired', ended_at = received_at + 181, expiry_notified = 1 "
                     "WHERE id = ?", (expired.id,))
        conn.execute("UPDATE handoffs SET status = 'closed', ended_at = received_at WHERE id = ?", (too_old.id,))
        for handoff_id, days in ((taken.id, 3), (expired.id, 1), (too_old.id, 8)):
            conn.execute("UPDATE handoffs SET received_at = received_at - ?1, taken_at = taken_at - ?1, "
                         "ended_at = ended_at - ?1 WHERE id = ?2", (days * DAY, handoff_id))
    received = now - 3 * DAY
    waiting = desk.post_packet(packet(uuid.uuid4().hex)).json()["handoff_id"]
    response = supervisor.http.get(desk.url + "/supervision", allow_redirects=False, timeout=10)
    assert response.status_code == 200
    page = response.text
    assert "<h1>Supervisión</h1>" in page and 'id="supervision-table"' in page
    returned_row = row_of(page, taken.id)
    assert "Devuelta al asistente" in returned_row and "2 min 05 s" in returned_row and "Ana" in returned_row
    assert bogota(received) in returned_row
    expired_row = row_of(page, expired.id)
    assert "Expiró: nadie la tomó a tiempo" in expired_row and "3 min 01 s" in expired_row
    assert "Prioridad 1 (crítica)" in expired_row and "Incidente crítico" in expired_row
    assert "En espera" in row_of(page, waiting) and "(sigue en espera)" in row_of(page, waiting)
    assert f'data-handoff-id="{too_old.id}"' not in page
    ids = [int(i) for i in re.findall(r'data-handoff-id="(\d+)"', page)]
    assert ids.index(waiting) < ids.index(expired.id) < ids.index(taken.id)  # newest first
    # The same data as JSON.
    data = supervisor.http.get(desk.url + "/supervision", headers={"Accept": "application/json"}, timeout=10).json()
    rows = {h["id"]: h for h in data["handoffs"]}
    assert data["days"] == 7 and too_old.id not in rows
    assert (rows[taken.id]["status"], rows[taken.id]["waiting_seconds"]) == ("returned", 125)
    assert rows[expired.id]["waiting_text"] == "esperó 3 min 01 s"


@pytest.mark.slow
def test_an_agent_gets_403_on_the_supervision_page_and_its_json(desk, agent):
    page = agent.http.get(desk.url + "/supervision", allow_redirects=False, timeout=10)
    assert page.status_code == 403
    assert SUPERVISORS_ONLY in page.text and "supervision-table" not in page.text
    assert "Content-Security-Policy" in page.headers and page.headers["Cache-Control"] == "no-store"
    data = agent.http.get(desk.url + "/supervision", headers={"Accept": "application/json"}, timeout=10)
    assert data.status_code == 403 and data.json() == {"error": "forbidden", "message": SUPERVISORS_ONLY}
    queue = agent.http.get(desk.url + "/", timeout=10)
    assert queue.status_code == 200 and 'href="/supervision"' not in queue.text
    assert "Refused GET /supervision to ana: supervisors only" in desk.log()


@pytest.mark.slow
@pytest.mark.parametrize("cookie", [None, "forged-session-id"])
def test_without_a_session_the_supervision_page_sends_to_login(desk, cookie):
    http = requests.Session()
    if cookie:
        http.cookies.set("desk_session", cookie)
    page = http.get(desk.url + "/supervision", allow_redirects=False, timeout=10)
    assert page.status_code == 303 and page.headers["Location"] == "/login"
    data = http.get(desk.url + "/supervision", headers={"Accept": "application/json"}, timeout=10)
    assert data.status_code == 401 and data.json()["error"] == "unauthenticated"


@pytest.mark.slow
def test_a_supervisor_keeps_the_queue_and_can_attend_with_the_same_csrf_rules(desk, running, supervisor):
    rasa = running[1]
    cid = uuid.uuid4().hex
    rasa.trackers[cid] = [{"event": "session_started", "timestamp": time.time() - 10}]
    handoff_id = desk.post_packet(packet(cid)).json()["handoff_id"]
    queue = supervisor.http.get(desk.url + "/", timeout=10)
    assert queue.status_code == 200 and "Cola de conversaciones" in queue.text
    assert 'href="/supervision"' in queue.text
    assert supervisor.page(handoff_id).status_code == 200
    assert any(h["id"] == handoff_id for h in supervisor.queue())
    assert supervisor.act(handoff_id, "take", csrf="forged").status_code == 403
    taken = supervisor.take(handoff_id)
    assert taken.status_code == 200 and taken.json()["state"] == "taken"
    taken_event = rasa.calls_for(cid)[-1]["body"][0]
    assert taken_event["text"] == "Le atiende Carla, supervisora de soporte."
    assert taken_event["data"]["custom"]["data"]["speaker"] == {"kind": "agent", "name": "Carla",
                                                                "role": "supervisora de soporte"}


@pytest.mark.slow
def test_a_change_of_access_applies_to_open_sessions(desk, running):
    db = desk.db
    beto_password = "beto-" + uuid.uuid4().hex
    assert desk_cli(db, "add-agent", "beto", "--name", "Beto", "--role", "asesor de soporte",
                    password=beto_password).returncode == 0
    beto = Agent(desk)
    assert beto.login("beto", beto_password).status_code == 200
    assert beto.http.get(desk.url + "/supervision", timeout=10).status_code == 403
    assert desk_cli(db, "set-access", "beto", "supervisor").returncode == 0
    assert beto.http.get(desk.url + "/supervision", timeout=10).status_code == 200
    assert desk_cli(db, "set-access", "beto", "agent").returncode == 0
    assert beto.http.get(desk.url + "/supervision", timeout=10).status_code == 403
