"""How much the intent classifier moves when the training data moves a little.

Runs in the Rasa environment, without training Rasa (seconds, not minutes):

    .venv/rasa/bin/python -m tools.nlu_stability [--draws 10] [--drop 1]

Trains the linear intent model of ``addons/linear_intent.py`` (the pipeline config.yml
uses, with its configuration) on all of ``data/nlu``, then ``--draws`` times on the same data
with ``--drop`` examples removed at random, and reports for each draw the held-out and blind
accuracy and how many of their predictions changed. Texts are read as the pipeline reads them
(a letter's request part). ``--authors`` adds the leave-one-author-out score: trained without
one author's file, scored on it, for every author (how the model meets a new writer).
"""

from __future__ import annotations

import argparse
import glob
import os
import random
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _examples(path: str) -> list[tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    from helpdesk.letter import request_part

    return [(request_part(m.get("text")), m.get("intent")) for m in load_data(path).intent_examples]


def _classifier_config() -> dict:
    import yaml

    from addons.linear_intent import LinearIntentClassifier

    config = yaml.safe_load(open("config.yml", encoding="utf-8"))
    for step in config.get("pipeline", []):
        if step.get("name", "").endswith("LinearIntentClassifier"):
            return {**LinearIntentClassifier.get_default_config(), **{k: v for k, v in step.items() if k != "name"}}
    return LinearIntentClassifier.get_default_config()


def _fit(train: list[tuple[str, str]], config: dict):
    from addons.linear_intent import LinearIntentClassifier, _fold

    model = LinearIntentClassifier(config, None, None)._pipeline()  # type: ignore[arg-type]
    model.fit([_fold(t) for t, _ in train], [y for _, y in train])
    return model


def _predict(model, texts: list[str]) -> list[str]:
    from addons.linear_intent import _fold

    return list(model.predict([_fold(t) for t in texts]))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=10)
    parser.add_argument("--drop", type=int, default=1, help="examples removed at random in each draw")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--authors", action="store_true", help="also leave each author's file out")
    parser.add_argument("--C", type=float, nargs="+", default=None,
                        help="with --authors: the regularisation values to compare (default: config.yml's)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    from tools.nlu_eval import macro_f1

    files = sorted(glob.glob("data/nlu/*.yml")) + sorted(glob.glob("data/nlu/authors/*.yml"))
    by_file = {f: _examples(f) for f in files}
    data = [e for f in files for e in by_file[f]]
    tests = {name: [(t, g) for t, g in _examples(f"tests/nlu/{name}.yml") if "+" not in g]
             for name in ("heldout", "blind")}
    config = _classifier_config()
    full = _fit(data, config)
    base = {name: _predict(full, [t for t, _ in rows]) for name, rows in tests.items()}

    def scores(predicted: dict[str, list[str]]) -> str:
        return "  ".join(f"{name} F1 {macro_f1(list(zip([g for _, g in rows], predicted[name], strict=False)))[0]:.4f}"
                         for name, rows in tests.items())

    print(f"{len(data)} training examples; single-intent test sentences: "
          + ", ".join(f"{n} {len(r)}" for n, r in tests.items()))
    print(f"all data            {scores(base)}")
    rng = random.Random(args.seed)
    flips_total = 0
    for draw in range(args.draws):
        dropped = set(rng.sample(range(len(data)), args.drop))
        model = _fit([e for i, e in enumerate(data) if i not in dropped], config)
        predicted = {name: _predict(model, [t for t, _ in rows]) for name, rows in tests.items()}
        flips = sum(a != b for name in tests for a, b in zip(base[name], predicted[name], strict=False))
        flips_total += flips
        print(f"draw {draw + 1:2d} -{args.drop} example(s)  {scores(predicted)}  changed predictions: {flips}")
    print(f"mean changed predictions per draw: {flips_total / max(args.draws, 1):.1f} "
          f"of {sum(len(r) for r in tests.values())}")
    if args.authors:
        authors = [f for f in files if "/authors/" in f]
        for c in args.C or [config["C"]]:
            totals = []
            for held in authors:
                model = _fit([e for f in files if f != held for e in by_file[f]], {**config, "C": c})
                rows = by_file[held]
                score = macro_f1(list(zip([g for _, g in rows], _predict(model, [t for t, _ in rows]), strict=False)))[0]
                totals.append(score)
                print(f"C={c:g} without {held}: macro-F1 on it {score:.4f} ({len(rows)} examples)")
            print(f"C={c:g} leave-one-author-out mean macro-F1: {sum(totals) / len(totals):.4f}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    sys.exit(main())
