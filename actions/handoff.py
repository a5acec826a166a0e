"""Hand-off to a human agent: when, the packet, and the desk's answer.

A hand-off happens only during chat hours, only on the website widget
(socket.io): an agent's replies are pushed to the widget, which the REST
channel cannot receive, so REST customers are given the chat and the line —
and only when an agent is on duty at the desk (signed in, not on a pause:
``GET /api/presence``). With nobody on duty the customer is not queued: they
are told so and given the line and the e-mail (``handoff_no_agent``). Queued,
they are told the desk's expected wait (``handoff_queued``). A desk that does
not answer the presence question is taken as before: the customer is queued.
The bot is not paused here: the desk pauses it when an agent takes the case.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.runtime import answer_events, message_of, now, schedule
from helpdesk import answers, dialogue
from helpdesk.desk_client import DeskClient, DeskResult
from helpdesk.handoff import build_packet, expected_wait_text, hours_context, no_agent_answer

# Only these channels can carry an agent's replies to the customer.
LIVE_CHANNELS = ("socketio",)
PACKET_SLOTS = (
    "affected_service", "operation_blocked", "problem_description", "handoff_description",
    "case_number",
)
# A newer answer kind -> the one an older trained model words instead (its domain is the one Rasa
# sends with each call): the action server may be deployed before the model is trained again, and a
# kind the model does not word would fall to the static "cannot check the hours" text.
OLDER_KINDS = {"handoff_no_agent": "handoff_failed", "handoff_queued_no_estimate": "handoff_queued"}


def worded(kind: str, domain: dict[str, Any]) -> bool:
    """Whether the running model's domain has an ``utter_answer`` variation for ``kind``."""
    variations = ((domain or {}).get("responses") or {}).get("utter_answer") or []
    return any(c.get("value") == kind for v in variations for c in v.get("condition") or [])


def agents_online() -> bool:
    """Chat agents work in the chat's published hours (not on festivos)."""
    return schedule().is_open("chat", now())


def can_hand_off(tracker: Tracker) -> bool:
    return agents_online() and tracker.get_latest_input_channel() in LIVE_CHANNELS


def open_agent_channels() -> str:
    return answers.human_available_answer(schedule(), now()).values["open_channels"]


async def send_handoff(tracker: Tracker, reason: str, client: DeskClient | None = None) -> DeskResult:
    """Queue the conversation at the desk, unless the desk says nobody is on duty ("no_agent")."""
    client = client or DeskClient.from_env()
    if client is None:
        return DeskResult(False, "disabled")
    if (await client.presence()).nobody:
        return DeskResult(False, "no_agent")
    slots = {name: tracker.get_slot(name) for name in PACKET_SLOTS}
    moment = now()
    packet = build_packet(
        tracker.sender_id, reason, tracker.events, slots, moment, tracker.get_latest_input_channel(),
        hours=hours_context(schedule(), moment),
    )
    return await client.create_handoff(packet)


async def hand_off(tracker: Tracker, reason: str, client: DeskClient | None = None) -> tuple[bool, str]:
    """Send the packet to the desk. Returns (accepted by the desk, status); "no_agent" when nobody
    is on duty (actions/unclear.py and actions/triage.py then give the channels open now)."""
    result = await send_handoff(tracker, reason, client)
    return result.ok, result.status


def repeated_trigger(events: list[dict[str, Any]]) -> bool:
    """The latest message is the desk's trigger ("EXTERNAL: …") and the one before it was the
    same trigger, with no customer message between: a retried delivery, not news."""
    said = [str(e.get("text") or "") for e in events if e.get("event") == "user"]
    return len(said) >= 2 and said[-1].startswith("EXTERNAL:") and said[-1] == said[-2]


class ActionRequestHuman(Action):
    """The customer asks for a person (or the desk reports that nobody took the case)."""

    def name(self) -> str:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if repeated_trigger(tracker.events):
            return []  # the desk told us twice (its first call timed out but arrived): said once
        answer, question = await self.decide(tracker)
        if answer.kind in OLDER_KINDS and domain and not worded(answer.kind, domain):
            answer = answers.Answer(OLDER_KINDS[answer.kind], answer.values)
        return answer_events(answer, tracker) + [
            SlotSet("question_flow", "handoff"),
            SlotSet("question_pending", question is not None),
            SlotSet("pending_question", question),
            SlotSet("answer_received", None),
        ]

    async def decide(self, tracker: Tracker) -> tuple[answers.Answer, str | None]:
        sched, moment = schedule(), now()
        text = (tracker.latest_message or {}).get("text") or ""
        if text.startswith("EXTERNAL:"):
            return self.timed_out(), None
        reading = dialogue.reading_of(message_of(tracker))
        if reading.critical and tracker.latest_action_name != "question_form":
            # "quiero un asesor, se cayó el servicio": the 24/7 line first, whatever the hour
            return answers.critical_answer(sched, moment), None
        if not agents_online():
            return answers.human_unavailable_answer(sched, moment), None
        if tracker.get_latest_input_channel() not in LIVE_CHANNELS:
            return answers.human_available_answer(sched, moment), None
        continuing = tracker.latest_action_name == "question_form"
        known = tracker.get_slot("handoff_description") is not None or tracker.get_slot("problem_description")
        client = DeskClient.from_env()
        if not continuing and not known:
            if client is not None and (await client.presence()).nobody:
                return no_agent_answer(sched, moment), None  # not asked to describe it for nobody
            return answers.Answer("handoff_question"), "handoff_description"
        if client is not None and (await client.handoff_status(tracker.sender_id)).status in ("queued", "taken"):
            return answers.Answer("handoff_pending"), None  # asked again while waiting
        result = await send_handoff(tracker, "customer_request", client)
        if result.ok:
            wait = result.expected_wait
            if wait is None:
                return answers.Answer("handoff_queued_no_estimate"), None
            return answers.Answer("handoff_queued", {"expected_wait": expected_wait_text(wait)}), None
        if result.status == "no_agent":
            return no_agent_answer(sched, moment), None
        return answers.Answer("handoff_failed", {"open_channels": open_agent_channels()}), None

    def timed_out(self) -> answers.Answer:
        """Nobody took the case in time: the bot goes on, with what is open now."""
        sched, moment = schedule(), now()
        if agents_online():
            return answers.Answer("handoff_timeout_open", {"open_channels": open_agent_channels()})
        closed = answers.human_unavailable_answer(sched, moment)
        return answers.Answer("handoff_timeout_closed", closed.values)
