"""The support team's report, computed from the tracker store's events.

``build(source, start, end)`` reads the events of the date range (Bogotá days,
``end`` included) from Rasa's ``events`` table read-only, and the desk's
``handoffs`` table, and returns a :class:`Report`: each figure as a
:class:`Table` (what the HTML shows and each CSV file holds), the not-understood
messages for the NLU export, the signals of a misunderstanding, the same key figures
for the previous period of the same length, and the transcripts of the conversations
the report refers to. ``transcript(source, conversation_id)`` gives one conversation.

Definitions (docs/report.md says the same, figure by figure, with the test that proves each):

* **Moment** of an event: its ``timestamp`` (seconds since the epoch, the Rasa
  server's clock when the event was stored), in America/Bogota. An event belongs to
  the range when its moment falls on a day from ``start`` to ``end``.
* **Test traffic**: a conversation whose id starts with one of the prefixes of
  ``REPORT_TEST_SENDERS`` (insights/traffic.py). Left out of every figure unless asked
  for; the number left out is part of the report (``summary["test_conversations"]``).
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
  NLU's threshold), shown with its Spanish label (``helpdesk.catalogue.INTENT_LABELS``;
  answers with ``ANSWER_LABELS``). **Request type**: the value the ``request_family``
  slot takes for that intent (domain.yml's mappings: general, critical, pqrsa,
  escalation, human).
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
* **Signals of a misunderstanding** (``SIGNALS``), each a customer message:
  *rephrase* — a typed message of at least three words nearly the same (similarity
  ``REPHRASE_SIMILARITY``) as one of the customer's two previous typed messages;
  *two fallbacks* — a not-understood message right after another; *person after an
  answer* — intent ``request_human`` right after a turn whose answer was a real one (not
  a not-understood, hand-off or courtesy answer: ``COURTESY_ANSWERS``); *ended after a
  fallback* — the customer's last message (none later, even after the range) was not
  understood and was not handed to a person; *nobody answers after the 24/7 line* —
  intent ``report_no_answer`` after an earlier turn of the conversation gave the 24/7
  line (slot ``priority_contact``, or the line among the topic's channels).
* **Containment**: a conversation is *solved without a person* when it was not sent to
  the desk (an answer ``handoff_queued``, ``critical_with_handoff`` or
  ``not_understood_handoff``, or a row of the desk's ``handoffs`` for it), its customer
  never asked for a person (intent ``request_human``) and it did not end right after a
  fallback. Containment rate: those / conversations.
* **Escalation**: an answer ``escalation_first_level`` (level 1, support),
  ``escalation_supervisor`` (2), ``escalation_coordinator`` (3) or
  ``escalation_levels`` (the ladder was asked for).
* **Hand-offs**: rows of the desk's ``handoffs`` table whose ``created_at`` (the
  assistant's clock when it sent the packet) falls in the range. Taken: ``taken_at``
  is set; expired: status ``expired``; time until taken: ``taken_at - received_at``
  (the desk's clock); **first response**: the first message an agent wrote to the
  customer (a ``bot`` event with ``metadata.agent``, from ``received_at`` on and before
  ``ended_at``) minus ``received_at``; **resolution**: ``ended_at - received_at`` of a
  hand-off an agent closed or handed back. Per agent: the hand-offs whose
  ``agent_name`` is theirs. From the tracker: messages with intent ``request_human``
  and answers ``handoff_failed`` (the desk could not be reached).
* **Previous period**: the same number of days just before ``start``, with the same
  definitions (``Report.previous``; the table ``comparacion``).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import time as _time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml

from helpdesk.catalogue import ANSWER_LABELS, INTENT_LABELS, answer_label, intent_label
from helpdesk.loader import load_schedule, schedule_path_from_env
from helpdesk.privacy import mask, published_contacts, without_controls
from helpdesk.schedule import Schedule
from helpdesk.stats import median, percentile, share
from helpdesk.text import normalize, words
from helpdesk.triage import SERVICE_LABELS
from insights.source import ROOT, SourceError, TrackerSource, open_desk_db
from insights.traffic import TestTraffic

# Slots whose values the report reads (the rest of the events are only counted).
SLOTS = (
    "answer_kind", "topic", "next_opening", "priority_contact", "open_channels", "email",
    "affected_service", "problem_description",
)
NOT_UNDERSTOOD_KINDS = ("rephrase", "not_understood_twice_open", "not_understood_twice_closed",
                        "not_understood_handoff", "did_you_mean_1", "did_you_mean_2", "did_you_mean_3")
NOT_UNDERSTOOD_ACTIONS = ("utter_did_not_understand", "action_default_fallback")
NON_CRITICAL_TRIAGE = ("normal_open", "normal_open_not_critical", "normal_closed")
# Answers that sent the conversation to the desk (a person).
HANDOFF_SENT = ("handoff_queued", "critical_with_handoff", "not_understood_handoff")
# Answers that do not answer a request: asking for a person after one of them is no sign that
# an answer was wrong (the hand-off and not-understood answers are left out as well).
COURTESY_ANSWERS = ("help_prompt", "anything_else", "acknowledge", "bot", "service_menu", "message_too_long",
                    "nothing_to_repeat", "handoff_question")
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
HANDOFF_REASONS = {
    "customer_request": "El cliente pidió un asesor",
    "not_understood": "No se entendió dos veces",
    "critical_incident": "Incidente crítico en horario",
}
# Signals of a misunderstanding: key -> (title, what it counts). The order is the page's.
SIGNALS = {
    "rephrase": ("Repite casi lo mismo",
                 "El cliente escribe casi lo mismo que en uno de sus dos mensajes anteriores "
                 "(tres palabras o más, parecido de 75 % o más)."),
    "two_fallbacks": ("Dos «no le entendí» seguidos",
                      "Un mensaje no entendido justo después de otro no entendido."),
    "person_after_answer": ("Pide un asesor justo después de una respuesta",
                            "Pide hablar con un asesor en el mensaje siguiente a una respuesta del asistente "
                            "(no a un «no le entendí», a una transferencia o a una cortesía)."),
    "ended_after_fallback": ("Se fue después de un «no le entendí»",
                             "El último mensaje del cliente no se entendió y no pasó a un asesor: "
                             "no volvió a escribir."),
    "no_answer_after_line": ("«Nadie contesta» después de darle la línea 24/7",
                             "Dice que nadie contesta después de que el asistente le dio la línea 24/7 "
                             "en la misma conversación."),
}
REPHRASE_SIMILARITY = 0.75  # difflib ratio of the folded words, or the share of words in common
REPHRASE_MIN_WORDS = 3  # "sí", "no", "firma digital" twice are answers to two questions, not a rephrase
TEXT_CHARS = 200  # of each customer message read with the events (for the rephrase comparison)
MAX_TRANSCRIPTS = 500  # conversations with a transcript in the HTML (linked); the rest by id through transcript()
MAX_LINKS = 5  # conversations linked per row of a grouped table
# The figures compared with the previous period: summary key -> label ("(s)": seconds, "(%)": a rate).
COMPARED = {
    "conversations": "Conversaciones",
    "messages": "Mensajes de clientes",
    "messages_after_hours": "Mensajes fuera de horario",
    "critical": "Incidentes críticos (prioridad 1)",
    "not_understood": "Mensajes no entendidos",
    "not_understood_rate": "Tasa de no entendidos (%)",
    "signals": "Señales de malentendido",
    "containment_rate": "Tasa de contención: resueltas sin un asesor (%)",
    "handoffs": "Transferencias enviadas al escritorio",
    "handoffs_taken": "Transferencias tomadas por un asesor",
    "handoffs_expired": "Transferencias vencidas",
    "take_median": "Mediana de espera hasta que un asesor la tomó (s)",
    "first_response_median": "Mediana de primera respuesta escrita de un asesor (s)",
    "resolution_median": "Mediana de resolución (s)",
}


@dataclass
class Table:
    """One figure as rows: what the HTML shows and one CSV file holds."""

    name: str  # the CSV file's stem
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""
    # What the page shows, when it differs from the CSV: (column, heading) in the page's order
    # (the Spanish label before the identifier kept for the CSV).
    shown: list[tuple[str, str]] | None = None

    def column(self, name: str) -> list[Any]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass
class Line:
    moment: datetime
    who: str  # "cliente" | "asistente" | "asesor"
    text: str
    options: tuple[str, ...] = ()  # the titles of the buttons the assistant offered with this message
    agent: str = ""  # the agent's name, when an agent wrote it


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
class Signal:
    """One sign that the assistant misunderstood: the customer message that shows it."""

    kind: str  # a key of SIGNALS
    conversation_id: str
    moment: datetime
    event_id: int
    earlier_event_id: int | None = None  # rephrase, two fallbacks: the earlier message
    answer_before: tuple[str, ...] = ()  # the answer kinds of the turn before (or of this turn: ended)
    text: str = ""  # masked, filled for the current period
    earlier_text: str = ""


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
    signals: list[Signal] = field(default_factory=list)
    previous: dict[str, Any] | None = None  # the previous period's summary (same length, just before)
    previous_start: date | None = None
    previous_end: date | None = None
    traffic: TestTraffic = field(default_factory=TestTraffic)

    def table(self, name: str) -> Table:
        return self.tables[name]

    @property
    def source_kind(self) -> str:
        """What the page says of the source: the kind of store, never a path or a host."""
        return self.source.split(" ", 1)[0] if self.source else ""


def anchor(conversation_id: str) -> str:
    """The HTML id of a conversation's transcript (ids come from clients: hashed)."""
    return "conv-" + hashlib.sha256(conversation_id.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def day_text(day: date) -> str:
    """A day as people in Colombia write it: dd/mm/aaaa (four digits of year, also before 1000)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


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
        text = f"substr(json_extract(data, '$.text'), 1, {TEXT_CHARS})"
        value = "json_extract(data, '$.value')"
    else:
        text = f"left(data::json->>'text', {TEXT_CHARS})"
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


def _select(source: TrackerSource, sql: str, ids: list, chunk_size: int = 500) -> list[tuple]:
    """``sql`` (with ``{ids}`` where the list goes) run over ``ids`` in chunks, through one connection."""
    found: list[tuple] = []
    if not ids:
        return found
    with source.connect() as connection:
        for i in range(0, len(ids), chunk_size):
            chunk = ids[i:i + chunk_size]
            if source.dialect == "sqlite":
                found += connection.execute(sql.format(ids="IN (" + ",".join("?" * len(chunk)) + ")"),
                                            chunk).fetchall()
            else:
                cursor = connection.cursor()
                cursor.execute(sql.format(ids="= ANY(%s)"), (chunk,))
                found += cursor.fetchall()
                cursor.close()
        if source.dialect != "sqlite":
            connection.rollback()
    return found


def _fetch_texts(source: TrackerSource, ids: list[int]) -> dict[int, tuple[str, str | None]]:
    """Text and the NLU's likeliest real intent of some user events by id (only those: memory)."""
    found: dict[int, tuple[str, str | None]] = {}
    for event_id, data in _select(source, "SELECT id, data FROM events WHERE id {ids}", sorted(set(ids))):
        try:
            event = json.loads(data)
        except (TypeError, ValueError):
            continue
        ranking = ((event.get("parse_data") or {}).get("intent_ranking")) or []
        guess = next((r.get("name") for r in ranking if r.get("name") not in (None, "nlu_fallback")), None)
        found[event_id] = (event.get("text") or "", guess)
    return found


def _later_customers(source: TrackerSource, senders: list[str], after_ts: float) -> set[str]:
    """Which of ``senders`` have a customer message (not a desk trigger) at or after ``after_ts``."""
    if source.dialect == "sqlite":
        sql = ("SELECT DISTINCT sender_id FROM events WHERE sender_id {ids} AND type_name = 'user' "
               f"AND timestamp >= {float(after_ts)!r} "
               "AND coalesce(substr(json_extract(data, '$.text'), 1, 9), '') <> 'EXTERNAL:'")
    else:
        sql = ("SELECT DISTINCT sender_id FROM events WHERE sender_id {ids} AND type_name = 'user' "
               f"AND timestamp >= {float(after_ts)!r} "
               "AND coalesce(left(data::json->>'text', 9), '') <> 'EXTERNAL:'")
    return {row[0] for row in _select(source, sql, senders)}


def _agent_messages(source: TrackerSource, conversation_ids: list[str]) -> dict[str, list[tuple[float, str]]]:
    """The messages agents wrote (``bot`` events with ``metadata.agent``) per conversation: (time, agent)."""
    found: dict[str, list[tuple[float, str]]] = defaultdict(list)
    sql = "SELECT sender_id, timestamp, data FROM events WHERE sender_id {ids} AND type_name = 'bot' ORDER BY id"
    for sender, ts, data in _select(source, sql, sorted(set(conversation_ids))):
        try:
            agent = (json.loads(data).get("metadata") or {}).get("agent")
        except (TypeError, ValueError, AttributeError):
            continue
        if agent:
            found[sender].append((float(ts or 0), str(agent)))
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
    text_start: str  # the first TEXT_CHARS characters of the message
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

    @property
    def typed(self) -> bool:
        return not self.text_start.startswith("/")

    @property
    def intents(self) -> set[str]:
        return set(self.intent.split("+"))

    @property
    def not_understood(self) -> bool:
        return bool(set(self.kinds) & set(NOT_UNDERSTOOD_KINDS) or set(self.actions) & set(NOT_UNDERSTOOD_ACTIONS))


@dataclass(slots=True)
class _Conversation:
    service: str | None = None
    description: str | None = None
    turn: _Turn | None = None
    messages: int = 0  # customer messages in the range
    recent: list[tuple[int, str | None]] = field(default_factory=list)  # last two: event id, folded words (typed)
    last_event: int | None = None  # the last customer message's event id
    last_kinds: tuple[str, ...] = ()  # the answers of the last turn (the customer's or the desk's)
    last_not_understood: bool = False
    last_fallback: tuple[int, float, tuple[str, ...]] | None = None  # the last message: not understood, kept
    gave_line: bool = False  # an answer gave the 24/7 line
    asked_person: bool = False
    handed_off: bool = False


def _similar(earlier: str, later: str) -> bool:
    """Nearly the same words: difflib's ratio of the folded texts, or the share of the words in common."""
    if earlier == later:
        return True
    a, b = set(earlier.split()), set(later.split())
    if len(a & b) / len(a | b) >= REPHRASE_SIMILARITY:
        return True
    matcher = difflib.SequenceMatcher(None, earlier, later, autojunk=False)
    return matcher.quick_ratio() >= REPHRASE_SIMILARITY and matcher.ratio() >= REPHRASE_SIMILARITY


def _real_answer(kinds: Iterable[str]) -> bool:
    """An answer to a request (not a not-understood, hand-off or courtesy answer)."""
    return any(k not in NOT_UNDERSTOOD_KINDS and k not in COURTESY_ANSWERS and not k.startswith(("handoff_", "human_"))
               for k in kinds)


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
        self.signals: list[Signal] = []
        self.escalations: Counter = Counter()
        self.human_requests = 0
        self.handoff_failed = 0
        self.handoff_sent = 0
        self.test_conversations: set[str] = set()  # left out (insights/traffic.py)
        self.test_messages = 0

    def message(self, sender: str, conversation: _Conversation, turn: _Turn) -> None:
        local = self.clock.local(turn.ts)
        day, hour = local.date(), local.hour
        after = not self.clock.is_open(turn.ts)
        conversation.messages += 1
        self.day_conversations[day].setdefault(sender, after)
        self.hour_conversations[(day, hour)].setdefault(sender, after)
        self.day_messages[day] += 1
        self.hour_messages[hour] += 1
        if after:
            self.day_messages_after[day] += 1
            self.hour_messages_after[hour] += 1
        if turn.typed:
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
            if kind in HANDOFF_SENT:
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
        if not turn.external:
            if turn.not_understood:
                self.not_understood.append((sender, turn.event_id, turn.ts, turn.intent))
                self.day_not_understood[day] += 1
            self.signals_of(sender, conversation, turn, local)
        if turn.kinds:
            conversation.last_kinds = tuple(turn.kinds)
        if "priority_line" in turn.channels:
            conversation.gave_line = True
        if set(turn.kinds) & set(HANDOFF_SENT):
            conversation.handed_off = True

    def signals_of(self, sender: str, conversation: _Conversation, turn: _Turn, local: datetime) -> None:
        """The signals of a misunderstanding this customer message shows (SIGNALS), and what the
        next message needs to know of it."""
        def signal(kind: str, earlier: int | None = None, before: tuple[str, ...] = ()) -> None:
            self.signals.append(Signal(kind, sender, local, turn.event_id, earlier, before))

        said = " ".join(words(turn.text_start)) if turn.typed else None
        if said and len(said.split()) >= REPHRASE_MIN_WORDS:
            for event_id, earlier in reversed(conversation.recent):
                if earlier and len(earlier.split()) >= REPHRASE_MIN_WORDS and _similar(earlier, said):
                    signal("rephrase", event_id, conversation.last_kinds)
                    break
        if turn.not_understood and conversation.last_not_understood:
            signal("two_fallbacks", conversation.last_event, conversation.last_kinds)
        if "request_human" in turn.intents and _real_answer(conversation.last_kinds):
            signal("person_after_answer", conversation.last_event, conversation.last_kinds)
        if "report_no_answer" in turn.intents and conversation.gave_line:
            signal("no_answer_after_line", conversation.last_event, conversation.last_kinds)
        conversation.recent = [*conversation.recent[-1:], (turn.event_id, said)]
        conversation.last_event = turn.event_id
        conversation.last_not_understood = turn.not_understood
        kept = bool(set(turn.kinds) & set(HANDOFF_SENT))
        conversation.last_fallback = (turn.event_id, turn.ts, tuple(turn.kinds)) if (
            turn.not_understood and not kept) else None
        if "request_human" in turn.intents:
            conversation.asked_person = True

    def recommended(self, turn: _Turn) -> set[str]:
        channels = set(turn.channels)
        if turn.open_channels:
            channels |= set(self.clock.open_support_channels(turn.ts))
        return channels


def _bounds(schedule: Schedule, start: date, end: date) -> tuple[float, float]:
    tz = schedule.timezone
    return (datetime.combine(start, time(0), tzinfo=tz).timestamp(),
            datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz).timestamp())


