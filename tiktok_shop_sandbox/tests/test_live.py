"""Shop LIVE performance of the sandbox: figures computed from each session's orders."""

import functools
import time
from decimal import Decimal

import pytest

from tiktok_shop_sandbox.finance import LOCAL_PER_USD
from tiktok_shop_sandbox.routing import ApiError
from tiktok_shop_sandbox.state import LiveSession

from .handler_fixtures import DAY, World, delivered_order, seller_client, stocked_skus


@pytest.fixture
def world():
    return World()


def day(timestamp, offset=0):
    return time.strftime("%Y-%m-%d", time.gmtime(timestamp + offset * DAY))


def performance(world, shop, version="202508", **query):
    now = world.state.now()
    query = {"start_date_ge": day(now, -1), "end_date_lt": day(now, 1), **query}
    path = f"/analytics/{version}/shop_lives/performance"
    return world.call("GET", path, shop, query=query)


def live_with_orders(world, shop, prices, *, creator=""):
    product = world.add_product(shop, prices=prices)
    first, second = product.skus
    paid = [
        world.add_order(
            shop,
            [(first, 2), (second, 1)],
            seller_discount=_discount(shop),
            creator=creator,
            user_id="1001",
        ),
        world.add_order(shop, [(first, 1)], status="AWAITING_SHIPMENT", user_id="1002"),
    ]
    unpaid = world.add_order(shop, [(second, 4)], status="UNPAID", user_id="1003")
    cancelled = world.add_order(shop, [(second, 5)], status="CANCELLED", user_id="1004")
    session = world.add_live(shop, [*paid, unpaid, cancelled])
    return session, paid


def _discount(shop):
    return {"USD": "1.50", "IDR": "10000", "JPY": "100"}[shop.currency]


def sale_total(orders):
    return sum(Decimal(item.sale_price) for order in orders for item in order.line_items)


def test_gmv_is_the_sum_of_the_sessions_paid_orders(world):
    session, paid = live_with_orders(world, world.us, ("20.00", "35.00"))

    (found,) = performance(world, world.us)["live_stream_sessions"]

    sales = found["sales_performance"]
    assert found["id"] == session.id and found["title"] == "Spring drop LIVE"
    assert Decimal(sales["gmv"]["amount"]) == sale_total(paid) == Decimal("90.50")
    assert sales["gmv"]["currency"] == "USD"
    assert sales["unit_sold"] == 4
    assert sales["sku_orders"] == 3
    assert sales["created_sku_orders"] == 5
    assert sales["customers"] == 2
    assert sales["different_products_sold"] == 1
    assert sales["avg_price"]["amount"] == "22.63"
    assert (found["start_time"], found["end_time"]) == (
        str(session.start_time),
        str(session.end_time),
    )


def test_orders_tagged_with_the_live_id_count_too(world):
    session, paid = live_with_orders(world, world.us, ("20.00", "35.00"))
    extra = world.add_order(
        world.us, [(world.add_product(world.us).skus[0], 1)], live_id=session.id
    )

    sales = performance(world, world.us)["live_stream_sessions"][0]["sales_performance"]

    assert Decimal(sales["gmv"]["amount"]) == sale_total([*paid, extra])


@pytest.mark.parametrize("region", ["ID", "JP"])
def test_local_and_usd_currencies(world, region):
    shop = world.id if region == "ID" else world.jp
    prices = {"ID": ("149000", "89500"), "JP": ("1980", "3280")}[region]
    _, paid = live_with_orders(world, shop, prices)

    local = performance(world, shop, "202509")["live_stream_sessions"][0]["sales_performance"]
    usd = performance(world, shop, "202509", currency="USD")["live_stream_sessions"][0][
        "sales_performance"
    ]

    assert local["gmv"] == {"amount": str(sale_total(paid)), "currency": shop.currency}
    assert "." not in local["gmv"]["amount"]
    expected = (sale_total(paid) / LOCAL_PER_USD[shop.currency]).quantize(Decimal("0.01"))
    assert usd["gmv"] == {"amount": str(expected), "currency": "USD"}
    assert local["items_sold"] == 4 and "unit_sold" not in local


