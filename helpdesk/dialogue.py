"""The conversation core: what to answer to one message, given what was said before.

Rasa carries the conversation (rules, forms, slots); this module decides the
answer to a customer's message outside a guided question, from

- the NLU's reading (intent, confidence, the ranking of other intents),
- the text itself, read by the core's own readers: a critical incident
  (``helpdesk.priority``), a date (``helpdesk.dates``), the channels named
  (``helpdesk.understanding``),
- and the :class:`Topic` of the last answer — the channel, the date and the offer
  it made — so that follow-ups resolve: "¿y por teléfono?" after the PQRSA answer
  is the PQRSA line, "¿hasta qué hora?" is about the channel just discussed, "sí"
  accepts what was offered, "¿me lo repite?" repeats.

It returns the :class:`answers.Answer` to give and the new :class:`Topic`. The
action that calls it turns both into slot events.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from helpdesk import answers
from helpdesk.answers import Answer
from helpdesk.dates import DateMention, read_date
from helpdesk.priority import REASONS, read_priority
from helpdesk.schedule import Schedule
from helpdesk.text import normalize
from helpdesk.triage import SERVICE_LABELS, extract_case_number, is_explicit_yes
from helpdesk.understanding import detect_service, requested_channels, values_in_text

# Intents this module answers (the others have their own rule or action).
ANSWERED_INTENTS = (
    "ask_contact", "ask_opening_hours", "ask_open_now", "request_support", "submit_pqrsa",
    "request_escalation", "escalate_to_coordinator", "ask_escalation_levels", "ask_repeat",
    "inform", "affirm", "deny", "nlu_fallback",
)
# Channels that narrow a generic "teléfono" / "correo" in a follow-up.
SPECIFIC_TOPICS = ("pqrsa", "supervisor", "coordinator")
GENERIC_KINDS = {"support_line": "phone", "email": "email", "chat": "url"}
# What "¿Se refiere a …?" offers, with the title customers read.
OPTION_TITLES = {
    "ask_contact": "Teléfono y correo de soporte",
    "ask_opening_hours": "Horarios de atención",
    "ask_open_now": "¿Me pueden atender ahora?",
    "request_support": "Ayuda con un trámite (renovar, instalar)",
    "report_problem": "Reportar un problema",
    "report_critical_incident": "Reportar un incidente crítico",
    "submit_pqrsa": "Poner una queja o reclamo (PQRSA)",
    "request_escalation": "Escalar un caso sin resolver",
    "escalate_to_coordinator": "Hablar con el coordinador",
    "ask_escalation_levels": "Niveles de escalamiento",
    "request_human": "Hablar con un asesor",
}
DID_YOU_MEAN_MIN_CONFIDENCE = 0.05


@dataclass(frozen=True)
class Message:
    """One customer message as the NLU read it."""

    intent: str
    text: str = ""
    confidence: float = 1.0
    entities: tuple[dict[str, Any], ...] = ()
    ranking: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Topic:
    """What the last answer was about; stored in slots between messages."""

    kind: str | None = None
    channels: tuple[str, ...] = ()
    day: date | None = None
    offer: str | None = None
    options: tuple[str, ...] = ()
    request: dict[str, Any] | None = None

    def to_slot(self) -> str:
        data = {"kind": self.kind, "channels": list(self.channels), "day": self.day.isoformat() if self.day else None,
                "offer": self.offer, "options": list(self.options), "request": self.request}
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_slot(cls, value: object) -> Topic:
        if not isinstance(value, str) or not value:
            return cls()
        try:
            data = json.loads(value)
            day = date.fromisoformat(data["day"]) if data.get("day") else None
            return cls(data.get("kind"), tuple(data.get("channels") or ()), day, data.get("offer"),
                       tuple(data.get("options") or ()), data.get("request"))
        except (ValueError, TypeError, KeyError):
            return cls()


@dataclass
class Reply:
    """The decided answer and the topic it leaves."""

    answer: Answer
    topic: Topic
    options: list[dict[str, str]] = field(default_factory=list)  # buttons of "¿Se refiere a …?"


# ------------------------------------------------------------------- reading


def is_follow_up(text: str) -> bool:
    """A short message that leans on the previous answer ("¿y por teléfono?", "¿hasta qué hora?")."""
    norm = normalize(re.sub(r"[¿?¡!.,]", " ", text))
    if re.search(r"\b(?:soporte|servicio al cliente|general|normal)\b", norm):
        return False
    if re.search(r"\b(?:es[ae]s?|mism[oa]s?|ahi|alli|that|same)\b", norm):
        return True  # "¿hasta qué hora atienden esa línea?"
    return bool(re.match(r"^(?:y|e|entonces|and|ok y|vale y|bueno y|pero)\b", norm)) or len(norm.split()) <= 5


def contact_kinds(text: str) -> tuple[str, ...]:
    """The kinds of contact a message asks for ("¿y por teléfono?" → phone)."""
    kinds = []
    for channel in values_in_text(text, "channel"):
        kind = GENERIC_KINDS.get(channel)
        if kind and kind not in kinds:
            kinds.append(kind)
    return tuple(kinds)


def resolve_channels(message: Message, topic: Topic) -> tuple[list[str], tuple[str, ...]]:
    """The channels asked about, with the topic's channel for a generic follow-up."""
    named = requested_channels(list(message.entities), message.text)
    kinds = contact_kinds(message.text)
    specific = [c for c in named if c not in GENERIC_KINDS]
    if specific:
        return specific, kinds
    # The 24/7 line is given only when asked for by name: a follow-up after it ("¿y si
    # no es tan grave, a dónde escribo?") is about the ordinary channels.
    topic = replace(topic, channels=tuple(c for c in topic.channels if c != "priority_line"))
    topic_specific = [c for c in topic.channels if c in SPECIFIC_TOPICS]
    if named and topic_specific and is_follow_up(message.text):
        return topic_specific, kinds
    if not named and topic.channels and topic.kind in ("contact", "hours", "pqrsa", "escalation") and is_follow_up(message.text):
        return list(topic.channels), kinds
    return named, ()


