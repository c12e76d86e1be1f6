"""Orders: the factory (stock, prices, payment identities, hold) and the search/detail API."""

from collections import Counter
from decimal import Decimal

import pytest

from tiktok_shop_sandbox import orders
from tiktok_shop_sandbox.state import money

from .connector import connector_client

SEARCH = "/order/202309/orders/search"
DETAIL = "/order/202309/orders"


def order_detail(client, shop, order_id, path=DETAIL):
    [order] = client.request("GET", path, params={"ids": [order_id]}, shop_cipher=shop.cipher)[
        "orders"
    ]
    return order


def assert_payment_identities(payment):
    d = {key: Decimal(value) for key, value in payment.items() if key != "currency"}
    assert d["sub_total"] == (
        d["original_total_product_price"] - d["seller_discount"] - d["platform_discount"]
    )
    assert d["shipping_fee"] == (
        d["original_shipping_fee"]
        - d["shipping_fee_seller_discount"]
        - d["shipping_fee_platform_discount"]
    )
    assert d["total_amount"] == (
        d["sub_total"] + d["shipping_fee"] + d["tax"] + d["retail_delivery_fee"]
    )


def assert_line_items_add_up(order):
    items, payment = order["line_items"], order["payment"]
    for item in items:
        original, sale = Decimal(item["original_price"]), Decimal(item["sale_price"])
        assert sale == original - Decimal(item["seller_discount"]) - Decimal(
            item["platform_discount"]
        )
    assert sum(Decimal(i["original_price"]) for i in items) == Decimal(
        payment["original_total_product_price"]
    )
    assert sum(Decimal(i["sale_price"]) for i in items) == Decimal(payment["sub_total"])


# --- the factory ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("region", "decimals"), [("US", 2), ("GB", 2), ("ID", 0), ("JP", 0)])
def test_payment_identities_hold_in_every_currency(sandbox, place, stock, region, decimals):
    shop = sandbox.shop(region)
    token = sandbox.issue_token(shop.seller_open_id)
    skus = stock(shop, minimum=3)
    order = place(
        shop,
        [(skus[0].id, 2), (skus[1].id, 1)],
        seller_discount_rate="0.15",
        platform_discount_rate="0.05",
        shipping_type="SELLER",
    )
    with connector_client(sandbox, access_token=token["access_token"]) as client:
        data = order_detail(client, shop, order.id)
    payment = data["payment"]
    assert payment["currency"] == shop.currency
    assert_payment_identities(payment)
    assert_line_items_add_up(data)
    for key, value in payment.items():
        if key != "currency":
            assert isinstance(value, str)
            assert len(value.partition(".")[2]) == decimals, (key, value)
    assert Decimal(payment["seller_discount"]) > 0 and Decimal(payment["platform_discount"]) > 0


def test_pinned_discounts_and_tax_replace_the_draws(us_shop, place, stock):
    sku = stock(us_shop, minimum=2, count=1)[0]
    order = place(
        us_shop,
        [(sku.id, 2)],
        unit_discounts=("1.50", "0.25"),
        shipping_discounts=("1.00", "2.00"),
        tax_rate="0.10",
    )

    sale = Decimal(sku.price) - Decimal("1.75")
    for item in order.line_items:
        assert (item.seller_discount, item.platform_discount) == ("1.50", "0.25")
        assert item.tax == money(sale * Decimal("0.10"), "USD")
    payment = order.payment
    assert payment["shipping_fee_seller_discount"] == "1.00"
    assert payment["shipping_fee_platform_discount"] == "2.00"
    assert payment["sub_total"] == money(2 * sale, "USD")
    assert_payment_identities(payment)


def test_one_line_item_per_unit(sandbox, client, us_shop, place, stock):
    sku = stock(us_shop, minimum=3)[0]
    order = place(us_shop, [(sku.id, 3)], fulfillment_type=orders.SELLER_FULFILLMENT)
    data = order_detail(client, us_shop, order.id)
    assert [item["sku_id"] for item in data["line_items"]] == [sku.id] * 3
    assert len({item["id"] for item in data["line_items"]}) == 3
    assert "quantity" not in data["line_items"][0]


