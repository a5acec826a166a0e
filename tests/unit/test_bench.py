"""The load benchmark's own logic, without servers: percentiles, the speed-ups check, the report."""

from __future__ import annotations

import logging

import pytest
import requests

from addons import speedups
from tools.bench.__main__ import parse_args
from tools.bench.load import check_reply
from tools.bench.measure import latency_summary, percentile
from tools.bench.report import evaluate_targets, report_markdown, speedups_rows, tables
from tools.bench.targets import SpeedupsMismatch, check_speedups

# Lines as a Rasa server wrote them on start-up (tools.stack.start_rasa, 2026-11-30).
LOG_ON = """\
2026-11-30 09:02:04 INFO     addons.speedups  - Speed-ups of Rasa 3.6.21 installed: action-response validation, \
event-class lookup, rule matching, graph runner without dask, model load without a training graph
2026-11-30 09:02:04 INFO     root  - Starting Rasa server on http://127.0.0.1:40001
2026-11-30 09:02:11 INFO     root  - Rasa server is up and running.
"""
LOG_OFF = """\
2026-11-30 09:02:17 INFO     addons.speedups  - Speed-ups of Rasa's code not installed: ASSISTANT_RASA_SPEEDUPS=off; \
Rasa's own code runs.
2026-11-30 09:02:50 INFO     root  - Rasa server is up and running.
"""
LOG_OTHER_RELEASE = """\
2026-11-30 09:02:17 WARNING  addons.speedups  - Speed-ups of Rasa's code not installed: Rasa 3.6.20 is not 3.6.21, \
the release they were written for; Rasa's own code runs.
"""
LOG_NONE = "2026-11-30 09:00:12 INFO     root  - Rasa server is up and running.\n"


# -- percentiles ------------------------------------------------------------------------

def test_nearest_rank_percentiles_of_one_to_a_hundred_are_the_values_themselves():
    values = [float(v) for v in range(1, 101)]
    assert [percentile(values, q) for q in (50, 95, 99, 100)] == [50.0, 95.0, 99.0, 100.0]


def test_percentiles_of_few_values_are_measured_values_not_interpolations():
    assert percentile([10.0, 20.0, 30.0, 40.0], 50) == 20.0
    assert percentile([10.0, 20.0, 30.0, 40.0], 95) == 40.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) is None


def test_latency_summary_sorts_and_rounds():
    assert latency_summary([30.04, 10.0, 20.0, 40.0]) == {"p50_ms": 20.0, "p95_ms": 40.0, "p99_ms": 40.0}
    assert latency_summary([]) == {"p50_ms": None, "p95_ms": None, "p99_ms": None}


# -- the speed-ups line -----------------------------------------------------------------

def test_a_server_with_the_speed_ups_passes_as_on_and_fails_as_off():
    assert check_speedups(LOG_ON, "on").startswith("Speed-ups of Rasa 3.6.21 installed: action-response validation")
    with pytest.raises(SpeedupsMismatch, match="expected off"):
        check_speedups(LOG_ON, "off", "ours, speed-ups off")


def test_a_server_with_the_switch_off_passes_as_off_and_fails_as_on():
    assert "ASSISTANT_RASA_SPEEDUPS=off" in check_speedups(LOG_OFF, "off")
    with pytest.raises(SpeedupsMismatch, match="expected on"):
        check_speedups(LOG_OFF, "on", "ours")


def test_off_because_of_another_rasa_release_is_not_the_switch():
    with pytest.raises(SpeedupsMismatch, match="Rasa 3.6.20"):
        check_speedups(LOG_OTHER_RELEASE, "off")


def test_a_log_without_the_line_proves_nothing():
    for expected in ("on", "off"):
        with pytest.raises(SpeedupsMismatch, match="no speed-ups line"):
            check_speedups(LOG_NONE, expected)


def test_every_line_must_agree():
    with pytest.raises(SpeedupsMismatch):
        check_speedups(LOG_ON + LOG_OFF, "on")


def test_the_line_addons_speedups_writes_is_the_line_the_check_reads(monkeypatch, caplog):
    monkeypatch.setenv(speedups.SWITCH_ENV, "off")
    with caplog.at_level(logging.INFO, logger="addons.speedups"):
        assert speedups.install_all() == []
    assert check_speedups(caplog.text, "off") == (
        "Speed-ups of Rasa's code not installed: ASSISTANT_RASA_SPEEDUPS=off; Rasa's own code runs.")


# -- replies ----------------------------------------------------------------------------

def _response(status: int, body: str) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body.encode("utf-8")
    return response


def test_a_reply_counts_only_with_the_expected_text():
    assert check_reply(_response(200, '[{"text": "Con gusto."}]'), "Con gusto") is None
    assert check_reply(_response(200, '[{"text": "No pude consultar el horario."}]'), "Con gusto") == "unexpected reply"
    assert check_reply(_response(200, "[]"), None) == "empty reply"
    assert check_reply(_response(500, "error"), None) == "HTTP 500"
    assert check_reply(_response(200, "<html>"), None) == "invalid JSON"


# -- the report -------------------------------------------------------------------------

def _row(scenario, key, assistant, p50, p95, turns_per_s, cpu_ms, errors=0, speedups="on"):
    return {"scenario": scenario, "key": key, "assistant": assistant, "speedups": speedups, "customers": 1,
            "turns": int(turns_per_s * 30), "turns_per_s": turns_per_s, "p50_ms": p50, "p95_ms": p95,
            "p99_ms": p95 + 10, "errors": errors, "error_kinds": {}, "error_examples": [], "peak_rss_mb": 700,
            "cpu_pct": {"rasa": 90.0, "actions": 9.0, "load generator": 7.0}, "rasa_cpu_pct_per_process": [90.0],
            "other_cpu_pct": 40.0, "other_top": [], "rasa_cpu_ms_per_turn": cpu_ms}


