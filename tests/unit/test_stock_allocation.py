"""The stock rules alone: sellable quantity, the split between shops, clamping, call batching."""

import itertools
import random

from tiktok_shop.stock_allocation import (
    MAX_QUANTITY,
    changed_skus,
    chunks,
    clamp_quantity,
    inventory_updates,
    outlet_quantities,
    outlet_weights,
    sellable_quantity,
    split_quantity,
)


def test_sellable_is_on_hand_minus_reserved_or_outgoing_whichever_is_larger():
    assert sellable_quantity(10, 3, 0) == 7
    # Confirmed orders not reserved yet already count.
    assert sellable_quantity(10, 3, 8) == 2
    assert sellable_quantity(10, 0, 12) == 0
    assert sellable_quantity(5.5, 0, 0) == 5
    assert sellable_quantity(3.0000000001, 0, 0) == 3


def test_clamp_to_what_tiktok_accepts():
    assert clamp_quantity(-4) == 0
    assert clamp_quantity(150_000) == MAX_QUANTITY
    assert clamp_quantity(42) == 42


def test_one_shop_alone_shows_its_share():
    assert split_quantity(10, outlet_weights([("A", "a1")], {"A": 100})) == {"a1": 10}
    assert split_quantity(10, outlet_weights([("A", "a1")], {"A": 60})) == {"a1": 6}


def test_two_shops_at_full_share_split_evenly_rounding_down():
    weights = outlet_weights([("A", "a1"), ("B", "b1")], {"A": 100, "B": 100})
    assert split_quantity(7, weights) == {"a1": 3, "b1": 3}


def test_a_shops_share_is_divided_between_its_warehouses_of_the_same_stock():
    weights = outlet_weights([("A", "a1"), ("A", "a2"), ("B", "b1")], {"A": 50, "B": 50})
    assert split_quantity(100, weights) == {"a1": 25, "a2": 25, "b1": 50}


def test_no_split_ever_shows_more_than_available():
    rng = random.Random(6)
    for _ in range(2000):
        shops = rng.randint(1, 4)
        outlets = [
            (shop, f"{shop}-{index}") for shop in range(shops) for index in range(rng.randint(1, 3))
        ]
        shares = {shop: rng.choice((0, 12.5, 33.33, 50, 70, 100)) for shop in range(shops)}
        available = rng.randint(0, 500)
        split = split_quantity(available, outlet_weights(outlets, shares))
        assert sum(split.values()) <= available
        assert all(quantity >= 0 for quantity in split.values())


def test_outlets_add_their_warehouses_then_subtract_the_buffer():
    feeds = {"us-main": ("US", ["wh1"]), "us-east": ("US", ["wh2"])}
    sellable = {("p1", "wh1"): 10, ("p1", "wh2"): 4, ("p2", "wh1"): 1}
    shown = outlet_quantities(["p1", "p2", "p3"], sellable, feeds, {"US": 100}, {"US": 2})
    assert shown == {
        ("p1", "us-main"): 8,
        ("p1", "us-east"): 2,
        ("p2", "us-main"): 0,  # 1 in stock, 2 held back
        ("p2", "us-east"): 0,
        ("p3", "us-main"): 0,  # nothing in stock at all
        ("p3", "us-east"): 0,
    }


def test_one_outlet_fed_by_two_warehouses_shows_both():
    feeds = {"main": ("US", ["wh1", "wh2"])}
    shown = outlet_quantities(["p"], {("p", "wh1"): 3, ("p", "wh2"): 4}, feeds, {}, {})
    assert shown == {("p", "main"): 7}


def test_shops_sharing_a_warehouse_never_show_more_than_it_has():
    feeds = {
        "us-main": ("US", ["wh"]),
        "us-east": ("US", ["wh"]),
        "gb-main": ("GB", ["wh"]),
        "jp-main": ("JP", ["wh", "jp-wh"]),
    }
    for available, jp_own in itertools.product(range(40), (0, 5)):
        sellable = {("p", "wh"): available, ("p", "jp-wh"): jp_own}
        shown = outlet_quantities(["p"], sellable, feeds, {"US": 100, "GB": 70, "JP": 30}, {})
        assert sum(shown.values()) <= available + jp_own


def test_quantities_are_clamped_to_99999():
    shown = outlet_quantities(["p"], {("p", "wh"): 250_000}, {"o": ("S", ["wh"])}, {}, {})
    assert shown == {("p", "o"): MAX_QUANTITY}


def test_only_skus_with_a_different_quantity_are_changed():
    quantities = {("s1", "w1"): 5, ("s1", "w2"): 0, ("s2", "w1"): 3, ("s3", "w1"): 0}
    pushed = {("s1", "w1"): 5, ("s1", "w2"): 1, ("s2", "w1"): 3}
    assert changed_skus(quantities, pushed) == {"s1", "s3"}


def test_one_inventory_update_per_product_listing_every_warehouse_of_each_sku():
    rows = [
        ("P1", "s1", "w1", 5),
        ("P1", "s1", "w2", 0),
        ("P2", "s3", "w1", 120_000),
        ("P1", "s2", "w1", 2),
        ("P1", "s2", "w2", 1),
    ]
    assert inventory_updates(rows) == [
        (
            "P1",
            {
                "skus": [
                    {
                        "id": "s1",
                        "inventory": [
                            {"warehouse_id": "w1", "quantity": 5},
                            {"warehouse_id": "w2", "quantity": 0},
                        ],
                    },
                    {
                        "id": "s2",
                        "inventory": [
                            {"warehouse_id": "w1", "quantity": 2},
                            {"warehouse_id": "w2", "quantity": 1},
                        ],
                    },
                ]
            },
        ),
        (
            "P2",
            {
                "skus": [
                    {
                        "id": "s3",
                        "inventory": [{"warehouse_id": "w1", "quantity": 99_999}],
                    }
                ]
            },
        ),
    ]


def test_chunks():
    assert chunks(range(5), 2) == [[0, 1], [2, 3], [4]]
    assert chunks([], 600) == []


def test_a_shop_takes_no_share_of_a_product_it_does_not_sell():
    feeds = {"us": ("US", ["wh"]), "gb": ("GB", ["wh"])}
    sellable = {("p", "wh"): 10, ("q", "wh"): 10}
    listings = {"p": {"US", "GB"}, "q": {"US"}}
    shown = outlet_quantities(["p", "q"], sellable, feeds, {}, {}, listings)
    assert shown == {("p", "us"): 5, ("p", "gb"): 5, ("q", "us"): 10, ("q", "gb"): 0}
