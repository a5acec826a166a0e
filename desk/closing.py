"""Why an agent closed a conversation: a short list, chosen when closing (required).

Stored in ``handoffs.close_reason`` (the id), shown with its Spanish label in the queue,
the conversation page and the supervision page, and read by the support report.
"""

from __future__ import annotations

CLOSE_REASONS: dict[str, str] = {
    "resolved": "Resuelto en el chat",
    "referred": "Remitido a otro canal (línea, correo o PQRSA)",
    "escalated": "Escalado al supervisor o al coordinador",
    "no_response": "El cliente dejó de responder",
    "not_support": "No era una consulta de soporte",
}


def label(reason: str | None) -> str:
    return CLOSE_REASONS.get(reason or "", "")
