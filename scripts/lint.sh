#!/usr/bin/env bash
# Ruff over the whole project with the settings of setup.cfg's [flake8] section.
# With --fix it rewrites what it can instead of only checking.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
mapfile -t settings < <("$PYTHON" scripts/lint_settings.py)
# --per-file-ignores is a check option; format takes the first four settings only.
format_settings=("${settings[@]:0:4}")
rules=(--select E,F,W,I,B,UP,C4,SIM,RUF --ignore RUF012,E203)
if [ "${1:-}" = "--fix" ]; then
    "$PYTHON" -m ruff check "${settings[@]}" "${rules[@]}" --fix .
    "$PYTHON" -m ruff format "${format_settings[@]}" .
else
    "$PYTHON" -m ruff check "${settings[@]}" "${rules[@]}" .
    "$PYTHON" -m ruff format "${format_settings[@]}" --check .
fi
