"""`Sandbox`: a seeded world served over HTTP on 127.0.0.1, with its clock, webhooks and scenarios.

    with Sandbox(seed=1) as sandbox:
        app, token = sandbox.app, sandbox.issue_token()["access_token"]
        # a TikTok Shop client with app.app_key / app.app_secret, both hosts at sandbox.url

The API, the token calls and the consent page share one server: point a client's API and auth
hosts at `sandbox.url`; the authorization link is `sandbox.authorize_url`. Three daemon
threads run beside it: the HTTP server, the clock (runs due timers: holds, deliveries, scenario
events) and, once a webhook URL is set, the webhook pusher.
"""

import threading

# Imported for their routes, which register themselves.
from . import (  # noqa: F401
    affiliate,
    auth,
    catalog,
    control,
    finance,
    fulfillment,
    live,
    logistics,
    orders,
    promotions,
    returns,
)
from .faults import Faults
from .scenarios import ScenarioRunner
from .seed import SeedOptions, build_world
from .server import (
    DEFAULT_RATE_LIMIT,
    CallLog,
    Gateway,
    SandboxHTTPServer,
    SlidingWindowRateLimiter,
)
from .webhooks import WebhookPusher

CLOCK_TICK = 0.02  # real seconds between two runs of the due timers


class Sandbox:
    """A local TikTok Shop.

    :param seed: same seed, same app, sellers, shops, products, stock and initial orders
    :param host: interface to listen on
    :param port: TCP port; 0 picks a free one (see `url`)
    :param speed: sandbox seconds per real second (time acceleration)
    :param webhook_url: where pushes go; the pusher starts when it is set
    :param redirect_url: the app's registered OAuth redirect URL
    :param scenario: a scenario name to start with the server (see scenarios.SCENARIOS)
    :param scenario_options: its options
    :param rate_limit: requests per second per (app, shop, endpoint); 0 or None disables it
    :param products_per_shop: catalog size of each shop
    :param orders_per_shop: orders already placed when the sandbox starts
    :param start_time: pins the sandbox clock's start (Unix seconds)
    """

    def __init__(
        self,
        seed=1,
        *,
        host="127.0.0.1",
        port=0,
        speed=1.0,
        webhook_url="",
        redirect_url="",
        scenario=None,
        scenario_options=None,
        rate_limit=DEFAULT_RATE_LIMIT,
        products_per_shop=8,
        orders_per_shop=0,
        start_time=None,
    ):
        options = SeedOptions(
            products_per_shop=products_per_shop,
            orders_per_shop=orders_per_shop,
            redirect_url=redirect_url,
            webhook_url=webhook_url,
        )
        self.seed = seed
        self.state = build_world(seed, speed=speed, start_time=start_time, options=options)
        self.faults = Faults(seed)
        self.rate_limiter = SlidingWindowRateLimiter(rate_limit or 0)
        self.calls = CallLog()
        self.pusher = WebhookPusher(self.state, seed)
        self.scenarios = ScenarioRunner(self.state, seed)
        self._address = (host, port)
        self._scenario = (scenario, dict(scenario_options or {}))
        self._server = None
        self._threads = []
        self._stopping = threading.Event()

    # --- life cycle ----------------------------------------------------------------------------

    def start(self):
        gateway = Gateway(
            self.state,
            self.faults,
            self.rate_limiter,
            lambda request: control.handle(self, request),
            self.calls,
        )
        self._server = SandboxHTTPServer(self._address, gateway)
        self._stopping.clear()
        self._spawn("sandbox-http", self._server.serve_forever, 0.05)
        self._spawn("sandbox-clock", self._run_clock)
        if self.app.webhook_url:
            self.pusher.start()
        name, options = self._scenario
        if name:
            self.scenarios.start(name, **options)
        return self

    def stop(self):
        self.scenarios.stop()
        self._stopping.set()
        self.pusher.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def _spawn(self, name, target, *args):
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _run_clock(self):
        while not self._stopping.wait(CLOCK_TICK):
            self.state.run_due()

    # --- what callers need -----------------------------------------------------------------------

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def authorize_url(self):
        return f"{self.url}/open/authorize"

    @property
    def app(self):
        return next(iter(self.state.apps.values()))

    def shop(self, region):
        """The first shop of `region` (e.g. "US", "ID", "JP")."""
        return next(shop for shop in self.state.shops.values() if shop.region == region)

    def set_webhook_url(self, url):
        self.app.webhook_url = url
        if url:
            self.pusher.start()

    def advance(self, seconds):
        """Move the sandbox clock forward and run what became due; return the new time."""
        self.state.advance(seconds)
        self.state.run_due()
        return self.state.now()

    def authorize(self, open_id=None):
        """What the consent page does on "Authorize": return a fresh auth code."""
        with self.state.lock:
            seller = open_id or auth.first_seller(self.state)
            return auth.grant_authorization(self.state, self.app, seller).code

    def issue_token(self, open_id=None):
        """A token pair for a seller (the first, US one by default), as /token/get answers."""
        with self.state.lock:
            token = auth.issue_token(self.state, self.app, open_id or auth.first_seller(self.state))
            return auth.token_data(self.state, token)
