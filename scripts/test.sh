#!/usr/bin/env bash
# The whole test suite: lint, pure-Python tests and Odoo tests, in one pytest run on a fresh database.
# Extra arguments go to pytest, e.g.  scripts/test.sh tests/unit/test_signing.py
source "$(dirname "$0")/common.sh"

TEST_DB="${TIKTOK_TEST_DB:-tiktok_shop_test}"
# Another test database gets its own configuration (and TIKTOK_TEST_HTTP_PORT its own HTTP port),
# so two runs can share the machine.
CONFIG="$LOCAL_DIR/odoo-test.conf"
[ "$TEST_DB" = "tiktok_shop_test" ] || CONFIG="$LOCAL_DIR/odoo-test-$TEST_DB.conf"
TEST_HTTP_PORT="${TIKTOK_TEST_HTTP_PORT:-8069}"

prepare_python
ensure_chromium
ensure_wkhtmltopdf
ensure_postgres
write_odoo_config "$CONFIG" "$TEST_HTTP_PORT"

say "Ruff"
bash "$ROOT_DIR/scripts/lint.sh" \
    || die "ruff found problems: 'make format' fixes most of them."

INSTALL_LOG="$LOCAL_DIR/logs/install-test.log"
say "Installing tiktok_shop_connector into a fresh database '$TEST_DB' (log: $INSTALL_LOG)"
dropdb --if-exists "$TEST_DB" >/dev/null 2>&1
run_with_progress "$INSTALL_LOG" "installing the addon" "$PYTHON" -m odoo -c "$CONFIG" \
    -d "$TEST_DB" -i tiktok_shop_connector --stop-after-init --log-level=warn
[ "$(addon_state "$TEST_DB")" = "installed" ] || die "the addon is not installed in '$TEST_DB'."

say "pytest"
cd "$ROOT_DIR"
export TIKTOK_ODOO_CONFIG="$CONFIG"
# Without targets pytest runs its testpaths (pyproject.toml): tests/, the sandbox's tests and the
# Odoo tests.
exec "$PYTHON" -m pytest --odoo-config="$CONFIG" --odoo-database="$TEST_DB" --odoo-http "$@"
