"""The support report (insights/) on conversations played through the real stack, SQLite.

One stack for the module (tools/conversation_player.ClockedStack): the action server
(clock through ASSISTANT_NOW_FILE), the Rasa server with the project's SQLite tracker
store (clock moved by libfaketime, so the stored timestamps are the conversations'
moments) and the desk. The plan (tools/conversation_player.plan) has critical incidents
after hours and during hours, non-critical triages, messages the NLU cannot place, PQRSA
and hours questions, escalations and hand-offs through the desk (taken and expired);
every figure of the report is checked against it (tests/insights_checks.py).
"""

from __future__ import annotations

import csv
import shutil
import sqlite3
import subprocess
import threading
import time
import uuid
from datetime import date
from pathlib import Path

import pytest

from insights import export, report, retention, source
from tests.conftest import ROOT
from tests.insights_checks import ALL_TRAFFIC, FIRST_DAY, LAST_DAY, check_played_answers, check_report
from tools import conversation_player as player
from tools import generate_conversations

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    clocked = player.ClockedStack(tmp_path_factory.mktemp("insights"))
    clocked.start()
    try:
        planned = player.play_all(clocked, player.plan())
        yield clocked, planned
    finally:
        clocked.stop()


@pytest.fixture(scope="module")
def tracker(played) -> source.TrackerSource:
    clocked, _ = played
    return source.from_config(clocked.tracker_store)


@pytest.fixture(scope="module")
def built(played, tracker):
    clocked, _ = played
    return report.build(tracker, FIRST_DAY, LAST_DAY, desk_db=clocked.desk_db, traffic=ALL_TRAFFIC)


def test_every_figure_equals_what_was_played(played, built):
    clocked, planned = played
    check_played_answers(clocked.tracker, planned)
    check_report(built, planned)


def test_a_day_outside_the_range_is_empty_and_the_range_is_by_bogota_days(tracker):
    before = report.build(tracker, date(2026, 12, 3), date(2026, 12, 3), desk_db=None, traffic=ALL_TRAFFIC)
    assert before.summary["conversations"] == before.summary["messages"] == 0
    # Saturday 5 December 20:xx in Bogotá is Sunday 01:xx UTC: it is Saturday's.
    saturday = report.build(tracker, date(2026, 12, 5), date(2026, 12, 5), desk_db=None,
                            traffic=ALL_TRAFFIC)
    assert saturday.summary["conversations"] == sum(1 for p in player.plan() if p.moment.startswith("2026-12-05"))


def test_the_timestamp_index_is_created_by_the_tracker_store_and_used_by_the_report(tracker):
    with sqlite3.connect(tracker.database) as db:
        names = [row[1] for row in db.execute("PRAGMA index_list(events)")]
        plan = " ".join(str(row) for row in db.execute(
            "EXPLAIN QUERY PLAN " + report._events_sql("sqlite", "?"), (0.0, 1.0)))
    assert "events_by_timestamp" in names
    assert "events_by_timestamp" in plan, plan


def test_the_report_never_writes(tracker):
    with tracker.connect() as connection, pytest.raises(sqlite3.OperationalError, match="readonly|read-only"):
        connection.execute("DELETE FROM events")


def test_one_transcript_by_id_for_the_desk(played, tracker):
    _, planned = played
    escalation = next(p for p in planned if p.name.startswith("escalation"))
    lines = report.transcript(tracker, escalation.sender).lines
    said = [line.text for line in lines if line.who == "cliente"]
    assert said == [step.text for step in escalation.steps]
    assert len([line for line in lines if line.who == "asistente"]) >= 2
    assert report.transcript(tracker, "no-such-conversation").lines == []


