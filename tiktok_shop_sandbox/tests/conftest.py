"""Fixtures for the sandbox's own tests: an in-process sandbox on a free port, the connector's
real client pointed at it, raw signed requests for tampering, and a webhook receiver.

Run with: python3 -m pytest -p no:odoo tiktok_shop_sandbox/tests -q
"""

import functools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from tiktok_shop.const import ACCESS_TOKEN_HEADER
from tiktok_shop.errors import TikTokShopError
from tiktok_shop.signing import sign

from tiktok_shop_sandbox.app import Sandbox

from .connector import connector_client
from .handler_fixtures import in_stock_skus

SEED = 7


@pytest.fixture
def sandbox():
    with Sandbox(SEED) as running:
        yield running


@pytest.fixture
def us_shop(sandbox):
    return sandbox.shop("US")


@pytest.fixture
def token(sandbox, us_shop):
    """A token pair of the seller owning the US, GB and JP shops."""
    return sandbox.issue_token(us_shop.seller_open_id)


@pytest.fixture
def client(sandbox, token):
    with connector_client(sandbox, access_token=token["access_token"]) as api_client:
        yield api_client


def _api_error(call, *args, **kwargs):
    """Run a client call that must fail; return the TikTokShopError it raised."""
    with pytest.raises(TikTokShopError) as caught:
        call(*args, **kwargs)
    return caught.value


def _raw_call(
    sandbox,
    method,
    path,
    *,
    params=None,
    body=b"",
    access_token=None,
    timestamp=None,
    content_type="application/json",
    tamper_body=None,
    sign_query=True,
):
    """A request signed like the client signs it, with hooks to break it on purpose.

    :param tamper_body: bytes actually sent instead of the signed `body`
    :param sign_query: False sends no `sign` at all
    """
    app = sandbox.app
    query = {"app_key": app.app_key, "timestamp": str(int(timestamp or time.time()))}
    query.update(params or {})
    if sign_query:
        multipart = content_type.startswith("multipart/form-data")
        query["sign"] = sign(app.app_secret, path, query, body, multipart=multipart)
    headers = {"Content-Type": content_type}
    if access_token:
        headers[ACCESS_TOKEN_HEADER] = access_token
    sent = body if tamper_body is None else tamper_body
    return requests.request(
        method, sandbox.url + path, params=query, data=sent or None, headers=headers, timeout=10
    )


def _control_call(sandbox, method, path, payload=None):
    response = requests.request(method, sandbox.url + path, json=payload, timeout=10)
    return response.status_code, response.json()


def _place(sandbox, shop, items, **options):
    """Place an order as a buyer (through the order factory); returns the Order."""
    from tiktok_shop_sandbox import orders

    with sandbox.state.lock:
        return orders.place_order(sandbox.state, shop, items, **options)


def _in_stock_skus(sandbox, shop, minimum=3, count=3):
    """Up to `count` SKUs of live products of `shop` with `minimum` units of seller stock."""
    return in_stock_skus(sandbox, shop, minimum)[:count]


def _webhooks_of(sandbox, type_number=None):
    return [n for n in sandbox.state.outbox if type_number in (None, n["type"])]


class WebhookReceiver:
    """An HTTP endpoint that records pushes; `fail_first` answers 500 that many times."""

    def __init__(self, fail_first=0, status=200):
        self.received = []
        self.fail_first = fail_first
        self.status = status
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _ReceiverHandler)
        self._server.daemon_threads = True
        self._server.receiver = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/webhooks/tiktok"

    def record(self, headers, body):
        with self._lock:
            self.received.append({"headers": headers, "body": body, "json": json.loads(body)})
            if self.fail_first > 0:
                self.fail_first -= 1
                return 500
            return self.status

    def wait_for(self, count, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.received) >= count:
                return self.received
            time.sleep(0.01)
        raise AssertionError(f"expected {count} pushes, got {len(self.received)}")


class _ReceiverHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        headers = {name.lower(): value for name, value in self.headers.items()}
        status = self.server.receiver.record(headers, body)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass


def _wait_until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


# --- the helpers, as fixtures -------------------------------------------------------------------


@pytest.fixture
def api_error():
    return _api_error


@pytest.fixture
def raw(sandbox):
    """raw(method, path, params=..., body=..., access_token=..., timestamp=..., ...)"""
    return functools.partial(_raw_call, sandbox)


@pytest.fixture
def control(sandbox):
    """control(method, "/sandbox/...", payload) -> (HTTP status, JSON)"""
    return functools.partial(_control_call, sandbox)


@pytest.fixture
def place(sandbox):
    """place(shop, items, **place_order options) -> Order"""
    return functools.partial(_place, sandbox)


@pytest.fixture
def stock(sandbox):
    """stock(shop, minimum=3, count=3) -> up to `count` SKUs with that much seller stock"""
    return functools.partial(_in_stock_skus, sandbox)


@pytest.fixture
def pushed(sandbox):
    """pushed(type=None) -> notifications waiting in the outbox"""
    return functools.partial(_webhooks_of, sandbox)


@pytest.fixture
def wait_until():
    return _wait_until


@pytest.fixture
def make_receiver():
    receivers = []

    def factory(**options):
        receiver = WebhookReceiver(**options).__enter__()
        receivers.append(receiver)
        return receiver

    yield factory
    for receiver in receivers:
        receiver.__exit__(None, None, None)
