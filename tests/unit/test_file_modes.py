"""Files the product creates under var/ are 0600 in 0700 folders.

* every process tools/stack.py starts has umask 077: what it creates (the desk's database
  through the desk's own command, any file or SQLite database) is 0600, its folders 0700; its
  log file is 0600 in a 0700 folder;
* the endpoints file of a run is 0600; var/ is made 0700 and the data files an older run left
  0644 are made 0600 at start;
* the SQL tracker store creates its SQLite file 0600 in a 0700 folder, and SQLite's -wal and
  -shm files follow (run in .venv/rasa);
* the report's files: tests/unit/test_report_files.py.
"""

from __future__ import annotations

import ast
import os
import stat
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tools import stack

RASA_PYTHON = ROOT / ".venv" / "rasa" / "bin" / "python"


def mode(path) -> str:
    return oct(stat.S_IMODE(os.stat(path).st_mode))


@pytest.fixture
def loose_umask():
    """The umask most shells have (022): the product must not depend on the caller's."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_started_process_creates_private_files_and_its_log_is_private(tmp_path, loose_umask):
    program = (
        "import os, sqlite3, sys\n"
        "out = sys.argv[1]\n"
        "os.makedirs(os.path.join(out, 'sub'))\n"
        "open(os.path.join(out, 'sub', 'file.txt'), 'w').write('x')\n"
        "db = sqlite3.connect(os.path.join(out, 'sub', 'data.db'))\n"
        "db.execute('PRAGMA journal_mode=WAL'); db.execute('CREATE TABLE t (x)'); db.execute('INSERT INTO t VALUES (1)')\n"
        "db.commit(); print('ok', flush=True); db.close()\n"
    )
    logs = tmp_path / "var" / "logs"
    service = stack._spawn("probe", [sys.executable, "-c", program, str(tmp_path)], dict(os.environ), logs, "")
    assert service.process.wait(timeout=60) == 0, service.log()
    assert "ok" in service.log()
    assert mode(logs) == "0o700" and mode(logs / "probe.log") == "0o600"
    assert mode(tmp_path / "sub") == "0o700"
    assert mode(tmp_path / "sub" / "file.txt") == "0o600" and mode(tmp_path / "sub" / "data.db") == "0o600"


def test_the_desks_database_created_by_its_own_command_is_private(tmp_path, loose_umask):
    db = tmp_path / "var" / "desk.db"
    stack.private_dir(db.parent)
    stack.add_desk_agent(db, "luisa", "Luisa", "agent", "una-clave-larga-de-prueba-2026")
    assert mode(db) == "0o600" and mode(db.parent) == "0o700"


def test_the_endpoints_file_of_a_run_is_private(tmp_path, loose_umask):
    path = stack.write_endpoints(tmp_path / "var" / "endpoints.run.yml", 5055, action_token="secreto")
    assert mode(path) == "0o600" and mode(path.parent) == "0o700"
    path.chmod(0o644)
    stack.write_endpoints(path, 5056)
    assert mode(path) == "0o600"


def test_var_and_the_files_an_older_run_left_open_are_made_private(tmp_path, monkeypatch, loose_umask):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    for name in ("tracker.db", "tracker.db-wal", "desk.db", "endpoints.run.yml"):
        (var / name).write_text("x")
        (var / name).chmod(0o644)
    (var / "otra-cosa.txt").write_text("x")
    monkeypatch.setattr(stack, "VAR", var)
    stack.private_var()
    assert mode(var) == "0o700"
    assert {name: mode(var / name) for name in ("tracker.db", "tracker.db-wal", "desk.db", "endpoints.run.yml")} == {
        "tracker.db": "0o600", "tracker.db-wal": "0o600", "desk.db": "0o600", "endpoints.run.yml": "0o600"}


def test_the_tracker_store_creates_its_sqlite_file_private(tmp_path):
    if not RASA_PYTHON.exists():
        pytest.skip(f"{RASA_PYTHON} is missing (make setup)")
    program = (
        "import asyncio, os, stat, sys\n"
        "os.umask(0o022)\n"
        "from addons.tracker_store import ReportingSQLTrackerStore\n"
        "from rasa.shared.core.events import UserUttered\n"
        "from rasa.shared.core.trackers import DialogueStateTracker\n"
        "store = ReportingSQLTrackerStore(db=sys.argv[1], dialect='sqlite')\n"
        "asyncio.run(store.save(DialogueStateTracker.from_events('c', [UserUttered('hola')])))\n"
        "folder = os.path.dirname(sys.argv[1])\n"
        "print({name: oct(stat.S_IMODE(os.stat(os.path.join(folder, name)).st_mode)) for name in os.listdir(folder)},\n"
        "      oct(stat.S_IMODE(os.stat(folder).st_mode)))\n"
    )
    db = tmp_path / "var" / "tracker.db"
    done = subprocess.run([str(RASA_PYTHON), "-c", program, str(db)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={"PATH": "/usr/bin:/bin", "RASA_TELEMETRY_ENABLED": "false",
                                            "ASSISTANT_RASA_SPEEDUPS": "off"})
    assert done.returncode == 0, done.stderr[-3000:]
    files, folder = done.stdout.strip().splitlines()[-1].rsplit(" ", 1)
    assert folder == "0o700"
    assert ast.literal_eval(files) == {"tracker.db": "0o600", "tracker.db-wal": "0o600", "tracker.db-shm": "0o600"}
