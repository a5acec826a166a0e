"""The desk's passwords, tokens, login throttle, configuration and HTML escaping (no server)."""

import hashlib
import re
import time

import pytest

from desk import security, views
from desk.config import DEMO_WEBHOOK_SECRET, Config, ConfigError
from desk.store import Agent, Handoff
from desk.views import Markup, esc, render

# ------------------------------------------------------------------ passwords


def test_password_hash_is_salted_scrypt_with_its_parameters():
    first = security.hash_password("una clave larga 123")
    second = security.hash_password("una clave larga 123")
    assert first != second  # a random salt per hash
    scheme, n, r, p, salt, digest = first.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert salt != second.split("$")[4]
    assert "una clave" not in first


def test_right_password_verifies_and_wrong_ones_do_not():
    stored = security.hash_password("correcta-horse-9")
    assert security.verify_password("correcta-horse-9", stored)
    for wrong in ("correcta-horse-8", "Correcta-horse-9", "correcta-horse-9 ", "", "x" * 2000):
        assert not security.verify_password(wrong, stored)


@pytest.mark.parametrize("stored", [
    "", "scrypt$1$2$3", "pbkdf2$16384$8$1$AAAA$AAAA", "scrypt$x$8$1$AAAA$AAAA", "scrypt$16384$8$1$***$AAAA",
])
def test_malformed_hashes_never_verify(stored):
    assert not security.verify_password("cualquier-clave", stored)


def test_the_hash_comparison_is_constant_time(monkeypatch):
    compared = []
    real = security.hmac.compare_digest
    monkeypatch.setattr(security.hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b))
    stored = security.hash_password("constante-tiempo")
    assert security.verify_password("constante-tiempo", stored)
    assert not security.verify_password("otra-clave-123", stored)
    assert len(compared) == 2


def test_an_unknown_user_costs_a_hash_too():
    """No quick 'no such user' answer that would tell names apart by timing."""
    stored = security.hash_password("medir-tiempo-1")
    security.verify_password("calentar", None)  # the dummy hash is made once
    start = time.perf_counter()
    assert not security.verify_password("medir-tiempo-1", None)
    unknown = time.perf_counter() - start
    start = time.perf_counter()
    security.verify_password("otra-cosa-xx", stored)
    known = time.perf_counter() - start
    assert unknown > known * 0.3, (unknown, known)


def test_new_password_rules():
    assert security.check_new_password("corta")
    assert security.check_new_password(" espacio-al-inicio")
    assert security.check_new_password("x" * 2000)
    assert security.check_new_password("suficientemente-larga") is None


# --------------------------------------------------------------------- tokens