def test_official_sessions_have_audience_figures_affiliate_ones_do_not(world):
    official, _ = live_with_orders(world, world.us, ("20.00", "35.00"))
    hosted, _ = live_with_orders(world, world.us, ("9.00", "11.00"), creator="hostwithjo")

    sessions = {s["id"]: s for s in performance(world, world.us)["live_stream_sessions"]}

    audience = sessions[official.id]["interaction_performance"]
    assert audience["product_clicks"] >= sessions[official.id]["sales_performance"]["customers"]
    assert (
        audience
        == performance(world, world.us)["live_stream_sessions"][0]["interaction_performance"]
    )
    assert "interaction_performance" not in sessions[hosted.id]
    assert sessions[hosted.id]["username"] == "hostwithjo"
    only_affiliates = performance(world, world.us, account_type="AFFILIATE_ACCOUNTS")
    assert [s["id"] for s in only_affiliates["live_stream_sessions"]] == [hosted.id]


def test_sessions_sort_and_page(world):
    small, _ = live_with_orders(world, world.us, ("5.00", "6.00"))
    big, _ = live_with_orders(world, world.us, ("50.00", "60.00"))

    by_gmv = performance(world, world.us)["live_stream_sessions"]
    ascending = performance(world, world.us, sort_order="ASC")["live_stream_sessions"]
    first = performance(world, world.us, page_size=1)

    assert [s["id"] for s in by_gmv] == [big.id, small.id]
    assert [s["id"] for s in ascending] == [small.id, big.id]
    assert first["total_count"] == 2 and first["next_page_token"]
    assert first["latest_available_date"] == day(world.state.now())


def test_date_window_selects_sessions_by_start_day(world):
    live_with_orders(world, world.us, ("20.00", "35.00"))
    now = world.state.now()

    later = performance(world, world.us, start_date_ge=day(now, 1), end_date_lt=day(now, 3))

    assert later["live_stream_sessions"] == [] and later["total_count"] == 0


@pytest.mark.parametrize(
    "query",
    [
        {"start_date_ge": ""},
        {"end_date_lt": "03/05/2026"},
        {"currency": "EUR"},
        {"sort_field": "items_sold"},  # 202508 calls it unit_sold
    ],
)
def test_bad_queries_are_refused(world, query):
    with pytest.raises(ApiError) as refused:
        performance(world, world.us, **query)

    assert refused.value.code == 36009004


def test_every_served_version_answers(world):
    live_with_orders(world, world.us, ("20.00", "35.00"))

    for version in ("202508", "202509", "202609"):
        assert performance(world, world.us, version)["total_count"] == 1


def test_live_gmv_through_http(sandbox):
    shop = sandbox.shop("US")
    first, second = stocked_skus(sandbox, shop)
    live_id = "7400000000000000001"
    now = sandbox.state.now()
    sold = [
        delivered_order(sandbox, shop, [(first.id, 2)], surface="LIVE", live_id=live_id),
        delivered_order(sandbox, shop, [(second.id, 1)], surface="LIVE", live_id=live_id),
    ]
    with sandbox.state.lock:
        sandbox.state.lives[live_id] = LiveSession(
            id=live_id, shop_id=shop.id, title="Weekend LIVE", start_time=now - 600, end_time=now
        )

    with seller_client(sandbox, shop) as client:
        answer = client.request(
            "GET",
            "/analytics/202509/shop_lives/performance",
            params={"start_date_ge": day(now, -1), "end_date_lt": day(now, 1)},
            shop_cipher=shop.cipher,
        )

    (session,) = answer["live_stream_sessions"]
    sales = session["sales_performance"]
    assert session["id"] == live_id
    assert Decimal(sales["gmv"]["amount"]) == sale_total(sold)
    assert sales["items_sold"] == 3
    assert sales["sku_orders"] == 2


# --- per minute -----------------------------------------------------------------------------------


