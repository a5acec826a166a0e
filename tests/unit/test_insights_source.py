"""insights.source: the tracker store of the endpoints file (``${VAR}`` as Rasa expands them), read-only."""

import sqlite3

import pytest

from insights import source
from tests.conftest import ROOT

SCALE_OUT = ROOT / "deploy" / "endpoints.scale-out.yml"
DB_ENV = {"DB_HOST": "db.internal", "DB_PORT": "6543", "DB_USER": "rasa", "DB_PASSWORD": "s3cr3t",
          "DB_DATABASE": "conversations"}


def test_the_project_endpoints_give_the_sqlite_file_under_the_root():
    found = source.from_endpoints(ROOT / "endpoints.yml", environ={})
    assert found == source.TrackerSource("sqlite", str(ROOT / "var" / "tracker.db"))


def test_the_scale_out_endpoints_expand_the_database_variables_as_rasa_does():
    found = source.from_endpoints(SCALE_OUT, environ={**DB_ENV, "ACTION_SERVER_URL": "http://a/webhook",
                                                      "REDIS_HOST": "r", "REDIS_PORT": "1", "REDIS_PASSWORD": ""})
    assert (found.dialect, found.host, found.port, found.username, found.password, found.database) == (
        "postgresql", "db.internal", 6543, "rasa", "s3cr3t", "conversations")
    assert "s3cr3t" not in found.describe()


def test_an_unset_variable_is_named():
    env = dict(DB_ENV)
    del env["DB_PASSWORD"]
    with pytest.raises(source.SourceError, match=r"DB_PASSWORD is not set"):
        source.from_endpoints(SCALE_OUT, environ={**env, "ACTION_SERVER_URL": "x", "REDIS_HOST": "r",
                                                  "REDIS_PORT": "1", "REDIS_PASSWORD": ""})


def test_endpoints_without_an_sql_tracker_store_are_refused(tmp_path):
    memory = tmp_path / "endpoints.yml"
    memory.write_text("action_endpoint:\n  url: http://localhost:5055/webhook\n", encoding="utf-8")
    with pytest.raises(source.SourceError, match="no tracker_store"):
        source.from_endpoints(memory, environ={})
    memory.write_text("tracker_store:\n  type: redis\n  url: localhost\n", encoding="utf-8")
    with pytest.raises(source.SourceError, match="not an SQL tracker store"):
        source.from_endpoints(memory, environ={})


@pytest.mark.parametrize("url, expected", [
    ("sqlite:///var/tracker.db", ("sqlite", str(ROOT / "var" / "tracker.db"), None, None, None)),
    ("sqlite:////srv/rasa/tracker.db", ("sqlite", "/srv/rasa/tracker.db", None, None, None)),
    ("postgresql://rasa:${DB_PASSWORD}@10.0.0.5:5432/rasa", ("postgresql", "rasa", "10.0.0.5", 5432, "p@ss:/w")),
    ("postgresql://r%40sa@10.0.0.5/rasa", ("postgresql", "rasa", "10.0.0.5", None, None)),
    ("postgresql+psycopg2://u:p@db/conv", ("postgresql", "conv", "db", None, "p")),
])
def test_tracker_store_urls(url, expected):
    found = source.from_url(url, environ={"DB_PASSWORD": "p@ss:/w"})
    assert (found.dialect, found.database, found.host, found.port, found.password) == expected


def test_a_password_variable_that_is_not_set_is_named():
    with pytest.raises(source.SourceError, match="DB_PASSWORD is not set"):
        source.from_url("postgresql://rasa:${DB_PASSWORD}@db/rasa", environ={})


def test_an_unknown_url_is_refused():
    with pytest.raises(source.SourceError, match="sqlite:/// or postgresql://"):
        source.from_url("mysql://x/y")


def test_the_desk_database_path(monkeypatch):
    assert source.desk_db_path(environ={}) == ROOT / "var" / "desk.db"
    assert source.desk_db_path(environ={"DESK_DB": "/srv/desk.db"}).as_posix() == "/srv/desk.db"
    assert source.desk_db_path("other.db", environ={"DESK_DB": "/srv/desk.db"}) == ROOT / "other.db"


def test_an_sqlite_store_is_opened_read_only(tmp_path):
    path = tmp_path / "tracker.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT)")
        db.execute("INSERT INTO events (sender_id) VALUES ('a')")
    tracker = source.TrackerSource("sqlite", str(path))
    with tracker.connect() as connection:
        assert connection.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 1
        with pytest.raises(sqlite3.OperationalError, match="readonly|read-only"):
            connection.execute("INSERT INTO events (sender_id) VALUES ('b')")
    with tracker.connect(write=True) as connection:
        connection.execute("INSERT INTO events (sender_id) VALUES ('b')")
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 2


def test_a_missing_sqlite_file_is_an_error_and_is_not_created(tmp_path):
    tracker = source.TrackerSource("sqlite", str(tmp_path / "missing.db"))
    with pytest.raises(source.SourceError, match="does not exist"), tracker.connect():
        pass
    assert not (tmp_path / "missing.db").exists()