def _mention(message: Message, schedule: Schedule, today: date) -> DateMention | None:
    if message.text.startswith("/"):
        days = [e.get("value") for e in message.entities if e.get("entity") == "day"]
        return _entity_day(days[0], today) if days else None
    return read_date(message.text, today, schedule.holidays_of_year)


def _entity_day(value: object, today: date) -> DateMention | None:
    from helpdesk.dates import WEEKDAY_WORDS

    if value == "today":
        return DateMention(day=today)
    if value == "tomorrow":
        return DateMention(day=date.fromordinal(today.toordinal() + 1))
    names = {v: k for k, v in WEEKDAY_WORDS.items() if k.isascii() and k.endswith("day")}
    if isinstance(value, str) and value in [n for n in names.values()]:
        weekday = WEEKDAY_WORDS[value]
        return DateMention(day=date.fromordinal(today.toordinal() + (weekday - today.weekday()) % 7))
    return None


def _asks_about_holidays(message: Message) -> bool:
    return "holiday" in values_in_text(message.text, "day") or any(
        e.get("entity") == "day" and e.get("value") == "holiday" for e in message.entities
    )


# ------------------------------------------------------------------ deciding


def respond(message: Message, topic: Topic, schedule: Schedule, now: datetime, misunderstood: int = 0) -> Reply:
    """The answer to a message outside a guided question.

    Args:
        message: the customer's message as the NLU read it.
        topic: what the previous answer was about.
        schedule: the validated schedule.
        now: the current moment (aware).
        misunderstood: how many messages in a row, this one included, the NLU did not
            understand (``nlu_fallback``).
    """
    now = schedule.local(now)
    request = {"intent": message.intent, "text": message.text, "entities": list(message.entities)}

    # A choice from "¿Se refiere a …?": answer the original words with the chosen intent.
    if topic.offer == "did_you_mean" and message.text.startswith("/") and message.intent in topic.options and topic.request:
        original = topic.request
        message = Message(message.intent, original.get("text", ""), 1.0, tuple(original.get("entities") or ()))
        request = {"intent": message.intent, "text": message.text, "entities": list(message.entities)}

    reading = read_priority(message.text) if not message.text.startswith("/") else None
    if reading is not None and reading.critical:
        return _critical(schedule, now, reading.reason, request)

    intent = message.intent
    folded = normalize(message.text)
    if _ASKS_PRIORITY_LINE.search(folded) and (
        intent in ("ask_contact", "nlu_fallback")
        or intent in ("ask_opening_hours", "ask_open_now") and re.search(r"\b(?:linea|numero|celular|telefono|contacto)\b", folded)
    ):
        # "me da la línea que atiende 24 horas", "el número de emergencias": that line, by any name.
        answer = answers.contact_answer(schedule, ["priority_line"], now)
        return Reply(answer, Topic("contact", ("priority_line",), request=request))
    if intent == "ask_repeat" and requested_channels(list(message.entities), message.text):
        # "¿cuál era el teléfono?": that channel, whatever the last answer was about.
        return _answer("ask_contact", message, topic, schedule, now, request)
    if intent == "ask_repeat":
        return _repeat(topic, schedule, now)
    if intent in ("affirm", "deny") and not message.text.startswith("/") and len(message.text.split()) <= 3:
        named = requested_channels(list(message.entities), message.text)
        if named and not re.search(r"\b(?:si|no|ok|vale|listo|gracias)\b", normalize(message.text)):
            return _answer("ask_contact", message, topic, schedule, now, request)  # "supervisor"
    if intent in ("affirm", "deny"):
        return _yes_no(intent == "affirm", message, topic, schedule, now, request)
    if intent == "nlu_fallback":
        return _unclear(message, topic, schedule, now, misunderstood, request, reading)
    if reading is not None and reading.hypothetical and intent not in ("submit_pqrsa", "request_escalation", "escalate_to_coordinator"):
        return Reply(answers.priority_procedure_answer(schedule), Topic("contact", ("priority_line",), request=request))
    return _answer(intent, message, topic, schedule, now, request)


