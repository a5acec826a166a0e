"""The reference assistant (`rasa init --no-prompt`, built once and cached) and training times."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tools import stack
from tools.bench import BENCH, ROOT

REFERENCE_DIR = BENCH / "reference"
OURS_TRAINING = BENCH / "training-ours.json"


def run_logged(cmd: list[str], log_path: Path, **kwargs) -> subprocess.CompletedProcess:
    """Run a command with its output appended to ``log_path``; RuntimeError with the log's tail if it fails."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        result = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, **kwargs)
    if result.returncode != 0:
        tail = log_path.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({result.returncode}):\n{tail}")
    return result


def reference_model() -> Path | None:
    models = sorted((REFERENCE_DIR / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def build_reference(logs: Path) -> dict[str, object]:
    """`rasa init --no-prompt` once; its wall time (scaffold + training) is the reference's
    training time. Cached: rebuilt only when the model or the record is missing."""
    record = REFERENCE_DIR / "build.json"
    if reference_model() and record.exists():
        return json.loads(record.read_text())
    print("[bench] building the reference: rasa init --no-prompt (trains a model, about 2-3 min)", flush=True)
    shutil.rmtree(REFERENCE_DIR, ignore_errors=True)
    REFERENCE_DIR.mkdir(parents=True)
    start = time.monotonic()
    run_logged([str(stack.RASA_BIN), "init", "--no-prompt", "--init-dir", str(REFERENCE_DIR)],
               logs / "reference-init.log", cwd=REFERENCE_DIR, env=stack.base_env())
    seconds = time.monotonic() - start
    # rasa init's stories and rules only use utter_ responses; make sure, since the
    # reference runs without an action server.
    custom = [line.split(":")[-1].strip() for path in (REFERENCE_DIR / "data").glob("*.yml")
              for line in path.read_text().splitlines()
              if line.strip().startswith("- action:") and not line.split(":")[-1].strip().startswith("utter_")]
    info = {"built": dt.datetime.now().isoformat(timespec="seconds"), "init_and_train_s": round(seconds),
            "model": str(reference_model().relative_to(ROOT)), "custom_actions": custom}
    record.write_text(json.dumps(info, indent=2))
    return info


def train_ours(logs: Path) -> dict[str, object]:
    """`rasa train --force` of our project into a throwaway directory (the served model is
    untouched). --force retrains every component, whatever is in .rasa/cache."""
    print("[bench] timing rasa train --force of our assistant (about 3.5 min)", flush=True)
    BENCH.mkdir(parents=True, exist_ok=True)
    out = Path(tempfile.mkdtemp(prefix="train-", dir=BENCH))
    try:
        start = time.monotonic()
        run_logged([str(stack.RASA_BIN), "train", "--force", "--quiet", "--out", str(out),
                    "--fixed-model-name", "bench"], logs / "train-ours.log", cwd=ROOT, env=stack.base_env())
        info = {"measured": dt.datetime.now().isoformat(timespec="seconds"),
                "train_force_s": round(time.monotonic() - start)}
    finally:
        shutil.rmtree(out, ignore_errors=True)
    OURS_TRAINING.write_text(json.dumps(info, indent=2))
    return info