def _results(reference_errors=0):
    return {
        "command": "python -m tools.bench --duration 30 --only a,b", "date": "2026-11-30T10:00:00+00:00",
        "machine": {"nproc": 2, "cpu": "AMD EPYC", "memory_gib": 23.5, "kernel": "6.18", "python_rasa_env": "Python 3.10.13",
                    "rasa": "3.6.21", "rasa_sdk": "3.6.2", "tensorflow": "2.12.0",
                    "load_average_at_start": ["1.50", "1.20", "0.90"]},
        "model": "models/assistant.tar.gz",
        "settings": {"duration_s": 30, "warmup_s": 10, "seed": 1, "assistant_now": "2026-12-05T20:00"},
        "scenarios": [
            _row("a", "ours", "ours", 30.0, 50.0, 30.0, 30),
            _row("a", "ours_off", "ours, speed-ups off", 60.0, 90.0, 15.0, 60, speedups="off"),
            _row("a", "reference", "reference", 50.0, 60.0, 20.0, 48, speedups="off"),
            _row("b", "ours", "ours", 200.0, 500.0, 32.0, 31),
            _row("b", "ours_off", "ours, speed-ups off", 400.0, 900.0, 16.0, 62, speedups="off"),
            _row("b", "reference", "reference", 300.0, 600.0, 24.0, 43, errors=reference_errors, speedups="off"),
        ],
        "ratios": {"(a) 1 customer, no pause": {"p50": 0.6, "p95": 0.83, "p99": 0.86, "turns_per_s": 1.5,
                                                "peak_rss": 1.0}},
        "parse": {"ours": {"key": "ours", "requests": 300, "errors": 0, "p50_ms": 15.0, "p95_ms": 19.0},
                  "ours, speed-ups off": {"key": "ours_off", "requests": 300, "errors": 0, "p50_ms": 20.0,
                                          "p95_ms": 25.0},
                  "reference": {"key": "reference", "requests": 300, "errors": 0, "p50_ms": 16.0, "p95_ms": 22.0}},
        "servers": [{"key": "ours", "label": "ours", "notes": "SQLite", "workers": 1, "load_s": 8, "vmhwm_mb": 700},
                    {"key": "ours_off", "label": "ours, speed-ups off", "notes": "SQLite", "workers": 1, "load_s": 32,
                     "vmhwm_mb": 1150}],
        "training": {"reference_s": 74, "reference_built": "2026-11-28"},
        "speedups": {"ours": {"expected": "on", "line": "Speed-ups of Rasa 3.6.21 installed: rule matching"},
                     "ours, speed-ups off": {"expected": "off", "line": "Speed-ups of Rasa's code not installed: "
                                             "ASSISTANT_RASA_SPEEDUPS=off; Rasa's own code runs."}},
        "notes": [],
    }


def test_the_speed_ups_table_compares_on_with_off_from_the_same_run():
    rows = {name: (on, off, r) for name, on, off, r in speedups_rows(_results())}
    assert rows["(a) p50 ms"] == (30.0, 60.0, 0.5)
    assert rows["(b) turns/s"] == (32.0, 16.0, 2.0)
    assert rows["(b) Rasa CPU ms/turn"] == (31, 62, 0.5)
    assert rows["NLU parse p50 ms"] == (15.0, 20.0, 0.75)
    assert rows["ready after start, s"] == (8, 32, 0.25)
    assert rows["peak memory (VmHWM) MB"] == (700, 1150, 0.61)


def test_without_an_off_run_there_is_no_speed_ups_table():
    results = _results()
    results["scenarios"] = [r for r in results["scenarios"] if r["key"] != "ours_off"]
    results["parse"].pop("ours, speed-ups off")
    results["servers"] = results["servers"][:1]
    assert speedups_rows(results) == []
    results["targets"] = evaluate_targets(results)
    assert not any(line.startswith("## Speed-ups") for line in tables(results))


def test_targets_pass_and_fail_on_the_figures():
    results = _results()
    targets = {t["target"]: t for t in evaluate_targets(results)}
    assert targets["(a) 1 customer: our p50 ≤ reference p50"]["pass"]
    assert targets["(b) 8 customers: our turns/s ≥ reference"]["pass"]
    assert targets["zero errors throughout"]["pass"]
    failing = {t["target"]: t for t in evaluate_targets(_results(reference_errors=3))}
    assert not failing["zero errors throughout"]["pass"]
    assert failing["zero errors throughout"]["measured"] == "3 errors"


def test_the_markdown_report_has_every_table_and_says_the_machine_was_busy():
    results = _results()
    results["targets"] = evaluate_targets(results)
    text = report_markdown(results)
    assert "| a 1 customer, no pause | ours, speed-ups off | 1 | 450 | 15.0 | 60 | 90 | 100 | 0 | 60 |" in text
    assert "| (a) p50 ms | 30 | 60 | 0.50 |" in text
    assert "| (b) turns/s | 32.0 | 16.0 | 2.00 |" in text
    assert "- ours, speed-ups off (expected off): `Speed-ups of Rasa's code not installed: " in text
    assert "| (a) 1 customer, no pause | 0.60 | 0.83 | 0.86 | 1.50 | 1.00 |" in text
    assert "load average at start 1.50 1.20 0.90" in text
    assert "used on average 40 % CPU" in text and "the machine was busy" in text
    assert "| zero errors throughout | 0 errors | PASS |" in text


# -- command line -----------------------------------------------------------------------

def test_only_takes_scenario_letters():
    assert parse_args(["--only", "a, b"]).scenarios == {"a", "b"}
    with pytest.raises(SystemExit):
        parse_args(["--only", "a,x"])