def _tally(source: TrackerSource, clock: _Clock, start: date, end: date,
           traffic: TestTraffic | None = None) -> tuple[_Tally, dict[str, _Conversation]]:
    traffic = traffic or TestTraffic(prefixes=(), include=True)
    tally = _Tally(clock, request_family_mapping())
    conversations: dict[str, _Conversation] = {}
    start_ts, end_ts = _bounds(clock.schedule, start, end)
    for event_id, sender, type_name, ts, intent, name, value in _rows(source, start_ts, end_ts):
        conversation = conversations.get(sender)
        if conversation is None:
            if traffic.excluded(sender):
                if type_name == "user" and not (value or "").startswith("EXTERNAL:"):
                    tally.test_conversations.add(sender)
                    tally.test_messages += 1
                continue
            conversation = conversations[sender] = _Conversation()
        if type_name == "user":
            text = value or ""
            if conversation.turn is not None:
                tally.finish(sender, conversation, conversation.turn)
            conversation.turn = _Turn(event_id, ts, intent or "", text, external=text.startswith("EXTERNAL:"))
            if not conversation.turn.external:
                tally.message(sender, conversation, conversation.turn)
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
    # A conversation whose last message was not understood ended there when the customer never
    # wrote again, also after the range (one query for those only).
    ending = {sender: c.last_fallback for sender, c in conversations.items() if c.last_fallback}
    if ending:
        went_on = _later_customers(source, list(ending), end_ts)
        for sender, (event_id, ts, kinds) in ending.items():
            if sender not in went_on:
                tally.signals.append(Signal("ended_after_fallback", sender, clock.local(ts), event_id, None, kinds))
    order = list(SIGNALS)
    tally.signals.sort(key=lambda s: (order.index(s.kind), s.moment, s.event_id))
    return tally, conversations


