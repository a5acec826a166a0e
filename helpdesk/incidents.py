"""Known incidents: an outage the support team has declared, as the assistant tells it.

A supervisor or the on-call person declares an incident in the agent desk (the service
affected, since when, a message for customers, optionally an estimate), updates it and
closes it; the desk keeps it in its database, shared by every instance. The action server
reads the open ones from the desk (``helpdesk.desk_client.DeskClient.active_incidents``,
cached a few seconds) and passes them to the dialogue, which

- answers a problem report about that service, or a question whether it works, with the
  known incident at once (since when, what to do meanwhile, the latest update): one short
  answer instead of the triage;
- still gives the 24/7 line to a critical case, worded so that the customer knows the team
  is already on it;
- answers everything else as usual, and stops mentioning the incident as soon as the desk
  closes it.

Pure data and wording values; nothing here talks to the desk.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from helpdesk import spanish as es

SERVICES = ("firma_digital", "estampado_cronologico")
BOTH = "ambos"


@dataclass(frozen=True)
class Incident:
    """One open incident as the desk publishes it."""

    id: int
    service: str  # firma_digital | estampado_cronologico | ambos
    since: datetime  # aware
    message: str  # for customers, written by the team
    estimate: str = ""  # optional, as the team wrote it ("hacia las 3:00 p. m.")
    update: str = ""  # the latest update, if any

    def affects(self, service: str | None) -> bool:
        return self.service == BOTH or service == self.service

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Incident | None:
        """One incident of the desk's ``GET /api/incidents/active``; None when malformed."""
        try:
            service = str(data["service"])
            if service not in (*SERVICES, BOTH):
                return None
            since = datetime.fromisoformat(str(data["since"]))
            if since.tzinfo is None:
                return None
            return cls(int(data["id"]), service, since, str(data.get("message") or "").strip(),
                       str(data.get("estimate") or "").strip(), str(data.get("update") or "").strip())
        except (KeyError, TypeError, ValueError):
            return None


def parse(items: Iterable[Any]) -> tuple[Incident, ...]:
    return tuple(i for i in (Incident.from_json(x) for x in items if isinstance(x, Mapping)) if i is not None)


def relevant(incidents: Sequence[Incident], service: str | None) -> Incident | None:
    """The open incident a message about ``service`` refers to: the one of that service; with
    no service named, the only open incident (two open ones leave it to the customer)."""
    if service in SERVICES:
        return next((i for i in incidents if i.affects(service)), None)
    return incidents[0] if len(incidents) == 1 else None


def values(incident: Incident, now: datetime) -> dict[str, str]:
    """The variables of the known-incident answers (domain.yml ``known_incident*``)."""
    services = SERVICES if incident.service == BOTH else (incident.service,)
    label = es.join([es.say(f"service_with_article.{s}") for s in services])
    since = incident.since.astimezone(now.tzinfo)
    # Since today: only the time ("las 9:40 a. m."); since an earlier day, the date too.
    when = es.clock(since) if since.date() == now.date() else es.format_when(since, now)
    return {
        "incident_service": label,
        "incident_since": when,
        "incident_message": es.sentence(incident.message) if incident.message else "",
        # Each after the one before it, so an empty one leaves no double space.
        "incident_update": " " + es.sentence(es.say("incident.update", update=incident.update)) if incident.update else "",
        "incident_estimate": (" " + es.sentence(es.say("incident.estimate", estimate=incident.estimate))
                              if incident.estimate else ""),
    }
