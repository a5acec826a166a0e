"""The date table: customer questions with the date they mean, written independently.

`tests/tables/dates.yml` was written from tests/conversations/SPEC.md by someone who did not
read `helpdesk/dates.py`; each row gives the moment of the question and the literal answer.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
import yaml

from helpdesk.dates import read_date
from tests.conftest import ROOT

TABLE = yaml.safe_load((ROOT / "tests" / "tables" / "dates.yml").read_text(encoding="utf-8"))["questions"]
REQUIRED = {"2026-01-12", "2026-03-23", "2026-12-08", "2026-12-25", "2027-01-01"}


def test_the_table_covers_the_festivos_and_the_days_around_them():
    dates = {row["date"] for row in TABLE if row["date"]}
    assert len(TABLE) >= 40
    assert REQUIRED <= dates
    for day in REQUIRED:
        d = date.fromisoformat(day)
        assert {(d.fromordinal(d.toordinal() - 1)).isoformat(), (d.fromordinal(d.toordinal() + 1)).isoformat()} & dates


@pytest.mark.parametrize("row", TABLE, ids=lambda r: f"{r['now']} {r['text'][:40]}")
def test_question_is_read_as_its_date(row, schedule):
    today = datetime.fromisoformat(row["now"]).date()
    mention = read_date(row["text"], today, schedule.holidays_of_year)
    day = mention.day.isoformat() if mention and mention.day else None
    assert day == row["date"], (row["text"], mention)
    part = row.get("part")
    if part and ":" in part:
        assert mention.at is not None and mention.at.strftime("%H:%M") == part, mention
    elif part:
        assert mention.part == part, mention
    else:
        assert mention is None or (mention.part is None and mention.at is None), mention


@pytest.mark.parametrize("today, text, expected", [
    ("2026-07-15", "el lunes doce hay atención?", "2026-10-12"),      # a day of the month in words
    ("2026-11-30", "el veinticinco de diciembre atienden?", "2026-12-25"),
    ("2026-12-31", "el dos de enero hay soporte?", "2027-01-02"),
    ("2027-01-01", "el treinta y uno de enero?", "2027-01-31"),
    ("2026-12-05", "el sábado que viene?", "2026-12-12"),             # said on a Saturday: the next one
    ("2026-12-05", "y el sabado siguiente", "2026-12-12"),
    ("2026-12-05", "el sábado?", "2026-12-05"),
    ("2026-11-30", "tengo dos preguntas", None),                       # a number in words that is no day
    ("2026-11-30", "a las dos de la tarde", None),
])
def test_days_in_words_and_the_weekday_that_comes(today, text, expected, schedule):
    mention = read_date(text, date.fromisoformat(today), schedule.holidays_of_year)
    assert (mention.day.isoformat() if mention and mention.day else None) == expected, mention
