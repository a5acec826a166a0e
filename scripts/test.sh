#!/usr/bin/env bash
# The test command: sets everything up on first use, trains if needed and runs
# every test layer. Extra arguments go to pytest (e.g. scripts/test.sh -k triage).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system_deps.sh
scripts/setup.sh
scripts/train.sh
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
# var/test-results.xml keeps each test's time and the figures tests record
# (held-out macro-F1, request-to-desk time of the hand-off).
mkdir -p var
exec .venv/actions/bin/python -m pytest --junitxml=var/test-results.xml -o junit_family=xunit1 --durations=10 "$@"
