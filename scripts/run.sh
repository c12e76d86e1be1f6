#!/usr/bin/env bash
# The main job: Odoo 19 on http://127.0.0.1:8069 with the addon installed on a demo database.
source "$(dirname "$0")/common.sh"

DEMO_DB="${TIKTOK_DEMO_DB:-tiktok_shop_demo}"
CONFIG="$LOCAL_DIR/odoo-demo.conf"
HTTP_PORT="${TIKTOK_HTTP_PORT:-8069}"

require_odoo
install_python_requirements
ensure_postgres
write_odoo_config "$CONFIG" "$HTTP_PORT"

if [ "$(addon_state "$DEMO_DB")" != "installed" ]; then
    say "Creating the demo database '$DEMO_DB' (Odoo 19 with demo data and tiktok_shop_connector)"
    dropdb --if-exists "$DEMO_DB" >/dev/null 2>&1
    "$PYTHON" -m odoo -c "$CONFIG" -d "$DEMO_DB" -i tiktok_shop_connector --with-demo \
        --stop-after-init --log-level=warn >"$LOCAL_DIR/install-demo.log" 2>&1 \
        || { tail -40 "$LOCAL_DIR/install-demo.log"; die "creating the demo database failed"; }
else
    say "Updating tiktok_shop_connector in '$DEMO_DB'"
    "$PYTHON" -m odoo -c "$CONFIG" -d "$DEMO_DB" -u tiktok_shop_connector --stop-after-init \
        --log-level=warn >"$LOCAL_DIR/update-demo.log" 2>&1 \
        || { tail -40 "$LOCAL_DIR/update-demo.log"; die "updating the addon failed"; }
fi

say "Odoo is starting on http://127.0.0.1:$HTTP_PORT (login admin / admin); Ctrl+C stops it"
exec "$PYTHON" -m odoo -c "$CONFIG" -d "$DEMO_DB" --db-filter="^$DEMO_DB\$"
