#!/usr/bin/env bash
# The main job: Odoo 19 on http://127.0.0.1:8069 with the addon installed on a demo database.
source "$(dirname "$0")/common.sh"

DEMO_DB="${TIKTOK_DEMO_DB:-tiktok_shop_demo}"
CONFIG="$LOCAL_DIR/odoo-demo.conf"
HTTP_PORT="${TIKTOK_HTTP_PORT:-8069}"

prepare_python
ensure_postgres
# The demo's own key for the connector's secrets, generated once and kept in .local/.
write_odoo_config "$CONFIG" "$HTTP_PORT" "$LOCAL_DIR/tiktok_shop_secret_key"

# The addon is updated in the demo database only when its files changed since the last update.
ADDON_STAMP="$LOCAL_DIR/$DEMO_DB.addon.sha256"
addon_digest() {
    (cd "$ROOT_DIR" && find tiktok_shop_connector -type f ! -path '*/__pycache__/*' ! -name '*.pyc' \
        -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}
addon_is_current() { [ "$(cat "$ADDON_STAMP" 2>/dev/null)" = "$(addon_digest)" ] && echo yes; }
addon_mark_current() { addon_digest >"$ADDON_STAMP"; }

if [ "$(addon_state "$DEMO_DB")" != "installed" ]; then
    say "Creating the demo database '$DEMO_DB' (Odoo 19 with demo data and tiktok_shop_connector; about two minutes; log: $LOCAL_DIR/logs/install-demo.log)"
    dropdb --if-exists "$DEMO_DB" >/dev/null 2>&1
    run_with_progress "$LOCAL_DIR/logs/install-demo.log" "creating the demo database" \
        "$PYTHON" -m odoo -c "$CONFIG" -d "$DEMO_DB" -i tiktok_shop_connector --with-demo \
        --stop-after-init --log-level=warn
    addon_mark_current
elif [ "$(addon_is_current)" != "yes" ]; then
    say "Updating tiktok_shop_connector in '$DEMO_DB' (log: $LOCAL_DIR/logs/update-demo.log)"
    run_with_progress "$LOCAL_DIR/logs/update-demo.log" "updating the addon" \
        "$PYTHON" -m odoo -c "$CONFIG" -d "$DEMO_DB" -u tiktok_shop_connector --stop-after-init \
        --log-level=warn
    addon_mark_current
fi

SANDBOX_PORT="${TIKTOK_SANDBOX_PORT:-8999}"
SANDBOX_URL="http://127.0.0.1:$SANDBOX_PORT"
say "Starting the local TikTok Shop sandbox on $SANDBOX_URL (log: $LOCAL_DIR/logs/sandbox.log)"
(cd "$ROOT_DIR" && exec "$PYTHON" -m tiktok_shop_sandbox \
    --port "$SANDBOX_PORT" --seed 1 --orders-per-shop 0) >"$LOCAL_DIR/logs/sandbox.log" 2>&1 &
SANDBOX_PID=$!
trap 'kill "$SANDBOX_PID" 2>/dev/null || true' EXIT
"$PYTHON" - "$SANDBOX_URL" <<'PY' || die "the sandbox did not start (see .local/logs/sandbox.log)"
import sys, time, requests
for _ in range(100):
    try:
        if requests.get(sys.argv[1] + "/sandbox/health", timeout=1).ok:
            raise SystemExit(0)
    except requests.ConnectionError:
        time.sleep(0.2)
raise SystemExit(1)
PY

# The demo seller authorizes the app on the sandbox and the code goes through the same exchange
# as the OAuth callback; the sandbox then streams orders, pushed to this Odoo by webhook.
say "Connecting the demo seller's TikTok shops to the sandbox"
"$PYTHON" -m odoo shell -c "$CONFIG" -d "$DEMO_DB" --no-http --log-level=warn \
    >"$LOCAL_DIR/logs/demo-connect.log" 2>&1 <<PY || { tail -20 "$LOCAL_DIR/logs/demo-connect.log"; die "connecting the demo seller failed"; }
env["ir.config_parameter"].set_param("web.base.url", "http://127.0.0.1:$HTTP_PORT")
account = env["tiktok.account"]._tiktok_connect_sandbox_demo("$SANDBOX_URL", stream_per_minute=6)
env.cr.commit()
print("connected:", account.name, account.shop_ids.mapped("name"))
PY

say "Odoo is starting on http://127.0.0.1:$HTTP_PORT (login admin / admin); Ctrl+C stops it"
say "TikTok orders stream in from the sandbox: Sales > TikTok Shop > Orders"
"$PYTHON" -m odoo -c "$CONFIG" -d "$DEMO_DB" --db-filter="^$DEMO_DB\$" --max-cron-threads=3
