"""The high-water mark arithmetic of the orders and catalog syncs (high_water_mark.py)."""

from tiktok_shop.high_water_mark import advanced_mark, newest_update_time, window_start


def test_the_mark_moves_to_the_newest_product_but_stays_before_a_failure():
    products = [{"update_time": 100}, {"update_time": 300}, {"update_time": 200}]
    assert newest_update_time(products) == 300
    assert newest_update_time(products, [200]) == 199
    assert newest_update_time([]) == 0


def test_the_window_starts_an_overlap_before_the_mark_and_never_before_zero():
    assert window_start(1000, 300) == 700
    assert window_start(100, 300) == 0


def test_the_mark_never_moves_backwards():
    records = [{"update_time": 500}, {"update_time": 800}]
    assert advanced_mark(600, records) == 800
    assert advanced_mark(900, records) == 900, "older records leave a newer mark where it is"
    assert advanced_mark(600, records, [550]) == 600, "a failure before the mark keeps it"
    assert advanced_mark(0, records, [700]) == 699
