#!/usr/bin/env bash
# The benchmark scripts with the same set-up as the other commands; extra arguments go to them.
#   scripts/bench.sh orders|stock|settlements|live|sandbox|all [ARGS]
source "$(dirname "$0")/common.sh"

which=${1:-all}
shift || true
case "$which" in
    orders | stock | settlements | live | sandbox | all) ;;
    *) die "unknown benchmark '$which': orders, stock, settlements, live, sandbox or all." ;;
esac

prepare_python
if [ "$which" != "sandbox" ]; then
    ensure_postgres
    CONFIG="$LOCAL_DIR/odoo-bench.conf"
    write_odoo_config "$CONFIG" "${TIKTOK_BENCH_HTTP_PORT:-8079}"
fi

run_bench() {
    local name=$1
    shift
    say "Benchmark: $name ($(nproc) cores, shared by the sandbox, PostgreSQL and Odoo)"
    if [ "$name" = "sandbox" ]; then
        "$PYTHON" "$ROOT_DIR/tests/bench/bench_sandbox.py" "$@"
    else
        "$PYTHON" "$ROOT_DIR/tests/bench/bench_$name.py" --config "$CONFIG" "$@"
    fi
}

cd "$ROOT_DIR"
if [ "$which" = "all" ]; then
    for name in sandbox orders stock settlements live; do run_bench "$name"; done
else
    run_bench "$which" "$@"
fi
