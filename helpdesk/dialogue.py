"""The conversation core: a state machine that answers one message given what was said before.

Rasa carries the conversation (rules, the guided questions' form, slots); this module
decides the answer to a customer's message outside a guided question. A newcomer can
answer "what happens to this message in this state" from the table ``TRANSITIONS``:

**State** (:class:`Topic`, kept in the ``topic`` slot between messages):

- ``kind`` — what the last answer was about: ``contact``, ``hours``, ``open_now``,
  ``pqrsa``, ``escalation``, ``levels``, ``critical``, ``problem``, ``case``, ``service``,
  ``help`` or nothing yet;
- ``channels`` — the last contact given ("ese número", "¿me lo repite?", "¿y por
  teléfono?" resolve against it), the 24/7 line included;
- ``offer`` — a pending question: ``critical_check`` ("si es crítico, dígamelo", read
  asymmetrically) or ``did_you_mean`` (buttons of "¿Se refiere a …?");
- ``incident`` — a critical incident is in course in this conversation ("nadie contesta"
  after the 24/7 line is about it);
- ``closed_until`` — the closed-hours explanation was given for the period that ends at this
  moment, so later answers refer to it briefly.

**Move** (:func:`classify`): what the message does — the NLU's intent, turned into a
critical incident or a hypothetical by ``helpdesk.priority`` (the classifier decides,
structure modifies), or into ``whatsapp`` / ``priority_line`` when the message asks about
that contact. Two questions in one message ("a+b") are answered one after the other.

**Transitions**: ``TRANSITIONS[(kind, move)]`` when the state matters, else
``TRANSITIONS[("*", move)]``. Every handler returns a :class:`Reply`: the answer (its
``kind`` picks the wording in ``domain.yml``) and the new state.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from helpdesk import answers
from helpdesk.answers import Answer
from helpdesk.catalogue import ANSWER_KINDS  # noqa: F401  (the kinds this module gives)
from helpdesk.clauses import OTHER_MIN_CONFIDENCE, is_question, part_of, questions_asked, split_parts
from helpdesk.dates import DateMention, names_tomorrow, read_date
from helpdesk.handoff import in_chat_answer
from helpdesk.incidents import Incident, relevant
from helpdesk.incidents import values as incident_values
from helpdesk.lexicon import lexicon
from helpdesk.message import Message
from helpdesk.priority import (
    CRITICAL_INTENT,
    MIN_WORDS_TO_REPORT,
    PROBLEM_INTENTS,
    PriorityReading,
    critical_score,
    names_a_failure,
    only_a_question,
    read_priority,
    tells_a_failure,
)
from helpdesk.schedule import Schedule
from helpdesk.spanish import say
from helpdesk.text import word_spans, words
from helpdesk.triage import extract_case_number
from helpdesk.understanding import detect_service, requested_channels, values_in_text

# Channels whose contact a generic "teléfono" / "correo" follow-up narrows (the specific
# ones), and the kind of contact each generic channel is.
SPECIFIC_TOPICS = ("pqrsa", "supervisor", "coordinator", "priority_line")
GENERIC_KINDS = {"support_line": "phone", "email": "email", "chat": "url"}
CONTACT_TABLES = {"phone": "contact_phone", "email": "contact_email", "url": "contact_link"}
# The escalation ladder: the level after each one.
NEXT_LEVEL = {"support_group": "supervisor", "supervisor": "coordinator", "coordinator": "coordinator"}
# What "¿Se refiere a …?" offers; each button's title is the phrase "did_you_mean.<intent>"
# of schedule/phrases.yml.
OFFERED_INTENTS = (
    "ask_contact", "ask_opening_hours", "ask_open_now", "request_support", "report_problem",
    "report_critical_incident", "submit_pqrsa", "request_escalation", "escalate_to_coordinator",
    "ask_escalation_levels", "request_human", "ask_price", "ask_case_status",
)
DID_YOU_MEAN_MIN_CONFIDENCE = 0.05
# A hypothetical ("¿qué hago si se cae?") is a question about the 24/7 procedure when it
# names an outage (tables outage_words, stop_state) or the classifier sees one this much.
HYPOTHETICAL_MIN_SCORE = 0.5
# Input channels that are the website chat itself (its agents answer there).
IN_CHAT_CHANNELS = ("socketio",)


@dataclass(frozen=True)
class Topic:
    """The state between two messages; stored in the ``topic`` slot."""

    kind: str | None = None
    channels: tuple[str, ...] = ()
    day: date | None = None
    offer: str | None = None
    options: tuple[str, ...] = ()
    request: dict[str, Any] | None = None
    incident: bool = False
    closed_until: str | None = None

    def to_slot(self) -> str:
        data = {"kind": self.kind, "channels": list(self.channels), "day": self.day.isoformat() if self.day else None,
                "offer": self.offer, "options": list(self.options), "request": self.request,
                "incident": self.incident, "closed_until": self.closed_until}
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_slot(cls, value: object) -> Topic:
        if not isinstance(value, str) or not value:
            return cls()
        try:
            data = json.loads(value)
            day = date.fromisoformat(data["day"]) if data.get("day") else None
            return cls(data.get("kind"), tuple(data.get("channels") or ()), day, data.get("offer"),
                       tuple(data.get("options") or ()), data.get("request"), bool(data.get("incident")),
                       data.get("closed_until"))
        except (ValueError, TypeError, KeyError, AttributeError):
            return cls()


@dataclass
class Reply:
    """The decided answer, the state it leaves, and the answers said before it (one per
    earlier question of a message that asked several)."""

    answer: Answer
    topic: Topic
    options: list[dict[str, str]] = field(default_factory=list)  # buttons of "¿Se refiere a …?"
    before: list[Answer] = field(default_factory=list)


@dataclass(frozen=True)
class Turn:
    """Everything a handler needs about the message being answered."""

    message: Message
    topic: Topic
    schedule: Schedule
    now: datetime
    reading: PriorityReading
    misunderstood: int = 0
    incidents: tuple[Incident, ...] = ()

    @property
    def text(self) -> str:
        return self.message.request

    @property
    def request(self) -> dict[str, Any]:
        m = self.message
        return {"intent": m.intent, "text": m.text, "entities": list(m.entities)}

    def reply(self, answer: Answer, kind: str | None, channels: tuple[str, ...] = (), **changes: Any) -> Reply:
        """A reply whose state keeps the incident and the closed-hours memory."""
        topic = Topic(kind, channels, request=self.request, incident=self.topic.incident,
                      closed_until=self.topic.closed_until)
        return Reply(answer, replace(topic, **changes))


# ------------------------------------------------------------------- reading


def _tokens(text: str) -> list[str]:
    return words(text)


def is_follow_up(text: str) -> bool:
    """A short message that leans on the previous answer ("¿y por teléfono?", "¿hasta qué hora?")."""
    lex = lexicon()
    tokens = _tokens(text)
    if lex.has("general_support", tokens):
        return False
    if lex.has("follow_up_reference", tokens):
        return True  # "¿hasta qué hora atienden esa línea?"
    return bool(lex.starts_with("follow_up_lead", tokens)) or len(tokens) <= 5


def contact_kinds(text: str) -> tuple[str, ...]:
    """The kinds of contact a message asks for ("¿y por teléfono?" → phone)."""
    lex = lexicon()
    tokens = _tokens(text)
    return tuple(kind for kind, table in CONTACT_TABLES.items() if lex.has(table, tokens))


def resolve_channels(message: Message, topic: Topic) -> tuple[list[str], tuple[str, ...]]:
    """The channels asked about, with the last contact's channel for a generic follow-up."""
    text = message.request
    named = requested_channels(list(message.entities), text)
    kinds = contact_kinds(text)
    specific = [c for c in named if c not in GENERIC_KINDS]
    if specific:
        return specific, kinds
    # A follow-up after the 24/7 line ("¿y si no es tan grave, a dónde escribo?") is about
    # the ordinary channels unless it refers to that line ("ese número").
    last = topic.channels
    if "priority_line" in last and not lexicon().has("follow_up_reference", _tokens(text)):
        last = tuple(c for c in last if c != "priority_line")
    last_specific = [c for c in last if c in SPECIFIC_TOPICS]
    if named and last_specific and (is_follow_up(text) or not lexicon().has("general_support", _tokens(text))):
        # "¿a qué correo lo envío entonces?" right after the PQRSA answer: that channel's e-mail
        # (the support e-mail only when support is named).
        return last_specific, kinds
    if not named and last and topic.kind in ("contact", "hours", "pqrsa", "escalation", "critical") and is_follow_up(text):
        return list(last), kinds
    return named, ()


