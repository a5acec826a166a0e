"""Session fixtures: the real servers of the integration tests (see harness.py).

Each is started the first time a test asks for it and stopped at the end of the
session by its finalizer, whatever the tests' outcome. Rasa loads its model in
about a minute, so the servers are shared: tests that change them (kill Rasa,
stop the action server or the database) put them back as they found them.
"""

from __future__ import annotations

import pytest

from tests.integration.harness import Cluster, MainStack


@pytest.fixture(scope="session")
def main(tmp_path_factory):
    """Action server + Rasa server configured like endpoints.yml (SQLite), on loopback."""
    servers = MainStack(tmp_path_factory.mktemp("main"))
    try:
        yield servers.start()
    finally:
        servers.stop()


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    """Two Rasa instances, PostgreSQL, Redis and one action server (deploy/endpoints.scale-out.yml)."""
    servers = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        yield servers.start()
    finally:
        servers.stop()
