"""The conversation corpus: loading it, playing it against the assistant, checking every answer.

The corpus (``tests/conversations/corpus_*.yml``) was written from ``SPEC.md`` by people
who did not read the implementation. Each conversation has a fixed moment (the action
server's ``ASSISTANT_NOW``) and checks on the answers; ``SPEC.md`` defines them. This
module knows the checks and the global rules; ``tests/live/test_corpus.py`` plays the
corpus in ``make test`` and ``tools/play_corpus.py`` prints the full report.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
MAX_CHARS = 700
SHORT_CHARS = 400

# How each contact key is recognised in an answer (digits compared without spacing).
_DIGITS = {
    "priority_line": "3187174937",
    "escalation_phone": "7452141",
}
_TEXTS = {
    "email": "soporte.firmadigital@certicamara.com",
    "chat": "chat.certicamara.com",
    "pqrsa_email": "certicamararesponde@certicamara.com",
    "supervisor": "supervisor.mesadeayuda@certicamara.com",
    "coordinator": "coordinador.mesadeayuda@certicamara.com",
}
CONTACT_KEYS = ("support_line", "pqrsa_phone", *_DIGITS, *_TEXTS)
_IDENTIFIER = re.compile(r"\b[a-z]+_[a-z_]+\b")
_BARE_MENU = "¿en que mas le puedo ayudar?"


def fold(text: str) -> str:
    """Lowercase, no accents, spaces collapsed: how `says` compares."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(text.split())


def has_contact(key: str, answer: str) -> bool:
    """Whether an answer gives the contact named by ``key``."""
    digits = re.sub(r"\D", "", answer)
    folded = fold(answer)
    if key in _DIGITS:
        return _DIGITS[key] in digits
    if key in _TEXTS:
        return _TEXTS[key] in folded
    if key in ("support_line", "pqrsa_phone"):
        option = "opcion 2" if key == "support_line" else "opcion 3"
        return "7442727" in digits and option in folded
    raise KeyError(f"unknown contact key {key!r}; known: {', '.join(CONTACT_KEYS)}")


@dataclass
class Turn:
    user: str
    expect: dict[str, Any]
    closes: bool = False


@dataclass
class Conversation:
    id: str
    cls: str
    now: str
    turns: list[Turn]
    note: str = ""
    source: str = ""


@dataclass
class TurnResult:
    user: str
    answer: str
    buttons: list[str]
    failures: list[str]
    intent: str | None = None