def _mention(message: Message, schedule: Schedule, today: date) -> DateMention | None:
    """The date asked about: the one in the last question of the message when it asks
    several ("¿por qué martes? ¿el lunes no hay?" asks about Monday), else the message's."""
    if message.command:
        days = [e.get("value") for e in message.entities if e.get("entity") == "day"]
        return _entity_day(days[0], today) if days else None
    questions = [p.text for p in split_parts(message.request) if p.text.rstrip().endswith("?")]
    if len(questions) >= 2:
        for text in reversed(questions):
            mention = read_date(text, today, schedule.holidays_of_year)
            if mention is not None:
                return mention
    return read_date(message.request, today, schedule.holidays_of_year)


def _entity_day(value: object, today: date) -> DateMention | None:
    from helpdesk.dates import WEEKDAY_WORDS

    if value == "today":
        return DateMention(day=today)
    if value == "tomorrow":
        return DateMention(day=today + timedelta(days=1))
    if isinstance(value, str) and value in WEEKDAY_WORDS:
        weekday = WEEKDAY_WORDS[value]
        return DateMention(day=today + timedelta(days=(weekday - today.weekday()) % 7))
    return None


def _asks_about_holidays(message: Message) -> bool:
    return "holiday" in values_in_text(message.request, "day") or any(
        e.get("entity") == "day" and e.get("value") == "holiday" for e in message.entities
    )


def asks_procedure(message: Message, reading: PriorityReading) -> bool:
    """A hypothetical about an outage ("¿qué hago si algún día se cae?"): it names one
    (tables outage_words, stop_state) or the classifier sees one."""
    tokens = _tokens(message.request)
    lex = lexicon()
    return reading.hypothetical and (lex.has("outage_words", tokens) or lex.has("stop_state", tokens)
                                     or critical_score(message.understanding()) >= HYPOTHETICAL_MIN_SCORE)


def classify(message: Message, topic: Topic, reading: PriorityReading, incidents: tuple[Incident, ...] = ()) -> str:
    """What the message does, for the transition table."""
    intent = message.intent
    if reading.critical:
        return "critical"
    if message.command:
        return intent
    tokens = _tokens(message.request)
    lex = lexicon()
    if incidents and not reading.hypothetical and reading.critical is not False \
            and relevant(incidents, detect_service(message.request, list(message.entities))) is not None \
            and (intent in PROBLEM_INTENTS or lex.has("service_status", tokens)):
        return "known_incident"  # a problem with (or a question about) a service that is known to be down
    if lex.has("whatsapp", tokens) and intent not in ("report_problem", "report_critical_incident"):
        return "whatsapp"
    about_channel = ("ask_open_now", "ask_opening_hours", "ask_contact")
    # A fallback between two of these ("¿El chat está abierto?": hours 0.36, now 0.34) is still one of them.
    if message.channel in IN_CHAT_CHANNELS and (intent in about_channel or intent == "nlu_fallback"
                                                and message.understanding().first() in about_channel) \
            and requested_channels(list(message.entities), message.request) == ["chat"] \
            and read_date(message.request, date(2000, 1, 3)) is None:
        return "chat_here"  # "¿el chat está abierto?" asked in the website chat: they are in it
    named = "priority_line" in requested_channels(list(message.entities), message.request)
    for_contact = intent in ("ask_contact", "ask_repeat", "nlu_fallback") or (
        intent in ("ask_opening_hours", "ask_open_now") and lex.has("contact_phone", tokens))
    if named and for_contact and (intent != "ask_repeat" or topic.kind != "critical"):
        # "la línea que atiende 24 horas", "el número de emergencias" — but "¿atienden 24 horas?"
        # asks about the hours, not for that line.
        return "priority_line"
    if asks_procedure(message, reading):
        return "hypothetical"  # "¿qué hago si algún día se cae?" — not "se lo doy por si acaso"
    if intent in ("ask_contact", "ask_repeat", "nlu_fallback") and topic.channels and lex.has("no_answer", tokens) \
            and not reading.hypothetical:
        return "report_no_answer"  # "ese celular no contesta, ¿hay otro número?": the contact just given fails
    explicit = lex.starts_with("explicit_yes", tokens) or lex.starts_with("explicit_no", tokens)
    if intent in ("ask_contact", "ask_opening_hours", "affirm", "nlu_fallback") and len(tokens) <= 5 \
            and not is_question(message.request) and lex.starts_with("acknowledgement", tokens) \
            and not lex.has("contact_noun", tokens) and not lex.has("follow_up_lead", tokens[1:]) \
            and (intent.startswith("ask_") or not explicit):
        return "acknowledge"  # "ok, ya llamo", "listo, le escribo": a statement, not a question
    if intent in ("affirm", "deny") and requested_channels(list(message.entities), message.request) and not explicit:
        return "ask_contact"  # "¿ni por chat?", "¿y el correo?" after an answer: that channel
    levels = requested_channels(list(message.entities), message.request)
    if intent in ("ask_opening_hours", "ask_open_now") and levels and set(levels) <= {"supervisor", "coordinator"}:
        return "ask_contact"  # "¿a qué hora llega el supervisor?": its contact says it publishes no hours
    if intent == "report_no_answer" and lex.has("waiting_long", tokens) and not topic.incident:
        return "request_escalation"  # "nadie me ha respondido en una semana": the case waits, not a line
    if intent == "ask_case_status" and not lex.has("case_word", tokens) and lex.has("general_support", tokens) \
            and read_date(message.request, date(2000, 1, 3)) is not None:
        return "ask_opening_hours"  # "12-01 hay soporte?": a date, not a case number, and support asked for
    if intent in ("affirm", "deny") and message.request.rstrip().endswith("?") and len(tokens) >= 2 \
            and read_date(message.request, date(2000, 1, 3)) is not None:
        return "ask_opening_hours"  # "¿xq el lunes no?", "¿y el sábado tampoco?": a question about that day
    return intent


