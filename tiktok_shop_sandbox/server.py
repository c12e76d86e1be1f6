"""HTTP front of the sandbox: TikTok's gateway checks, in TikTok's order, then the handler.

Every API call goes through `Gateway.handle`: route match (36009009 / 36009010), injected faults,
app key and signature (36009004 / 106001), timestamp window (36009004), access token from the
`x-tts-access-token` header (105001 / 105002), shop_cipher required or forbidden (106013 /
36009004) and owned by the token's seller (101000), page size, body format (36009004 /
36009022 / 36009023), the 50 requests/second quota (HTTP 429, 36009002), then the handler, under
the state lock. Paths under `/sandbox/` are the control API and skip all of it.

Refusals of the token (105001, 105002) and of the shop/token pairing (101000) are sent with HTTP
401, like the signature refusal TikTok is seen to send (106001); business errors use HTTP 200.
"""

import itertools
import json
import logging
import socket
import struct
import threading
import time
from collections import Counter, deque
from email import policy
from email.parser import BytesParser
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .constants import (
    ACCESS_TOKEN_HEADER,
    CODE_INVALID_PARAMETER,
    CODE_INVALID_SIGN,
    CODE_SHOP_CIPHER_MISSING,
    CODE_TOKEN_EXPIRED,
    CODE_TOKEN_INVALID,
    CODE_TOO_MANY_REQUESTS,
    JSON_CONTENT_TYPE,
    MULTIPART_CONTENT_TYPE,
)
from .faults import CODE_SERVER_ERROR
from .routing import ROUTER, ApiError, RawResponse, Request
from .signing import is_valid_request_signature

_logger = logging.getLogger(__name__)

CONTROL_PREFIX = "/sandbox/"
UPLOAD_SUFFIX = "/upload"
CODE_UNKNOWN_PATH = 36009009
CODE_METHOD_NOT_ALLOWED = 36009010
CODE_WRONG_BODY_FORMAT = 36009022
CODE_MULTIPART_REQUIRED = 36009023
CODE_TOKEN_SHOP_MISMATCH = 101000
# Accepted timestamps: [now - 5 min, now + 30 s] of the caller's real clock.
TIMESTAMP_PAST_TOLERANCE = 300
TIMESTAMP_FUTURE_TOLERANCE = 30
DEFAULT_RATE_LIMIT = 50
# Answer of `Gateway.handle` meaning "drop the connection without a reply".
RESET = object()


class SlidingWindowRateLimiter:
    """At most `limit` accepted requests per key in any one-second window; refused ones don't count.

    Unlike the client's token bucket (which paces), a gateway admits or refuses: a caller sending
    60 per second gets 50 through and 10 refused, every second.
    """

    def __init__(self, limit=DEFAULT_RATE_LIMIT, clock=time.monotonic):
        self.limit = limit
        self._clock = clock
        self._windows = {}
        self._lock = threading.Lock()

    def allow(self, key):
        if not self.limit:
            return True
        now = self._clock()
        with self._lock:
            window = self._windows.setdefault(key, deque())
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= self.limit:
                return False
            window.append(now)
            return True


class CallLog:
    """API calls the gateway served and throttled, per endpoint: what tests and benchmarks count."""

    def __init__(self):
        self._served = Counter()
        self._throttled = Counter()
        self._lock = threading.Lock()

    def served(self, endpoint):
        with self._lock:
            self._served[endpoint] += 1

    def throttled(self, endpoint):
        with self._lock:
            self._throttled[endpoint] += 1

    def snapshot(self):
        """{"served": {endpoint: calls}, "throttled": {endpoint: calls}}; endpoints as
        `Route.endpoint` names them, e.g. "POST /product/202309/products/{id}/x"."""
        with self._lock:
            return {"served": dict(self._served), "throttled": dict(self._throttled)}


