"""Agents' sign-in, sessions and CSRF on the real desk process (Rasa is a small fake)."""

import re
import secrets
import sqlite3
import subprocess
import time
import uuid

import pytest
import requests

from tests.desk_support import Agent, packet, running_desk
from tools import stack

pytestmark = pytest.mark.slow  # starts the desk server (make test-fast leaves these out)


def queued(desk) -> int:
    return desk.post_packet(packet(uuid.uuid4().hex)).json()["handoff_id"]


def set_cookie(response: requests.Response, name: str) -> str:
    headers = response.raw.headers.getlist("Set-Cookie")
    return next(h for h in headers if h.startswith(name + "="))


# ------------------------------------------------------------------- sign-in

def test_login_sets_an_httponly_samesite_strict_session_cookie(desk):
    agent = Agent(desk)
    form = agent.http.get(desk.url + "/login", timeout=10)
    login_cookie = set_cookie(form, "desk_login_csrf")
    assert "HttpOnly" in login_cookie and "SameSite=Strict" in login_cookie
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    response = agent.http.post(desk.url + "/login", data={
        "username": "ana", "password": desk.password, "csrf_token": token}, allow_redirects=False, timeout=30)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    cookie = set_cookie(response, "desk_session")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    value = agent.http.cookies.get("desk_session")
    assert value and len(value) >= 43
    queue = agent.http.get(desk.url + "/", timeout=10)
    assert queue.status_code == 200 and "Cola de conversaciones" in queue.text and "Ana" in queue.text


def test_the_database_holds_no_usable_session_id_and_no_plain_password(desk):
    agent = Agent(desk)
    agent.login()
    value = agent.http.cookies.get("desk_session")
    with sqlite3.connect(desk.db) as db:
        stored = [row[0] for row in db.execute("SELECT id_digest FROM sessions")]
        hashes = [row[0] for row in db.execute("SELECT password_hash FROM agents")]
    assert value not in stored and len(stored) >= 1
    assert all(h.startswith("scrypt$") and desk.password not in h for h in hashes)
    assert value.encode() not in desk.db.read_bytes()


def test_login_without_the_forms_csrf_token_is_refused(desk):
    http = requests.Session()
    http.get(desk.url + "/login", timeout=10)
    for token in (None, "forged-token"):
        data = {"username": "ana", "password": desk.password}
        if token:
            data["csrf_token"] = token
        response = http.post(desk.url + "/login", data=data, allow_redirects=False, timeout=30)
        assert response.status_code == 403
        assert "desk_session" not in http.cookies


@pytest.mark.parametrize("username,password", [("ana", "not-the-password"), ("nadie", "whatever-pass"), ("ana", "")])
def test_wrong_credentials_are_refused(desk, username, password):
    agent = Agent(desk)
    response = agent.login(username, password or " ")
    assert response.status_code == 401
    assert "Usuario o contraseña incorrectos." in response.text
    assert "desk_session" not in agent.http.cookies
    assert agent.http.get(desk.url + "/api/desk/queue", timeout=10).status_code == 401


def test_repeated_failures_hold_the_next_attempt_a_moment_and_the_right_password_gets_in(tmp_path):
    with running_desk(tmp_path) as (desk, _):
        stack.add_desk_agent(desk.db, "beto", "Beto", "asesor de soporte", "beto-password-1")
        for _ in range(3):
            assert Agent(desk).login("beto", "wrong-password").status_code == 401
        started = time.monotonic()
        held = Agent(desk).login("beto", "beto-password-1")
        assert held.status_code == 200 and "Cola de conversaciones" in held.text  # never 429: held, then in
        assert 0.8 <= time.monotonic() - started <= 4  # 1 s after the third failure
        started = time.monotonic()
        assert Agent(desk).login().status_code == 200  # another account is not held
        assert time.monotonic() - started < 0.9


# ------------------------------------------------------ requests without session

PAGES = ["/", "/handoffs/1"]
APIS = [("GET", "/api/desk/queue"), ("GET", "/api/desk/handoffs/1")]
ACTIONS = ["take", "reply", "return", "close"]


@pytest.mark.parametrize("cookie", [None, "forged-session-id", "x" * 300])
def test_pages_redirect_to_login_without_a_valid_session(desk, cookie):
    http = requests.Session()
    if cookie:
        http.cookies.set("desk_session", cookie)
    for path in PAGES:
        response = http.get(desk.url + path, allow_redirects=False, timeout=10)
        assert response.status_code == 303 and response.headers["Location"] == "/login", path
    for method, path in APIS:
        response = http.request(method, desk.url + path, timeout=10)
        assert response.status_code == 401 and response.json()["error"] == "unauthenticated", path


def test_actions_are_refused_without_a_session(desk):
    handoff_id = queued(desk)
    http = requests.Session()
    for action in ACTIONS:
        url = f"{desk.url}/handoffs/{handoff_id}/{action}"
        form = http.post(url, data={"csrf_token": "x", "text": "hola"}, allow_redirects=False, timeout=10)
        assert form.status_code == 303 and form.headers["Location"] == "/login", action
        api = http.post(url, data={"text": "hola"}, headers={"Accept": "application/json"}, timeout=10)
        assert api.status_code == 401, action
    logout = http.post(desk.url + "/logout", allow_redirects=False, timeout=10)
    assert logout.status_code == 303 and logout.headers["Location"] == "/login"
    agent = Agent(desk)
    agent.login()
    assert agent.handoff(handoff_id)["handoff"]["status"] == "queued"  # nothing happened