# ------------------------------------------------------------------ deciding


def respond(message: Message, topic: Topic, schedule: Schedule, now: datetime, misunderstood: int = 0,
            incidents: tuple[Incident, ...] = ()) -> Reply:
    """The answer to a message outside a guided question.

    Args:
        message: the customer's message as the NLU read it.
        topic: the state the previous answer left.
        schedule: the validated schedule.
        now: the current moment (aware).
        misunderstood: how many messages in a row, this one included, the NLU did not
            understand (``nlu_fallback``).
        incidents: the incidents the support team has declared and not closed
            (``helpdesk.incidents``).
    """
    now = schedule.local(now)
    # A choice from "¿Se refiere a …?": the original words, answered with the chosen intent.
    if topic.offer == "did_you_mean" and message.command and message.intent in topic.options and topic.request:
        original = topic.request
        message = Message(message.intent, original.get("text", ""), 1.0, tuple(original.get("entities") or ()))
    message = _question_beside_a_courtesy(message)
    parts = questions_of(message)
    if len(parts) >= 2 and never_contacted(message.request):
        parts = [message]  # "no he llamado a soporte aún; deme los datos del supervisor": one request
    if len(parts) >= 2:
        several = _several(parts, topic, schedule, now, misunderstood, incidents, reading_of(message))
        assert several is not None  # None only after a critical answer the caller gave
        return several
    return _one(parts[0], topic, schedule, now, misunderstood, incidents)


# What a message can be beside a question without being its request: "Le agradezco. ¿Me
# repite el número?" asks; the thanks does not answer it.
COURTESIES = frozenset({"thank", "greet", "goodbye", "affirm"})


def _question_beside_a_courtesy(message: Message) -> Message:
    """A courtesy with a question the NLU could not place (read ``nlu_fallback``) is that
    question, misunderstood: it gets "¿Se refiere a …?" from the question's own ranking,
    not "Con gusto". (A question it placed confidently was already promoted by the NLU,
    ``addons/clauses.py``.)"""
    if message.intent not in COURTESIES or message.command:
        return message
    for clause in message.clauses:
        part = part_of(clause)
        if part.intent == "nlu_fallback" and is_question(part.text) and len(_tokens(part.text)) >= 3:
            return replace(message, intent="nlu_fallback", text=part.text, confidence=part.confidence,
                           entities=part.entities, ranking=part.ranking, clauses=())
    return message


# A sentence read as critical on its own decides only when it is read confidently and the
# whole message leans that way too (a misread sentence of a letter does not).
SENTENCE_CRITICAL_MIN = 0.8
WHOLE_CRITICAL_SUPPORT = 0.3
# ... and a whole message read critical needs one of its parts read so at least this much
# (a long letter misread as a whole does not decide).
PART_CRITICAL_SUPPORT = 0.3


def reading_of(message: Message) -> PriorityReading:
    """The priority reading of a message: the classifier decides, structure modifies.

    A message of several sentences is read sentence by sentence too: it is critical when
    one of its sentences — a statement, not a question, read whole — reads critical on its
    own ("Buenos días, dos preguntas. … Y el estampado dejó de responder y tenemos la
    producción detenida."), or when the whole does and one part leans that way too ("La
    nómina se paga hoy. El token no firma."). A whole-message reading that no part supports
    (a long letter asking for the hours) does not decide. Pieces of a sentence cut at "y"
    never decide alone ("la nómina se paga el 30 y …" is not an incident). What the customer
    says of the whole ("no es urgente", "ya funciona", "¿qué pasa si…?") always holds.
    """
    if message.command:
        return PriorityReading(None)
    whole = read_priority(message.request, message.understanding())
    parts = [(part_of(c), bool(c.get("sentence", True))) for c in message.clauses]
    if not parts or whole.modifier in ("hypothetical", "resolved", "calm"):
        return whole
    statements = [p for p, sentence in parts if sentence and not p.text.rstrip().endswith("?")]
    # The whole leans that way: read first as a problem, or critical at all when it names a
    # stop or an outage (a letter asking for the hours, read first as that, does not lean).
    support = set(message.understanding().first().split("+")) & set(PROBLEM_INTENTS) or (
        critical_score(message.understanding()) >= WHOLE_CRITICAL_SUPPORT and names_a_failure(message.request, asked=True))
    if support and any(read_priority(p.text, p.understanding()).critical and critical_score(p.understanding())
                       >= SENTENCE_CRITICAL_MIN and names_a_failure(p.text) for p in statements):
        return replace(whole, critical=True, modifier=None)
    if whole.critical and not a_part_supports(message):
        return replace(whole, critical=None, modifier="no_part_reports_a_problem")
    return whole


# The least a question's intent must have in the ranking to be answered instead of a critical
# reading that the structure overruled.
QUESTION_INSTEAD_MIN = 0.2


def question_instead_of_report(message: Message) -> Message | None:
    """A message read first as a critical incident that asks something and tells no failure
    ("¿y hoy no hay nadie?", "¿pero no hay nadie hoy? es urgente"): no stop or outage named,
    and no statement in it of a few words that tells one. The structure overrules the critical
    reading, so it is the question the classifier ranked next, when it ranked one at all."""
    text = message.request
    if message.command or message.intent != CRITICAL_INTENT or not is_question(text) \
            or names_a_failure(text, asked=True):
        return None
    statements = [p.text for p in split_parts(text) if not p.text.rstrip().endswith("?")]
    if len(split_parts(text)) == 1 and not only_a_question(text) \
            or any(len(_tokens(s)) >= MIN_WORDS_TO_REPORT and tells_a_failure(s) for s in statements):
        return None
    from helpdesk.clauses import INFORMATION_INTENTS, family_confidence

    # The question ranked next, with its family ("now" 0.12 and "hours" 0.08: the schedule, 0.20).
    asked = [(family_confidence(replace(message, intent=name, confidence=score)), score, name)
             for name, score in message.understanding().ranking if name in INFORMATION_INTENTS]
    if not asked or max(asked)[0] < QUESTION_INSTEAD_MIN:
        return None
    _, score, name = max(asked)
    return replace(message, intent=name, confidence=score)


