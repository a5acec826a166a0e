"""List held-out NLU examples that also appear in the training data (after normalising).

    .venv/actions/bin/python -m tools.heldout_overlap

Exit status 1 when there is any overlap. tests/live/test_nlu_heldout.py runs
the same check.
"""

from __future__ import annotations

import sys

from tests.conftest import ROOT
from tests.live.test_nlu_heldout import examples, normalise


def overlap():
    training = {normalise(t) for p in (ROOT / "data" / "nlu").glob("*.yml") for t, _ in examples(p)}
    return [(intent, text) for text, intent in examples(ROOT / "tests" / "nlu" / "heldout.yml") if normalise(text) in training]


def main() -> int:
    found = overlap()
    for intent, text in found:
        print(f"{intent}\t{text}")
    print(f"{len(found)} held-out examples also in data/nlu", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
