"""The LIVE control room's rules alone: the orders-per-minute chart and the stock alerts."""

from tiktok_shop.live_room import (
    NO_ALERT,
    RUNNING_LOW,
    SOLD_OUT,
    alert_to_raise,
    minute_of,
    orders_per_minute,
)

START = 1_760_000_000 - 1_760_000_000 % 60  # a whole minute


def test_every_minute_from_start_to_end_with_its_orders():
    times = [START + 5, START + 59, START + 60, START + 185]
    chart = orders_per_minute(times, START + 10, START + 200)
    assert chart == [(START, 2), (START + 60, 1), (START + 120, 0), (START + 180, 1)]


def test_orders_before_the_chart_starts_are_left_out_and_an_end_before_the_start_is_one_minute():
    assert orders_per_minute([START - 60, START + 1], START, START + 30) == [(START, 1)]
    assert orders_per_minute([START + 1], START + 30, START - 600) == [(START, 1)]


def test_a_long_live_shows_its_latest_minutes():
    end = START + 300 * 60
    chart = orders_per_minute([START, end - 1], START, end, limit=120)
    assert len(chart) == 120
    assert chart[-1] == (minute_of(end), 0)
    assert chart[-2] == (minute_of(end) - 60, 1)
    assert chart[0][0] == minute_of(end) - 119 * 60


def test_running_low_when_the_held_stock_falls_to_the_threshold():
    assert alert_to_raise(NO_ALERT, 6, 5) is None
    assert alert_to_raise(NO_ALERT, 5, 5) == RUNNING_LOW
    assert alert_to_raise(NO_ALERT, 2, 5) == RUNNING_LOW


def test_each_alert_is_raised_once_and_sold_out_follows_running_low():
    assert alert_to_raise(RUNNING_LOW, 3, 5) is None
    assert alert_to_raise(RUNNING_LOW, 0, 5) == SOLD_OUT
    assert alert_to_raise(SOLD_OUT, 0, 5) is None
    assert alert_to_raise(SOLD_OUT, 4, 5) is None, "given back by a cancellation: no news"


def test_sold_out_straight_away_and_without_a_threshold():
    assert alert_to_raise(NO_ALERT, 0, 5) == SOLD_OUT
    assert alert_to_raise(NO_ALERT, 0, 0) == SOLD_OUT
    assert alert_to_raise(NO_ALERT, 1, 0) is None