def is_vague(message: Message) -> bool:
    """A half sentence or a thing without a name ("quisiera saber si", "lo de la vaina
    esa", "lo del sellito ese como es"): worth a question, not a guessed answer."""
    if message.text.startswith("/"):
        return False
    words = re.sub(r"[^a-z0-9ñ ]", " ", normalize(message.text)).split()
    if not words or len(words) > 8:
        return False
    if requested_channels(list(message.entities), message.text) or values_in_text(message.text, "request_type"):
        return False
    if detect_service(message.text, list(message.entities)) not in (None, "otro"):
        return False
    unfinished = words[-1] in {"si", "de", "del", "que", "para", "con", "el", "la", "los", "las", "un", "una", "y", "o",
                               "pero", "porque", "sobre", "en", "a", "al"}
    thing = re.search(r"\b(?:vaina|cosa|cosita|lo de|lo del|eso de|esa cosa|ese tema|el tema)\b", " ".join(words))
    return bool(unfinished or thing)


def _answer(intent: str, message: Message, topic: Topic, schedule: Schedule, now: datetime, request: dict) -> Reply:
    mention = _mention(message, schedule, now.date())
    channels, kinds = resolve_channels(message, topic)
    if intent in ("ask_contact", "request_support", "inform") and not channels and mention is None and is_vague(message):
        return Reply(Answer("help_prompt"), Topic("help"))

    if intent == "ask_contact":
        if set(channels) & {"supervisor", "coordinator"} and _NEVER_CONTACTED.search(normalize(message.text)):
            return _escalation("request_escalation", message.text, schedule, now, request)
        regular_named = [c for c in channels if c in schedule.channels and not schedule.channel(c).always_open]
        if mention is not None and mention.day not in (None, now.date()) and regular_named and len(regular_named) == len(channels):
            # "¿el martes 8 se puede mandar correo?": that channel on that day, with its contact.
            return _hours("ask_opening_hours", message, channels, mention, topic, schedule, now, request)
        if channels == ["pqrsa"] and not kinds:
            types = values_in_text(message.text, "request_type")
            return _pqrsa(types[0] if types else None, schedule, now, request, kinds)
        answer = answers.contact_answer(schedule, channels, now, kinds)
        return Reply(answer, Topic("contact", tuple(channels) or answers.SUPPORT_CHANNELS, request=request))

    if intent in ("ask_opening_hours", "ask_open_now", "request_support") or (intent == "inform" and mention):
        return _hours(intent, message, channels, mention, topic, schedule, now, request)

    if intent == "submit_pqrsa":
        types = [e.get("value") for e in message.entities if e.get("entity") == "request_type"]
        types = types or values_in_text(message.text, "request_type")
        return _pqrsa(types[0] if types else None, schedule, now, request, kinds)

    if intent == "request_escalation" and not _ESCALATION_CUE.search(normalize(message.text)):
        # "me aparece un error, puede esperar pero quiero dejarlo reportado": a report,
        # not a complaint about support — the support channels, not the supervisor.
        return _hours("request_support", message, [], mention, topic, schedule, now, request)
    if intent in ("request_escalation", "escalate_to_coordinator"):
        level = None
        if topic.kind == "escalation" and topic.channels and not re.search(r"supervis|coordin|cordin|soporte", normalize(message.text)):
            # "ya llamé a esas extensiones y nada": the level after the one just given.
            level = {"support_group": "supervisor", "supervisor": "coordinator"}.get(topic.channels[0], topic.channels[0])
        return _escalation(intent, message.text, schedule, now, request, level=level)

    if intent == "ask_escalation_levels":
        return Reply(answers.escalation_levels_answer(schedule, now),
                     Topic("levels", ("support_group", "supervisor", "coordinator"), request=request))

    if intent == "inform":
        named = requested_channels(list(message.entities), message.text)
        return _inform(message, named, kinds, topic, schedule, now, request)

    return Reply(answers.Answer("help_prompt"), Topic("help"))