def a_part_supports(message: Message) -> bool:
    """Whether a critical reading of the whole message is borne out by one of its parts (a
    message read as one piece always is). A part supports it when it leans that way and is not
    the customer's own uncertainty ("… y no sé qué hacer porque no sé de computadores" read
    critical on its own); a short part that tells no failure ("es urgente") supports nothing
    ("ningún pc" does)."""
    parts = [part_of(c) for c in message.clauses]
    return not parts or any(critical_score(p.understanding()) >= PART_CRITICAL_SUPPORT
                            and (len(_tokens(p.text)) >= MIN_WORDS_TO_REPORT or tells_a_failure(p.text))
                            and not lexicon().has("dont_know", _tokens(p.text)) for p in parts)


def reply_reading_of(message: Message) -> PriorityReading:
    """A message read as the answer to "si es crítico, dígamelo" (asymmetric:
    ``read_priority(reply=True)``). Its critical reading needs a part that bears it out, as a
    message's does: "¿pero no hay nadie hoy? es urgente" is a question and an urgency, no yes."""
    reading = read_priority(message.text, message.understanding(), reply=True)
    if reading.critical and reading.modifier is None and not a_part_supports(message):
        return replace(reading, critical=None, modifier="no_part_reports_a_problem")
    return reading


def _one(message: Message, topic: Topic, schedule: Schedule, now: datetime, misunderstood: int,
         incidents: tuple[Incident, ...] = (), reading: PriorityReading | None = None) -> Reply:
    reading = reading or reading_of(message)
    turn = Turn(message, topic, schedule, now, reading, misunderstood, incidents)
    move = classify(message, topic, reading, incidents)
    handler = TRANSITIONS.get((topic.kind or "", move)) or TRANSITIONS.get(("*", move)) or _help
    return _remember_closed(turn, handler(turn))


def questions_of(message: Message) -> list[Message]:
    """The questions a message asks (``helpdesk.clauses.questions_asked``), a critical reading
    of the whole keeping it whole."""
    return questions_asked(message, lambda m: reading_of(m).critical)


def respond_to_each(parts: list[Message], topic: Topic, schedule: Schedule, now: datetime,
                    incidents: tuple[Incident, ...] = (), after_critical: bool = False,
                    said: Answer | None = None) -> Reply | None:
    """The answers to several questions (the last one as the reply, the others before it;
    none of them read as an incident: the caller answered that, with the critical answer
    when ``after_critical``, or with ``said``)."""
    return _several(parts, topic, schedule, now, 0, incidents, PriorityReading(None), after_critical,
                    said=(said,) if said is not None else ())


# Questions the critical answer already answers (it gives the 24/7 line and who attends now).
COVERED_BY_CRITICAL = frozenset({"request_support", "ask_open_now", "request_human", "report_no_answer"})
# Answers that only list who attends now (the critical answer lists them too).
NOW_LISTS = frozenset({"support_open"})


def _several(parts: list[Message], topic: Topic, schedule: Schedule, now: datetime, misunderstood: int,
             incidents: tuple[Incident, ...] = (), whole: PriorityReading | None = None,
             after_critical: bool = False, said: tuple[Answer, ...] = ()) -> Reply | None:
    """Several questions in one message: each answered in the order asked, a critical
    incident first. Whether it is critical is read on the whole message (``whole``): a
    piece of it alone is no reliable report. ``after_critical``: the caller gave the
    critical answer already."""
    replies: list[Reply] = []
    state = topic
    if whole is not None and whole.critical:
        first = _one(parts[0], state, schedule, now, misunderstood, incidents, whole)
        replies.append(first)
        state = first.topic
    for part in parts:
        if part.intent in PROBLEM_INTENTS:
            continue  # the problem is the critical answer above, or the whole message's own
        if part.intent == "escalate_to_coordinator" and not (
                lexicon().has("supervisor", _tokens(part.text)) or lexicon().has("coordinator", _tokens(part.text))):
            continue  # "¿con quién hablamos para coordinar las pruebas?" beside a request: not level 3
        critical_said = after_critical or bool(replies) and replies[0].topic.kind == "critical"
        if critical_said and part.intent in COVERED_BY_CRITICAL:
            continue  # "¿me pueden atender?", "quiero renovar" beside an outage: the critical answer lists who attends
        reading = replace(reading_of(part), critical=None)
        reply = _one(part, state, schedule, now, misunderstood, incidents, reading)
        if replies and state.kind in ("escalation", "pqrsa") and reply.answer.kind == "contact" and not [
                c for c in requested_channels(list(part.entities), part.request) if c not in GENERIC_KINDS] \
                and not lexicon().has("general_support", _tokens(part.request)):
            continue  # "… dame el correo de alguien que sí resuelva": the level just given has one
        if critical_said:
            if reply.answer.kind in NOW_LISTS:
                continue  # "para eso le atienden ahora: …": the critical answer listed them
            if reply.answer.values.get("status"):
                # "Ahora atienden: …" after an hours answer: said above
                reply = replace(reply, answer=Answer(reply.answer.kind, {**reply.answer.values, "status": ""}))
        listed = str(reply.answer.values.get("open_channels") or "")
        earlier = [*said, *(r.answer for r in replies)]
        lines = {line for a in earlier for line in str(a.values.get("open_channels") or "").split("\n") if line}
        if listed and lines & set(listed.split("\n")):
            # "mi pedido no llega, ¿en qué va?": the problem's answer listed who attends now;
            # the lines said above are not repeated.
            new = [line for line in listed.split("\n") if line and line not in lines]
            reply = replace(reply, answer=Answer(reply.answer.kind, {
                **reply.answer.values, "open_channels": "\n".join([*new, answers.listed_above()])}))
        replies.append(reply)
        state = reply.topic
    if not replies and after_critical:
        return None
    if not replies:
        return _one(parts[0], topic, schedule, now, misunderstood, incidents, whole)
    critical = [r for r in replies if r.topic.kind == "critical"]
    if critical:
        replies = critical + [r for r in replies if r.topic.kind != "critical"]
    last = replies[-1]
    # "¿abren este sábado? necesito instalar el token": the day asked stays for "¿y en la tarde?"
    day = last.topic.day or next((r.topic.day for r in reversed(replies) if r.topic.day), None)
    # After a critical answer beside others, "¿me repite el número?" and "nadie contesta" are
    # about the 24/7 line: the state is the incident's.
    state = critical[0].topic if critical else last.topic
    return Reply(last.answer, replace(state, incident=any(r.topic.incident for r in replies), day=day),
                 last.options, [a for r in replies[:-1] for a in (*r.before, r.answer)])


