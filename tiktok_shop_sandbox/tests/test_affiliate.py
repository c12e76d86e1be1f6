"""Affiliate seller endpoints of the sandbox: affiliate orders and open collaborations."""

from decimal import Decimal

import pytest
from tiktok_shop import endpoints

from tiktok_shop_sandbox import affiliate
from tiktok_shop_sandbox.routing import ApiError

from .handler_fixtures import DAY, World, delivered_order, seller_client, stocked_skus

SEARCH = "/affiliate_seller/202410/orders/search"


@pytest.fixture
def world():
    return World()


def search(world, shop, body=None, version="202410", **query):
    path = f"/affiliate_seller/{version}/orders/search"
    return world.call("POST", path, shop, query={"page_size": 20, **query}, json=body)


def finance_commission(world, shop, order):
    """What settlement deducted as affiliate commission for the order (positive)."""
    settlement = world.call(
        "GET", f"/finance/202501/orders/{order.id}/statement_transactions", shop
    )
    return -sum(
        Decimal(line["fee_tax_breakdown"]["fee"]["affiliate_commission_amount"])
        for line in settlement["sku_transactions"]
    )


def test_only_orders_sold_by_creators_are_affiliate_orders(world):
    mug = world.add_product(world.us)
    shop_order = world.add_order(world.us, [(mug.skus[0], 1)])
    video = world.add_order(
        world.us, [(mug.skus[0], 2)], surface="VIDEO", creator="mugmaker", commission_rate=1200
    )

    found = search(world, world.us)

    assert [o["id"] for o in found["orders"]] == [video.id]
    assert shop_order.id not in {o["id"] for o in found["orders"]}
    (sku,) = found["orders"][0]["skus"]
    assert sku["creator_username"] == "mugmaker"
    assert (sku["content_type"], sku["content_id"]) == ("VIDEO", "content-mugmaker")
    assert (sku["quantity"], sku["commission_rate"]) == (2, "1200")
    assert sku["price"] == {"amount": "20.00", "currency": "USD"}


def test_estimated_commission_is_rate_times_base(world):
    tee = world.add_product(world.us, title="Tee", prices=("19.99",))
    order = world.add_order(
        world.us,
        [(tee.skus[0], 3)],
        seller_discount="1.99",
        platform_discount="1.00",
        surface="LIVE",
        creator="livehost",
        commission_rate=1550,
        status="AWAITING_SHIPMENT",
    )

    (found,) = search(world, world.us)["orders"]
    sku = found["skus"][0]

    assert found["id"] == order.id and found["status"] == "PROCESSING"
    # Base: 3 x (19.99 - 1.99); the platform's discount does not lower it.
    assert sku["estimated_commission_base"] == {"amount": "54.00", "currency": "USD"}
    assert sku["estimated_paid_commission"] == {"amount": "8.37", "currency": "USD"}
    assert sku["actual_paid_commission"]["amount"] == "0.00"


@pytest.mark.parametrize("region", ["US", "ID", "JP"])
def test_actual_commission_matches_finance_to_the_minor_unit(world, region):
    shop = {"US": world.us, "ID": world.id, "JP": world.jp}[region]
    prices = {"US": ("12.49", "7.25"), "ID": ("149000", "89500"), "JP": ("1980", "3280")}[region]
    product = world.add_product(shop, prices=prices)
    first, second = product.skus
    order = world.add_order(
        shop,
        [(first, 3), (second, 2)],
        surface="AFFILIATE",
        creator="dealsbyana",
        commission_rate=1333,
    )
    world.advance(DAY)
    world.add_return(order, [order.line_items[0]])
    world.advance(DAY)

    (found,) = search(world, shop)["orders"]

    assert found["status"] == "COMPLETED"
    actual = sum(Decimal(sku["actual_paid_commission"]["amount"]) for sku in found["skus"])
    assert actual == finance_commission(world, shop, order)
    estimated = sum(Decimal(sku["estimated_paid_commission"]["amount"]) for sku in found["skus"])
    assert actual < estimated  # one refunded unit gave its commission back
    assert [sku["refunded_quantity"] for sku in found["skus"]] == [1, 0]
    first_sku = found["skus"][0]
    assert Decimal(first_sku["actual_commission_base"]["amount"]) == 2 * (
        Decimal(first_sku["estimated_commission_base"]["amount"]) / 3
    )


def test_cancelled_order_earns_no_commission(world):
    mug = world.add_product(world.us)
    world.add_order(world.us, [(mug.skus[0], 1)], status="CANCELLED", creator="mugmaker")

    (found,) = search(world, world.us)["orders"]

    assert found["status"] == "CANCELLED"
    assert found["skus"][0]["actual_paid_commission"]["amount"] == "0.00"


