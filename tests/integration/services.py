"""Real PostgreSQL and Redis servers for the integration tests, plus socket helpers.

Standard library only (the tests run in .venv/actions, which has neither
psycopg2 nor redis-py): the databases are started from Debian's binaries and
queried with their own command-line clients (psql, redis-cli).

Every server listens on 127.0.0.1 on a free port, keeps its data in a fresh
temporary directory and is stopped (then the directory removed) by ``stop()``;
the fixtures call it in their finalizers, also when a test fails.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tools import stack

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = Path(os.environ.get("REDIS_SERVER", "/usr/bin/redis-server"))
PSQL = shutil.which("psql") or "/usr/bin/psql"
REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"


def _as_db_user(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the `postgres` system user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _run(cmd: list[str], timeout: float) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}")


class Postgres:
    """A throw-away PostgreSQL 15 cluster on 127.0.0.1 with one password-protected role."""

    def __init__(self) -> None:
        self.port = stack.free_port()
        self.user = "rasa"
        self.password = secrets.token_urlsafe(16)
        self.database = "rasa"
        self.dir = Path(tempfile.mkdtemp(prefix="it-postgres-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self._admin_password = secrets.token_urlsafe(16)

    # -- lifecycle -------------------------------------------------------
    def init(self) -> Postgres:
        pwfile = self.dir / "pw"
        pwfile.write_text(self._admin_password + "\n", encoding="utf-8")
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        _run(_as_db_user([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "admin", "--pwfile", str(pwfile),
                          "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8",
                          "--locale=C.UTF-8", "--no-sync"]), timeout=120)
        pwfile.unlink()
        self.start()
        self.admin_sql(f"CREATE ROLE {self.user} LOGIN PASSWORD '{self.password}'")
        self.admin_sql(f"CREATE DATABASE {self.database} OWNER {self.user}")
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
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def destroy(self) -> None:
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

    def sql(self, sql: str) -> str:
        """Run a query as the application role in the application database."""
        return self._psql(self.user, self.password, self.database, sql)

    def env(self) -> dict:
        """The DB_* variables deploy/endpoints.scale-out.yml reads."""
        return {"DB_HOST": "127.0.0.1", "DB_PORT": str(self.port), "DB_USER": self.user,
                "DB_PASSWORD": self.password, "DB_DATABASE": self.database}


class Redis:
    """A throw-away Redis on 127.0.0.1 with a password and no persistence."""

    def __init__(self) -> None:
        self.port = stack.free_port()
        self.password = secrets.token_urlsafe(16)
        self.dir = Path(tempfile.mkdtemp(prefix="it-redis-"))
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
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)

    def env(self) -> dict:
        """The REDIS_* variables deploy/endpoints.scale-out.yml reads."""
        return {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(self.port), "REDIS_PASSWORD": self.password}


# -- sockets ---------------------------------------------------------------

def _hex_to_address(hex_address: str) -> str:
    """/proc/net/tcp{,6} address ('0100007F') to text ('127.0.0.1')."""
    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw[::-1])
    # IPv6 is stored as four little-endian 32-bit words.
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
    return socket.inet_ntop(socket.AF_INET6, words)


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a TCP socket in LISTEN state on ``port`` (from /proc/net)."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            address, _, port_hex = local.partition(":")
            if state == "0A" and int(port_hex, 16) == port:
                found.add(_hex_to_address(address))
    return found


def non_loopback_addresses() -> list[str]:
    """IPv4 addresses of this machine other than 127.0.0.0/8 (may be empty)."""
    addresses: list[str] = []
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5).stdout
        addresses += [a for a in out.split() if ":" not in a]
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))  # no packet is sent for UDP connect
            addresses.append(s.getsockname()[0])
    except OSError:
        pass
    return sorted({a for a in addresses if not a.startswith("127.") and a != "0.0.0.0"})


def can_connect(host: str, port: int) -> tuple[bool, str]:
    try:
        with socket.create_connection((host, port), timeout=3):
            return True, "connected"
    except OSError as error:
        return False, str(error)