def _remember_closed(turn: Turn, reply: Reply) -> Reply:
    answer, topic = closed_said_once(reply.answer, turn.topic, reply.topic, turn.schedule, turn.now)
    return replace(reply, answer=answer, topic=topic)


def closed_said_once(answer: Answer, before: Topic, after: Topic, schedule: Schedule, now: datetime) -> tuple[Answer, Topic]:
    """The closed-hours explanation once per closed period: later answers in the same
    period refer to it briefly (the state remembers when the period ends)."""
    if "closed_reason" not in answer.values:
        return answer, after
    opening = schedule.next_opening_for("support", now)
    period = opening.moment.isoformat() if opening else None
    if period and before.closed_until == period:
        answer = Answer(answer.kind, {**answer.values, "closed_reason": answers.closed_again()})
    return answer, replace(after, closed_until=period)


# ------------------------------------------------------------------ handlers


def _critical(turn: Turn) -> Reply:
    answer = answers.critical_answer(turn.schedule, turn.now)
    known = relevant(turn.incidents, detect_service(turn.text, list(turn.message.entities)))
    if known is not None:
        # The seed rule holds (the 24/7 line), worded so that they know the team is on it.
        answer = Answer("critical_known_incident", {**answer.values, **incident_values(known, turn.now)})
    return turn.reply(answer, "critical", ("priority_line",), incident=True)


def _known_incident(turn: Turn) -> Reply:
    """A problem with, or a question about, a service the team declared down: what is known,
    at once; the customer may still say that it stops the operation (the 24/7 line)."""
    known = relevant(turn.incidents, detect_service(turn.text, list(turn.message.entities)))
    assert known is not None
    return turn.reply(Answer("known_incident", incident_values(known, turn.now)), "known_incident",
                      answers.SUPPORT_CHANNELS, offer="critical_check")


# A hypothetical read confidently as a question about the schedule asks that too: "¿qué pasa
# si algún día se cae un sábado? ¿atienden los sábados?" gets the procedure and Saturday's hours.
HYPOTHETICAL_ALSO_ASKS = frozenset({"ask_opening_hours", "ask_open_now"})


def _hypothetical(turn: Turn) -> Reply:
    procedure = turn.reply(answers.priority_procedure_answer(turn.schedule), "contact", ("priority_line",))
    if turn.message.intent not in HYPOTHETICAL_ALSO_ASKS or turn.message.confidence < OTHER_MIN_CONFIDENCE:
        return procedure
    reading = replace(turn.reading, hypothetical=False, critical=None)
    asked = _one(turn.message, turn.topic, turn.schedule, turn.now, turn.misunderstood, turn.incidents, reading)
    return replace(asked, before=[procedure.answer, *asked.before])


def _priority_line(turn: Turn) -> Reply:
    answer = answers.contact_answer(turn.schedule, ["priority_line"], turn.now)
    return turn.reply(answer, "contact", ("priority_line",))


def _contact(turn: Turn) -> Reply:
    message, topic, schedule, now = turn.message, turn.topic, turn.schedule, turn.now
    channels, kinds = resolve_channels(message, topic)
    mention = _mention(message, schedule, now.date())
    if not channels and mention is None and is_vague(message):
        return Reply(Answer("help_prompt"), Topic("help", incident=topic.incident))
    if set(channels) & {"supervisor", "coordinator"} and never_contacted(turn.text):
        return _escalate(turn, "support_group")
    regular = [c for c in channels if c in schedule.channels and not schedule.channel(c).always_open]
    if mention is not None and mention.day not in (None, now.date()) and regular and len(regular) == len(channels):
        # "¿el martes 8 se puede mandar correo?": that channel on that day, with its contact.
        return _hours_for(turn, "ask_opening_hours", channels, mention)
    if channels == ["pqrsa"] and not kinds:
        return _pqrsa(turn)
    answer = answers.contact_answer(schedule, channels, now, kinds)
    return turn.reply(answer, "contact", tuple(channels) or answers.SUPPORT_CHANNELS)


def _repeat(turn: Turn) -> Reply:
    """ "¿Me lo repite?": the last contact given (the 24/7 line too), else the last answer."""
    topic = turn.topic
    named = requested_channels(list(turn.message.entities), turn.text)
    specific = [c for c in named if c not in GENERIC_KINDS]
    kinds = contact_kinds(turn.text)
    if specific:
        return _contact(turn)  # "¿cuál era el correo del supervisor?": that channel
    if topic.kind == "critical" or topic.channels == ("priority_line",):
        return turn.reply(answers.contact_answer(turn.schedule, ["priority_line"], turn.now), topic.kind,
                          ("priority_line",))
    if kinds and topic.channels:
        # "me pasa otra vez el link", "¿me repite el correo?" (of the supervisor just given):
        # the last channels' contact of that kind.
        with_kind = [c for c in topic.channels if any(x.kind in kinds for x in _contacts_of(turn.schedule, c))]
        channels = with_kind or [c for c in answers.SUPPORT_CHANNELS
                                 if any(x.kind in kinds for x in turn.schedule.channel(c).contacts)]
        return turn.reply(answers.contact_answer(turn.schedule, channels, turn.now, kinds), "contact", tuple(channels))
    if named:
        return _contact(turn)  # "¿cuál era el teléfono?"
    previous = topic.request
    if not previous or previous.get("intent") in (None, "ask_repeat", "affirm", "deny", "nlu_fallback"):
        if topic.channels and topic.kind in ("contact", "escalation", "pqrsa"):
            answer = answers.contact_answer(turn.schedule, list(topic.channels), turn.now)
            return turn.reply(answer, "contact", topic.channels)
        return Reply(Answer("nothing_to_repeat"), Topic("help", incident=topic.incident))
    message = Message(previous["intent"], previous.get("text", ""), 1.0, tuple(previous.get("entities") or ()))
    earlier = replace(topic, request=None, offer=None)
    return _one(message, earlier, turn.schedule, turn.now, 0)


def _contacts_of(schedule: Schedule, channel_id: str) -> tuple:
    if channel_id in schedule.channels:
        return schedule.channel(channel_id).contacts
    if channel_id in schedule.escalation_levels:
        return schedule.escalation_level(channel_id).contacts
    return ()


def _chat_here(turn: Turn) -> Reply:
    """ "¿El chat está abierto?" asked inside the website chat: they are in it now (whether
    an agent is on duty is the action's to ask the desk: actions/answers.py)."""
    return turn.reply(in_chat_answer(turn.schedule, turn.now, None), "contact", ("chat",))


def _whatsapp(turn: Turn) -> Reply:
    """ "¿Ese número tiene WhatsApp?": no WhatsApp is published; the contact to call instead
    (the one named, else the last one given, the 24/7 line during an incident)."""
    named = [c for c in requested_channels(list(turn.message.entities), turn.text) if c not in GENERIC_KINDS]
    last = [c for c in turn.topic.channels if c != "support_group"]
    if turn.topic.incident and not named:
        last = ["priority_line"]
    channels = named or last[:1] or ["support_line"]
    answer = answers.contact_answer(turn.schedule, channels[:1], turn.now)
    return turn.reply(Answer("no_whatsapp", answer.values), turn.topic.kind or "contact", tuple(channels[:1]))


