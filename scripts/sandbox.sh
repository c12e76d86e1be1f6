#!/usr/bin/env bash
# Start the local TikTok Shop sandbox; options are passed on (see --help), e.g.
#   scripts/sandbox.sh --port 8999 --seed 1 --scenario stream --speed 60 --webhook-url URL
# It needs the project's packages (requests), neither Odoo nor the connector.
source "$(dirname "$0")/common.sh"
ensure_venv
install_python_requirements
cd "$ROOT_DIR"
exec "$PYTHON" -m tiktok_shop_sandbox "$@"
