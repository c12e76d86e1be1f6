"""Signed but hostile push bodies: valid JSON the receiver must refuse with a typed error."""

import json

import pytest
from tiktok_shop.webhooks import (
    MAX_NESTING,
    WebhookFieldError,
    WebhookJsonError,
    WebhookNestingError,
    WebhookPayloadError,
    parse_notification,
    parse_webhook_event,
)

ENVELOPE = {
    "type": 1,
    "tts_notification_id": "7327112393057371910",
    "shop_id": "7494049642642441621",
    "timestamp": 1732345678,
    "data": {"order_id": "576486316948490001", "update_time": 1732345670},
}


def body(**changes):
    return json.dumps({**ENVELOPE, **changes}).encode()


def nested(opening, closing, depth, inner=b"1"):
    return opening * depth + inner + closing * depth


HOSTILE = {
    "100k nested arrays": (
        b'{"type":1,"data":{"x":' + nested(b"[", b"]", 100_000, b"") + b"}}",
        WebhookNestingError,
    ),
    "100k nested arrays as the body": (nested(b"[", b"]", 100_000, b""), WebhookNestingError),
    "5k nested objects": (
        b'{"type":1,"data":' + nested(b'{"a":', b"}", 5_000) + b"}",
        WebhookNestingError,
    ),
    "NUL in the shop id": (body(shop_id="74940\u00004964"), WebhookFieldError),
    "NUL in the data": (body(data={"order_id": "5764\u0000"}), WebhookFieldError),
    "NUL in a key": (body(data={"order\u0000id": "1"}), WebhookFieldError),
    "type beyond a PostgreSQL integer": (body(type=99999999999999999999), WebhookFieldError),
    "negative type": (body(type=-1), WebhookFieldError),
    "boolean type": (body(type=True), WebhookFieldError),
    "notification id that is an object": (
        body(tts_notification_id={"id": "1"}),
        WebhookFieldError,
    ),
    "notification id that is a list": (body(tts_notification_id=["1"]), WebhookFieldError),
    "shop id that is an object": (body(shop_id={"id": "1"}), WebhookFieldError),
    "data that is a list": (body(data=[1]), WebhookFieldError),
    "NaN": (b'{"type":1,"data":{"price":NaN}}', WebhookJsonError),
    "integer of 5,000 digits": (b'{"type":1,"timestamp":' + b"9" * 5000 + b"}", WebhookJsonError),
    "not UTF-8": (b'{"type":1,"shop_id":"\xff"}', WebhookJsonError),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_body_raises_its_typed_error(name):
    raw, error = HOSTILE[name]
    with pytest.raises(error):
        parse_notification(raw)
    with pytest.raises(WebhookPayloadError):
        parse_webhook_event(raw)


def test_typed_errors_are_value_errors():
    assert issubclass(WebhookPayloadError, ValueError)
    for error in (WebhookJsonError, WebhookNestingError, WebhookFieldError):
        assert issubclass(error, WebhookPayloadError)


def test_envelope_is_returned_as_sent():
    assert parse_notification(body()) == ENVELOPE


@pytest.mark.parametrize(
    "changes",
    [
        {"type": "1"},
        {"type": 2**31 - 1},
        {"tts_notification_id": 7327112393057371910, "shop_id": 7494049642642441621},
        {"tts_notification_id": None},
        {"shop_id": ""},
    ],
)
def test_envelope_variants_tiktok_may_send_are_accepted(changes):
    assert parse_notification(body(**changes)) == {**ENVELOPE, **changes}


def test_nesting_up_to_the_limit_is_accepted():
    # MAX_NESTING levels in all: the envelope, `data`, then the lists.
    deepest = nested(b"[", b"]", MAX_NESTING - 2)
    assert parse_notification(b'{"type":1,"data":{"x":' + deepest + b"}}")["type"] == 1
    too_deep = nested(b"[", b"]", MAX_NESTING - 1)
    with pytest.raises(WebhookNestingError):
        parse_notification(b'{"type":1,"data":{"x":' + too_deep + b"}}")
