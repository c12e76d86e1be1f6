"""Scenarios: the order stream, the LIVE burst, follow-up events, authorization events."""

import time
from collections import Counter
from decimal import Decimal

import pytest

from tiktok_shop_sandbox import orders, promotions
from tiktok_shop_sandbox.app import Sandbox
from tiktok_shop_sandbox.scenarios import CREATORS

from .handler_fixtures import in_stock_skus, seller_client

START = 1_780_000_000


def scenario_orders(sandbox, after=0):
    return sorted(
        (o for o in sandbox.state.orders.values() if o.create_time >= after),
        key=lambda order: (order.create_time, order.id),
    )


def test_the_stream_sells_across_shops_and_surfaces(sandbox):
    started = sandbox.state.now()
    sandbox.scenarios.start("stream", rate_per_minute=20)
    sandbox.advance(1800)
    placed = scenario_orders(sandbox, started)
    assert 450 < len(placed) < 750  # 20 a minute for 30 minutes
    assert {order.surface for order in placed} == {"SHOP", "VIDEO", "LIVE", "AFFILIATE"}
    regions = {sandbox.state.shops[order.shop_id].region for order in placed}
    assert {"US", "GB", "ID", "JP"} <= regions
    # Stamped at their own times, not all at the moment the clock was advanced.
    minutes = Counter((order.create_time - started) // 60 for order in placed)
    assert len(minutes) >= 28


def test_affiliate_and_live_orders_carry_their_origin(sandbox):
    sandbox.scenarios.start("stream", rate_per_minute=30)
    sandbox.advance(1200)
    placed = scenario_orders(sandbox)
    affiliate = [order for order in placed if order.surface == "AFFILIATE"]
    assert affiliate and all((o.creator_username, o.commission_rate) in CREATORS for o in affiliate)
    assert all(o.content_id.isdigit() for o in affiliate)
    live = [order for order in placed if order.surface == "LIVE"]
    assert live
    for order in live:
        session = sandbox.state.lives[order.live_id]
        assert order.id in session.order_ids and session.shop_id == order.shop_id
        assert session.start_time <= order.create_time < session.end_time


def run_stream(seed):
    with Sandbox(seed, speed=0, start_time=START) as sandbox:
        sandbox.scenarios.start("stream", rate_per_minute=30)
        sandbox.advance(600)
        return [
            (
                o.id,
                o.shop_id,
                o.surface,
                [i.sku_id for i in o.line_items],
                o.payment["total_amount"],
            )
            for o in scenario_orders(sandbox)
        ]


def test_the_same_seed_gives_the_same_stream():
    first = run_stream(11)
    assert first and first == run_stream(11)
    assert first != run_stream(12)


def test_a_live_burst_sells_500_orders_of_a_few_skus_in_15_minutes(sandbox):
    started = sandbox.state.now()
    scenario = sandbox.scenarios.start("live_burst", orders=500, skus=3, minutes=15)
    sandbox.advance(15 * 60 + 1)
    session = sandbox.state.lives[scenario.stats["live_id"]]
    assert len(session.order_ids) == 500 and scenario.stats["orders"] == 500
    burst = [sandbox.state.orders[order_id] for order_id in session.order_ids]
    assert len({item.sku_id for order in burst for item in order.line_items}) <= 3
    assert all(started <= order.create_time <= started + 900 for order in burst)
    assert all(order.surface == "LIVE" for order in burst)
    assert not scenario.active


def test_stream_events_cancel_update_addresses_and_split(sandbox, pushed):
    scenario = sandbox.scenarios.start(
        "stream",
        rate_per_minute=12,
        cancel_share=0.3,
        address_update_share=1,
        split_share=1,
        duration=1800,
    )
    sandbox.advance(1800 + 3 * 3600)
    stats = scenario.stats
    assert stats["cancellations"] > 0 and stats["address_updates"] > 0 and stats["splits"] > 0
    types = Counter(notification["type"] for notification in pushed())
    assert types[3] == stats["address_updates"] and types[4] == stats["splits"]
    assert types[11] >= stats["cancellations"]
    assert any(o.has_updated_recipient_address for o in sandbox.state.orders.values())
    assert not scenario.active  # the duration is over


def test_stream_returns_come_after_delivery(sandbox):
    scenario = sandbox.scenarios.start(
        "stream", rate_per_minute=6, return_share=1, cancel_share=0, duration=600
    )
    sandbox.advance(600 + 3601)
    with sandbox.state.lock:
        for order in list(sandbox.state.orders.values()):
            if order.status == "AWAITING_SHIPMENT":
                orders.progress_order(sandbox.state, order, "DELIVERED")
    sandbox.advance(4 * 86400)
    assert scenario.stats["returns"] > 0
    assert len(sandbox.state.returns) == scenario.stats["returns"]


def test_authorization_events_warn_then_deauthorize(sandbox, us_shop, pushed):
    sandbox.scenarios.start("authorization_events", shop_id=us_shop.id, deauthorize_after=60)
    sandbox.advance(1)
    assert [n["type"] for n in pushed()] == [7]
    assert us_shop.authorized
    sandbox.advance(60)
    assert [n["type"] for n in pushed()] == [7, 6]
    assert not us_shop.authorized


def test_a_stopped_scenario_places_nothing_more(sandbox):
    sandbox.scenarios.start("stream", rate_per_minute=30)
    sandbox.advance(300)
    count = len(sandbox.state.orders)
    assert sandbox.scenarios.stop() == 1
    sandbox.advance(3000)
    assert len(sandbox.state.orders) == count


def test_a_scenario_runs_on_the_clock_thread_at_the_sandbox_speed():
    with Sandbox(3, speed=120) as sandbox:
        sandbox.scenarios.start("stream", rate_per_minute=60)  # two orders per real second
        deadline = time.monotonic() + 5
        while len(sandbox.state.orders) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.05)