def test_us_orders_carry_sales_tax(sandbox, client, us_shop, place, stock):
    sku = stock(us_shop)[0]
    for _ in range(10):  # some US places have no sales tax; one of ten has
        order = place(us_shop, [(sku.id, 1)], fulfillment_type=orders.SELLER_FULFILLMENT)
        data = order_detail(client, us_shop, order.id)
        if Decimal(data["payment"]["tax"]) > 0:
            break
    assert data["payment"]["product_tax"] == data["payment"]["tax"]
    assert data["line_items"][0]["item_tax"][0]["tax_amount"] == data["payment"]["tax"]
    assert_payment_identities(data["payment"])


def test_free_shipping_above_the_threshold_is_a_shipping_discount(
    sandbox, client, us_shop, place, stock
):
    expensive = max(stock(us_shop, count=50), key=lambda sku: Decimal(sku.price))
    quantity = int(Decimal(35) / Decimal(expensive.price)) + 1
    order = place(
        us_shop, [(expensive.id, quantity)], seller_discount_rate=0, platform_discount_rate=0
    )
    payment = order_detail(client, us_shop, order.id)["payment"]
    discounts = Decimal(payment["shipping_fee_seller_discount"]) + Decimal(
        payment["shipping_fee_platform_discount"]
    )
    assert discounts == Decimal(payment["original_shipping_fee"]) == Decimal("5.99")
    assert payment["shipping_fee"] == "0.00"
    assert_payment_identities(payment)


def test_a_sample_order_costs_nothing(sandbox, client, us_shop, place, stock):
    order = place(us_shop, [stock(us_shop)[0].id], is_sample_order=True)
    data = order_detail(client, us_shop, order.id)
    assert data["is_sample_order"] is True
    assert data["payment"]["total_amount"] == "0.00"
    assert_payment_identities(data["payment"])


def test_platform_shipped_orders_mask_the_recipient(sandbox, client, us_shop, place, stock):
    sku = stock(us_shop)[0]
    platform = order_detail(
        client,
        us_shop,
        place(
            us_shop, [sku.id], shipping_type="TIKTOK", fulfillment_type=orders.SELLER_FULFILLMENT
        ).id,
    )
    seller = order_detail(
        client,
        us_shop,
        place(
            us_shop, [sku.id], shipping_type="SELLER", fulfillment_type=orders.SELLER_FULFILLMENT
        ).id,
    )
    assert "***" in platform["recipient_address"]["name"]
    assert "****" in platform["recipient_address"]["phone_number"]
    assert "***" not in seller["recipient_address"]["name"]
    assert seller["recipient_address"]["phone_number"].startswith("(+1)")
    assert platform["recipient_address"]["region_code"] == "US"


def test_a_paid_order_is_on_hold_for_one_hour(sandbox, client, us_shop, place, stock, pushed):
    order = place(us_shop, [stock(us_shop)[0].id])
    data = order_detail(client, us_shop, order.id)
    assert data["status"] == "ON_HOLD" and data["is_on_hold_order"] is True
    assert data["paid_time"] == data["create_time"]
    sandbox.advance(3600 - 5)
    assert order_detail(client, us_shop, order.id)["status"] == "ON_HOLD"
    sandbox.advance(10)
    data = order_detail(client, us_shop, order.id)
    assert data["status"] == "AWAITING_SHIPMENT" and data["is_on_hold_order"] is False
    pushes = [n["data"] for n in pushed(1) if n["data"]["order_id"] == order.id]
    assert [(p["order_status"], p["is_on_hold_order"]) for p in pushes] == [
        ("ON_HOLD", True),
        ("AWAITING_SHIPMENT", False),
    ]


def test_an_unpaid_order_gets_paid_later(sandbox, client, us_shop, place, stock):
    order = place(us_shop, [stock(us_shop)[0].id], paid=False)
    data = order_detail(client, us_shop, order.id)
    assert data["status"] == "UNPAID" and "paid_time" not in data and data["packages"] == []
    sandbox.advance(sandbox.state.timing["payment"] + 1)
    assert order_detail(client, us_shop, order.id)["status"] == "ON_HOLD"


def test_buying_takes_stock_and_a_sold_out_sku_cannot_be_bought(sandbox, us_shop, place, stock):
    sku = stock(us_shop, minimum=2)[0]
    before = sku.available()
    place(us_shop, [(sku.id, 2)])
    assert sku.available() == before - 2
    sold_out = next(
        s
        for s in sandbox.state.skus.values()
        if sandbox.state.products[s.product_id].shop_id == us_shop.id and s.available() == 0
    )
    with pytest.raises(orders.OrderRefused, match="out of stock"):
        place(us_shop, [sold_out.id])


