"""The priority table: sentences labelled critical or not, written independently of the cues.

`tests/tables/priority.yml` was written from tests/conversations/SPEC.md by someone who did
not read `helpdesk/priority.py`. Every sentence must be read with its label: no non-critical
sentence may get the 24/7 line and no critical one may miss it.
"""

from __future__ import annotations

import pytest
import yaml

from helpdesk.priority import read_priority
from tests.conftest import ROOT

TABLE = yaml.safe_load((ROOT / "tests" / "tables" / "priority.yml").read_text(encoding="utf-8"))["sentences"]


def test_the_table_is_large_and_balanced():
    critical = [s for s in TABLE if s["critical"]]
    assert len(TABLE) >= 150
    assert len(TABLE) - len(critical) >= len(TABLE) / 2


@pytest.mark.parametrize("row", TABLE, ids=lambda r: r["text"][:60])
def test_sentence_is_read_with_its_label(row):
    reading = read_priority(row["text"], reply=row["context"] == "reply")
    assert (reading.critical is True) == row["critical"], (row["text"], reading)