def test_unknown_scenarios_and_options_are_refused(sandbox, control):
    with pytest.raises(ValueError):
        sandbox.scenarios.start("black_friday")
    with pytest.raises(ValueError):
        sandbox.scenarios.start("stream", rate=5)
    assert (
        control("POST", "/sandbox/scenarios", {"name": "stream", "options": {"speed": 2}})[0] == 400
    )


def test_the_control_api_runs_and_stops_scenarios(sandbox, control):
    status, started = control(
        "POST", "/sandbox/scenarios", {"name": "stream", "options": {"rate_per_minute": 10}}
    )
    assert status == 200 and started["active"] and started["options"]["rate_per_minute"] == 10
    control("POST", "/sandbox/clock/advance", {"seconds": 600})
    [running] = control("GET", "/sandbox/scenarios")[1]["scenarios"]
    assert running["stats"]["orders"] > 50
    assert control("POST", "/sandbox/scenarios/stop", {})[1] == {"stopped": 1}


def stock_up(sandbox, skus, quantity):
    with sandbox.state.lock:
        for sku in skus:
            warehouse = next(
                w for w in sorted(sku.inventory) if not sandbox.state.is_fbt_warehouse(w)
            )
            sku.inventory = dict.fromkeys(sku.inventory, 0) | {warehouse: quantity}


def test_a_featured_live_sells_exactly_its_skus_within_the_window(sandbox, us_shop, stock, pushed):
    featured = stock(us_shop, count=2)
    stock_up(sandbox, featured, 250)
    start = sandbox.state.now() + 120

    scenario = sandbox.scenarios.start(
        "live_featured",
        shop_id=us_shop.id,
        skus=[sku.id for sku in featured],
        orders=300,
        seconds=60,
        per_order_units=2,
        start_time=start,
    )
    sandbox.advance(200)

    session = sandbox.state.lives[scenario.stats["live_id"]]
    sold = [sandbox.state.orders[order_id] for order_id in session.order_ids]
    assert (session.start_time, session.end_time) == (start, start + 60)
    assert len(sold) == scenario.stats["orders"] == 250  # 500 units of stock, 2 a buyer
    assert scenario.stats["refused"] == scenario.stats["refused_out_of_stock"] == 50
    assert {item.sku_id for order in sold for item in order.line_items} == {s.id for s in featured}
    assert all(len(order.line_items) == 2 for order in sold)
    assert all(start <= order.create_time <= start + 60 for order in sold)
    assert {(order.surface, order.live_id) for order in sold} == {("LIVE", session.id)}
    pushed_orders = {n["data"]["order_id"] for n in pushed(1)}
    assert set(session.order_ids) <= pushed_orders
    assert not scenario.active


