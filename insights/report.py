"""The support team's report, computed from the tracker store's events.

``build(source, start, end)`` reads the events of the date range (Bogotá days,
``end`` included) from Rasa's ``events`` table read-only, and the desk's
``handoffs`` table, and returns a :class:`Report`: each figure as a
:class:`Table` (what the HTML shows and each CSV file holds), the not-understood
messages for the NLU export, and the transcripts of the conversations the report
refers to. ``transcript(source, conversation_id)`` gives one conversation.

Definitions (the README section "Informe para supervisores" says the same):

* **Moment** of an event: its ``timestamp`` (seconds since the epoch, the Rasa
  server's clock when the event was stored), in America/Bogota. An event belongs to
  the range when its moment falls on a day from ``start`` to ``end``.
* **Customer message**: a ``user`` event, except the desk's and Rasa's own
  triggers (text ``EXTERNAL: …``). Button presses count (the customer chose); so
  does the ``/greet`` the web widget sends when the customer opens the chat.
  **Typed message**: a customer message whose text does not start with ``/``.
* **Conversation**: a conversation id (Rasa's ``sender_id``) with at least one
  customer message in the range (in a day, in an hour of the day).
* **Open / after hours**: the support channels are open at a moment when at least one
  channel that takes support requests and is not the 24/7 line (support line, chat,
  e-mail) is open then in the schedule model (``helpdesk/schedule.py``,
  schedule/channels.yml, Colombian festivos) — exactly when the assistant says
  "open now" rather than "closed". A message is after hours when it was sent while
  none is open; a conversation is after hours in a day (or hour) when its first
  customer message there was.
* **Turn**: a customer message and every event after it up to the next customer
  message of that conversation. **Answer**: a ``slot`` event ``answer_kind`` (each
  action that decides an answer sets it once; the rule then says it).
* **Intent** of a message: ``parse_data.intent.name`` (``nlu_fallback`` below the
  NLU's threshold). **Request type**: the value the ``request_family`` slot takes
  for that intent (domain.yml's mappings: general, critical, pqrsa, escalation, human).
* **Channel recommended** by an answer: the channels of the ``topic`` slot set in that
  turn (what the answer was about), plus the 24/7 line when the answer gives its
  number (slot ``priority_contact``), plus the channels open at that moment when the
  answer lists the open channels (slot ``open_channels``), plus the e-mail when it
  gives the e-mail address (slot ``email``).
* **"Closed, opens at …"**: an answer that says when the channels open next (the
  ``next_opening`` slot set to a text in that turn).
* **Priority-1 decision**: an answer whose kind starts with ``critical_``
  (``critical_with_open``, ``critical_only_priority_line``, ``critical_with_handoff``).
  Its service is the ``affected_service`` slot and its description the
  ``problem_description`` slot as they stand after that turn (the customer's message
  when there is no description). **Non-critical report triaged**: an answer
  ``normal_open``, ``normal_open_not_critical`` or ``normal_closed`` (the end of a
  triage that was not priority 1).
* **Not understood**: a customer message whose turn has an answer ``did_you_mean_*``,
  ``rephrase`` or ``not_understood_*``, or runs ``utter_did_not_understand`` (a reply to
  a guided question that was not read) or ``action_default_fallback``. **Fallback
  rate** of a day: not-understood messages / typed messages.
* **Escalation**: an answer ``escalation_first_level`` (level 1, support),
  ``escalation_supervisor`` (2), ``escalation_coordinator`` (3) or
  ``escalation_levels`` (the ladder was asked for).
* **Hand-offs**: rows of the desk's ``handoffs`` table whose ``created_at`` (the
  assistant's clock when it sent the packet) falls in the range. Taken: ``taken_at``
  is set; expired: status ``expired``; time until taken: ``taken_at - received_at``
  (the desk's clock). From the tracker: messages with intent ``request_human`` and
  answers ``handoff_failed`` (the desk could not be reached).
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml

from helpdesk.catalogue import ANSWER_LABELS
from helpdesk.handoff import button_titles, payload_text
from helpdesk.loader import load_schedule, schedule_path_from_env
from helpdesk.privacy import mask, published_contacts, without_controls
from helpdesk.schedule import Schedule
from helpdesk.stats import percentile  # nearest rank: always a measured wait
from helpdesk.text import normalize
from helpdesk.triage import SERVICE_LABELS
from insights.source import ROOT, SourceError, TrackerSource, open_desk_db

# Slots whose values the report reads (the rest of the events are only counted).
SLOTS = (
    "answer_kind", "topic", "next_opening", "priority_contact", "open_channels", "email",
    "affected_service", "problem_description",
)
NOT_UNDERSTOOD_KINDS = ("rephrase", "not_understood_twice_open", "not_understood_twice_closed",
                        "not_understood_handoff", "did_you_mean_1", "did_you_mean_2", "did_you_mean_3")
NOT_UNDERSTOOD_ACTIONS = ("utter_did_not_understand", "action_default_fallback")
NON_CRITICAL_TRIAGE = ("normal_open", "normal_open_not_critical", "normal_closed")
ESCALATION_LEVELS = {
    "escalation_first_level": "Nivel 1: grupo de soporte",
    "escalation_supervisor": "Nivel 2: supervisor",
    "escalation_coordinator": "Nivel 3: coordinador",
    "escalation_levels": "Preguntó por los niveles de escalamiento",
}
REQUEST_FAMILY_LABELS = {
    "general": "Consultas y soporte",
    "critical": "Incidente crítico",
    "pqrsa": "PQRSA",
    "escalation": "Escalamiento",
    "human": "Pide un asesor",
}
INTENT_LABELS = {
    "greet": "Saludo", "goodbye": "Despedida", "thank": "Agradecimiento", "affirm": "Sí", "deny": "No",
    "cancel": "Cancelar", "ask_help": "Pide el menú", "ask_repeat": "Pide repetir", "bot_challenge": "¿Es un robot?",
    "ask_contact": "Datos de contacto", "ask_opening_hours": "Horarios", "ask_open_now": "¿Atienden ahora?",
    "request_support": "Ayuda con un trámite", "report_problem": "Reporta un problema",
    "report_critical_incident": "Reporta un incidente crítico", "submit_pqrsa": "PQRSA",
    "request_escalation": "Escalar un caso", "escalate_to_coordinator": "Pide al coordinador",
    "ask_escalation_levels": "Niveles de escalamiento", "request_human": "Pide un asesor",
    "inform": "Responde una pregunta", "out_of_scope": "Fuera de alcance", "nlu_fallback": "No entendido (NLU)",
}
HANDOFF_REASONS = {
    "customer_request": "El cliente pidió un asesor",
    "not_understood": "No se entendió dos veces",
    "critical_incident": "Incidente crítico en horario",
}
MAX_TRANSCRIPTS = 500  # conversations with a transcript in the HTML (linked); the rest by id through transcript()
MAX_LINKS = 5  # conversations linked per row of a grouped table


@dataclass
class Table:
    """One figure as rows: what the HTML shows and one CSV file holds."""

    name: str  # the CSV file's stem
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""

    def column(self, name: str) -> list[Any]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass
class Line:
    moment: datetime
    who: str  # "cliente" | "asistente"
    text: str


@dataclass
class Transcript:
    conversation_id: str
    lines: list[Line]

    @property
    def anchor(self) -> str:
        return anchor(self.conversation_id)


@dataclass
class NotUnderstood:
    """One not-understood message, masked."""

    conversation_id: str
    moment: datetime
    text: str
    intent_guess: str | None


@dataclass
class Critical:
    conversation_id: str
    moment: datetime
    after_hours: bool
    service: str
    description: str
    answer_kind: str
    event_id: int = 0


@dataclass
class Report:
    start: date
    end: date
    source: str
    generated_at: datetime
    summary: dict[str, Any]
    tables: dict[str, Table]
    criticals: list[Critical]
    not_understood: list[NotUnderstood]
    transcripts: dict[str, Transcript]
    seconds: float = 0.0

    def table(self, name: str) -> Table:
        return self.tables[name]


def anchor(conversation_id: str) -> str:
    """The HTML id of a conversation's transcript (ids come from clients: hashed)."""
    import hashlib

    return "conv-" + hashlib.sha256(conversation_id.encode("utf-8", "surrogatepass")).hexdigest()[:16]


