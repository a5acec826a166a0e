"""What customers and operators get when a part of the system is down.

(a) Action server down: rules still speak the responses' first variation,
    which carries the contact data (docs/architecture.md, "Actions compute, rules speak").
(b) Tracker-store database down: Rasa's FailSafeTrackerStore answers from
    memory; addons/tracker_store.py makes every failed read and write an ERROR
    line, so the outage is visible on every message, and the store reconnects
    by itself when the database is back.
"""

from __future__ import annotations

import re
import uuid

from tests.integration.harness import texts
from tools.published import MAIN_LINE, PQRSA_EMAIL, PRIORITY_LINE, SUPPORT_EMAIL

STORE_ERROR = re.compile(r"^\S+ \S+ ERROR\s+addons\.tracker_store\s+- Tracker store database error", re.M)


def test_without_the_action_server_a_conversation_goes_on_with_the_contact_data(main):
    """A customer already talking when the action server goes down."""
    hours_sender = f"it-noactions-{uuid.uuid4().hex[:8]}"
    incident_sender = f"{hours_sender}-incident"
    main.rasa.say(hours_sender, "hola")
    main.rasa.say(incident_sender, "hola")
    main.stop_actions()
    try:
        hours = main.rasa.say(hours_sender, "¿cuál es el horario de atención?")
        assert MAIN_LINE in texts(hours), texts(hours)
        assert len(hours) == 1, texts(hours)
        incident = main.rasa.say(incident_sender, "se cayó el servicio")
        assert PRIORITY_LINE in texts(incident), texts(incident)
        assert len(incident) == 1, texts(incident)
        assert MAIN_LINE in texts(main.rasa.say(hours_sender, "¿cuál es el teléfono de soporte?"))
        # A question about the PQRSA channel gets that channel, not the support ones.
        pqrsa = texts(main.rasa.say(hours_sender, "cual es el correo de pqrs?"))
        assert PQRSA_EMAIL in pqrsa and SUPPORT_EMAIL not in pqrsa, pqrsa
        # … and the next question is about support again.
        assert SUPPORT_EMAIL in texts(main.rasa.say(hours_sender, "y el horario de soporte?"))
    finally:
        main.start_actions()


def test_without_the_action_server_a_new_conversation_gets_the_contact_data(main):
    """A customer whose first message arrives while the action server is down.

    The answer must still be the contact data, once: not a repeated "no le entendí"
    (a custom session start once made it ten times "Disculpe, no le entendí"; the
    same loop came back on 2026-11-30 when the problem rules needed slots only the
    action sets — question_flow and question_pending now start with values).
    """
    main.stop_actions()
    try:
        sender = f"it-noactions-new-{uuid.uuid4().hex[:8]}"
        hours = main.rasa.say(sender, "¿cuál es el horario de atención?")
        assert MAIN_LINE in texts(hours) and len(hours) == 1, f"{len(hours)} messages: {texts(hours)[:400]}"
        incident = main.rasa.say(f"{sender}-2", "se cayó el servicio")
        assert PRIORITY_LINE in texts(incident) and len(incident) == 1, (
            f"{len(incident)} messages: {texts(incident)[:400]}"
        )
    finally:
        main.start_actions()


def test_database_outage_is_logged_at_error_on_every_message_and_customers_are_answered(cluster):
    rasa = cluster.rasa[0]
    sender = f"it-nodb-{uuid.uuid4().hex[:8]}"
    assert rasa.say(sender, "hola")  # stored while the database is up
    cluster.postgres.stop()
    try:
        for text, expected in [("¿cuál es el teléfono de soporte?", MAIN_LINE), ("¿a qué hora abren?", "7:00"),
                               ("se cayó el servicio", PRIORITY_LINE)]:
            log_before = len(rasa.log())
            answer = texts(rasa.say(sender, text))
            assert expected in answer, f"'{text}' while the database is down: {answer}"
            new_log = rasa.log()[log_before:]
            errors = STORE_ERROR.findall(new_log)
            assert errors, f"no ERROR line for '{text}' while the database is down:\n{new_log[-3000:]}"
            assert text not in new_log, "the customer's message was written to the log"
    finally:
        cluster.postgres.start()

    # Back to normal without restarting Rasa: the next message is stored again.
    after = f"it-nodb-after-{uuid.uuid4().hex[:8]}"
    log_before = len(rasa.log())
    assert rasa.say(after, "¿cuál es el correo de soporte?")
    assert not STORE_ERROR.findall(rasa.log()[log_before:])
    stored = cluster.postgres.sql(f"SELECT count(*) FROM events WHERE sender_id = '{after}' AND type_name = 'user'")
    assert stored == "1"
