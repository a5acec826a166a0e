"""The desk's passwords, tokens, login throttle, configuration and HTML escaping (no server)."""

import hashlib
import ipaddress
import re
import secrets
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


def test_login_throttle_holds_a_guesser_by_user_name_with_a_growing_delay_of_a_few_seconds_at_most():
    throttle = security.LoginThrottle(user_free=3, max_delay=4, window=600)
    for address in ("203.0.113.7", "198.51.100.1", "192.0.2.9"):  # the same name from anywhere
        assert throttle.delay("ana", address, now=100) == 0
        throttle.failed("ana", address, now=100)
    assert throttle.delay("ana", "198.51.100.20", now=100) == 1  # held 1 s after the third failure
    throttle.failed("ana", "203.0.113.7", now=101)
    assert throttle.delay("ana", "198.51.100.20", now=101) == 2  # then 2 s, 4 s …
    throttle.failed("ana", "203.0.113.7", now=103)
    assert throttle.delay("ana", "198.51.100.20", now=103) == 4
    for t in range(104, 400):  # one failure a second for five minutes
        throttle.failed("ana", f"203.0.113.{t % 200}", now=t)
    assert throttle.delay("ana", "198.51.100.20", now=399) == 4  # never more than max_delay
    assert throttle.delay("ana", "198.51.100.20", now=401.5) == 1.5  # counted from the latest failure
    assert throttle.delay("beto", "198.51.100.20", now=400) == 0  # other names are not touched
    throttle.succeeded("ana")
    assert throttle.delay("ana", "198.51.100.20", now=400) == 0


def test_an_office_behind_one_address_is_not_held_by_a_few_mistyping_agents():
    throttle = security.LoginThrottle(address_free=10)
    for user in ("ana", "beto", "carla", "dario"):
        for _ in range(2):
            throttle.failed(user, "190.0.0.1", now=100)
    assert throttle.delay("elena", "190.0.0.1", now=101) == 0


def test_an_address_spraying_many_user_names_is_held_a_few_seconds_never_locked():
    throttle = security.LoginThrottle(address_free=10, max_delay=4, window=600)
    for i in range(500):
        throttle.failed(f"nadie{i}", "203.0.113.7", now=100)
    assert throttle.delay("ana", "203.0.113.7", now=100) == 4  # held, not refused
    assert throttle.delay("ana", "198.51.100.20", now=100) == 0  # other addresses are not touched
    assert throttle.delay("ana", "203.0.113.7", now=104) == 0  # the hold is over
    assert throttle.delay("ana", "203.0.113.7", now=701) == 0  # and the window forgets


def test_the_throttle_keeps_a_bounded_memory_of_made_up_names():
    throttle = security.LoginThrottle(max_keys=100)
    for i in range(10_000):
        throttle.failed(f"nadie{i}", f"10.0.{i // 256 % 256}.{i % 256}", now=100)
    assert len(throttle._users) <= 100 and len(throttle._addresses) <= 100


def test_one_address_runs_a_few_attempts_at_once_and_the_others_wait_or_are_refused():
    import asyncio

    async def scenario():
        slots = security.AttemptSlots(per_address=2, max_wait=0.3)
        running, outcome = [], []

        async def attempt(address, hold):
            try:
                async with slots.slot(address):
                    running.append(address)
                    await asyncio.sleep(hold)
                    outcome.append((address, "checked"))
            except security.AttemptsBusy:
                outcome.append((address, "busy"))

        await asyncio.gather(*(attempt("203.0.113.7", 0.5) for _ in range(3)), attempt("198.51.100.20", 0.01))
        return outcome, slots

    outcome, slots = asyncio.run(scenario())
    assert outcome.count(("203.0.113.7", "checked")) == 2 and outcome.count(("203.0.113.7", "busy")) == 1
    assert ("198.51.100.20", "checked") in outcome  # another address never waits for this one
    assert slots._slots == {}  # nothing kept once idle


# ---------------------------------------------------------- the client's address

PROXIES = (ipaddress.ip_network("10.0.0.5/32"), ipaddress.ip_network("172.16.0.0/12"))


@pytest.mark.parametrize("peer,forwarded,expected", [
    ("203.0.113.7", [], "203.0.113.7"),
    # A client that is not a trusted proxy cannot choose its address by sending the header.
    ("203.0.113.7", ["198.51.100.1"], "203.0.113.7"),
    ("10.0.0.6", ["198.51.100.1"], "10.0.0.6"),
    # Behind the trusted proxy: the address the proxy saw (appended last).
    ("10.0.0.5", ["198.51.100.1"], "198.51.100.1"),
    ("10.0.0.5", [], "10.0.0.5"),
    # What the client wrote itself (further left) is skipped.
    ("10.0.0.5", ["1.2.3.4, 198.51.100.1"], "198.51.100.1"),
    ("10.0.0.5", ["1.2.3.4", "198.51.100.1"], "198.51.100.1"),
    # A chain of trusted proxies.
    ("10.0.0.5", ["198.51.100.1, 172.16.4.4"], "198.51.100.1"),
    ("10.0.0.5", ["172.16.9.9, 172.16.4.4"], "172.16.9.9"),
    # Garbage next to the proxy stops the walk at the proxy.
    ("10.0.0.5", ["198.51.100.1, nonsense"], "10.0.0.5"),
    ("10.0.0.5", ["198.51.100.1:4711"], "198.51.100.1"),
    ("10.0.0.5", ["[2001:db8::7]:443"], "2001:db8::7"),
    ("::ffff:10.0.0.5", ["198.51.100.1"], "198.51.100.1"),
])
def test_the_client_address_reads_x_forwarded_for_only_from_trusted_proxies(peer, forwarded, expected):
    assert security.client_address(peer, forwarded, PROXIES) == expected
    if peer.endswith("10.0.0.5") and forwarded:
        assert security.client_address(peer, forwarded, ()) == peer.replace("::ffff:", "")


