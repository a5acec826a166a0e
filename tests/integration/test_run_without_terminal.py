"""`make run` started without a terminal (nohup, a script) serves instead of stopping.

Found by a newcomer trial: `nohup make run &` printed "ready" and stopped at once, because
the terminal chat read end-of-input as Ctrl-D. `python -m tools.stack run` (what `make run`
starts) with stdin from /dev/null must keep the servers up and answering until stopped.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import requests

from tests.conftest import ROOT
from tools.stack import MODEL, base_env, free_port


def test_run_with_no_terminal_keeps_serving_until_stopped(tmp_path):
    assert MODEL.exists(), "needs the trained model (make train)"
    rasa_port, action_port, web_port, desk_port = free_port(), free_port(), free_port(), free_port()
    env = base_env({"DESK_PORT": str(desk_port), "ASSISTANT_NOW": "2026-12-05T10:00"})
    log = (tmp_path / "run.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.stack", "run", "--rasa-port", str(rasa_port), "--action-port", str(action_port),
         "--web-port", str(web_port)], cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + 240
        while "[run] ready" not in (tmp_path / "run.log").read_text() and time.time() < deadline:
            assert process.poll() is None, (tmp_path / "run.log").read_text()
            time.sleep(1)
        time.sleep(3)  # past the point where the terminal chat used to end the run
        assert process.poll() is None, (tmp_path / "run.log").read_text()
        printed = (tmp_path / "run.log").read_text()
        assert "no terminal to chat in" in printed and "ASSISTANT_NOW=2026-12-05T10:00" in printed
        answer = requests.post(f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
                               json={"sender": "no-terminal", "message": "¿atienden hoy?"}, timeout=60).json()
        said = " ".join(m.get("text", "") for m in answer)
        assert "1:00 p. m." in said, said  # Saturday 10:00 by the fixed clock: open until 1:00 p. m.
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    assert "[run] stopping" in (tmp_path / "run.log").read_text()
