"""Webhook pushes: signature check and envelope parsing.

TikTok signs a push with lowercase_hex(HMAC_SHA256(app_secret, app_key + raw_body)) and puts the
result, without any prefix, in the `Authorization` header. The MAC has no timestamp, so it proves
origin but not freshness: deduplicate on `WebhookEvent.dedupe_key`.

A valid signature proves who sent a body, not that it can be stored: `parse_notification` refuses,
with a `WebhookPayloadError`, the JSON that is valid but would break the receiver (nesting deep
enough to exhaust the recursion limit, NUL characters PostgreSQL refuses in text, a type beyond
the stored integer, an id that is an object).
"""

import hashlib
import hmac
import json
import string
from dataclasses import dataclass, field

from .const import WEBHOOK_TYPE_BY_NAME, WEBHOOK_TYPES
from .errors import TikTokDataError
from .payload import id_list, integer, object_list, required_id

# Topics that name one order in `data.order_id`, and the one listing its packages' orders.
_ONE_ORDER_TOPICS = frozenset(
    WEBHOOK_TYPE_BY_NAME[name]
    for name in ("ORDER_STATUS_CHANGE", "RECIPIENT_ADDRESS_UPDATE", "CANCELLATION_STATUS_CHANGE")
)
_PACKAGE_TOPIC = WEBHOOK_TYPE_BY_NAME["PACKAGE_UPDATE"]
# Topics about orders: their events are imported as orders, a shop's together.
ORDER_TOPICS = _ONE_ORDER_TOPICS | {_PACKAGE_TOPIC}

_HEX_DIGITS = frozenset(string.hexdigits)
_SHA256_HEX_LENGTH = 64
# TikTok's pushes nest four levels deep (data > package_list > package > order_id_list).
MAX_NESTING = 32
# The topic number is stored in a PostgreSQL integer.
MAX_EVENT_TYPE = 2**31 - 1
# Envelope fields that name something: a string or a number, never a list or an object.
_ID_FIELDS = ("tts_notification_id", "shop_id")


class WebhookPayloadError(ValueError):
    """The body is not a push envelope the receiver can store (answered 400)."""


class WebhookJsonError(WebhookPayloadError):
    """The body is not JSON."""


class WebhookNestingError(WebhookPayloadError):
    """Lists and objects nest deeper than any push does."""


class WebhookFieldError(WebhookPayloadError):
    """An envelope field is missing or of the wrong type or range, or a text holds NUL."""


