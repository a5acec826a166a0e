"""tools/stack.py builds Rasa's command line so that any token works."""

from pathlib import Path

from tools import stack


def test_a_token_starting_with_a_dash_stays_the_value_of_auth_token(monkeypatch, tmp_path):
    # secrets.token_urlsafe() can start with "-": as a separate argument, Rasa's argparse
    # took it for an option and exited ("--auth-token: expected one argument").
    seen = {}

    def spawn(name, cmd, env, log_dir, url):
        seen["cmd"] = cmd
        return None

    monkeypatch.setattr(stack, "_spawn", spawn)
    stack.start_rasa(5005, Path("endpoints.yml"), tmp_path, auth_token="-Xy_z9", wait=False)
    assert "--auth-token=-Xy_z9" in seen["cmd"]
    assert "-Xy_z9" not in seen["cmd"]
