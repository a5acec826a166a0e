"""An SQL tracker store that reports every database failure at ERROR level.

Rasa wraps whatever tracker store endpoints.yml names in its
``FailSafeTrackerStore``: when the database fails, the message is still
answered (a failed read gives a fresh tracker, a failed write goes to an
in-memory store). That keeps customers answered, but the conversation is no
longer persisted and, without this class, operators see little of it in the
logs. This subclass of Rasa's ``SQLTrackerStore`` logs one ERROR line for every
failed read and write, naming the conversation and the database error, and
then re-raises so the fail-safe behaviour stays Rasa's own.

Selected in endpoints.yml by module path (Rasa 3.6 imports ``type`` as a class
path and calls it with ``host=<url>, domain=, event_broker=`` and every other
key of the section, i.e. exactly ``SQLTrackerStore``'s arguments)::

    tracker_store:
      type: addons.tracker_store.ReportingSQLTrackerStore
      dialect: sqlite
      db: var/tracker.db

It also closes a crash: Rasa's ``session_scope`` treats *any* ``ValueError``
raised while a session is open as "the PostgreSQL schema does not exist" and
exits the whole server. A conversation id that cannot be encoded (a JSON
``"sender": "\\ud800"``, or raw bytes ED A0 80 in the body, which Python's JSON
decoder lets through as a lone surrogate) raises ``UnicodeEncodeError``, a
``ValueError``: one such request stopped the Rasa server (reproduced with
Rasa 3.6.21 and SQLite). Here only the schema check can end the process; any
other error is logged and re-raised like the rest.

Two more production settings on the database engine:

* ``pool_pre_ping``: a pooled connection is checked before use, so after a
  database restart or fail-over the next message reconnects instead of failing
  on a dead connection.
* ``hide_parameters``: SQL errors never carry the statement's parameters,
  which hold the serialised events and so the customers' messages.
* SQLite only: ``journal_mode=WAL`` and ``synchronous=NORMAL`` (see
  ``_sqlite_pragmas``), and one pooled connection kept open. SQLAlchemy 1.4
  gives a file database a ``NullPool``: a new connection, its pragmas and its
  close on every read and write.

Lean queries (found by profiling the Rasa server under load, where Rasa's ORM
reads and writes took 30 % of its CPU per turn): the same SQL as Rasa's, built
once as Core statements, without ORM objects.

* a read selects only the ``data`` column of the latest session's events
  (Rasa's ``_event_query`` semantics: from the newest ``session_started``
  timestamp, or every event when there is none), ordered by id;
* a write counts the stored events of that session with the same condition
  and inserts the tracker's events beyond that count in one ``executemany``,
  with the same column values as Rasa's ``save``.

One index of our own, ``events_by_timestamp`` on ``events (timestamp)``, created
when the store starts (``ensure_timestamp_index``): the support report
(``insights/``) reads a date range and the retention command
(``python -m insights.retention``) finds old conversations by it; without it both
read the whole table (measured in docs/report.md, "Index and speed"). On
PostgreSQL it is built ``CONCURRENTLY`` (customers' writes go on meanwhile). The
report never writes: this store, which owns the schema, creates it.

The table is Rasa's own ``events`` table (``SQLTrackerStore.SQLEvent``): Rasa's
store reads what this one writes and the other way round (checked by
tests/rasa/test_rasa_speedups.py).

Loaded by the Rasa server only (it imports rasa); the action server never
imports ``addons``.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import re
from collections.abc import Generator, Iterable
from pathlib import Path
from typing import Any

import rasa.shared.utils.cli
import sqlalchemy as sa
from rasa.core.constants import POSTGRESQL_SCHEMA
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs, ensure_schema_exists
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from helpdesk.privacy import PRIVATE_FILE, private_dir

logger = logging.getLogger(__name__)


def _describe(error: BaseException) -> str:
    """The error on one line: class and message, without SQLAlchemy's help link."""
    text = re.sub(r"\(Background on this error at:[^)]*\)", "", str(error))
    text = " ".join(text.split())
    return f"{type(error).__name__}: {text[:500]}"


def _conversation(sender_id: Any) -> str:
    """A conversation id safe to put on one log line (ids come from clients)."""
    return repr(str(sender_id)[:64])


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """Write-ahead log, synced at checkpoints: a commit no longer waits for two fsyncs.

    A committed turn survives the Rasa process being killed (the WAL file is on
    disk); only a power cut or an OS crash can lose the last commits.
    """
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


TIMESTAMP_INDEX = "events_by_timestamp"


def ensure_timestamp_index(engine: sa.engine.Engine, table: str = "events") -> None:
    """Create ``events_by_timestamp`` on ``events (timestamp)`` unless it exists.

    PostgreSQL: ``CREATE INDEX CONCURRENTLY`` outside a transaction, so writes are
    not blocked while it is built on a large table; several Rasa instances starting
    together may race, and the loser's error is only logged (the index exists).
    """
    sql = f"CREATE INDEX IF NOT EXISTS {TIMESTAMP_INDEX} ON {table} (timestamp)"
    try:
        if engine.url.get_backend_name() == "postgresql":
            sql = sql.replace("CREATE INDEX", "CREATE INDEX CONCURRENTLY", 1)
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text(sql))
        else:
            with engine.begin() as connection:
                connection.execute(sa.text(sql))
    except sa.exc.SQLAlchemyError as error:
        logger.warning("Could not create the index %s: %s", TIMESTAMP_INDEX, _describe(error))