def per_minute(world, shop, live_id, **query):
    path = f"/analytics/202510/shop_lives/{live_id}/performance_per_minutes"
    return world.call("GET", path, shop, query=query)


def session_of_four_minutes_of_sales(world):
    """A one-hour session with paid orders in minutes 0, 0, 5 and after its end, a cancelled
    one and an unpaid one; the clock stops past the session's end."""
    product = world.add_product(world.us, prices=("20.00", "35.00"))
    first, second = product.skus
    session = world.add_live(world.us, [], start=world.state.now())
    sell = functools.partial(world.add_order, world.us, live_id=session.id)
    sell([(first, 2)], status="AWAITING_SHIPMENT", user_id="1001")
    sell([(first, 1), (second, 1)], status="AWAITING_SHIPMENT", user_id="1002")
    world.advance(5 * 60 + 30)
    sell([(second, 3)], status="AWAITING_SHIPMENT", user_id="1001")
    sell([(first, 1)], status="CANCELLED", user_id="1004")
    world.advance(3600)
    sell([(second, 1)], status="AWAITING_SHIPMENT", user_id="1005")  # checkout after the end
    sell([(second, 1)], status="UNPAID", user_id="1003")
    return session


def test_minutes_add_up_to_the_sessions_figures(world):
    session = session_of_four_minutes_of_sales(world)

    answer = per_minute(world, world.us, session.id)
    totals = performance(world, world.us, "202509")["live_stream_sessions"][0]["sales_performance"]

    minutes = answer["intervals"]
    assert answer["live_id"] == session.id and answer["next_page_token"] == ""
    assert [int(m["start_time"]) for m in minutes] == list(
        range(session.start_time, session.end_time, 60)
    )
    gmv = sum(Decimal(m["gmv"]["amount"]) for m in minutes)
    assert gmv == Decimal(totals["gmv"]["amount"]) == Decimal("235.00")
    assert sum(m["items_sold"] for m in minutes) == totals["items_sold"] == 8
    assert sum(m["sku_orders"] for m in minutes) == totals["sku_orders"] == 5
    by_minute = {index: m for index, m in enumerate(minutes) if m["items_sold"]}
    assert sorted(by_minute) == [0, 5, 59]
    assert [by_minute[i]["customers"] for i in (0, 5, 59)] == [2, 1, 1]
    assert totals["customers"] == 3  # buyer 1001 bought in minutes 0 and 5
    assert all(m["viewers"] >= m["customers"] for m in minutes)
    assert minutes == per_minute(world, world.us, session.id)["intervals"]


def test_minutes_page_and_convert_to_usd(world):
    product = world.add_product(world.id, prices=("149000",))
    session = world.add_live(world.id, [], start=world.state.now())
    world.add_order(world.id, [(product.skus[0], 1)], status="ON_HOLD", live_id=session.id)
    world.advance(3600)

    first = per_minute(world, world.id, session.id, page_size=25, currency="USD")
    second = per_minute(
        world, world.id, session.id, page_size=25, page_token=first["next_page_token"]
    )

    assert len(first["intervals"]) == len(second["intervals"]) == 25
    assert int(second["intervals"][0]["start_time"]) == session.start_time + 25 * 60
    expected = (Decimal(149000) / LOCAL_PER_USD["IDR"]).quantize(Decimal("0.01"))
    assert first["intervals"][0]["gmv"] == {"amount": str(expected), "currency": "USD"}


def test_minutes_come_once_the_session_ended_and_for_the_shops_own_sessions(world):
    on_air = world.add_live(world.us, [], start=world.state.now() - 60)
    _, paid = live_with_orders(world, world.us, ("9.00", "11.00"), creator="hostwithjo")
    hosted = next(live for live in world.state.lives.values() if paid[0].id in live.order_ids)

    with pytest.raises(ApiError, match="once the LIVE ended"):
        per_minute(world, world.us, on_air.id)
    with pytest.raises(ApiError, match="own accounts"):
        per_minute(world, world.us, hosted.id)
    with pytest.raises(ApiError, match="LIVE session not found"):
        per_minute(world, world.jp, hosted.id)
