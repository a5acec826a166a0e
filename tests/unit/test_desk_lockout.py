"""Nobody can lock an agent out of the desk (issue 19, point 4), on the real desk process.

The desk trusts one reverse proxy, 127.0.0.2 (DESK_TRUSTED_PROXIES): requests whose socket
comes from it have their X-Forwarded-For read; requests from 127.0.0.1 are a client talking
to the desk directly, whose X-Forwarded-For is its own claim and is ignored. An outsider sprays
failed sign-ins (made-up user names, wrong passwords for ana) from one address and from many
addresses behind the proxy; ana then signs in with her password, from the attacker's own
address and through the proxy, while the spraying goes on, and gets in within a few seconds.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from requests.adapters import HTTPAdapter

from tests.desk_support import Agent, running_desk

pytestmark = pytest.mark.slow  # starts the desk server

PROXY = "127.0.0.2"
A_FEW_SECONDS = 6.0  # the longest hold is 4 s; the rest is one scrypt hash on a busy machine


class FromAddress(HTTPAdapter):
    """Connections from a chosen local address (127.0.0.2 plays the reverse proxy)."""

    def __init__(self, source: str):
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def agent(desk, source: str = "127.0.0.1", forwarded: str | None = None) -> Agent:
    person = Agent(desk)
    person.http.mount("http://", FromAddress(source))
    if forwarded:
        person.http.headers["X-Forwarded-For"] = forwarded
    return person


def attempt(desk, username: str, password: str, source: str = "127.0.0.1", forwarded: str | None = None) -> int:
    return agent(desk, source, forwarded).login(username, password).status_code


@pytest.fixture(scope="module")
def running(request, tmp_path_factory):
    with running_desk(tmp_path_factory.mktemp("lockout"), extra_env={"DESK_TRUSTED_PROXIES": PROXY}) as (desk, rasa):
        yield desk, rasa


def test_after_a_spraying_attack_ana_signs_in_with_her_password_within_a_few_seconds(desk):
    numbers = itertools.count(1)
    with ThreadPoolExecutor(8) as pool:
        # From one address, talking to the desk directly (a forged X-Forwarded-For changes nothing).
        direct = [pool.submit(attempt, desk, f"nadie{n}", "clave-inventada-1", forwarded=f"198.18.0.{n}")
                  for n in range(14)]
        direct += [pool.submit(attempt, desk, "ana", f"clave-equivocada-{n}") for n in range(6)]
        assert [f.result() for f in direct] == [401] * 20
        # From many addresses behind the trusted proxy.
        proxied = [pool.submit(attempt, desk, f"inventado{n}", "clave-inventada-2", PROXY, f"198.51.100.{n}")
                   for n in range(24)]
        proxied += [pool.submit(attempt, desk, "ana", f"otra-clave-{n}", PROXY, f"203.0.113.{n}")
                    for n in range(10)]
        assert [f.result() for f in proxied] == [401] * 34

    # The spraying goes on while ana signs in.
    stop = threading.Event()

    def spray() -> None:
        while not stop.is_set():
            n = next(numbers)
            attempt(desk, "ana" if n % 2 else f"x{n}", f"sigue-intentando-{n}", PROXY, f"192.0.2.{n % 250 + 1}")

    sprayers = [threading.Thread(target=spray, daemon=True) for _ in range(4)]
    for thread in sprayers:
        thread.start()
    try:
        time.sleep(1.0)
        for source, forwarded in (("127.0.0.1", None), (PROXY, "198.51.100.200")):
            started = time.monotonic()
            response = agent(desk, source, forwarded).login("ana", desk.password)
            took = time.monotonic() - started
            assert response.status_code == 200 and "Cola de conversaciones" in response.text, response.text[:300]
            assert took <= A_FEW_SECONDS, f"ana waited {took:.1f} s (from {forwarded or source})"
    finally:
        stop.set()
        for thread in sprayers:
            thread.join(timeout=30)


def test_the_throttle_counts_the_socket_address_unless_the_socket_is_a_trusted_proxy(desk):
    attempt(desk, "solo-directo", "clave-inventada-3", forwarded="198.18.7.7")
    attempt(desk, "por-el-proxy", "clave-inventada-4", PROXY, "198.18.7.8, 198.51.100.77")
    log = desk.log()
    assert re.search(r"Failed login for 'solo-directo' from 127\.0\.0\.1$", log, re.M)
    assert re.search(r"Failed login for 'por-el-proxy' from 198\.51\.100\.77$", log, re.M)
    assert "198.18.7.7" not in log and "198.18.7.8" not in log  # what a client claims is never its address
    assert "Traceback" not in log
