"""Webhook pushes (§4), sent as TikTok sends them.

A pusher thread drains `state.outbox` and POSTs each notification as compact JSON to the app's
webhook URL, with `Authorization: hex(HMAC_SHA256(app_secret, app_key + raw_body))`. Delivered
means HTTP 200 within 3 seconds; anything else is retried 2 min, 30 min, 3 h and 12 h (sandbox
time, so the time acceleration shortens them) after each failure, then dropped. Retries resend
the same bytes, hence the same `tts_notification_id`.

Knobs, all off by default and drawn from the seed: `duplicate_share` (a delivered push is sent a
second time), `drop_share` (a push is lost), `reorder_share` (a push is held back
`reorder_delay` sandbox seconds so later ones overtake it). Every attempt is logged in
`deliveries` for tests and the control API.
"""

import json
import logging
import random
import threading
from dataclasses import asdict, dataclass, field

import requests

from .constants import JSON_CONTENT_TYPE, WEBHOOK_SIGNATURE_HEADER
from .signing import push_signature

_logger = logging.getLogger(__name__)

RETRY_DELAYS = (120, 1800, 3 * 3600, 12 * 3600)  # sandbox seconds after each failed attempt
DELIVERY_TIMEOUT = 3.0  # real seconds
MAX_LOGGED_DELIVERIES = 20000


def push_body(notification):
    """The bytes of a push: compact UTF-8 JSON, sent and signed as they are, retries included."""
    return json.dumps(notification, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass
class PusherKnobs:
    duplicate_share: float = 0.0
    drop_share: float = 0.0
    reorder_share: float = 0.0
    reorder_delay: float = 30.0  # sandbox seconds a reordered push waits


@dataclass
class _Pending:
    notification: dict
    body: bytes
    due: float  # sandbox time of the next attempt
    attempts: int = 0
    sequence: int = 0  # emission order, to keep pushes due together in order


@dataclass
class DeliveryRecord:
    notification_id: str
    type: int
    shop_id: str
    attempt: int  # 0 = first try, 1..4 = retries
    outcome: str  # delivered / failed / dropped / duplicate / lost
    http_status: int = None
    error: str = ""
    sandbox_time: int = 0
    payload: dict = field(default=None, repr=False)


class WebhookPusher:
    """Delivers `state.outbox` to the app's webhook URL from a background thread.

    :param state: the `SandboxState` (its first app gives the URL, key and secret)
    :param seed: seeds the duplicate / drop / reorder draws
    :param poll_interval: real seconds between two looks at the outbox
    """

    def __init__(self, state, seed=0, poll_interval=0.02, timeout=DELIVERY_TIMEOUT):
        self.state = state
        self.knobs = PusherKnobs()
        self.deliveries = []
        self._pending = []
        self._sequence = 0
        self._rng = random.Random(f"webhooks-{seed}")
        self._poll_interval = poll_interval
        self._timeout = timeout
        self._session = requests.Session()
        self._stop = threading.Event()
        self._thread = None
        self._lock = threading.Lock()

    # --- control -------------------------------------------------------------------------------

    def configure(self, **knobs):
        unknown = set(knobs) - set(asdict(self.knobs))
        if unknown:
            raise ValueError(f"unknown webhook knobs: {sorted(unknown)}")
        for name, value in knobs.items():
            value = float(value)
            if value < 0 or (name.endswith("_share") and value > 1):
                raise ValueError(f"{name} must be between 0 and 1")
            setattr(self.knobs, name, value)
        return asdict(self.knobs)

    def start(self):
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
            self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=DELIVERY_TIMEOUT + 1)
        self._session.close()

    def discard_pending(self):
        """Forget the notifications not delivered yet (a demo or benchmark starting afresh)."""
        with self.state.lock:
            discarded = len(self.state.outbox) + len(self._pending)
            self.state.outbox[:] = []
            self._pending[:] = []
        return discarded

    @property
    def running(self):
        return self._thread is not None and self._thread.is_alive()

    @property
    def pending(self):
        return len(self._pending)

    def log(self, since=0):
        with self._lock:
            return [asdict(record) for record in self.deliveries[since:]]

    # --- the loop -------------------------------------------------------------------------------

    def _run(self):
        while not self._stop.is_set():
            try:
                self.pump()
            except Exception:  # a bad receiver must not stop deliveries for good
                _logger.exception("Sandbox webhook pusher failed")
            self._stop.wait(self._poll_interval)

    def pump(self):
        """Take new notifications, then attempt every push that is due; return how many."""
        self._take_new()
        now = self.state.now()
        due = sorted(
            (item for item in self._pending if item.due <= now),
            key=lambda item: (item.due, item.sequence),
        )
        for item in due:
            if self._stop.is_set():
                break
            self._pending.remove(item)
            self._attempt(item)
        return len(due)

    def _take_new(self):
        with self.state.lock:
            fresh, self.state.outbox[:] = list(self.state.outbox), []
        now = self.state.now()
        for notification in fresh:
            self._sequence += 1
            body = push_body(notification)
            item = _Pending(notification, body, now, sequence=self._sequence)
            if self._draw(self.knobs.drop_share):
                self._record(item, "lost")
                continue
            if self._draw(self.knobs.reorder_share):
                item.due = now + self.knobs.reorder_delay
            self._pending.append(item)

    def _draw(self, share):
        return share > 0 and self._rng.random() < share

    def _attempt(self, item):
        app = next(iter(self.state.apps.values()), None)
        url = app.webhook_url if app else ""
        if not url:
            self._record(item, "dropped", error="no webhook URL configured")
            return
        status, error = self._post(url, app, item.body)
        if status == 200:
            self._record(item, "delivered", status)
            if self._draw(self.knobs.duplicate_share):
                status, error = self._post(url, app, item.body)
                self._record(item, "duplicate", status, error)
            return
        self._record(item, "failed", status, error)
        if item.attempts >= len(RETRY_DELAYS):
            self._record(item, "dropped", error="no retry left")
            return
        item.due = self.state.now() + RETRY_DELAYS[item.attempts]
        item.attempts += 1
        self._pending.append(item)

    def _post(self, url, app, body):
        headers = {
            "Content-Type": JSON_CONTENT_TYPE,
            WEBHOOK_SIGNATURE_HEADER: push_signature(app.app_key, app.app_secret, body),
        }
        try:
            response = self._session.post(url, data=body, headers=headers, timeout=self._timeout)
        except requests.RequestException as error:
            return None, type(error).__name__
        return response.status_code, ""

    def _record(self, item, outcome, http_status=None, error=""):
        notification = item.notification
        record = DeliveryRecord(
            notification_id=notification["tts_notification_id"],
            type=notification["type"],
            shop_id=notification["shop_id"],
            attempt=item.attempts,
            outcome=outcome,
            http_status=http_status,
            error=error,
            sandbox_time=self.state.now(),
            payload=notification,
        )
        with self._lock:
            self.deliveries.append(record)
            del self.deliveries[:-MAX_LOGGED_DELIVERIES]
