"""Conversations survive a crash of the Rasa server (SQLite tracker store of endpoints.yml).

The witness is a guided question flow: after a SIGKILL and a restart on the same
tracker-store file, the next answer is understood as the answer to the pending
question, with the service given before the crash still known.
"""

from __future__ import annotations

import sqlite3
import uuid

from tests.integration.harness import texts, turns

ASKS_SERVICE = "¿Qué servicio está afectado?"
ASKS_BLOCKED = "¿El problema detiene su operación?"
ASKS_DESCRIPTION = "Descríbame el problema"
SLOTS_TO_KEEP = ("question_flow", "affected_service", "pending_question")


def _comparable(event: dict) -> tuple:
    return (event.get("event"), event.get("name"), event.get("text"), repr(event.get("value")),
            event.get("timestamp"))


def test_conversation_continues_after_the_rasa_server_is_killed(main):
    # endpoints.yml's store really is in use: Rasa falls back to memory, with a mere
    # warning, when the class named in endpoints.yml cannot be imported.
    assert "addons.tracker_store  - Tracker store: sqlite database" in main.rasa.log()
    sender = f"it-persist-{uuid.uuid4().hex[:10]}"
    assert ASKS_SERVICE in texts(main.rasa.say(sender, "tengo un problema"))
    assert ASKS_BLOCKED in texts(main.rasa.say(sender, '/inform{"service": "firma_digital"}'))
    before = main.rasa.tracker(sender)
    assert before["slots"]["affected_service"] == "firma_digital"
    assert before["slots"]["pending_question"] == "operation_blocked"

    main.kill_rasa()
    assert not main.rasa.service.alive()
    main.start_rasa()  # same endpoints, same SQLite file, a new process

    after = main.rasa.tracker(sender)
    assert [_comparable(e) for e in after["events"][: len(before["events"])]] == [
        _comparable(e) for e in before["events"]
    ], "events stored before the crash changed or were lost"
    assert len(after["events"]) == len(before["events"])
    assert {k: after["slots"][k] for k in SLOTS_TO_KEEP} == {k: before["slots"][k] for k in SLOTS_TO_KEEP}
    assert after["active_loop"].get("name") == "question_form"

    answer = texts(main.rasa.say(sender, "/deny"))
    assert ASKS_DESCRIPTION in answer, answer

    final = main.rasa.tracker(sender)
    assert [t["user"] for t in turns(final["events"])] == [
        "tengo un problema", '/inform{"service": "firma_digital"}', "/deny"
    ]
    assert final["slots"]["affected_service"] == "firma_digital"
    assert final["slots"]["operation_blocked"] is False
    assert final["slots"]["pending_question"] == "problem_description"


def test_sqlite_tracker_store_uses_the_write_ahead_log(main):
    # addons/tracker_store.py sets journal_mode=WAL (a commit waits for no double fsync);
    # the mode is stored in the database file, so a plain connection sees it.
    main.rasa.say(f"it-wal-{uuid.uuid4().hex[:10]}", "hola")
    with sqlite3.connect(main.tmp / "tracker.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