def test_a_refused_order_leaves_all_stock_alone(sandbox, us_shop, place, stock):
    sku = stock(us_shop)[0]
    before = dict(sku.inventory)
    with pytest.raises(orders.OrderRefused):
        place(us_shop, [(sku.id, 1), (sku.id, 10_000)])
    assert sku.inventory == before


def test_an_inventory_update_to_zero_stops_sales(sandbox, client, place, stock):
    gb_shop = sandbox.shop("GB")  # no FBT stock there: the seller's count is all there is
    sku = stock(gb_shop)[0]
    place(gb_shop, [sku.id])
    zero = [{"warehouse_id": warehouse_id, "quantity": 0} for warehouse_id in sku.inventory]
    client.request(
        "POST",
        f"/product/202309/products/{sku.product_id}/inventory/update",
        json={"skus": [{"id": sku.id, "inventory": zero}]},
        shop_cipher=gb_shop.cipher,
    )
    with pytest.raises(orders.OrderRefused, match="out of stock"):
        place(gb_shop, [sku.id])


def test_a_product_not_on_sale_cannot_be_bought(sandbox, us_shop, place, stock):
    sku = stock(us_shop)[0]
    sandbox.state.products[sku.product_id].status = "SELLER_DEACTIVATED"
    with pytest.raises(orders.OrderRefused, match="not on sale"):
        place(us_shop, [sku.id])


def test_another_shops_sku_cannot_be_bought(sandbox, us_shop, place, stock):
    with pytest.raises(orders.OrderRefused):
        place(us_shop, [stock(sandbox.shop("GB"))[0].id])


def test_fbt_orders_are_shipped_by_tiktok(sandbox, client, us_shop, place):
    state = sandbox.state
    fbt = next(w for w in state.warehouses_of(us_shop.id) if w.is_fbt)
    sku = next(s for s in state.skus.values() if s.inventory.get(fbt.id, 0) > 0)
    order = place(us_shop, [sku.id], fulfillment_type=orders.FBT)
    data = order_detail(client, us_shop, order.id)
    assert (data["fulfillment_type"], data["shipping_type"]) == ("FULFILLMENT_BY_TIKTOK", "TIKTOK")
    assert data["warehouse_id"] == fbt.id
    sandbox.advance(3601 + state.timing["fbt_dispatch"])
    data = order_detail(client, us_shop, order.id)
    assert data["status"] == "AWAITING_COLLECTION" and data["tracking_number"]


def test_the_order_object_has_the_documented_shape(sandbox, client, us_shop, place, stock):
    order = place(
        us_shop,
        [stock(us_shop)[0].id],
        buyer_message="Leave at the door",
        surface="AFFILIATE",
        creator_username="glowwithmia",
        commission_rate=1500,
    )
    data = order_detail(client, us_shop, order.id)
    for key in ("id", "user_id", "warehouse_id", "delivery_option_id"):
        assert isinstance(data[key], str) and data[key].isdigit(), key
    for key in ("create_time", "update_time", "paid_time", "rts_sla_time"):
        assert isinstance(data[key], int), key
    for key in ("is_sample_order", "is_replacement_order", "is_on_hold_order", "is_cod"):
        assert isinstance(data[key], bool), key
    assert data["buyer_message"] == "Leave at the door"
    assert data["fulfillment_type"] in ("FULFILLMENT_BY_SELLER", "FULFILLMENT_BY_TIKTOK")
    assert data["packages"] == [{"id": data["line_items"][0]["package_id"]}]
    assert data["line_items"][0]["package_status"] == "TO_FULFILL"
    assert "order_status" not in data and data["status"] == "ON_HOLD"


# --- search ---------------------------------------------------------------------------------------


@pytest.fixture
def placed(sandbox, us_shop, place, stock):
    """Ten orders one minute apart: statuses and shipping types mixed."""
    skus = stock(us_shop, minimum=5, count=5)
    result = []
    for index in range(10):
        sandbox.advance(60)
        result.append(
            place(
                us_shop,
                [skus[index % len(skus)].id],
                shipping_type="SELLER" if index % 2 else "TIKTOK",
                fulfillment_type=orders.SELLER_FULFILLMENT,
                on_hold=index >= 4,
            )
        )
    return result


def search(client, shop, body=None, **params):
    params.setdefault("page_size", 100)
    return client.request("POST", SEARCH, params=params, json=body, shop_cipher=shop.cipher)


