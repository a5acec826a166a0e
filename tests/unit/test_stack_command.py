"""tools/stack.py starts Rasa with its API token out of the command line."""

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tools import stack


def test_the_token_goes_through_the_environment_never_the_arguments(monkeypatch, tmp_path):
    seen = {}

    def spawn(name, cmd, env, log_dir, url):
        seen["cmd"], seen["env"] = cmd, env
        return None

    monkeypatch.setattr(stack, "_spawn", spawn)
    stack.start_rasa(5005, Path("endpoints.yml"), tmp_path, auth_token="-Xy_z9", wait=False)
    assert not any("-Xy_z9" in arg for arg in seen["cmd"])
    assert seen["env"]["RASA_AUTH_TOKEN"] == "-Xy_z9"
    assert seen["cmd"][1:4] == ["-m", "addons.rasa_run", "run"]


def test_the_entry_point_hands_the_token_to_rasa_as_one_argument(tmp_path):
    # secrets.token_urlsafe() can start with "-": as a separate argument, Rasa's argparse
    # takes it for an option, so the entry point adds "--auth-token=<token>". Checked
    # with a stand-in for rasa.__main__ that prints the arguments it parses.
    fake = tmp_path / "rasa"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "__main__.py").write_text("import sys\ndef main():\n    print(sys.argv[1:])\n")
    token = "-Xy_z9" + "k3Jq8vR2mN5pL7wT1sZ4bC6dF0gH9aE"  # long enough for addons/rasa_run.py's check
    result = subprocess.run(
        [sys.executable, "-m", "addons.rasa_run", "run", "--enable-api", "--interface", "127.0.0.1"], cwd=ROOT,
        capture_output=True, text=True, timeout=60,
        env={"PYTHONPATH": f"{tmp_path}:{ROOT}", "RASA_AUTH_TOKEN": token, "PATH": "/usr/bin:/bin"},
    )
    assert result.stdout.strip() == f"['run', '--enable-api', '--interface', '127.0.0.1', '--auth-token={token}']", (
        result.stderr)
