"""Secrets and buyer personal data never reach the logs."""

import json
import logging

import pytest
from tiktok_shop.errors import TikTokShopTransportError
from tiktok_shop.redaction import get_logger, redact, register_secret

from .fake_tiktok import APP_SECRET, SHOP_CIPHER, closed_port, ok

ACCESS_TOKEN = "TTP_access_token_0001"
RECIPIENT = {
    "name": "Jane Fictive-Buyer",
    "first_name": "Jane",
    "last_name": "Fictive-Buyer",
    "phone_number": "(+44)7700900123",
    "full_address": "221B Baker Street, London NW1 6XE",
    "address_detail": "Flat 2, back door",
    "address_line1": "221B Baker Street",
    "address_line2": "Marylebone",
    "postal_code": "NW1 6XE",
    "region_code": "GB",
    "district_info": [{"address_level_name": "City", "address_name": "Westminster"}],
}
PERSONAL_VALUES = [
    "Jane Fictive-Buyer",
    "Fictive-Buyer",
    "7700900123",
    "Baker Street",
    "NW1 6XE",
    "back door",
    "Marylebone",
    "Westminster",
    "jane.buyer@relay.example",
]
ORDER = {
    "id": "576486316948490001",
    "status": "AWAITING_SHIPMENT",
    "buyer_email": "jane.buyer@relay.example",
    "recipient_address": RECIPIENT,
    "line_items": [{"product_name": "Blue mug", "sku_id": "1729"}],
}


def test_dict_redaction_masks_credentials_and_recipient_but_keeps_the_rest():
    cleaned = redact(
        {
            "code": 0,
            "request_id": "req-1",
            "data": {"orders": [ORDER], "access_token": "TTP_x", "refresh_token": "TTP_y"},
            "headers": {"X-TTS-Access-Token": "TTP_z", "Authorization": "abc", "Accept": "json"},
        }
    )

    order = cleaned["data"]["orders"][0]
    assert order["id"] == "576486316948490001"
    assert order["line_items"][0]["product_name"] == "Blue mug"
    assert order["buyer_email"] == "***"
    address = order["recipient_address"]
    assert address["region_code"] == "GB"
    assert {key: value for key, value in address.items() if key != "region_code"} == {
        "name": "***",
        "first_name": "***",
        "last_name": "***",
        "phone_number": "***",
        "full_address": "***",
        "address_detail": "***",
        "address_line1": "***",
        "address_line2": "***",
        "postal_code": "***",
        "district_info": [{"address_level_name": "***", "address_name": "***"}],
    }
    assert cleaned["data"]["access_token"] == cleaned["data"]["refresh_token"] == "***"
    assert cleaned["headers"] == {
        "X-TTS-Access-Token": "***",
        "Authorization": "***",
        "Accept": "json",
    }
    assert cleaned["code"] == 0 and cleaned["request_id"] == "req-1"
    assert ORDER["recipient_address"]["name"] == "Jane Fictive-Buyer"  # input untouched


def test_url_query_secrets_are_masked():
    url = (
        "https://auth.tiktok-shops.com/api/v2/token/get?app_key=abc&app_secret=SuperSecret9"
        "&auth_code=ROW_code123&grant_type=authorized_code"
    )
    assert redact(url) == (
        "https://auth.tiktok-shops.com/api/v2/token/get?app_key=abc&app_secret=***"
        "&auth_code=***&grant_type=authorized_code"
    )
    assert (
        redact("https://x.test/cb?code=ROW_abc&state=s1") == "https://x.test/cb?code=***&state=s1"
    )
    assert (
        redact("/token/refresh?refresh_token=TTP_r&x=1") == "/token/refresh?refresh_token=***&x=1"
    )
    # Outside a query string, `code=` is the harmless envelope status.
    assert (
        redact("failed (code=105002, http_status=401)") == "failed (code=105002, http_status=401)"
    )


def test_json_text_is_redacted_structurally():
    text = "response body=" + json.dumps({"code": 0, "data": {"orders": [ORDER]}})

    cleaned = redact(text)

    assert cleaned.startswith("response body=")
    assert json.loads(cleaned[len("response body=") :])["data"]["orders"][0]["status"] == (
        "AWAITING_SHIPMENT"
    )
    for value in PERSONAL_VALUES:
        assert value not in cleaned


