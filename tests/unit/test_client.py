"""TikTokShopClient against a real HTTP server on 127.0.0.1 (see fake_tiktok.py)."""

import io

import pytest
from tiktok_shop.client import TikTokShopClient, authorization_url
from tiktok_shop.errors import (
    TikTokShopAuthError,
    TikTokShopRateLimited,
    TikTokShopRequestError,
    TikTokShopServerError,
    TikTokShopTokenExpired,
    TikTokShopTransportError,
)
from tiktok_shop.rate_limit import NoRateLimit
from tiktok_shop.signing import serialize_json_body

from .fake_tiktok import APP_KEY, APP_SECRET, SHOP_CIPHER, Reply, closed_port, fail, ok

SHOPS_PATH = "/authorization/202309/shops"
SEARCH_PATH = "/order/202309/orders/search"


# --- Common parameters, signing, shop_cipher ----------------------------------------------------


def test_success_returns_data_and_sends_signed_common_parameters(server, make_client, clock):
    shops = {"shops": [{"cipher": SHOP_CIPHER, "id": "7494049642642441621", "region": "GB"}]}
    server.queue(ok(shops))

    data = make_client().request("GET", SHOPS_PATH)

    assert data == shops
    (received,) = server.requests
    assert received.method == "GET"
    assert received.path == SHOPS_PATH
    assert received.query["app_key"] == APP_KEY
    assert received.query["timestamp"] == str(int(clock.now))
    assert len(received.query["sign"]) == 64
    assert received.sign_valid is True
    assert received.headers["x-tts-access-token"] == "TTP_access_token_0001"
    assert "shop_cipher" not in received.query  # app-level endpoint
    assert "access_token" not in received.query  # header only since 202309


def test_shop_path_sends_cipher_and_the_exact_signed_json_bytes(server, make_client):
    body = {"order_status": "AWAITING_SHIPMENT", "create_time_ge": 1732000000, "note": "Café"}
    server.queue(ok({"orders": [], "total_count": 0}))

    make_client().request(
        "POST",
        SEARCH_PATH,
        params={"page_size": 20, "sort_order": "DESC"},
        json=body,
        shop_cipher=SHOP_CIPHER,
    )

    (received,) = server.requests
    assert received.sign_valid is True
    assert received.query["shop_cipher"] == SHOP_CIPHER
    assert received.query["page_size"] == "20"
    assert received.body == serialize_json_body(body)
    assert received.headers["content-type"] == "application/json"


def test_shop_path_without_cipher_is_refused_before_sending(server, make_client):
    with pytest.raises(ValueError, match="shop_cipher"):
        make_client().request("POST", SEARCH_PATH, json={"order_status": "UNPAID"})
    assert server.requests == []


def test_cipher_is_never_sent_to_app_level_paths(server, make_client):
    server.queue(ok({"shops": []}))

    make_client().request("GET", SHOPS_PATH, shop_cipher=SHOP_CIPHER)

    (received,) = server.requests
    assert "shop_cipher" not in received.query
    assert received.sign_valid is True


def test_deauthorize_shop_is_the_shop_scoped_authorization_call(server, make_client):
    server.queue(ok())

    make_client().request("DELETE", "/authorization/202403/shops", shop_cipher=SHOP_CIPHER)

    assert server.requests[0].query["shop_cipher"] == SHOP_CIPHER


def test_list_params_travel_comma_joined_and_signed(server, make_client):
    server.queue(ok({"orders": [{"id": "1"}, {"id": "2"}]}))

    make_client().request(
        "GET", "/order/202309/orders", params={"ids": ["1", "2"]}, shop_cipher=SHOP_CIPHER
    )

    (received,) = server.requests
    assert received.query["ids"] == "1,2"
    assert received.sign_valid is True


def test_client_managed_parameters_are_refused(make_client):
    for name in ("app_key", "timestamp", "sign", "access_token"):
        with pytest.raises(ValueError, match="sets these parameters itself"):
            make_client().request("GET", SHOPS_PATH, params={name: "x"})


def test_unsubstituted_path_is_refused(make_client):
    with pytest.raises(ValueError, match="IDs filled in"):
        make_client().request("GET", "/order/202309/orders/{order_id}", shop_cipher=SHOP_CIPHER)


