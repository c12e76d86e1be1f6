"""The control API under /sandbox/: unsigned JSON for tests and demos."""

import requests

from .connector import connector_client


def test_health_and_app_credentials(sandbox, control):
    assert control("GET", "/sandbox/health") == (200, {"ok": True})
    status, app = control("GET", "/sandbox/app")
    assert status == 200
    assert app["app_key"] == sandbox.app.app_key and app["app_secret"] == sandbox.app.app_secret
    assert app["api_host"] == app["auth_host"] == sandbox.url
    assert app["authorize_url"] == f"{sandbox.url}/open/authorize"


def test_register_the_redirect_url(sandbox, control):
    status, app = control("POST", "/sandbox/app", {"redirect_url": "https://odoo.example.com/cb"})
    assert (
        status == 200
        and app["redirect_url"] == sandbox.app.redirect_url == "https://odoo.example.com/cb"
    )
    assert control("POST", "/sandbox/app", {"redirect_url": "ftp://nope"})[0] == 400


def test_the_state_counts_orders_per_status(sandbox, control, us_shop, place, stock):
    place(us_shop, [stock(us_shop)[0].id])
    status, state = control("GET", "/sandbox/state")
    assert status == 200
    assert state["orders_per_status"] == {"ON_HOLD": 1}
    assert len(state["shops"]) == 6 and state["now"] == sandbox.state.now()


def test_inventory_per_sku(sandbox, control, us_shop, place, stock):
    sku = stock(us_shop)[0]
    _, before = control("GET", f"/sandbox/inventory?sku_id={sku.id}")
    [row] = before["skus"]
    assert row["available"] == sku.available() and row["seller_sku"] == sku.seller_sku
    place(us_shop, [(sku.id, 2)])
    _, after = control("GET", f"/sandbox/inventory?sku_id={sku.id}")
    assert after["skus"][0]["available"] == row["available"] - 2
    _, shop_rows = control("GET", f"/sandbox/inventory?shop_id={us_shop.id}")
    assert {r["shop_id"] for r in shop_rows["skus"]} == {us_shop.id}


def test_create_orders_through_the_control_api(sandbox, control, us_shop, stock):
    sku = stock(us_shop)[0]
    status, order = control(
        "POST",
        "/sandbox/orders",
        {
            "shop_cipher": us_shop.cipher,
            "items": [{"sku_id": sku.id, "quantity": 2}],
            "surface": "VIDEO",
            "shipping_type": "SELLER",
        },
    )
    assert status == 200 and order["status"] == "ON_HOLD" and len(order["line_items"]) == 2
    assert order["sandbox"]["surface"] == "VIDEO" and order["shipping_type"] == "SELLER"
    status, listed = control("GET", f"/sandbox/orders?shop_id={us_shop.id}&status=ON_HOLD")
    assert [o["id"] for o in listed["orders"]] == [order["id"]]
    assert control("GET", f"/sandbox/orders/{order['id']}")[1]["id"] == order["id"]


def test_a_sold_out_sku_cannot_be_ordered_through_the_control_api(sandbox, control, us_shop):
    sold_out = next(
        sku
        for sku in sandbox.state.skus.values()
        if sandbox.state.products[sku.product_id].shop_id == us_shop.id and not sku.available()
    )
    status, answer = control(
        "POST", "/sandbox/orders", {"shop_id": us_shop.id, "items": [{"sku_id": sold_out.id}]}
    )
    assert status == 409 and "out of stock" in answer["error"]


def test_advance_the_clock(sandbox, control):
    before = sandbox.state.now()
    status, clock = control("POST", "/sandbox/clock/advance", {"seconds": 3600})
    assert status == 200 and clock["now"] >= before + 3600
    assert control("POST", "/sandbox/clock/advance", {"seconds": -1})[0] == 400
    status, clock = control("POST", "/sandbox/clock/speed", {"speed": 60})
    assert clock["speed"] == 60 == sandbox.state.speed


def test_fault_knobs(sandbox, control):
    status, knobs = control("POST", "/sandbox/faults", {"error_5xx_share": 0.5, "slow_seconds": 1})
    assert status == 200 and knobs["error_5xx_share"] == 0.5 and knobs["slow_seconds"] == 1
    assert control("GET", "/sandbox/faults")[1] == knobs
    assert control("POST", "/sandbox/faults", {"error_5xx_share": 1.5})[0] == 400
    assert control("POST", "/sandbox/faults", {"meteor_share": 0.1})[0] == 400


def test_rate_limit_knob(sandbox, control):
    assert control("POST", "/sandbox/rate_limit", {"per_second": 0}) == (200, {"per_second": 0})
    assert sandbox.rate_limiter.limit == 0


