"""addons/action_validation.py, run in the Rasa environment: the compiled validator
is installed when addons is imported, accepts what Rasa's own validation accepts and
refuses what it refuses, with the same error."""

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
    assert out["event_without_type"][0][0] == "refused" and out["events_not_a_list"][0][0] == "refused"