def _hours(intent, message, channels, mention, topic, schedule, now, request) -> Reply:
    reply = _hours_reply(intent, message, channels, mention, topic, schedule, now, request)
    regular = [c for c in reply.topic.channels if c in schedule.channels and not schedule.channel(c).always_open]
    named = requested_channels(list(message.entities), message.text)
    if reply.answer.kind == "hours_date_closed" and reply.topic.day in (None, now.date()) and "email" in regular + [
        c for c in answers.SUPPORT_CHANNELS if not regular
    ]:
        # "¿hay alguien hoy?" on a festivo: when they are back, and the e-mail meanwhile.
        values = dict(reply.answer.values)
        values["next_opening"] = (f"{values.get('next_opening', '')} Mientras tanto puede escribir a "
                                  f"{answers.email_contact(schedule)} y se atenderá al abrir.").strip()
        return replace(reply, answer=Answer(reply.answer.kind, values))
    if len(regular) == 1 and (named or is_follow_up(message.text)) and reply.answer.kind.startswith("hours"):
        # "¿Y el correo hasta qué hora?": the hours of that channel with its contact.
        values = dict(reply.answer.values)
        values["day_schedule"] = f"{values.get('day_schedule', '')} {answers.contact_sentence(schedule, regular[0])}".strip()
        reply = replace(reply, answer=Answer(reply.answer.kind, values))
    return reply