def _no_answer(turn: Turn) -> Reply:
    """ "Llamé y nadie contesta": depends on what was given before."""
    topic, schedule, now = turn.topic, turn.schedule, turn.now
    if topic.incident or topic.kind == "critical":
        answer = answers.no_answer_critical_answer(schedule, now)
        return turn.reply(answer, "critical", ("priority_line", "supervisor"))
    if topic.kind == "escalation" and topic.channels:
        return _escalate(turn, NEXT_LEVEL.get(topic.channels[0], "supervisor"))
    tried = [c for c in topic.channels if c in answers.SUPPORT_CHANNELS] or ["support_line"]
    named = [c for c in requested_channels(list(turn.message.entities), turn.text) if c in answers.SUPPORT_CHANNELS]
    answer = answers.no_answer_answer(schedule, now, named or tried)
    return turn.reply(answer, "no_answer", answers.SUPPORT_CHANNELS, offer="critical_check")


def _hours(turn: Turn) -> Reply:
    channels, _ = resolve_channels(turn.message, turn.topic)
    return _hours_for(turn, turn.message.intent, channels, _mention(turn.message, turn.schedule, turn.now.date()))


def _hours_for(turn: Turn, intent: str, channels: list[str], mention: DateMention | None) -> Reply:
    reply = _hours_reply(turn, intent, channels, mention)
    schedule, now, message = turn.schedule, turn.now, turn.message
    regular = [c for c in reply.topic.channels if c in schedule.channels and not schedule.channel(c).always_open]
    named = requested_channels(list(message.entities), turn.text)
    if reply.answer.kind == "hours_date_closed" and reply.topic.day in (None, now.date()) and "email" in (
        regular or list(answers.SUPPORT_CHANNELS)
    ):
        # "¿hay alguien hoy?" on a festivo: when they are back, and the e-mail meanwhile.
        values = dict(reply.answer.values)
        values["next_opening"] = answers.with_email_meanwhile(schedule, values.get("next_opening", ""))
        return replace(reply, answer=Answer(reply.answer.kind, values))
    if len(regular) == 1 and (named or is_follow_up(turn.text)) and reply.answer.kind.startswith("hours"):
        # "¿Y el correo hasta qué hora?": the hours of that channel with its contact.
        values = dict(reply.answer.values)
        values["day_schedule"] = f"{values.get('day_schedule', '')} {answers.contact_sentence(schedule, regular[0])}".strip()
        reply = replace(reply, answer=Answer(reply.answer.kind, values))
    return reply


def _coming_opening_day(turn: Turn, mention: DateMention | None) -> DateMention | None:
    """ "¿A qué hora abren mañana?" asked between midnight and today's first opening means
    the coming opening: today, not the calendar day after."""
    now, schedule = turn.now, turn.schedule
    if mention is None or mention.day != now.date() + timedelta(days=1) or not names_tomorrow(turn.text):
        return mention
    opening = schedule.next_opening_for("support", now)
    if opening is None or opening.moment.date() != now.date():
        return mention
    return replace(mention, day=now.date())


def _hours_reply(turn: Turn, intent: str, channels: list[str], mention: DateMention | None) -> Reply:
    message, topic, schedule, now = turn.message, turn.topic, turn.schedule, turn.now
    tokens = _tokens(turn.text)
    lex = lexicon()
    if not channels and topic.kind in ("contact", "hours", "pqrsa") and is_follow_up(turn.text):
        channels = [c for c in topic.channels if c in schedule.channels and not schedule.channel(c).always_open]
    regular = [c for c in channels if c in schedule.channels and not schedule.channel(c).always_open]
    if intent == "ask_open_now" and mention is not None and mention.day in (None, now.date()) \
            and mention.weekday is None and not mention.part:
        mention = None  # "¿hay alguien ya? eran las 7 justas", "¿y hoy ya no hay nadie?": now
    if intent in ("ask_opening_hours", "ask_open_now"):
        mention = _coming_opening_day(turn, mention)
    # (Only an hours answer leaves a day in the state, also one said beside another answer.)
    if mention is None and topic.day and is_follow_up(turn.text) and lex.has("hours_today", tokens):
        mention = DateMention(day=topic.day)  # "¿y hasta qué hora?" of the day just asked
    if (mention is not None and mention.day is None and mention.weekday is None and (mention.part or mention.at)
            and topic.day and is_follow_up(turn.text)):
        mention = DateMention(day=topic.day, part=mention.part, at=mention.at)  # "¿y a las 12?" of that day
    if mention is None and lex.has("reopening", tokens):
        # "y si no alcanzo, ¿cuándo vuelven a abrir?": the next opening after today's hours.
        support = [c for c in (regular or list(answers.SUPPORT_CHANNELS)) if c in schedule.channels]
        after = max([schedule.closing_time(c, now) or now for c in support] + [now])
        openings = [o for o in (schedule.next_opening(c, after) for c in support) if o is not None]
        if openings:
            mention = DateMention(day=min(openings).date())
    if intent == "ask_open_now" and mention is None and len(regular) == 1:
        mention = DateMention(day=now.date())  # "¿me atienden por correo ahorita?": that channel today
    if mention is not None and mention.weekday is not None and mention.day is None \
            and lex.has("weekdays_general", tokens):
        mention = None  # "en días hábiles y los sábados": the whole week
        answer = answers.hours_week_answer(schedule, regular, now)
        return turn.reply(answer, "hours", tuple(regular) or answers.SUPPORT_CHANNELS)
    if mention is not None and mention.weekday is not None and mention.day is None:
        answer = answers.hours_weekday_answer(schedule, regular, mention.weekday, now)
        return turn.reply(answer, "hours", tuple(regular))
    if mention is not None and (mention.day is not None or mention.part or mention.at):
        answer = answers.hours_on_date_answer(schedule, regular, mention, now)
        return turn.reply(answer, "hours", tuple(regular), day=mention.day or now.date())
    if intent == "ask_opening_hours" and _asks_about_holidays(message):
        return turn.reply(answers.holidays_answer(schedule, now), "hours", tuple(regular))
    if intent == "ask_opening_hours" and lex.has("hours_today", tokens):
        answer = answers.hours_on_date_answer(schedule, regular, DateMention(day=now.date()), now)
        return turn.reply(answer, "hours", tuple(regular), day=now.date())
    if intent == "ask_opening_hours":
        answer = answers.hours_week_answer(schedule, regular, now)
        return turn.reply(answer, "hours", tuple(regular) or answers.SUPPORT_CHANNELS)
    answer = answers.open_now_answer(schedule, now)
    offer = "critical_check" if answer.kind == "closed_now" else None
    return turn.reply(answer, "open_now", answers.SUPPORT_CHANNELS, offer=offer)


