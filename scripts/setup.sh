#!/usr/bin/env bash
# Sets up everything the assistant and its tests need, idempotently:
#   .venv/tools    uv (fast, reproducible installs)
#   .venv/rasa     Rasa Open Source 3.6 server     <- requirements/rasa.txt
#   .venv/actions  action server + test tools      <- requirements/dev.txt
#   web/node_modules  socket.io-client for the web chat widget (npm ci)
# Each environment is rebuilt only when its lock file changes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

PY310=$(scripts/find_python310.sh)
UV_VERSION=0.13.8
export UV_CACHE_DIR="${UV_CACHE_DIR:-$HOME/.cache/uv}"
# uv ignores pip's configuration; these are the only indexes it uses.
export UV_INDEX_URL="${UV_INDEX_URL:-https://pypi.org/simple}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

hash_of() { cat "$@" | sha256sum | cut -c1-16; }

if [ ! -x .venv/tools/bin/uv ] || [ "$(.venv/tools/bin/uv --version | awk '{print $2}')" != "$UV_VERSION" ]; then
  log "installing uv $UV_VERSION into .venv/tools"
  rm -rf .venv/tools
  "$PY310" -m venv .venv/tools
  .venv/tools/bin/pip install --quiet "uv==$UV_VERSION"
fi
UV=$ROOT/.venv/tools/bin/uv

make_env() {  # make_env <name> <lock file>
  local name=$1 lock=$2 dir=.venv/$1
  local want
  want="$(hash_of "$lock")-$("$PY310" -c 'import sys; print(sys.version.split()[0])')"
  if [ -f "$dir/.lock-hash" ] && [ "$(cat "$dir/.lock-hash")" = "$want" ]; then
    return 0
  fi
  log "creating $dir from $lock"
  rm -rf "$dir"
  "$UV" venv --quiet --seed --python "$PY310" "$dir"
  local t0=$SECONDS
  # --compile-bytecode: Python never has to compile rasa and TensorFlow at start-up
  # (machines that set PYTHONDONTWRITEBYTECODE would otherwise compile them at every
  # start: minutes per "rasa" command).
  "$UV" pip sync --quiet --compile-bytecode --python "$dir/bin/python" "$lock"
  log "$dir installed in $((SECONDS - t0)) s"
  "$dir/bin/python" -m pip check >/dev/null || { "$dir/bin/python" -m pip check; exit 1; }
  echo "$want" > "$dir/.lock-hash"
}

make_env rasa requirements/rasa.txt
make_env actions requirements/dev.txt

if [ -f web/package-lock.json ]; then
  want=$(hash_of web/package-lock.json)
  if [ ! -f web/node_modules/.lock-hash ] || [ "$(cat web/node_modules/.lock-hash)" != "$want" ]; then
    command -v npm >/dev/null || { echo "npm (Node.js 18+) is needed for the web chat widget" >&2; exit 1; }
    log "installing the web widget's npm packages (npm ci)"
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > web/node_modules/.lock-hash
  fi
fi
log "environments ready"
