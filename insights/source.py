"""Where the conversations are: the tracker store of endpoints.yml, opened read-only.

The running assistant keeps its conversations in Rasa's SQL tracker store
(``addons/tracker_store.py``, Rasa's ``events`` table): an SQLite file by default
(endpoints.yml), PostgreSQL in the scale-out configuration
(deploy/endpoints.scale-out.yml, whose values are ``${VARIABLE}``s that Rasa
expands from the environment; so does :func:`from_endpoints`).

Every connection opened here for the report is read-only: SQLite through a
``file:…?mode=ro`` URI, PostgreSQL with ``default_transaction_read_only=on``
for the whole session. Only ``insights.retention`` opens a writable connection
(:meth:`TrackerSource.connect` with ``write=True``).
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ENDPOINTS = ROOT / "endpoints.yml"
DEFAULT_DESK_DB = "var/desk.db"
# How long a statement waits for a lock held by the assistant (SQLite), in seconds.
BUSY_TIMEOUT = 10.0
_VARIABLE = re.compile(r"\$\{([^}]+)\}")


class SourceError(Exception):
    """The tracker store cannot be found or opened; the message says why."""


def expand_variables(value: Any, environ: Mapping[str, str], where: str) -> Any:
    """Replace each ``${NAME}`` in the strings of a YAML value, as Rasa does when it reads endpoints."""
    if isinstance(value, str):
        def replace(match: re.Match) -> str:
            name = match.group(1)
            if name not in environ:
                raise SourceError(f"{where}: the variable {name} is not set (the file says ${{{name}}})")
            return environ[name]

        return _VARIABLE.sub(replace, value)
    if isinstance(value, list):
        return [expand_variables(v, environ, where) for v in value]
    if isinstance(value, dict):
        return {k: expand_variables(v, environ, where) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class TrackerSource:
    """A tracker store to read: ``dialect`` "sqlite" (``database`` is the file) or "postgresql"."""

    dialect: str
    database: str
    host: str | None = None
    port: int | None = None
    username: str | None = None
    password: str | None = None
    schema: str | None = None

    def describe(self) -> str:
        """What the report shows as its source (never the password)."""
        if self.dialect == "sqlite":
            return f"SQLite {self.database}"
        return f"PostgreSQL {self.username or ''}@{self.host or 'localhost'}:{self.port or 5432}/{self.database}"

    @contextlib.contextmanager
    def connect(self, write: bool = False) -> Iterator[Any]:
        """A DB-API connection; read-only unless ``write`` (retention only)."""
        if self.dialect == "sqlite":
            connection = _sqlite(self.database, write)
        elif self.dialect == "postgresql":
            connection = self._postgresql(write)
        else:
            raise SourceError(f"unsupported tracker store dialect {self.dialect!r} (sqlite or postgresql)")
        try:
            yield connection
        finally:
            connection.close()

    def _postgresql(self, write: bool) -> Any:
        try:
            import psycopg2
        except ImportError as error:  # pragma: no cover - installed by requirements/dev.txt
            raise SourceError("psycopg2 is not installed (make setup installs it in .venv/actions)") from error
        options = [] if write else ["-c default_transaction_read_only=on"]
        if self.schema:
            options.append(f"-c search_path={self.schema}")
        try:
            connection = psycopg2.connect(
                host=self.host or "localhost", port=self.port or 5432, user=self.username, password=self.password,
                dbname=self.database, application_name="insights-retention" if write else "insights-report",
                options=" ".join(options) or None, connect_timeout=10,
            )
        except psycopg2.Error as error:
            raise SourceError(f"cannot connect to {self.describe()}: {str(error).strip()}") from error
        connection.set_session(readonly=not write, autocommit=False)
        return connection


def _sqlite(path: str, write: bool) -> sqlite3.Connection:
    file = Path(path)
    if not file.exists():
        raise SourceError(f"the tracker store {file} does not exist")
    mode = "rw" if write else "ro"
    uri = f"file:{urllib.parse.quote(str(file.resolve()))}?mode={mode}"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT, isolation_level=None if write else "")
    except sqlite3.Error as error:
        raise SourceError(f"cannot open {file}: {error}") from error
    connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
    # A lone surrogate a client sent ("\ud800" in the event's JSON) comes out of json_extract as
    # bytes that are not UTF-8: read them with U+FFFD instead of failing the whole report.
    connection.text_factory = lambda raw: raw.decode("utf-8", "replace")
    if not write:
        connection.execute("PRAGMA query_only = ON")
    return connection


def from_config(config: Mapping[str, Any], base: Path = ROOT, environ: Mapping[str, str] = os.environ,
                where: str = "endpoints") -> TrackerSource:
    """The source described by a ``tracker_store:`` section (Rasa's SQL tracker store keys)."""
    kind = str(config.get("type") or "")
    if kind.lower() not in ("sql",) and not kind.endswith("SQLTrackerStore"):
        raise SourceError(f"{where}: tracker_store type {kind!r} is not an SQL tracker store")
    dialect = str(config.get("dialect") or "sqlite").lower()
    if dialect.startswith("postgres"):
        port = config.get("port")
        return TrackerSource(
            "postgresql", str(config.get("db") or "rasa"), host=config.get("url") or config.get("host"),
            port=int(port) if port not in (None, "") else None, username=config.get("username"),
            password=config.get("password"), schema=environ.get("POSTGRESQL_SCHEMA") or None,
        )
    if dialect == "sqlite":
        db = Path(str(config.get("db") or "rasa.db"))
        return TrackerSource("sqlite", str(db if db.is_absolute() else base / db))
    raise SourceError(f"{where}: tracker_store dialect {dialect!r} is not supported (sqlite or postgresql)")


def from_endpoints(path: Path | str = DEFAULT_ENDPOINTS, environ: Mapping[str, str] = os.environ) -> TrackerSource:
    """The tracker store named in an endpoints file, ``${VARIABLE}``s expanded from ``environ``.

    A relative SQLite path is relative to the project root (where ``make run`` starts Rasa).
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise SourceError(f"cannot read {path}: {error}") from error
    section = data.get("tracker_store")
    if not section:
        raise SourceError(f"{path}: no tracker_store section (Rasa keeps conversations in memory then)")
    return from_config(expand_variables(section, environ, str(path)), ROOT, environ, str(path))


def from_url(url: str, environ: Mapping[str, str] = os.environ) -> TrackerSource:
    """``sqlite:///var/tracker.db`` (relative to the project root), ``sqlite:////abs/path.db`` or
    ``postgresql://user:${DB_PASSWORD}@host:port/database``: the user and the password may be
    ``${VARIABLE}``s, taken from the environment (a password is never written in a URL that
    sits in a file or a command line)."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    if scheme == "sqlite":
        raw = urllib.parse.unquote(url.split(":///", 1)[1]) if ":///" in url else ""
        if not raw:
            raise SourceError(f"{url!r}: an SQLite URL is sqlite:///relative/path.db or sqlite:////absolute/path.db")
        file = Path(raw)
        return TrackerSource("sqlite", str(file if file.is_absolute() else ROOT / file))
    if scheme in ("postgresql", "postgres"):
        return TrackerSource(
            "postgresql", urllib.parse.unquote(parts.path.lstrip("/")) or "rasa", host=parts.hostname,
            port=parts.port,
            username=expand_variables(urllib.parse.unquote(parts.username or ""), environ, "the tracker store URL") or None,
            password=expand_variables(urllib.parse.unquote(parts.password or ""), environ, "the tracker store URL") or None,
            schema=os.environ.get("POSTGRESQL_SCHEMA") or None,
        )
    raise SourceError(f"{url!r}: the tracker store URL must start with sqlite:/// or postgresql://")


def desk_db_path(value: str | None = None, environ: Mapping[str, str] = os.environ) -> Path:
    """The desk's SQLite database: ``value``, else ``DESK_DB``, else var/desk.db (relative to the root)."""
    path = Path(value or environ.get("DESK_DB") or DEFAULT_DESK_DB)
    return path if path.is_absolute() else ROOT / path


@contextlib.contextmanager
def open_desk_db(path: Path) -> Iterator[sqlite3.Connection | None]:
    """The desk's database read-only, or None when it does not exist (no hand-off yet)."""
    if not Path(path).exists():
        yield None
        return
    connection = _sqlite(str(path), write=False)
    connection.row_factory = sqlite3.Row
    try:
        yield connection
    finally:
        connection.close()