def _support(turn: Turn) -> Reply:
    """A request that is not a failure (renew, install, buy): where to get help now. A date
    in it is a deadline ("se me vence el viernes"), not a question about that day."""
    if is_vague(turn.message):
        return Reply(Answer("help_prompt"), Topic("help", incident=turn.topic.incident))
    answer = answers.support_answer(turn.schedule, turn.now)
    offer = "critical_check" if answer.kind == "support_closed" else None
    return turn.reply(answer, "open_now", answers.SUPPORT_CHANNELS, offer=offer)


def _price(turn: Turn) -> Reply:
    return turn.reply(answers.unknown_answer(turn.schedule, turn.now, "price_unknown"), "contact",
                      answers.SUPPORT_CHANNELS)


def _case_status(turn: Turn) -> Reply:
    answer = answers.unknown_answer(turn.schedule, turn.now, "case_status_unknown", extract_case_number(turn.text))
    return turn.reply(answer, "contact", answers.SUPPORT_CHANNELS)


def _pqrsa(turn: Turn) -> Reply:
    types = [e.get("value") for e in turn.message.entities if e.get("entity") == "request_type"]
    types = types or values_in_text(turn.text, "request_type")
    _, kinds = resolve_channels(turn.message, turn.topic)
    answer = answers.pqrsa_answer(turn.schedule, types[0] if types else None, turn.now, kinds)
    return turn.reply(answer, "pqrsa", ("pqrsa",))


def never_contacted(text: str) -> bool:
    """The customer says support never had the case: a negation (table ``never``: "no he",
    "nunca hemos", "todavía no") followed within two words by a contact done (table
    ``contact_done``: "llamado", "escrito", "contactado")."""
    lex = lexicon()
    tokens = _tokens(text)
    done = lex.find("contact_done", tokens)
    return any(0 <= d.start - n.end <= 2 for n in lex.find("never", tokens) for d in done)


def supervisor_done(text: str) -> bool:
    """The supervisor already had the case: the supervisor named together with a contact
    done (table ``contact_past``: "hablé", "le escribí", "escalé") within four words before
    it or three after it in the same clause ("al supervisor ya le escribí"), or a negation
    within three words after it in the same clause ("el supervisor no me resuelve", "ni el
    supervisor")."""
    lex = lexicon()
    spans = word_spans(text)
    tokens = [w for w, _, _ in spans]
    negators = {p[0] for p in lex.tables["negator"] if len(p) == 1}
    def same_sentence(i: int, j: int, ends: str = ".;!?\n") -> bool:  # no sentence end between words i < j
        return not any(ch in ends for ch in text[spans[i][2]:spans[j][1]])

    for hit in lex.find("supervisor", tokens):
        done = lex.find("contact_past", tokens)
        if any(0 <= hit.start - c.end <= 4 and same_sentence(c.end - 1, hit.start) for c in done):
            return True
        if any(0 <= c.start - hit.end <= 3 and same_sentence(hit.end - 1, c.start, ",.;!?\n") for c in done):
            return True  # "al supervisor ya le escribí el lunes y nada"
        # A negation after it belongs to the same clause: "quiero escribirle al supervisor,
        # todavía no he abierto caso" negates the case, not the supervisor.
        after = [i for i in range(hit.end, min(hit.end + 3, len(tokens))) if same_sentence(hit.end - 1, i, ",.;!?\n")]
        before = tokens[max(0, hit.start - 2): hit.start]
        if any(tokens[i] in negators for i in after) or "ni" in before \
                or lex.has("escalation_still", [tokens[i] for i in after]):
            return True
    return False


def escalation_level_for(intent: str, text: str) -> str:
    """Which level fits. The classifier tells a first escalation (``request_escalation``:
    the supervisor) from one past the supervisor (``escalate_to_coordinator``); the text
    modifies it where it names the level: support never contacted goes to support first;
    the coordinator named, or the supervisor named as already tried, is the coordinator;
    the supervisor named as the one wanted is the supervisor."""
    named = requested_channels([], text)
    if never_contacted(text):
        return "support_group"
    if "coordinator" in named or supervisor_done(text):
        return "coordinator"
    if "supervisor" in named:
        return "supervisor"
    return "coordinator" if intent == "escalate_to_coordinator" else "supervisor"


def _escalation(turn: Turn) -> Reply:
    topic = turn.topic
    named = requested_channels(list(turn.message.entities), turn.text)
    if topic.kind in ("escalation", "contact") and topic.channels and topic.channels[0] in NEXT_LEVEL \
            and not {"supervisor", "coordinator", "support_line"} & set(named):
        # "ya llamé a esas extensiones y nada": the level after the one just given.
        return _escalate(turn, NEXT_LEVEL.get(topic.channels[0], "supervisor"))
    return _escalate(turn, escalation_level_for(turn.message.intent, turn.text))


def _escalate(turn: Turn, level: str) -> Reply:
    answer = answers.escalation_answer(turn.schedule, turn.now, level, extract_case_number(turn.text))
    # Asked in the middle of "¿detiene su operación?": the problem is still open, and a yes or
    # no that follows still answers that question.
    offer = "critical_check" if turn.topic.offer == "critical_check" else None
    return turn.reply(answer, "escalation", (level,), offer=offer)


def _levels(turn: Turn) -> Reply:
    return turn.reply(answers.escalation_levels_answer(turn.schedule, turn.now), "levels",
                      ("support_group", "supervisor", "coordinator"))


def _inform(turn: Turn) -> Reply:
    message = turn.message
    if requested_channels(list(message.entities), turn.text):
        return _contact(turn)
    if _mention(message, turn.schedule, turn.now.date()):
        return _hours_for(turn, "ask_opening_hours", resolve_channels(message, turn.topic)[0],
                          _mention(message, turn.schedule, turn.now.date()))
    types = values_in_text(turn.text, "request_type")
    if types:
        return _pqrsa(turn)
    number = extract_case_number(turn.text)
    if number:
        return turn.reply(Answer("case_noted", {"case_number": number}), "case")
    service = detect_service(turn.text, list(message.entities))
    if service and service != "otro":
        label = say(f"service_with_article.{service}")  # "el estampado cronológico"
        return turn.reply(Answer("service_menu", {"service_label": label, "service_id": service}), "service")
    return _help(turn)


def _help(turn: Turn) -> Reply:
    return Reply(Answer("help_prompt"), Topic("help", incident=turn.topic.incident, closed_until=turn.topic.closed_until))


def _acknowledge(turn: Turn) -> Reply:
    """ "ok", "listo", "sí" with nothing pending close the topic (the state stays)."""
    return Reply(Answer("anything_else"), replace(turn.topic, offer=None, options=()))


