"""Load benchmark: our assistant against a bare `rasa init` assistant, on loopback.

    make bench                                   # everything, about 20 minutes (16 min measured on 2026-11-30)
    make bench BENCH_ARGS="--duration 30 --only a,b"
    .venv/actions/bin/python -m tools.bench --train    # also time `rasa train --force` (~3.5 min more)

One module per job:

- ``reference``: builds the *reference*, `rasa init --no-prompt` under var/bench/reference/
  (Rasa's default pipeline and policies, English, no custom actions), trained once and
  cached; times `rasa train --force` of ours on request.
- ``targets``: starts the Rasa servers under test and waits until every worker is ready:
  ours as shipped (SQLite tracker store) with the speed-ups of Rasa's code on, ours with
  ``ASSISTANT_RASA_SPEEDUPS=off``, the reference on Rasa's own code; each server's log
  line about the speed-ups is checked, so a run is provably on or off.
- ``scenarios``: the conversations (Spanish for ours, English for the reference) with the
  text every reply must contain, and the scenarios: (a) 1 customer, no pause; (b) 8
  customers, no pause (saturation); (c) 20 customers pausing 2-5 s between turns; (d)
  ours with PostgreSQL tracker store + Redis lock store (tools/services.py), 1 Sanic
  worker against 2, at saturation.
- ``load``: the simulated customers (closed loop: each waits for its reply), a new sender
  id per conversation, every reply checked; the NLU-only latency (POST /model/parse).
- ``measure``: CPU of each process tree and of everything else on the machine, peak
  memory, percentiles.
- ``report``: the tables (terminal and docs/benchmark.md) and the targets.
- ``__main__``: the command line and the order of the phases.

Errors: non-200, timeouts, connection errors, empty replies and replies without the
expected text (e.g. the static "cannot check the schedule" wording Rasa falls back to
when an action fails). The figures go to var/bench/results.json and docs/benchmark.md.

Runs with .venv/actions/bin/python (standard library + requests + PyYAML); Rasa itself
runs in .venv/rasa through tools/stack.py, the same way `make run` and the tests start it.
"""

from tools import stack

ROOT = stack.ROOT
BENCH = stack.VAR / "bench"
RESULTS_JSON = BENCH / "results.json"
REPORT_MD = ROOT / "docs" / "benchmark.md"
RASA_PYTHON = ROOT / ".venv" / "rasa" / "bin" / "python"
