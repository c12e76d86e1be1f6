"""A scripted TikTok Shop API server on 127.0.0.1, plus fake time, for client tests.

The server answers from a queue of canned replies and records every request exactly as received
(method, path, decoded query, headers, raw body). Like TikTok, it recomputes the signature from
what actually arrived and answers 106001 / HTTP 401 when it does not match, so a passing test
proves that the bytes sent are the bytes signed.
"""

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tiktok_shop.const import TOKEN_GET_PATH, TOKEN_REFRESH_PATH
from tiktok_shop.signing import sign

APP_KEY = "6abc12def3gh4"
APP_SECRET = "s3cr3t0000example"
SHOP_CIPHER = "ROW_AbCdEfGhIjKlMnOp"
# The token endpoints are not signed.
UNSIGNED_PATHS = frozenset({TOKEN_GET_PATH, TOKEN_REFRESH_PATH})


@dataclass
class Reply:
    """One canned answer. `payload`: dict/list (sent as JSON), str or bytes (sent raw)."""

    status: int = 200
    payload: object = None
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (timeouts)


def ok(data=None, request_id="req-ok"):
    """A success envelope."""
    return Reply(payload={"code": 0, "message": "Success", "request_id": request_id, "data": data})


def fail(code, message="error", status=200, headers=None, request_id="req-error"):
    """An error envelope (business errors come with HTTP 200, auth ones with 401...)."""
    payload = {"code": code, "message": message, "request_id": request_id, "data": None}
    return Reply(status=status, payload=payload, headers=headers or {})


@dataclass
class ReceivedRequest:
    method: str
    path: str
    query: dict  # decoded, one value per key
    headers: dict  # lower-case names
    body: bytes
    sign_valid: bool  # None on unsigned (token) paths

    def json(self):
        return json.loads(self.body)


class FakeTikTokServer:
    """Threaded HTTP server; use as a context manager, then `queue()` replies per test."""

    def __init__(self, app_secret=APP_SECRET, verify_sign=True):
        self.app_secret = app_secret
        self.verify_sign = verify_sign
        self.requests = []
        self._replies = deque()
        self._lock = threading.Lock()
        self._httpd = None
        self._thread = None

    def __enter__(self):
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False  # don't wait for a reply still sleeping (timeouts)
        self._httpd.fake = self
        # A short poll interval keeps shutdown() (once per test) from costing half a second.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    @property
    def url(self):
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def queue(self, *replies):
        with self._lock:
            self._replies.extend(replies)

    @property
    def pending_replies(self):
        return len(self._replies)

    def _record_and_pick_reply(self, received):
        with self._lock:
            self.requests.append(received)
            if received.sign_valid is False:
                # What TikTok does with a wrong signature; the scripted reply stays queued.
                return fail(
                    106001, "Invalid credentials. The 'sign' query parameter is invalid", 401
                )
            if not self._replies:
                return Reply(status=500, payload={"code": -1, "message": "no scripted reply"})
            return self._replies.popleft()

    def _signature_is_valid(self, path, query, headers, body):
        if not self.verify_sign or path in UNSIGNED_PATHS:
            return None
        multipart = headers.get("content-type", "").startswith("multipart/form-data")
        unsigned_query = {key: value for key, value in query.items() if key != "sign"}
        expected = sign(self.app_secret, path, unsigned_query, body, multipart=multipart)
        return query.get("sign") == expected


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def _handle(self):
        fake = self.server.fake
        url = urlsplit(self.path)
        parsed = parse_qs(url.query, keep_blank_values=True)
        duplicated = [key for key, values in parsed.items() if len(values) > 1]
        assert not duplicated, f"repeated query keys {duplicated}"  # lists must be comma-joined
        query = {key: values[0] for key, values in parsed.items()}
        headers = {name.lower(): value for name, value in self.headers.items()}
        length = int(headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        received = ReceivedRequest(
            method=self.command,
            path=url.path,
            query=query,
            headers=headers,
            body=body,
            sign_valid=fake._signature_is_valid(url.path, query, headers, body),
        )
        self._send(fake._record_and_pick_reply(received))

    def _send(self, reply):
        if reply.delay:
            time.sleep(reply.delay)
        content_type = "text/html"
        if isinstance(reply.payload, (dict, list)):
            raw = json.dumps(reply.payload).encode("utf-8")
            content_type = "application/json"
        elif isinstance(reply.payload, str):
            raw = reply.payload.encode("utf-8")
        else:
            raw = reply.payload or b""
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(raw)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test): nothing to answer to


class FakeClock:
    """Wall clock that only moves when the code under test sleeps; records every sleep."""

    def __init__(self, start=1_732_345_678.0):
        self.now = start
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class RecordingLimiter:
    """Rate limiter that never waits and records the key of every request."""

    def __init__(self):
        self.keys = []

    def acquire(self, key):
        self.keys.append(key)
        return 0.0


class MaxJitter:
    """Stand-in for random.Random: full jitter always picks the top of its range."""

    def uniform(self, low, high):
        return high


def closed_port():
    """A local port nobody listens on (bound, then released): connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