# ------------------------------------------------------------------ reading


def request_family_mapping(domain_file: Path = ROOT / "domain.yml") -> tuple[dict[str, str], str | None]:
    """intent -> request_family value from domain.yml's ``from_intent`` mappings, and the default."""
    data = yaml.safe_load(domain_file.read_text(encoding="utf-8"))
    mappings = (((data.get("slots") or {}).get("request_family") or {}).get("mappings")) or []
    by_intent: dict[str, str] = {}
    default = None
    for mapping in mappings:
        if mapping.get("type") != "from_intent":
            continue
        intents = mapping.get("intent")
        if intents:
            for name in [intents] if isinstance(intents, str) else intents:
                by_intent[name] = mapping.get("value")
        elif mapping.get("not_intent") is not None:
            default = mapping.get("value")
    return by_intent, default


def _events_sql(dialect: str, placeholder: str) -> str:
    slot_list = ", ".join(f"'{name}'" for name in SLOTS)
    if dialect == "sqlite":
        text = "substr(json_extract(data, '$.text'), 1, 12)"
        value = "json_extract(data, '$.value')"
    else:
        text = "left(data::json->>'text', 12)"
        value = "data::json->>'value'"
    # One range scan on the timestamp index (events_by_timestamp); only the rows the
    # figures need, and only short values, leave the database (the start of a user's
    # text, the value of the slots read).
    actions = ", ".join(f"'{name}'" for name in NOT_UNDERSTOOD_ACTIONS)
    return (
        f"SELECT id, sender_id, type_name, timestamp, intent_name, action_name, "
        f"CASE WHEN type_name = 'user' THEN {text} ELSE {value} END "
        f"FROM events WHERE timestamp >= {placeholder} AND timestamp < {placeholder} "
        f"AND (type_name = 'user' OR type_name = 'slot' AND action_name IN ({slot_list}) "
        f"OR type_name = 'action' AND action_name IN ({actions})) ORDER BY timestamp, id"
    )