def _hours_reply(intent, message, channels, mention, topic, schedule, now, request) -> Reply:
    text = normalize(message.text)
    if not channels and topic.kind in ("contact", "hours", "pqrsa") and is_follow_up(message.text):
        channels = [c for c in topic.channels if c in schedule.channels and not schedule.channel(c).always_open]
    regular = [c for c in channels if c in schedule.channels and not schedule.channel(c).always_open]
    if intent == "ask_open_now" and mention is not None and mention.day in (None, now.date()) and mention.weekday is None:
        mention = None  # "¿hay alguien ya? eran las 7 justas", "¿y hoy ya no hay nadie?": now
    if mention is None and topic.day and topic.kind == "hours" and is_follow_up(message.text) and re.search(
        r"\b(?:hasta|desde|ese dia|cierran|cierra)\b", text
    ):
        mention = DateMention(day=topic.day)
    if (mention is not None and mention.day is None and mention.weekday is None and (mention.part or mention.at)
            and topic.day and topic.kind == "hours" and is_follow_up(message.text)):
        mention = DateMention(day=topic.day, part=mention.part, at=mention.at)  # "¿y a las 12?" of the day just asked
    if mention is None and re.search(r"\b(?:vuelven a abrir|vuelven a atender|si no alcanzo|la proxima vez que abren|when do you (?:re)?open again)\b", text):
        # "y si no alcanzo, ¿cuándo vuelven a abrir?": the next opening after today's hours.
        support = [c for c in (regular or list(answers.SUPPORT_CHANNELS)) if c in schedule.channels]
        after = max([schedule.closing_time(c, now) or now for c in support] + [now])
        openings = [o for o in (schedule.next_opening(c, after) for c in support) if o is not None]
        if openings:
            mention = DateMention(day=min(openings).date())
    if intent == "ask_open_now" and mention is None and len(regular) == 1:
        mention = DateMention(day=now.date())  # "¿me atienden por correo ahorita?": that channel today
    if mention is not None and mention.weekday is not None and mention.day is None:
        answer = answers.hours_weekday_answer(schedule, regular, mention.weekday, now)
        return Reply(answer, Topic("hours", tuple(regular), request=request))
    if mention is not None and (mention.day is not None or mention.part or mention.at):
        answer = answers.hours_on_date_answer(schedule, regular, mention, now)
        day = mention.day or now.date()
        offer = None
        return Reply(answer, Topic("hours", tuple(regular), day, offer, request=request))
    if intent == "ask_opening_hours" and _asks_about_holidays(message):
        return Reply(answers.holidays_answer(schedule, now), Topic("hours", tuple(regular), request=request))
    if intent == "ask_opening_hours" and re.search(
        r"\b(?:hasta que hora|a que hora|cierran|cierra|abren|abre|todavia|aun|cuando (?:me )?(?:responden|contestan|van|revisan|vuelven|atienden))\b", text
    ):
        answer = answers.hours_on_date_answer(schedule, regular, DateMention(day=now.date()), now)
        return Reply(answer, Topic("hours", tuple(regular), now.date(), request=request))
    if intent == "ask_opening_hours":
        answer = answers.hours_week_answer(schedule, regular, now)
        return Reply(answer, Topic("hours", tuple(regular) or answers.SUPPORT_CHANNELS, request=request))
    if intent == "request_support":
        answer = answers.support_answer(schedule, now)
    else:
        answer = answers.open_now_answer(schedule, now)
    offer = "critical_check" if answer.kind in ("closed_now", "support_closed") else None
    return Reply(answer, Topic("open_now", answers.SUPPORT_CHANNELS, offer=offer, request=request))


def _pqrsa(request_type, schedule, now, request, kinds=()) -> Reply:
    answer = answers.pqrsa_answer(schedule, request_type, now, kinds)
    return Reply(answer, Topic("pqrsa", ("pqrsa",), request=request))


# Signs that the supervisor already had the case, or that support never did.
_SUPERVISOR_DONE = re.compile(
    r"\b(?:(?:ya )?(?:hable|hablamos|le escribi|le escribimos|escribi|llame|llamamos|contacte|contactamos|me comunique|escale|escalamos)"
    r" (?:\w+ )?(?:con |al |a )?(?:el |la )?supervis\w*"
    r"|ya (?:hable|habl[eo]|le escribi|escribi|llame|contacte|me comunique)\w* (?:con |al |a )?(?:el |la )?supervis\w*"
    r"|supervis\w* (?:no|tampoco|nunca|ya)\b|coordinador|cordinador|el supervisor me|al supervisor y"
    r"|already (?:talked|spoke|wrote) (?:to|with) the supervisor|supervisor (?:didn'?t|did not|never))"
)
_NEVER_CONTACTED = re.compile(
    r"\b(?:no he|no hemos|nunca (?:he|hemos)|todavia no (?:he|hemos)|aun no (?:he|hemos)|sin haber|haven'?t|have not|never)"
    r" (?:\w+ ){0,2}(?:llamad|escrit|contactad|reportad|hablad|comunicad|radicad|called|contacted|reported|written)\w*"
)


