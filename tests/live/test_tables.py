"""The labelled tables played through the running assistant (NLU + rules + actions).

`tests/tables/priority.yml` and `tests/tables/dates.yml` were written from SPEC.md by people
who did not read the implementation. The priority decision is the classifier's, modified
by structure (helpdesk/priority.py), so only the whole stack can be checked against the
table: a critical sentence must get the 24/7 line, a non-critical one never (a question
that asks for the line, or what to do if an outage happens, may get it). Dates: the
answer names the date asked about. The figures are recorded in the JUnit report;
paraphrases of both tables, measured with tools/play_tables.py, are in
docs/understanding.md.
"""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import ROOT
from tools.play_tables import play_dates, play_priority

pytestmark = pytest.mark.slow
PRIORITY = yaml.safe_load((ROOT / "tests/tables/priority.yml").read_text(encoding="utf-8"))["sentences"]
DATES = yaml.safe_load((ROOT / "tests/tables/dates.yml").read_text(encoding="utf-8"))["questions"]


class _Adapter:
    """The live fixture as tools/play_tables.py calls it."""

    def __init__(self, assistant):
        self.assistant = assistant

    def set_moment(self, moment: str) -> None:
        self.assistant.at(moment)

    def send(self, sender: str, text: str) -> list[dict]:
        return self.assistant.send(text, sender)


def test_the_priority_table_is_large_and_balanced():
    critical = [s for s in PRIORITY if s["critical"]]
    assert len(PRIORITY) >= 150
    assert len(PRIORITY) - len(critical) >= len(PRIORITY) / 2


# The classifier decides (helpdesk/priority.py), so the table is a measurement, not a list
# of sentences the code was fixed for: the build fails below these rates, the figures of
# every run are recorded in the JUnit report and docs/understanding.md.
MIN_CRITICAL_RECALL = 0.98
MAX_LEAK_RATE = 0.05


def test_critical_sentences_get_the_24_7_line_and_the_others_do_not(assistant, record_property):
    result = play_priority(_Adapter(assistant), PRIORITY)
    record_property("priority_table_critical_recall", result["critical_recall"])
    record_property("priority_table_leak_rate", result["leak_rate"])
    wrong = [f"{f['moment']} {f['context']} critical={f['critical']}: {f['text']}" for f in result["failures"]]
    assert result["reply_question_not_asked"] == 0, result["setup_failures"][:3]
    assert result["leak_rate"] <= MAX_LEAK_RATE, "\n".join(wrong)
    assert result["critical_recall"] >= MIN_CRITICAL_RECALL, "\n".join(wrong)


def test_every_date_question_is_answered_for_its_date(assistant, record_property):
    result = play_dates(_Adapter(assistant), DATES)
    record_property("date_table_pass_rate", result["pass_rate"])
    assert result["rows"] >= 60
    assert result["pass_rate"] == 1.0, "\n".join(f"{f['now']} {f['text']} -> {f['date']}: {f['answer'][:120]}"
                                                 for f in result["failures"])
