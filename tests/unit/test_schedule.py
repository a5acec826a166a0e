"""The schedule model, read as the specification: literal Bogotá moments per channel."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

BOGOTA = ZoneInfo("America/Bogota")


def at(text: str) -> datetime:
    """A literal Bogotá moment, "2026-12-04 18:59"."""
    return datetime.fromisoformat(text).replace(tzinfo=BOGOTA)


# 2026-12-04 is a Friday, 2026-12-05 a Saturday, 2026-12-06 a Sunday.
OPEN_TABLE = [
    # moment,              support_line, email, chat,  pqrsa, priority_line
    ("2026-12-04 06:59", False, False, False, False, True),
    ("2026-12-04 07:00", True, True, True, True, True),
    ("2026-12-04 16:59", True, True, True, True, True),
    ("2026-12-04 17:00", True, False, True, False, True),
    ("2026-12-04 18:59", True, False, True, False, True),
    ("2026-12-04 19:00", False, False, False, False, True),
    ("2026-12-05 07:59", False, False, False, False, True),
    ("2026-12-05 08:00", True, True, True, False, True),
    ("2026-12-05 12:59", True, True, True, False, True),
    ("2026-12-05 13:00", False, False, False, False, True),
    ("2026-12-06 10:00", False, False, False, False, True),  # Sunday
    ("2026-12-06 03:00", False, False, False, False, True),
    ("2026-12-08 10:00", False, False, False, False, True),  # festivo (Inmaculada Concepción), a Tuesday
    ("2026-07-13 10:00", False, False, False, False, True),  # festivo moved to Monday (Chiquinquirá)
    ("2026-01-12 10:00", False, False, False, False, True),  # Reyes Magos, moved to Monday
    ("2026-07-14 10:00", True, True, True, True, True),  # the day after is ordinary
]
CHANNELS = ("support_line", "email", "chat", "pqrsa", "priority_line")


@pytest.mark.parametrize("moment,expected", [(m, dict(zip(CHANNELS, flags, strict=False))) for m, *flags in OPEN_TABLE])
def test_open_at_each_boundary(schedule, moment, expected):
    actual = {c: schedule.is_open(c, at(moment)) for c in CHANNELS}
    assert actual == expected


def test_a_utc_moment_is_converted_to_bogota(schedule):
    # 12:30 UTC is 7:30 in Bogotá (UTC-5): open; 11:59 UTC is 6:59: closed.
    assert schedule.is_open("support_line", datetime(2026, 12, 4, 12, 30, tzinfo=timezone.utc))
    assert not schedule.is_open("support_line", datetime(2026, 12, 4, 11, 59, tzinfo=timezone.utc))
    # 00:30 UTC on Saturday is still Friday 19:30 in Bogotá: closed, and the
    # next opening is Saturday 8:00 Bogotá.
    moment = datetime(2026, 12, 5, 0, 30, tzinfo=timezone.utc)
    assert not schedule.is_open("chat", moment)
    assert schedule.next_opening("chat", moment) == at("2026-12-05 08:00")


def test_a_naive_moment_is_refused(schedule):
    with pytest.raises(ValueError, match="timezone-aware"):
        schedule.is_open("chat", datetime(2026, 12, 4, 10, 0))


@pytest.mark.parametrize(
    "after,channel,expected",
    [
        ("2026-12-04 19:30", "support_line", "2026-12-05 08:00"),  # Friday evening -> Saturday
        ("2026-12-05 13:30", "support_line", "2026-12-07 07:00"),  # Saturday afternoon -> Monday
        ("2026-12-07 20:00", "support_line", "2026-12-09 07:00"),  # Monday night, Tuesday is festivo
        ("2026-12-07 20:00", "chat", "2026-12-09 07:00"),
        ("2026-12-04 18:00", "pqrsa", "2026-12-07 07:00"),  # PQRSA does not open on Saturdays
        ("2026-07-10 19:30", "support_line", "2026-07-11 08:00"),
        ("2026-07-11 13:30", "support_line", "2026-07-14 07:00"),  # Monday 13 July is festivo
        ("2026-12-04 06:00", "email", "2026-12-04 07:00"),  # same day
        ("2026-12-04 07:00", "email", "2026-12-04 07:00"),  # at the opening instant
        ("2026-12-04 10:00", "email", "2026-12-05 08:00"),  # open now: the next period
        ("2026-12-24 20:00", "support_line", "2026-12-26 08:00"),  # Christmas Day is festivo (Friday)
    ],
)
def test_next_opening(schedule, after, channel, expected):
    assert schedule.next_opening(channel, at(after)) == at(expected)


def test_the_24_7_line_never_closes_and_never_reopens(schedule):
    assert schedule.next_opening("priority_line", at("2026-12-06 03:00")) is None
    assert schedule.closing_time("priority_line", at("2026-12-06 03:00")) is None
    assert schedule.channel("priority_line").always_open


def test_next_opening_for_a_request_type_lists_every_channel_opening_then(schedule):
    opening = schedule.next_opening_for("support", at("2026-12-05 13:30"))
    assert opening.moment == at("2026-12-07 07:00")
    assert [c.id for c in opening.channels] == ["support_line", "email", "chat"]
    opening = schedule.next_opening_for("pqrsa", at("2026-12-07 20:00"))
    assert opening.moment == at("2026-12-09 07:00")
    assert [c.id for c in opening.channels] == ["pqrsa"]


def test_channels_by_request_type(schedule):
    assert [c.id for c in schedule.channels_for("critical")] == ["support_line", "priority_line", "chat"]
    assert [c.id for c in schedule.channels_for("pqrsa")] == ["pqrsa"]
    assert "priority_line" not in [c.id for c in schedule.channels_for("support")]
    with pytest.raises(ValueError, match="allowed: support, critical, pqrsa"):
        schedule.channels_for("urgent")


def test_open_channels_for_a_request(schedule):
    assert [c.id for c in schedule.open_channels("support", at("2026-12-04 17:30"))] == ["support_line", "chat"]
    assert [c.id for c in schedule.open_channels("critical", at("2026-12-06 03:00"))] == ["priority_line"]
    assert schedule.open_channels("support", at("2026-12-06 03:00")) == []


def test_closing_time(schedule):
    assert schedule.closing_time("chat", at("2026-12-04 18:30")) == at("2026-12-04 19:00")
    assert schedule.closing_time("email", at("2026-12-05 09:00")) == at("2026-12-05 13:00")
    assert schedule.closing_time("chat", at("2026-12-04 19:00")) is None


def test_hours_of_a_channel_on_a_date(schedule):
    assert [(r.start, r.end) for r in schedule.hours_on("support_line", date(2026, 12, 4))] == [(420, 1140)]
    assert [(r.start, r.end) for r in schedule.hours_on("support_line", date(2026, 12, 5))] == [(480, 780)]
    assert schedule.hours_on("support_line", date(2026, 12, 6)) == ()
    assert schedule.hours_on("support_line", date(2026, 12, 8)) == ()  # festivo
    assert [(r.start, r.end) for r in schedule.hours_on("priority_line", date(2026, 12, 8))] == [(0, 1440)]


def test_festivos_come_from_the_holidays_library(schedule):
    assert "Chiquinquirá" in schedule.holiday_name(date(2026, 7, 13))
    assert schedule.holiday_name(date(2026, 12, 8)) is not None
    assert schedule.holiday_name(date(2026, 12, 9)) is None
    assert schedule.closure_reason(date(2026, 12, 8)).startswith("festivo (")


def test_company_closed_days_close_regular_channels_but_not_the_24_7_line(tmp_path):
    from helpdesk.loader import DEFAULT_SCHEDULE_FILE, load_schedule

    text = DEFAULT_SCHEDULE_FILE.read_text(encoding="utf-8").replace(
        "company_closed_days: []",
        'company_closed_days:\n  - {date: 2026-12-24, reason: "cierre de fin de año"}',
    )
    path = tmp_path / "channels.yml"
    path.write_text(text, encoding="utf-8")
    custom = load_schedule(path)
    thursday = at("2026-12-24 10:00")
    assert not custom.is_open("support_line", thursday)
    assert custom.is_open("priority_line", thursday)
    assert custom.closure_reason(thursday.date()) == "cierre de fin de año"
    # 24 Dec closed, 25 Dec festivo: next opening is Saturday 26 at 8:00.
    assert custom.next_opening("chat", at("2026-12-23 19:30")) == at("2026-12-26 08:00")


def test_every_minute_of_a_week_agrees_with_the_published_table(schedule):
    """Exhaustive cross-check of is_open against the page's hours, one week."""
    start = at("2026-11-30 00:00")  # a Monday without festivos that week
    for minute in range(0, 7 * 24 * 60, 7):
        moment = start + timedelta(minutes=minute)
        weekday, hm = moment.weekday(), moment.hour * 60 + moment.minute
        weekday_line = weekday < 5 and 420 <= hm < 1140 or weekday == 5 and 480 <= hm < 780
        weekday_mail = weekday < 5 and 420 <= hm < 1020 or weekday == 5 and 480 <= hm < 780
        assert schedule.is_open("support_line", moment) == weekday_line, moment
        assert schedule.is_open("chat", moment) == weekday_line, moment
        assert schedule.is_open("email", moment) == weekday_mail, moment
        assert schedule.is_open("pqrsa", moment) == (weekday < 5 and 420 <= hm < 1020), moment
