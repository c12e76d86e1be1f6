"""The gateway: every refusal TikTok makes before a handler runs, with its code and status."""

import json
import time

import pytest
import requests
from tiktok_shop import endpoints
from tiktok_shop.errors import TikTokShopRateLimited, TikTokShopTransportError

from tiktok_shop_sandbox.routing import ROUTER

SEARCH = "/order/202309/orders/search"
SHOPS = "/authorization/202309/shops"
SEARCH_BODY = json.dumps({"order_status": "AWAITING_SHIPMENT"}, separators=(",", ":")).encode()


def envelope(response):
    payload = response.json()
    assert set(payload) == {"code", "message", "request_id", "data"}
    return payload


def search_params(shop, **extra):
    return {"shop_cipher": shop.cipher, "page_size": "10", **extra}


# --- a request signed by the project's client ---------------------------------------------------


def test_a_request_signed_by_the_client_is_accepted(client, us_shop):
    data = client.request(
        "POST",
        SEARCH,
        params={"page_size": 5},
        json={"order_status": "ON_HOLD"},
        shop_cipher=us_shop.cipher,
    )
    assert data["orders"] == [] and data["total_count"] == 0


def test_success_envelope_has_code_message_request_id_and_data(raw, token, us_shop):
    response = raw("GET", SHOPS, access_token=token["access_token"])
    payload = envelope(response)
    assert response.status_code == 200
    assert payload["code"] == 0 and payload["message"] == "Success"
    assert payload["request_id"][:8].isdigit() and len(payload["request_id"]) == 34
    assert us_shop.cipher in [shop["cipher"] for shop in payload["data"]["shops"]]


def test_the_raw_helper_signs_like_the_client(raw, token, us_shop):
    response = raw(
        "POST",
        SEARCH,
        params=search_params(us_shop),
        body=SEARCH_BODY,
        access_token=token["access_token"],
    )
    assert envelope(response)["code"] == 0


def test_one_changed_byte_in_the_body_is_refused_with_106001(raw, token, us_shop):
    tampered = SEARCH_BODY.replace(b"AWAITING", b"AWAITINH")
    response = raw(
        "POST",
        SEARCH,
        params=search_params(us_shop),
        body=SEARCH_BODY,
        tamper_body=tampered,
        access_token=token["access_token"],
    )
    assert response.status_code == 401
    assert envelope(response)["code"] == 106001


def test_a_changed_query_value_is_refused_with_106001(sandbox, token, us_shop):
    from tiktok_shop.signing import sign

    app = sandbox.app
    query = {"app_key": app.app_key, "timestamp": str(int(time.time())), **search_params(us_shop)}
    query["sign"] = sign(app.app_secret, SEARCH, query, SEARCH_BODY)
    query["page_size"] = "11"
    response = requests.post(
        sandbox.url + SEARCH,
        params=query,
        data=SEARCH_BODY,
        headers={"Content-Type": "application/json", "x-tts-access-token": token["access_token"]},
        timeout=5,
    )
    assert (response.status_code, envelope(response)["code"]) == (401, 106001)


def test_uppercase_hex_sign_is_refused(sandbox, token):
    from tiktok_shop.signing import sign

    app = sandbox.app
    query = {"app_key": app.app_key, "timestamp": str(int(time.time()))}
    query["sign"] = sign(app.app_secret, SHOPS, query).upper()
    response = requests.get(
        sandbox.url + SHOPS,
        params=query,
        headers={"x-tts-access-token": token["access_token"]},
        timeout=5,
    )
    assert envelope(response)["code"] == 106001


# Clear of the window's edges: the timestamp is whole seconds and a loaded machine takes a moment
# to carry the request, so 31 s ahead may arrive as 30.
@pytest.mark.parametrize("offset", [-310, 40, -3600])
def test_a_timestamp_outside_the_window_is_refused_with_36009004(raw, token, offset):
    response = raw("GET", SHOPS, access_token=token["access_token"], timestamp=time.time() + offset)
    payload = envelope(response)
    assert payload["code"] == 36009004
    assert "timestamp" in payload["message"]


@pytest.mark.parametrize("offset", [-290, 25])
def test_a_timestamp_inside_the_window_is_accepted(raw, token, offset):
    response = raw("GET", SHOPS, access_token=token["access_token"], timestamp=time.time() + offset)
    assert envelope(response)["code"] == 0


def test_the_token_in_the_query_instead_of_the_header_is_refused_with_105001(raw, token):
    # The signature excludes access_token, so this request is validly signed.
    response = raw("GET", SHOPS, params={"access_token": token["access_token"]})
    payload = envelope(response)
    assert (response.status_code, payload["code"]) == (401, 105001)
    assert "header" in payload["message"]


def test_a_missing_sign_is_refused_with_36009004(raw, token):
    response = raw("GET", SHOPS, access_token=token["access_token"], sign_query=False)
    assert envelope(response)["code"] == 36009004


