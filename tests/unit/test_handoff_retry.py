"""The desk retries the "nobody took it" trigger when its call timed out; the bot says it once."""

from actions.handoff import repeated_trigger


def user(text):
    return {"event": "user", "text": text}


def test_a_retried_trigger_is_said_once():
    events = [user("quiero hablar con un asesor"), {"event": "bot", "text": "…"}, user("EXTERNAL: request_human"),
              {"event": "bot", "text": "Nadie tomó…"}, user("EXTERNAL: request_human")]
    assert repeated_trigger(events)


def test_a_trigger_after_the_customer_spoke_again_is_news():
    events = [user("EXTERNAL: request_human"), user("sigo esperando, ¿hay alguien?"), user("EXTERNAL: request_human")]
    assert not repeated_trigger(events)
    assert not repeated_trigger([user("quiero un asesor"), user("EXTERNAL: request_human")])
    assert not repeated_trigger([user("quiero un asesor"), user("quiero un asesor")])
