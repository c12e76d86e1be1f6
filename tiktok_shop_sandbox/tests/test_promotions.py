"""Promotion activities of the sandbox: the endpoints, the deal at checkout, its limits, the
status clock with its topic-39 pushes, and the flash-sale stock guard."""

from decimal import Decimal

import pytest

from tiktok_shop_sandbox import orders
from tiktok_shop_sandbox.routing import ApiError

from .handler_fixtures import World, seller_client, stocked_skus

ACTIVITIES = "/promotion/202309/activities"
PRODUCTS = "/product/202309/products"


@pytest.fixture
def world():
    return World()


def create(world, shop=None, **fields):
    now = world.state.now()
    body = {
        "title": "Spring deals",
        "activity_type": "FIXED_PRICE",
        "product_level": "VARIATION",
        "begin_time": now,
        "end_time": now + 3600,
        **fields,
    }
    return world.call("POST", ACTIVITIES, shop or world.us, json=body)["activity_id"]


def put_skus(world, activity_id, product, *deals, shop=None):
    """Put (sku, terms) deals of `product` in the activity."""
    skus = [{"id": sku.id, **terms} for sku, terms in deals]
    body = {"products": [{"id": product.id, "skus": skus}]}
    return world.call("PUT", f"{ACTIVITIES}/{activity_id}/products", shop or world.us, json=body)


def get(world, activity_id, shop=None):
    return world.call("GET", f"{ACTIVITIES}/{activity_id}", shop or world.us)


def sku_deal(world, activity_id, sku, shop=None):
    products = get(world, activity_id, shop)["products"]
    skus = [s for product in products for s in product["skus"]]
    return next(s for s in skus if s["id"] == sku.id)


def status_pushes(world):
    return [n["data"] for n in world.state.outbox if n["type"] == 39]


def buy(world, sku, quantity=1, user_id="7494000000000000001", shop=None):
    return world.add_order(
        shop or world.us, [(sku, quantity)], status="AWAITING_SHIPMENT", user_id=user_id
    )


def set_stock(world, product, sku, quantities):
    """The inventory update API: `quantities` per seller warehouse of the US shop."""
    warehouses = world.warehouses(world.us)
    stock = [
        {"warehouse_id": w.id, "quantity": q} for w, q in zip(warehouses, quantities, strict=True)
    ]
    body = {"skus": [{"id": sku.id, "inventory": stock}]}
    world.call("POST", f"{PRODUCTS}/{product.id}/inventory/update", world.us, json=body)


# --- the clock -----------------------------------------------------------------------------------


def test_an_activity_starts_and_expires_on_the_clock_pushing_each_status(world):
    now = world.state.now()
    activity_id = create(world, begin_time=now + 600, end_time=now + 1800)

    assert get(world, activity_id)["status"] == "NOT_START"
    world.advance(600)
    assert get(world, activity_id)["status"] == "ONGOING"
    world.advance(1200)

    assert get(world, activity_id)["status"] == "EXPIRED"
    assert status_pushes(world) == [
        {"activity_id": activity_id, "status": "ONGOING", "update_time": now + 600},
        {"activity_id": activity_id, "status": "EXPIRED", "update_time": now + 1800},
    ]
    assert all(n["shop_id"] == world.us.id for n in world.state.outbox if n["type"] == 39)


def test_a_moved_window_follows_the_new_times(world):
    now = world.state.now()
    activity_id = create(world, begin_time=now + 600, end_time=now + 1800)

    answer = world.call(
        "PUT",
        f"{ACTIVITIES}/{activity_id}",
        world.us,
        json={"title": "Later deals", "begin_time": now + 1200, "end_time": now + 2400},
    )
    world.advance(600)
    assert get(world, activity_id)["status"] == "NOT_START"  # the old start timer does nothing
    world.advance(600)
    with pytest.raises(ApiError, match="begin_time of an ongoing activity"):
        world.call("PUT", f"{ACTIVITIES}/{activity_id}", world.us, json={"begin_time": now + 1300})
    world.advance(1200)

    assert answer["title"] == "Later deals" == get(world, activity_id)["title"]
    assert [push["update_time"] for push in status_pushes(world)] == [now + 1200, now + 2400]


def test_the_seller_deactivates_an_activity(world):
    activity_id = create(world)

    answer = world.call("POST", f"{ACTIVITIES}/{activity_id}/deactivate", world.us)

    activity = get(world, activity_id)
    assert answer["status"] == activity["status"] == "DEACTIVATED"
    assert activity["deactivation_reason"] == "SELLER_DEACTIVATED"
    assert [push["status"] for push in status_pushes(world)] == ["ONGOING", "DEACTIVATED"]
    with pytest.raises(ApiError, match="can no longer change"):
        world.call("POST", f"{ACTIVITIES}/{activity_id}/deactivate", world.us)