def test_truncated_json_and_python_reprs_are_redacted():
    truncated = json.dumps({"data": {"orders": [ORDER]}})[:-40]
    python_repr = repr({"access_token": "TTP_x1", "recipient_address": RECIPIENT})
    headers_line = "Authorization: 665d0a83cb7c x-tts-access-token=TTP_q"

    for text in (truncated, python_repr, headers_line):
        cleaned = redact(text)
        for secret in (*PERSONAL_VALUES, "TTP_x1", "665d0a83cb7c", "TTP_q"):
            assert secret not in cleaned, (secret, cleaned)


def test_registered_secret_values_are_masked_anywhere():
    register_secret("unusual-secret-value/with+chars")
    text = "boom unusual-secret-value/with+chars and unusual-secret-value%2Fwith%2Bchars"
    assert redact(text) == "boom *** and ***"


def test_bytes_are_decoded_and_redacted():
    assert redact(b'{"app_secret":"abcdef"}') == '{"app_secret": "***"}'


def test_logger_filter_redacts_arguments_messages_and_tracebacks(caplog):
    logger = get_logger("tiktok_shop.tests.filter")
    caplog.set_level(logging.DEBUG, logger="tiktok_shop.tests.filter")

    logger.info("payload %s", {"refresh_token": "TTP_filter_refresh"})
    logger.info("url %s", "https://h.test/p?app_secret=FilterSecret1&a=1")
    try:
        raise RuntimeError("failed GET https://h.test/p?access_token=TTP_in_traceback")
    except RuntimeError:
        logger.exception("request failed")

    assert "payload" in caplog.text and "request failed" in caplog.text
    for secret in ("TTP_filter_refresh", "FilterSecret1", "TTP_in_traceback"):
        assert secret not in caplog.text


def test_get_logger_attaches_the_filter_once():
    first = get_logger("tiktok_shop.tests.once")
    second = get_logger("tiktok_shop.tests.once")
    assert first is second
    assert len(first.filters) == 1


def test_client_logs_contain_no_secret_and_no_recipient_data(server, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    token_data = {
        "access_token": "TTP_brand_new_access_77",
        "access_token_expire_in": 1732950478,
        "refresh_token": "TTP_brand_new_refresh_88",
        "refresh_token_expire_in": 1764481678,
    }
    server.queue(
        ok(token_data),
        ok({"orders": [ORDER], "next_page_token": ""}, request_id="req-orders-1"),
    )
    client = make_client(access_token=ACCESS_TOKEN)

    client.get_access_token("ROW_auth_code_secret_55")
    orders = client.request(
        "POST",
        "/order/202309/orders/search",
        params={"page_size": 10},
        json={"buyer_email": "jane.buyer@relay.example"},
        shop_cipher=SHOP_CIPHER,
    )

    assert orders["orders"][0]["recipient_address"]["name"] == "Jane Fictive-Buyer"  # data intact
    log = caplog.text
    assert "TikTok Shop request GET" in log and "/api/v2/token/get" in log
    assert "TikTok Shop response POST /order/202309/orders/search" in log
    assert "req-orders-1" in log and "AWAITING_SHIPMENT" in log  # useful details kept
    for secret in (
        APP_SECRET,
        ACCESS_TOKEN,
        "TTP_brand_new_access_77",
        "TTP_brand_new_refresh_88",
        "ROW_auth_code_secret_55",
        *PERSONAL_VALUES,
    ):
        assert secret not in log, secret


def test_transport_errors_on_token_calls_hide_the_secret_url(make_client, caplog):
    caplog.set_level(logging.DEBUG)
    client = make_client(auth_host=f"http://127.0.0.1:{closed_port()}", max_attempts=2)

    with pytest.raises(TikTokShopTransportError) as caught:
        client.refresh_access_token("TTP_refresh_in_url_66")

    assert "Retrying" in caplog.text  # the retry warning was logged
    for text in (caplog.text, str(caught.value)):
        assert APP_SECRET not in text
        assert "TTP_refresh_in_url_66" not in text
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
