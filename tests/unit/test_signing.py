"""Request signing against the reference vectors (facts sheet §3.2, §3.3)."""

import re

import pytest
from tiktok_shop.signing import normalize_query, serialize_json_body, sign, string_to_sign

# §3.3 worked example.
SECRET = "s3cr3t0000example"
PATH = "/order/202309/orders/search"
PARAMS = {
    "app_key": "6abc12def3gh4",
    "timestamp": 1732345678,
    "shop_cipher": "ROW_AbCdEfGhIjKlMnOp",
    "page_size": 20,
    "sort_field": "create_time",
    "sort_order": "DESC",
    "access_token": "TTP_should_not_be_signed",
}
BODY_OBJECT = {
    "order_status": "AWAITING_SHIPMENT",
    "create_time_ge": 1732000000,
    "create_time_lt": 1732345600,
}
BODY = (
    b'{"order_status":"AWAITING_SHIPMENT","create_time_ge":1732000000,"create_time_lt":1732345600}'
)


def test_worked_example_signature():
    assert sign(SECRET, PATH, PARAMS, BODY) == (
        "883a12b7db060b20f6c35f22b3176ef9237d04b3c3ac541be9eec3801860e007"
    )


def test_worked_example_string_to_sign():
    expected = (
        "s3cr3t0000example/order/202309/orders/searchapp_key6abc12def3gh4page_size20"
        "shop_cipherROW_AbCdEfGhIjKlMnOpsort_fieldcreate_timesort_orderDESCtimestamp1732345678"
        '{"order_status":"AWAITING_SHIPMENT","create_time_ge":1732000000,'
        '"create_time_lt":1732345600}s3cr3t0000example'
    )
    assert string_to_sign(SECRET, PATH, PARAMS, BODY) == expected.encode()


def test_serialized_body_is_the_worked_example_bytes():
    assert serialize_json_body(BODY_OBJECT) == BODY


def test_multipart_body_is_not_signed():
    expected = "d7025298cdd192cf5238ef8fcb5a586b89b38e35c32d290b66e54ebfa6c4af5b"
    assert sign(SECRET, PATH, PARAMS, BODY, multipart=True) == expected
    assert sign(SECRET, PATH, PARAMS, b"", multipart=False) == expected


def test_official_tiktok_vector():
    params = {"app_key": "29a39d", "timestamp": "1623812664"}
    assert sign("e59af819cc", "/authorization/202309/shops", params) == (
        "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"
    )
    assert (
        string_to_sign("e59af819cc", "/authorization/202309/shops", params)
        == b"e59af819cc/authorization/202309/shopsapp_key29a39dtimestamp1623812664e59af819cc"
    )


def test_access_token_and_sign_are_excluded():
    base = {"app_key": "k", "timestamp": 1}
    with_extras = {**base, "access_token": "TTP_x", "sign": "deadbeef"}
    assert sign(SECRET, PATH, with_extras) == sign(SECRET, PATH, base)


def test_parameter_order_does_not_matter():
    forward = {"a": "1", "b": "2", "c": "3"}
    backward = {"c": "3", "b": "2", "a": "1"}
    assert sign(SECRET, PATH, forward) == sign(SECRET, PATH, backward)
    assert string_to_sign(SECRET, PATH, backward) == f"{SECRET}{PATH}a1b2c3{SECRET}".encode()


def test_list_values_are_comma_joined():
    as_list = {"ids": ["576486316948490001", "576486316948490002"]}
    as_text = {"ids": "576486316948490001,576486316948490002"}
    assert sign(SECRET, PATH, as_list) == sign(SECRET, PATH, as_text)
    assert b"ids576486316948490001,576486316948490002" in string_to_sign(SECRET, PATH, as_list)


def test_decoded_values_are_signed():
    token = "aGVsbG8+d29y/bGQ="
    message = string_to_sign(SECRET, PATH, {"page_token": token})
    assert f"page_token{token}".encode() in message
    percent_encoded = {"page_token": "aGVsbG8%2Bd29y%2FbGQ%3D"}
    assert sign(SECRET, PATH, {"page_token": token}) != sign(SECRET, PATH, percent_encoded)


def test_signature_is_lowercase_hex():
    signature = sign("AnyUPPERsecret", "/seller/202309/shops", {"app_key": "ABC", "timestamp": 2})
    assert re.fullmatch(r"[0-9a-f]{64}", signature)


def test_body_as_text_signs_like_its_utf8_bytes():
    body = serialize_json_body({"title": "Café ☕"})
    assert body == '{"title":"Café ☕"}'.encode()
    assert sign(SECRET, PATH, {}, body) == sign(SECRET, PATH, {}, body.decode("utf-8"))


def test_query_values_are_normalized():
    assert normalize_query(
        {"flag": True, "off": False, "missing": None, "ids": (1, 2), "size": 20}
    ) == {"flag": "true", "off": "false", "ids": "1,2", "size": "20"}


def test_signing_without_secret_is_refused():
    with pytest.raises(ValueError):
        sign("", PATH, {})