def test_null_data_is_returned_as_empty_dict(server, make_client):
    server.queue(ok(None))
    data = make_client().request(
        "POST",
        "/product/202309/products/activate",
        json={"product_ids": ["1"]},
        shop_cipher=SHOP_CIPHER,
    )
    assert data == {}


def test_multipart_upload_is_sent_without_body_signature(server, make_client):
    server.queue(ok({"uri": "tos-maliva-i-o3syd03w52-us/abc"}))

    data = make_client().request(
        "POST",
        "/product/202309/images/upload",
        files={"data": ("photo.png", b"\x89PNG fake image", "image/png")},
        form={"use_case": "MAIN_IMAGE"},
    )

    assert data["uri"].startswith("tos-")
    (received,) = server.requests
    assert received.headers["content-type"].startswith("multipart/form-data")
    assert b"MAIN_IMAGE" in received.body
    assert "shop_cipher" not in received.query
    assert received.sign_valid is True  # server verified with multipart=True (body excluded)


def test_multipart_retry_uploads_the_whole_file_again(server, make_client):
    server.queue(fail(-1, "busy", 503), ok({"uri": "tos-1"}))
    image = io.BytesIO(b"\x89PNG the whole image")

    make_client().request(
        "POST", "/product/202309/images/upload", files={"data": ("a.png", image, "image/png")}
    )

    first, second = server.requests
    assert b"the whole image" in first.body
    assert second.body.count(b"the whole image") == 1
    assert second.sign_valid is True


# --- Retries --------------------------------------------------------------------------------------


def test_429_honours_retry_after_then_succeeds(server, make_client, clock):
    server.queue(
        fail(36009002, "Too many requests", 429, headers={"Retry-After": "7"}), ok({"a": 1})
    )

    assert make_client().request("GET", SHOPS_PATH) == {"a": 1}

    assert len(server.requests) == 2
    assert clock.sleeps and clock.sleeps[0] >= 7


def test_5xx_retries_with_fresh_timestamp_and_signature(server, make_client, clock):
    server.queue(Reply(status=503, payload="overloaded"), fail(-1, "boom", 500), ok({"ok": True}))

    assert make_client().request("GET", SHOPS_PATH) == {"ok": True}

    assert len(server.requests) == 3
    timestamps = [int(received.query["timestamp"]) for received in server.requests]
    assert timestamps == sorted(set(timestamps))  # strictly increasing
    assert len({received.query["sign"] for received in server.requests}) == 3
    assert all(received.sign_valid for received in server.requests)
    assert clock.sleeps == [1.0, 2.0]  # base 1 s doubled, jitter pinned to its maximum


def test_rate_limit_code_with_http_200_is_retried(server, make_client):
    server.queue(fail(36009002, "Too many requests"), fail(36009007, "timeout"), ok({"n": 3}))

    assert make_client().request("GET", SHOPS_PATH) == {"n": 3}
    assert len(server.requests) == 3


def test_gives_up_after_max_attempts_with_typed_error(server, make_client, clock):
    server.queue(*[fail(-1, "Service Unavailable", 503, request_id="req-503")] * 4)

    with pytest.raises(TikTokShopServerError) as caught:
        make_client(max_attempts=3).request("GET", SHOPS_PATH)

    assert len(server.requests) == 3
    assert len(clock.sleeps) == 2
    assert caught.value.http_status == 503
    assert caught.value.request_id == "req-503"
    assert caught.value.retryable is True


def test_retry_after_beyond_the_time_budget_gives_up_at_once(server, make_client, clock):
    server.queue(fail(36009002, "slow down", 429, headers={"Retry-After": "120"}), ok())

    with pytest.raises(TikTokShopRateLimited) as caught:
        make_client(max_total_retry_seconds=60).request("GET", SHOPS_PATH)

    assert len(server.requests) == 1
    assert clock.sleeps == []
    assert caught.value.retry_after == 120


def test_non_json_answer_is_retried(server, make_client):
    server.queue(Reply(status=502, payload="<html>Bad gateway</html>"), ok({"x": 1}))

    assert make_client().request("GET", SHOPS_PATH) == {"x": 1}
    assert len(server.requests) == 2