def _rows(source: TrackerSource, start_ts: float, end_ts: float) -> Iterable[tuple]:
    """The range's events in stored order, streamed."""
    with source.connect() as connection:
        if source.dialect == "sqlite":
            cursor = connection.execute(_events_sql("sqlite", "?"), (start_ts, end_ts))
            while True:
                batch = cursor.fetchmany(5000)
                if not batch:
                    break
                yield from batch
        else:
            cursor = connection.cursor(name="insights_events")  # server-side: never the whole range in memory
            cursor.itersize = 5000
            cursor.execute(_events_sql("postgresql", "%s"), (start_ts, end_ts))
            yield from cursor
            cursor.close()
            connection.rollback()


def _fetch_texts(source: TrackerSource, ids: list[int]) -> dict[int, tuple[str, str | None]]:
    """Text and the NLU's likeliest real intent of some user events by id (only those: memory)."""
    found: dict[int, tuple[str, str | None]] = {}
    with source.connect() as connection:
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            if source.dialect == "sqlite":
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(f"SELECT id, data FROM events WHERE id IN ({marks})", chunk).fetchall()
            else:
                cursor = connection.cursor()
                cursor.execute("SELECT id, data FROM events WHERE id = ANY(%s)", (chunk,))
                rows = cursor.fetchall()
                cursor.close()
            for event_id, data in rows:
                try:
                    event = json.loads(data)
                except (TypeError, ValueError):
                    continue
                ranking = ((event.get("parse_data") or {}).get("intent_ranking")) or []
                guess = next((r.get("name") for r in ranking if r.get("name") not in (None, "nlu_fallback")), None)
                found[event_id] = (event.get("text") or "", guess)
        if source.dialect != "sqlite":
            connection.rollback()
    return found


def _value(raw: Any) -> Any:
    """A slot value as read by json_extract (SQLite) or ->> (PostgreSQL)."""
    if isinstance(raw, str) and raw in ("true", "false"):
        return raw == "true"
    return raw


