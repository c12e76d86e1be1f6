#!/usr/bin/env bash
# Regenerates tiktok_shop_connector/i18n/tiktok_shop_connector.pot from the code with Odoo's own
# exporter: the addon is updated in a database kept for this (installed the first time), then its
# terms are exported. The header's dates are blanked: regenerating without a change gives no diff.
source "$(dirname "$0")/common.sh"

# A database of its own beside the test database, kept between runs (an update is faster).
POT_DB="${TIKTOK_POT_DB:-${TIKTOK_TEST_DB:-tiktok_shop_test}_pot}"
CONFIG="$LOCAL_DIR/odoo-pot.conf"
POT_FILE="$ROOT_DIR/tiktok_shop_connector/i18n/tiktok_shop_connector.pot"
LOG="$LOCAL_DIR/logs/pot.log"

prepare_python
ensure_postgres
# No HTTP server is started; the port only fills the configuration.
write_odoo_config "$CONFIG" "${TIKTOK_TEST_HTTP_PORT:-8069}"

if [ "$(addon_state "$POT_DB")" = "installed" ]; then
    say "Updating tiktok_shop_connector in '$POT_DB' (log: $LOG)"
    load=(-u tiktok_shop_connector)
else
    say "Installing tiktok_shop_connector into a new database '$POT_DB' (log: $LOG)"
    dropdb --if-exists "$POT_DB" >/dev/null 2>&1
    load=(-i tiktok_shop_connector)
fi
run_with_progress "$LOG" "loading the addon ('dropdb $POT_DB' starts afresh)" \
    "$PYTHON" -m odoo -c "$CONFIG" -d "$POT_DB" "${load[@]}" --stop-after-init --no-http \
    --log-level=warn

say "Exporting its terms to ${POT_FILE#"$ROOT_DIR"/}"
exported=$(mktemp --suffix=.pot)
trap 'rm -f "$exported"' EXIT
"$PYTHON" -m odoo i18n export -c "$CONFIG" -d "$POT_DB" tiktok_shop_connector -o "$exported" \
    >>"$LOG" 2>&1 || { tail -20 "$LOG"; die "the export failed (log: $LOG)."; }
mkdir -p "$(dirname "$POT_FILE")"
sed -E 's/^"(POT-Creation-Date|PO-Revision-Date): [^\\]*\\n"$/"\1: \\n"/' "$exported" >"$POT_FILE"
say "$(grep -c '^msgid "..*"' "$POT_FILE") terms in ${POT_FILE#"$ROOT_DIR"/}"
