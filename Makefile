# Support assistant for Firmas Digitales y Estampado Cronológico.
# `make help` lists the targets. CI runs `make test` through .ci/run.

SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := .venv/actions/bin/python

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

setup: ## Create the environments (.venv/rasa, .venv/actions) from the lock files
	@scripts/setup.sh

train: setup ## Train the model if data, domain or config changed
	@scripts/train.sh

run: train ## Set up, train if needed, start everything and chat in the terminal
	@$(PY) -m tools.stack run

serve: train ## Set up, train if needed and start the servers (no terminal chat)
	@$(PY) -m tools.stack serve

test: ## Set up, train if needed and run every test (TEST_SCOPE=core|extended for a part)
	@scripts/test.sh

test-fast: setup ## Unit and action tests only: no model, no servers (feedback while editing)
	@$(PY) -m pytest -q -m "not slow and not extended" tests/unit tests/actions

test-core: ## The core layers of `make test` (what CI always runs)
	@TEST_SCOPE=core scripts/test.sh

test-extended: ## The browser, integration and speed-up layers of `make test`
	@TEST_SCOPE=extended scripts/test.sh

check-schedule: setup ## Validate schedule/channels.yml and schedule/phrases.yml (or the files ASSISTANT_SCHEDULE_FILE, ASSISTANT_PHRASES_FILE name)
	@$(PY) -c "from helpdesk.loader import load_schedule, schedule_path_from_env as p; s = load_schedule(p()); print(f'{s.source}: OK, {len(s.channels)} channels, {len(s.escalation_levels)} escalation levels')"
	@$(PY) -c "from helpdesk.phrases import load_phrases, phrases_path_from_env as p; w = load_phrases(p()); print(f'{w.source}: OK, {len(w.templates)} phrases, {len(w.lists)} word lists')"

wording-snapshot: setup ## Rewrite tests/wording/answers.txt after an intended change of wording or hours (read its diff)
	@$(PY) -m tools.wording_snapshot --update

lint: setup ## Ruff on the Python code
	@.venv/actions/bin/ruff check helpdesk actions addons tools tests scripts desk web insights

nlu-eval: train ## Score the model on the blind, held-out, two-question and dev NLU files
	@.venv/rasa/bin/python -m tools.nlu_eval --data tests/nlu/blind.yml tests/nlu/heldout.yml tests/nlu/two_questions.yml tests/nlu/dev.yml

bench: train ## Load benchmark against a bare `rasa init` assistant (~20 min; BENCH_ARGS="--duration 30 --only a,b --train")
	@$(PY) -m tools.bench $(BENCH_ARGS)

report: setup ## Support report of FROM..TO (Bogotá days) into var/report/: report.html, CSV, NLU draft (FROM=2026-11-01 TO=2026-11-30)
	@test -n "$(FROM)" -a -n "$(TO)" || { echo "usage: make report FROM=2026-11-01 TO=2026-11-30 [REPORT_ARGS='--tracker-store …']"; exit 2; }
	@$(PY) -m insights --from $(FROM) --to $(TO) $(REPORT_ARGS)

retention: setup ## Delete conversations whose latest event is older than DAYS days (or $$TRACKER_RETENTION_DAYS)
	@$(PY) -m insights.retention $(if $(DAYS),--days $(DAYS),) $(RETENTION_ARGS)

clean: ## Remove models, logs and test results (keeps the environments)
	rm -rf models var results .pytest_cache

.PHONY: help setup train run serve test test-fast test-core test-extended check-schedule wording-snapshot lint nlu-eval bench report retention clean