def test_make_report_writes_the_html_the_csv_files_and_the_nlu_draft(played, tmp_path):
    clocked, planned = played
    out = tmp_path / "report"
    run = subprocess.run(
        [str(ROOT / ".venv" / "actions" / "bin" / "python"), "-m", "insights", "--from", FIRST_DAY.isoformat(),
         "--to", LAST_DAY.isoformat(), "--out", str(out), "--tracker-store", f"sqlite:///{clocked.tracker_db}",
         "--desk-db", str(clocked.desk_db), "--include-test-traffic"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert f"{len(planned)} conversations" in run.stdout
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<script src="chart.umd.js">' in page and (out / "chart.umd.js").stat().st_size > 100_000
    assert "<canvas" in page and "<svg" not in page
    for p in planned:
        if p.critical_service:
            assert f'href="#{report.anchor(p.sender)}"' in page and f'id="{report.anchor(p.sender)}"' in page
    assert "3001234567" not in page and "ana.perez@empresa.com.co" not in page
    with (out / "volumen_por_dia.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sum(int(r["Conversaciones"]) for r in rows) == len(planned)
    expected_files = {f"{name}.csv" for name in
                      ("volumen_por_dia", "volumen_por_hora", "intenciones", "tipos_de_solicitud", "respuestas",
                       "canales_recomendados", "cerrado_abre", "incidentes_criticos", "no_entendidos",
                       "tasa_no_entendidos", "escalamientos", "transferencias", "transferencias_por_motivo")}
    assert expected_files <= {p.name for p in out.iterdir()}


def test_the_nlu_draft_loads_with_rasa_data_validate_once_labelled(built, tmp_path):
    draft = export.nlu_draft(built)
    assert draft.count(export.UNLABELLED) >= 1 and "blorf snark quux" in draft.lower()
    # A person labels it: every block becomes out_of_scope, and the file joins a copy of the data.
    project = tmp_path / "project"
    shutil.copytree(ROOT / "data", project / "data")
    for name in ("domain.yml", "config.yml"):
        shutil.copyfile(ROOT / name, project / name)
    (project / "data" / "nlu" / "labelled_from_report.yml").write_text(
        draft.replace(f"intent: {export.UNLABELLED}", "intent: out_of_scope"), encoding="utf-8")
    run = subprocess.run(
        [str(ROOT / ".venv" / "rasa" / "bin" / "rasa"), "data", "validate", "--domain", "domain.yml", "--data", "data",
         "--config", "config.yml"],
        cwd=project, capture_output=True, text=True, timeout=600,
        env={**__import__("os").environ, "RASA_TELEMETRY_ENABLED": "false"})
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    # Unlabelled, Rasa refuses it: the draft is not training data until a person decides.
    (project / "data" / "nlu" / "labelled_from_report.yml").write_text(draft, encoding="utf-8")
    unlabelled = subprocess.run(
        [str(ROOT / ".venv" / "rasa" / "bin" / "rasa"), "data", "validate", "--domain", "domain.yml", "--data", "data",
         "--config", "config.yml", "--fail-on-warnings"],
        cwd=project, capture_output=True, text=True, timeout=600,
        env={**__import__("os").environ, "RASA_TELEMETRY_ENABLED": "false"})
    assert unlabelled.returncode != 0 and export.UNLABELLED in unlabelled.stdout + unlabelled.stderr


def test_retention_deletes_old_conversations_while_a_customer_talks(played, tracker, record_property):
    clocked, planned = played
    # 600 conversations of October 2025, replicated from the recording (more than 30 days old).
    made, events, _ = generate_conversations.generate(tracker, 600, date(2025, 10, 1), date(2025, 10, 31), seed=3)
    assert made == 600 and events > 600 * 5
    cutoff = retention.cutoff_for(30)
    with sqlite3.connect(tracker.database) as db:
        old_before = db.execute("SELECT COUNT(DISTINCT sender_id) FROM events WHERE timestamp < ?", (cutoff,)).fetchone()[0]
        kept_before = db.execute("SELECT COUNT(*) FROM events WHERE timestamp >= ?", (cutoff,)).fetchone()[0]
    assert old_before >= 600

    # A customer goes through the whole after-hours triage, again and again, while it deletes
    # (Thursday 10 December at night: outside the range the other tests report on).
    clocked.at("2026-12-10T21:00")
    results: list[list[str]] = []
    stop = threading.Event()

    def talk() -> None:
        while not stop.is_set():
            sender = f"retention-live-{uuid.uuid4().hex[:8]}"
            for text in ("tengo un problema", "firma digital", "no, podemos seguir trabajando",
                         "no me deja firmar un pdf desde ayer en la tarde"):
                clocked.say(sender, text)
            results.append(clocked.answer_kinds(sender))

    customer = threading.Thread(target=talk)
    customer.start()
    try:
        time.sleep(0.5)
        result = retention.purge(tracker, 30, batch=10, pause=0.02)
    finally:
        stop.set()
        customer.join(timeout=120)
    record_property("retention_deleted_conversations", result.conversations)
    record_property("retention_seconds", round(result.seconds, 2))
    record_property("retention_live_conversations_meanwhile", len(results))
    assert result.conversations == old_before
    assert results, "the customer did not finish a conversation"
    assert all(kinds == ["triage_after_hours"] * 3 + ["normal_closed"] for kinds in results), results
    assert result.seconds > 0.5  # the deletions overlapped the customer's turns
    with sqlite3.connect(tracker.database) as db:
        assert db.execute("SELECT COUNT(*) FROM events WHERE timestamp < ?", (cutoff,)).fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM events WHERE timestamp >= ?", (cutoff,)).fetchone()[0] >= kept_before
    assert "Tracker store database error" not in clocked.rasa.log()
    # The played conversations (December 2026) are all still there.
    for p in planned:
        said = [e for e in clocked.tracker(p.sender)["events"] if e["event"] == "user" and not
                e["text"].startswith("EXTERNAL:")]
        assert len(said) == p.messages, p.name


def test_the_retention_command_needs_a_number_of_days(tmp_path):
    python = str(ROOT / ".venv" / "actions" / "bin" / "python")
    env = {k: v for k, v in __import__("os").environ.items() if k != retention.RETENTION_ENV}
    run = subprocess.run([python, "-m", "insights.retention", "--tracker-store", f"sqlite:///{tmp_path}/none.db"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)
    assert run.returncode == 2 and retention.RETENTION_ENV in run.stderr
    run = subprocess.run([python, "-m", "insights.retention", "--tracker-store", f"sqlite:///{tmp_path}/none.db"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env={**env, retention.RETENTION_ENV: "90"})
    assert run.returncode == 2 and "does not exist" in run.stderr
    assert not Path(f"{tmp_path}/none.db").exists()
