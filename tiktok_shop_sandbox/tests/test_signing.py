"""The sandbox's own signatures reproduce the worked examples of the API contract (§3.3, §4.2)."""

from tiktok_shop_sandbox.signing import (
    is_valid_request_signature,
    push_signature,
    request_signature,
)

# §3.3: a made-up app and an order search, signed with the JSON body and as a multipart upload.
SECRET = "s3cr3t0000example"
SEARCH_PATH = "/order/202309/orders/search"
SEARCH_QUERY = {
    "app_key": "6abc12def3gh4",
    "timestamp": "1732345678",
    "shop_cipher": "ROW_AbCdEfGhIjKlMnOp",
    "page_size": "20",
    "sort_field": "create_time",
    "sort_order": "DESC",
    "access_token": "TTP_should_not_be_signed",
}
SEARCH_BODY = (
    b'{"order_status":"AWAITING_SHIPMENT","create_time_ge":1732000000,"create_time_lt":1732345600}'
)
SEARCH_SIGN = "883a12b7db060b20f6c35f22b3176ef9237d04b3c3ac541be9eec3801860e007"
SEARCH_SIGN_MULTIPART = "d7025298cdd192cf5238ef8fcb5a586b89b38e35c32d290b66e54ebfa6c4af5b"


def test_a_call_is_signed_as_the_contract_example():
    assert request_signature(SECRET, SEARCH_PATH, SEARCH_QUERY, SEARCH_BODY) == SEARCH_SIGN


def test_a_multipart_call_leaves_its_body_out():
    signed = request_signature(SECRET, SEARCH_PATH, SEARCH_QUERY, SEARCH_BODY, False)
    assert signed == SEARCH_SIGN_MULTIPART


def test_the_official_test_vector():
    query = {"app_key": "29a39d", "timestamp": "1623812664"}
    signed = request_signature("e59af819cc", "/authorization/202309/shops", query)
    assert signed == "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"


def test_the_received_sign_in_the_query_is_not_signed():
    query = {**SEARCH_QUERY, "sign": SEARCH_SIGN}
    assert is_valid_request_signature(SEARCH_SIGN, SECRET, SEARCH_PATH, query, SEARCH_BODY, True)


def test_a_sign_in_capitals_or_not_hex_is_refused():
    for received in (SEARCH_SIGN.upper(), "é" * 64, ""):
        assert not is_valid_request_signature(
            received, SECRET, SEARCH_PATH, SEARCH_QUERY, SEARCH_BODY, True
        )


def test_a_push_is_signed_as_the_contract_example():
    body = (
        b'{"type":1,"tts_notification_id":"7327112393057371910","shop_id":"7494049642642441621",'
        b'"timestamp":1732345678,"data":{"order_id":"576486316948490001",'
        b'"order_status":"AWAITING_SHIPMENT","is_on_hold_order":false,"update_time":1732345670}}'
    )
    signature = push_signature("6abc12def3gh4", SECRET, body)
    assert signature == "665d0a83cb7cbcde07470855e605b4e0abcb50c2131f5424b2e3ec0b70f54065"
