#!/usr/bin/env bash
# Ruff over the whole project with the settings of pyproject.toml (the same checks as the
# pre-commit hooks). With --fix it rewrites what it can instead of only checking.
source "$(dirname "$0")/common.sh"
ensure_venv
install_python_requirements
cd "$ROOT_DIR"
if [ "${1:-}" = "--fix" ]; then
    "$PYTHON" -m ruff check --fix .
    "$PYTHON" -m ruff format .
else
    "$PYTHON" -m ruff check .
    "$PYTHON" -m ruff format --check .
fi