class Gateway:
    """Turns one `Request` into a `RawResponse` (or `RESET`), as TikTok's API gateway would.

    :param state: the `SandboxState`
    :param faults: a `faults.Faults` (what to break on purpose)
    :param rate_limiter: a `SlidingWindowRateLimiter`
    :param control: callable(request) -> RawResponse serving the `/sandbox/` control API
    :param calls: a `CallLog` counting the API calls (a new one by default)
    """

    def __init__(self, state, faults, rate_limiter, control, calls=None):
        self.state = state
        self.faults = faults
        self.rate_limiter = rate_limiter
        self.control = control
        self.calls = calls if calls is not None else CallLog()
        self._request_numbers = itertools.count(1)

    def handle(self, request):
        if request.path.startswith(CONTROL_PREFIX):
            return self.control(request)
        route, path_params = ROUTER.match(request.method, request.path)
        if route is None:
            return self._error(_routing_error(path_params))
        fault = self.faults.draw()
        if fault.delay:
            time.sleep(fault.delay)
        if fault.reset:
            return RESET
        if fault.error:
            return self._error(fault.error)
        request.path_params = path_params
        try:
            if route.signed:
                self._admit(route, request)
            self.state.run_due()
            with self.state.lock:
                data = route.handler(self.state, request)
        except ApiError as error:
            return self._error(error)
        except Exception:
            _logger.exception("Sandbox handler failed: %s %s", request.method, request.path)
            return self._error(ApiError(CODE_SERVER_ERROR, "Internal error", 500))
        if isinstance(data, RawResponse):
            return data
        return self._envelope(0, "Success", data)

    # --- the checks, in order ------------------------------------------------------------------

    def _admit(self, route, request):
        app = self._authenticate(route, request)
        request.app = app
        request.token = self._token(request, app)
        request.shop = self._shop(route, request)
        _check_page_size(route, request)
        _parse_body(route, request)
        shop_id = request.shop.id if request.shop else ""
        rate_key = (app.app_key, shop_id, route.endpoint)
        if not self.rate_limiter.allow(rate_key):
            self.calls.throttled(rate_key[2])
            raise ApiError(CODE_TOO_MANY_REQUESTS, "Too many requests", 429)
        self.calls.served(rate_key[2])

    def _authenticate(self, route, request):
        query = request.query
        app = self.state.apps.get(query.get("app_key") or "")
        if app is None:
            raise ApiError(CODE_INVALID_PARAMETER, "Invalid credentials: invalid app_key")
        received = query.get("sign")
        if not received:
            raise ApiError(CODE_INVALID_PARAMETER, "Invalid credentials: missing sign")
        body_is_signed = not _is_multipart(request)
        if not is_valid_request_signature(
            received, app.app_secret, request.path, query, request.body, body_is_signed
        ):
            raise ApiError(
                CODE_INVALID_SIGN,
                "Invalid credentials. The 'sign' query parameter is invalid",
                401,
            )
        self._check_timestamp(query.get("timestamp"))
        return app

    def _check_timestamp(self, raw):
        try:
            timestamp = int(raw)
        except (TypeError, ValueError):
            raise ApiError(CODE_INVALID_PARAMETER, "Invalid timestamp") from None
        now = self.state.real_now()
        if not now - TIMESTAMP_PAST_TOLERANCE <= timestamp <= now + TIMESTAMP_FUTURE_TOLERANCE:
            raise ApiError(
                CODE_INVALID_PARAMETER,
                "Invalid timestamp: it must be within [-5 min, +30 s] of the current time",
            )

    def _token(self, request, app):
        value = request.headers.get(ACCESS_TOKEN_HEADER)
        if not value:
            hint = (
                " (it is no longer read from the query)" if "access_token" in request.query else ""
            )
            raise ApiError(CODE_TOKEN_INVALID, f"Missing x-tts-access-token header{hint}", 401)
        token = self.state.tokens.get(value)
        if token is None or token.revoked or token.app_key != app.app_key:
            raise ApiError(CODE_TOKEN_INVALID, "Access token is invalid", 401)
        if token.access_expires_at <= self.state.now():
            raise ApiError(CODE_TOKEN_EXPIRED, "Access token is expired, please refresh it", 401)
        return token

    def _shop(self, route, request):
        cipher = request.query.get("shop_cipher")
        if route.shop_cipher:
            if not cipher:
                raise ApiError(CODE_SHOP_CIPHER_MISSING, "shop_cipher is required")
        elif cipher:
            raise ApiError(CODE_INVALID_PARAMETER, "Unexpected identifier: shop_cipher")
        if not cipher:
            return None
        shop = self.state.shop_by_cipher(cipher)
        if shop is None:
            raise ApiError(CODE_INVALID_PARAMETER, "Invalid shop_cipher")
        if shop.seller_open_id != request.token.open_id:
            raise ApiError(
                CODE_TOKEN_SHOP_MISMATCH, "The access token is not tied to this shop_cipher", 401
            )
        if not shop.authorized:
            raise ApiError(CODE_TOKEN_INVALID, "The seller removed the authorization", 401)
        return shop

    # --- envelopes -----------------------------------------------------------------------------

    def _envelope(self, code, message, data, http_status=200):
        envelope = {
            "code": code,
            "message": message,
            "request_id": self._request_id(),
            "data": data,
        }
        # ASCII escapes encode a third faster than raw UTF-8 and are the same JSON to a parser.
        body = json.dumps(envelope, separators=(",", ":")).encode("ascii")
        return RawResponse(http_status, body, JSON_CONTENT_TYPE)

    def _error(self, error):
        return self._envelope(error.code, error.message, None, error.http_status)

    def _request_id(self):
        # TikTok's shape: UTC time to the second, then uppercase hex.
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
        return f"{stamp}{next(self._request_numbers):020X}"


