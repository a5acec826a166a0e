"""Every answer the core words, rendered as the customer reads it: a snapshot of the wording.

    .venv/actions/bin/python -m tools.wording_snapshot --out /tmp/answers.txt          # the quick set
    .venv/actions/bin/python -m tools.wording_snapshot --full --out /tmp/answers.txt   # a year of moments
    .venv/actions/bin/python -m tools.wording_snapshot --update                          # rewrite the kept snapshot

Written to prove that moving the wording out of the Python code into data (``domain.yml``
and ``schedule/phrases.yml``) changed no answer: the same script, run before and after,
gives byte-identical output. It calls the core directly (no Rasa, no model):

- every answer function of ``helpdesk/answers.py`` across moments (a year with ``--full``,
  a few weeks around the December festivos otherwise), on the real schedule and on two
  edited copies (split days, a Sunday, a range to midnight, a company closed day) that reach
  the phrases the real hours never use;
- ``helpdesk/spanish.py``'s phrases, ``helpdesk/triage.py``'s steps for every combination of
  what the customer told, ``helpdesk/handoff.py``'s wording for customers and the agent's
  hours context, ``helpdesk/incidents.py``'s values;
- ``helpdesk.dialogue.respond`` on the labelled test messages of ``tests/nlu/*.yml`` (their
  intents, read as not understood too, for "¿Se refiere a …?") at several moments, and the
  conversations of ``tests/conversations/corpus_*.yml`` played turn by turn with an intent
  from a keyword table.

Each line is one answer: where it comes from, the answer kind, the text ``domain.yml``
renders for it (its buttons too) and the answer's values. ``tests/unit/test_wording.py``
compares the quick set with ``tests/wording/answers.txt``: after an intended change of
wording or hours, run ``--update`` and read the diff (it lists every answer that changed).
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from helpdesk import answers, dialogue, handoff, incidents, triage, triage_flow  # noqa: E402
from helpdesk import spanish as es  # noqa: E402
from helpdesk.answers import Answer  # noqa: E402
from helpdesk.dates import DateMention  # noqa: E402
from helpdesk.loader import build_schedule  # noqa: E402
from helpdesk.message import Message  # noqa: E402
from helpdesk.schedule import Schedule  # noqa: E402

SNAPSHOT = ROOT / "tests" / "wording" / "answers.txt"
SCHEDULE_FILE = ROOT / "schedule" / "channels.yml"
DOMAIN_FILE = ROOT / "domain.yml"

# Moments of the dialogue and of the quick set (Bogotá): open, e-mail closed, night, Saturday
# open and after it, Sunday, a festivo, before the first opening, the minute of closing.
DIALOGUE_MOMENTS = ("2026-12-01T10:00", "2026-12-01T17:30", "2026-12-01T22:00", "2026-12-05T11:00",
                    "2026-12-05T14:00", "2026-12-06T03:00", "2026-12-08T10:00", "2026-12-24T06:30")
QUICK_DIALOGUE_MOMENTS = ("2026-12-01T22:00", "2026-12-05T14:00")
# --full: every day of a year and a bit, at these times.
TIMES = ("00:30", "06:59", "07:00", "08:00", "10:15", "12:00", "12:30", "13:00", "16:59", "17:00", "18:59",
         "19:00", "22:00")
# The quick set: before the first opening, open, the e-mail closed, night, the last minute, Saturday
# open and after it, Sunday, the eve of a festivo, the festivo, a company closed day of the edited
# copy, the year's last night.
QUICK_MOMENTS = ("2026-11-30T06:59", "2026-12-01T10:15", "2026-12-01T17:00", "2026-12-01T22:00",
                 "2026-12-04T18:59", "2026-12-05T12:30", "2026-12-05T14:00", "2026-12-06T03:00",
                 "2026-12-07T19:00", "2026-12-08T10:00", "2026-12-24T12:00", "2026-12-31T23:00")


# ------------------------------------------------------------------ data


def schedules() -> dict[str, Schedule]:
    """The real schedule and two edited copies that reach the phrases the real hours do not."""
    real = yaml.safe_load(SCHEDULE_FILE.read_text(encoding="utf-8"))
    split = copy.deepcopy(real)
    split["channels"]["support_line"]["hours"]["monday"] = ["07:00-12:00", "14:00-19:00"]
    split["channels"]["chat"]["hours"]["saturday"] = ["08:30-12:00"]
    split["channels"]["chat"]["hours"]["sunday"] = ["09:00-11:00"]
    split["channels"]["email"]["hours"]["friday"] = ["07:00-24:00"]
    split["channels"]["email"]["contacts"][0]["extensions"] = ["201"]
    split["company_closed_days"] = [{"date": "2026-12-24", "reason": "cierre de fin de año"},
                                    {"date": "2026-12-30", "reason": "inventario"}]
    thin = copy.deepcopy(real)
    for cid in ("support_line", "chat", "email"):
        thin["channels"][cid]["hours"] = {"tuesday": ["09:00-10:30"], "wednesday": ["09:00-10:30"],
                                          "saturday": ["10:00-24:00"]}
    thin["channels"]["pqrsa"]["hours"] = {"thursday": ["12:00-13:00"], "friday": ["13:00-14:00"]}
    return {"real": build_schedule(real, str(SCHEDULE_FILE)), "split": build_schedule(split, "split"),
            "thin": build_schedule(thin, "thin")}


def domain_variations() -> dict[str, dict[str, Any]]:
    """answer_kind -> the ``utter_answer`` variation that words it (as Rasa picks it)."""
    domain = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))
    found: dict[str, dict[str, Any]] = {}
    for variation in domain["responses"]["utter_answer"]:
        conditions = {c.get("name"): c.get("value") for c in variation.get("condition") or []}
        if conditions.get("answer_ready") is True and "answer_kind" in conditions:
            found.setdefault(conditions["answer_kind"], variation)
    return found


VARIATIONS: dict[str, dict[str, Any]] = {}


def render(answer: Answer) -> str:
    """The text and buttons the customer reads, filled as Rasa fills the slots."""
    if not VARIATIONS:
        VARIATIONS.update(domain_variations())
    variation = VARIATIONS.get(answer.kind)
    if variation is None:
        return f"<no utter_answer variation for {answer.kind}>"

    def fill(text: str) -> str:
        for name, value in answer.values.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    text = fill(variation.get("text") or "")
    buttons = [f"[{fill(b.get('title', ''))} -> {fill(b.get('payload', ''))}]" for b in variation.get("buttons") or []]
    return " ".join([text, *buttons])


WITH_VALUES: list[bool] = [False]


def line(source: str, answer: Answer) -> str:
    """One answer: source, kind, rendered text (and, with --full, its values)."""
    text = render(answer).replace("\n", "\\n")
    if not WITH_VALUES[0]:
        return f"{source}\t{answer.kind}\t{text}"
    values = json.dumps(answer.values, ensure_ascii=False, sort_keys=True)
    return f"{source}\t{answer.kind}\t{text}\t{values}"


def phrase(source: str, text: object) -> str:
    return f"{source}\t-\t{str(text)}".replace("\n", "\\n")


def at(moment: str) -> datetime:
    from helpdesk.clock import parse_moment

    return parse_moment(moment)


def moments(full: bool) -> list[datetime]:
    if not full:
        return [at(m) for m in QUICK_MOMENTS]
    out = []
    for offset in range(376):
        day = date(2026, 1, 1) + timedelta(days=offset)
        for t in TIMES:
            out.append(at(f"{day.isoformat()}T{t}"))
    return out


# ------------------------------------------------------------- sections


def spanish_phrases(name: str, schedule: Schedule, full: bool) -> Iterator[str]:
    for minute in range(0, 24 * 60 + 1, 5 if full else 15):
        yield phrase(f"{name} format_time {minute}", es.format_time(minute))
        yield phrase(f"{name} at_time {minute}", es.at_time(minute))
    for items in ([], ["a"], ["a", "b"], ["a", "b", "c"], ["a", "inglés"], ["a", "hielo"], ["a", "Isabel"]):
        yield phrase(f"{name} join {items}", es.join(items))
    for text in ("hasta las 7:00 p. m.", "abierto", "¿sí?", "hola ", "¡ya!"):
        yield phrase(f"{name} sentence {text!r}", es.sentence(text))
        yield phrase(f"{name} capitalize {text!r}", es.capitalize(text))
    channels = list(schedule.channels.values())
    for c in channels:
        yield phrase(f"{name} weekly {c.id}", es.format_weekly_hours(c))
        yield phrase(f"{name} contacts {c.id}", es.format_contacts(c.contacts))
        yield phrase(f"{name} short {c.id}", es.short(c))
        for day, ranges in sorted(c.weekly_hours.items()):
            yield phrase(f"{name} ranges {c.id} {day}", es.format_ranges(ranges))
    for k in range(1, len(channels) + 1):
        yield phrase(f"{name} names {k}", es.names(channels[:k]))
    for level in schedule.escalation_levels.values():
        yield phrase(f"{name} level-contacts {level.id}", es.format_contacts(level.contacts))
    days = range(0, 400, 1 if full else 9)
    for offset in days:
        day = date(2026, 1, 1) + timedelta(days=offset)
        yield phrase(f"{name} date {day}", es.format_date(day))
    for now in moments(full)[:: 3 if full else 2]:
        stamp = now.isoformat()
        for hours in (0, 1, 5, 20, 26, 49, 100, 160, 170, 400):
            then = now + timedelta(hours=hours, minutes=7 * hours % 60)
            yield phrase(f"{name} when {stamp} +{hours}h", es.format_when(then, now))
        for delta in (-1, 0, 1, 2, 6, 7, 30):
            yield phrase(f"{name} day_label {stamp} {delta}", es.day_label(now.date() + timedelta(days=delta), now.date()))
        yield phrase(f"{name} until {stamp}", es.until(now))
        for c in channels:
            yield phrase(f"{name} status {c.id} {stamp}", es.channel_status(schedule, c, now))
            yield phrase(f"{name} short-desc {c.id} {stamp}", es.describe_channel_short(schedule, c, now))
            yield phrase(f"{name} short-desc-unnamed {c.id} {stamp}",
                         es.describe_channel_short(schedule, c, now, with_name=False))
            if schedule.is_open(c.id, now):
                yield phrase(f"{name} open-desc {c.id} {stamp}", es.describe_open_channel(schedule, c, now))
        for level in schedule.escalation_levels.values():
            for kinds in ((), ("phone",), ("email",)):
                yield phrase(f"{name} level {level.id} {kinds} {stamp}", es.describe_level(schedule, level, now, kinds))
            yield phrase(f"{name} level-unnamed {level.id} {stamp}",
                         es.describe_level(schedule, level, now, with_name=False))
    yield phrase(f"{name} until None", es.until(None))
    yield phrase(f"{name} lines", es.list_lines(["uno", "dos"]))


def support_closed(schedule: Schedule, now: datetime) -> bool:
    return not [c for c in schedule.open_channels("support", now) if not c.always_open]


def answer_functions(name: str, schedule: Schedule, full: bool) -> Iterator[str]:
    """The answer functions at each moment (the edited copies at every third one)."""
    ids = list(schedule.channels) + list(schedule.escalation_levels)
    support = list(answers.SUPPORT_CHANNELS)
    contact_asks = [[], support, ["chat", "email"], ["support_line", "priority_line"]] + [[i] for i in ids]
    yield line(f"{name} priority_procedure", answers.priority_procedure_answer(schedule))
    yield phrase(f"{name} priority_contact", answers.priority_contact(schedule))
    yield phrase(f"{name} email_contact", answers.email_contact(schedule))
    for cid in schedule.channels:
        yield phrase(f"{name} contact_sentence {cid}", answers.contact_sentence(schedule, cid))
    for text in ("", "Vuelven a atender mañana."):
        yield phrase(f"{name} with_email_meanwhile {text!r}", answers.with_email_meanwhile(schedule, text))
    for now in moments(full)[:: 1 if name == "real" else 3]:
        stamp = now.isoformat()
        out: list[tuple[str, Answer]] = []
        for asked in contact_asks:
            out.append((f"contact {asked}", answers.contact_answer(schedule, asked, now)))
        for asked, kinds in ((["pqrsa"], ("phone",)), (["pqrsa"], ("email",)), (["supervisor"], ("phone",)),
                             (support, ("email",)), (["coordinator"], ("email",))):
            out.append((f"contact {asked} {kinds}", answers.contact_answer(schedule, asked, now, kinds)))
        out.append(("support_contacts", answers.support_contacts_answer(schedule, now)))
        for asked in ([], support, ["email"], ["chat"], ["pqrsa"], ["priority_line"], ["support_line", "email"]):
            out.append((f"hours_week {asked}", answers.hours_week_answer(schedule, asked, now)))
        for weekday in range(7):
            for asked in ([], ["email"], ["pqrsa"], ["chat"]) if full else ([], ["pqrsa"]):
                out.append((f"hours_weekday {weekday} {asked}", answers.hours_weekday_answer(schedule, asked, weekday, now)))
        out.append(("holidays", answers.holidays_answer(schedule, now)))
        for offset in (0, 1, 2, 6) if full else (0, 2):
            day = now.date() + timedelta(days=offset)
            mentions = [DateMention(day=day), DateMention(day=day, part="morning"),
                        DateMention(day=day, part="afternoon"), DateMention(day=day, part="evening"),
                        DateMention(day=day, at=time(7, 30)), DateMention(day=day, at=time(12, 0)),
                        DateMention(day=day, at=time(18, 0)), DateMention(day=day, at=time(20, 0))]
            for mention in mentions if full else mentions[::2] + [mentions[-1]]:
                for asked in ([], ["email"], ["pqrsa"]) if full else ([], ["email"]):
                    out.append((f"hours_on_date {mention} {asked}",
                                 answers.hours_on_date_answer(schedule, asked, mention, now)))
        for request_type in ("support", "critical"):
            out.append((f"open_now {request_type}", answers.open_now_answer(schedule, now, request_type)))
        out.append(("support", answers.support_answer(schedule, now)))
        out.append(("critical", answers.critical_answer(schedule, now)))
        out.append(("not_critical", answers.not_critical_answer(schedule, now)))
        for request_type in (None, "peticion", "queja", "reclamo", "sugerencia", "apelacion", "otra"):
            out.append((f"pqrsa {request_type}", answers.pqrsa_answer(schedule, request_type, now)))
        out.append(("pqrsa phone", answers.pqrsa_answer(schedule, "queja", now, ("phone",))))
        out.append(("levels", answers.escalation_levels_answer(schedule, now)))
        for level in schedule.escalation_levels:
            for case in (None, "CAS-20931"):
                out.append((f"escalation {level} {case}", answers.escalation_answer(schedule, now, level, case)))
        out.append(("human_available", answers.human_available_answer(schedule, now)))
        out.append(("human_unavailable", answers.human_unavailable_answer(schedule, now)))
        out.append(("no_answer_critical", answers.no_answer_critical_answer(schedule, now)))
        for tried in (["support_line"], ["chat"], ["email"], ["support_line", "chat", "email"]):
            out.append((f"no_answer {tried}", answers.no_answer_answer(schedule, now, tried)))
        for kind in ("price_unknown", "case_status_unknown"):
            for case in (None, "45821"):
                out.append((f"unknown {kind} {case}", answers.unknown_answer(schedule, now, kind, case)))
        for source, answer in out:
            yield line(f"{name} {stamp} {source}", answer)
        yield phrase(f"{name} {stamp} next_support_opening", answers.next_support_opening(schedule, now))
        yield phrase(f"{name} {stamp} open_lines", answers.open_lines(
            schedule, [c for c in schedule.channels.values() if schedule.is_open(c.id, now)], now))
        if support_closed(schedule, now):  # its precondition: the regular channels are closed
            yield phrase(f"{name} {stamp} closed_reason", answers.closed_reason(schedule, now))
        if now.hour == 22:
            for offset in range(0, 9):
                day = now.date() + timedelta(days=offset)
                label = es.day_label(day, now.date())
                for reason in (None, "festivo (Navidad)"):
                    for asked in (support, ["pqrsa"]):
                        channels = [schedule.channel(c) for c in asked]
                        yield phrase(f"{name} {stamp} closed_day {offset} {reason} {asked}",
                                     answers.closed_day_sentence(label, day, reason, channels, now.date()))


def said_once(name: str, schedule: Schedule, full: bool) -> Iterator[str]:
    """The closed-hours explanation said a second time in the same closed period."""
    for now in moments(full)[::2]:
        answer = answers.open_now_answer(schedule, now)
        if "closed_reason" not in answer.values:
            continue
        opening = schedule.next_opening_for("support", now)
        before = dialogue.Topic(closed_until=opening.moment.isoformat() if opening else None)
        again, _ = dialogue.closed_said_once(answer, before, dialogue.Topic(), schedule, now)
        yield line(f"{name} {now.isoformat()} closed_again", again)


def triage_steps(name: str, schedule: Schedule, full: bool) -> Iterator[str]:
    services = (None, "firma_digital", "estampado_cronologico", "otro")
    blocked = (None, True, False)
    descriptions = (None, "", "no me deja firmar el pdf")
    skips = ((), ("affected_service",), ("operation_blocked",), ("affected_service", "operation_blocked"),
             ("problem_description",))
    if not full:
        descriptions, skips = (None, "no me deja firmar el pdf"), ((), ("operation_blocked",))
    for service in services:
        for b in blocked:
            for d in descriptions:
                known = triage.TriageAnswers(service, b, d)
                yield phrase(f"{name} email_checklist {known}", triage.email_checklist(known))
                priority = triage.decide_priority(known)
                yield phrase(f"{name} priority {known}", priority and f"{priority.level} {priority.reason}")
    for now in moments(full)[:: 4 if full else 3]:
        for service in services:
            for b in blocked:
                for d in descriptions:
                    for skipped in skips:
                        known = triage.TriageAnswers(service, b, d)
                        source = f"{name} {now.isoformat()} triage {known} {skipped}"
                        try:
                            step = triage.triage_step(schedule, now, known, skipped)
                        except KeyError as exc:  # the e-mail open while the agents are not (edited copies)
                            yield phrase(source, f"KeyError {exc}")
                            continue
                        yield line(f"{source} -> {step.question}", step.answer)


def people(name: str, schedule: Schedule, full: bool) -> Iterator[str]:
    yield phrase(f"{name} agent_hours_short", handoff.agent_hours_short(schedule))
    for seconds in range(0, 1500, 7):
        yield phrase(f"{name} expected_wait {seconds}", handoff.expected_wait_text(seconds))
    for now in moments(full):
        stamp = now.isoformat()
        yield phrase(f"{name} {stamp} hours_context", json.dumps(handoff.hours_context(schedule, now), ensure_ascii=False))
        yield phrase(f"{name} {stamp} alternatives_now", handoff.alternatives_now(schedule, now))
        yield line(f"{name} {stamp} no_agent", handoff.no_agent_answer(schedule, now))
        for on_duty in (None, True, False):
            yield line(f"{name} {stamp} in_chat {on_duty}", handoff.in_chat_answer(schedule, now, on_duty))


def known_incidents(full: bool) -> Iterator[str]:
    for now in moments(full)[:: 5 if full else 6]:
        for service in ("firma_digital", "estampado_cronologico", "ambos"):
            for hours_ago in (0, 1, 3, 20, 30, 80, 200):
                since = now - timedelta(hours=hours_ago, minutes=13)
                for message, estimate, update in (("", "", ""), ("Estamos revisando", "hacia las 3:00 p. m.", ""),
                                                  ("Falla del proveedor.", "", "ya casi"),
                                                  ("Sin servicio", "dos horas", "restableciendo.")):
                    incident = incidents.Incident(1, service, since, message, estimate, update)
                    values = incidents.values(incident, now)
                    yield phrase(f"incident {now.isoformat()} {service} -{hours_ago}h {message!r} {estimate!r} {update!r}",
                                 json.dumps(values, ensure_ascii=False, sort_keys=True))


# ------------------------------------------------------------- dialogue

_MARKUP = re.compile(r"\[([^\]]+)\](?:\((\w+)(?::([^)]+))?\)|\{([^}]*)\})")


def parse_example(text: str) -> tuple[str, tuple[dict[str, Any], ...]]:
    """An NLU training example without its markup, and its entities."""
    entities = []
    plain = ""
    last = 0
    for m in _MARKUP.finditer(text):
        plain += text[last:m.start()]
        surface = m.group(1)
        if m.group(4) is not None:
            data = json.loads("{" + m.group(4) + "}")
            entity, value = data.get("entity"), data.get("value", surface)
        else:
            entity, value = m.group(2), m.group(3) or surface
        entities.append({"entity": entity, "value": value, "start": len(plain), "end": len(plain) + len(surface)})
        plain += surface
        last = m.end()
    return plain + text[last:], tuple(entities)


def nlu_examples() -> list[tuple[str, str, tuple[dict[str, Any], ...]]]:
    found = []
    for path in sorted((ROOT / "tests" / "nlu").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for block in data.get("nlu") or []:
            intent = block.get("intent")
            if not intent:
                continue
            for raw in (block.get("examples") or "").splitlines():
                raw = raw.strip()
                if raw.startswith("- "):
                    text, entities = parse_example(raw[2:])
                    found.append((intent.split("+")[0], text, entities))
    return found


# A keyword table for the corpus turns (their intents are not written down): first match wins.
KEYWORDS: tuple[tuple[str, str], ...] = (
    (r"^(ok|listo|gracias|muchas gracias|bueno|vale|perfecto|chao|adios)\b.{0,25}$", "thank"),
    (r"\b(repite|repetir|otra vez)\b", "ask_repeat"),
    (r"\b(nadie contesta|no contestan|no contesta|nadie responde|no responden)\b", "report_no_answer"),
    (r"\b(se cayo|caido|no responde|detenid|bloquead|no podemos|ningun usuario|todos los usuarios|nomina|dian)\b",
     "report_critical_incident"),
    (r"\b(coordinador)\b", "escalate_to_coordinator"),
    (r"\b(supervisor|escalar|escalo)\b", "request_escalation"),
    (r"\b(queja|reclamo|peticion|pqrs|sugerencia|apelacion)\b", "submit_pqrsa"),
    (r"\b(asesor|persona|humano|agente)\b", "request_human"),
    (r"\b(precio|cuesta|vale|valor|tarifa)\b", "ask_price"),
    (r"\b(caso|radicado|ticket|solicitud)\b", "ask_case_status"),
    (r"\b(niveles)\b", "ask_escalation_levels"),
    (r"\b(horario|hora|abren|cierran|sabado|domingo|festivo|lunes|martes|manana|hasta que)\b", "ask_opening_hours"),
    (r"\b(ahora|ahorita|ya|alguien|abierto)\b", "ask_open_now"),
    (r"\b(correo|telefono|numero|link|chat|whatsapp|celular|linea|contacto|email|mail)\b", "ask_contact"),
    (r"\b(error|no puedo|no me deja|problema|falla|no funciona|no carga|bloqueo|pin)\b", "report_problem"),
    (r"\b(renovar|instalar|comprar|token|certificado)\b", "request_support"),
    (r"^(si|claro|correcto|exacto)\b", "affirm"),
    (r"^(no|nop|negativo)\b", "deny"),
    (r"\b(hola|buenas|buenos dias)\b", "greet"),
)


def corpus_intent(text: str) -> str:
    from helpdesk.text import fold

    folded = fold(text)
    for pattern, intent in KEYWORDS:
        if re.search(pattern, folded):
            return intent
    return "nlu_fallback"


# The intents the NLU ranks after the first guess of a message it did not understand.
RANKED_INTENTS = ("ask_contact", "ask_opening_hours", "ask_open_now", "request_support", "report_problem",
                  "report_critical_incident", "submit_pqrsa", "request_escalation", "escalate_to_coordinator",
                  "ask_escalation_levels", "request_human", "ask_price", "ask_case_status")


def fallback_of(intent: str, options: tuple[str, ...]) -> Message:
    """A message the NLU did not understand, with ``intent`` first among its guesses."""
    ranking = [("nlu_fallback", 0.4), (intent, 0.25)] + [(o, 0.2 - 0.05 * i) for i, o in enumerate(options) if o != intent]
    return Message("nlu_fallback", "", 0.4, ranking=tuple(ranking))


def dialogue_answers(schedule: Schedule, full: bool) -> Iterator[str]:
    examples = nlu_examples()
    if not full:
        examples = examples[::8]
    moments_ = DIALOGUE_MOMENTS if full else QUICK_DIALOGUE_MOMENTS
    for stamp in moments_:
        now = at(stamp)
        for i, (intent, text, entities) in enumerate(examples):
            message = Message(intent, text, 0.9, entities, channel="socketio" if i % 5 == 0 else "rest")
            reply = dialogue.respond(message, dialogue.Topic(), schedule, now)
            for j, earlier in enumerate(reply.before):
                yield line(f"dialogue {stamp} {intent} {text!r} before {j}", earlier)
            yield line(f"dialogue {stamp} {intent} {text!r}", reply.answer)
            if full and i % 3 == 0:
                offer = dialogue.Topic("open_now", ("support_line",), offer="critical_check",
                                       closed_until=reply.topic.closed_until)
                again = dialogue.respond(message, offer, schedule, now)
                yield line(f"dialogue {stamp} {intent} {text!r} after an offer", again.answer)
    # "¿Se refiere a …?" with one, two or three options, then the second and third misses.
    intents = sorted({intent for intent, _, _ in nlu_examples()})
    for stamp in moments_[:2]:
        now = at(stamp)
        for intent in intents:
            for k in (1, 2, 3):
                others = tuple(o for o in RANKED_INTENTS if o != intent)[k - 1: k + 1]
                message = fallback_of(intent, others)
                for misunderstood in (1, 2, 3):
                    reply = dialogue.respond(message, dialogue.Topic(), schedule, now, misunderstood)
                    yield line(f"fallback {stamp} {intent} {others} {misunderstood}", reply.answer)


def corpus_conversations(schedule: Schedule, full: bool) -> Iterator[str]:
    from tests.conversations import corpus

    conversations = corpus.load()
    if not full:
        conversations = conversations[::2]
    for conversation in conversations:
        now = at(conversation.now)
        topic = dialogue.Topic()
        for n, turn in enumerate(conversation.turns):
            intent = corpus_intent(turn.user)
            message = Message(intent, turn.user, 0.9, channel="socketio" if n % 2 else "rest")
            source = f"corpus {conversation.id} {n} {intent}"
            if intent in ("report_problem", "report_critical_incident"):
                decided = triage_flow.decide(message, continuing=False, slots={}, previous=topic, schedule=schedule,
                                             now=now)
                if decided.reply is not None:
                    reply = decided.reply
                else:
                    answer, after = dialogue.closed_said_once(decided.step.answer, topic, decided.topic(topic),
                                                              schedule, now)
                    reply = dialogue.Reply(answer, after)
            else:
                reply = dialogue.respond(message, topic, schedule, now)
            for j, earlier in enumerate(reply.before):
                yield line(f"{source} before {j}", earlier)
            yield line(source, reply.answer)
            topic = dialogue.Topic.from_slot(reply.topic.to_slot())


def with_incidents(schedule: Schedule) -> Iterator[str]:
    for stamp in ("2026-12-01T10:00", "2026-12-01T22:00"):
        now = at(stamp)
        for service in ("firma_digital", "estampado_cronologico", "ambos"):
            known = (incidents.Incident(7, service, now - timedelta(hours=2), "Estamos revisando.", "hacia las 4:00 p. m.",
                                        "El proveedor respondió"),)
            for intent, text in (("report_problem", "no me deja firmar con la firma digital"),
                                 ("report_problem", "el estampado no funciona"),
                                 ("report_critical_incident", "se cayó el estampado y tenemos la producción detenida"),
                                 ("report_critical_incident", "ningún usuario puede firmar, todo detenido"),
                                 ("ask_open_now", "¿está funcionando la firma digital?")):
                reply = dialogue.respond(Message(intent, text, 0.95), dialogue.Topic(), schedule, now, incidents=known)
                yield line(f"incident-dialogue {stamp} {service} {text!r}", reply.answer)


# ------------------------------------------------------------------ all


def lines(full: bool = False) -> Iterator[str]:
    """Every rendered answer of the set, in a fixed order."""
    sections: list[tuple[str, Callable[[], Iterator[str]]]] = []
    for name, schedule in schedules().items():
        sections += [
            (f"spanish {name}", lambda n=name, s=schedule: spanish_phrases(n, s, full)),
            (f"answers {name}", lambda n=name, s=schedule: answer_functions(n, s, full)),
            (f"said_once {name}", lambda n=name, s=schedule: said_once(n, s, full)),
            (f"triage {name}", lambda n=name, s=schedule: triage_steps(n, s, full)),
            (f"people {name}", lambda n=name, s=schedule: people(n, s, full)),
        ]
    real = schedules()["real"]
    sections += [
        ("incidents", lambda: known_incidents(full)),
        ("dialogue", lambda: dialogue_answers(real, full)),
        ("corpus", lambda: corpus_conversations(real, full)),
        ("incident dialogue", lambda: with_incidents(real)),
    ]
    for title, produce in sections:
        yield f"## {title}"
        yield from produce()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="a year of moments and every test message (minutes)")
    parser.add_argument("--values", action="store_true", help="each answer's values too, after its text")
    parser.add_argument("--out", type=Path, help="write here (default: standard output)")
    parser.add_argument("--update", action="store_true", help=f"rewrite {SNAPSHOT.relative_to(ROOT)} (the quick set)")
    args = parser.parse_args(argv)
    if args.update:
        args.out, args.full = SNAPSHOT, False
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
    WITH_VALUES[0] = args.values
    text = "\n".join(lines(args.full)) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"{args.out}: {text.count(chr(10))} lines", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