class _Clock:
    """Moments in Bogotá and the open/after-hours state, cached per minute."""

    def __init__(self, schedule: Schedule):
        self.schedule = schedule
        self.tz = schedule.timezone
        self._open: dict[int, bool] = {}
        self._agents: dict[int, tuple[str, ...]] = {}

    def local(self, ts: float) -> datetime:
        return datetime.fromtimestamp(ts, tz=self.tz)

    def is_open(self, ts: float) -> bool:
        minute = int(ts // 60)
        state = self._open.get(minute)
        if state is None:
            moment = self.local(minute * 60)
            state = any(not c.always_open for c in self.schedule.open_channels("support", moment))
            self._open[minute] = state
        return state

    def open_support_channels(self, ts: float) -> tuple[str, ...]:
        minute = int(ts // 60)
        found = self._agents.get(minute)
        if found is None:
            moment = self.local(minute * 60)
            found = tuple(c.id for c in self.schedule.open_channels("support", moment) if not c.always_open)
            self._agents[minute] = found
        return found


@dataclass(slots=True)
class _Turn:
    event_id: int
    ts: float
    intent: str
    text_start: str
    kinds: list[str] = field(default_factory=list)
    channels: set[str] = field(default_factory=set)  # named by the turn's topic / priority line / e-mail
    open_channels: bool = False  # the answer listed the channels open at that moment
    next_opening: bool = False  # the answer said when the channels open next
    actions: list[str] = field(default_factory=list)
    external: bool = False  # after a desk trigger ("EXTERNAL: …"): answers, but no customer message

    def slot(self, name: str, value: Any) -> None:
        """Keep what the figures need of a slot set in this turn (not the texts: memory)."""
        if name == "topic" and isinstance(value, str) and value:
            try:
                self.channels.update(json.loads(value).get("channels") or ())
            except (ValueError, AttributeError):
                pass
        elif name == "priority_contact" and value:
            self.channels.add("priority_line")
        elif name == "email" and value:
            self.channels.add("email")
        elif name == "open_channels" and value:
            self.open_channels = True
        elif name == "next_opening" and value:
            self.next_opening = True


@dataclass(slots=True)
class _Conversation:
    service: str | None = None
    description: str | None = None
    turn: _Turn | None = None


class _Tally:
    """Everything counted while the events stream by."""

    def __init__(self, clock: _Clock, families: tuple[dict[str, str], str | None]):
        self.clock = clock
        self.family_by_intent, self.family_default = families
        self.day_conversations: dict[date, dict[str, bool]] = defaultdict(dict)  # day -> sender -> after hours
        self.day_messages: Counter = Counter()
        self.day_messages_after: Counter = Counter()
        self.day_typed: Counter = Counter()
        self.day_not_understood: Counter = Counter()
        self.hour_conversations: dict[tuple[date, int], dict[str, bool]] = defaultdict(dict)
        self.hour_messages: Counter = Counter()
        self.hour_messages_after: Counter = Counter()
        self.intents: Counter = Counter()
        self.families: Counter = Counter()
        self.answers: Counter = Counter()
        self.channels: Counter = Counter()
        self.day_answers: Counter = Counter()
        self.day_closed_answers: Counter = Counter()
        self.criticals: list[Critical] = []
        self.triaged: Counter = Counter()  # (after hours) -> count
        self.not_understood: list[tuple[str, int, float, str]] = []  # sender, event id, ts, intent
        self.escalations: Counter = Counter()
        self.human_requests = 0
        self.handoff_failed = 0
        self.handoff_sent = 0

    def message(self, sender: str, turn: _Turn) -> None:
        local = self.clock.local(turn.ts)
        day, hour = local.date(), local.hour
        after = not self.clock.is_open(turn.ts)
        self.day_conversations[day].setdefault(sender, after)
        self.hour_conversations[(day, hour)].setdefault(sender, after)
        self.day_messages[day] += 1
        self.hour_messages[hour] += 1
        if after:
            self.day_messages_after[day] += 1
            self.hour_messages_after[hour] += 1
        if not turn.text_start.startswith("/"):
            self.day_typed[day] += 1
        self.intents[turn.intent] += 1
        self.families[self.family_by_intent.get(turn.intent, self.family_default)] += 1
        if turn.intent == "request_human":
            self.human_requests += 1

    def finish(self, sender: str, conversation: _Conversation, turn: _Turn) -> None:
        """A turn is complete: its answers are known."""
        local = self.clock.local(turn.ts)
        day = local.date()
        after = not self.clock.is_open(turn.ts)
        for kind in turn.kinds:
            self.answers[kind] += 1
            self.day_answers[day] += 1
            if kind in ESCALATION_LEVELS:
                self.escalations[kind] += 1
            if kind in NON_CRITICAL_TRIAGE:
                self.triaged[after] += 1
            if kind == "handoff_failed":
                self.handoff_failed += 1
            if kind in ("handoff_queued", "critical_with_handoff", "not_understood_handoff"):
                self.handoff_sent += 1
            if kind.startswith("critical_"):
                self.criticals.append(Critical(
                    conversation_id=sender, moment=local, after_hours=after,
                    service=SERVICE_LABELS.get(conversation.service or "", "No indicado"),
                    description=conversation.description or "", answer_kind=kind, event_id=turn.event_id,
                ))
        if turn.kinds:
            for channel in self.recommended(turn):
                self.channels[channel] += 1
        if turn.next_opening:
            self.day_closed_answers[day] += 1
        if turn.external:
            return
        if set(turn.kinds) & set(NOT_UNDERSTOOD_KINDS) or set(turn.actions) & set(NOT_UNDERSTOOD_ACTIONS):
            self.not_understood.append((sender, turn.event_id, turn.ts, turn.intent))
            self.day_not_understood[day] += 1

    def recommended(self, turn: _Turn) -> set[str]:
        channels = set(turn.channels)
        if turn.open_channels:
            channels |= set(self.clock.open_support_channels(turn.ts))
        return channels


def _bounds(schedule: Schedule, start: date, end: date) -> tuple[float, float]:
    tz = schedule.timezone
    return (datetime.combine(start, time(0), tzinfo=tz).timestamp(),
            datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz).timestamp())


def _tally(source: TrackerSource, clock: _Clock, start: date, end: date) -> tuple[_Tally, dict[str, _Conversation]]:
    tally = _Tally(clock, request_family_mapping())
    conversations: dict[str, _Conversation] = {}
    start_ts, end_ts = _bounds(clock.schedule, start, end)
    for event_id, sender, type_name, ts, intent, name, value in _rows(source, start_ts, end_ts):
        conversation = conversations.get(sender)
        if conversation is None:
            conversation = conversations[sender] = _Conversation()
        if type_name == "user":
            text = value or ""
            if conversation.turn is not None:
                tally.finish(sender, conversation, conversation.turn)
            conversation.turn = _Turn(event_id, ts, intent or "", text, external=text.startswith("EXTERNAL:"))
            if not conversation.turn.external:
                tally.message(sender, conversation.turn)
            continue
        turn = conversation.turn
        if type_name == "slot":
            value = _value(value)
            if name == "affected_service":
                conversation.service = value
            elif name == "problem_description":
                conversation.description = value
            if turn is None:
                continue
            if name == "answer_kind" and value:
                turn.kinds.append(value)
            else:
                turn.slot(name, value)
        elif type_name == "action" and turn is not None and name in NOT_UNDERSTOOD_ACTIONS:
            turn.actions.append(name)
    for sender, conversation in conversations.items():
        if conversation.turn is not None:
            tally.finish(sender, conversation, conversation.turn)
    return tally, conversations


# ------------------------------------------------------------------ figures


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _ranked(name: str, title: str, columns: list[str], counts: Counter, labels: Mapping[str, str],
            total: int) -> Table:
    """A ranking: each name with its label, its count and its share of ``total``, most frequent first."""
    table = Table(name, title, columns)
    for key, count in counts.most_common():
        table.rows.append([key or "", labels.get(key or "", ""), count, _percent(count, total)])
    return table


def _share_per_day(name: str, title: str, columns: list[str], days: list[date],
                   whole: Mapping[date, int], part: Mapping[date, int]) -> Table:
    """A table of one count and the share of it that is something, per day."""
    table = Table(name, title, columns)
    for day in days:
        table.rows.append([day.isoformat(), whole[day], part[day], _percent(part[day], whole[day])])
    return table


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _handoffs(desk_db: Path | None, schedule: Schedule, start: date, end: date) -> list[dict[str, Any]]:
    if desk_db is None:
        return []
    with open_desk_db(desk_db) as connection:
        if connection is None:
            return []
        try:
            rows = connection.execute(
                "SELECT id, conversation_id, status, reason, created_at, received_at, taken_at, ended_at "
                "FROM handoffs ORDER BY id").fetchall()
        except Exception as error:  # an old or foreign file: say so instead of a half report
            raise SourceError(f"cannot read the hand-offs in {desk_db}: {error}") from error
    found = []
    for row in rows:
        try:
            created = datetime.fromisoformat(row["created_at"])
        except (TypeError, ValueError):
            continue
        if created.tzinfo is None:
            created = created.replace(tzinfo=schedule.timezone)
        if start <= created.astimezone(schedule.timezone).date() <= end:
            found.append({**dict(row), "created": created.astimezone(schedule.timezone)})
    return found


def build(source: TrackerSource, start: date, end: date, schedule: Schedule | None = None,
          desk_db: Path | str | None = None, max_transcripts: int = MAX_TRANSCRIPTS) -> Report:
    """The report of the days ``start`` to ``end`` (Bogotá, both included).

    ``desk_db``: the desk's SQLite file for the hand-offs (None: no hand-off figures).
    """
    import time as _time

    if end < start:
        raise ValueError(f"the range ends ({end}) before it starts ({start})")
    began = _time.monotonic()
    schedule = schedule or load_schedule(schedule_path_from_env())
    clock = _Clock(schedule)
    tally, conversations = _tally(source, clock, start, end)
    days = _days(start, end)

    # Texts of the not-understood messages and of critical reports without a description.
    need = [event_id for _, event_id, _, _ in tally.not_understood]
    need += [c.event_id for c in tally.criticals if not c.description]
    texts = _fetch_texts(source, need) if need else {}
    published = published_contacts(schedule)  # the company's own contacts stay wherever they are written
    misunderstood = []
    for sender, event_id, ts, _intent in tally.not_understood:
        text, guess = texts.get(event_id, ("", None))
        misunderstood.append(NotUnderstood(sender, clock.local(ts), _shown(text, published), guess))
    criticals = sorted(tally.criticals, key=lambda c: (not c.after_hours, c.moment))
    for critical in criticals:
        # No description asked (a first message that settled it): the message itself.
        critical.description = _shown(critical.description or texts.get(critical.event_id, ("", None))[0], published)

    tables: dict[str, Table] = {}
    conv_total = len({sender for convs in tally.day_conversations.values() for sender in convs})
    messages_total = sum(tally.day_messages.values())
    after_total = sum(tally.day_messages_after.values())

    by_day = Table("volumen_por_dia", "Conversaciones y mensajes por día", [
        "Fecha", "Conversaciones", "Conversaciones en horario", "Conversaciones fuera de horario",
        "Mensajes", "Mensajes en horario", "Mensajes fuera de horario"])
    for day in days:
        convs = tally.day_conversations.get(day, {})
        after_convs = sum(1 for a in convs.values() if a)
        msgs, after = tally.day_messages[day], tally.day_messages_after[day]
        by_day.rows.append([day.isoformat(), len(convs), len(convs) - after_convs, after_convs, msgs, msgs - after, after])
    tables[by_day.name] = by_day

    by_hour = Table("volumen_por_hora", "Conversaciones y mensajes por hora del día (hora de Bogotá)", [
        "Hora", "Conversaciones", "Conversaciones en horario", "Conversaciones fuera de horario",
        "Mensajes", "Mensajes en horario", "Mensajes fuera de horario"],
        note="Una conversación cuenta en cada día y hora en que escribió; todos los días del rango sumados.")
    hour_convs: Counter = Counter()
    hour_convs_after: Counter = Counter()
    for (_, hour), convs in tally.hour_conversations.items():
        hour_convs[hour] += len(convs)
        hour_convs_after[hour] += sum(1 for a in convs.values() if a)
    for hour in range(24):
        msgs, after = tally.hour_messages[hour], tally.hour_messages_after[hour]
        by_hour.rows.append([f"{hour:02d}:00", hour_convs[hour], hour_convs[hour] - hour_convs_after[hour],
                             hour_convs_after[hour], msgs, msgs - after, after])
    tables[by_hour.name] = by_hour

    intents = _ranked("intenciones", "Qué preguntan los clientes: intenciones", ["Intención", "Descripción", "Mensajes", "%"],
                      tally.intents, INTENT_LABELS, messages_total)
    tables[intents.name] = intents

    families = _ranked("tipos_de_solicitud", "Tipos de solicitud", ["Tipo", "Descripción", "Mensajes", "%"],
                       tally.families, REQUEST_FAMILY_LABELS, messages_total)
    tables[families.name] = families

    answers_total = sum(tally.answers.values())
    kinds = _ranked("respuestas", "Respuestas del asistente", ["Respuesta", "Descripción", "Veces", "%"],
                    tally.answers, ANSWER_LABELS, answers_total)
    tables[kinds.name] = kinds

    channels = Table("canales_recomendados", "Canal recomendado", ["Canal", "Nombre", "Respuestas", "% de las respuestas"])
    for cid, count in tally.channels.most_common():
        name = schedule.channels[cid].name if cid in schedule.channels else (
            schedule.escalation_levels[cid].name if cid in schedule.escalation_levels else cid)
        channels.rows.append([cid, name, count, _percent(count, answers_total)])
    tables[channels.name] = channels

    closed = _share_per_day("cerrado_abre", "Respuestas «cerrado, abre …» por día",
                            ["Fecha", "Respuestas", "Respuestas «cerrado, abre …»", "%"],
                            days, tally.day_answers, tally.day_closed_answers)
    tables[closed.name] = closed

    critical_table = Table("incidentes_criticos", "Incidentes críticos (prioridad 1)", [
        "Fecha y hora", "Fuera de horario", "Servicio", "Descripción", "Respuesta", "Conversación"],
        note="Primero los de fuera de horario; luego por fecha.")
    for c in criticals:
        critical_table.rows.append([c.moment.strftime("%Y-%m-%d %H:%M"), "Sí" if c.after_hours else "No", c.service,
                                    c.description, ANSWER_LABELS.get(c.answer_kind, c.answer_kind), c.conversation_id])
    tables[critical_table.name] = critical_table

    groups: dict[str, list[NotUnderstood]] = defaultdict(list)
    for item in misunderstood:
        groups[_group_key(item.text)].append(item)
    grouped = Table("no_entendidos", "Mensajes que el asistente no entendió", [
        "Mensaje", "Veces", "Intención más probable", "Ids de conversación"])
    for _, items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        guesses = Counter(i.intent_guess for i in items if i.intent_guess)
        ids = list(dict.fromkeys(i.conversation_id for i in items))
        grouped.rows.append([items[0].text, len(items), guesses.most_common(1)[0][0] if guesses else "",
                             " ".join(ids)])
    tables[grouped.name] = grouped

    rate = _share_per_day("tasa_no_entendidos", "Tasa de mensajes no entendidos por día",
                          ["Fecha", "Mensajes escritos", "No entendidos", "Tasa %"],
                          days, tally.day_typed, tally.day_not_understood)
    tables[rate.name] = rate

    escalations = Table("escalamientos", "Escalamientos por nivel", ["Nivel", "Veces"])
    for kind, label in ESCALATION_LEVELS.items():
        escalations.rows.append([label, tally.escalations[kind]])
    tables[escalations.name] = escalations

    handoffs = _handoffs(Path(desk_db) if desk_db else None, schedule, start, end)
    waits = [h["taken_at"] - h["received_at"] for h in handoffs if h["taken_at"] is not None]
    expired = [h for h in handoffs if h["status"] == "expired"]
    hand = Table("transferencias", "Transferencias a un asesor", ["Medida", "Valor"])
    median = statistics.median(waits) if waits else None
    hand.rows += [
        ["Pedidos de asesor (mensajes con intención «pide un asesor»)", tally.human_requests],
        ["Enviadas al escritorio de asesores", len(handoffs)],
        ["Tomadas por un asesor", len(waits)],
        ["Vencidas (nadie las tomó a tiempo)", len(expired)],
        ["En cola ahora", sum(1 for h in handoffs if h["status"] == "queued")],
        ["El escritorio no respondió (según el asistente)", tally.handoff_failed],
        ["Mediana de espera hasta que un asesor la tomó (s)", _round(median)],
        ["Percentil 90 de espera (s)", _round(percentile(sorted(waits), 90))],
        ["Espera más larga (s)", _round(max(waits) if waits else None)],
    ]
    tables[hand.name] = hand
    reasons = Table("transferencias_por_motivo", "Transferencias por motivo", ["Motivo", "Enviadas", "Tomadas", "Vencidas"])
    for reason, label in HANDOFF_REASONS.items():
        mine = [h for h in handoffs if h["reason"] == reason]
        reasons.rows.append([label, len(mine), sum(1 for h in mine if h["taken_at"] is not None),
                             sum(1 for h in mine if h["status"] == "expired")])
    tables[reasons.name] = reasons

    summary = {
        "conversations": conv_total,
        "messages": messages_total,
        "messages_after_hours": after_total,
        "critical": len(criticals),
        "critical_after_hours": sum(1 for c in criticals if c.after_hours),
        "non_critical_triaged": sum(tally.triaged.values()),
        "non_critical_triaged_after_hours": tally.triaged[True],
        "not_understood": len(misunderstood),
        "typed_messages": sum(tally.day_typed.values()),
        "closed_answers": sum(tally.day_closed_answers.values()),
        "answers": answers_total,
        "handoffs": len(handoffs),
        "handoffs_taken": len(waits),
        "handoffs_expired": len(expired),
        "handoffs_sent_by_assistant": tally.handoff_sent,
    }

    # The conversations the page links to get a transcript: critical incidents (after hours
    # first), the first few of each not-understood group, the hand-offs — each kind its share
    # of ``max_transcripts`` first, then what is left in that order.
    buckets = [[c.conversation_id for c in criticals],
               [i for row in grouped.rows for i in row[3].split()[:MAX_LINKS]],
               [h["conversation_id"] for h in handoffs]]
    limit = max_transcripts
    shares = [limit // 2, limit * 2 // 5, limit - limit // 2 - limit * 2 // 5]
    chosen: dict[str, None] = {}
    for bucket, share in zip(buckets, shares, strict=True):
        for cid in bucket:
            if len(chosen) >= limit or share <= 0:
                break
            if cid not in chosen:
                chosen[cid] = None
                share -= 1
    for cid in (i for bucket in buckets for i in bucket):
        if len(chosen) >= limit:
            break
        chosen.setdefault(cid, None)
    shown = transcripts(source, list(chosen), schedule)
    report = Report(start, end, source.describe(), datetime.now(schedule.timezone), summary, tables, criticals,
                    misunderstood, shown)
    report.seconds = _time.monotonic() - began
    return report


def _shown(text: str | None, published: frozenset[str]) -> str:
    """What the report shows of a message: masked (the published contacts kept), without the
    invisible control characters (format and bidi ones are gone with the masking)."""
    return without_controls(mask(text, published))


def _round(value: float | None) -> float | str:
    return "" if value is None else round(value, 1)


def _group_key(text: str) -> str:
    """Messages that differ only in case, accents, spaces and punctuation are one group."""
    import re

    return re.sub(r"[^\w\[\] ]", "", normalize(text)).strip()


# ------------------------------------------------------------------ transcripts


def transcript(source: TrackerSource, conversation_id: str, schedule: Schedule | None = None) -> Transcript:
    """A conversation's messages by id, oldest first, masked (``helpdesk.privacy.mask``: the company's
    published contacts kept, in the assistant's and the customer's lines).

    Button presses are shown with the title of the button; the desk's triggers are left out.
    """
    return transcripts(source, [conversation_id], schedule)[conversation_id]


def transcripts(source: TrackerSource, conversation_ids: list[str],
                schedule: Schedule | None = None) -> dict[str, Transcript]:
    """Several conversations' transcripts through one connection (a few hundred ids per query)."""
    schedule = schedule or load_schedule(schedule_path_from_env())
    rows_by_id: dict[str, list[tuple[float, str]]] = {cid: [] for cid in conversation_ids}
    with source.connect() as connection:
        for i in range(0, len(conversation_ids), 200):
            chunk = conversation_ids[i:i + 200]
            if source.dialect == "sqlite":
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(
                    f"SELECT sender_id, timestamp, data FROM events WHERE sender_id IN ({marks}) "
                    "AND type_name IN ('user', 'bot') ORDER BY sender_id, id", chunk).fetchall()
            else:
                cursor = connection.cursor()
                cursor.execute("SELECT sender_id, timestamp, data FROM events WHERE sender_id = ANY(%s) "
                               "AND type_name IN ('user', 'bot') ORDER BY sender_id, id", (chunk,))
                rows = cursor.fetchall()
                cursor.close()
            for sender, ts, data in rows:
                rows_by_id[sender].append((ts, data))
        if source.dialect != "sqlite":
            connection.rollback()
    published = published_contacts(schedule)
    return {cid: Transcript(cid, _lines(rows, schedule, published)) for cid, rows in rows_by_id.items()}


def _lines(rows: list[tuple[float, str]], schedule: Schedule, published: frozenset[str]) -> list[Line]:
    lines: list[Line] = []
    titles: dict[str, str] = {}
    for ts, data in rows:
        try:
            event = json.loads(data)
        except (TypeError, ValueError):
            continue
        text = event.get("text") or ""
        moment = datetime.fromtimestamp(ts or 0, tz=schedule.timezone)
        if event.get("event") == "bot":
            titles = button_titles(event)
            if text:  # the company's contacts stay; anything a customer typed that it echoes does not
                lines.append(Line(moment, "asistente", _shown(text, published)))
            continue
        if not text or text.startswith("EXTERNAL:"):
            continue
        shown = _shown(payload_text(text, event, titles) if text.startswith("/") else text, published)
        lines.append(Line(moment, "cliente", shown))
    return lines


__all__ = ["Report", "Table", "Transcript", "Line", "build", "transcript", "transcripts", "anchor"]
