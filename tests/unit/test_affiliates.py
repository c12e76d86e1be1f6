"""TikTok's affiliate orders and collaborations read for Odoo (tiktok_shop/affiliates.py)."""

from decimal import Decimal

import pytest
from tiktok_shop.affiliates import (
    allocate,
    attributions,
    commission_due,
    rate_percent,
    read_affiliate_order,
    read_open_collaboration,
    read_sample_application,
    read_target_collaboration,
)
from tiktok_shop.errors import TikTokDataError


def _money(value, currency="USD"):
    return {"amount": value, "currency": currency}


def _sku(product_id="1729", **overrides):
    sku = {
        "product_id": product_id,
        "quantity": 2,
        "price": _money("12.50"),
        "creator_username": "maya.makes",
        "content_type": "VIDEO",
        "content_id": "7301",
        "commission_rate": "1550",
        "estimated_commission_base": _money("25.00"),
        "estimated_paid_commission": _money("3.88"),
        "actual_commission_base": _money("0"),
        "actual_paid_commission": _money("0"),
        "refunded_quantity": 0,
        "returned_quantity": 1,
        "open_collaboration_id": "880",
        "target_collaboration_id": "0",
        "campaign_id": "",
    }
    sku.update(overrides)
    return sku


def test_an_affiliate_order_is_read_with_rates_in_percent_and_keys_per_product():
    order = read_affiliate_order(
        {
            "id": "5764",
            "status": "processing",
            "create_time": 1732345670,
            "skus": [_sku(), _sku("1730", content_type=""), _sku()],
        }
    )
    assert (order.ref, order.status, order.create_time) == ("5764", "PROCESSING", 1732345670)
    assert [line.key for line in order.lines] == ["1729", "1730", "1729#2"]
    line = order.lines[0]
    assert line.commission_rate == Decimal("15.50")
    assert (line.estimated_base, line.estimated_commission) == (Decimal("25.00"), Decimal("3.88"))
    assert (line.quantity, line.returned_quantity, line.currency) == (2, 1, "USD")
    assert (line.open_collaboration_ref, line.target_collaboration_ref) == ("880", "")
    assert order.lines[1].content_type == "SHOP"
    assert order.update_time == 1732345670


def test_attributions_name_the_creator_and_where_they_promoted():
    orders = [
        read_affiliate_order({"id": "1", "skus": [_sku(creator_username="", content_type="LIVE")]}),
        read_affiliate_order({"id": "2", "skus": []}),
    ]
    assert attributions(orders) == {"1": ("", "LIVE"), "2": ("", "SHOP")}


def test_bad_fields_are_named():
    with pytest.raises(TikTokDataError) as raised:
        read_affiliate_order({"skus": []}, "orders[1]")
    assert raised.value.path == "orders[1].id"
    with pytest.raises(TikTokDataError) as raised:
        read_affiliate_order({"id": "1", "skus": [_sku(commission_rate="ten")]})
    assert raised.value.path == "order.skus[0].commission_rate"
    with pytest.raises(TikTokDataError) as raised:
        read_affiliate_order({"id": "1", "skus": [_sku(price=_money("1,5"))]})
    assert raised.value.path == "order.skus[0].price.amount"


def test_rate_percent():
    assert rate_percent(1000) == Decimal(10)
    assert rate_percent(Decimal("1550")) == Decimal("15.5")


@pytest.mark.parametrize(
    ("status", "refunded", "returned", "invoiced", "due"),
    [
        ("PROCESSING", 0, 0, 0, "0"),  # not invoiced yet: nothing owed
        ("PROCESSING", 0, 0, 3, "10.00"),
        ("PROCESSING", 0, 1, 3, "6.67"),  # one unit of three came back
        ("PROCESSING", 1, 1, 3, "3.33"),
        ("PROCESSING", 0, 1, 1, "3.33"),  # credited in Odoo beyond what TikTok says
        ("PROCESSING", 0, 0, 1, "3.33"),
        ("COMPLETED", 0, 1, 3, "7.25"),  # TikTok's actual commission once it settled
        ("DEDUCTED", 0, 1, 3, "7.25"),
        ("CANCELLED", 0, 0, 3, "0"),
    ],
)
def test_commission_due(status, refunded, returned, invoiced, due):
    estimated, actual = Decimal("10.00"), Decimal("7.25")
    found = commission_due(estimated, actual, status, 3, refunded, returned, invoiced)
    assert found == Decimal(due)


def test_allocate_adds_up_to_the_cent():
    thirds = [Decimal("3.33"), Decimal("3.33"), Decimal("3.34")]
    assert allocate(Decimal("10.00"), [1, 1, 1]) == thirds
    assert sum(allocate(Decimal("-7.01"), [3, 5])) == Decimal("-7.01")
    assert allocate(Decimal("1"), [0, 0]) == [Decimal("0.50"), Decimal("0.50")]
    assert allocate(Decimal("5"), []) == []


def test_open_collaboration():
    collaboration = read_open_collaboration(
        {
            "id": "880",
            "status": "ACTIVE",
            "current_commission": {"rate": 1200, "start_time": 1, "end_time": 0},
            "product": {"id": "1729", "title": "Mug"},
        }
    )
    assert (collaboration.ref, collaboration.kind, collaboration.name) == ("880", "open", "Mug")
    assert collaboration.products[0].product_ref == "1729"
    assert collaboration.products[0].commission_rate == Decimal(12)
    with pytest.raises(TikTokDataError) as raised:
        read_open_collaboration({"id": "880", "product": {}})
    assert raised.value.path == "open_collaboration.product.id"


def test_target_collaboration_and_sample_application():
    creator = {"user_id": "6901", "username": "maya.makes", "nickname": "Maya"}
    collaboration = read_target_collaboration(
        {
            "id": "t-1",
            "name": "Spring",
            "status": "ONGOING",
            "end_time": 1800000000,
            "creators": [creator],
            "products": [{"id": "1729", "title": "Mug", "target_commission_rate": 2000}],
        }
    )
    assert (collaboration.kind, collaboration.name, collaboration.status) == (
        "target",
        "Spring",
        "ONGOING",
    )
    assert collaboration.creators[0].ref == "6901"
    assert collaboration.creator_usernames == ("maya.makes",)
    assert collaboration.products[0].commission_rate == Decimal(20)
    application = read_sample_application(
        {"id": "s-1", "status": "approved", "creator": creator, "product": {"id": "1729"}}
    )
    assert (application.status, application.order_ref, application.creator.nickname) == (
        "APPROVED",
        "",
        "Maya",
    )
    with pytest.raises(TikTokDataError) as raised:
        read_sample_application({"id": "s-1", "creator": {"user_id": "1"}})
    assert raised.value.path == "sample_application.creator.username"
