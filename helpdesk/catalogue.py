"""The catalogue of what the assistant understands and answers, with the Spanish labels people read.

``ANSWER_LABELS``: every answer kind. One list for the whole product: ``helpdesk/dialogue.py``
and the actions give only these kinds, ``domain.yml`` words each of them (a conditional
variation of ``utter_answer``), and the support report labels them with these names.

``INTENT_LABELS``: every intent of domain.yml (docs/intents.md defines each), plus Rasa's
``nlu_fallback``, as a supervisor reads it in the report. ``intent_label`` labels a
message read as two questions (``ask_contact+ask_opening_hours``) too.

``SERVICE_LABELS``: the services as the support team reads them (the agent's packet, the
morning list, the report). Customers read them worded by ``schedule/phrases.yml``.

``tests/unit/test_consistency.py`` ties the first two to domain.yml, the code and the report.
These labels are for the staff, not for customers (docs/wording.md).
"""

from __future__ import annotations

SERVICE_LABELS: dict[str, str] = {
    "firma_digital": "Firma digital",
    "estampado_cronologico": "Estampado cronológico",
    "otro": "Otro servicio",
}

ANSWER_LABELS: dict[str, str] = {
    "contact": "Datos de contacto", "contact_priority_line": "Número de la línea 24/7",
    "priority_procedure": "Qué hacer si hay un incidente crítico",
    "hours_week": "Horario de la semana", "hours_weekday": "Horario de un día de la semana",
    "hours_date": "Horario de una fecha", "hours_date_closed": "Una fecha sin atención y cuándo abren",
    "hours_holiday": "Festivos", "open_now": "Abierto ahora", "closed_now": "Cerrado ahora y cuándo abren",
    "support_open": "Trámite: canales abiertos", "support_closed": "Trámite: cerrado y cuándo abren",
    "critical_with_open": "Prioridad 1: línea 24/7 y canales abiertos",
    "critical_only_priority_line": "Prioridad 1: línea 24/7 (todo cerrado)",
    "critical_with_handoff": "Prioridad 1: línea 24/7 y un asesor",
    "normal_open": "Problema: canales abiertos", "normal_open_not_critical": "Problema no crítico: canales abiertos",
    "normal_closed": "Problema no crítico fuera de horario: correo y cuándo abren",
    "triage_after_hours": "Pregunta de triage fuera de horario",
    "not_critical_open": "No crítico: canales abiertos", "not_critical_closed": "No crítico: cerrado y cuándo abren",
    "pqrsa": "PQRSA", "escalation_first_level": "Escalamiento: soporte primero",
    "escalation_supervisor": "Escalamiento: supervisor", "escalation_coordinator": "Escalamiento: coordinador",
    "escalation_levels": "Niveles de escalamiento", "human_available": "Asesores disponibles",
    "human_unavailable": "Asesores no disponibles y cuándo vuelven", "handoff_question": "Pregunta antes de pasar a un asesor",
    "handoff_queued": "En cola para un asesor, con la espera estimada",
    "handoff_queued_no_estimate": "En cola para un asesor (la mesa no estimó la espera)",
    "handoff_no_agent": "En horario, sin asesores disponibles: línea y correo",
    "handoff_pending": "Ya en cola", "handoff_failed": "El escritorio no respondió",
    "chat_here_open": "¿El chat está abierto? (desde el chat): sí, asesores en horario",
    "chat_here_no_agent": "¿El chat está abierto? (desde el chat): sin asesores disponibles",
    "chat_here_closed": "¿El chat está abierto? (desde el chat): asesores fuera de horario",
    "handoff_timeout_open": "Nadie tomó el caso (canales abiertos)", "handoff_timeout_closed": "Nadie tomó el caso (cerrado)",
    "did_you_mean_1": "¿Se refiere a…? (1 opción)", "did_you_mean_2": "¿Se refiere a…? (2 opciones)",
    "did_you_mean_3": "¿Se refiere a…? (3 opciones)", "rephrase": "Pide reformular",
    "not_understood_twice_open": "No entendido dos veces: canales abiertos",
    "not_understood_twice_closed": "No entendido dos veces: cerrado", "not_understood_handoff": "No entendido: pasa a un asesor",
    "anything_else": "¿Algo más?", "help_prompt": "¿Qué necesita?", "nothing_to_repeat": "Nada que repetir",
    "message_too_long": "Mensaje demasiado largo", "case_noted": "Número de caso anotado", "service_menu": "Menú de servicios",
    "acknowledge": "Acuse de recibo", "bot": "Es un asistente virtual", "in_form_help": "Ayuda en una pregunta guiada",
    "no_answer_critical": "Nadie contesta la línea 24/7: insistir, supervisor y correo",
    "no_answer_open": "Nadie contesta: otros canales abiertos", "no_answer_closed": "Nadie contesta: cerrado y cuándo abren",
    "no_whatsapp": "Sin WhatsApp publicado: llamar o escribir",
    "price_unknown_open": "Precios: no los conoce, canales abiertos", "price_unknown_closed": "Precios: no los conoce, cerrado",
    "case_status_unknown_open": "Estado de un caso: no lo conoce, canales abiertos",
    "case_status_unknown_closed": "Estado de un caso: no lo conoce, cerrado",
}
ANSWER_LABELS.update({
    "known_incident": "Falla conocida: qué se sabe y qué hacer",
    "critical_known_incident": "Prioridad 1 con falla conocida: línea 24/7, el equipo ya trabaja en ello",
})
ANSWER_KINDS = tuple(ANSWER_LABELS)

INTENT_LABELS: dict[str, str] = {
    "greet": "Saludo", "goodbye": "Despedida", "thank": "Agradecimiento", "affirm": "Responde que sí",
    "deny": "Responde que no", "cancel": "Cancela la pregunta en curso", "ask_help": "Pregunta qué puede hacer el asistente",
    "ask_repeat": "Pide repetir lo último", "bot_challenge": "Pregunta si habla con un robot",
    "ask_contact": "Pide datos de contacto", "ask_opening_hours": "Pregunta por horarios",
    "ask_open_now": "Pregunta si atienden ahora", "request_support": "Pide ayuda con un trámite",
    "report_problem": "Reporta un problema", "report_critical_incident": "Reporta un incidente crítico",
    "submit_pqrsa": "Quiere radicar una PQRSA", "request_escalation": "Quiere escalar su caso",
    "escalate_to_coordinator": "Pide al coordinador", "ask_escalation_levels": "Pregunta por los niveles de escalamiento",
    "request_human": "Pide hablar con un asesor", "ask_price": "Pregunta precios", "ask_case_status": "Pregunta por su caso",
    "report_no_answer": "Dice que nadie contesta", "inform": "Responde una pregunta del asistente",
    "out_of_scope": "Fuera del alcance del soporte", "nlu_fallback": "No entendido (confianza baja)",
}
INTENTS = tuple(INTENT_LABELS)


def intent_label(intent: str | None) -> str:
    """The Spanish label of an intent; a two-question label ("a+b") joins its parts' labels;
    an intent the catalogue does not know (a newer model) is shown as it is."""
    if not intent:
        return "Sin intención"
    return " + ".join(INTENT_LABELS.get(part, part) for part in intent.split("+"))


def answer_label(kind: str | None) -> str:
    """The Spanish label of an answer kind (the kind itself when the catalogue does not know it)."""
    return ANSWER_LABELS.get(kind or "", kind or "Sin respuesta")
