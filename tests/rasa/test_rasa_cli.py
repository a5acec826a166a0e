"""Rasa's own checks on the project: data validation and the dialogue test stories."""

import json
import subprocess

from tests.conftest import ROOT
from tools.stack import MODEL, RASA_BIN, base_env


def rasa(*args, timeout=900):
    return subprocess.run(
        [str(RASA_BIN), *args], cwd=ROOT, env=base_env(), capture_output=True, text=True, timeout=timeout
    )


def test_data_validate_passes_with_no_warnings():
    result = rasa("data", "validate", "--fail-on-warnings")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    warnings = [line for line in output.splitlines() if "UserWarning" in line or "WARNING" in line]
    assert warnings == []
    assert "No story structure conflicts found" in output


def test_dialogue_test_stories_have_no_prediction_errors(tmp_path):
    assert MODEL.exists(), "train first (make train)"
    result = rasa(
        "test", "core", "--stories", "tests/stories", "--model", str(MODEL),
        "--fail-on-prediction-errors", "--out", str(tmp_path),
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    report = json.loads((tmp_path / "story_report.json").read_text())
    stories = report["conversation_accuracy"]
    assert stories["total"] >= 15
    assert stories["correct"] == stories["total"]