def test_tokens_and_codes_for_demos(sandbox, control):
    status, token = control("POST", "/sandbox/tokens", {})
    assert (
        status == 200
        and token["access_token"].startswith("TTP_")
        and token["seller_base_region"] == "US"
    )
    with connector_client(sandbox, access_token=token["access_token"]) as client:
        assert client.request("GET", "/authorization/202309/shops")["shops"]
    status, code = control(
        "POST", "/sandbox/authorize", {"open_id": sandbox.shop("ID").seller_open_id}
    )
    with connector_client(sandbox) as client:
        assert client.get_access_token(code["code"]).seller_base_region == "ID"


def test_shops_listing_and_deauthorization(sandbox, control, us_shop, pushed):
    _, shops = control("GET", "/sandbox/shops")
    assert {shop["region"] for shop in shops["shops"]} == {"US", "GB", "JP", "ID", "MY", "SG"}
    status, shop = control("POST", f"/sandbox/shops/{us_shop.id}/deauthorize")
    assert status == 200 and shop["authorized"] is False
    assert [n["type"] for n in pushed()] == [6]


def test_unknown_things_and_bad_bodies(sandbox, control):
    assert control("GET", "/sandbox/nothing")[0] == 404
    assert control("DELETE", "/sandbox/health")[0] == 405
    assert control("GET", "/sandbox/orders/123")[0] == 404
    response = requests.post(sandbox.url + "/sandbox/clock/advance", data=b"{oops", timeout=5)
    assert response.status_code == 400
    assert control("POST", "/sandbox/clock/advance", {})[0] == 400


def test_control_paths_need_no_signature_but_tiktok_paths_do(sandbox):
    assert requests.get(sandbox.url + "/sandbox/state", timeout=5).status_code == 200
    response = requests.get(sandbox.url + "/authorization/202309/shops", timeout=5)
    assert response.json()["code"] == 36009004


def test_live_sessions_start_list_and_end(sandbox, control, us_shop):
    status, session = control(
        "POST", f"/sandbox/shops/{us_shop.id}/lives", {"title": "Friday drop", "duration": 900}
    )
    assert status == 200 and session["on_air"] and session["title"] == "Friday drop"
    assert session["end_time"] - session["start_time"] == 900
    _, listed = control("GET", f"/sandbox/lives?shop_id={us_shop.id}")
    assert [live["live_id"] for live in listed["lives"]] == [session["live_id"]]

    status, ended = control("POST", f"/sandbox/lives/{session['live_id']}/end")

    assert status == 200 and not ended["on_air"]
    assert session["start_time"] <= ended["end_time"] <= sandbox.state.now()
    assert control("POST", f"/sandbox/lives/{session['live_id']}/end")[0] == 409
    bad = control("POST", f"/sandbox/shops/{us_shop.id}/lives", {"duration": 0})
    assert bad[0] == 400


def flash_sale_body(sandbox, sku, quantity_limit):
    now = sandbox.state.now()
    return {
        "title": "LIVE flash sale",
        "activity_type": "FLASHSALE",
        "product_level": "VARIATION",
        "begin_time": now,
        "end_time": now + 900,
        "products": [
            {
                "id": sku.product_id,
                "skus": [{"id": sku.id, "discount": "30", "quantity_limit": quantity_limit}],
            }
        ],
    }


def test_stock_set_below_a_flash_sale_deactivates_it(sandbox, control, us_shop, stock, pushed):
    sku = stock(us_shop)[0]
    status, answer = control("POST", f"/sandbox/skus/{sku.id}/stock", {"quantity": 30})
    assert status == 200 and answer["available"] == sku.available() == 30
    assert sorted(answer["inventory"].values())[-1] == 30
    shop_activities = f"/sandbox/shops/{us_shop.id}/activities"
    status, activity = control("POST", shop_activities, flash_sale_body(sandbox, sku, 20))
    assert status == 200 and activity["status"] == "ONGOING"

    _, kept = control("POST", f"/sandbox/skus/{sku.id}/stock", {"quantity": 20})
    _, lowered = control("POST", f"/sandbox/skus/{sku.id}/stock", {"quantity": 19})

    assert kept["deactivated_activities"] == []
    assert lowered["deactivated_activities"] == [activity["activity_id"]]
    [listed] = control("GET", shop_activities)[1]["activities"]
    assert (listed["status"], listed["deactivation_reason"]) == (
        "DEACTIVATED",
        "INSUFFICIENT_STOCK",
    )
    assert [n["data"]["status"] for n in pushed(39)] == ["ONGOING", "DEACTIVATED"]


def test_activities_and_stock_refused_through_the_control_api(sandbox, control, us_shop, stock):
    sku = stock(us_shop)[0]
    shop_activities = f"/sandbox/shops/{us_shop.id}/activities"
    too_much = flash_sale_body(sandbox, sku, sku.available() + 1)

    status, answer = control("POST", shop_activities, too_much)

    assert status == 400 and "unit(s) available" in answer["error"]
    assert control("GET", shop_activities)[1] == {"activities": []}
    assert control("POST", f"/sandbox/skus/{sku.id}/stock", {"quantity": -1})[0] == 400
    assert control("POST", "/sandbox/skus/123/stock", {"quantity": 1})[0] == 404
