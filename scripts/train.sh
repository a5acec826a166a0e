#!/usr/bin/env bash
# Trains the Rasa model only when the training data, domain, config or custom
# NLU components changed since the last training. The model is models/assistant.tar.gz.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1

# The custom NLU components (addons/tokenizer.py, addons/message_guard.py, addons/letter.py, addons/linear_intent.py, addons/crf_annotated.py,
# addons/clauses.py, and the helpdesk/ modules they use: text, letter, lexicon, clauses, understanding) are part of
# the model; the other addons (channel, stores, validation) are not.
fingerprint=$(find config.yml domain.yml data addons/tokenizer.py addons/message_guard.py addons/letter.py addons/clauses.py addons/linear_intent.py addons/crf_annotated.py helpdesk/text.py helpdesk/understanding.py helpdesk/letter.py helpdesk/lexicon.py helpdesk/clauses.py -type f \( -name '*.yml' -o -name '*.py' \) -print0 \
  | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-32)
if [ -f models/assistant.tar.gz ] && [ -f models/.fingerprint ] && [ "$(cat models/.fingerprint)" = "$fingerprint" ] \
   && [ "${FORCE_TRAIN:-0}" != 1 ]; then
  echo "[train] model is up to date (models/assistant.tar.gz)"
  exit 0
fi
echo "[train] training the model (data, domain, config or components changed)"
t0=$SECONDS
rm -f models/.fingerprint
# Train into a temporary directory and move the model in place atomically, so a
# server starting meanwhile never reads a half-written archive.
tmp=$(mktemp -d models.tmp.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
.venv/rasa/bin/rasa train --fixed-model-name assistant --out "$tmp" --quiet
mkdir -p models
mv -f "$tmp/assistant.tar.gz" models/assistant.tar.gz
echo "$fingerprint" > models/.fingerprint
echo "[train] trained in $((SECONDS - t0)) s"
