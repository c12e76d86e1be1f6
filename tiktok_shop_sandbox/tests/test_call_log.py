"""The sandbox counts the API calls it served and throttled, per endpoint (GET /sandbox/calls)."""

import pytest
from tiktok_shop.errors import TikTokShopRateLimited
from tiktok_shop.rate_limit import NoRateLimit

from .connector import connector_client

WAREHOUSES = "GET /logistics/202309/warehouses"
INVENTORY_UPDATE = "POST /product/202309/products/{id}/inventory/update"


def test_served_calls_are_counted_per_endpoint(sandbox, control, client, us_shop):
    client.request("GET", "/logistics/202309/warehouses", shop_cipher=us_shop.cipher)
    client.request("GET", "/logistics/202309/warehouses", shop_cipher=us_shop.cipher)
    status, calls = control("GET", "/sandbox/calls")
    assert status == 200
    assert calls["served"] == {WAREHOUSES: 2}
    assert calls["throttled"] == {}


def test_one_product_id_or_another_is_one_endpoint(sandbox, client, us_shop):
    products = [p for p in sandbox.state.products.values() if p.shop_id == us_shop.id][:2]
    for product in products:
        sku = product.skus[0]
        body = {
            "skus": [
                {
                    "id": sku.id,
                    "inventory": [
                        {"warehouse_id": warehouse_id, "quantity": 1}
                        for warehouse_id in sku.inventory
                        if not sandbox.state.warehouses[warehouse_id].is_fbt
                    ],
                }
            ]
        }
        client.request(
            "POST",
            f"/product/202309/products/{product.id}/inventory/update",
            shop_cipher=us_shop.cipher,
            json=body,
        )
    assert sandbox.calls.snapshot()["served"] == {INVENTORY_UPDATE: 2}


def test_throttled_calls_are_counted_apart(sandbox, token, us_shop):
    sandbox.rate_limiter.limit = 1
    with connector_client(
        sandbox, access_token=token["access_token"], rate_limiter=NoRateLimit(), max_attempts=1
    ) as client:
        client.request("GET", "/logistics/202309/warehouses", shop_cipher=us_shop.cipher)
        with pytest.raises(TikTokShopRateLimited):
            client.request("GET", "/logistics/202309/warehouses", shop_cipher=us_shop.cipher)
    calls = sandbox.calls.snapshot()
    assert calls == {"served": {WAREHOUSES: 1}, "throttled": {WAREHOUSES: 1}}
