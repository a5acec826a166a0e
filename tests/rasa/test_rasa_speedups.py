"""The speed-ups of Rasa's own code in addons/, run in the Rasa environment: each is
installed when addons is imported and answers as Rasa's own code does (the validation
of action-server responses, the event-class lookup)."""

import json
import subprocess

from tests.conftest import ROOT
from tools.stack import base_env

RASA_PYTHON = ROOT / ".venv" / "rasa" / "bin" / "python"


def run_in_rasa(script: str, *args: str, timeout: float = 300) -> dict:
    """Run a script in the Rasa environment; its last line of output is a JSON object."""
    result = subprocess.run([str(RASA_PYTHON), "-c", script, *args], cwd=ROOT, env=base_env(),
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])

SCRIPT = r"""
import json, sys
import jsonschema
import addons
from addons import action_validation
from rasa.core.actions.action import RemoteAction

action = RemoteAction("action_x", None)
cases = json.loads(sys.argv[1])
out = {"installed": RemoteAction._validate_action_result is action_validation.validate_action_result}
for name, result in cases.items():
    verdicts = []
    for check in (action._validate_action_result, lambda r: action_validation._original(action, r)):
        try:
            verdicts.append(["ok", check(result)])
        except jsonschema.ValidationError as e:
            verdicts.append(["refused", e.message.split(". Failed")[0]])
    out[name] = verdicts
print(json.dumps(out))
"""

CASES = {
    "slots_and_response": {"events": [{"event": "slot", "name": "answer_kind", "value": "contact"}],
                           "responses": [{"response": "utter_contact"}]},
    "empty": {"events": [], "responses": []},
    "event_without_type": {"events": [{"name": "answer_kind"}]},
    "events_not_a_list": {"events": {"event": "slot"}},
    "events_null": {"events": None},
    "every_kind": {"events": [
        {"event": "user", "text": "hola", "parse_data": {"intent": {"name": "greet", "confidence": 0.9},
                                                         "entities": [{"entity": "channel", "value": "chat"}]}},
        {"event": "bot", "text": "Hola"}, {"event": "action", "name": "utter_x", "policy": None},
        {"event": "active_loop", "name": "question_form"}, {"event": "pause"}, {"event": "resume"},
        {"event": "followup", "name": "action_x"}, {"event": "reset_slots"}, {"event": "session_started"},
    ], "responses": [{"response": "utter_answer"}, {"text": "hola"}]},
    "unknown_event": {"events": [{"event": "no_such_event"}]},
    "event_name_not_text": {"events": [{"event": ["slot"], "name": "a", "value": 1}]},
    "slot_without_value": {"events": [{"event": "slot", "name": "answer_kind"}]},
    "bad_entities": {"events": [{"event": "user", "parse_data": {"entities": [{"value": 1}]}}]},
    "bad_timestamp": {"events": [{"event": "bot", "timestamp": "ayer"}]},
    "responses_not_objects": {"events": [], "responses": ["utter_x"]},
    "event_not_an_object": {"events": ["slot"]},
}


def test_compiled_validation_is_installed_and_agrees_with_rasa():
    out = run_in_rasa(SCRIPT, json.dumps(CASES))
    assert out.pop("installed") is True
    for name, (ours, rasas) in out.items():
        assert ours == rasas, name
    assert out["slots_and_response"][0] == ["ok", True] and out["empty"][0] == ["ok", True]
    assert out["every_kind"][0] == ["ok", True]
    for name in ("event_without_type", "events_not_a_list", "events_null", "unknown_event", "event_name_not_text",
                 "slot_without_value", "bad_entities", "bad_timestamp", "responses_not_objects",
                 "event_not_an_object"):
        assert out[name][0][0] == "refused", name


EVENTS_SCRIPT = r"""
import json
import addons
from addons import event_types
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

out = {"installed": Event.resolve_by_type is event_types.resolve_by_type, "differ": []}
for cls in all_subclasses(Event):
    name = getattr(cls, "type_name", None)
    if isinstance(name, str):
        for _ in range(2):  # the second call comes from the cache
            if Event.resolve_by_type(name) is not event_types._original(name):
                out["differ"].append(name)
out["checked"] = len(event_types._found)
out["unknown_default"] = Event.resolve_by_type("no_such_event", Event) is Event
try:
    Event.resolve_by_type("no_such_event")
    out["unknown_raises"] = False
except ValueError:
    out["unknown_raises"] = True
out["topic"] = Event.resolve_by_type("topic") is None
print(json.dumps(out))
"""


