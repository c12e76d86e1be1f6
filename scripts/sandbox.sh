#!/usr/bin/env bash
# Start the local TikTok Shop sandbox; options are passed on (see --help), e.g.
#   scripts/sandbox.sh --port 8999 --seed 1 --scenario stream --speed 60 --webhook-url URL
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PYTHONPATH="$ROOT_DIR/tiktok_shop_connector${PYTHONPATH:+:$PYTHONPATH}"
exec "${PYTHON:-python3}" -m tiktok_shop.sandbox "$@"
