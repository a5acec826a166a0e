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
  ``_sqlite_pragmas``).

Loaded by the Rasa server only (it imports rasa); the action server never
imports ``addons``.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Generator, Iterable
from typing import Any

import rasa.shared.utils.cli
import sqlalchemy as sa
from rasa.core.constants import POSTGRESQL_SCHEMA
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs, ensure_schema_exists
from rasa.shared.core.trackers import DialogueStateTracker

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


class ReportingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` that logs each failed read or write at ERROR, then re-raises."""

    def __init__(self, domain: Any = None, host: str | None = None, **kwargs: Any) -> None:
        """Connect like ``SQLTrackerStore`` (which waits for the database to come up)."""
        super().__init__(domain=domain, host=host, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(
            url, pool_pre_ping=True, hide_parameters=True, **create_engine_kwargs(url)
        )
        if url.get_backend_name() == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
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
            await super().save(tracker)
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
