"""The hand-off packet an agent receives."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from helpdesk.handoff import build_packet, transcript

NOW = datetime(2026, 12, 4, 10, 30, tzinfo=ZoneInfo("America/Bogota"))
EVENTS = [
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "no puedo firmar", "timestamp": 1.0, "parse_data": {"intent": {"name": "report_problem"}}},
    {"event": "bot", "text": "¿Qué servicio está afectado?", "timestamp": 2.0,
     "data": {"buttons": [{"title": "Firma digital", "payload": '/inform{"service":"firma_digital"}'}]}},
    {"event": "user", "text": '/inform{"service":"firma_digital"}', "timestamp": 3.0,
     "parse_data": {"intent": {"name": "inform"}}},
    {"event": "user", "text": "EXTERNAL: request_human", "timestamp": 4.0},
    {"event": "slot", "name": "x", "value": 1},
    {"event": "user", "text": "quiero un asesor", "timestamp": 5.0},
]


def test_packet_fields():
    slots = {"affected_service": "firma_digital", "operation_blocked": False, "handoff_description": "no firma PDF",
             "case_number": None}
    packet = build_packet("conv-1", "customer_request", EVENTS, slots, NOW, "socketio")
    assert packet["conversation_id"] == "conv-1"
    assert packet["reason"] == "customer_request"
    assert packet["reason_text"] == "El cliente pidió hablar con un asesor"
    assert packet["priority"] == "normal"
    assert packet["service"] == "Firma digital"
    assert packet["description"] == "no firma PDF"
    assert packet["slots"] == {"Servicio afectado": "Firma digital", "¿Detiene la operación?": "No",
                               "Lo que necesita (en sus palabras)": "no firma PDF"}
    assert packet["created_at"] == "2026-12-04T10:30:00-05:00"
    assert packet["channel"] == "socketio"


def test_transcript_is_readable_and_skips_internal_events():
    lines = transcript(EVENTS)
    assert [(line["from"], line["text"]) for line in lines] == [
        ("cliente", "no puedo firmar"),
        ("asistente", "¿Qué servicio está afectado?"),
        ("cliente", "(eligió: Firma digital)"),
        ("cliente", "quiero un asesor"),
    ]
    assert len(transcript(EVENTS * 20, limit=5)) == 5


def test_critical_reason_is_priority_1():
    assert build_packet("c", "critical_incident", [], {}, NOW)["priority"] == "1"
    assert build_packet("c", "not_understood", [], {}, NOW)["priority"] == "sin clasificar"


def test_unknown_reason_is_refused():
    with pytest.raises(ValueError, match="allowed: customer_request"):
        build_packet("c", "boredom", [], {}, NOW)


def test_payloads_without_a_button_keep_a_readable_label():
    events = [
        {"event": "user", "text": "/greet", "timestamp": 1.0, "parse_data": {"intent": {"name": "greet"}}},
        {"event": "bot", "text": "¿Tiene un número de caso?", "timestamp": 2.0,
         "data": {"buttons": [{"title": "No tengo número", "payload": "/deny"}]}},
        {"event": "user", "text": "/affirm", "timestamp": 3.0, "parse_data": {"intent": {"name": "affirm"}}},
        {"event": "bot", "text": "Listo.", "timestamp": 4.0},
        {"event": "user", "text": "/deny", "timestamp": 5.0, "parse_data": {"intent": {"name": "deny"}}},
    ]
    assert [line["text"] for line in transcript(events) if line["from"] == "cliente"] == [
        "(abrió el chat)", "(eligió una opción: affirm)", "(eligió una opción: deny)"]
