"""Cursor pagination (`page_token` / `next_page_token`) against the fake server."""

import pytest
from tiktok_shop.errors import TikTokShopServerError

from .fake_tiktok import SHOP_CIPHER, ok

SEARCH_PATH = "/order/202309/orders/search"
# Real cursors are opaque base64 and contain characters that need percent-encoding.
TOKEN_2 = "cGFnZTI+Lz0/p2+/="
TOKEN_3 = "cGFnZTM="


def test_paginate_walks_three_pages(server, make_client):
    server.queue(
        ok({"orders": [{"id": "1"}, {"id": "2"}], "next_page_token": TOKEN_2, "total_count": 5}),
        ok({"orders": [{"id": "3"}, {"id": "4"}], "next_page_token": TOKEN_3, "total_count": 5}),
        ok({"orders": [{"id": "5"}], "next_page_token": "", "total_count": 5}),
    )

    orders = list(
        make_client().paginate(
            "POST",
            SEARCH_PATH,
            items_key="orders",
            params={"sort_field": "update_time"},
            json={"update_time_ge": 1732000000},
            shop_cipher=SHOP_CIPHER,
            page_size=2,
        )
    )

    assert [order["id"] for order in orders] == ["1", "2", "3", "4", "5"]
    assert len(server.requests) == 3
    assert [received.query.get("page_token") for received in server.requests] == [
        None,
        TOKEN_2,
        TOKEN_3,
    ]
    for received in server.requests:
        assert received.sign_valid is True  # decoded token signed, encoded token sent
        assert received.query["page_size"] == "2"
        assert received.query["sort_field"] == "update_time"
        assert received.json() == {"update_time_ge": 1732000000}


def test_paginate_stops_when_the_token_is_absent(server, make_client):
    server.queue(ok({"warehouses": [{"id": "w1"}]}))

    items = list(
        make_client().paginate(
            "GET", "/logistics/202309/warehouses", items_key="warehouses", shop_cipher=SHOP_CIPHER
        )
    )

    assert items == [{"id": "w1"}]
    assert len(server.requests) == 1


def test_paginate_is_lazy(server, make_client):
    server.queue(ok({"orders": [{"id": "1"}], "next_page_token": TOKEN_2}))

    pages = make_client().paginate("POST", SEARCH_PATH, items_key="orders", shop_cipher=SHOP_CIPHER)
    assert next(pages) == {"id": "1"}
    assert len(server.requests) == 1  # page 2 is only fetched when needed


def test_paginate_in_body_for_promotion_search(server, make_client):
    server.queue(
        ok({"activities": [{"id": "a1"}], "next_page_token": TOKEN_2}),
        ok({"activities": [{"id": "a2"}]}),
    )

    activities = list(
        make_client().paginate(
            "POST",
            "/promotion/202309/activities/search",
            items_key="activities",
            json={"status": "ONGOING"},
            shop_cipher=SHOP_CIPHER,
            page_size=100,
            paging_in="body",
        )
    )

    assert [activity["id"] for activity in activities] == ["a1", "a2"]
    first, second = server.requests
    assert first.json() == {"status": "ONGOING", "page_size": 100}
    assert second.json() == {"status": "ONGOING", "page_size": 100, "page_token": TOKEN_2}
    assert "page_token" not in second.query
    assert second.sign_valid is True


def test_a_repeated_token_raises_instead_of_looping(server, make_client):
    page = ok({"orders": [{"id": "1"}], "next_page_token": TOKEN_2})
    server.queue(page, page)

    with pytest.raises(TikTokShopServerError, match="same page token"):
        list(
            make_client().paginate("POST", SEARCH_PATH, items_key="orders", shop_cipher=SHOP_CIPHER)
        )
    assert len(server.requests) == 2
