"""Run the sandbox as its own process.

    python -m tiktok_shop_sandbox --port 8999 --seed 1 \
        --scenario stream --speed 60 \
        --webhook-url http://127.0.0.1:8069/tiktok_shop/webhook/fm0us97i1s982

from the repository root (or scripts/sandbox.sh with the same options, or the `sandbox` service
of docker-compose.yml). Odoo takes webhooks at /tiktok_shop/webhook/<app key>; seed 1's app key
is the one above. It prints the app credentials to configure the connector with, then serves
until interrupted.
"""

import argparse
import json
import logging
import signal
import threading

from .app import Sandbox
from .scenarios import SCENARIOS
from .server import DEFAULT_RATE_LIMIT


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m tiktok_shop_sandbox", description="A local TikTok Shop (Open API 202309+)."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8999, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=1, help="same seed, same world")
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), help="start this scenario")
    parser.add_argument(
        "--scenario-option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="scenario option, VALUE read as JSON when it parses (repeatable)",
    )
    parser.add_argument("--webhook-url", default="", help="where webhooks are pushed")
    parser.add_argument("--redirect-url", default="", help="the app's OAuth redirect URL")
    parser.add_argument("--speed", type=float, default=1.0, help="sandbox seconds per second")
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=DEFAULT_RATE_LIMIT,
        help="requests/second per (app, shop, endpoint); 0 disables it",
    )
    parser.add_argument("--products-per-shop", type=int, default=8)
    parser.add_argument("--orders-per-shop", type=int, default=10)
    parser.add_argument("--log-level", default="WARNING")
    return parser.parse_args(argv)


def scenario_options(pairs):
    options = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator:
            raise SystemExit(f"--scenario-option expects NAME=VALUE, got {pair!r}")
        try:
            options[name] = json.loads(value)
        except ValueError:
            options[name] = value
    return options


def main(argv=None):
    arguments = parse_arguments(argv)
    logging.basicConfig(level=arguments.log_level.upper())
    sandbox = Sandbox(
        arguments.seed,
        host=arguments.host,
        port=arguments.port,
        speed=arguments.speed,
        webhook_url=arguments.webhook_url,
        redirect_url=arguments.redirect_url,
        scenario=arguments.scenario,
        scenario_options=scenario_options(arguments.scenario_option),
        rate_limit=arguments.rate_limit,
        products_per_shop=arguments.products_per_shop,
        orders_per_shop=arguments.orders_per_shop,
    ).start()
    app = sandbox.app
    print(f"TikTok Shop sandbox listening on {sandbox.url}")
    print(f"  app_key      {app.app_key}")
    print(f"  app_secret   {app.app_secret}")
    print(f"  service_id   {app.service_id}")
    print(f"  API and auth host  {sandbox.url}")
    print(f"  authorize URL      {sandbox.authorize_url}")
    print(f"  control API        {sandbox.url}/sandbox/state")
    for shop in sandbox.state.shops.values():
        print(f"  shop {shop.id} {shop.region} {shop.currency} {shop.name}")
    print("Press Ctrl+C to stop.", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main()