def _yes(turn: Turn) -> Reply:
    topic = turn.topic
    if topic.offer == "critical_check":
        reading = reply_reading_of(turn.message)
        if turn.message.command or reading.critical:
            return _critical(turn)
        return _acknowledge(turn)  # "ok", "listo": an acknowledgement, not a yes
    if topic.offer == "did_you_mean" and len(topic.options) == 1 and topic.request:
        original = topic.request
        chosen = Message(topic.options[0], original.get("text", ""), 1.0, tuple(original.get("entities") or ()))
        return respond(chosen, Topic(incident=topic.incident), turn.schedule, turn.now)
    if topic.offer == "did_you_mean":
        return Reply(Answer("rephrase"), Topic("help", incident=topic.incident))
    return _acknowledge(turn)


def _no(turn: Turn) -> Reply:
    topic = turn.topic
    if topic.offer == "critical_check":
        reading = reply_reading_of(turn.message)
        if turn.message.command or reading.critical is False:
            return turn.reply(answers.not_critical_answer(turn.schedule, turn.now), "open_now", answers.SUPPORT_CHANNELS)
        if reading.critical:
            return _critical(turn)
        return _acknowledge(turn)
    if topic.offer == "did_you_mean":
        return Reply(Answer("rephrase"), Topic("help", incident=topic.incident))
    return _acknowledge(turn)


def is_vague(message: Message) -> bool:
    """A half sentence or a thing without a name ("quisiera saber si", "lo de la vaina esa"):
    worth a question, not a guessed answer."""
    if message.command:
        return False
    text = message.request
    tokens = _tokens(text)
    if not tokens or len(tokens) > 8:
        return False
    if requested_channels(list(message.entities), text) or values_in_text(text, "request_type"):
        return False
    if detect_service(text, list(message.entities)) not in (None, "otro"):
        return False
    lex = lexicon()
    unfinished = lex.has("unfinished_end", tokens[-1:])
    return unfinished or lex.has("vague_thing", tokens)


UNCLEAR_GUESS_MIN = 0.3


def _agreeing_guess(message: Message, turn: Turn) -> str | None:
    """Below the NLU's threshold, the classifier's first guess is taken when what the
    message names agrees with it: a level of escalation for an escalation, a channel for a
    contact, a date for the hours, a request type for a PQRSA."""
    ranked = [(i, c) for i, c in message.ranking if i != "nlu_fallback"]
    if not ranked or ranked[0][1] < UNCLEAR_GUESS_MIN:
        return None
    guess = ranked[0][0]
    named = requested_channels(list(message.entities), turn.text)
    evidence = {
        "request_escalation": bool({"supervisor", "coordinator"} & set(named)) or never_contacted(turn.text),
        "escalate_to_coordinator": bool({"supervisor", "coordinator"} & set(named)),
        "ask_contact": bool(named),
        "ask_opening_hours": _mention(message, turn.schedule, turn.now.date()) is not None,
        "submit_pqrsa": bool(values_in_text(turn.text, "request_type")),
    }
    return guess if evidence.get(guess) else None


def _unclear(turn: Turn) -> Reply:
    """The NLU could not place the message: a reply to a pending question, a date or a
    channel named in a few words, else "¿Se refiere a …?", a request to rephrase, a person."""
    message, topic = turn.message, turn.topic
    if topic.offer == "critical_check" and not message.command:
        reading = reply_reading_of(message)
        if reading.critical is False:
            return turn.reply(answers.not_critical_answer(turn.schedule, turn.now), "open_now", answers.SUPPORT_CHANNELS)
        if reading.critical:
            return _critical(turn)
    tokens = _tokens(turn.text)
    mention = _mention(message, turn.schedule, turn.now.date())
    if mention is not None and not mention.empty and len(tokens) <= 12:
        return _hours_for(turn, "ask_opening_hours", resolve_channels(message, topic)[0], mention)
    if requested_channels(list(message.entities), turn.text) and len(tokens) <= 6:
        return _contact(turn)
    guess = _agreeing_guess(message, turn)
    if guess is not None:
        return _one(replace(message, intent=guess, confidence=0.0), topic, turn.schedule, turn.now, 0)
    if turn.misunderstood <= 1:
        options = [name for name, confidence in message.ranking
                   if name in OFFERED_INTENTS and confidence >= DID_YOU_MEAN_MIN_CONFIDENCE][:3]
        if options:
            buttons = [{"title": say(f"did_you_mean.{o}"), "payload": f"/{o}"} for o in options]
            values = {f"option_{i + 1}_title": b["title"] for i, b in enumerate(buttons)}
            values.update({f"option_{i + 1}_payload": b["payload"] for i, b in enumerate(buttons)})
            topic_after = Topic("did_you_mean", offer="did_you_mean", options=tuple(options), request=turn.request,
                                incident=topic.incident, closed_until=topic.closed_until)
            return Reply(Answer(f"did_you_mean_{len(options)}", values), topic_after, buttons)
        return Reply(Answer("rephrase"), Topic("help", incident=topic.incident))
    if turn.misunderstood == 2:
        return Reply(Answer("rephrase"), Topic("help", incident=topic.incident))
    return Reply(Answer("not_understood_twice"), Topic("help", incident=topic.incident))


Handler = Callable[[Turn], Reply]

# (state kind, move) -> handler; "*" is any state. Read top to bottom: the state-specific
# rows first, then what each move does in any state.
TRANSITIONS: dict[tuple[str, str], Handler] = {
    # --- a critical incident in course
    ("critical", "ask_repeat"): _repeat,             # the 24/7 line again
    ("critical", "report_no_answer"): _no_answer,    # insist + supervisor + e-mail marked critical
    # --- an escalation level given
    ("escalation", "report_no_answer"): _no_answer,  # the next level
    # --- any state
    ("*", "critical"): _critical,
    ("*", "hypothetical"): _hypothetical,
    ("*", "priority_line"): _priority_line,
    ("*", "whatsapp"): _whatsapp,
    ("*", "chat_here"): _chat_here,
    ("*", "known_incident"): _known_incident,
    ("*", "ask_contact"): _contact,
    ("*", "ask_repeat"): _repeat,
    ("*", "ask_opening_hours"): _hours,
    ("*", "ask_open_now"): _hours,
    ("*", "request_support"): _support,
    ("*", "ask_price"): _price,
    ("*", "ask_case_status"): _case_status,
    ("*", "submit_pqrsa"): _pqrsa,
    ("*", "request_escalation"): _escalation,
    ("*", "escalate_to_coordinator"): _escalation,
    ("*", "ask_escalation_levels"): _levels,
    ("*", "report_no_answer"): _no_answer,
    ("*", "inform"): _inform,
    ("*", "affirm"): _yes,
    ("*", "deny"): _no,
    ("*", "nlu_fallback"): _unclear,
    ("*", "acknowledge"): _acknowledge,
}