def test_network_timeout_is_retried_then_raises_transport_error(server, make_client):
    server.queue(*[Reply(payload={"code": 0, "data": {}}, delay=0.6)] * 2)

    with pytest.raises(TikTokShopTransportError) as caught:
        make_client(timeout=0.15, max_attempts=2).request("GET", SHOPS_PATH)

    assert len(server.requests) == 2
    assert caught.value.retryable is True
    assert "Timeout" in str(caught.value)


def test_connection_refused_is_a_transport_error(make_client, clock):
    client = make_client(api_host=f"http://127.0.0.1:{closed_port()}", max_attempts=2)

    with pytest.raises(TikTokShopTransportError):
        client.request("GET", SHOPS_PATH)
    assert len(clock.sleeps) == 1


def test_non_idempotent_write_is_not_retried_after_5xx(server, make_client):
    server.queue(fail(-1, "boom", 503), ok())

    with pytest.raises(TikTokShopServerError):
        make_client().request(
            "POST",
            "/fulfillment/202309/orders/1/packages",
            json={"tracking_number": "1Z"},
            shop_cipher=SHOP_CIPHER,
            idempotent=False,
        )
    assert len(server.requests) == 1


def test_non_idempotent_write_is_retried_when_throttled(server, make_client):
    server.queue(fail(36009002, "Too many requests", 429), ok({"package_id": "9"}))

    data = make_client().request(
        "POST",
        "/fulfillment/202309/orders/1/packages",
        json={"tracking_number": "1Z"},
        shop_cipher=SHOP_CIPHER,
        idempotent=False,
    )
    assert data == {"package_id": "9"}
    assert len(server.requests) == 2


# --- Token expiry and errors that must not be retried ---------------------------------------------


def test_expired_token_is_refreshed_once_and_the_call_retried(server, make_client):
    calls = []

    def refresh():
        calls.append(1)
        return "TTP_fresh_token_0002"

    server.queue(fail(105002, "Access token is expired", 401), ok({"shops": []}))
    client = make_client(refresh_callback=refresh)

    assert client.request("GET", SHOPS_PATH) == {"shops": []}

    assert calls == [1]
    first, second = server.requests
    assert first.headers["x-tts-access-token"] == "TTP_access_token_0001"
    assert second.headers["x-tts-access-token"] == "TTP_fresh_token_0002"
    assert second.sign_valid is True
    assert client.access_token == "TTP_fresh_token_0002"


def test_second_expired_token_raises_after_one_refresh(server, make_client):
    calls = []

    def refresh():
        calls.append(1)
        return "TTP_fresh_token_0002"

    server.queue(fail(105002, "expired"), fail(105002, "expired again"), ok())

    with pytest.raises(TikTokShopTokenExpired) as caught:
        make_client(refresh_callback=refresh).request("GET", SHOPS_PATH)

    assert calls == [1]
    assert len(server.requests) == 2
    assert caught.value.code == 105002


def test_expired_token_without_callback_raises(server, make_client):
    server.queue(fail(105002, "expired"))

    with pytest.raises(TikTokShopTokenExpired):
        make_client().request("GET", SHOPS_PATH)
    assert len(server.requests) == 1


def test_invalid_sign_is_an_auth_error_and_not_retried(server, make_client, clock):
    server.queue(fail(106001, "Invalid credentials", 401, request_id="req-106001"))

    with pytest.raises(TikTokShopAuthError) as caught:
        make_client().request("GET", SHOPS_PATH)

    assert len(server.requests) == 1
    assert clock.sleeps == []
    error = caught.value
    assert (error.code, error.http_status, error.request_id) == (106001, 401, "req-106001")
    assert error.retryable is False


def test_wrong_secret_is_rejected_by_the_server_as_106001(server, make_client):
    client = TikTokShopClient(
        APP_KEY, "not-the-secret", api_host=server.url, rate_limiter=NoRateLimit()
    )
    with pytest.raises(TikTokShopAuthError) as caught:
        client.request("GET", SHOPS_PATH)
    assert caught.value.code == 106001
    assert server.requests[0].sign_valid is False


@pytest.mark.parametrize(
    ("code", "status", "error_class"),
    [
        (105005, 200, TikTokShopAuthError),
        (105001, 401, TikTokShopAuthError),
        (106013, 200, TikTokShopRequestError),
        (36009004, 200, TikTokShopRequestError),
        (12019001, 200, TikTokShopRequestError),  # a business error
        (None, 404, TikTokShopRequestError),
    ],
)
def test_non_retryable_failures_raise_after_one_request(
    server, make_client, clock, code, status, error_class
):
    server.queue(fail(code, "no", status), ok())

    with pytest.raises(error_class) as caught:
        make_client().request("GET", SHOPS_PATH)

    assert type(caught.value) is error_class
    assert caught.value.code == code
    assert len(server.requests) == 1
    assert clock.sleeps == []


