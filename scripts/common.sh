# Shared set-up for scripts/run.sh and scripts/test.sh: Python packages, Odoo, PostgreSQL.
# Sourced, not executed. Everything it starts or writes lives under $LOCAL_DIR (git-ignored).
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL_DIR="$ROOT_DIR/.local"
# The machine's Python only creates the project's environment; everything runs in the environment.
BASE_PYTHON="${TIKTOK_BASE_PYTHON:-python3}"
VENV_DIR="$LOCAL_DIR/venv"
PYTHON="$VENV_DIR/bin/python"
LOCAL_PG_PORT="${TIKTOK_LOCAL_PGPORT:-54329}"
LOCAL_PG_ROLE="odoo"
mkdir -p "$LOCAL_DIR/logs"

die() {
    printf '\nERROR: %s\n\n' "$*" >&2
    exit 2
}

say() {
    printf '==> %s\n' "$*"
}

ensure_venv() {
    command -v "$BASE_PYTHON" >/dev/null || die "$BASE_PYTHON not found: install Python 3.10+."
    "$BASE_PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
        || die "$BASE_PYTHON is Python $("$BASE_PYTHON" -c 'import platform; print(platform.python_version())'); the project needs 3.10+ (TIKTOK_BASE_PYTHON names another)."
    [ -x "$PYTHON" ] && return 0
    say "Creating the project's Python environment in $VENV_DIR"
    "$BASE_PYTHON" -m venv "$VENV_DIR" >"$LOCAL_DIR/logs/venv.log" 2>&1 \
        || { rm -rf "$VENV_DIR"; die "'$BASE_PYTHON -m venv' failed (log: $LOCAL_DIR/logs/venv.log; Debian: apt-get install python3-venv)."; }
}

# Odoo 19 from ODOO_SOURCE (a directory or an archive) or Odoo's download server; nothing to do
# when the environment imports it already.
ensure_odoo() {
    "$PYTHON" "$ROOT_DIR/scripts/bootstrap_odoo.py" --python "$PYTHON" --local-dir "$LOCAL_DIR" \
        || exit 2
}

install_python_requirements() {
    # pip runs only when requirements.txt changed since the last install: repeated runs stay offline.
    local stamp="$VENV_DIR/.requirements.sha256" wanted
    wanted=$(sha256sum "$ROOT_DIR/requirements.txt" | cut -d' ' -f1)
    [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ] && return 0
    say "Installing the project's Python packages from requirements.txt (log: $LOCAL_DIR/logs/pip-project.log)"
    "$PYTHON" -m pip install -r "$ROOT_DIR/requirements.txt" >"$LOCAL_DIR/logs/pip-project.log" 2>&1 \
        || { tail -15 "$LOCAL_DIR/logs/pip-project.log"; die "pip could not install requirements.txt (log: $LOCAL_DIR/logs/pip-project.log)."; }
    echo "$wanted" >"$stamp"
}

# Everything the Odoo commands need in the project's environment.
prepare_python() {
    ensure_venv
    ensure_odoo
    install_python_requirements
}

# Runs an Odoo install or update in the background, its log in LOG, and says which module it is
# loading every 15 s (a demo database takes a couple of minutes). On failure it shows the log's
# end and stops with "WHAT failed".
run_with_progress() {
    local log=$1 what=$2 pid status=0 waited=0 last
    shift 2
    "$@" --log-handler=odoo.modules.loading:INFO >"$log" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        sleep 1
        waited=$((waited + 1))
        if [ $((waited % 15)) -eq 0 ]; then
            last=$(grep -o 'Loading module [^ ]* ([0-9]*/[0-9]*)' "$log" | tail -1 || true)
            say "  ... ${waited} s${last:+, $last}"
        fi
    done
    wait "$pid" || status=$?
    [ "$status" -eq 0 ] || { tail -40 "$log"; die "$what failed (log: $log)"; }
}

# Install Debian packages as root, or stop saying what to install: `what` names them in the
# messages, `why` says what needs them; the log is named after the first package.
install_packages_or_stop() {
    local what=$1 why=$2
    shift 2
    local log="$LOCAL_DIR/apt-$1.log"
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        say "Installing $what for $why (Debian packages $*)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } \
            >"$log" 2>&1 || die "installing $what failed (see $log)."
        return 0
    fi
    die "$what is needed for $why: install it (Debian: apt-get install $*)."
}

# The browser tour needs Chromium: Odoo would skip it silently without, so install it or stop.
ensure_chromium() {
    if command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
        || command -v google-chrome >/dev/null; then
        return 0
    fi
    install_packages_or_stop Chromium "the browser tests" chromium chromium-driver
}

# The flash report's PDF is printed by wkhtmltopdf, as every Odoo PDF; its test needs it.
ensure_wkhtmltopdf() {
    command -v wkhtmltopdf >/dev/null && return 0
    install_packages_or_stop wkhtmltopdf "the PDF reports" wkhtmltopdf
}

odoo_core_addons_path() {
    # Odoo's own addons sit beside the odoo package in a source checkout, inside it when pip-installed.
    "$PYTHON" - <<'PY'
import os, odoo
for package_dir in odoo.__path__:
    for candidate in (os.path.join(os.path.dirname(package_dir), "addons"), os.path.join(package_dir, "addons")):
        if os.path.isfile(os.path.join(candidate, "sale_management", "__manifest__.py")):
            print(candidate)
            raise SystemExit(0)
raise SystemExit("Odoo's addons (sale_management, stock, account) were not found beside the odoo package.")
PY
}

pg_server_answers() {
    command -v pg_isready >/dev/null && pg_isready -q -t 3 \
        && psql -X -q -d postgres -c 'select 1' >/dev/null 2>&1
}

