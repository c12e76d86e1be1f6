"""LIVE events alone: the fence, the window, what TikTok shows, the waves, TikTok's payloads."""

from decimal import Decimal

import pytest
from tiktok_shop import TikTokDataError
from tiktok_shop.live_events import (
    MIXED,
    ORDER_LEAD_SECONDS,
    counted_by_tiktok,
    fenced_quantity,
    flash_sales_in_window,
    in_window,
    map_activity,
    map_live_minutes,
    map_live_session,
    order_window,
    sessions_in_window,
    units_still_fenced,
    wave_groups,
    with_live_fences,
)


def test_the_fence_is_featured_plus_the_buffer_rounded_up():
    assert fenced_quantity(100, 10) == 110
    assert fenced_quantity(18, 10) == 20  # 1.8 units of buffer hold 2
    assert fenced_quantity(20, 10) == 22
    assert fenced_quantity(7, 0) == 7
    assert fenced_quantity(0, 50) == 0


def test_a_flash_sale_limit_larger_than_the_plan_is_held_whole():
    assert fenced_quantity(10, 10, [50]) == 50
    assert fenced_quantity(100, 10, [50, 30]) == 110
    assert fenced_quantity(10, 10, [-1]) == 11, "an unlimited deal fences nothing more"


def test_the_window_opens_before_the_start_and_follows_the_real_sessions():
    assert order_window(10_000, 20_000) == (10_000 - ORDER_LEAD_SECONDS, 20_000)
    assert order_window(10_000, 20_000, [(9_000, 21_000)]) == (9_000, 21_000)
    assert order_window(10_000, 20_000, [(10_500, 19_000)]) == (10_000 - ORDER_LEAD_SECONDS, 20_000)
    window = order_window(10_000, 20_000)
    assert in_window(10_000 - ORDER_LEAD_SECONDS, window)
    assert in_window(19_999, window)
    assert not in_window(20_000, window)
    assert not in_window(10_000 - ORDER_LEAD_SECONDS - 1, window)


def test_orders_not_taken_out_of_the_fence_yet_are_not_shown_again():
    assert units_still_fenced(20, 0) == 20
    assert units_still_fenced(20, 5) == 15
    assert units_still_fenced(3, 5) == 0
    assert units_still_fenced(4.5, 0) == 4


def test_a_locked_product_shows_its_fence_alone_in_one_outlet():
    shown = {("sku", "main"): 30, ("sku", "east"): 12, ("other", "main"): 9}
    products = {"sku": "p", "other": "q"}
    fences = {"p": [("main", 20, True)]}
    assert with_live_fences(shown, products, fences) == {
        ("sku", "main"): 20,
        ("sku", "east"): 0,
        ("other", "main"): 9,
    }


def test_an_unlocked_product_shows_its_share_plus_its_fence():
    shown = {("sku", "main"): 30, ("sku", "east"): 12}
    fences = {"p": [("main", 20, False)]}
    assert with_live_fences(shown, {"sku": "p"}, fences) == {
        ("sku", "main"): 50,
        ("sku", "east"): 12,
    }


def test_tiktok_keeps_its_own_count_of_the_products_it_counts():
    shown = {("sku", "main"): 18, ("sku", "east"): 0, ("other", "main"): 9, ("new", "main"): 5}
    products = {"sku": "p", "other": "q", "new": "p"}
    pushed = {("sku", "main"): 20, ("sku", "east"): 0, ("other", "main"): 7}
    assert counted_by_tiktok(shown, pushed, products, {"p"}) == {
        ("sku", "main"): 20,  # TikTok lowers it from there itself: nothing to push
        ("sku", "east"): 0,
        ("other", "main"): 9,  # not counted by TikTok: Odoo's figure
        ("new", "main"): 5,  # never pushed: Odoo's figure
    }


def test_waves_group_single_product_pickings_of_a_featured_product():
    pickings = {1: {"a"}, 2: {"b"}, 3: {"a"}, 4: {"a", "b"}, 5: {"z"}}
    assert wave_groups(pickings, {"a", "b"}) == {"a": [1, 3], "b": [2], MIXED: [4, 5]}