@dataclass
class Result:
    conversation: Conversation
    turns: list[TurnResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(not t.failures for t in self.turns)

    @property
    def failures(self) -> list[str]:
        return [f"turn {i + 1} ({t.user!r}): {f}" for i, t in enumerate(self.turns) for f in t.failures]


def load(paths: Iterable[Path] | None = None) -> list[Conversation]:
    """Every conversation of the corpus files, sorted by moment (fewer clock changes)."""
    conversations = []
    for path in sorted(paths or HERE.glob("corpus_*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for raw in data["conversations"]:
            turns = [Turn(t["user"], t.get("expect") or {}, bool(t.get("closes"))) for t in raw["turns"]]
            conversations.append(Conversation(raw["id"], raw["class"], str(raw["now"]), turns, raw.get("note", ""), path.name))
    return sorted(conversations, key=lambda c: (c.now, c.id))


def with_first_turns(conversations: list[Conversation], path: Path) -> list[Conversation]:
    """The conversations whose first message has a replacement in ``path`` ({first_turns: [{id, text}]}),
    with that message instead: paraphrases of the corpus measure how much of it was memorised."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    texts = {row["id"]: row["text"] for row in data["first_turns"]}
    out = []
    for c in conversations:
        if c.id in texts:
            first = Turn(texts[c.id], c.turns[0].expect, c.turns[0].closes)
            out.append(Conversation(c.id, c.cls, c.now, [first, *c.turns[1:]], c.note, c.source))
    return out


def check(turn: Turn, answer: str) -> list[str]:
    """Every check of one turn, the turn's own and the global ones, on the answer's text."""
    failures = []
    expect = turn.expect
    folded = fold(answer)
    for key in expect.get("has", []):
        if not has_contact(key, answer):
            failures.append(f"missing {key}")
    for key in expect.get("lacks", []):
        if has_contact(key, answer):
            failures.append(f"should not give {key}")
    for item in expect.get("says", []):
        options = item if isinstance(item, list) else [item]
        if not any(fold(str(o)) in folded for o in options):
            failures.append(f"does not say {options}")
    for item in expect.get("not_says", []):
        if fold(str(item)) in folded:
            failures.append(f"says {item!r}")
    if expect.get("asks") and "?" not in answer:
        failures.append("does not ask anything")
    # Global rules.
    allowed = set(expect.get("has", [])) | set(expect.get("may", []))
    if "priority_line" not in allowed and has_contact("priority_line", answer):
        failures.append("gives the 24/7 line where it does not belong")
    if len(answer) > MAX_CHARS:
        failures.append(f"answer of {len(answer)} characters (at most {MAX_CHARS})")
    if not answer.strip():
        failures.append("no answer")
    if not turn.closes and folded.strip() == _BARE_MENU:
        failures.append("dead end: only '¿En qué más le puedo ayudar?'")
    for bad in ("(observado)", "None", "{"):
        if bad in answer:
            failures.append(f"shows {bad!r}")
    if _IDENTIFIER.search(answer.replace("mailto:", "").split("?subject=")[0]):
        failures.append(f"shows an identifier ({_IDENTIFIER.search(answer).group(0)})")
    return failures


Send = Callable[[str, str], list[dict[str, Any]]]


def play(conversation: Conversation, send: Send, intent_of: Callable[[str], list[str]] | None = None) -> Result:
    """Play one conversation with ``send(sender, text) -> messages``; check each answer."""
    sender = f"corpus-{conversation.id}-{uuid.uuid4().hex[:6]}"
    result = Result(conversation)
    for turn in conversation.turns:
        messages = send(sender, turn.user)
        answer = "\n".join(m.get("text", "") for m in messages if m.get("text"))
        buttons = [b.get("title", "") for m in messages for b in m.get("buttons") or []]
        result.turns.append(TurnResult(turn.user, answer, buttons, check(turn, answer)))
    if intent_of is not None:
        for turn, intent in zip(result.turns, intent_of(sender), strict=False):
            turn.intent = intent
    return result


HELD_OUT_SHARE = 5  # one conversation in five is only measured, never fixed against


def held_out(conversation_id: str) -> bool:
    """Whether a conversation belongs to the held-out fifth of the corpus: a fixed split by
    the hash of its id, so it never depends on what fails. Its pass rate is reported apart
    and its failures are not printed (tools/play_corpus.py --show-held-out prints them)."""
    return int(hashlib.sha1(conversation_id.encode()).hexdigest(), 16) % HELD_OUT_SHARE == 0


def report(results: list[Result]) -> dict[str, Any]:
    """Pass rate per class, fallback share of turns, answer lengths, the worst defect count."""
    by_class: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_class[r.conversation.cls].append(r)
    lengths = [len(t.answer) for r in results for t in r.turns]
    intents = [t.intent for r in results for t in r.turns if t.intent]
    wrong_247 = [
        (r.conversation.id, t.user) for r in results for t in r.turns
        if any("24/7 line where it does not belong" in f for f in t.failures)
    ]
    tuned = [r for r in results if not held_out(r.conversation.id)]
    measured = [r for r in results if held_out(r.conversation.id)]
    return {
        "conversations": len(results),
        "passed": sum(r.passed for r in results),
        "pass_rate": sum(r.passed for r in results) / len(results) if results else 0.0,
        "fixed_against": {"conversations": len(tuned), "passed": sum(r.passed for r in tuned),
                          "pass_rate": round(sum(r.passed for r in tuned) / len(tuned), 4) if tuned else None},
        "held_out": {"conversations": len(measured), "passed": sum(r.passed for r in measured),
                     "pass_rate": round(sum(r.passed for r in measured) / len(measured), 4) if measured else None},
        "by_class": {
            cls: {"conversations": len(rs), "passed": sum(r.passed for r in rs),
                  "pass_rate": round(sum(r.passed for r in rs) / len(rs), 4)}
            for cls, rs in sorted(by_class.items())
        },
        "turns": len(lengths),
        "answers_at_most_400": round(sum(n <= SHORT_CHARS for n in lengths) / len(lengths), 4) if lengths else 0.0,
        "longest_answer": max(lengths) if lengths else 0,
        "too_long": [(r.conversation.id, i + 1, len(t.answer)) for r in results for i, t in enumerate(r.turns)
                     if len(t.answer) > MAX_CHARS],
        "fallback_share": round(Counter(intents)["nlu_fallback"] / len(intents), 4) if intents else None,
        "priority_line_where_it_does_not_belong": wrong_247,
    }


def markdown(results: list[Result], summary: dict[str, Any], show_held_out: bool = False) -> str:
    """The report for people: figures, then every failing conversation with its answers
    (the held-out fifth's failures only counted, unless ``show_held_out``)."""
    lines = [
        "# Conversation corpus report", "",
        f"{summary['passed']} of {summary['conversations']} conversations pass ({summary['pass_rate']:.1%}).",
        f"Answers of at most 400 characters: {summary['answers_at_most_400']:.1%} of {summary['turns']} turns; "
        f"longest {summary['longest_answer']}. Fallback share of turns: {summary['fallback_share']}.",
        f"Fixed against: {summary['fixed_against']['passed']} of {summary['fixed_against']['conversations']}; "
        f"held out (only measured): {summary['held_out']['passed']} of {summary['held_out']['conversations']}.", "",
        "| class | conversations | passed | rate |", "|---|---:|---:|---:|",
    ]
    for cls, row in summary["by_class"].items():
        lines.append(f"| {cls} | {row['conversations']} | {row['passed']} | {row['pass_rate']:.1%} |")
    lines += ["", "## Failures", ""]
    hidden = 0
    for r in results:
        if r.passed:
            continue
        if held_out(r.conversation.id) and not show_held_out:
            hidden += 1
            continue
        c = r.conversation
        lines.append(f"### {c.id} ({c.cls}, {c.now}, {c.source})")
        for t in r.turns:
            lines.append(f"- **{t.user}** [{t.intent}]")
            lines.append("  > " + t.answer.replace("\n", "\n  > "))
            for f in t.failures:
                lines.append(f"  - ✗ {f}")
        lines.append("")
    if hidden:
        lines.append(f"({hidden} failing held-out conversations not shown.)")
    return "\n".join(lines)
