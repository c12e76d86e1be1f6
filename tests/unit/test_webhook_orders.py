"""What a stored push is about (tiktok_shop/webhooks.py): its data, and the orders it names."""

import json

import pytest
from tiktok_shop.errors import TikTokDataError
from tiktok_shop.webhooks import ORDER_TOPICS, notification_data, pushed_orders

ORDER_STATUS_CHANGE, RECIPIENT_ADDRESS_UPDATE, PACKAGE_UPDATE = 1, 3, 4
CANCELLATION_STATUS_CHANGE, PRODUCT_STATUS_CHANGE = 11, 5


def test_the_data_object_of_a_stored_push():
    payload = json.dumps({"type": 1, "data": {"order_id": "9", "update_time": 5}})
    assert notification_data(payload) == {"order_id": "9", "update_time": 5}
    assert notification_data(json.dumps({"type": 6})) == {}
    assert notification_data(json.dumps({"type": 6, "data": ["x"]})) == {}
    assert notification_data("") == {}


def test_order_topics_name_their_order_with_its_version_when_the_push_gives_one():
    assert {1, 3, 4, 11} == ORDER_TOPICS
    status = {"order_id": "9", "order_status": "AWAITING_SHIPMENT", "update_time": 1732345670}
    assert pushed_orders(ORDER_STATUS_CHANGE, status) == {"9": 1732345670}
    assert pushed_orders(RECIPIENT_ADDRESS_UPDATE, {"order_id": 9, "update_time": "5"}) == {"9": 5}
    cancellation = {"order_id": "9", "cancel_id": "4", "create_time": 1732345670}
    assert pushed_orders(CANCELLATION_STATUS_CHANGE, cancellation) == {"9": None}


def test_a_package_push_names_its_packages_orders_without_a_version():
    data = {
        "sc_type": "SPLIT",
        "package_list": [
            {"package_id": "1", "order_id_list": ["9", "8"]},
            {"package_id": "2", "order_id_list": ["9"]},
        ],
        "update_time": 1732345670,
    }
    assert pushed_orders(PACKAGE_UPDATE, data) == {"9": None, "8": None}


def test_other_topics_name_no_order():
    assert pushed_orders(PRODUCT_STATUS_CHANGE, {"product_id": "1", "order_id": "9"}) == {}


@pytest.mark.parametrize(
    ("event_type", "data", "field", "reason"),
    [
        (ORDER_STATUS_CHANGE, {"order_status": "CANCEL"}, "data.order_id", "is missing"),
        (ORDER_STATUS_CHANGE, {"order_id": ["9"]}, "data.order_id", "is not an id"),
        (
            ORDER_STATUS_CHANGE,
            {"order_id": "9", "update_time": "now"},
            "data.update_time",
            "is not a whole number",
        ),
        (PACKAGE_UPDATE, {"package_list": []}, "data.package_list", "names no order"),
        (PACKAGE_UPDATE, {"package_list": {"1": ["9"]}}, "data.package_list", "is not a list"),
        (
            PACKAGE_UPDATE,
            {"package_list": [{"order_id_list": [None]}]},
            "data.package_list[0].order_id_list[0]",
            "is missing",
        ),
    ],
)
def test_an_order_push_whose_orders_cannot_be_read_names_the_field(event_type, data, field, reason):
    with pytest.raises(TikTokDataError) as raised:
        pushed_orders(event_type, data)
    assert raised.value.path == field
    assert raised.value.reason.startswith(reason)