# --- the deal at checkout ------------------------------------------------------------------------


def test_orders_during_the_activity_get_the_deal_price(world):
    product = world.add_product(world.us, prices=("20.00", "30.00"))
    on_deal, other = product.skus
    now = world.state.now()
    activity_id = create(world, begin_time=now + 60, end_time=now + 660)
    put_skus(world, activity_id, product, (on_deal, {"activity_price_amount": "14.50"}))

    before = buy(world, on_deal)
    world.advance(60)
    during = world.add_order(world.us, [(on_deal, 2), (other, 1)], status="AWAITING_SHIPMENT")
    world.advance(600)
    after = buy(world, on_deal)

    deal_units = [item for item in during.line_items if item.sku_id == on_deal.id]
    assert [item.sale_price for item in deal_units] == ["14.50", "14.50"]
    assert {(item.original_price, item.seller_discount) for item in deal_units} == {
        ("20.00", "5.50")
    }
    assert [item.sale_price for item in during.line_items if item.sku_id == other.id] == ["30.00"]
    assert during.payment["sub_total"] == "59.00"
    assert before.line_items[0].sale_price == after.line_items[0].sale_price == "20.00"
    assert sku_deal(world, activity_id, on_deal)["sold_quantity"] == 2


def test_a_direct_discount_takes_its_percentage_off_in_the_currency(world):
    product = world.add_product(world.jp, prices=("1999",))
    (sku,) = product.skus
    activity_id = create(world, world.jp, activity_type="DIRECT_DISCOUNT")
    put_skus(world, activity_id, product, (sku, {"discount": "15"}), shop=world.jp)

    order = buy(world, sku, shop=world.jp)

    assert order.line_items[0].sale_price == "1699"  # 1699.15 in yen, which has no decimals
    assert sku_deal(world, activity_id, sku, world.jp)["activity_price"] == {
        "amount": "1699",
        "currency": "JPY",
    }


def test_a_product_level_deal_covers_every_sku_of_the_product(world):
    product = world.add_product(world.us, prices=("20.00", "30.00"))
    activity_id = create(world, product_level="PRODUCT", activity_type="DIRECT_DISCOUNT")
    body = {"products": [{"id": product.id, "discount": "10", "quantity_per_user": 5}]}
    world.call("PUT", f"{ACTIVITIES}/{activity_id}/products", world.us, json=body)

    order = world.add_order(world.us, [(sku, 1) for sku in product.skus], status="ON_HOLD")

    assert sorted(item.sale_price for item in order.line_items) == ["18.00", "27.00"]
    [listed] = get(world, activity_id)["products"]
    assert {sku["quantity_per_user"] for sku in listed["skus"]} == {5}


def test_quantity_limits_refuse_orders_past_them_and_leave_stock_alone(world):
    product = world.add_product(world.us, prices=("20.00",))
    (sku,) = product.skus
    activity_id = create(world)
    terms = {"activity_price_amount": "15.00", "quantity_limit": 3, "quantity_per_user": 2}
    put_skus(world, activity_id, product, (sku, terms))

    buy(world, sku, 2, user_id="1001")
    with pytest.raises(orders.DealLimitReached, match="at most 2"):
        buy(world, sku, 1, user_id="1001")
    buy(world, sku, 1, user_id="1002")
    stock = sku.available()
    with pytest.raises(orders.DealLimitReached, match="0 unit"):
        buy(world, sku, 1, user_id="1003")

    assert sku.available() == stock
    deal = sku_deal(world, activity_id, sku)
    assert (deal["sold_quantity"], deal["quantity_limit"], deal["quantity_per_user"]) == (3, 3, 2)


def test_a_one_order_activity_refuses_a_buyers_second_order(world):
    product = world.add_product(world.us, prices=("20.00",))
    (sku,) = product.skus
    limit = [{"type": "BUYER_LIMIT_ONLY_ONE"}]
    activity_id = create(world, participation_limit=limit)
    put_skus(world, activity_id, product, (sku, {"activity_price_amount": "15.00"}))

    buy(world, sku, 3, user_id="1001")

    with pytest.raises(orders.DealLimitReached, match="one order"):
        buy(world, sku, 1, user_id="1001")
    assert buy(world, sku, 1, user_id="1002").line_items[0].sale_price == "15.00"


