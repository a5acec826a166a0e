"""A Redis lock store whose ticket operations are atomic across Rasa instances.

With several `rasa run` instances, the lock store is what keeps two messages of
one conversation from being processed at the same time on two instances (each
would read the same tracker, and one turn would be lost). Rasa 3.6's own
``RedisLockStore`` does each step as GET, change in Python, SET: two instances
taking a ticket at the same moment both read the same lock and both get the
same ticket number, so both process at once. tests/integration/test_scale_out.py
reproduced it (two simultaneous messages to two instances: one turn missing
from the stored conversation).

This subclass does every read-modify-write of a lock (issue a ticket, drop
expired tickets, finish serving, delete the lock when nobody waits) inside a
Redis transaction (WATCH/MULTI/EXEC, retried when another instance changed the
lock in between), so ticket numbers are unique and the lock is never deleted
under a waiting ticket. The stored format is Rasa's, so instances with the
stock store read the same locks (but only this class is race-free: use it on
every instance).

Selected in endpoints.yml by module path; Rasa 3.6 calls custom lock stores
with ``endpoint_config=`` only, so the section's keys are those of
``RedisLockStore`` (url, port, db, password, key_prefix, use_ssl…)::

    lock_store:
      type: addons.lock_store.AtomicRedisLockStore
      url: ${REDIS_HOST}
      port: ${REDIS_PORT}
      password: ${REDIS_PASSWORD}
      db: 1
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

# A change to the lock: gets the stored lock (None if there is none) and returns
# the lock to store (None: delete it) and a result for the caller.
Change = Callable[[TicketLock | None], tuple[TicketLock | None, Any]]


class AtomicRedisLockStore(RedisLockStore):
    """``RedisLockStore`` with atomic ticket operations (safe with several Rasa instances)."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        """Take the ``lock_store`` section of endpoints.yml, as Rasa passes it to custom stores."""
        if endpoint_config is not None:
            kwargs = {**endpoint_config.kwargs, **kwargs}
            kwargs.setdefault("host", endpoint_config.url or "localhost")
        super().__init__(**kwargs)

    def _change(self, conversation_id: str, change: Change) -> Any:
        key = self.key_prefix + conversation_id

        def transaction(pipe: Any) -> Any:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            new_lock, result = change(lock)
            pipe.multi()
            if new_lock is not None:
                pipe.set(key, new_lock.dumps())
            elif raw is not None:
                pipe.delete(key)
            return result

        return self.red.transaction(transaction, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Issue the next ticket for the conversation (creating the lock if needed)."""

        def issue(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, issue)
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets."""

        def drop_expired(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Remove the served ticket."""

        def finish(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove the served ticket and, in the same step, the lock if nobody waits."""

        def finish_and_maybe_delete(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, finish_and_maybe_delete)
