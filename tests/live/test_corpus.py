"""The conversation corpus, played through the REST channel against the running assistant.

`tests/conversations/corpus_*.yml`: more than 200 whole conversations written from
`tests/conversations/SPEC.md` by people who did not read the implementation, each at a
fixed moment (ASSISTANT_NOW) with checks on every answer. The pass rate must reach the
level of MIN_PASS_RATE (the goal is 97 %), and no answer may give the 24/7 line where it
does not belong — the worst defect, so it has no tolerance. The full report (every failing conversation with its
answers, per-class rates, answer lengths, fallback share) is written to
var/corpus-report.md and var/corpus-report.json.
"""

from __future__ import annotations

import pytest
import requests

from tests.conversations import corpus
from tools.play_corpus import write_report

pytestmark = pytest.mark.slow
CONVERSATIONS = corpus.load()


@pytest.fixture(scope="module")
def results(assistant):
    def send(sender: str, text: str) -> list[dict]:
        return assistant.send(text, sender)

    def intents(sender: str) -> list[str]:
        response = requests.get(f"{assistant.url}/conversations/{sender}/tracker",
                                params={"token": assistant.token}, timeout=30)
        response.raise_for_status()
        return [((e.get("parse_data") or {}).get("intent") or {}).get("name")
                for e in response.json()["events"] if e.get("event") == "user"]

    played = []
    for conversation in CONVERSATIONS:
        assistant.at(conversation.now)
        played.append(corpus.play(conversation, send, intents))
    return played


def test_the_corpus_is_large_and_covers_every_class():
    classes = {c.cls for c in CONVERSATIONS}
    assert len(CONVERSATIONS) >= 200
    assert {"priority", "dates", "context", "contact", "escalation", "guided", "dead_ends"} <= classes
    assert len({c.id for c in CONVERSATIONS}) == len(CONVERSATIONS)


def test_no_answer_gives_the_24_7_line_where_it_does_not_belong(results):
    wrong = corpus.report(results)["priority_line_where_it_does_not_belong"]
    assert wrong == [], wrong


# The goal is 97 %; the build fails below the level reached (docs/understanding.md gives the
# figures of each run, the fixed-against and held-out shares apart). 0.93 until 2026-12-07,
# when the second first-sight batch (corpus_d.yml, harder: 86 % after its fixes) joined and
# the whole corpus measured 92.7 % (366 of 395): the floor is now 0.92, under that level.
MIN_PASS_RATE = 0.92


def test_the_conversations_pass(results, record_property):
    summary = write_report(results)
    record_property("corpus_pass_rate", summary["pass_rate"])
    record_property("corpus_answers_at_most_400", summary["answers_at_most_400"])
    failing = [f"{r.conversation.id}: {r.failures[0]}" for r in results if not r.passed]
    record_property("corpus_held_out_pass_rate", summary["held_out"]["pass_rate"])
    assert summary["pass_rate"] >= MIN_PASS_RATE, "\n".join(failing)


def test_answers_fit_a_phone_screen(results):
    summary = corpus.report(results)
    assert summary["longest_answer"] <= corpus.MAX_CHARS
    assert summary["answers_at_most_400"] >= 0.90
