"""Play the labelled tables through the running assistant, as customers would write them.

    .venv/actions/bin/python -m tools.play_tables                       # both tables, originals
    .venv/actions/bin/python -m tools.play_tables --priority FILE       # another priority table (paraphrases)
    .venv/actions/bin/python -m tools.play_tables --dates FILE --no-priority

The unit tests read the tables with the core's functions alone; this tool asks the whole
stack (NLU + rules + actions), which is what a customer gets:

- priority table, ``context: message``: the sentence is a conversation's first message, after
  hours (Tuesday 22:00) and in office hours (Tuesday 10:00); a critical sentence must get the
  24/7 line both times, a non-critical one never;
- priority table, ``context: reply``: after hours, "buenas noches, tengo un problema con la
  firma digital" first; when the assistant asks whether the problem stops the operation, the
  sentence is the reply (a run where the question is not asked counts as a failure);
- date table: the question at its moment; the answer must name the date ("8 de diciembre"),
  or "hoy"/"mañana" for today and tomorrow.

Writes var/tables-report.json (figures and every failure) and prints the figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from tests.conversations import corpus
from tools import stack
from tools.play_corpus import VAR, LiveAssistant

AFTER_HOURS = "2026-12-01T22:00"  # a Tuesday night
OFFICE_HOURS = "2026-12-01T10:00"  # the same Tuesday, morning
REPLY_OPENER = "buenas noches, tengo un problema con la firma digital"
MONTHS = ("enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre").split()


def _text(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def _asks_operation(answer: str) -> bool:
    folded = corpus.fold(answer)
    return "operacion" in folded and "?" in answer


def play_priority(assistant: Any, rows: list[dict], originals: list[dict] | None = None) -> dict:
    """Each row at its context; the label comes from ``originals`` (same ids/order) when given.
    ``assistant`` has ``set_moment(moment)`` and ``send(sender, text)`` (``LiveAssistant``)."""
    labels = originals or rows
    failures, setup_failures = [], []
    counts = {"critical": [0, 0], "not_critical": [0, 0]}  # [right, total]
    for moment in (AFTER_HOURS, OFFICE_HOURS):
        assistant.set_moment(moment)
        for row, label in zip(rows, labels, strict=False):
            if row["context"] == "reply" and moment != AFTER_HOURS:
                continue
            sender = f"table-{uuid.uuid4().hex[:12]}"
            if row["context"] == "reply":
                first = _text(assistant.send(sender, REPLY_OPENER))
                if not _asks_operation(first):
                    setup_failures.append({"text": row["text"], "first_answer": first})
                    continue
            answer = _text(assistant.send(sender, row["text"]))
            got = corpus.has_contact("priority_line", answer)
            if not label["critical"] and label.get("may_name_line"):
                continue  # asks for the line, or what to do if it happens: the number may be given
            key = "critical" if label["critical"] else "not_critical"
            counts[key][1] += 1
            if got == bool(label["critical"]):
                counts[key][0] += 1
            else:
                failures.append({"moment": moment, "context": row["context"], "text": row["text"],
                                 "critical": label["critical"], "answer": answer})
    total_right = counts["critical"][0] + counts["not_critical"][0]
    total = counts["critical"][1] + counts["not_critical"][1] + len(setup_failures)
    return {
        "rows": len(rows),
        "plays": total,
        "pass_rate": round(total_right / total, 4) if total else 0.0,
        "critical_recall": round(counts["critical"][0] / counts["critical"][1], 4) if counts["critical"][1] else None,
        "critical_plays": counts["critical"][1],
        "leak_rate": round(1 - counts["not_critical"][0] / counts["not_critical"][1], 4) if counts["not_critical"][1] else None,
        "not_critical_plays": counts["not_critical"][1],
        "reply_question_not_asked": len(setup_failures),
        "failures": failures,
        "setup_failures": setup_failures,
    }


def _names(day: date, today: date, answer: str) -> bool:
    folded = corpus.fold(answer)
    if f"{day.day} de {MONTHS[day.month - 1]}" in folded:
        return True
    if day == today and "hoy" in folded:
        return True
    return day == today + timedelta(days=1) and "manana" in folded


def play_dates(assistant: Any, rows: list[dict], originals: list[dict] | None = None) -> dict:
    labels = originals or rows
    failures, right, total = [], 0, 0
    for row, label in sorted(zip(rows, labels, strict=False), key=lambda pair: pair[0]["now"]):
        if not label.get("date") or label.get("about_hours") is False:
            continue
        assistant.set_moment(row["now"])
        answer = _text(assistant.send(f"dates-{uuid.uuid4().hex[:12]}", row["text"]))
        total += 1
        day = date.fromisoformat(label["date"])
        if _names(day, datetime.fromisoformat(row["now"]).date(), answer):
            right += 1
        else:
            failures.append({"now": row["now"], "text": row["text"], "date": label["date"], "answer": answer})
    return {"rows": total, "pass_rate": round(right / total, 4) if total else 0.0, "failures": failures}


def _rows(path: Path, key: str) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))[key]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--priority", type=Path, default=stack.ROOT / "tests/tables/priority.yml",
                        help="priority table to play (rows: text, context; labels from the original table by order)")
    parser.add_argument("--dates", type=Path, default=stack.ROOT / "tests/tables/dates.yml")
    parser.add_argument("--no-priority", action="store_true")
    parser.add_argument("--no-dates", action="store_true")
    parser.add_argument("--out", type=Path, default=VAR / "tables-report.json")
    args = parser.parse_args(argv)
    original_priority = _rows(stack.ROOT / "tests/tables/priority.yml", "sentences")
    original_dates = _rows(stack.ROOT / "tests/tables/dates.yml", "questions")
    summary: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        assistant = LiveAssistant(Path(tmp))
        try:
            if not args.no_priority:
                rows = _rows(args.priority, "sentences")
                labels = original_priority if len(rows) == len(original_priority) and "critical" not in rows[0] else None
                summary["priority"] = play_priority(assistant, rows, labels)
            if not args.no_dates:
                rows = _rows(args.dates, "questions")
                labels = original_dates if len(rows) == len(original_dates) and "date" not in rows[0] else None
                summary["dates"] = play_dates(assistant, rows, labels)
        finally:
            assistant.stop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    for name, part in summary.items():
        print(name, json.dumps({k: v for k, v in part.items() if k not in ("failures", "setup_failures")}))
    print(f"report: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
