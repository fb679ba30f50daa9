# Sourced by scripts/serve and scripts/test: a project virtual environment with pinned dependencies.
# Set OBJECTBASE_VENV to use another location.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${OBJECTBASE_VENV:-$ROOT/.venv}"
EXTRAS="${1:-}"
stamp="$VENV/.installed$EXTRAS"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
# Reinstall only when the dependency files changed since the last install.
if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ] || [ "$ROOT/constraints.txt" -nt "$stamp" ]; then
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -c "$ROOT/constraints.txt" -e "$ROOT$EXTRAS"
  touch "$stamp"
fi