SESSION = {
    "id": "7431",
    "title": "Friday deals",
    "username": "shop_official",
    "start_time": "1730000000",
    "end_time": "1730003600",
    "sales_performance": {
        "gmv": {"amount": "1234.50", "currency": "USD"},
        "items_sold": 87,
        "customers": 40,
        "sku_orders": 61,
        "click_to_order_rate": "3.25",
    },
    "interaction_performance": {"viewers": 900, "views": 1400},
}


def test_a_live_session_and_its_figures():
    session = map_live_session(SESSION)
    assert session.live_id == "7431"
    assert (session.start_time, session.end_time) == (1730000000, 1730003600)
    assert session.gmv == Decimal("1234.50")
    assert (session.items_sold, session.customers, session.viewers) == (87, 40, 900)
    assert session.click_to_order_rate == Decimal("3.25")


def test_version_202508_counts_units_as_unit_sold_and_affiliates_have_no_audience():
    sales = {**SESSION["sales_performance"], "unit_sold": 5}
    del sales["items_sold"]
    session = map_live_session(
        {**SESSION, "sales_performance": sales, "interaction_performance": None}
    )
    assert (session.items_sold, session.viewers) == (5, 0)


def test_only_sessions_meeting_the_window_are_linked():
    other = {**SESSION, "id": "9", "start_time": 1740000000, "end_time": 1740003600}
    found = sessions_in_window([SESSION, other, SESSION], (1730001000, 1730002000))
    assert [session.live_id for session in found] == ["7431"]


def test_a_session_without_an_id_is_refused():
    with pytest.raises(TikTokDataError, match=r"live_stream_sessions\[0\]\.id"):
        map_live_session({**SESSION, "id": ""})


def test_minutes_oldest_first():
    intervals = [
        {"start_time": "1730000060", "gmv": {"amount": "10"}, "items_sold": 2, "viewers": 50},
        {"start_time": 1730000000, "gmv": {"amount": "5.5"}, "items_sold": 1},
    ]
    minutes = map_live_minutes(intervals)
    assert [minute.start_time for minute in minutes] == [1730000000, 1730000060]
    assert minutes[0].gmv == Decimal("5.5")
    assert (minutes[1].items_sold, minutes[1].viewers) == (2, 50)


def test_flash_sales_of_the_window_still_selling_only():
    activities = [
        {"id": "1", "activity_type": "FLASHSALE", "begin_time": 100, "end_time": 200},
        {"id": "2", "activity_type": "DIRECT_DISCOUNT", "begin_time": 100, "end_time": 200},
        {"id": "3", "activity_type": "FLASHSALE", "begin_time": 300, "end_time": 400},
        {
            "id": "4",
            "activity_type": "FLASHSALE",
            "status": "DEACTIVATED",
            "begin_time": 100,
            "end_time": 200,
        },
    ]
    assert flash_sales_in_window(activities, (150, 250)) == ["1"]


def test_a_deal_and_its_limits_per_sku_a_sku_without_its_own_takes_its_products():
    deal = map_activity(
        {
            "activity_id": "55",
            "title": "LIVE flash",
            "activity_type": "FLASHSALE",
            "status": "ONGOING",
            "begin_time": 100,
            "end_time": 700,
            "products": [
                {
                    "id": "p1",
                    "quantity_limit": 40,
                    "quantity_per_user": 2,
                    "skus": [{"id": "s1", "quantity_limit": "30"}, {"id": "s2"}],
                },
                {"id": "p2", "quantity_limit": -1, "quantity_per_user": 1},
            ],
        }
    )
    assert (deal.activity_id, deal.status, deal.begin_time) == ("55", "ONGOING", 100)
    limits = {
        (sku.product_id, sku.sku_id): (sku.quantity_limit, sku.quantity_per_user)
        for sku in deal.skus
    }
    assert limits == {("p1", "s1"): (30, 2), ("p1", "s2"): (40, 2), ("p2", ""): (-1, 1)}


def test_a_minute_without_its_time_is_refused():
    with pytest.raises(TikTokDataError, match=r"intervals\[1\]\.start_time"):
        map_live_minutes([{"start_time": 60}, {"items_sold": 1}])


def test_a_limit_that_is_not_a_number_is_refused():
    with pytest.raises(TikTokDataError, match=r"products\[0\]\.quantity_limit"):
        map_activity({"activity_id": "1", "products": [{"id": "p", "quantity_limit": "lots"}]})
