"""The speed-ups of Rasa's own code in addons/, run in the Rasa environment: each is
installed when addons is imported and answers as Rasa's own code does (the validation
of action-server responses, the event-class lookup)."""

import json
import subprocess

from tests.conftest import ROOT
from tools.stack import base_env

RASA_PYTHON = ROOT / ".venv" / "rasa" / "bin" / "python"

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
    result = subprocess.run([str(RASA_PYTHON), "-c", SCRIPT, json.dumps(CASES)], cwd=ROOT, env=base_env(),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
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
    result = subprocess.run([str(RASA_PYTHON), "-c", EVENTS_SCRIPT], cwd=ROOT, env=base_env(),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["installed"] is True and out["differ"] == []
    assert out["checked"] >= 15  # user, bot, action, slot, active_loop, pause, resume…
    assert out["unknown_default"] and out["unknown_raises"] and out["topic"]
