#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter: $PYTHON, python3.10 on PATH, or pyenv's.
set -euo pipefail
is310() { "$1" -c 'import sys; raise SystemExit(sys.version_info[:2] != (3, 10))' 2>/dev/null; }
if [ -n "${PYTHON:-}" ]; then
  if is310 "$PYTHON"; then echo "$PYTHON"; exit 0; fi
  echo "PYTHON=$PYTHON is not Python 3.10 (Rasa 3.6 needs 3.8-3.10; Front Door uses 3.10)." >&2
  exit 1
fi
if command -v python3.10 >/dev/null 2>&1 && is310 "$(command -v python3.10)"; then
  command -v python3.10; exit 0
fi
root="$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"
for candidate in "$root"/versions/3.10.*/bin/python; do
  if [ -x "$candidate" ] && is310 "$candidate"; then echo "$candidate"; exit 0; fi
done
cat >&2 <<'MSG'
No Python 3.10 found. Rasa 3.6 runs on Python 3.8-3.10 only.
Install one (for example `pyenv install 3.10` or `apt-get install python3.10`),
or point PYTHON at it: make run PYTHON=/path/to/python3.10
MSG
exit 1
