"""Play the conversation corpus against a running assistant and write the report.

    .venv/actions/bin/python -m tools.play_corpus            # starts Rasa + actions itself
    .venv/actions/bin/python -m tools.play_corpus --only dates --only context
    .venv/actions/bin/python -m tools.play_corpus --id b-guided-   # ids starting with
    .venv/actions/bin/python -m tools.play_corpus --keep-tracker var/corpus-tracker.db   # keep what Rasa stored

The Rasa server loads the trained model once; one action server plays every moment
through ``ASSISTANT_NOW_FILE`` (``--restart``: a new action server with ``ASSISTANT_NOW``
per moment, exactly as the acceptance suite does, slower). Writes var/corpus-report.md
(every failing conversation with its answers), var/corpus-report.json (the figures) and
var/corpus-transcripts.md (every conversation, to read every answer).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import uuid
from pathlib import Path

import requests

from tests.conversations import corpus
from tools import stack

VAR = stack.ROOT / "var"


class LiveAssistant:
    """Rasa (model loaded once) and one action server whose clock each conversation sets."""

    def __init__(self, tmp: Path, restart: bool = False):
        self.restart = restart
        self.clock_file = tmp / "assistant-now"
        self.logs = tmp / "logs"
        self.action_port = stack.free_port()
        self.token = uuid.uuid4().hex
        self.moment: str | None = None
        self.actions: stack.Service | None = None
        self.set_moment("2026-12-01T10:00")
        endpoints = stack.write_endpoints(
            tmp / "endpoints.yml", self.action_port,
            tracker_store={"type": "addons.tracker_store.ReportingSQLTrackerStore", "dialect": "sqlite",
                           "db": str(tmp / "tracker.db")},
        )
        self.rasa = stack.start_rasa(stack.free_port(), endpoints, self.logs, auth_token=self.token)

    def set_moment(self, moment: str) -> None:
        """ASSISTANT_NOW_FILE moves the clock; with --restart, a new action server with ASSISTANT_NOW."""
        if moment == self.moment and self.actions and self.actions.alive():
            return
        if self.actions and self.actions.alive() and not self.restart:
            self.clock_file.write_text(moment, encoding="utf-8")
            self.moment = moment
            return
        if self.actions:
            self.actions.stop()
        self.clock_file.unlink(missing_ok=True)
        env = {"ASSISTANT_NOW": moment, "DESK_URL": "off"}
        if not self.restart:
            env["ASSISTANT_NOW_FILE"] = str(self.clock_file)
        self.actions = stack.start_actions(self.action_port, self.logs, env)
        self.moment = moment

    def send(self, sender: str, text: str) -> list[dict]:
        response = requests.post(f"{self.rasa.url}/webhooks/rest/webhook",
                                 json={"sender": sender, "message": text}, timeout=60)
        response.raise_for_status()
        return response.json()

    def intents(self, sender: str) -> list[str]:
        """The intent the NLU gave each customer message of a conversation."""
        response = requests.get(f"{self.rasa.url}/conversations/{sender}/tracker",
                                params={"token": self.token}, timeout=30)
        response.raise_for_status()
        return [((e.get("parse_data") or {}).get("intent") or {}).get("name")
                for e in response.json()["events"] if e.get("event") == "user"]

    def stop(self) -> None:
        self.rasa.stop()
        if self.actions:
            self.actions.stop()


def play_all(assistant: LiveAssistant, conversations: list[corpus.Conversation]) -> list[corpus.Result]:
    results = []
    for conversation in conversations:
        assistant.set_moment(conversation.now)
        results.append(corpus.play(conversation, assistant.send, assistant.intents))
    return results


def write_report(results: list[corpus.Result], out: Path = VAR, show_held_out: bool = False) -> dict:
    summary = corpus.report(results)
    out.mkdir(parents=True, exist_ok=True)
    (out / "corpus-report.md").write_text(corpus.markdown(results, summary, show_held_out), encoding="utf-8")
    (out / "corpus-report.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    shown = [r for r in results if show_held_out or r.passed or not corpus.held_out(r.conversation.id)]
    (out / "corpus-transcripts.md").write_text(transcripts(shown), encoding="utf-8")
    return summary


def transcripts(results: list[corpus.Result]) -> str:
    """Every conversation as it went (passing ones too), for a person to read every answer."""
    lines = ["# Conversation corpus: every transcript", ""]
    for r in results:
        c = r.conversation
        lines.append(f"## {c.id} ({c.cls}, {c.now}) — {'pass' if r.passed else 'FAIL'}")
        for t in r.turns:
            lines.append(f"- **Cliente:** {t.user}")
            lines.append("  > " + (t.answer or "(sin respuesta)").replace("\n", "\n  > "))
            if t.buttons:
                lines.append("  > [" + "] [".join(t.buttons) + "]")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", help="play only this class (repeatable)")
    parser.add_argument("--id", action="append", help="play only conversations whose id starts with this")
    parser.add_argument("--restart", action="store_true", help="restart the action server with ASSISTANT_NOW per moment")
    parser.add_argument("--file", action="append", type=Path, help="play the conversations of this file instead of "
                        "the corpus (repeatable; e.g. a fresh batch to measure its first-sight pass rate)")
    parser.add_argument("--first-turns", type=Path, help="a YAML file of {first_turns: [{id, text}]}: each "
                        "conversation's first message replaced by that text (paraphrases of the corpus)")
    parser.add_argument("--out", type=Path, default=VAR, help="folder of the reports (default var/)")
    parser.add_argument("--show-held-out", action="store_true", help="also print the failures of the held-out fifth "
                        "(a fresh batch or paraphrases: every failure is shown anyway when --file is given)")
    parser.add_argument("--keep-tracker", metavar="FILE", help="copy the run's SQLite tracker store here (e.g. for "
                        "python -m insights --tracker-store sqlite:///FILE)")
    args = parser.parse_args(argv)
    conversations = corpus.load(args.file)
    if args.first_turns:
        conversations = corpus.with_first_turns(conversations, args.first_turns)
    if args.only:
        conversations = [c for c in conversations if c.cls in args.only]
    if args.id:
        conversations = [c for c in conversations if any(c.id.startswith(p) for p in args.id)]
    with tempfile.TemporaryDirectory() as tmp:
        assistant = LiveAssistant(Path(tmp), restart=args.restart)
        try:
            results = play_all(assistant, conversations)
        finally:
            assistant.stop()
            if args.keep_tracker:  # SQLite's backup: the WAL's pages too
                with sqlite3.connect(Path(tmp) / "tracker.db") as src, sqlite3.connect(args.keep_tracker) as dst:
                    src.backup(dst)
    if args.first_turns and not args.show_held_out:
        # Paraphrases measure how much was memorised: their failures are not for fixing.
        summary = corpus.report(results)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "corpus-report.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    else:
        summary = write_report(results, args.out, args.show_held_out or bool(args.file))
    print(json.dumps({k: v for k, v in summary.items() if k != "priority_line_where_it_does_not_belong"}, indent=2))
    print(f"24/7 line where it does not belong: {len(summary['priority_line_where_it_does_not_belong'])}")
    print(f"report: {args.out / 'corpus-report.md'}")
    return 0 if summary["pass_rate"] >= 0.97 and not summary["priority_line_where_it_does_not_belong"] else 1


if __name__ == "__main__":
    sys.exit(main())