def test_removed_skus_sell_at_their_own_price_again(world):
    product = world.add_product(world.us, prices=("20.00", "30.00"))
    first, second = product.skus
    activity_id = create(world)
    put_skus(
        world,
        activity_id,
        product,
        (first, {"activity_price_amount": "15.00"}),
        (second, {"activity_price_amount": "25.00"}),
    )

    world.call(
        "DELETE", f"{ACTIVITIES}/{activity_id}/products", world.us, json={"sku_ids": [first.id]}
    )

    assert buy(world, first).line_items[0].sale_price == "20.00"
    assert buy(world, second).line_items[0].sale_price == "25.00"
    world.call(
        "DELETE",
        f"{ACTIVITIES}/{activity_id}/products",
        world.us,
        json={"product_ids": [product.id]},
    )
    assert get(world, activity_id)["products"] == []


# --- flash sales ---------------------------------------------------------------------------------


def flash_sale(world, product, sku, quantity_limit=30, seconds=600):
    now = world.state.now()
    activity_id = create(
        world, activity_type="FLASHSALE", title="LIVE flash sale", end_time=now + seconds
    )
    terms = {"activity_price_amount": "9.99", "quantity_limit": quantity_limit}
    put_skus(world, activity_id, product, (sku, terms))
    return activity_id


def test_stock_lowered_below_the_deal_deactivates_the_flash_sale(world):
    product = world.add_product(world.us, prices=("20.00",), stock=50)  # 2 warehouses: 100
    (sku,) = product.skus
    activity_id = flash_sale(world, product, sku, quantity_limit=30)
    buy(world, sku, 5)  # 25 left to sell at the deal

    set_stock(world, product, sku, (20, 5))
    assert get(world, activity_id)["status"] == "ONGOING"
    set_stock(world, product, sku, (20, 4))

    activity = get(world, activity_id)
    assert (activity["status"], activity["deactivation_reason"]) == (
        "DEACTIVATED",
        "INSUFFICIENT_STOCK",
    )
    assert status_pushes(world)[-1] == {
        "activity_id": activity_id,
        "status": "DEACTIVATED",
        "update_time": world.state.now(),
    }
    assert buy(world, sku).line_items[0].sale_price == "20.00"


def test_selling_the_deal_out_does_not_end_it(world):
    product = world.add_product(world.us, prices=("20.00",), stock=5)  # 10 units
    (sku,) = product.skus
    activity_id = flash_sale(world, product, sku, quantity_limit=10)

    for buyer in range(5):
        buy(world, sku, 2, user_id=str(1000 + buyer))

    assert sku.available() == 0
    assert get(world, activity_id)["status"] == "ONGOING"
    assert sku_deal(world, activity_id, sku)["sold_quantity"] == 10


def test_a_flash_sale_that_starts_without_its_stock_ends_at_once(world):
    product = world.add_product(world.us, prices=("20.00",), stock=10)
    (sku,) = product.skus
    now = world.state.now()
    activity_id = create(world, activity_type="FLASHSALE", begin_time=now + 300, end_time=now + 900)
    put_skus(world, activity_id, product, (sku, {"discount": "50", "quantity_limit": 20}))
    set_stock(world, product, sku, (10, 9))

    world.advance(300)

    assert [push["status"] for push in status_pushes(world)] == ["ONGOING", "DEACTIVATED"]


@pytest.mark.parametrize(
    ("seconds", "accepted"), [(59, False), (60, True), (1200, True), (1201, False)]
)
def test_a_flash_sale_runs_one_to_twenty_minutes(world, seconds, accepted):
    now = world.state.now()
    body = {"activity_type": "FLASHSALE", "end_time": now + seconds}
    if accepted:
        assert create(world, **body)
        return
    with pytest.raises(ApiError, match="1 to 20 minutes") as refused:
        create(world, **body)
    assert refused.value.code == 36009004


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ({"activity_price_amount": "9.99"}, "quantity_limit is required"),
        ({"activity_price_amount": "9.99", "quantity_limit": 101}, "100 unit"),
        ({"quantity_limit": 10}, "activity_price_amount or discount"),
        ({"activity_price_amount": "9.99", "discount": "10", "quantity_limit": 5}, "not both"),
    ],
)
def test_a_flash_sale_sells_a_set_quantity_it_has_in_stock(world, terms, message):
    product = world.add_product(world.us, prices=("20.00",), stock=50)
    activity_id = create(world, activity_type="FLASHSALE", end_time=world.state.now() + 600)

    with pytest.raises(ApiError, match=message):
        put_skus(world, activity_id, product, (product.skus[0], terms))