# Words that make a message an escalation (someone above support, a case not solved).
_ESCALATION_CUE = re.compile(
    r"supervis|coordin|cordin|escal|superior|jefe|encargad|responsable|gerente|nivel|nadie|ningun|"
    r"no (?:me )?(?:resuelve|resuelven|solucion|responde|contesta|dan|ha[n]? dado)|sin (?:respuesta|solucion)|"
    r"llev\w* (?:\w+ )?(?:dias|semanas|meses|horas)|hace (?:\w+ )?(?:dias|semanas|meses)|queja|reclam|mal servicio|"
    r"manager|someone above|escalate|nobody|no one|complain"
)

# "¿cuál era el correo de soporte?" inside a longer message.
_ASKS_FOR_CONTACT = re.compile(
    r"\b(?:cual (?:es|era|seria)|me (?:da|das|pasa|regala|repite)|donde (?:escribo|llamo)|a donde|a que (?:correo|numero)"
    r"|a que hora (?:llamo|lo llamo|le llamo|puedo llamar|le escribo))\b"
)
# When they answer or open again, asked in words the NLU may not place.
_ASKS_WHEN = re.compile(
    r"\b(?:vuelven a (?:abrir|atender)|si no alcanzo|cuando (?:me )?(?:responden|contestan|abren|atienden|vuelven|revisan)"
    r"|a que hora (?:abren|cierran|atienden))\b"
)
# The 24/7 line asked for by name.
_ASKS_PRIORITY_LINE = re.compile(
    r"\b(?:24 ?horas|24 ?/ ?7|24x7|emergencias?|prioridad 1|incidentes? criticos?|linea critica|on ?call)\b"
)
# An escalation said outright, even when the NLU could not place the message.
_STRONG_ESCALATION = re.compile(
    r"supervis|coordin|cordin|mas autoridad|a quien mas|mas arriba|un superior|su jefe|el jefe|nadie me (?:lo )?resuelve"
)


def escalation_level_for(intent: str, text: str) -> str:
    """Which level fits: the coordinator once the supervisor had the case, support first when it never did."""
    norm = normalize(text)
    if _SUPERVISOR_DONE.search(norm):
        return "coordinator"
    if _NEVER_CONTACTED.search(norm):
        return "support_group"
    if re.search(r"\bsupervis", norm):
        return "supervisor"  # "ya llamé a soporte y nada, páseme al supervisor"
    if intent == "escalate_to_coordinator":
        return "coordinator"
    return "supervisor"


def _escalation(intent, text, schedule, now, request, level: str | None = None) -> Reply:
    level = level or escalation_level_for(intent, text)
    answer = answers.escalation_answer(schedule, now, level, extract_case_number(text))
    return Reply(answer, Topic("escalation", (level,), request=request))


def _inform(message, named, kinds, topic, schedule, now, request) -> Reply:
    if named:
        return _answer("ask_contact", message, topic, schedule, now, request)
    types = values_in_text(message.text, "request_type")
    if types:
        return _pqrsa(types[0], schedule, now, request)
    number = extract_case_number(message.text)
    if number:
        return Reply(Answer("case_noted", {"case_number": number}), Topic("case", request=request))
    service = detect_service(message.text, list(message.entities))
    if service and service != "otro":
        article = "el" if service == "estampado_cronologico" else "la"
        label = f"{article} {SERVICE_LABELS[service].lower()}"  # "el estampado cronológico", "la firma digital"
        return Reply(Answer("service_menu", {"service_label": label, "service_id": service}),
                     Topic("service", request=request))
    return Reply(Answer("help_prompt"), Topic("help"))


