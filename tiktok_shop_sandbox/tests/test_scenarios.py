"""Scenarios: the order stream, the LIVE burst, follow-up events, authorization events."""

import time
from collections import Counter

import pytest

from tiktok_shop_sandbox import orders
from tiktok_shop_sandbox.app import Sandbox
from tiktok_shop_sandbox.scenarios import CREATORS

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