def webhook_signature(app_key, app_secret, raw_body):
    """Return the expected `Authorization` value for a push body (bytes, exactly as received)."""
    message = app_key.encode("utf-8") + _as_bytes(raw_body)
    return hmac.new(app_secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify_webhook_signature(app_key, app_secret, raw_body, authorization_header):
    """Return True only if `authorization_header` is the valid signature of `raw_body`.

    Fails closed: a missing key, secret, body type or header, or a malformed header is False.
    The comparison runs in constant time.
    """
    if not app_key or not app_secret or not isinstance(authorization_header, str):
        return False
    if not isinstance(raw_body, (bytes, bytearray, memoryview, str)):
        return False
    received = authorization_header.strip().lower()
    if len(received) != _SHA256_HEX_LENGTH or not set(received) <= _HEX_DIGITS:
        return False
    expected = webhook_signature(app_key, app_secret, raw_body)
    return hmac.compare_digest(expected.encode("ascii"), received.encode("ascii"))


def _as_bytes(raw_body):
    if isinstance(raw_body, str):
        return raw_body.encode("utf-8")
    return bytes(raw_body)


@dataclass(frozen=True)
class WebhookEvent:
    """One push, as sent: `{type, tts_notification_id, shop_id, timestamp, data}`."""

    type: int
    shop_id: str
    data: dict = field(repr=False)
    notification_id: str = None
    timestamp: int = None

    @property
    def type_name(self):
        """Topic name (e.g. "ORDER_STATUS_CHANGE"), or "UNKNOWN_<n>" for a new topic."""
        return WEBHOOK_TYPES.get(self.type, f"UNKNOWN_{self.type}")

    @property
    def dedupe_key(self):
        """Stable id of the notification, identical across TikTok's delivery retries.

        Older payloads have no `tts_notification_id`; then the topic, shop and the data (which
        holds the resource ids and its update time, but not the push time) identify it.
        """
        if self.notification_id:
            return f"tts:{self.notification_id}"
        canonical = json.dumps(
            [self.type, self.shop_id, self.data], sort_keys=True, separators=(",", ":")
        )
        return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse_notification(raw_body):
    """The push envelope of a body as a dict; raise a `WebhookPayloadError` if it cannot be stored.

    The envelope is an object with a `type` (a number, or its digits as a string), optional
    `tts_notification_id` and `shop_id` (strings or numbers) and an optional `data` object.
    """
    try:
        payload = json.loads(_as_bytes(raw_body), parse_constant=_refuse_constant)
    except RecursionError:
        raise WebhookNestingError("webhook body nests too deep") from None
    except ValueError as error:  # not UTF-8, not JSON, NaN, an integer of 4,300+ digits
        raise WebhookJsonError(f"webhook body is not valid JSON: {error}") from None
    _check_values(payload)
    if not isinstance(payload, dict) or "type" not in payload:
        raise WebhookFieldError("webhook body is not a TikTok Shop push envelope")
    _event_type(payload["type"])
    for name in _ID_FIELDS:
        value = payload.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int))):
            raise WebhookFieldError(f"webhook `{name}` is not a string or a number")
    if not isinstance(payload.get("data", {}), dict):
        raise WebhookFieldError("webhook `data` is not an object")
    return payload


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON value")


def _check_values(payload):
    """Refuse nesting beyond MAX_NESTING and NUL in any text; iterative, so depth cannot hurt."""
    pending = [(payload, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise WebhookFieldError("webhook body holds a NUL character")
        elif isinstance(value, (dict, list)):
            if depth >= MAX_NESTING:
                raise WebhookNestingError(f"webhook body nests deeper than {MAX_NESTING}")
            items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            pending.extend((item, depth + 1) for item in items)


def _event_type(value):
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_EVENT_TYPE:
        raise WebhookFieldError("webhook `type` is not a topic number")
    return value


def parse_webhook_event(raw_body):
    """Parse a push body into a `WebhookEvent`; raise a `WebhookPayloadError` (a ValueError) if it
    is not a push envelope."""
    payload = parse_notification(raw_body)
    return WebhookEvent(
        type=_event_type(payload["type"]),
        shop_id=str(payload.get("shop_id") or ""),
        data=payload.get("data") or {},
        notification_id=payload.get("tts_notification_id") or None,
        timestamp=payload.get("timestamp"),
    )


def notification_data(payload):
    """The `data` object of a stored push (the envelope as JSON text); {} when it has none."""
    envelope = json.loads(payload or "{}")
    data = envelope.get("data") if isinstance(envelope, dict) else None
    return data if isinstance(data, dict) else {}


def pushed_orders(event_type, data):
    """{order id: its update_time, or None when the push does not give it} of a push's `data`.

    A status, address or cancellation push names one order, and its update_time when TikTok
    gives one; a package push lists its packages' orders, without their time (the package's
    is not theirs). Other topics name no order: {}.

    :raises TikTokDataError: when an order push names no order, or an id or time is malformed
    """
    if event_type in _ONE_ORDER_TOPICS:
        order_id = required_id(data, "order_id", "data")
        return {order_id: integer(data, "update_time", "data", default=None) or None}
    if event_type != _PACKAGE_TOPIC:
        return {}
    order_ids = [
        order_id
        for where, package in object_list(data, "package_list", "data")
        for order_id in id_list(package, "order_id_list", where)
    ]
    if not order_ids:
        raise TikTokDataError("data.package_list", "names no order")
    return dict.fromkeys(order_ids)