def test_default_rate_applies_when_the_order_has_none(world):
    mug = world.add_product(world.us, prices=("30.00",))
    world.add_order(world.us, [(mug.skus[0], 1)], surface="AFFILIATE", creator="anyone")

    sku = search(world, world.us)["orders"][0]["skus"][0]

    assert sku["commission_rate"] == "1000"
    assert sku["estimated_paid_commission"]["amount"] == "3.00"


def test_create_time_filter_paging_and_the_202405_shape(world):
    mug = world.add_product(world.us)
    early = world.add_order(world.us, [(mug.skus[0], 1)], creator="a", commission_rate=500)
    world.advance(3600)
    late = world.add_order(world.us, [(mug.skus[0], 1)], creator="b", commission_rate=500)

    window = search(world, world.us, {"create_time_ge": late.create_time})
    assert [o["id"] for o in window["orders"]] == [late.id]
    window = search(world, world.us, {"create_time_lt": late.create_time})
    assert [o["id"] for o in window["orders"]] == [early.id]
    first = search(world, world.us, page_size=1)
    assert first["total_count"] == 2 and first["next_page_token"]
    legacy = search(world, world.us, version="202405")["orders"][0]
    assert legacy["line_items"] == [{"id": late.line_items[0].id, "product_id": mug.id}]
    with pytest.raises(ApiError):
        search(world, world.us, {"create_time_ge": "yesterday"})


def test_open_collaboration_rate_bounds_and_product_checks(world):
    mug = world.add_product(world.us)
    japanese = world.add_product(world.jp, prices=("1500",))
    path = "/affiliate_seller/202405/open_collaborations"

    for rate in (99, 8001, "1500", 15.5):
        with pytest.raises(ApiError, match="commission_rate"):
            world.call("POST", path, world.us, json={"product_id": mug.id, "commission_rate": rate})
    with pytest.raises(ApiError) as refused:
        world.call(
            "POST", path, world.us, json={"product_id": japanese.id, "commission_rate": 1000}
        )
    assert refused.value.code == 12052048

    created = world.call(
        "POST", path, world.us, json={"product_id": mug.id, "commission_rate": 1550}
    )

    collaboration = created["open_collaboration"]
    assert collaboration["product_id"] == mug.id
    assert collaboration["effective_time"] == world.state.now()
    assert affiliate.open_collaboration_rate(world.state, mug.id) == 1550


def test_open_collaborations_are_searchable_and_linked_to_affiliate_orders(world):
    mug = world.add_product(world.us, title="Stoneware Mug", prices=("18.00", "22.00"))
    bowl = world.add_product(world.us, title="Serving Bowl")
    path = "/affiliate_seller/202405/open_collaborations"
    created = world.call(
        "POST", path, world.us, json={"product_id": mug.id, "commission_rate": 1200}
    )
    world.call("POST", path, world.us, json={"product_id": bowl.id, "commission_rate": 800})
    world.add_order(world.us, [(mug.skus[0], 1)], creator="mugfan", commission_rate=1200)

    found = world.call(
        "POST",
        "/affiliate_seller/202409/open_collaborations/search",
        world.us,
        query={"page_size": 10},
        json={"keyword": "mug"},
    )

    (entry,) = found["open_collaborations"]
    assert entry["id"] == created["open_collaboration"]["id"]
    assert entry["current_commission"]["rate"] == 1200
    assert entry["product"]["original_price"] == {
        "currency": "USD",
        "minimum_amount": "18.00",
        "maximum_amount": "22.00",
    }
    assert entry["content_creator_count"] == 1
    sku = search(world, world.us)["orders"][0]["skus"][0]
    assert sku["open_collaboration_id"] == entry["id"]


def test_affiliate_commission_matches_finance_through_http(sandbox):
    shop = sandbox.shop("JP")
    first, second = stocked_skus(sandbox, shop)
    order = delivered_order(
        sandbox,
        shop,
        [(first.id, 2), (second.id, 1)],
        surface="VIDEO",
        creator_username="tokyo.finds",
        content_id="7390000000000000001",
        commission_rate=1875,
        seller_discount_rate="0.10",
    )
    sandbox.advance(DAY)

    with seller_client(sandbox, shop) as client:
        affiliate_orders = list(
            client.paginate(
                "POST", SEARCH, items_key="orders", shop_cipher=shop.cipher, page_size=100
            )
        )
        settlement = client.request(
            "GET",
            f"/finance/202501/orders/{order.id}/statement_transactions",
            shop_cipher=shop.cipher,
        )

    (found,) = [o for o in affiliate_orders if o["id"] == order.id]
    assert found["status"] == "COMPLETED"
    assert {sku["content_type"] for sku in found["skus"]} == {"VIDEO"}
    paid = sum(Decimal(sku["actual_paid_commission"]["amount"]) for sku in found["skus"])
    deducted = -sum(
        Decimal(line["fee_tax_breakdown"]["fee"]["affiliate_commission_amount"])
        for line in settlement["sku_transactions"]
    )
    assert paid == deducted > 0
    assert "." not in found["skus"][0]["actual_paid_commission"]["amount"]  # yen