def test_an_unknown_app_key_is_refused_with_36009004(sandbox, token):
    response = requests.get(
        sandbox.url + SHOPS,
        params={"app_key": "nope", "timestamp": str(int(time.time())), "sign": "0" * 64},
        headers={"x-tts-access-token": token["access_token"]},
        timeout=5,
    )
    assert envelope(response)["code"] == 36009004


@pytest.mark.parametrize("access_token", [None, "TTP_not_a_token"], ids=["missing", "invalid"])
def test_a_missing_or_invalid_token_is_refused_with_105001(raw, access_token):
    response = raw("GET", SHOPS, access_token=access_token)
    assert (response.status_code, envelope(response)["code"]) == (401, 105001)


def test_an_expired_token_is_refused_with_105002(sandbox, client, api_error):
    sandbox.advance(7 * 86400 + 1)
    error = api_error(client.request, "GET", SHOPS)
    assert (error.code, error.http_status) == (105002, 401)


def test_a_token_of_another_seller_is_refused_for_the_shop_with_101000(sandbox, client, api_error):
    indonesian_shop = sandbox.shop("ID")
    error = api_error(
        client.request,
        "GET",
        "/order/202309/orders",
        params={"ids": "1"},
        shop_cipher=indonesian_shop.cipher,
    )
    assert (error.code, error.http_status) == (101000, 401)


@pytest.mark.parametrize(
    ("shop_cipher", "code"), [(None, 106013), ("ROW_unknown", 36009004)], ids=["missing", "unknown"]
)
def test_a_missing_or_unknown_shop_cipher_is_refused(raw, token, shop_cipher, code):
    params = {"page_size": "10"}
    if shop_cipher is not None:
        params["shop_cipher"] = shop_cipher
    response = raw(
        "POST", SEARCH, params=params, body=SEARCH_BODY, access_token=token["access_token"]
    )
    assert envelope(response)["code"] == code


def test_a_shop_cipher_where_forbidden_is_refused_with_36009004(raw, token, us_shop):
    response = raw(
        "GET", SHOPS, params={"shop_cipher": us_shop.cipher}, access_token=token["access_token"]
    )
    payload = envelope(response)
    assert payload["code"] == 36009004
    assert "shop_cipher" in payload["message"]


def test_a_deauthorized_shop_is_refused_with_105001(sandbox, client, us_shop, api_error):
    from tiktok_shop_sandbox import auth

    auth.deauthorize_shop(sandbox.state, us_shop)
    error = api_error(
        client.request, "POST", SEARCH, params={"page_size": 5}, shop_cipher=us_shop.cipher
    )
    assert error.code == 105001


def test_an_unknown_path_is_refused_with_36009009_and_http_404(raw, token):
    response = raw("GET", "/order/202309/no_such_thing", access_token=token["access_token"])
    assert (response.status_code, envelope(response)["code"]) == (404, 36009009)


def test_a_wrong_method_is_refused_with_36009010_and_http_405(raw, token):
    response = raw(
        "DELETE", SHOPS.replace("authorization", "seller"), access_token=token["access_token"]
    )
    assert (response.status_code, envelope(response)["code"]) == (405, 36009010)


@pytest.mark.parametrize(
    ("path", "page_size"),
    [
        (SEARCH, None),
        (SEARCH, "0"),
        (SEARCH, "101"),
        (SEARCH, "ten"),
        ("/fulfillment/202309/packages/search", "51"),
        ("/return_refund/202309/cancellations/search", "51"),
        ("/return_refund/202309/returns/search", "9"),
    ],
)
def test_page_sizes_out_of_range_are_refused_with_36009004(raw, token, us_shop, path, page_size):
    params = {"shop_cipher": us_shop.cipher}
    if page_size is not None:
        params["page_size"] = page_size
    response = raw("POST", path, params=params, access_token=token["access_token"])
    payload = envelope(response)
    assert payload["code"] == 36009004
    assert "page_size" in payload["message"]


@pytest.mark.parametrize(
    ("path", "page_size"),
    [(SEARCH, "100"), (SEARCH, "1"), ("/return_refund/202309/returns/search", "10")],
)
def test_page_sizes_at_the_bounds_are_accepted(raw, token, us_shop, path, page_size):
    params = {"shop_cipher": us_shop.cipher, "page_size": page_size}
    response = raw("POST", path, params=params, access_token=token["access_token"])
    assert envelope(response)["code"] == 0


