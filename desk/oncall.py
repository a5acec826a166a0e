"""The call to the on-call person's webhook when the desk raises an incident alert.

``POST DESK_ONCALL_WEBHOOK_URL`` with a JSON body, signed like the bot's calls to the desk
(``helpdesk.desk_client.sign`` with ``DESK_ONCALL_WEBHOOK_SECRET``: headers
``X-Desk-Timestamp``, ``X-Desk-Request-Id``, ``X-Desk-Signature: sha256=…`` over
``"{timestamp}.{request id}.{body}"``; the receiver checks it with
``helpdesk.desk_client.verify``). Up to 3 attempts with backoff on network errors and 5xx,
in a worker thread: the bot's report is answered before the call is made. No customer text
and no conversation id travel: conversations are named by the short reference of the
desk's logs ("conv#3fa9c2d1"); the on-call person opens the desk to see them.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime
from typing import Any

from desk.incidents import BOGOTA, Alert, Report
from desk.security import conversation_ref
from helpdesk.desk_client import REQUEST_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

logger = logging.getLogger("desk")
ATTEMPTS = 3
TIMEOUT = 5.0
BACKOFF = 0.5


def iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, BOGOTA).isoformat(timespec="seconds")


def alert_body(alert: Alert, reports: list[Report]) -> dict[str, Any]:
    """What the on-call webhook receives about one alert."""
    minutes = alert.window_seconds / 60
    first = datetime.fromtimestamp(alert.first_report_at, BOGOTA).strftime("%H:%M")
    return {
        "event": "incident_alert",
        "alert_id": alert.id,
        "service": alert.service,
        "service_label": alert.service_label,
        "critical_reports": len(reports),
        "threshold": alert.threshold,
        "window_seconds": int(alert.window_seconds),
        "first_report_at": iso(alert.first_report_at),
        "raised_at": iso(alert.raised_at),
        "reports": [{"received_at": iso(r.received_at), "conversation": conversation_ref(r.conversation_id)}
                    for r in reports],
        "declare_path": f"/incidentes/nuevo?alerta={alert.id}",
        "text": (f"Mesa de asesores: {len(reports)} reportes críticos de {alert.service_label} en {minutes:g} min "
                 f"(el primero a las {first}). ¿Declarar el incidente? Abra /incidentes/nuevo?alerta={alert.id}"),
    }


def post_alert(url: str, secret: str, body: dict[str, Any], attempts: int = ATTEMPTS, timeout: float = TIMEOUT,
               backoff: float = BACKOFF, sleep=time.sleep) -> tuple[bool, str]:
    """POST the signed alert (blocking: run it in the executor). Returns (delivered, error)."""
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    error = ""
    for attempt in range(1, attempts + 1):
        timestamp = str(int(time.time()))
        request_id = uuid.uuid4().hex
        request = urllib.request.Request(url, data=data, method="POST", headers={
            "Content-Type": "application/json", TIMESTAMP_HEADER: timestamp, REQUEST_ID_HEADER: request_id,
            SIGNATURE_HEADER: sign(secret, timestamp, data, request_id)})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read(1024)
            return True, ""
        except urllib.error.HTTPError as exc:
            error = f"HTTP {exc.code}"
            if exc.code < 500:
                return False, error  # refused: another attempt would be refused too
        except (urllib.error.URLError, OSError, ValueError) as exc:
            error = str(getattr(exc, "reason", exc))[:200]
        if attempt < attempts:
            sleep(backoff * 2 ** (attempt - 1))
    return False, error