# --- a creator's sale, its fields and what refunds do to it -------------------------------------

SKU_FIELDS = {
    "product_id",
    "quantity",
    "price",
    "creator_username",
    "content_type",
    "content_id",
    "commission_rate",
    "shop_ads_commission_rate",
    "commission_model",
    "commission_tier_setting",
    "estimated_commission_base",
    "estimated_paid_commission",
    "actual_commission_base",
    "actual_paid_commission",
    "estimated_paid_shop_ads_commission",
    "actual_paid_shop_ads_commission",
    "estimated_cofunded_creator_bonus_amount",
    "actual_cofunded_creator_bonus_amount",
    "refunded_quantity",
    "returned_quantity",
    "open_collaboration_id",
    "target_collaboration_id",
    "campaign_id",
}


def test_returns_and_refunds_take_their_share_of_the_actual_commission(world):
    lamp = world.add_product(world.us, title="Desk Lamp", prices=("25.00",))
    host = affiliate.register_creator(world.state, "livehost")
    order = world.add_creator_order(
        world.us, host, [(lamp.skus[0], 4)], "PRE_LIVE", commission_rate=2000
    )
    world.advance(DAY)
    (settled,) = search(world, world.us)["orders"][0]["skus"]

    world.add_return(order, order.line_items[:1], return_type="RETURN_AND_REFUND")
    world.add_return(order, order.line_items[1:2], return_type="REFUND")
    world.advance(DAY)
    (after,) = search(world, world.us)["orders"][0]["skus"]

    assert set(after) == SKU_FIELDS
    assert (after["content_type"], after["creator_username"]) == ("PRE_LIVE", "livehost")
    assert settled["actual_paid_commission"] == {"amount": "20.00", "currency": "USD"}
    assert (after["returned_quantity"], after["refunded_quantity"]) == (1, 1)
    assert after["actual_paid_commission"]["amount"] == "10.00"  # half the units came back
    assert after["actual_commission_base"]["amount"] == "50.00"
    assert after["estimated_paid_commission"] == settled["estimated_paid_commission"]
    assert Decimal(after["actual_paid_commission"]["amount"]) == finance_commission(
        world, world.us, order
    )


def test_a_creator_sells_through_any_content_type(world):
    mug = world.add_product(world.us)
    mia = affiliate.register_creator(world.state, "glowwithmia")
    for content_type in affiliate.CONTENT_TYPES:
        world.add_creator_order(world.us, mia, [(mug.skus[0], 1)], content_type)
        world.advance(60)

    found = search(world, world.us)["orders"]

    assert [o["skus"][0]["content_type"] for o in reversed(found)] == list(affiliate.CONTENT_TYPES)
    assert {o["skus"][0]["creator_username"] for o in found} == {"glowwithmia"}
    assert all(o["skus"][0]["content_id"].isdigit() for o in found)
    with pytest.raises(ValueError, match="content_type"):
        world.add_creator_order(world.us, mia, [(mug.skus[0], 1)], "PODCAST")


def test_a_creator_sale_through_the_control_api(sandbox, control):
    shop = sandbox.shop("GB")
    sku = stocked_skus(sandbox, shop, count=1)[0]
    dan = affiliate.creators.creator_user_id("techtok.dan")

    status, order = control(
        "POST",
        f"/sandbox/creators/{dan}/sales",
        {"shop_id": shop.id, "sku_id": sku.id, "quantity": 2, "content_type": "LINKSHARE"},
    )
    control("POST", f"/sandbox/orders/{order['id']}/status", {"status": "DELIVERED"})
    with seller_client(sandbox, shop) as client:
        found = client.request(
            endpoints.AFFILIATE_ORDER_SEARCH,
            params={"page_size": 10},
            json={"create_time_ge": order["create_time"]},
            shop_cipher=shop.cipher,
        )["orders"]

    assert status == 200 and order["sandbox"]["creator_username"] == "techtok.dan"
    assert order["sandbox"]["commission_terms"] == [
        {
            "product_id": sku.product_id,
            "commission_rate": 1000,
            "open_collaboration_id": "",
            "target_collaboration_id": "",
        }
    ]
    (line,) = next(o for o in found if o["id"] == order["id"])["skus"]
    assert (line["content_type"], line["quantity"]) == ("LINKSHARE", 2)
    assert line["commission_rate"] == "1000"
    by_product = control(
        "POST",
        f"/sandbox/creators/{dan}/sales",
        {"shop_id": shop.id, "product_id": sku.product_id, "content_type": "PODCAST"},
    )
    assert by_product[0] == 400 and "content_type" in by_product[1]["error"]
    assert control("POST", "/sandbox/creators/1/sales", {"shop_id": shop.id})[0] == 404