@pytest.mark.parametrize(
    ("body", "content_type", "code"),
    [
        (b"{not json", "application/json", 36009004),
        (b"[1,2]", "application/json", 36009004),
        (b"order_status=ON_HOLD", "application/x-www-form-urlencoded", 36009022),
    ],
    ids=["not-json", "json-array", "form-data"],
)
def test_a_search_body_that_is_not_a_json_object_is_refused(
    raw, token, us_shop, body, content_type, code
):
    response = raw(
        "POST",
        SEARCH,
        params=search_params(us_shop),
        body=body,
        content_type=content_type,
        access_token=token["access_token"],
    )
    assert envelope(response)["code"] == code


def test_an_upload_sent_as_json_is_refused_with_36009023(raw, token):
    response = raw(
        "POST",
        "/product/202309/images/upload",
        body=b'{"data":"x"}',
        access_token=token["access_token"],
    )
    assert envelope(response)["code"] == 36009023


def test_an_invalid_filter_value_is_refused_with_36009004(client, us_shop, api_error):
    error = api_error(
        client.request,
        "POST",
        SEARCH,
        params={"page_size": 5},
        json={"order_status": "SHIPPED"},
        shop_cipher=us_shop.cipher,
    )
    assert error.code == 36009004


# --- rate limit -----------------------------------------------------------------------------------


def test_the_quota_is_per_app_shop_and_endpoint_and_answers_429_36009002(
    sandbox, client, us_shop, api_error
):
    sandbox.rate_limiter.limit = 5
    for _ in range(5):
        client.request("POST", SEARCH, params={"page_size": 5}, shop_cipher=us_shop.cipher)
    error = api_error(
        client.request, "POST", SEARCH, params={"page_size": 5}, shop_cipher=us_shop.cipher
    )
    assert isinstance(error, TikTokShopRateLimited)
    assert (error.http_status, error.code) == (429, 36009002)
    # Another shop and another endpoint have their own buckets.
    client.request("POST", SEARCH, params={"page_size": 5}, shop_cipher=sandbox.shop("GB").cipher)
    client.request("GET", "/logistics/202309/warehouses", shop_cipher=us_shop.cipher)
    time.sleep(1.05)  # a second later the window has room again
    client.request("POST", SEARCH, params={"page_size": 5}, shop_cipher=us_shop.cipher)


def test_order_detail_ids_share_one_bucket(sandbox, client, us_shop, api_error):
    sandbox.rate_limiter.limit = 3
    for order_id in ("1", "2", "3"):
        client.request(
            "GET", "/order/202309/orders", params={"ids": order_id}, shop_cipher=us_shop.cipher
        )
    error = api_error(
        client.request,
        "GET",
        "/order/202309/orders",
        params={"ids": "4"},
        shop_cipher=us_shop.cipher,
    )
    assert error.code == 36009002


def test_the_default_quota_is_50_per_second(sandbox):
    assert sandbox.rate_limiter.limit == 50


# --- faults ---------------------------------------------------------------------------------------


def test_injected_5xx_answers_a_server_error(sandbox, client, api_error):
    sandbox.faults.configure(error_5xx_share=1)
    error = api_error(client.request, "GET", SHOPS)
    assert error.http_status in (500, 503)
    assert error.retryable


def test_injected_429_answers_36009002(sandbox, client, api_error):
    sandbox.faults.configure(rate_limit_share=1)
    error = api_error(client.request, "GET", SHOPS)
    assert (error.http_status, error.code) == (429, 36009002)


def test_injected_connection_reset_is_a_transport_error(sandbox, client, api_error):
    sandbox.faults.configure(reset_share=1)
    error = api_error(client.request, "GET", SHOPS)
    assert isinstance(error, TikTokShopTransportError)


def test_injected_slow_answers_take_their_time(sandbox, client):
    sandbox.faults.configure(slow_share=1, slow_seconds=0.3)
    started = time.monotonic()
    client.request("GET", SHOPS)
    assert time.monotonic() - started >= 0.3


def test_faults_are_drawn_from_the_seed(sandbox):
    from tiktok_shop_sandbox.faults import Faults

    def pattern():
        faults = Faults(seed=3)
        faults.configure(error_5xx_share=0.3, reset_share=0.2)
        return [(fault.reset, bool(fault.error)) for fault in (faults.draw() for _ in range(50))]

    first = pattern()
    assert first == pattern()
    assert any(reset for reset, _ in first) and any(error for _, error in first)


def test_the_control_api_is_never_faulted(sandbox, control):
    sandbox.faults.configure(error_5xx_share=1)
    assert control("GET", "/sandbox/health") == (200, {"ok": True})


# --- the connector's endpoint table -------------------------------------------------------------


def test_the_sandbox_serves_every_operation_of_the_connectors_table():
    table = [value for value in vars(endpoints).values() if isinstance(value, endpoints.Endpoint)]

    def served(endpoint):
        path = endpoint.format(dict.fromkeys(endpoint.path_parameters, "1729"))
        return ROUTER.match(endpoint.method, path)[0] is not None

    assert table and [str(endpoint) for endpoint in table if not served(endpoint)] == []
