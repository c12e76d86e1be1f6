"""A TikTok order onto what a sale order needs (tiktok_shop/order_mapping.py): bad data."""

import copy
from decimal import Decimal

import pytest
from tiktok_shop.errors import TikTokDataError
from tiktok_shop.order_mapping import (
    live_windows,
    map_order,
    order_reference,
)


def _order():
    """Get Order Detail's answer for an order of two units of one SKU."""
    return {
        "id": "576486316948490001",
        "status": "AWAITING_SHIPMENT",
        "user_id": "7021436810468230000",
        "create_time": 1732345600,
        "update_time": "1732345670",
        "payment": {"currency": "USD", "total_amount": "21.00", "tax": "1.00"},
        "recipient_address": {
            "name": "Jane Doe",
            "address_line1": "1 Main St",
            "region_code": "us",
            "district_info": [{"address_level": "L1", "address_name": "California"}],
        },
        "line_items": [
            {"id": "1", "sku_id": "1729", "original_price": "10.00", "product_name": "Mug"},
            {"id": "2", "sku_id": 1729, "original_price": "10.00", "product_name": "Mug"},
        ],
        "packages": [{"id": "1152"}],
    }


_REMOVED = object()


def _with(path, value):
    """The order with the field at `path` (keys and list indexes) set to `value`, or removed."""
    order = copy.deepcopy(_order())
    *parents, last = path
    target = order
    for key in parents:
        target = target[key]
    if value is _REMOVED:
        del target[last]
    else:
        target[last] = value
    return order


def test_a_well_formed_order_maps_with_its_ids_as_text_and_missing_fields_defaulted():
    mapped = map_order(_order())
    assert (mapped.order_id, mapped.update_time, mapped.package_ids) == (
        "576486316948490001",
        1732345670,
        ("1152",),
    )
    (line,) = mapped.lines
    assert (line.sku_id, line.quantity, line.line_item_ids) == ("1729", 2, ["1", "2"])
    assert (mapped.total_amount, mapped.seller_discount, mapped.buyer_email) == (
        Decimal("21.00"),
        Decimal(0),
        "",
    )
    assert (mapped.address["country_code"], mapped.address["state_name"]) == ("US", "California")


@pytest.mark.parametrize(
    ("path", "value", "field", "reason"),
    [
        (("id",), _REMOVED, "id", "is missing"),
        (("id",), "", "id", "is missing"),
        (("line_items", 1, "sku_id"), _REMOVED, "line_items[1].sku_id", "is missing"),
        (("line_items", 0, "id"), None, "line_items[0].id", "is missing"),
        (("line_items", 0, "sku_id"), {"id": 1}, "line_items[0].sku_id", "is not an id"),
        (("line_items", 0), "1729", "line_items[0]", "is not an object"),
        (("line_items",), {"id": "1"}, "line_items", "is not a list"),
        (("line_items", 1, "original_price"), "10,00", "line_items[1].original_price", "amount"),
        (("payment",), "USD 21.00", "payment", "is not an object"),
        (("payment", "total_amount"), "NaN", "payment.total_amount", "is not an amount"),
        (("payment", "tax"), [1], "payment.tax", "is not an amount"),
        (("update_time",), "yesterday", "update_time", "is not a whole number"),
        (("status",), {"code": 1}, "status", "is not text"),
        (("packages", 0, "id"), _REMOVED, "packages[0].id", "is missing"),
        (
            ("recipient_address", "district_info"),
            "California",
            "recipient_address.district_info",
            "is not a list",
        ),
    ],
)
def test_bad_tiktok_data_raises_a_typed_error_naming_the_field(path, value, field, reason):
    with pytest.raises(TikTokDataError) as raised:
        map_order(_with(path, value))
    assert raised.value.path == field
    assert reason in raised.value.reason
    assert field in str(raised.value)


def test_the_typed_error_is_not_one_a_bug_raises():
    # A sync catches TikTokDataError as "this record failed"; a bug's KeyError must not be.
    assert not issubclass(TikTokDataError, (KeyError, ValueError, LookupError))


def test_an_order_that_is_not_an_object_is_refused_and_reported_as_far_as_it_can_be():
    with pytest.raises(TikTokDataError, match="order is not an object"):
        map_order(["576486316948490001"])
    assert order_reference(["576486316948490001"]) == ("", 0)
    assert order_reference(_with(("update_time",), "yesterday")) == ("576486316948490001", 0)
    assert order_reference(_order()) == ("576486316948490001", 1732345670)


def test_live_sessions_name_their_bad_field():
    with pytest.raises(TikTokDataError) as raised:
        live_windows([{"start_time": 1, "end_time": 2}, {"start_time": "soon", "end_time": 9}])
    assert raised.value.path == "live_stream_sessions[1].start_time"
    assert live_windows([{"start_time": "100", "end_time": 200}, {"start_time": 5}]) == [(100, 200)]