find_pg_bin() {
    local name=$1 candidate
    if command -v "$name" >/dev/null; then command -v "$name"; return 0; fi
    # Debian keeps the server binaries off PATH; TIKTOK_PG_BIN_GLOB lets other layouts (and tests) say where.
    for candidate in ${TIKTOK_PG_BIN_GLOB:-/usr/lib/postgresql/*/bin}/"$name"; do
        [ -x "$candidate" ] && { echo "$candidate"; return 0; }
    done
    return 1
}

# PostgreSQL refuses to run as root: when we are root, the local cluster runs as a system user.
pg_run_as() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$PG_OS_USER" -- "$@"
    else
        "$@"
    fi
}

start_local_cluster() {
    local initdb pg_ctl data_dir
    initdb=$(find_pg_bin initdb) && pg_ctl=$(find_pg_bin pg_ctl) \
        || die "No PostgreSQL server answers (PGHOST=${PGHOST:-<socket>} PGPORT=${PGPORT:-5432}) and the
  PostgreSQL server binaries (initdb, pg_ctl) are not installed, so no local cluster can be started.
  Install them (Debian/Ubuntu: apt-get install postgresql) or point PGHOST/PGPORT/PGUSER at a server."
    data_dir="$LOCAL_DIR/pg"
    PG_OS_USER=$(id -un)
    if [ "$(id -u)" -eq 0 ]; then
        PG_OS_USER=postgres
        id "$PG_OS_USER" >/dev/null 2>&1 || useradd --system --no-create-home "$PG_OS_USER"
        if ! runuser -u "$PG_OS_USER" -- test -x "$LOCAL_DIR"; then
            # The checkout is not reachable by that user (e.g. under /root): keep the cluster in /var/tmp.
            data_dir="/var/tmp/tiktok-shop-connector-pg/$(printf '%s' "$ROOT_DIR" | md5sum | cut -c1-12)"
        fi
    fi
    mkdir -p "$data_dir"
    [ "$(id -u)" -eq 0 ] && chown "$PG_OS_USER" "$data_dir" && chmod 700 "$data_dir"
    if [ ! -f "$data_dir/PG_VERSION" ]; then
        say "Creating a project-local PostgreSQL cluster in $data_dir"
        pg_run_as "$initdb" -D "$data_dir" -U "$LOCAL_PG_ROLE" --auth=trust -E UTF8 >/dev/null \
            || die "initdb failed for $data_dir"
    fi
    export PGHOST=127.0.0.1 PGPORT="$LOCAL_PG_PORT" PGUSER="$LOCAL_PG_ROLE" PGDATABASE=postgres
    if ! pg_server_answers; then
        say "Starting the project-local PostgreSQL on 127.0.0.1:$LOCAL_PG_PORT"
        pg_run_as "$pg_ctl" -D "$data_dir" -l "$data_dir/server.log" -w -t 60 \
            -o "-h 127.0.0.1 -p $LOCAL_PG_PORT -k $data_dir" start >/dev/null \
            || die "The local PostgreSQL did not start: see $data_dir/server.log"
    fi
    pg_server_answers || die "The local PostgreSQL on 127.0.0.1:$LOCAL_PG_PORT does not answer."
}

# Use the server named by PGHOST/PGPORT/PGUSER (or libpq's defaults) when it answers; otherwise, or
# with TIKTOK_DB=local, start the project-local cluster.
ensure_postgres() {
    if [ "${TIKTOK_DB:-}" != "local" ] && pg_server_answers; then
        say "Using the PostgreSQL server at ${PGHOST:-<local socket>}:${PGPORT:-5432}"
    else
        start_local_cluster
    fi
    [ "${PGUSER:-$(id -un)}" != "postgres" ] \
        || die "Odoo refuses to connect as the 'postgres' role: set PGUSER to another role."
}

# Prints the key kept in FILE, generating a random one into it (readable by its owner only) the
# first time: the demo database's secrets are encrypted with it, so it must stay the same.
secret_key_from_file() {
    local file=$1
    if [ ! -s "$file" ]; then
        (umask 077 && "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(32))' >"$file") \
            || die "could not write the secret key file $file"
    fi
    cat "$file"
}

# Writes the Odoo configuration every command of the project uses; with SECRET_KEY_FILE, the
# connector's secrets are encrypted with the key it keeps instead of one derived from the database.
write_odoo_config() {
    local config=$1 http_port=$2 secret_key_file=${3:-} core_addons secret_key=""
    core_addons=$(odoo_core_addons_path) || die "Odoo's core addons were not found."
    [ -z "$secret_key_file" ] || secret_key=$(secret_key_from_file "$secret_key_file")
    # Readable by its owner only: it may hold the database password and the secrets' key.
    install -m 600 /dev/null "$config"
    {
        echo "[options]"
        echo "addons_path = $core_addons,$ROOT_DIR"
        echo "data_dir = $LOCAL_DIR/data"
        [ -n "${PGHOST:-}" ] && echo "db_host = $PGHOST"
        [ -n "${PGPORT:-}" ] && echo "db_port = $PGPORT"
        [ -n "${PGUSER:-}" ] && echo "db_user = $PGUSER"
        [ -n "${PGPASSWORD:-}" ] && echo "db_password = $PGPASSWORD"
        echo "http_interface = 127.0.0.1"
        echo "http_port = $http_port"
        echo "list_db = False"
        [ -z "$secret_key" ] || echo "tiktok_shop_secret_key = $secret_key"
    } >"$config"
}

database_exists() {
    [ "$(psql -X -At -d postgres -c "select 1 from pg_database where datname = '$1'")" = "1" ]
}

addon_state() {
    psql -X -At -d "$1" -c "select state from ir_module_module where name = 'tiktok_shop_connector'" 2>/dev/null || true
}
