"""Compare the date reader with dateparser on the date table.

    .venv/actions/bin/python -m tools.date_reader_eval

For each row of tests/tables/dates.yml (a question, the moment it is asked and the
date it means), prints what ``helpdesk.dates.read_date`` and what
``dateparser.search.search_dates`` (Spanish and English, PREFER_DATES_FROM future,
the moment as RELATIVE_BASE) read, and the share each gets right. This is why the
assistant reads dates with its own reader (helpdesk/dates.py docstring).
"""

from __future__ import annotations

import sys
from datetime import datetime

import yaml

from helpdesk.dates import read_date
from helpdesk.loader import DEFAULT_SCHEDULE_FILE, load_schedule

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def dateparser_reading(text: str, now: datetime) -> str | None:
    from dateparser.search import search_dates

    found = search_dates(text, languages=["es", "en"],
                         settings={"RELATIVE_BASE": now, "PREFER_DATES_FROM": "future", "DATE_ORDER": "DMY"})
    return found[0][1].date().isoformat() if found else None


def main() -> int:
    rows = yaml.safe_load((ROOT / "tests" / "tables" / "dates.yml").read_text(encoding="utf-8"))["questions"]
    schedule = load_schedule(DEFAULT_SCHEDULE_FILE)
    ours = theirs = 0
    for row in rows:
        now = datetime.fromisoformat(row["now"])
        mention = read_date(row["text"], now.date(), schedule.holidays_of_year)
        mine = mention.day.isoformat() if mention and mention.day else None
        other = dateparser_reading(row["text"], now)
        ours += mine == row["date"]
        theirs += other == row["date"]
        mark = "" if other == row["date"] else "  <- dateparser wrong"
        print(f"{row['now']}  {row['text'][:45]:45}  expected {row['date']}  ours {mine}  dateparser {other}{mark}")
    print(f"\nhelpdesk.dates: {ours}/{len(rows)} right; dateparser: {theirs}/{len(rows)} right")
    return 0


if __name__ == "__main__":
    sys.exit(main())