# --- OAuth ----------------------------------------------------------------------------------------


TOKEN_DATA = {
    "access_token": "TTP_new_access_0003",
    "access_token_expire_in": 1732950478,
    "refresh_token": "TTP_new_refresh_0004",
    "refresh_token_expire_in": 1764481678,
    "open_id": "7010736057180325637",
    "seller_name": "Fictive Shop",
    "seller_base_region": "GB",
    "user_type": 0,
    "granted_scopes": ["seller.order.info", "seller.product.basic"],
}


def test_get_access_token_is_an_unsigned_get_with_everything_in_the_query(server, make_client):
    server.queue(ok(TOKEN_DATA))
    client = make_client(access_token=None)

    token = client.get_access_token("AUTH_CODE_123")

    (received,) = server.requests
    assert received.method == "GET"
    assert received.path == "/api/v2/token/get"
    assert received.query == {
        "app_key": APP_KEY,
        "app_secret": APP_SECRET,
        "auth_code": "AUTH_CODE_123",
        "grant_type": "authorized_code",
    }
    assert received.body == b""
    assert token.access_token == "TTP_new_access_0003"
    assert token.refresh_token == "TTP_new_refresh_0004"
    assert token.access_token_expires_at == 1732950478  # absolute, not "now + value"
    assert token.refresh_token_expires_at == 1764481678
    assert token.open_id == "7010736057180325637"
    assert token.seller_name == "Fictive Shop"
    assert token.seller_base_region == "GB"
    assert token.granted_scopes == ("seller.order.info", "seller.product.basic")
    assert client.access_token == "TTP_new_access_0003"
    assert "TTP_new" not in repr(token)


def test_refresh_access_token_uses_grant_type_refresh_token(server, make_client):
    server.queue(ok(TOKEN_DATA))

    token = make_client().refresh_access_token("TTP_old_refresh")

    (received,) = server.requests
    assert received.path == "/api/v2/token/refresh"
    assert received.query["grant_type"] == "refresh_token"
    assert received.query["refresh_token"] == "TTP_old_refresh"
    assert received.query["app_secret"] == APP_SECRET
    assert "sign" not in received.query and "timestamp" not in received.query
    assert token.refresh_token == "TTP_new_refresh_0004"


def test_duration_style_expiry_is_converted_to_a_timestamp(server, make_client, clock):
    server.queue(ok({**TOKEN_DATA, "access_token_expire_in": 604800}))

    token = make_client().refresh_access_token("TTP_old_refresh")

    assert token.access_token_expires_at == int(clock.now) + 604800


def test_token_errors_are_typed(server, make_client):
    server.queue(fail(36004004, "auth code is invalid or expired", request_id="req-tok"))

    with pytest.raises(TikTokShopRequestError) as caught:
        make_client().get_access_token("USED_CODE")
    assert (caught.value.code, caught.value.request_id) == (36004004, "req-tok")


def test_authorization_urls():
    assert authorization_url("7181234567890", "st4te") == (
        "https://services.tiktokshop.com/open/authorize?service_id=7181234567890&state=st4te"
    )
    assert authorization_url("7181234567890", " st4te \n", market="us") == (
        "https://services.us.tiktokshop.com/open/authorize?service_id=7181234567890&state=st4te"
    )
    assert authorization_url("7181234567890", None) == (
        "https://services.tiktokshop.com/open/authorize?service_id=7181234567890"
    )
    assert authorization_url(
        "1", "a b", authorize_url="https://services.tiktokshops.us/open/authorize"
    ) == ("https://services.tiktokshops.us/open/authorize?service_id=1&state=a+b")
    with pytest.raises(ValueError):
        authorization_url("1", "s", market="mars")


def test_client_builds_the_same_authorization_url(make_client):
    assert make_client().authorization_url("42", "xyz", market="us") == (
        "https://services.us.tiktokshop.com/open/authorize?service_id=42&state=xyz"
    )
