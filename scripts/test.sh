#!/usr/bin/env bash
# The test command: sets everything up on first use, trains if needed and runs the
# tests. TEST_SCOPE=all (default: every layer), core (unit, actions, tables, Rasa's own
# checks, the live conversations, corpus and security probes) or extended (browser,
# integration, speed-up checks); .ci/run runs core, then extended when time allows.
# Extra arguments go to pytest (e.g. scripts/test.sh -k triage).
set -euo pipefail
cd "$(dirname "$0")/.."
scope=${TEST_SCOPE:-all}
case "$scope" in
  core) select=(-m "not extended") ;;
  extended) select=(-m extended) ;;
  all) select=() ;;
  *) echo "TEST_SCOPE must be core, extended or all (got '$scope')" >&2; exit 2 ;;
esac
t0=$SECONDS
scripts/system_deps.sh
scripts/setup.sh
echo "[test] setup done in $((SECONDS - t0)) s"
scripts/train.sh
echo "[test] model ready after $((SECONDS - t0)) s"
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
# var/test-results-<scope>.xml keeps each test's time and the figures tests record
# (held-out macro-F1, corpus pass rate, request-to-desk time of the hand-off).
mkdir -p var && chmod 700 var  # var/ holds the product's data too: the owner only
exec .venv/actions/bin/python -m pytest "${select[@]}" --junitxml="var/test-results-$scope.xml" \
  -o junit_family=xunit1 --durations=15 "$@"