def test_cached_event_lookup_is_installed_and_agrees_with_rasa():
    out = run_in_rasa(EVENTS_SCRIPT)
    assert out["installed"] is True and out["differ"] == []
    assert out["checked"] >= 15  # user, bot, action, slot, active_loop, pause, resume…
    assert out["unknown_default"] and out["unknown_raises"] and out["topic"]


STORE_SCRIPT = r"""
import asyncio, json, sqlite3, sys
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered)
from rasa.shared.core.trackers import DialogueStateTracker
from addons.tracker_store import ReportingSQLTrackerStore

tmp = sys.argv[1]
domain = Domain.load("domain.yml")
slot = next(s.name for s in domain.slots if s.type_name == "text")

def session(t0, text, intent, value):
    # what Rasa stores for a turn: a session start, the message, a slot, an answer
    return [ActionExecuted("action_session_start", timestamp=t0), SessionStarted(timestamp=t0 + 0.1),
            ActionExecuted("action_listen", timestamp=t0 + 0.2),
            UserUttered(text, {"name": intent, "confidence": 0.9}, timestamp=t0 + 1),
            SlotSet(slot, value, timestamp=t0 + 1.5), BotUttered("Respuesta", timestamp=t0 + 2),
            ActionExecuted("action_listen", timestamp=t0 + 3)]

turns = [session(1000.0, "hola", "greet", "uno"),
         [UserUttered("¿y el correo?", {"name": "ask_contact", "confidence": 0.8}, timestamp=1010.0),
          BotUttered("correo", timestamp=1011.0), ActionExecuted("action_listen", timestamp=1012.0)],
         session(5000.0, "otra vez", "greet", "dos")]

async def play(store, sender):
    # as the Rasa server does: each turn starts from the stored tracker (its latest
    # session only) and is saved once at its end
    tracker = DialogueStateTracker(sender, domain.slots)
    for number, events in enumerate(turns):
        if number:
            tracker = await store.retrieve(sender)
        for event in events:
            tracker.update(event)
        await store.save(tracker)
        if number == 1:
            await store.save(tracker)  # a second save stores nothing new

async def main():
    ours = ReportingSQLTrackerStore(domain=domain, dialect="sqlite", db=f"{tmp}/ours.db")
    rasas = SQLTrackerStore(domain=domain, dialect="sqlite", db=f"{tmp}/rasa.db")
    await play(ours, "c1")
    await play(rasas, "c1")
    rows = {name: sqlite3.connect(f"{tmp}/{name}.db").execute(
                "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id"
            ).fetchall() for name in ("ours", "rasa")}
    # each store reads both files
    other = {"ours": SQLTrackerStore(domain=domain, dialect="sqlite", db=f"{tmp}/ours.db"),
             "rasa": ReportingSQLTrackerStore(domain=domain, dialect="sqlite", db=f"{tmp}/rasa.db")}
    reads = {}
    for name, stores in (("ours", (ours, other["ours"])), ("rasa", (rasas, other["rasa"]))):
        for store in stores:
            latest = await store.retrieve("c1")
            full = await store.retrieve_full_tracker("c1")
            reads.setdefault(name, []).append({
                "latest": [e.as_dict() for e in latest.events], "full": [e.as_dict() for e in full.events],
                "slot": latest.get_slot(slot), "missing": await store.retrieve("nobody")})
    print(json.dumps({"rows": rows, "reads": reads, "slot": slot,
                      "pool": type(ours.engine.pool).__name__}))

asyncio.run(main())
"""


def test_lean_sql_tracker_store_writes_and_reads_what_rasas_store_does(tmp_path):
    out = run_in_rasa(STORE_SCRIPT, str(tmp_path))
    ours, rasas = out["rows"]["ours"], out["rows"]["rasa"]
    # the same rows, column by column: 7 + 3 + 7 events, none twice despite the repeated save
    assert len(rasas) == 17 and ours == rasas
    assert [row[3] for row in ours if row[1] == "user"] == ["greet", "ask_contact", "greet"]
    assert "action_listen" in [row[4] for row in ours]
    for name in ("ours", "rasa"):
        ours_read, rasas_read = out["reads"][name]
        assert ours_read == rasas_read, name
        assert ours_read["missing"] is None
        assert ours_read["slot"] == "dos"  # the latest session's value
        # the latest session starts at its session_started event; the full tracker has all 17
        assert len(ours_read["latest"]) == 6 and len(ours_read["full"]) == 17
        assert ours_read["latest"][0]["event"] == "session_started" and ours_read["latest"][0]["timestamp"] == 5000.1
    assert out["pool"] == "QueuePool"


