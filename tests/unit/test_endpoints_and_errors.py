"""Which paths take a shop_cipher, rate-limit templates, and error classification."""

import pytest
from tiktok_shop.endpoints import endpoint_template, path_takes_shop_cipher
from tiktok_shop.errors import (
    TikTokShopAuthError,
    TikTokShopRateLimited,
    TikTokShopRequestError,
    TikTokShopServerError,
    TikTokShopTokenExpired,
    error_from_response,
)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/authorization/202309/shops"),
        ("GET", "/authorization/202405/category_assets"),
        ("GET", "/seller/202309/permissions"),
        ("POST", "/product/202309/global_products/search"),
        ("GET", "/product/202309/global_categories"),
        ("POST", "/product/202309/images/upload"),
        ("POST", "/product/202309/files/upload"),
        ("POST", "/product/202309/brands"),
        ("GET", "/product/202309/compliance/manufacturers"),
        ("GET", "/product/202309/categories/600001/global_attributes"),
        ("GET", "/logistics/202309/global_warehouses"),
        ("POST", "/affiliate_creator/202405/orders/search"),
        ("POST", "/affiliate_partner/202411/orders/search"),
    ],
)
def test_app_level_paths_take_no_shop_cipher(method, path):
    assert path_takes_shop_cipher(method, path) is False


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/order/202309/orders/search"),
        ("GET", "/product/202309/brands"),  # only creating a brand is app-level
        ("GET", "/product/202309/categories"),
        ("POST", "/product/202309/products/1729/inventory/update"),
        ("POST", "/fulfillment/202309/packages/1/images/upload"),
        ("GET", "/finance/202501/statements/1/statement_transactions"),
        ("PUT", "/event/202309/webhooks"),
        ("DELETE", "/authorization/202403/shops"),  # deauthorize: shop-level
    ],
)
def test_shop_level_paths_take_shop_cipher(method, path):
    assert path_takes_shop_cipher(method, path) is True


def test_endpoint_template_groups_ids_but_keeps_the_version():
    assert endpoint_template("get", "/order/202407/orders/576486316948490001/price_detail") == (
        "GET /order/202407/orders/{id}/price_detail"
    )
    assert endpoint_template("POST", "/order/202309/orders/search") == (
        "POST /order/202309/orders/search"
    )


@pytest.mark.parametrize(
    ("status", "code", "error_class", "retryable"),
    [
        (401, 105002, TikTokShopTokenExpired, False),
        (200, 105002, TikTokShopTokenExpired, False),
        (401, 106001, TikTokShopAuthError, False),
        (200, 105001, TikTokShopAuthError, False),
        (200, 105005, TikTokShopAuthError, False),
        (401, None, TikTokShopAuthError, False),
        (429, 36009002, TikTokShopRateLimited, True),
        (200, 36009002, TikTokShopRateLimited, True),
        (429, None, TikTokShopRateLimited, True),
        (200, 36009007, TikTokShopServerError, True),
        (503, None, TikTokShopServerError, True),
        (500, -1, TikTokShopServerError, True),
        (200, 106013, TikTokShopRequestError, False),
        (400, 36009004, TikTokShopRequestError, False),
        (404, None, TikTokShopRequestError, False),
    ],
)
def test_error_classification(status, code, error_class, retryable):
    error = error_from_response(status, code, "msg", "req-1", retry_after=None)
    assert type(error) is error_class
    assert error.retryable is retryable
    assert (error.code, error.http_status, error.request_id) == (code, status, "req-1")


def test_error_text_carries_code_status_and_request_id():
    error = error_from_response(401, 106001, "Invalid sign", "req-9")
    assert str(error) == "Invalid sign (code=106001, http_status=401, request_id=req-9)"
    assert isinstance(error, TikTokShopAuthError)
