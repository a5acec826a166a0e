"""List test NLU examples (held-out, blind, two questions) that also appear in the training
data, every file under data/nlu/ included (after normalising; phrases of two words or fewer
are allowed, as in the test).

    .venv/actions/bin/python -m tools.heldout_overlap

Exit status 1 when there is any overlap. tests/live/test_nlu_heldout.py runs
the same check (test_the_test_files_are_not_in_the_training_data).
"""

from __future__ import annotations

import sys

from tests.conftest import ROOT
from tests.live.test_nlu_heldout import TRAINING, examples, normalise

TEST_FILES = ("heldout.yml", "blind.yml", "two_questions.yml")


def overlap() -> list[tuple[str, str, str]]:
    training = {normalise(text) for path in TRAINING for text, _ in examples(path)}
    return [(name, intent, text) for name in TEST_FILES for text, intent in examples(ROOT / "tests" / "nlu" / name)
            if normalise(text) in training and len(normalise(text).split()) > 2]


def main() -> int:
    found = overlap()
    for name, intent, text in found:
        print(f"{name}\t{intent}\t{text}")
    print(f"{len(found)} test examples also in data/nlu", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
