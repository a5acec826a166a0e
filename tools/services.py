"""Throw-away PostgreSQL and Redis servers: one lifecycle for the integration tests and the benchmark.

Standard library only (the tests run in .venv/actions, which has neither psycopg2
nor redis-py): the servers are Debian's binaries, queried with their own
command-line clients (psql, redis-cli).

Every server listens on 127.0.0.1 on a free port, with a password, keeps its data
in a fresh temporary directory and is stopped (then the directory removed) by
``destroy()`` / ``stop()``; callers do it in a ``finally`` (the test fixtures in their
finalizers, the benchmark on its exit stack), also when something failed.

    postgres = Postgres(databases=["rasa"]).init()   # role `rasa` owns each database
    redis = Redis().start()
    postgres.tracker_store("rasa")   # a tracker_store section for endpoints (without `type`)
    redis.lock_store()               # a lock_store section for endpoints (without `type`)
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from tools import stack

# Debian's packages (postgresql, redis-server), as scripts/system_deps.sh installs them.
PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), default=Path("/usr/lib/postgresql/15/bin/pg_ctl"),
             key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0).parent
REDIS_SERVER = Path(shutil.which("redis-server") or "/usr/bin/redis-server")
PSQL = shutil.which("psql") or "/usr/bin/psql"
REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"


def _as_db_user(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the `postgres` system user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _give_to_db_user(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _run(cmd: list[str], timeout: float) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}")


class Postgres:
    """A throw-away PostgreSQL cluster (Debian's newest installed version) on 127.0.0.1 with one password-protected role.

    ``databases``: the databases created for the role (the first is ``database``,
    the one ``sql()`` and ``env()`` use). ``parent``: where the temporary directory
    goes (default: the system's temporary directory).
    """

    def __init__(self, databases: Sequence[str] = ("rasa",), parent: Path | None = None) -> None:
        self.port = stack.free_port()
        self.user = "rasa"
        self.password = secrets.token_urlsafe(16)
        self.databases = list(databases)
        self.database = self.databases[0]
        if parent is not None:
            parent.mkdir(parents=True, exist_ok=True)
        self.dir = Path(tempfile.mkdtemp(prefix="postgres-", dir=parent))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        _give_to_db_user(self.dir)
        self._admin_password = secrets.token_urlsafe(16)

    # -- lifecycle -------------------------------------------------------
    def init(self) -> Postgres:
        """Create the cluster, start it, create the role and its databases."""
        pwfile = self.dir / "pw"
        pwfile.write_text(self._admin_password + "\n", encoding="utf-8")
        _give_to_db_user(pwfile)
        _run(_as_db_user([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "admin", "--pwfile", str(pwfile),
                          "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8",
                          "--locale=C.UTF-8", "--no-sync"]), timeout=120)
        pwfile.unlink()
        self.start()
        self.admin_sql(f"CREATE ROLE {self.user} LOGIN PASSWORD '{self.password}'")
        for database in self.databases:
            self.admin_sql(f"CREATE DATABASE {database} OWNER {self.user}")
        return self

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir}"
        _run(_as_db_user([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
                          "-w", "-t", "60", "start"]), timeout=90)

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``mode``: smart, fast or immediate); SIGKILL if pg_ctl fails."""
        if not (self.data / "postmaster.pid").exists():
            return
        try:
            _run(_as_db_user([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop"]),
                 timeout=60)
        except (RuntimeError, subprocess.SubprocessError, OSError):
            pid = self.postmaster_pid()
            if pid:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def postmaster_pid(self) -> int | None:
        """The server's main process (the root of its process tree), None when stopped."""
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def destroy(self) -> None:
        """Stop the server and remove its directory."""
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- queries ---------------------------------------------------------
    def _psql(self, user: str, password: str, database: str, sql: str) -> str:
        env = dict(os.environ, PGPASSWORD=password, PGCONNECT_TIMEOUT="5")
        result = subprocess.run(
            [PSQL, "-h", "127.0.0.1", "-p", str(self.port), "-U", user, "-d", database,
             "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
            env=env, capture_output=True, text=True, timeout=30,
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr.strip()}")
        return result.stdout.strip()

    def admin_sql(self, sql: str) -> str:
        return self._psql("admin", self._admin_password, "postgres", sql)

    def sql(self, sql: str, database: str | None = None) -> str:
        """Run a query as the application role (in ``database``, default the first one)."""
        return self._psql(self.user, self.password, database or self.database, sql)

    # -- configuration for Rasa -------------------------------------------
    def env(self) -> dict:
        """The DB_* variables deploy/endpoints.scale-out.yml reads."""
        return {"DB_HOST": "127.0.0.1", "DB_PORT": str(self.port), "DB_USER": self.user,
                "DB_PASSWORD": self.password, "DB_DATABASE": self.database}

    def tracker_store(self, database: str | None = None) -> dict:
        """A ``tracker_store`` section of endpoints for Rasa's SQL store (the caller adds ``type``)."""
        return {"dialect": "postgresql", "url": "127.0.0.1", "port": self.port, "username": self.user,
                "password": self.password, "db": database or self.database}


class Redis:
    """A throw-away Redis on 127.0.0.1 with a password and no persistence."""

    def __init__(self, parent: Path | None = None) -> None:
        self.port = stack.free_port()
        self.password = secrets.token_urlsafe(16)
        if parent is not None:
            parent.mkdir(parents=True, exist_ok=True)
        self.dir = Path(tempfile.mkdtemp(prefix="redis-", dir=parent))
        self.process: subprocess.Popen | None = None

    def start(self) -> Redis:
        log = open(self.dir / "redis.log", "ab")
        self.process = subprocess.Popen(
            [str(REDIS_SERVER), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir), "--requirepass", self.password],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("redis-server exited: " + (self.dir / "redis.log").read_text(errors="replace"))
            try:
                if self.cli("PING") == "PONG":
                    return self
            except subprocess.SubprocessError:
                pass
            time.sleep(0.2)
        raise RuntimeError("redis-server did not answer PING")

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [REDIS_CLI, "-h", "127.0.0.1", "-p", str(self.port), "--no-auth-warning", *args],
            env=dict(os.environ, REDISCLI_AUTH=self.password), capture_output=True, text=True, timeout=10,
        )
        return result.stdout.strip()

    def command_calls(self) -> dict:
        """Calls per command since start, from INFO commandstats (e.g. {'set': 12})."""
        calls = {}
        for line in self.cli("INFO", "commandstats").splitlines():
            if line.startswith("cmdstat_"):
                name, _, stats = line.partition(":")
                fields = dict(item.split("=", 1) for item in stats.split(","))
                calls[name[len("cmdstat_"):]] = int(fields["calls"])
        return calls

    def stop(self) -> None:
        """Stop the server and remove its directory."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- configuration for Rasa -------------------------------------------
    def env(self) -> dict:
        """The REDIS_* variables deploy/endpoints.scale-out.yml reads."""
        return {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(self.port), "REDIS_PASSWORD": self.password}

    def lock_store(self, db: int = 1) -> dict:
        """A ``lock_store`` section of endpoints (the caller adds ``type``)."""
        return {"url": "127.0.0.1", "port": self.port, "password": self.password, "db": db}