class _Statements:
    """Rasa's tracker-store queries as Core statements, built once per store.

    ``latest session`` is Rasa's condition (``SQLTrackerStore._event_query``):
    events at or after the newest ``session_started`` timestamp of the
    conversation, or all its events when it has none.
    """

    def __init__(self, events: sa.Table) -> None:
        sender = sa.bindparam("sender_id")
        session_start = (
            sa.select(sa.func.max(events.c.timestamp))
            .where(events.c.sender_id == sender, events.c.type_name == SessionStarted.type_name)
            .scalar_subquery()
        )
        latest_session = sa.and_(
            events.c.sender_id == sender,
            sa.or_(events.c.timestamp >= session_start, session_start.is_(None)),
        )
        self.latest_session_data = sa.select(events.c.data).where(latest_session).order_by(events.c.id)
        self.all_sessions_data = (
            sa.select(events.c.data).where(events.c.sender_id == sender).order_by(events.c.id)
        )
        self.latest_session_count = sa.select(sa.func.count()).select_from(events).where(latest_session)
        self.insert = events.insert()


def _event_row(sender_id: str, event: Any) -> dict[str, Any]:
    """The row Rasa's ``SQLTrackerStore.save`` writes for one event."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def _make_sqlite_directory(settings: dict[str, Any]) -> None:
    """Create the directory of a SQLite file (``var/`` of endpoints.yml is not in git), 0700,
    and the file itself 0600 (an existing one is made 0600): the conversations are readable by
    the user who runs the server only. SQLite gives its -wal and -shm files the database
    file's permissions.

    Without the directory SQLite cannot open the file: on a fresh checkout every read and write
    failed and no conversation was kept (Rasa answered from memory, logging errors).
    """
    if settings.get("dialect", "sqlite") != "sqlite":
        return
    db = str(settings.get("db") or "rasa.db")
    if db in ("", ":memory:") or db.startswith("file:"):
        return
    directory = Path(db).parent
    if not directory.exists():
        private_dir(directory)
        logger.info("Tracker store: created the directory %s for the SQLite file.", directory)
    os.close(os.open(db, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))  # an empty file is an empty database
    if not Path(db).is_symlink():
        os.chmod(db, PRIVATE_FILE)


class ReportingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` that logs each failed read or write at ERROR, then re-raises."""

    def __init__(self, domain: Any = None, host: str | None = None, **kwargs: Any) -> None:
        """Connect like ``SQLTrackerStore`` (which waits for the database to come up)."""
        _make_sqlite_directory(kwargs)
        super().__init__(domain=domain, host=host, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        if url.get_backend_name() == "sqlite":
            # One file, one process: keep a connection open (QueuePool) instead of
            # SQLAlchemy 1.4's NullPool. The pool hands a connection to one caller
            # at a time, so it may be used from another thread than its creator's.
            self.engine = sa.create_engine(
                url,
                hide_parameters=True,
                poolclass=sa.pool.QueuePool,
                connect_args={"check_same_thread": False},
            )
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = sa.create_engine(
                url, pool_pre_ping=True, hide_parameters=True, **create_engine_kwargs(url)
            )
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        ensure_timestamp_index(self.engine, self.SQLEvent.__tablename__)
        self._statements = _Statements(self.SQLEvent.__table__)
        logger.info(
            "Tracker store: %s database '%s' (every database error is logged at ERROR).",
            url.get_backend_name(),
            url.database,
        )

    @contextlib.contextmanager
    def session_scope(self) -> Generator[Any, None, None]:
        """A session; only a missing PostgreSQL schema stops the server (as in Rasa)."""
        session = self.sessionmaker()
        try:
            try:
                ensure_schema_exists(session)
            except ValueError as error:
                rasa.shared.utils.cli.print_error_and_exit(
                    f"Requested PostgreSQL schema '{error}' was not found in the database. To continue, "
                    f"create the schema or unset the '{POSTGRESQL_SCHEMA}' environment variable."
                )
            yield session
        finally:
            session.close()

    def _report(self, operation: str, sender_id: Any, error: BaseException) -> None:
        logger.error(
            "Tracker store database error on %s of conversation %s: %s. The message is handled "
            "without the database (Rasa's fail-safe): the conversation is not persisted and "
            "earlier turns are not available until the database answers again.",
            operation,
            _conversation(sender_id),
            _describe(error),
        )

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """Rasa's ``_retrieve``: the events' JSON only, no ORM objects."""
        statement = (
            self._statements.all_sessions_data
            if fetch_events_from_all_sessions
            else self._statements.latest_session_data
        )
        with self.session_scope() as session:
            rows = session.connection().execute(statement, {"sender_id": sender_id}).scalars().all()
        if self.domain and rows:
            events = [json.loads(data) for data in rows]
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    async def _save_new_events(self, tracker: DialogueStateTracker) -> None:
        """Rasa's ``save``: the latest session's events not stored yet, in one insert."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            connection = session.connection()
            stored = connection.execute(
                self._statements.latest_session_count, {"sender_id": tracker.sender_id}
            ).scalar_one()
            rows = [
                _event_row(tracker.sender_id, event)
                for event in itertools.islice(tracker.events, stored, len(tracker.events))
            ]
            if rows:
                connection.execute(self._statements.insert, rows)
            session.commit()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """Read the latest session of a conversation; log and re-raise a failure."""
        try:
            return await super().retrieve(sender_id)
        except Exception as error:
            self._report("read", sender_id, error)
            raise

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        """Read every session of a conversation; log and re-raise a failure."""
        try:
            return await super().retrieve_full_tracker(conversation_id)
        except Exception as error:
            self._report("read", conversation_id, error)
            raise

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the new events of a conversation; log and re-raise a failure."""
        try:
            await self._save_new_events(tracker)
        except Exception as error:
            self._report("write", tracker.sender_id, error)
            raise

    async def keys(self) -> Iterable[str]:
        """List conversation ids; log and re-raise a failure."""
        try:
            return await super().keys()
        except Exception as error:
            self._report("listing", "*", error)
            raise