def _routing_error(reason):
    if reason == "method":
        return ApiError(CODE_METHOD_NOT_ALLOWED, "Method not allowed", 405)
    return ApiError(CODE_UNKNOWN_PATH, "Invalid path", 404)


def _content_type(request):
    return (request.headers.get("content-type") or "").lower()


def _is_multipart(request):
    return _content_type(request).startswith(MULTIPART_CONTENT_TYPE)


def _check_page_size(route, request):
    if not route.page_size:
        return
    raw = request.query.get("page_size")
    if raw is None:
        if route.page_size_required:
            raise ApiError(CODE_INVALID_PARAMETER, "page_size is required")
        return
    low, high = route.page_size
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ApiError(CODE_INVALID_PARAMETER, f"page_size must be between {low} and {high}")


def _is_upload(route):
    # TikTok's binary uploads all end in /upload (images, files); a route may also say so.
    return route.multipart or route.template.endswith(UPLOAD_SUFFIX)


def _parse_body(route, request):
    content_type = _content_type(request)
    multipart = _is_multipart(request)
    if _is_upload(route):
        if not multipart:
            raise ApiError(CODE_MULTIPART_REQUIRED, "Content-Type must be multipart/form-data")
        request.files = parse_multipart(request.headers["content-type"], request.body)
        return
    if not request.body:
        request.json = {}
        return
    if multipart or not content_type.startswith(JSON_CONTENT_TYPE):
        raise ApiError(CODE_WRONG_BODY_FORMAT, "The request body must be application/json")
    try:
        request.json = json.loads(request.body)
    except (UnicodeDecodeError, ValueError):
        raise ApiError(CODE_INVALID_PARAMETER, "The request body is not valid JSON") from None
    if not isinstance(request.json, dict):
        raise ApiError(CODE_INVALID_PARAMETER, "The request body must be a JSON object")


def parse_multipart(content_type, body):
    """Return {field: str, or (filename, bytes, content_type) for files} of a form-data body."""
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is None:
            fields[name] = payload.decode("utf-8", "replace")
        else:
            fields[name] = (filename, payload, part.get_content_type())
    return fields


# --- HTTP plumbing ------------------------------------------------------------------------------


class SandboxHTTPServer(ThreadingHTTPServer):
    """One thread per connection; connections stay open (HTTP/1.1 keep-alive)."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address, gateway):
        super().__init__(address, _Handler)
        self.gateway = gateway

    def handle_error(self, request, client_address):
        # Clients that hang up mid-request are normal under load and fault injection.
        _logger.debug("Sandbox connection from %s failed", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "TikTokShopSandbox/1.0"
    sys_version = ""

    def setup(self):
        super().setup()
        # Replies are written in one piece; no reason to let Nagle hold them back.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def log_message(self, format, *args):
        _logger.debug("%s %s", self.address_string(), format % args)

    def _serve(self):
        request = self._read_request()
        response = self.server.gateway.handle(request)
        if response is RESET:
            self._reset_connection()
        else:
            self._write(response)

    def _read_request(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        return Request(
            method=self.command,
            path=url.path,
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            base_url=f"http://{host}",
        )

    def _write(self, response):
        reason = HTTPStatus(response.status).phrase
        lines = [
            f"HTTP/1.1 {response.status} {reason}",
            f"Server: {self.server_version}",
            f"Date: {formatdate(usegmt=True)}",
            f"Content-Type: {response.content_type}",
            f"Content-Length: {len(response.body)}",
        ]
        lines += [f"{name}: {value}" for name, value in response.headers.items()]
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        body = b"" if self.command == "HEAD" else response.body
        try:
            self.wfile.write(head + body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _reset_connection(self):
        # SO_LINGER 0 turns close() into a TCP RST: the client sees "connection reset by peer".
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()