def _critical(schedule, now, reason, request) -> Reply:
    answer = answers.critical_answer(schedule, now, reason)
    return Reply(answer, Topic("critical", ("priority_line",), request=request))


def _repeat(topic: Topic, schedule: Schedule, now: datetime) -> Reply:
    if not topic.request or topic.request.get("intent") in (None, "ask_repeat"):
        return Reply(Answer("nothing_to_repeat"), Topic("help"))
    previous = topic.request
    message = Message(previous["intent"], previous.get("text", ""), 1.0, tuple(previous.get("entities") or ()))
    earlier = replace(topic, request=None, offer=None)
    if previous["intent"] in ("affirm", "deny", "nlu_fallback"):
        return Reply(Answer("nothing_to_repeat"), Topic("help"))
    return respond(message, earlier, schedule, now)


def _yes_no(yes: bool, message: Message, topic: Topic, schedule: Schedule, now: datetime, request: dict) -> Reply:
    reading = read_priority(message.text, reply=True)
    if topic.offer == "critical_check":
        explicit = message.text.startswith("/") or is_explicit_yes(message.text)
        if yes and reading.critical is not False and explicit:
            return _critical(schedule, now, REASONS["reply"], request)
        if yes and reading.critical is None:
            # "ok", "listo": an acknowledgement, not a yes to "¿detiene su operación?".
            return Reply(Answer("anything_else"), Topic(topic.kind, topic.channels, topic.day, request=topic.request))
        return Reply(answers.not_critical_answer(schedule, now), Topic("open_now", answers.SUPPORT_CHANNELS))
    if topic.offer == "did_you_mean" and len(topic.options) == 1 and yes and topic.request:
        original = topic.request
        chosen = Message(topic.options[0], original.get("text", ""), 1.0, tuple(original.get("entities") or ()))
        return respond(chosen, Topic(), schedule, now)
    if topic.offer == "did_you_mean":
        return Reply(Answer("rephrase"), Topic("help"))
    if topic.offer == "email":
        if yes:
            answer = answers.contact_answer(schedule, ["email"], now)
            return Reply(answer, Topic("contact", ("email",), request={"intent": "ask_contact", "text": "correo", "entities": []}))
        return Reply(Answer("anything_else"), Topic("help"))
    # Nothing was offered: "ok", "listo", "sí", "no" close the topic.
    return Reply(Answer("anything_else"), Topic(topic.kind, topic.channels, topic.day, request=topic.request))


# A thank-you or a goodbye, however it is put ("ok gracias", "mil gracias, chao", "adiós").
_CLOSING = re.compile(r"^(?:(?:ok|listo|vale|perfecto|bueno|super|genial|dale)\W+)?(?:muchas\W+|mil\W+)?gracias\b"
                      r"|\b(?:chao|adios|hasta luego|nos vemos|bye)\b")


