"""Every loader error names the file, the key and what is allowed."""

import subprocess
import sys

import pytest
import yaml

from helpdesk.loader import DEFAULT_SCHEDULE_FILE, ScheduleConfigError, load_schedule


@pytest.fixture
def base():
    return yaml.safe_load(DEFAULT_SCHEDULE_FILE.read_text(encoding="utf-8"))


def write(tmp_path, data):
    path = tmp_path / "channels.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def error_for(tmp_path, data) -> ScheduleConfigError:
    path = write(tmp_path, data)
    with pytest.raises(ScheduleConfigError) as info:
        load_schedule(path)
    assert str(path) in str(info.value)
    return info.value


def test_the_real_file_is_valid():
    schedule = load_schedule(DEFAULT_SCHEDULE_FILE)
    assert set(schedule.channels) == {"support_line", "priority_line", "email", "chat", "pqrsa"}
    assert list(schedule.escalation_levels) == ["support_group", "supervisor", "coordinator"]


def test_missing_file(tmp_path):
    with pytest.raises(ScheduleConfigError, match="does not exist"):
        load_schedule(tmp_path / "nope.yml")


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "channels.yml"
    path.write_text("timezone: America/Bogota\nchannels: [unclosed\n", encoding="utf-8")
    with pytest.raises(ScheduleConfigError, match="not valid YAML at line"):
        load_schedule(path)


def test_missing_key(tmp_path, base):
    del base["channels"]["chat"]["hours"]
    err = error_for(tmp_path, base)
    assert err.key == "channels.chat.hours"
    assert "required key is missing" in str(err)
    assert "name, request_types, contacts, hours" in str(err)


def test_missing_top_level_key(tmp_path, base):
    del base["timezone"]
    err = error_for(tmp_path, base)
    assert err.key == "timezone"


def test_unknown_key_is_a_typo(tmp_path, base):
    base["channels"]["email"]["horas"] = base["channels"]["email"].pop("hours")
    err = error_for(tmp_path, base)
    assert err.key == "channels.email.horas"  # the typo, not the "missing" key
    assert "Allowed:" in str(err)


def test_unknown_weekday(tmp_path, base):
    base["channels"]["chat"]["hours"]["munday"] = ["07:00-19:00"]
    err = error_for(tmp_path, base)
    assert err.key == "channels.chat.hours.munday"
    assert "monday, tuesday, wednesday, thursday, friday, saturday, sunday" in str(err)


def test_hour_25_is_refused(tmp_path, base):
    base["channels"]["support_line"]["hours"]["monday"] = ["07:00-25:00"]
    err = error_for(tmp_path, base)
    assert err.key == "channels.support_line.hours.monday"
    assert "invalid time 25:00" in str(err)
    assert "00:00 to 23:59, and 24:00 as an end" in str(err)


def test_reversed_range(tmp_path, base):
    base["channels"]["email"]["hours"]["friday"] = ["17:00-07:00"]
    err = error_for(tmp_path, base)
    assert err.key == "channels.email.hours.friday"
    assert "ends before it starts" in str(err)


def test_overlapping_ranges(tmp_path, base):
    base["channels"]["chat"]["hours"]["saturday"] = ["08:00-12:00", "11:00-13:00"]
    err = error_for(tmp_path, base)
    assert err.key == "channels.chat.hours.saturday"
    assert "overlap" in str(err)


def test_adjacent_ranges_are_one_period(tmp_path, base):
    base["channels"]["chat"]["hours"]["saturday"] = ["08:00-10:00", "10:00-13:00"]
    schedule = load_schedule(write(tmp_path, base))
    assert [(r.start, r.end) for r in schedule.channel("chat").weekly_hours[5]] == [(480, 780)]


def test_malformed_range(tmp_path, base):
    base["channels"]["chat"]["hours"]["monday"] = ["7am-7pm"]
    err = error_for(tmp_path, base)
    assert '"HH:MM-HH:MM"' in str(err)


def test_unknown_request_type(tmp_path, base):
    base["channels"]["chat"]["request_types"] = ["support", "urgente"]
    err = error_for(tmp_path, base)
    assert err.key == "channels.chat.request_types"
    assert "support, critical, pqrsa" in str(err)


def test_unknown_contact_kind_and_bad_phone(tmp_path, base):
    base["channels"]["chat"]["contacts"][0]["kind"] = "whatsapp"
    err = error_for(tmp_path, base)
    assert err.key == "channels.chat.contacts[0].kind"
    base["channels"]["chat"]["contacts"][0]["kind"] = "url"
    base["channels"]["support_line"]["contacts"][0]["value"] = "744 2727"
    err = error_for(tmp_path, base)
    assert err.key == "channels.support_line.contacts[0].value"


def test_required_channel_missing(tmp_path, base):
    del base["channels"]["pqrsa"]
    err = error_for(tmp_path, base)
    assert err.key == "channels.pqrsa"


def test_escalation_level_with_unknown_channel(tmp_path, base):
    base["escalation_levels"]["support_group"]["channels"] = ["support_line", "fax"]
    err = error_for(tmp_path, base)
    assert err.key == "escalation_levels.support_group.channels"
    assert "unknown channel 'fax'" in str(err)


def test_bad_timezone_and_closed_day(tmp_path, base):
    base["timezone"] = "America/Medellin"
    assert error_for(tmp_path, base).key == "timezone"
    base["timezone"] = "America/Bogota"
    base["company_closed_days"] = [{"date": "2026-13-40", "reason": "x"}]
    assert error_for(tmp_path, base).key == "company_closed_days[0].date"


@pytest.mark.slow
def test_the_action_server_refuses_to_start_with_an_invalid_file(tmp_path, base):
    """The real entry point: `python -m rasa_sdk --actions actions` exits with the message."""
    base["channels"]["chat"]["hours"]["monday"] = ["07:00-25:00"]
    path = write(tmp_path, base)
    from tests.conftest import ROOT

    result = subprocess.run(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", "0"],
        cwd=ROOT,
        env={"ASSISTANT_SCHEDULE_FILE": str(path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert str(path) in result.stderr
    assert "channels.chat.hours.monday" in result.stderr
    assert "cannot start" in result.stderr


@pytest.mark.slow
def test_the_action_server_refuses_an_invalid_assistant_now(tmp_path):
    from tests.conftest import ROOT

    result = subprocess.run(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", "0"],
        cwd=ROOT,
        env={"ASSISTANT_NOW": "mañana a las 3", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ASSISTANT_NOW" in result.stderr


def test_phone_links_are_derived_from_the_published_numbers():
    from helpdesk.loader import load_schedule
    from helpdesk.schedule import dial_number

    schedule = load_schedule()
    links = {c.value: c.href for ch in schedule.channels.values() for c in ch.contacts if c.kind == "phone"}
    assert links["(601) 7442727"] == "tel:+576017442727"
    assert links["(57) 318 717 49 37"] == "tel:+573187174937"
    assert dial_number("7442727") is None