RULES_SCRIPT = r"""
import json, random
import addons
from addons import rule_keys
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import SHOULD_NOT_BE_SET

rng = random.Random(7)
INTENTS, ACTIONS, SLOTS = ["greet", "ask_contact", "affirm", "deny"], ["action_listen", "utter_a", "action_b"], ["x", "y"]

def state(in_rule):
    # a rule state or a conversation state with Rasa's sub-states; sometimes empty
    # (a conversation start), sometimes without a previous action
    if rng.random() < 0.1:
        return {}
    s = {}
    if rng.random() < 0.85:
        s["prev_action"] = {"action_name": rng.choice(ACTIONS)}
    if rng.random() < 0.7:
        s["user"] = {"intent": rng.choice(INTENTS)}
    if rng.random() < 0.5:
        values = [(1.0,), (0.0,), SHOULD_NOT_BE_SET] if in_rule else [(1.0,), (0.0,)]
        s["slots"] = {rng.choice(SLOTS): rng.choice(values)}
    if rng.random() < 0.3:
        s["active_loop"] = {"name": rng.choice(["triage_form", SHOULD_NOT_BE_SET] if in_rule else ["triage_form"])}
    return s

policy = object.__new__(RulePolicy)  # the matching uses no trained state
out = {"installed": RulePolicy._get_possible_keys is rule_keys.get_possible_keys, "differ": 0, "cases": 0,
       "nonempty": 0, "partial": 0}
for _ in range(3000):
    lookup = {json.dumps([state(True) for _ in range(rng.randint(1, 4))]): "a" for _ in range(rng.randint(1, 30))}
    conversation = [state(False) for _ in range(rng.randint(0, 12))]
    ours = rule_keys.get_possible_keys(policy, lookup, conversation)
    rasas = rule_keys._original(policy, lookup, conversation)
    out["cases"] += 1
    out["differ"] += ours != rasas
    out["nonempty"] += bool(rasas)
    out["partial"] += 0 < len(rasas) < len(lookup)
print(json.dumps(out))
"""


def test_rule_matching_that_stops_early_finds_the_keys_rasa_finds():
    out = run_in_rasa(RULES_SCRIPT)
    assert out["installed"] is True
    assert out["differ"] == 0, out
    # the generated cases exercise both outcomes: some keys kept, some filtered out
    assert out["cases"] == 3000 and out["nonempty"] > 300 and out["partial"] > 300, out


RUNNER_SCRIPT = r"""
import asyncio, json, sys, types
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

MESSAGES = ["hola", "cual es el telefono de soporte?", "atienden los sabados?", "tengo un problema con el token",
            "URGENTE se cayo el estampado, la operacion esta detenida", "quiero poner una queja",
            "quiero hablar con un supervisor", "gracias", "asdfgh qwerty", "what is the email?"]

def comparable_parse(parsed):
    return {"intent": parsed["intent"], "ranking": parsed.get("intent_ranking"),
            "entities": [(e["entity"], e["value"]) for e in parsed.get("entities", [])]}

async def main():
    # Nothing has imported addons yet, as in a server started with stock credentials.yml and
    # endpoints.yml: reading the model archive imports it (its components live there).
    addons_before = "addons" in sys.modules
    agent = Agent.load(sys.argv[1])
    processor = agent.processor
    runner = processor.graph_runner
    sequential_run = runner.run
    dask_run = types.MethodType(DaskGraphRunner.run, runner)
    out = {"runner": type(runner).__name__, "addons_before_load": addons_before,
           "addons_after_load": "addons" in sys.modules, "parses": [], "predictions": [], "differ": []}
    for text in MESSAGES:
        results = {}
        for name, run in (("sequential", sequential_run), ("dask", dask_run)):
            runner.run = run
            parsed = await processor.parse_message(UserMessage(text, sender_id="t"))
            tracker = DialogueStateTracker.from_events(
                "t", [ActionExecuted("action_listen"), UserUttered(text, parsed["intent"], parsed["entities"],
                                                                   parse_data=parsed)], slots=agent.domain.slots)
            steps = []
            for _ in range(2):  # the action after the message, and the one after that
                prediction = processor._predict_next_with_tracker(tracker)
                best = max(range(len(prediction.probabilities)), key=prediction.probabilities.__getitem__)
                action = agent.domain.action_names_or_texts[best]
                steps.append([action, prediction.policy_name, prediction.probabilities])
                tracker.update(ActionExecuted(action))
            results[name] = {"parse": comparable_parse(parsed), "steps": steps}
        if results["sequential"] != results["dask"]:
            out["differ"].append(text)
        out["parses"].append(results["sequential"]["parse"]["intent"]["name"])
        out["predictions"].append(results["sequential"]["steps"][0][0])
    print(json.dumps(out))

asyncio.run(main())
"""


