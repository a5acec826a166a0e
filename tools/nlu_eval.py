"""Score the trained model's intents on a held-out NLU file.

Runs in the Rasa environment:
    .venv/rasa/bin/python -m tools.nlu_eval [--model models/assistant.tar.gz] [--data tests/nlu/heldout.yml tests/nlu/dev.yml]

Prints per-intent precision/recall/F1, the macro-F1 and every miss, and
writes the same as JSON (--out). Messages the FallbackClassifier turns into
nlu_fallback count as misses: a fallback is not the right answer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def macro_f1(pairs: list[tuple[str, str]]) -> tuple[float, dict[str, dict[str, float]]]:
    """Macro-averaged F1 over the gold intents, and the per-intent report."""
    gold_labels = sorted({g for g, _ in pairs})
    tp: Counter = Counter()
    fp: Counter = Counter()
    fn: Counter = Counter()
    for gold, predicted in pairs:
        if gold == predicted:
            tp[gold] += 1
        else:
            fn[gold] += 1
            fp[predicted] += 1
    report = {}
    for label in gold_labels:
        p = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        r = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        report[label] = {"precision": p, "recall": r, "f1": f, "support": tp[label] + fn[label]}
    return sum(v["f1"] for v in report.values()) / len(report), report


def load_examples(path: Path) -> list[tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(m.get("text"), canonical_label(m.get("intent"))) for m in data.intent_examples]


def canonical_label(intent: str) -> str:
    """Two questions in one message, in alphabetical order (as the test files label them)."""
    return "+".join(sorted(intent.split("+"))) if intent and "+" in intent else intent


def predicted_label(parsed: dict) -> str:
    """What the assistant understood: the intent, or for a message it read as several
    questions (helpdesk.clauses.questions_asked over the parts' readings) their intents
    joined by "+" in alphabetical order, as the test files label two questions."""
    from helpdesk.clauses import questions_asked
    from helpdesk.message import Message

    ranking = tuple((r["name"], r["confidence"]) for r in parsed.get("intent_ranking") or [])
    message = Message(parsed["intent"]["name"], parsed.get("text") or "", parsed["intent"]["confidence"],
                      tuple(parsed.get("entities") or ()), ranking, tuple(parsed.get("clauses") or ()))
    intents = sorted({p.intent for p in questions_asked(message)})
    return "+".join(intents) if len(intents) > 1 else intents[0]


async def _parse_all(model: Path, texts: list[str]) -> list[dict]:
    import logging

    from rasa.core.agent import load_agent
    from rasa.utils.log_utils import configure_structlog

    logging.getLogger().setLevel(logging.WARNING)
    configure_structlog(logging.WARNING)

    agent = await load_agent(model_path=str(model))
    return [await agent.parse_message(t) for t in texts]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="models/assistant.tar.gz")
    parser.add_argument("--data", nargs="+", default=["tests/nlu/heldout.yml"],
                        help="one or more NLU files, each scored on its own (the model loads once)")
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    files = {path: load_examples(Path(path)) for path in args.data}
    texts = [t for examples in files.values() for t, _ in examples]
    parsed_all = iter(asyncio.run(_parse_all(Path(args.model), texts)))
    summary = {}
    for path, examples in files.items():
        parsed = [next(parsed_all) for _ in examples]
        pairs = [(gold, predicted_label(p)) for (_, gold), p in zip(examples, parsed, strict=False)]
        score, report = macro_f1(pairs)
        misses = defaultdict(list)
        for (text, gold), p in zip(examples, parsed, strict=False):
            if predicted_label(p) != gold:
                # For nlu_fallback, also show the intent the classifier ranked first.
                ranking = [r for r in p.get("intent_ranking", []) if r["name"] != "nlu_fallback"]
                best = f" [best {ranking[0]['name']} {ranking[0]['confidence']:.2f}]" if ranking and p["intent"]["name"] == "nlu_fallback" else ""
                misses[gold].append((text, predicted_label(p) + best, round(p["intent"]["confidence"], 2)))
        print(f"== {path}")
        for label, row in report.items():
            print(f"{label:28s} P={row['precision']:.2f} R={row['recall']:.2f} F1={row['f1']:.2f} n={row['support']}")
        for gold, rows in misses.items():
            for text, predicted, conf in rows:
                print(f"  MISS {gold} -> {predicted} ({conf}): {text}")
        print(f"macro-F1 = {score:.4f} over {len(pairs)} examples ({path})\n")
        summary[path] = {"macro_f1": score, "report": report, "misses": misses}
    if args.out:
        Path(args.out).write_text(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