# --- what the endpoints refuse -------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"title": "x" * 51},
        {"title": "  "},
        {"activity_type": "COUPON"},
        {"product_level": "CATEGORY"},
        {"begin_time": 1_700_000_000},  # long past
        {"end_time": 1_700_000_000},
        {"begin_time": "tomorrow"},
        {"activity_type": "FLASHSALE", "product_level": "SHOP"},
        {"activity_type": "SHIPPING_DISCOUNT"},  # its terms (`discount`) are missing
        {"participation_limit": [{"type": "ONCE_A_DAY"}]},
        {"duration_type": "FOREVER"},
    ],
)
def test_bad_activities_are_refused(world, fields):
    with pytest.raises(ApiError) as refused:
        create(world, **fields)

    assert refused.value.code == 36009004
    assert world.state.activities == {}


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ({}, "activity_price_amount is required"),
        ({"activity_price_amount": "25.00"}, "below the SKU's price"),
        ({"activity_price_amount": "9.999"}, "positive USD amount"),
        ({"activity_price_amount": "9", "quantity_limit": 0}, "quantity_limit must be -1"),
        ({"activity_price_amount": "9", "quantity_limit": 2, "quantity_per_user": 3}, "exceed"),
    ],
)
def test_bad_deals_are_refused(world, terms, message):
    product = world.add_product(world.us, prices=("20.00",))
    activity_id = create(world)

    with pytest.raises(ApiError, match=message):
        put_skus(world, activity_id, product, (product.skus[0], terms))
    assert get(world, activity_id)["products"] == []


def test_at_most_300_products_a_call(world):
    activity_id = create(world)
    body = {"products": [{"id": str(index)} for index in range(301)]}

    with pytest.raises(ApiError) as refused:
        world.call("PUT", f"{ACTIVITIES}/{activity_id}/products", world.us, json=body)

    assert refused.value.code == 17029046


def test_a_sku_sells_at_one_deal_at_a_time(world):
    product = world.add_product(world.us, prices=("20.00",))
    (sku,) = product.skus
    first = create(world)
    put_skus(world, first, product, (sku, {"activity_price_amount": "15.00"}))
    now = world.state.now()
    overlapping = create(world, activity_type="DIRECT_DISCOUNT", end_time=now + 600)
    later = create(world, begin_time=now + 3600, end_time=now + 7200)

    with pytest.raises(ApiError, match=f"already in activity {first}"):
        put_skus(world, overlapping, product, (sku, {"discount": "10"}))
    put_skus(world, later, product, (sku, {"activity_price_amount": "12.00"}))


def test_another_shops_product_or_activity_is_not_found(world):
    us_product = world.add_product(world.us)
    activity_id = create(world, world.jp)

    with pytest.raises(ApiError, match="not a product of this shop"):
        put_skus(world, activity_id, us_product, (us_product.skus[0], {}), shop=world.jp)
    with pytest.raises(ApiError, match="Activity not found"):
        get(world, activity_id, world.us)


# --- through the connector's client --------------------------------------------------------------


def test_search_pages_in_the_body_through_the_client(sandbox):
    shop = sandbox.shop("US")
    (sku,) = stocked_skus(sandbox, shop, count=1)
    now = sandbox.state.now()
    with seller_client(sandbox, shop) as client:
        ids = [
            client.request(
                "POST",
                ACTIVITIES,
                json={
                    "title": f"Weekend deal {number}",
                    "activity_type": "DIRECT_DISCOUNT",
                    "product_level": "VARIATION",
                    "begin_time": now + 3600,
                    "end_time": now + 7200,
                },
                shop_cipher=shop.cipher,
            )["activity_id"]
            for number in range(3)
        ]
        client.request(
            "PUT",
            f"{ACTIVITIES}/{ids[0]}/products",
            json={"products": [{"id": sku.product_id, "skus": [{"id": sku.id, "discount": "20"}]}]},
            shop_cipher=shop.cipher,
        )
        client.request("POST", f"{ACTIVITIES}/{ids[1]}/deactivate", shop_cipher=shop.cipher)
        listed = list(
            client.paginate(
                "POST",
                f"{ACTIVITIES}/search",
                items_key="activities",
                json={"activity_type": "DIRECT_DISCOUNT"},
                shop_cipher=shop.cipher,
                page_size=2,
                paging_in="body",
            )
        )
        not_started = client.request(
            "POST", f"{ACTIVITIES}/search", json={"status": "NOT_START"}, shop_cipher=shop.cipher
        )
        detail = client.request("GET", f"{ACTIVITIES}/{ids[0]}", shop_cipher=shop.cipher)

    assert sorted(activity["id"] for activity in listed) == sorted(ids)
    assert {a["id"] for a in not_started["activities"]} == {ids[0], ids[2]}
    [deal] = detail["products"][0]["skus"]
    expected = (Decimal(sku.price) * Decimal("0.8")).quantize(Decimal("0.01"))
    assert deal["activity_price"]["amount"] == str(expected) and deal["discount"] == "20"


def test_search_refuses_paging_in_the_query(world):
    with pytest.raises(ApiError, match="in the body"):
        world.call("POST", f"{ACTIVITIES}/search", world.us, query={"page_size": 10}, json={})
