"""Who is on duty, and how long a new customer would wait (what the bot asks before it queues).

An agent is *signed in* while a session of theirs was seen in the last
``store.PRESENT_SECONDS`` and *on duty* when, besides, they are not on a pause
(the "Disponible / En pausa" switch in the desk's top bar). With nobody on duty the
bot does not queue the customer: it offers the channels open now (actions/handoff.py).

The expected wait is an estimate, said to the customer as "unos 2 minutos":

    typical = median of the waits of the last 20 hand-offs taken in the last 7 days,
              or half the SLA when there is no such hand-off yet
    wait    = typical × ceil(position / agents on duty)      (position 1 = next in line)

never more than the SLA (``DESK_QUEUE_TIMEOUT``, 180 s by default: after it the bot takes
the customer back and offers the channels open now, so nobody waits longer).
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass
from typing import Any

from desk.store import Store

HISTORY_DAYS = 7
HISTORY_SIZE = 20


@dataclass(frozen=True)
class Presence:
    signed_in: int
    on_duty: int
    queued: int
    expected_wait: float  # seconds, for a customer queued now
    sla: float
    names: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The contract's presence answer (docs/agent-desk-api.md, section 1)."""
        return {"agents_signed_in": self.signed_in, "agents_available": self.on_duty, "queued": self.queued,
                "expected_wait_seconds": int(round(self.expected_wait)), "sla_seconds": int(round(self.sla))}


def expected_wait(waits: list[float], position: int, on_duty: int, sla: float) -> float:
    """Seconds a customer at ``position`` in the queue (1 = next) is expected to wait."""
    typical = statistics.median(waits) if waits else sla / 2
    rounds = math.ceil(max(1, position) / max(1, on_duty))
    return min(sla, typical * rounds)


def presence(store: Store, sla: float, now: float | None = None, position: int | None = None) -> Presence:
    """Agents signed in and on duty now, and the expected wait of the customer at ``position``
    (by default a customer queued now, behind everyone waiting)."""
    now = time.time() if now is None else now
    agents = store.present_agents(now)
    on_duty = [a for a in agents if a.available]
    queued = store.queued_count()
    waits = store.recent_waits(now - HISTORY_DAYS * 86400, HISTORY_SIZE)
    wait = expected_wait(waits, queued + 1 if position is None else position, len(on_duty), sla)
    return Presence(len(agents), len(on_duty), queued, wait, sla, tuple(a.name for a in on_duty))