# -------------------------------------------------------------- configuration

GOOD = secrets.token_urlsafe(32)
BASE = {"RASA_AUTH_TOKEN": secrets.token_urlsafe(32), "DESK_WEBHOOK_SECRET": GOOD}


def test_defaults():
    config = Config.from_env(BASE)
    assert (config.host, config.port, config.queue_timeout, config.rasa_url) == (
        "127.0.0.1", 5070, 180.0, "http://127.0.0.1:5005")
    assert config.db.name == "desk.db" and config.db.parent.name == "var"
    assert not config.demo and config.trusted_proxies == ()


@pytest.mark.parametrize("env,message", [
    ({"RASA_AUTH_TOKEN": GOOD}, "DESK_WEBHOOK_SECRET is required"),
    ({"DESK_WEBHOOK_SECRET": GOOD}, "RASA_AUTH_TOKEN is required"),
    ({**BASE, "DESK_PORT": "x"}, "must be numbers"),
    ({**BASE, "DESK_QUEUE_TIMEOUT": "0"}, "positive"),
    ({**BASE, "RASA_URL": "ftp://x"}, "http(s) URL"),
    ({**BASE, "DESK_DEMO": "1", "DESK_HOST": "0.0.0.0"}, "only runs on loopback"),
    ({**BASE, "DESK_DEMO": "1", "DESK_HOST": "192.168.1.20"}, "only runs on loopback"),
    ({**BASE, "DESK_TRUSTED_PROXIES": "10.0.0.5, proxy.internal"}, "DESK_TRUSTED_PROXIES: 'proxy.internal' is not"),
    ({**BASE, "DESK_TRUSTED_PROXIES": "0.0.0.0/0"}, "DESK_TRUSTED_PROXIES: '0.0.0.0/0' would trust every address"),
])
def test_configuration_errors(env, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        Config.from_env(env)


def test_trusted_proxies_are_addresses_and_networks():
    config = Config.from_env({**BASE, "DESK_TRUSTED_PROXIES": "10.0.0.5, 172.16.0.0/12 [2001:db8::1]"})
    assert [str(n) for n in config.trusted_proxies] == ["10.0.0.5/32", "172.16.0.0/12", "2001:db8::1/128"]


@pytest.mark.parametrize("env,message", [
    ({"DESK_WEBHOOK_SECRET": "x"}, "DESK_WEBHOOK_SECRET is a published demo value"),
    ({"DESK_WEBHOOK_SECRET": DEMO_WEBHOOK_SECRET, "DESK_HOST": "0.0.0.0"},
     "DESK_WEBHOOK_SECRET is a published demo value"),
    ({"DESK_WEBHOOK_SECRET": DEMO_WEBHOOK_SECRET}, "DESK_WEBHOOK_SECRET is a published demo value"),
    ({"DESK_WEBHOOK_SECRET": GOOD[:31]}, "DESK_WEBHOOK_SECRET is too short (31 characters; at least 32)"),
    ({"DESK_WEBHOOK_SECRET": "a" * 40}, "DESK_WEBHOOK_SECRET looks like a placeholder"),
    ({"DESK_WEBHOOK_SECRET": GOOD + "\n"}, "DESK_WEBHOOK_SECRET starts or ends with spaces"),
    ({"RASA_AUTH_TOKEN": ""}, "RASA_AUTH_TOKEN is required"),
    ({"RASA_AUTH_TOKEN": "rasaToken"}, "RASA_AUTH_TOKEN is a published demo value"),
    ({"RASA_AUTH_TOKEN": "3f9a8c7d6e5b"}, "RASA_AUTH_TOKEN is too short (12 characters; at least 32)"),
])
def test_outside_demo_mode_every_secret_is_required_long_and_not_a_demo_value(env, message):
    with pytest.raises(ConfigError, match=re.escape(message)) as error:
        Config.from_env({**BASE, **env})
    value = {**BASE, **env}
    for name in ("DESK_WEBHOOK_SECRET", "RASA_AUTH_TOKEN"):
        if len(value[name]) >= 8:
            assert value[name].strip() not in str(error.value)  # the message never repeats a secret


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