def test_tokens_are_random_and_long():
    tokens = {security.new_token() for _ in range(50)}
    assert len(tokens) == 50
    assert all(len(t) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", t) for t in tokens)


def test_the_database_keeps_only_a_digest_of_the_session_id():
    token = security.new_token()
    assert security.token_digest(token) == hashlib.sha256(token.encode()).hexdigest() != token


def test_csrf_tokens_compare_in_constant_time_and_never_match_empty(monkeypatch):
    compared = []
    real = security.hmac.compare_digest
    monkeypatch.setattr(security.hmac, "compare_digest", lambda a, b: compared.append(1) or real(a, b))
    assert security.same_token("abc", "abc")
    assert not security.same_token("abc", "abd")
    assert compared == [1, 1]
    assert not security.same_token("", "")
    assert not security.same_token(None, None)
    assert not security.same_token("abc", None)


def test_login_throttle_slows_a_guesser_with_a_growing_delay_per_user_and_address():
    throttle = security.LoginThrottle(free_failures=3, max_delay=60, window=600)
    for _ in range(3):
        assert throttle.wait("ana", "10.0.0.9", now=100) == 0
        throttle.failed("ana", "10.0.0.9", now=100)
    assert throttle.wait("ana", "10.0.0.9", now=100) == 2  # 2 s after the third failure
    throttle.failed("ana", "10.0.0.9", now=103)
    assert throttle.wait("ana", "10.0.0.9", now=103) == 4  # then 4 s, 8 s … at most 60 s
    for t in range(110, 400, 61):
        throttle.failed("ana", "10.0.0.9", now=t)
    assert throttle.wait("ana", "10.0.0.9", now=400) <= 60


def test_the_legitimate_agent_is_never_locked_out_by_someone_elses_failures():
    throttle = security.LoginThrottle(free_failures=3, max_delay=60, window=600)
    for t in range(50):  # an attacker hammers ana's account from one address
        throttle.failed("ana", "203.0.113.7", now=100 + t)
    assert throttle.wait("ana", "198.51.100.20", now=150) == 0  # ana from her own address
    assert throttle.wait("beto", "203.0.113.7", now=150) == 0  # the attacker's address is not locked for others
    throttle.succeeded("ana", "203.0.113.7")
    assert throttle.wait("ana", "203.0.113.7", now=151) == 0


def test_an_office_behind_one_address_is_not_locked_by_a_few_mistyping_agents():
    throttle = security.LoginThrottle(spray_users=10)
    for user in ("ana", "beto", "carla", "dario"):
        throttle.failed(user, "190.0.0.1", now=100)
    assert throttle.wait("elena", "190.0.0.1", now=101) == 0


def test_an_address_spraying_many_user_names_is_locked():
    throttle = security.LoginThrottle(spray_users=10, window=600)
    for i in range(10):
        throttle.failed(f"user{i}", "203.0.113.7", now=100)
    assert throttle.wait("ana", "203.0.113.7", now=101) > 500
    assert throttle.wait("ana", "198.51.100.20", now=101) == 0
    assert throttle.wait("ana", "203.0.113.7", now=701) == 0  # the window passed


# -------------------------------------------------------------- configuration

BASE = {"RASA_AUTH_TOKEN": "t", "DESK_WEBHOOK_SECRET": "s"}


def test_defaults():
    config = Config.from_env(BASE)
    assert (config.host, config.port, config.queue_timeout, config.rasa_url) == (
        "127.0.0.1", 5070, 180.0, "http://127.0.0.1:5005")
    assert config.db.name == "desk.db" and config.db.parent.name == "var"
    assert not config.demo


@pytest.mark.parametrize("env,message", [
    ({"RASA_AUTH_TOKEN": "t"}, "DESK_WEBHOOK_SECRET is required"),
    ({"DESK_WEBHOOK_SECRET": "s"}, "RASA_AUTH_TOKEN is required"),
    ({**BASE, "DESK_PORT": "x"}, "must be numbers"),
    ({**BASE, "DESK_QUEUE_TIMEOUT": "0"}, "positive"),
    ({**BASE, "RASA_URL": "ftp://x"}, "http(s) URL"),
    ({**BASE, "DESK_DEMO": "1", "DESK_HOST": "0.0.0.0"}, "only runs on loopback"),
    ({**BASE, "DESK_DEMO": "1", "DESK_HOST": "192.168.1.20"}, "only runs on loopback"),
])
def test_configuration_errors(env, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        Config.from_env(env)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_demo_mode_on_loopback_needs_no_webhook_secret(host):
    config = Config.from_env({"RASA_AUTH_TOKEN": "t", "DESK_DEMO": "1", "DESK_HOST": host})
    assert config.demo and config.webhook_secret == DEMO_WEBHOOK_SECRET


# ------------------------------------------------------------------ escaping

ATTACK = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def test_render_escapes_every_value_but_markup_built_here():
    out = render("<p title='{a}'>{b}</p>{c}", a="'\"><x>", b=ATTACK, c=Markup("<br>"))
    assert "<img" not in out and "<script" not in out and "<x>" not in out
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in out and out.endswith("<br>")
    assert esc(None) == ""


def test_the_conversation_page_shows_packet_and_transcript_as_text():
    packet = {
        "conversation_id": "c-<b>1</b>", "reason_text": ATTACK, "slots": {ATTACK: ATTACK},
        "transcript": [{"from": "cliente", "text": ATTACK, "timestamp": 1.0}],
    }
    handoff = Handoff(
        id=7, conversation_id=packet["conversation_id"], status="taken", reason="customer_request",
        reason_text=ATTACK, priority="1", service=ATTACK, description=ATTACK, channel="socketio", packet=packet,
        created_at="2026-12-04T10:30:00-05:00", received_at=time.time(), agent_id=1, agent_name="<i>Ana</i>",
        taken_at=time.time(), ended_at=None, expiry_notified=False,
    )
    agent = Agent(1, "ana", "<i>Ana</i>", "asesora")
    live = [{"from": "cliente", "text": ATTACK, "timestamp": 2.0},
            {"from": "asesor", "agent": "<i>Ana</i>", "text": ATTACK, "timestamp": 3.0}]
    page = views.conversation_page(handoff, live, agent, "csrf-tok", demo=True)
    queue = views.queue_page([handoff], agent, "csrf-tok", demo=False, queue_timeout=180)
    for html_text in (page, queue):
        assert "<img" not in html_text and "<script>" not in html_text and "<i>" not in html_text
        assert "&lt;img src=x" in html_text
    assert page.count("&lt;script&gt;alert(2)&lt;/script&gt;") >= 6  # reason, service, description, slot, 2 lines
    assert "MODO DEMOSTRACIÓN" in page and "MODO DEMOSTRACIÓN" not in queue
    assert "Prioridad 1" in queue and "handoff--p1" in queue
    # The agent who has it sees the reply box and the two ways out.
    for label in ("Su respuesta al cliente", "Devolver al asistente", "Cerrar"):
        assert label in page