def test_search_filters_by_status_and_shipping_type(client, us_shop, placed):
    found = search(client, us_shop, {"order_status": "ON_HOLD"})
    assert {o["id"] for o in found["orders"]} == {o.id for o in placed[4:]}
    assert found["total_count"] == 6
    seller = search(client, us_shop, {"order_status": "ON_HOLD", "shipping_type": "SELLER"})
    assert (
        all(o["shipping_type"] == "SELLER" for o in seller["orders"]) and seller["total_count"] == 3
    )


def test_search_time_ranges_are_half_open(client, us_shop, placed):
    start, end = placed[2].create_time, placed[5].create_time
    found = search(client, us_shop, {"create_time_ge": start, "create_time_lt": end})
    assert {o["id"] for o in found["orders"]} == {o.id for o in placed[2:5]}


def test_search_by_buyer(client, us_shop, placed):
    buyer = placed[3].user_id
    found = search(client, us_shop, {"buyer_user_id": buyer})
    assert found["orders"] and all(o["user_id"] == buyer for o in found["orders"])


def test_search_sorts_by_create_or_update_time(sandbox, client, us_shop, placed):
    descending = [o["id"] for o in search(client, us_shop)["orders"]]
    ascending = [o["id"] for o in search(client, us_shop, sort_order="ASC")["orders"]]
    assert ascending == descending[::-1]
    sandbox.advance(60)
    with sandbox.state.lock:
        orders.update_recipient_address(sandbox.state, placed[0])
    by_update = search(client, us_shop, sort_field="update_time")["orders"]
    assert by_update[0]["id"] == placed[0].id


def test_paging_walks_every_order_once(client, us_shop, placed):
    seen, token = [], None
    while True:
        params = {"page_size": 3, **({"page_token": token} if token else {})}
        page = search(client, us_shop, **params)
        seen += [o["id"] for o in page["orders"]]
        token = page["next_page_token"]
        if not token:
            break
        assert "+" in token and "=" in token  # opaque tokens need proper encoding
    assert sorted(seen) == sorted(o.id for o in placed)
    assert len(seen) == len(set(seen))


def test_the_client_paginates_the_search(client, us_shop, placed):
    found = list(
        client.paginate("POST", SEARCH, items_key="orders", shop_cipher=us_shop.cipher, page_size=4)
    )
    assert len(found) == 10


@pytest.mark.parametrize(
    "params", [{"sort_field": "paid_time"}, {"sort_order": "UP"}, {"page_token": "garbage"}]
)
def test_search_refuses_bad_sorting_and_tokens(client, us_shop, api_error, params):
    assert api_error(search, client, us_shop, **params).code == 36009004


def test_search_refuses_non_numeric_times(client, us_shop, api_error):
    assert api_error(search, client, us_shop, {"create_time_ge": "yesterday"}).code == 36009004


# --- detail ---------------------------------------------------------------------------------------


def test_detail_returns_up_to_50_orders(sandbox, client, us_shop, placed, api_error):
    ids = [o.id for o in placed]
    found = client.request("GET", DETAIL, params={"ids": ids}, shop_cipher=us_shop.cipher)["orders"]
    assert [o["id"] for o in found] == ids
    too_many = [str(int(placed[0].id) + n) for n in range(51)]
    error = api_error(
        client.request, "GET", DETAIL, params={"ids": too_many}, shop_cipher=us_shop.cipher
    )
    assert error.code == 36009004


def test_detail_needs_ids(client, us_shop, api_error):
    assert api_error(client.request, "GET", DETAIL, shop_cipher=us_shop.cipher).code == 36009004


def test_detail_hides_other_shops_orders(sandbox, client, placed):
    gb_shop = sandbox.shop("GB")
    found = client.request("GET", DETAIL, params={"ids": placed[0].id}, shop_cipher=gb_shop.cipher)
    assert found["orders"] == []


def test_detail_is_served_on_202507_too(client, us_shop, placed):
    assert order_detail(client, us_shop, placed[0].id, "/order/202507/orders")["id"] == placed[0].id


def test_order_statuses_are_counted_per_sku_line(client, us_shop, place, stock):
    sku_a, sku_b = stock(us_shop, count=2)
    order = place(us_shop, [(sku_a.id, 2), (sku_b.id, 1)])
    data = order_detail(client, us_shop, order.id)
    assert Counter(item["sku_id"] for item in data["line_items"]) == {sku_a.id: 2, sku_b.id: 1}
