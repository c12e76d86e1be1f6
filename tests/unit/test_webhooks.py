"""Webhook signature verification (facts sheet §4.2) and envelope parsing."""

import pytest
from tiktok_shop.webhooks import parse_webhook_event, verify_webhook_signature, webhook_signature

APP_KEY = "6abc12def3gh4"
APP_SECRET = "s3cr3t0000example"
RAW_BODY = (
    b'{"type":1,"tts_notification_id":"7327112393057371910","shop_id":"7494049642642441621",'
    b'"timestamp":1732345678,"data":{"order_id":"576486316948490001",'
    b'"order_status":"AWAITING_SHIPMENT","is_on_hold_order":false,"update_time":1732345670}}'
)
EXPECTED = "665d0a83cb7cbcde07470855e605b4e0abcb50c2131f5424b2e3ec0b70f54065"


def test_reference_example_signature():
    assert webhook_signature(APP_KEY, APP_SECRET, RAW_BODY) == EXPECTED


def test_valid_signature_is_accepted():
    assert verify_webhook_signature(APP_KEY, APP_SECRET, RAW_BODY, EXPECTED) is True
    assert verify_webhook_signature(APP_KEY, APP_SECRET, RAW_BODY, f" {EXPECTED}\n") is True
    assert verify_webhook_signature(APP_KEY, APP_SECRET, RAW_BODY.decode(), EXPECTED) is True


def test_wrong_signature_is_rejected():
    wrong = webhook_signature(APP_KEY, "another-secret", RAW_BODY)
    assert verify_webhook_signature(APP_KEY, APP_SECRET, RAW_BODY, wrong) is False
    assert verify_webhook_signature("other-key", APP_SECRET, RAW_BODY, EXPECTED) is False


@pytest.mark.parametrize("header", [None, "", "   ", f"Bearer {EXPECTED}", EXPECTED[:-1]])
def test_missing_or_malformed_header_is_rejected(header):
    assert verify_webhook_signature(APP_KEY, APP_SECRET, RAW_BODY, header) is False


def test_non_hex_header_is_rejected():
    assert verify_webhook_signature(APP_KEY, APP_SECRET, RAW_BODY, "z" * 64) is False


@pytest.mark.parametrize(
    ("app_key", "app_secret"), [("", APP_SECRET), (APP_KEY, ""), (APP_KEY, None)]
)
def test_missing_credentials_fail_closed(app_key, app_secret):
    assert verify_webhook_signature(app_key, app_secret, RAW_BODY, EXPECTED) is False


def test_tampered_body_is_rejected():
    tampered = RAW_BODY.replace(b"AWAITING_SHIPMENT", b"CANCEL")
    assert verify_webhook_signature(APP_KEY, APP_SECRET, tampered, EXPECTED) is False
    reformatted = RAW_BODY.replace(b'"type":1,', b'"type": 1,')  # re-serialized JSON
    assert verify_webhook_signature(APP_KEY, APP_SECRET, reformatted, EXPECTED) is False


def test_non_bytes_body_is_rejected():
    assert verify_webhook_signature(APP_KEY, APP_SECRET, {"type": 1}, EXPECTED) is False


def test_parse_event():
    event = parse_webhook_event(RAW_BODY)

    assert event.type == 1
    assert event.type_name == "ORDER_STATUS_CHANGE"
    assert event.shop_id == "7494049642642441621"
    assert event.timestamp == 1732345678
    assert event.data["order_id"] == "576486316948490001"
    assert event.dedupe_key == "tts:7327112393057371910"


def test_dedupe_key_without_notification_id_ignores_push_time():
    first = b'{"type":3,"shop_id":"1","timestamp":100,"data":{"order_id":"9","update_time":5}}'
    retried = b'{"type":3,"shop_id":"1","timestamp":220,"data":{"update_time":5,"order_id":"9"}}'
    later = b'{"type":3,"shop_id":"1","timestamp":300,"data":{"order_id":"9","update_time":6}}'

    key = parse_webhook_event(first).dedupe_key
    assert key.startswith("sha256:")
    assert parse_webhook_event(retried).dedupe_key == key
    assert parse_webhook_event(later).dedupe_key != key


def test_unknown_topic_gets_a_readable_name():
    assert parse_webhook_event(b'{"type":999,"shop_id":"1","data":{}}').type_name == "UNKNOWN_999"


@pytest.mark.parametrize("body", [b"not json", b"[1,2]", b'{"shop_id":"1"}', b'{"type":"x"}'])
def test_invalid_envelopes_raise_value_error(body):
    with pytest.raises(ValueError):
        parse_webhook_event(body)