def test_sequential_graph_runner_gives_the_parses_and_predictions_dask_gives():
    from tools.stack import MODEL

    out = run_in_rasa(RUNNER_SCRIPT, str(MODEL), timeout=600)
    # The first model load runs sequentially even though addons was imported during it.
    assert out["addons_before_load"] is False and out["addons_after_load"] is True, out
    assert out["runner"] == "SequentialGraphRunner"
    assert out["differ"] == [], out
    # a real model answered: greeting, contact question and the critical incident recognised
    assert out["parses"][0] == "greet" and out["parses"][1] == "ask_contact", out
    assert len(set(out["predictions"])) > 3, out


GUARD_SCRIPT = r"""
import json, os, sys
os.environ["ASSISTANT_RASA_SPEEDUPS"] = sys.argv[1]
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.runner.dask import DaskGraphRunner
def patched():
    return [RemoteAction._validate_action_result, Event.resolve_by_type, RulePolicy._get_possible_keys,
            DaskGraphRunner.create]
before = patched()
import addons
from addons import speedups
after = patched()
import rasa
print(json.dumps({"unchanged": [a == b for a, b in zip(before, after)], "version": rasa.__version__,
                  "written_for": speedups.WRITTEN_FOR}))
"""


def test_the_switch_leaves_rasas_code_alone_and_on_installs_every_speed_up():
    off = run_in_rasa(GUARD_SCRIPT, "off")
    assert off["unchanged"] == [True] * 4, off
    on = run_in_rasa(GUARD_SCRIPT, "on")
    assert on["version"] == on["written_for"]  # the guard would leave Rasa alone on another release
    assert on["unchanged"] == [False] * 4, on


def test_the_server_with_the_switch_off_runs_on_rasas_own_code_and_answers(tmp_path):
    """ASSISTANT_RASA_SPEEDUPS=off: the Rasa server says so at start-up and a guided conversation
    goes on as usual, on Rasa's own code (shipped tracker store, action server, rules)."""
    import secrets

    import requests

    from tools import stack
    from tools.published import PRIORITY_NUMBER

    action_port = stack.free_port()
    endpoints = stack.write_endpoints(tmp_path / "endpoints.yml", action_port, tracker_store={
        "type": "addons.tracker_store.ReportingSQLTrackerStore", "dialect": "sqlite", "db": str(tmp_path / "t.db")})
    actions = stack.start_actions(action_port, tmp_path / "logs", {"ASSISTANT_NOW": "2026-12-05T20:00"})
    rasa = None
    try:
        token = secrets.token_urlsafe(32)  # --enable-api needs a real token (addons/rasa_run.py)
        rasa = stack.start_rasa(stack.free_port(), endpoints, tmp_path / "logs", env={"ASSISTANT_RASA_SPEEDUPS": "off"},
                                auth_token=token)

        def say(text: str) -> str:
            reply = requests.post(f"{rasa.url}/webhooks/rest/webhook", json={"sender": "off-1", "message": text},
                                  timeout=120)
            assert reply.status_code == 200, reply.text
            return "\n".join(m.get("text", "") for m in reply.json())

        assert "¿Qué servicio está afectado?" in say("tengo un problema")
        assert "¿El problema detiene su operación?" in say("con la firma digital")
        assert PRIORITY_NUMBER in say("si, toda la operacion esta parada")
        log = rasa.log()
        assert "Speed-ups of Rasa's code not installed: ASSISTANT_RASA_SPEEDUPS=off" in log, log[-2000:]
        assert "Speed-ups of Rasa 3.6.21 installed" not in log
        assert " ERROR " not in log, log[-2000:]
    finally:
        if rasa is not None:
            rasa.stop()
        actions.stop()