# ---------------------------------------------------------------------- CSRF

def test_state_changing_calls_need_the_sessions_csrf_token(desk):
    agent, other = Agent(desk), Agent(desk)
    agent.login()
    other.login()
    assert agent.csrf and other.csrf and agent.csrf != other.csrf
    handoff_id = queued(desk)
    for csrf in ("", "forged", other.csrf):
        for as_json in (True, False):
            response = agent.act(handoff_id, "take", as_json=as_json, csrf=csrf)
            assert response.status_code == 403, (csrf, as_json)
    assert agent.handoff(handoff_id)["handoff"]["status"] == "queued"
    # The same call with the header instead of the form field works.
    response = agent.http.post(f"{desk.url}/handoffs/{handoff_id}/take",
                               headers={"Accept": "application/json", "X-CSRF-Token": agent.csrf}, timeout=30)
    assert response.status_code == 200 and response.json()["state"] == "taken"


def test_every_page_carries_the_token_in_its_forms(desk):
    agent = Agent(desk)
    agent.login()
    handoff_id = queued(desk)
    page = agent.page(handoff_id).text
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
    assert tokens == {agent.csrf}
    assert f'action="/handoffs/{handoff_id}/take"' in page and 'action="/logout"' in page


def test_logout_ends_the_session_on_the_server(desk):
    agent = Agent(desk)
    agent.login()
    stolen = agent.http.cookies.get("desk_session")
    assert agent.http.post(desk.url + "/logout", data={}, allow_redirects=False, timeout=10).status_code == 403
    response = agent.http.post(desk.url + "/logout", data={"csrf_token": agent.csrf}, allow_redirects=False,
                               timeout=10)
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    replay = requests.Session()
    replay.cookies.set("desk_session", stolen)
    assert replay.get(desk.url + "/", allow_redirects=False, timeout=10).status_code == 303
    assert replay.get(desk.url + "/api/desk/queue", timeout=10).status_code == 401


def test_security_headers(desk):
    agent = Agent(desk)
    page = agent.login()
    assert page.status_code == 200
    headers = page.headers
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"
    assert "<script>" not in page.text  # no inline script anywhere


def test_the_cli_creates_agents_with_a_hashed_password_and_refuses_weak_ones(tmp_path):
    db = tmp_path / "cli.db"
    stack.add_desk_agent(db, "carla", "Carla", "asesora de soporte", "carla-password-1")
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT username, display_name, role, password_hash FROM agents").fetchone()
    assert row[:3] == ("carla", "Carla", "asesora de soporte") and row[3].startswith("scrypt$")
    with pytest.raises(subprocess.CalledProcessError):
        stack.add_desk_agent(db, "dario", "Dario", "asesor", "corta")
    with pytest.raises(subprocess.CalledProcessError):
        stack.add_desk_agent(db, "carla", "Carla", "asesora", "otra-clave-larga")  # already exists


def test_demo_mode_banner_and_account(tmp_path):
    with running_desk(tmp_path, extra_env={"DESK_DEMO": "1"}, create_agent=False) as (desk, _):
        login = requests.get(desk.url + "/login", timeout=10)
        assert "MODO DEMOSTRACIÓN" in login.text
        agent = Agent(desk)
        page = agent.login("ana", "demo-ana-2026")
        assert page.status_code == 200 and "MODO DEMOSTRACIÓN" in page.text
        assert "Ana" in page.text and "asesora de soporte" in page.text
        assert "'ana' with password 'demo-ana-2026'" in desk.log()


def test_demo_mode_leaves_a_real_account_named_ana_alone(tmp_path):
    with running_desk(tmp_path, extra_env={"DESK_DEMO": "1"}) as (desk, _):  # "ana" made with add-agent
        assert Agent(desk).login("ana", "demo-ana-2026").status_code == 401
        assert Agent(desk).login().status_code == 200
        assert "is not a demo account" in desk.log()


def test_without_demo_mode_there_is_no_banner_and_no_demo_account(desk):
    assert "MODO DEMOSTRACIÓN" not in requests.get(desk.url + "/login", timeout=10).text
    assert Agent(desk).login("ana", "demo-ana-2026").status_code == 401


def test_demo_mode_refuses_to_listen_beyond_loopback(tmp_path):
    result = subprocess.run(
        [str(stack.ACTIONS_PYTHON), "-m", "desk"], cwd=stack.ROOT, capture_output=True, text=True, timeout=60,
        env=stack.base_env({"DESK_DEMO": "1", "DESK_HOST": "0.0.0.0", "RASA_AUTH_TOKEN": secrets.token_urlsafe(32),
                            "DESK_DB": str(tmp_path / "d.db")}),
    )
    assert result.returncode == 2 and "only runs on loopback" in result.stderr


def test_without_a_webhook_secret_the_desk_does_not_start(tmp_path):
    env = stack.base_env({"RASA_AUTH_TOKEN": secrets.token_urlsafe(32), "DESK_DB": str(tmp_path / "d.db")})
    env.pop("DESK_WEBHOOK_SECRET", None)
    env.pop("DESK_DEMO", None)
    result = subprocess.run([str(stack.ACTIONS_PYTHON), "-m", "desk"], cwd=stack.ROOT, capture_output=True,
                            text=True, timeout=60, env=env)
    assert result.returncode == 2 and "DESK_WEBHOOK_SECRET is required" in result.stderr