# ------------------------------------------------------------------ figures


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _ranked(name: str, title: str, columns: list[str], counts: Counter, label: Callable[[str], str],
            total: int, shown_key: str | None = None) -> Table:
    """A ranking: each name with its label, its count and its share of ``total``, most frequent first.
    The page shows the label first, headed ``shown_key`` (the identifier stays in the CSV)."""
    table = Table(name, title, columns)
    for key, count in counts.most_common():
        table.rows.append([key or "", label(key or ""), count, _percent(count, total)])
    if shown_key:
        table.shown = [(columns[1], shown_key), (columns[2], columns[2]), (columns[3], columns[3]),
                       (columns[0], "Identificador")]
    return table


def _share_per_day(name: str, title: str, columns: list[str], days: list[date],
                   whole: Mapping[date, int], part: Mapping[date, int]) -> Table:
    """A table of one count and the share of it that is something, per day."""
    table = Table(name, title, columns)
    for day in days:
        table.rows.append([day.isoformat(), whole[day], part[day], _percent(part[day], whole[day])])
    return table


def _percent(part: int, whole: int) -> float:
    return share(part, whole)


def _handoffs(desk_db: Path | None, schedule: Schedule, start: date, end: date) -> list[dict[str, Any]]:
    if desk_db is None:
        return []
    with open_desk_db(desk_db) as connection:
        if connection is None:
            return []
        try:
            rows = connection.execute(
                "SELECT id, conversation_id, status, reason, created_at, received_at, taken_at, ended_at, agent_name "
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


def _handoff_times(source: TrackerSource, handoffs: list[dict[str, Any]]) -> None:
    """Each hand-off's waits, in seconds (None when it has none): ``take`` (until an agent took it),
    ``first_response`` (until an agent's first written message), ``resolution`` (until the agent
    closed it or handed it back), and ``replies`` (the messages the agent wrote)."""
    written = _agent_messages(source, [h["conversation_id"] for h in handoffs if h["taken_at"] is not None])
    for h in handoffs:
        received, ended = h["received_at"], h["ended_at"]
        h["take"] = h["taken_at"] - received if h["taken_at"] is not None else None
        # A second of slack: the desk stamps the hand-off and Rasa its events, each with its own call.
        replies = [ts for ts, _ in written.get(h["conversation_id"], ())
                   if ts >= received - 1 and (ended is None or ts <= ended + 1)]
        h["replies"] = len(replies)
        h["first_response"] = max(0.0, min(replies) - received) if replies else None
        h["resolution"] = ended - received if ended is not None and h["status"] in ("closed", "returned") else None


@dataclass
class _Period:
    """What one range's figures are made of."""

    start: date
    end: date
    tally: _Tally
    conversations: dict[str, _Conversation]
    handoffs: list[dict[str, Any]]
    summary: dict[str, Any]
    containment: dict[str, int]


def _period(source: TrackerSource, clock: _Clock, start: date, end: date, desk_db: Path | None,
            traffic: TestTraffic) -> _Period:
    tally, conversations = _tally(source, clock, start, end, traffic)
    handoffs = []
    for h in _handoffs(desk_db, clock.schedule, start, end):
        if traffic.excluded(h["conversation_id"]):
            tally.test_conversations.add(h["conversation_id"])
        else:
            handoffs.append(h)
    _handoff_times(source, handoffs)

    # Containment: each conversation in one group, in this order.
    at_desk = {h["conversation_id"] for h in handoffs}
    ended = {s.conversation_id for s in tally.signals if s.kind == "ended_after_fallback"}
    groups = Counter()
    for sender, conversation in conversations.items():
        if not conversation.messages:
            continue
        if conversation.handed_off or sender in at_desk:
            groups["handed_off"] += 1
        elif conversation.asked_person:
            groups["asked_person"] += 1
        elif sender in ended:
            groups["ended_after_fallback"] += 1
        else:
            groups["contained"] += 1

    waits = sorted(h["take"] for h in handoffs if h["take"] is not None)
    conv_total = len({sender for convs in tally.day_conversations.values() for sender in convs})
    typed = sum(tally.day_typed.values())
    summary = {
        "conversations": conv_total,
        "messages": sum(tally.day_messages.values()),
        "messages_after_hours": sum(tally.day_messages_after.values()),
        "critical": len(tally.criticals),
        "critical_after_hours": sum(1 for c in tally.criticals if c.after_hours),
        "non_critical_triaged": sum(tally.triaged.values()),
        "non_critical_triaged_after_hours": tally.triaged[True],
        "not_understood": len(tally.not_understood),
        "typed_messages": typed,
        "not_understood_rate": _percent(len(tally.not_understood), typed),
        "closed_answers": sum(tally.day_closed_answers.values()),
        "answers": sum(tally.answers.values()),
        "signals": len(tally.signals),
        "signal_conversations": len({s.conversation_id for s in tally.signals}),
        "contained": groups["contained"],
        "containment_rate": _percent(groups["contained"], conv_total),
        "handoffs": len(handoffs),
        "handoffs_taken": len(waits),
        "handoffs_expired": sum(1 for h in handoffs if h["status"] == "expired"),
        "handoffs_sent_by_assistant": tally.handoff_sent,
        "take_median": _round(median(waits)),
        "first_response_median": _round(median(h["first_response"] for h in handoffs
                                               if h["first_response"] is not None)),
        "resolution_median": _round(median(h["resolution"] for h in handoffs if h["resolution"] is not None)),
        "test_conversations": len(tally.test_conversations),
        "test_messages": tally.test_messages,
    }
    return _Period(start, end, tally, conversations, handoffs, summary, dict(groups))


def previous_range(start: date, end: date) -> tuple[date, date]:
    """The period of the same number of days just before ``start``."""
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


def build(source: TrackerSource, start: date, end: date, schedule: Schedule | None = None,
          desk_db: Path | str | None = None, max_transcripts: int = MAX_TRANSCRIPTS,
          traffic: TestTraffic | None = None, compare: bool = True) -> Report:
    """The report of the days ``start`` to ``end`` (Bogotá, both included).

    ``desk_db``: the desk's SQLite file for the hand-offs (None: no hand-off figures).
    ``traffic``: which conversations are test traffic and whether to take them in (default:
    ``REPORT_TEST_SENDERS`` from the environment, left out). ``compare``: also the previous
    period of the same length (``Report.previous``, the table ``comparacion``).
    """
    if end < start:
        raise ValueError(f"the range ends ({end}) before it starts ({start})")
    began = _time.monotonic()
    schedule = schedule or load_schedule(schedule_path_from_env())
    traffic = traffic or TestTraffic.from_env()
    clock = _Clock(schedule)
    desk = Path(desk_db) if desk_db else None
    current = _period(source, clock, start, end, desk, traffic)
    tally, handoffs = current.tally, current.handoffs
    days = _days(start, end)

    # Texts of the not-understood messages, of critical reports without a description, of the signals.
    need = [event_id for _, event_id, _, _ in tally.not_understood]
    need += [c.event_id for c in tally.criticals if not c.description]
    need += [i for s in tally.signals for i in (s.event_id, s.earlier_event_id) if i is not None]
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
    def said(event_id: int) -> str:  # a button press as its meaning, not "/deny"
        text = texts.get(event_id, ("", None))[0]
        return _shown(pressed(text, {}, {}) if text.startswith("/") else text, published)

    for signal in tally.signals:
        signal.text = said(signal.event_id)
        if signal.earlier_event_id is not None:
            signal.earlier_text = said(signal.earlier_event_id)

    s = current.summary
    tables: dict[str, Table] = {}
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
                      tally.intents, intent_label, s["messages"], shown_key="Intención")
    tables[intents.name] = intents

    families = _ranked("tipos_de_solicitud", "Tipos de solicitud", ["Tipo", "Descripción", "Mensajes", "%"],
                       tally.families, lambda k: REQUEST_FAMILY_LABELS.get(k, k), s["messages"], shown_key="Tipo")
    tables[families.name] = families

    kinds = _ranked("respuestas", "Respuestas del asistente", ["Respuesta", "Descripción", "Veces", "%"],
                    tally.answers, answer_label, s["answers"], shown_key="Respuesta")
    tables[kinds.name] = kinds

    channels = Table("canales_recomendados", "Canal recomendado", ["Canal", "Nombre", "Respuestas", "% de las respuestas"])
    for cid, count in tally.channels.most_common():
        name = schedule.channels[cid].name if cid in schedule.channels else (
            schedule.escalation_levels[cid].name if cid in schedule.escalation_levels else cid)
        channels.rows.append([cid, name, count, _percent(count, s["answers"])])
    channels.shown = [("Nombre", "Canal"), ("Respuestas", "Respuestas"), ("% de las respuestas", "% de las respuestas")]
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
                                    c.description, answer_label(c.answer_kind), c.conversation_id])
    tables[critical_table.name] = critical_table

    groups: dict[str, list[NotUnderstood]] = defaultdict(list)
    for item in misunderstood:
        groups[_group_key(item.text)].append(item)
    grouped = Table("no_entendidos", "Mensajes que el asistente no entendió", [
        "Mensaje", "Veces", "Intención más probable", "Ids de conversación"])
    for _, items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        guesses = Counter(i.intent_guess for i in items if i.intent_guess)
        ids = list(dict.fromkeys(i.conversation_id for i in items))
        grouped.rows.append([items[0].text, len(items), intent_label(guesses.most_common(1)[0][0]) if guesses else "",
                             " ".join(ids)])
    tables[grouped.name] = grouped

    rate = _share_per_day("tasa_no_entendidos", "Tasa de mensajes no entendidos por día",
                          ["Fecha", "Mensajes escritos", "No entendidos", "Tasa %"],
                          days, tally.day_typed, tally.day_not_understood)
    tables[rate.name] = rate

    _signal_tables(tables, tally.signals, s["conversations"])

    containment = Table("contencion", "Contención: conversaciones resueltas sin un asesor",
                        ["Conversaciones", "Cuántas", "%"],
                        note="Cada conversación cuenta en un solo grupo, en este orden.")
    groups_count = current.containment
    for key, label in (("contained", "Resueltas por el asistente, sin un asesor"),
                       ("handed_off", "Pasaron a un asesor (enviadas al escritorio)"),
                       ("asked_person", "Pidieron un asesor y no pasaron al escritorio"),
                       ("ended_after_fallback", "Se fueron después de un «no le entendí»")):
        containment.rows.append([label, groups_count.get(key, 0), _percent(groups_count.get(key, 0), s["conversations"])])
    tables[containment.name] = containment

    escalations = Table("escalamientos", "Escalamientos por nivel", ["Nivel", "Veces"])
    for kind, label in ESCALATION_LEVELS.items():
        escalations.rows.append([label, tally.escalations[kind]])
    tables[escalations.name] = escalations

    waits = sorted(h["take"] for h in handoffs if h["take"] is not None)
    firsts = sorted(h["first_response"] for h in handoffs if h["first_response"] is not None)
    resolutions = sorted(h["resolution"] for h in handoffs if h["resolution"] is not None)
    hand = Table("transferencias", "Transferencias a un asesor", ["Medida", "Valor"])
    hand.rows += [
        ["Pedidos de asesor (mensajes con intención «pide un asesor»)", tally.human_requests],
        ["Enviadas al escritorio de asesores", len(handoffs)],
        ["Tomadas por un asesor", len(waits)],
        ["Vencidas (nadie las tomó a tiempo)", s["handoffs_expired"]],
        ["En cola ahora", sum(1 for h in handoffs if h["status"] == "queued")],
        ["El escritorio no respondió (según el asistente)", tally.handoff_failed],
        ["Mediana de espera hasta que un asesor la tomó (s)", _round(median(waits))],
        ["Percentil 90 de espera (s)", _round(percentile(waits, 90))],
        ["Espera más larga (s)", _round(max(waits) if waits else None)],
        ["Con respuesta escrita de un asesor", len(firsts)],
        ["Mediana de primera respuesta escrita de un asesor (s)", _round(median(firsts))],
        ["Percentil 90 de primera respuesta (s)", _round(percentile(firsts, 90))],
        ["Cerradas o devueltas al asistente por el asesor", len(resolutions)],
        ["Mediana de resolución (s)", _round(median(resolutions))],
        ["Percentil 90 de resolución (s)", _round(percentile(resolutions, 90))],
    ]
    tables[hand.name] = hand
    reasons = Table("transferencias_por_motivo", "Transferencias por motivo", ["Motivo", "Enviadas", "Tomadas", "Vencidas"])
    for reason, label in HANDOFF_REASONS.items():
        mine = [h for h in handoffs if h["reason"] == reason]
        reasons.rows.append([label, len(mine), sum(1 for h in mine if h["taken_at"] is not None),
                             sum(1 for h in mine if h["status"] == "expired")])
    tables[reasons.name] = reasons
    tables["asesores"] = _agents_table(handoffs)
    from insights import incidents as known_incidents  # issue 21: incidents declared in the desk, their own module

    tables.update(known_incidents.tables(source, desk, schedule, start, end, traffic))

    previous = None
    previous_start, previous_end = previous_range(start, end)
    if compare:
        previous = _period(source, clock, previous_start, previous_end, desk, traffic).summary
        tables["comparacion"] = _comparison(s, previous, start, end, previous_start, previous_end)

    summary = dict(s)
    # The conversations the page links to get a transcript: critical incidents (after hours
    # first), the first few of each not-understood group, of each signal, the hand-offs — each
    # kind its share of ``max_transcripts`` first, then what is left in that order.
    per_signal: dict[str, list[str]] = defaultdict(list)
    for signal in tally.signals:
        per_signal[signal.kind].append(signal.conversation_id)
    buckets = [[c.conversation_id for c in criticals],
               [i for row in grouped.rows for i in row[3].split()[:MAX_LINKS]],
               [cid for ids in per_signal.values() for cid in list(dict.fromkeys(ids))[:MAX_LINKS * 4]],
               [h["conversation_id"] for h in handoffs]]
    limit = max_transcripts
    shares = [limit * 2 // 5, limit // 4, limit // 4]
    shares.append(limit - sum(shares))
    chosen: dict[str, None] = {}
    for bucket, quota in zip(buckets, shares, strict=True):
        for cid in bucket:
            if len(chosen) >= limit or quota <= 0:
                break
            if cid not in chosen:
                chosen[cid] = None
                quota -= 1
    for cid in (i for bucket in buckets for i in bucket):
        if len(chosen) >= limit:
            break
        chosen.setdefault(cid, None)
    shown = transcripts(source, list(chosen), schedule)
    report = Report(start, end, source.describe(), datetime.now(schedule.timezone), summary, tables, criticals,
                    misunderstood, shown, signals=tally.signals, previous=previous,
                    previous_start=previous_start, previous_end=previous_end, traffic=traffic)
    report.seconds = _time.monotonic() - began
    return report


def _signal_tables(tables: dict[str, Table], signals: list[Signal], conversations: int) -> None:
    """The summary of the signals (``senales``) and one table per signal (``senal_<kind>``)."""
    summary = Table("senales", "Señales de que el asistente entendió mal", [
        "Señal", "Veces", "Conversaciones", "% de las conversaciones", "Qué cuenta"],
        note="Además de los mensajes de confianza baja: lo que el cliente hizo después de una respuesta.")
    by_kind: dict[str, list[Signal]] = defaultdict(list)
    for signal in signals:
        by_kind[signal.kind].append(signal)
    for kind, (title, meaning) in SIGNALS.items():
        mine = by_kind.get(kind, [])
        convs = len({s.conversation_id for s in mine})
        summary.rows.append([title, len(mine), convs, _percent(convs, conversations), meaning])
        detail = Table(f"senal_{kind}", title, ["Fecha y hora", "Mensaje del cliente", "Antes", "Conversación"],
                       note=meaning)
        for s in mine:
            detail.rows.append([s.moment.strftime("%Y-%m-%d %H:%M"), s.text, _before(s), s.conversation_id])
        tables[detail.name] = detail
    tables[summary.name] = summary


def _before(signal: Signal) -> str:
    """What came before the message that shows a signal, as the page says it."""
    answers = "; ".join(answer_label(k) for k in signal.answer_before) or "sin respuesta registrada"
    if signal.kind == "rephrase":
        return f"Había escrito: «{signal.earlier_text}». Respuesta: {answers}"
    if signal.kind == "two_fallbacks":
        return f"Mensaje anterior no entendido: «{signal.earlier_text}»"
    if signal.kind == "ended_after_fallback":
        return f"Respuesta a este mensaje: {answers}"
    if signal.kind == "no_answer_after_line":
        return f"Se le dio la línea 24/7 antes. Respuesta anterior: {answers}"
    return f"Respuesta anterior: {answers}"


def _agents_table(handoffs: list[dict[str, Any]]) -> Table:
    table = Table("asesores", "Por asesor", [
        "Asesor", "Tomadas", "Cerradas", "Devueltas al asistente", "Aún abiertas", "Mensajes escritos",
        "Mediana hasta tomarla (s)", "Mediana de primera respuesta (s)", "Mediana de resolución (s)"],
        note="Las transferencias del periodo que cada asesor tomó.")
    mine: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for h in handoffs:
        if h["taken_at"] is not None:
            mine[h.get("agent_name") or "(sin nombre)"].append(h)
    for agent, rows in sorted(mine.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        table.rows.append([
            agent, len(rows), sum(1 for h in rows if h["status"] == "closed"),
            sum(1 for h in rows if h["status"] == "returned"), sum(1 for h in rows if h["status"] == "taken"),
            sum(h["replies"] for h in rows),
            _round(median(h["take"] for h in rows if h["take"] is not None)),
            _round(median(h["first_response"] for h in rows if h["first_response"] is not None)),
            _round(median(h["resolution"] for h in rows if h["resolution"] is not None)),
        ])
    return table


def _comparison(current: dict[str, Any], previous: dict[str, Any], start: date, end: date,
                previous_start: date, previous_end: date) -> Table:
    table = Table("comparacion", "Comparación con el periodo anterior", [
        "Medida", "Periodo actual", "Periodo anterior", "Diferencia"],
        note=f"Periodo actual: {day_text(start)} a {day_text(end)}; anterior: {day_text(previous_start)} a "
             f"{day_text(previous_end)} (los mismos días de largo, justo antes).")
    for key, label in COMPARED.items():
        now, before = current.get(key), previous.get(key)
        difference = round(now - before, 1) if isinstance(now, (int, float)) and isinstance(before, (int, float)) \
            and not isinstance(now, bool) else ""
        table.rows.append([label, now, before, difference])
    return table


def _shown(text: str | None, published: frozenset[str]) -> str:
    """What the report shows of a message: masked (the published contacts kept), without the
    invisible control characters (format and bidi ones are gone with the masking)."""
    return without_controls(mask(text, published))


def _round(value: float | None) -> float | str:
    return "" if value is None else round(value, 1)


def _group_key(text: str) -> str:
    """Messages that differ only in case, accents, spaces and punctuation are one group."""
    return re.sub(r"[^\w\[\] ]", "", normalize(text)).strip()


# ------------------------------------------------------------------ transcripts


def transcript(source: TrackerSource, conversation_id: str, schedule: Schedule | None = None) -> Transcript:
    """A conversation's messages by id, oldest first, masked (``helpdesk.privacy.mask``: the company's
    published contacts kept, in the assistant's and the customer's lines).

    The assistant's lines carry the options (buttons) it offered; a button press is shown with the
    title of the button; an agent's message with the agent's name; the desk's triggers are left out.
    """
    return transcripts(source, [conversation_id], schedule)[conversation_id]


def transcripts(source: TrackerSource, conversation_ids: list[str],
                schedule: Schedule | None = None) -> dict[str, Transcript]:
    """Several conversations' transcripts through one connection (a few hundred ids per query)."""
    schedule = schedule or load_schedule(schedule_path_from_env())
    rows_by_id: dict[str, list[tuple[float, str]]] = {cid: [] for cid in conversation_ids}
    sql = ("SELECT sender_id, timestamp, data FROM events WHERE sender_id {ids} "
           "AND type_name IN ('user', 'bot') ORDER BY sender_id, id")
    for sender, ts, data in _select(source, sql, conversation_ids, chunk_size=200):
        rows_by_id[sender].append((ts, data))
    published = published_contacts(schedule)
    return {cid: Transcript(cid, _lines(rows, schedule, published)) for cid, rows in rows_by_id.items()}


def _options(event: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(payload, title) of the buttons (or quick replies) a bot message offered."""
    data = event.get("data") or {}
    found = []
    for button in (data.get("buttons") or []) + (data.get("quick_replies") or []):
        if isinstance(button, Mapping) and button.get("title"):
            found.append((str(button.get("payload") or ""), str(button["title"])))
    return found


def pressed(text: str, event: Mapping[str, Any], titles: Mapping[str, str]) -> str:
    """A button payload ("/deny") as the customer saw it: the title of the button pressed among the
    options offered since their last message; else the Spanish label of its intent."""
    if text in titles:
        return f"(eligió: {titles[text]})"
    intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name") or text[1:].split("{")[0]
    if intent == "greet":
        return "(abrió el chat)"
    return f"(eligió: {intent_label(intent)})" if intent else "(eligió una opción)"


def _lines(rows: list[tuple[float, str]], schedule: Schedule, published: frozenset[str]) -> list[Line]:
    lines: list[Line] = []
    titles: dict[str, str] = {}  # the options offered since the customer's last message
    for ts, data in rows:
        try:
            event = json.loads(data)
        except (TypeError, ValueError):
            continue
        text = event.get("text") or ""
        moment = datetime.fromtimestamp(ts or 0, tz=schedule.timezone)
        if event.get("event") == "bot":
            options = _options(event)
            titles.update(options)
            agent = str((event.get("metadata") or {}).get("agent") or "")
            if text or options:  # the company's contacts stay; anything a customer typed that it echoes does not
                lines.append(Line(moment, "asesor" if agent else "asistente", _shown(text, published),
                                  tuple(_shown(title, published) for _, title in options), _shown(agent, published)))
            continue
        if not text or text.startswith("EXTERNAL:"):
            continue
        shown = _shown(pressed(text, event, titles) if text.startswith("/") else text, published)
        titles = {}
        lines.append(Line(moment, "cliente", shown))
    return lines


__all__ = ["Report", "Table", "Transcript", "Line", "Signal", "SIGNALS", "build", "transcript", "transcripts",
           "anchor", "day_text", "previous_range", "INTENT_LABELS", "ANSWER_LABELS"]
