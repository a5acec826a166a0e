"""Helpers shared by the action tests: trackers, running actions, rendering responses."""

from __future__ import annotations

import asyncio
import string
from functools import lru_cache
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from tests.conftest import ROOT
from tools.published import PRIORITY_NUMBER  # noqa: F401  (tests import it from here)


@lru_cache(maxsize=1)
def domain() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def tracker(
    text: str = "",
    intent: str = "",
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    latest_action: str = "action_listen",
    confidence: float = 0.95,
    sender: str = "test-user",
    active_loop: dict[str, Any] | None = None,
    channel: str = "rest",
    history: list[dict[str, Any]] | None = None,
    ranking: list[tuple[str, float]] | None = None,
) -> Tracker:
    """A tracker whose latest message is ``text`` with ``intent`` and ``entities`` (and the
    NLU's ``ranking`` of intents, when the test needs what the classifier ranked)."""
    all_slots = {name: None for name in domain()["slots"]}
    all_slots.update(slots or {})
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
    }
    if ranking:
        message["intent_ranking"] = [{"name": n, "confidence": c} for n, c in ranking]
    events = list(history or []) + [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": message, "input_channel": channel},
    ]
    if latest_action != "action_listen":
        events.append({"event": "action", "name": latest_action})
    return Tracker(sender, all_slots, message, events, False, None, active_loop or {}, latest_action)


def run(action, t: Tracker):
    """Run an action; returns (events, dispatcher)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, domain()))
    return events, dispatcher


def slots_after(t: Tracker, events) -> dict[str, Any]:
    values = dict(t.slots)
    for event in events:
        if event.get("event") == "slot":
            values[event["name"]] = event["value"]
    return values


def render(response: str, slots: dict[str, Any]) -> dict[str, Any]:
    """The variation Rasa would choose for these slots, with its variables filled.

    Mirrors Rasa 3.6's conditional response variations: variations whose
    conditions all hold win; otherwise one without conditions is used.
    Raises if a variable has no value (the customer would read "None").
    """
    variations = domain()["responses"][response]
    matching = [
        v for v in variations
        if v.get("condition") and all(slots.get(c["name"]) == c["value"] for c in v["condition"])
    ]
    chosen = matching[0] if matching else next(v for v in variations if not v.get("condition"))
    names = {f for _, f, _, _ in string.Formatter().parse(chosen["text"]) if f}
    missing = [n for n in names if slots.get(n) is None]
    if missing:
        raise AssertionError(f"{response}: variables without value: {missing}")
    text = chosen["text"].format(**{n: slots[n] for n in names})
    # "a. m." ending a sentence takes no second period; "None" means a lost variable.
    assert "m.." not in text and "None" not in text, text
    return {"text": text, "buttons": chosen.get("buttons") or [], "condition": chosen.get("condition")}


def run_coroutine(coroutine):
    """Run a coroutine to completion in a thread of its own.

    asyncio.run() refuses to start while an event loop runs in this thread, and
    Playwright's sync API leaves one running after the browser tests of the same
    pytest session: a fresh thread has no loop.
    """
    import asyncio
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