def _unclear(message, topic, schedule, now, misunderstood, request, reading) -> Reply:
    if reading is not None and reading.hypothetical:
        return Reply(answers.priority_procedure_answer(schedule), Topic("contact", ("priority_line",), request=request))
    if topic.offer == "critical_check" and not message.text.startswith("/"):
        # The answer to "si detiene su operación, dígamelo" in words the NLU could not place:
        # "pues la verdad no, seguimos trabajando normal" is a no; "sí, nos tiene parada la
        # facturación" a yes.
        answer = read_priority(message.text, reply=True)
        if answer.critical is False:
            return Reply(answers.not_critical_answer(schedule, now), Topic("open_now", answers.SUPPORT_CHANNELS))
        if answer.critical and (is_explicit_yes(message.text) or answer.reason):
            return _critical(schedule, now, answer.reason or REASONS["reply"], request)
    mention = _mention(message, schedule, now.date())
    if mention is not None and not mention.empty and len(message.text.split()) <= 12:
        channels, _ = resolve_channels(message, topic)
        return _hours("ask_opening_hours", message, channels, mention, topic, schedule, now, request)
    named = requested_channels(list(message.entities), message.text)
    norm = normalize(message.text)
    if (not named and len(message.text.split()) <= 6 and _CLOSING.search(norm)
            and not detect_service(message.text, list(message.entities))
            and (reading is None or not reading.failing)):
        # "gracias, chao", "gracias, ya marco": a thank-you the NLU could not place is still one.
        return Reply(Answer("acknowledge"), Topic(topic.kind, topic.channels, topic.day, request=topic.request))
    if named and (len(message.text.split()) <= 6 or _ASKS_FOR_CONTACT.search(norm)):
        return _answer("ask_contact", message, topic, schedule, now, request)
    if _STRONG_ESCALATION.search(norm):
        # "¿Con quién puedo hablar que tenga más autoridad?": the ladder, from the text.
        return _escalation("request_escalation", message.text, schedule, now, request)
    if topic.kind == "escalation" and topic.channels and re.search(r"\b(?:ya (?:le )?(?:escribi|llame|hable)|y nada|no (?:me )?(?:responde|contesta)|sin respuesta)", norm):
        # "ya le escribí a ese correo hace 5 días y nada": the next level up.
        nxt = {"support_group": "supervisor", "supervisor": "coordinator"}.get(topic.channels[0], topic.channels[0])
        return _escalation("request_escalation", message.text, schedule, now, request, level=nxt)
    ordinary = tuple(c for c in topic.channels if c != "priority_line")  # the 24/7 line only when asked for
    if ordinary and not re.match(r"(?:gracias|ok|listo|vale|bueno)\b", norm) and re.search(
        r"\b(?:extension|ext|marco|numero|telefono|tel|correo|mail|link|enlace)\b", norm
    ):
        # "¿qué extensión marco?" after the supervisor's contacts: that contact again.
        answer = answers.contact_answer(schedule, list(ordinary), now, contact_kinds(message.text))
        return Reply(answer, Topic("contact", ordinary, request=topic.request))
    service = detect_service(message.text, list(message.entities))
    if service and service != "otro" and len(message.text.split()) >= 6:
        # A described problem the NLU could not place: where to get help for it.
        return Reply(answers.support_answer(schedule, now), Topic("open_now", answers.SUPPORT_CHANNELS,
                                                                    offer="critical_check", request=request))
    if _ASKS_WHEN.search(norm):
        # "y si no alcanzo, ¿cuándo vuelven a abrir?", "¿cuándo me responden?"
        return _hours("ask_opening_hours", message, [], None, topic, schedule, now, request)
    if re.search(r"\b(?:otra forma|otro medio|otra manera|otro canal|no me abre|no abre|no carga|no funciona)\b", norm) and (
        topic.kind in ("open_now", "contact", "help", "human") or re.search(r"\b(?:link|enlace|chat|pagina)\b", norm)
    ):
        # "el link no me abre, ¿hay otra forma?": every ordinary channel, with its contact.
        return Reply(answers.support_contacts_answer(schedule, now), Topic("contact", answers.SUPPORT_CHANNELS, request=request))
    if misunderstood <= 1:
        options = [name for name, confidence in message.ranking
                   if name in OPTION_TITLES and confidence >= DID_YOU_MEAN_MIN_CONFIDENCE][:3]
        if options:
            buttons = [{"title": OPTION_TITLES[o], "payload": f"/{o}"} for o in options]
            kind = "did_you_mean_1" if len(options) == 1 else f"did_you_mean_{len(options)}"
            values = {f"option_{i + 1}_title": b["title"] for i, b in enumerate(buttons)}
            values.update({f"option_{i + 1}_payload": b["payload"] for i, b in enumerate(buttons)})
            return Reply(Answer(kind, values), Topic("did_you_mean", offer="did_you_mean", options=tuple(options), request=request), buttons)
        return Reply(Answer("rephrase"), Topic("help"))
    if misunderstood == 2:
        return Reply(Answer("rephrase"), Topic("help"))
    return Reply(Answer("not_understood_twice"), Topic("help"))