def test_a_featured_live_sells_its_flash_sale_within_the_deal_limits(sandbox, us_shop, stock):
    sku = stock(us_shop, count=1)[0]
    stock_up(sandbox, [sku], 200)
    now = sandbox.state.now()
    with sandbox.state.lock:
        activity = promotions.new_activity(
            sandbox.state,
            us_shop,
            {
                "title": "LIVE flash sale",
                "activity_type": "FLASHSALE",
                "product_level": "VARIATION",
                "begin_time": now,
                "end_time": now + 600,
            },
        )
        terms = {"activity_price_amount": "1.00", "quantity_limit": 50, "quantity_per_user": 1}
        deal = {"products": [{"id": sku.product_id, "skus": [{"id": sku.id, **terms}]}]}
        promotions.update_products(sandbox.state, activity, deal)
        promotions.open_activity(sandbox.state, activity)

    scenario = sandbox.scenarios.start(
        "live_featured", shop_id=us_shop.id, orders=120, flash_activity_id=activity.id
    )
    sandbox.advance(61)

    stats = scenario.stats
    assert stats["orders"] == stats["flash_sale_orders"] == 50
    assert stats["refused"] == stats["refused_deal_limit"] == 70
    session = sandbox.state.lives[stats["live_id"]]
    units = [
        item for order_id in session.order_ids for item in sandbox.state.orders[order_id].line_items
    ]
    assert {Decimal(u.original_price) - Decimal(u.seller_discount) for u in units} == {
        Decimal("1.00")
    }
    buyers = [sandbox.state.orders[order_id].user_id for order_id in session.order_ids]
    assert len(set(buyers)) == 50  # one unit a buyer
    assert activity.skus[sku.id].sold == 50 and activity.status == "ONGOING"


def test_featured_live_options_are_checked(sandbox, us_shop):
    other_shop_sku = next(
        sku
        for sku in sandbox.state.skus.values()
        if sandbox.state.products[sku.product_id].shop_id != us_shop.id
    )
    with pytest.raises(ValueError, match="skus is required"):
        sandbox.scenarios.start("live_featured", shop_id=us_shop.id)
    with pytest.raises(ValueError, match="not sold by shop"):
        sandbox.scenarios.start("live_featured", shop_id=us_shop.id, skus=[other_shop_sku.id])
    with pytest.raises(ValueError, match="not a flash sale"):
        sandbox.scenarios.start("live_featured", shop_id=us_shop.id, flash_activity_id="42")


def test_a_featured_live_places_500_orders_a_minute_on_time(wait_until):
    # At 30 sandbox seconds a real second the minute's 500 orders are due within 2 real seconds;
    # the clock thread places them (webhooks queued, stock taken) as they come due.
    with Sandbox(5, speed=30) as sandbox:
        shop = sandbox.shop("US")
        featured = in_stock_skus(sandbox, shop, minimum=1)[:3]
        stock_up(sandbox, featured, 500)
        scenario = sandbox.scenarios.start(
            "live_featured", shop_id=shop.id, skus=[s.id for s in featured], orders=500, seconds=60
        )

        assert wait_until(lambda: scenario.stats.get("orders") == 500, timeout=6), scenario.stats
        assert "refused" not in scenario.stats


def test_per_minute_figures_of_a_featured_live_through_the_client(sandbox, us_shop, stock):
    featured = stock(us_shop, count=2)
    stock_up(sandbox, featured, 400)
    scenario = sandbox.scenarios.start(
        "live_featured", shop_id=us_shop.id, skus=[s.id for s in featured], orders=200, seconds=180
    )
    sandbox.advance(181)
    live_id = scenario.stats["live_id"]
    day = time.strftime("%Y-%m-%d", time.gmtime(sandbox.state.now()))

    with seller_client(sandbox, us_shop) as client:
        minutes = list(
            client.paginate(
                "GET",
                f"/analytics/202510/shop_lives/{live_id}/performance_per_minutes",
                items_key="intervals",
                shop_cipher=us_shop.cipher,
                page_size=2,
            )
        )
        sessions = client.request(
            "GET",
            "/analytics/202509/shop_lives/performance",
            params={"start_date_ge": day, "end_date_lt": "2100-01-01"},
            shop_cipher=us_shop.cipher,
        )["live_stream_sessions"]

    totals = next(s for s in sessions if s["id"] == live_id)["sales_performance"]
    assert len(minutes) == 3
    assert sum(Decimal(m["gmv"]["amount"]) for m in minutes) == Decimal(totals["gmv"]["amount"])
    assert sum(m["items_sold"] for m in minutes) == totals["items_sold"] == 200
    assert sum(m["sku_orders"] for m in minutes) == totals["sku_orders"] == 200
