"""What the support report must say about the conversations of tools/conversation_player.plan().

Shared by the SQLite test (tests/live/test_insights.py) and the PostgreSQL one
(tests/integration/test_insights_postgres.py). Every expected number is counted from
the plan that was played through the real stack (moments, messages, the answers the
plan says the assistant gives and the desk outcome), never from the report's own code.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

from insights.traffic import TestTraffic
from tools.conversation_player import Planned, expected

BOGOTA = ZoneInfo("America/Bogota")
FIRST_DAY, LAST_DAY = date(2026, 12, 4), date(2026, 12, 8)
# The plan's conversations are test traffic (ids insights-…): these reports take them in.
ALL_TRAFFIC = TestTraffic(include=True)
# Answers that say when the channels open next (they carry the slot next_opening), read
# from helpdesk/answers.py and helpdesk/triage.py: the report's «cerrado, abre …».
SAYS_WHEN_IT_OPENS = {
    "critical_only_priority_line", "triage_after_hours", "normal_closed", "hours_date_closed", "closed_now",
    "support_closed", "not_critical_closed", "human_unavailable", "handoff_timeout_closed",
    "not_understood_twice_closed",
}
NOT_UNDERSTOOD = {"rephrase", "did_you_mean_1", "did_you_mean_2", "did_you_mean_3", "not_understood_twice_open",
                  "not_understood_twice_closed", "not_understood_handoff"}


def _moment(p: Planned) -> datetime:
    return datetime.fromisoformat(p.moment).replace(tzinfo=BOGOTA)


def check_played_answers(tracker, planned: list[Planned]) -> None:
    """The stack answered as the plan says (else the figures below would test the wrong thing).

    Read through Rasa's HTTP API (``tracker(sender)``), not the report's SQL: each customer
    message's answer kinds, then the desk-triggered ones. Keeps them in ``Planned.played``.
    """
    for p in planned:
        per_message: list[list[str]] = []
        intents: list[str] = []
        for event in tracker(p.sender)["events"]:
            if event.get("event") == "user":
                per_message.append([])
                intents.append(((event.get("parse_data") or {}).get("intent") or {}).get("name") or "")
            elif per_message and event.get("event") == "slot" and event.get("name") == "answer_kind" and event.get("value"):
                per_message[-1].append(event["value"])
        steps = per_message[:len(p.steps)]
        external = [k for kinds in per_message[len(p.steps):] for k in kinds]
        assert len(steps) == len(p.steps), f"{p.name}: {len(steps)} messages stored, {len(p.steps)} sent"
        for step, given, intent in zip(p.steps, steps, intents[:len(p.steps)], strict=True):
            assert step.accepts(given), f"{p.name}: {step.text!r} got {given}, the plan says {step.kinds or step.either}"
            if set(step.kinds + step.either) & NOT_UNDERSTOOD:
                assert intent == "nlu_fallback", f"{p.name}: {step.text!r} was read as {intent}"
        assert external == list(p.external_kinds), f"{p.name}: after the desk's trigger {external}"
        p.played = [k for kinds in per_message for k in kinds]
        p.intents = intents[:len(p.steps)]  # the customer's messages, not the desk's triggers


def check_report(report, planned: list[Planned], handoff_waits: dict[str, float] | None = None) -> None:
    """Every figure of ``report`` (built for FIRST_DAY..LAST_DAY) against the plan."""
    want = expected(planned)
    s = report.summary

    # Volume, and the after-hours split from the moments the plan chose.
    assert s["conversations"] == want["conversations"]
    assert s["messages"] == want["messages"]
    assert s["messages_after_hours"] == want["messages_after_hours"]
    by_day = {row["Fecha"]: row for row in report.table("volumen_por_dia").as_dicts()}
    assert list(by_day) == ["2026-12-04", "2026-12-05", "2026-12-06", "2026-12-07", "2026-12-08"]
    for day, row in by_day.items():
        mine = [p for p in planned if p.moment.startswith(day)]
        assert row["Conversaciones"] == len(mine), day
        assert row["Conversaciones fuera de horario"] == sum(1 for p in mine if p.after_hours), day
        assert row["Mensajes"] == sum(p.messages for p in mine), day
        assert row["Mensajes fuera de horario"] == sum(p.messages for p in mine if p.after_hours), day
    by_hour = {row["Hora"]: row for row in report.table("volumen_por_hora").as_dicts()}
    hours = Counter()
    hours_after = Counter()
    for p in planned:
        hours[f"{_moment(p).hour:02d}:00"] += p.messages
        hours_after[f"{_moment(p).hour:02d}:00"] += p.messages if p.after_hours else 0
    for hour, row in by_hour.items():
        assert row["Mensajes"] == hours[hour], hour
        assert row["Mensajes fuera de horario"] == hours_after[hour], hour

    # What customers ask: every answer the plan gave, by kind; requests by type.
    answers = {row["Respuesta"]: row["Veces"] for row in report.table("respuestas").as_dicts()}
    assert answers == dict(want["kinds"])
    intents = {row["Intención"]: row["Mensajes"] for row in report.table("intenciones").as_dicts()}
    assert sum(intents.values()) == want["messages"]
    # the intents as stored (a triage reply the NLU could not place is a fallback too, and
    # answered by the triage's own reading), and at least every message planned as not understood
    assert intents == dict(Counter(i for p in planned for i in p.intents or ())), intents
    fallbacks = sum(1 for p in planned for step in p.steps if set(step.kinds + step.either) & NOT_UNDERSTOOD)
    assert intents.get("nlu_fallback", 0) >= fallbacks, intents
    assert intents.get("request_human") == sum(1 for p in planned if p.desk)
    families = {row["Tipo"]: row["Mensajes"] for row in report.table("tipos_de_solicitud").as_dicts()}
    # each family from the intents as stored (a hand-off summary such as "tengo una duda con la
    # factura" may be read as a complaint), and at least the plan's own requests of that family
    stored = Counter(i for p in planned for i in p.intents or ())
    assert families.get("pqrsa") == stored["submit_pqrsa"] >= sum(1 for p in planned if p.name.startswith("pqrsa"))
    assert families.get("escalation") == sum(len(p.steps) for p in planned if p.name.startswith("escalation"))
    assert families.get("human") == sum(1 for p in planned if p.desk)
    channels = {row["Canal"]: row["Respuestas"] for row in report.table("canales_recomendados").as_dicts()}
    assert channels.get("priority_line") == sum(1 for p in planned if p.critical_service)
    assert channels.get("pqrsa") == sum(1 for p in planned if p.name.startswith("pqrsa"))
    closed = sum(n for kind, n in want["kinds"].items() if kind in SAYS_WHEN_IT_OPENS)
    assert s["closed_answers"] == closed
    closed_by_day = {row["Fecha"]: row["Respuestas «cerrado, abre …»"] for row in report.table("cerrado_abre").as_dicts()}
    assert sum(closed_by_day.values()) == closed
    assert closed_by_day["2026-12-04"] == 0  # Friday morning: everything was open

    # Critical incidents: the after-hours ones first, each with its moment and service.
    criticals = [p for p in planned if p.critical_service]
    rows = report.table("incidentes_criticos").as_dicts()
    assert len(rows) == len(criticals) == s["critical"]
    assert s["critical_after_hours"] == sum(1 for p in criticals if p.after_hours)
    flags = [row["Fuera de horario"] for row in rows]
    assert flags == sorted(flags, key=lambda f: f != "Sí") and flags.count("Sí") == s["critical_after_hours"]
    by_conversation = {row["Conversación"]: row for row in rows}
    for p in criticals:
        row = by_conversation[p.sender]
        assert row["Servicio"] == p.critical_service, p.name
        assert row["Fuera de horario"] == ("Sí" if p.after_hours else "No"), p.name
        stamped = datetime.strptime(row["Fecha y hora"], "%Y-%m-%d %H:%M").replace(tzinfo=BOGOTA)
        assert 0 <= (stamped - _moment(p)).total_seconds() <= 120, (p.name, row["Fecha y hora"], p.moment)
    described = " ".join(row["Descripción"] for row in rows)
    assert "3001234567" not in described and "empresa.com.co" not in described
    assert "[teléfono]" in described and "[correo]" in described
    triaged = sum(n for kind, n in want["kinds"].items() if kind in ("normal_open", "normal_open_not_critical",
                                                                      "normal_closed"))
    assert s["non_critical_triaged"] == triaged
    assert s["non_critical_triaged_after_hours"] == want["kinds"]["normal_closed"]

    # Not understood: grouped, counted, each group linked to its conversations; the daily rate.
    missed = [(p, step) for p in planned for step in p.steps if set(step.kinds + step.either) & NOT_UNDERSTOOD]
    assert s["not_understood"] == len(missed)
    groups = {row["Mensaje"].lower().strip("!"): row for row in report.table("no_entendidos").as_dicts()}
    # every text said and not understood is a group counted as often as it was said, linked to the
    # conversations that said it (which gibberish the model cannot place is chosen at play time)
    said = Counter(step.text.lower().strip("!") for _, step in missed)
    assert set(said) <= set(groups), (said, groups.keys())
    for text, times in said.items():
        assert groups[text]["Veces"] == times, text
        senders = {p.sender for p, step in missed if step.text.lower().strip("!") == text}
        assert set(groups[text]["Ids de conversación"].split()) == senders, text
    assert max(said.values()) >= 2  # one text said in several conversations is one group
    assert "xkcd qwerty zzz" not in groups  # understood as out of scope
    rate = {row["Fecha"]: row for row in report.table("tasa_no_entendidos").as_dicts()}
    for day, row in rate.items():
        typed = sum(p.messages for p in planned if p.moment.startswith(day))
        misses = sum(1 for p, _ in missed if p.moment.startswith(day))
        assert (row["Mensajes escritos"], row["No entendidos"]) == (typed, misses), day
        assert row["Tasa %"] == (round(100 * misses / typed, 1) if typed else 0.0), day

    # Escalations by level, hand-offs from the desk.
    levels = {row["Nivel"]: row["Veces"] for row in report.table("escalamientos").as_dicts()}
    assert levels["Nivel 2: supervisor"] == want["kinds"]["escalation_supervisor"]
    assert levels["Nivel 3: coordinador"] == want["kinds"]["escalation_coordinator"]
    assert levels["Nivel 1: grupo de soporte"] == 0
    handed = [p for p in planned if p.desk]
    assert s["handoffs"] == len(handed)
    assert s["handoffs_taken"] == sum(1 for p in handed if p.desk == "take")
    assert s["handoffs_expired"] == sum(1 for p in handed if p.desk == "expire")
    assert s["handoffs_sent_by_assistant"] == len(handed)
    measures = {row["Medida"]: row["Valor"] for row in report.table("transferencias").as_dicts()}
    longest = measures["Espera más larga (s)"]
    assert 0 <= measures["Mediana de espera hasta que un asesor la tomó (s)"] <= longest
    if handoff_waits:
        assert longest <= max(handoff_waits.values()) + 1

    # Test traffic taken in (the plan is test traffic); containment puts each conversation in one group.
    assert s["test_conversations"] == 0
    assert sum(row["Cuántas"] for row in report.table("contencion").as_dicts()) == s["conversations"]

    # Every conversation the report cites has its transcript, the customer's text masked.
    cited = {p.sender for p in criticals} | {p.sender for p, _ in missed} | {p.sender for p in handed}
    assert set(report.transcripts) == cited
    pii = next(p for p in criticals if "3001234567" in p.steps[0].text)
    lines = report.transcripts[pii.sender].lines
    assert lines[0].who == "cliente" and "[teléfono]" in lines[0].text and "3001234567" not in lines[0].text
    assert any(line.who == "asistente" and "(57) 318 717 49 37" in line.text for line in lines)
