"""The clock: ASSISTANT_NOW (the acceptance suite's contract) and ASSISTANT_NOW_FILE."""

from datetime import datetime, timezone

import pytest

from helpdesk import clock


def test_a_naive_moment_is_bogota_time():
    moment = clock.now({"ASSISTANT_NOW": "2026-12-05T10:00"})
    assert (moment.hour, moment.utcoffset().total_seconds()) == (10, -5 * 3600)


def test_an_utc_moment_is_turned_into_bogota_time():
    assert clock.now({"ASSISTANT_NOW": "2026-12-05T15:00Z"}).hour == 10


def test_without_a_fixed_moment_the_system_clock_applies():
    before = datetime.now(timezone.utc)
    assert abs((clock.now({}) - before).total_seconds()) < 5


def test_the_clock_file_moves_the_clock_on_every_read(tmp_path):
    path = tmp_path / "now"
    env = {"ASSISTANT_NOW": "2026-12-05T10:00", "ASSISTANT_NOW_FILE": str(path)}
    assert clock.now(env).hour == 10  # no file yet: ASSISTANT_NOW
    path.write_text("2026-12-06T03:00\n")
    assert (clock.now(env).day, clock.now(env).hour) == (6, 3)
    path.write_text("2026-12-08T09:30")
    assert (clock.now(env).day, clock.now(env).minute) == (8, 30)
    path.write_text("")
    assert clock.now(env).hour == 10  # emptied: back to ASSISTANT_NOW


def test_a_bad_moment_in_the_file_is_an_error_not_a_silent_system_clock(tmp_path):
    path = tmp_path / "now"
    path.write_text("mañana")
    with pytest.raises(clock.ClockConfigError):
        clock.now({"ASSISTANT_NOW_FILE": str(path)})
