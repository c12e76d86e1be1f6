"""Cancellations and returns: seller cancel, buyer requests, approve/reject with idempotency
keys, the §5.7 return statuses, and their webhooks."""

import pytest

from tiktok_shop_sandbox import orders, returns

CANCELLATIONS = "/return_refund/202309/cancellations"
RETURNS = "/return_refund/202309/returns"
HOLD = 3601


def detail(client, shop, order_id):
    return client.request(
        "GET", "/order/202309/orders", params={"ids": order_id}, shop_cipher=shop.cipher
    )["orders"][0]


def seller_order(sandbox, place, shop, skus, hold=True):
    order = place(shop, skus, fulfillment_type=orders.SELLER_FULFILLMENT, shipping_type="SELLER")
    if hold:
        sandbox.advance(HOLD)
    return order


def delivered_order(sandbox, place, control, shop, skus):
    order = seller_order(sandbox, place, shop, skus)
    status, _ = control("POST", f"/sandbox/orders/{order.id}/status", {"status": "DELIVERED"})
    assert status == 200
    return order


def find_cancellation(client, shop, **body):
    return client.request(
        "POST",
        f"{CANCELLATIONS}/search",
        params={"page_size": 50},
        json=body,
        shop_cipher=shop.cipher,
    )["cancellations"]


def find_return(client, shop, return_id):
    [found] = client.request(
        "POST",
        f"{RETURNS}/search",
        params={"page_size": 10},
        json={"return_ids": [return_id]},
        shop_cipher=shop.cipher,
    )["return_orders"]
    return found


# --- cancellations --------------------------------------------------------------------------------


def test_the_seller_cancels_an_order_and_the_stock_comes_back(
    sandbox, client, us_shop, place, stock, pushed
):
    sku = stock(us_shop)[0]
    order = seller_order(sandbox, place, us_shop, [(sku.id, 2)])
    before = sku.available()
    answer = client.request(
        "POST",
        CANCELLATIONS,
        json={"order_id": order.id, "cancel_reason": "Out of stock"},
        shop_cipher=us_shop.cipher,
    )
    assert answer["cancel_status"] == "CANCELLATION_REQUEST_SUCCESS"
    data = detail(client, us_shop, order.id)
    assert data["status"] == "CANCELLED" and data["cancellation_initiator"] == "SELLER"
    assert {item["display_status"] for item in data["line_items"]} == {"CANCELLED"}
    assert sku.available() == before + 2
    [pushed_cancel] = [n for n in pushed(11) if n["data"]["cancel_id"] == answer["cancel_id"]]
    assert pushed_cancel["data"]["cancellations_role"] == "SELLER"
    assert pushed(1)[-1]["data"]["order_status"] == "CANCEL"  # the webhook's spelling
    sandbox.advance(sandbox.state.timing["refund"] + 1)
    [found] = find_cancellation(client, us_shop, cancel_ids=[answer["cancel_id"]])
    assert found["cancel_status"] == "CANCELLATION_REQUEST_COMPLETE"
    assert found["refund_amount"]["refund_total"] == data["payment"]["total_amount"]


def test_a_partial_seller_cancellation_keeps_the_order(sandbox, client, us_shop, place, stock):
    sku_a, sku_b = stock(us_shop, count=2)
    order = seller_order(sandbox, place, us_shop, [sku_a.id, sku_b.id])
    client.request(
        "POST",
        CANCELLATIONS,
        json={
            "order_id": order.id,
            "cancel_reason": "Damaged",
            "order_line_item_ids": [order.line_items[0].id],
        },
        shop_cipher=us_shop.cipher,
    )
    data = detail(client, us_shop, order.id)
    assert data["status"] == "AWAITING_SHIPMENT"
    assert [item["display_status"] for item in data["line_items"]] == [
        "CANCELLED",
        "AWAITING_SHIPMENT",
    ]


def test_partial_cancellation_is_for_us_and_uk_shops_only(sandbox, client, place, stock, api_error):
    jp_shop = sandbox.shop("JP")
    sku_a, sku_b = stock(jp_shop, count=2)
    order = seller_order(sandbox, place, jp_shop, [sku_a.id, sku_b.id])
    body = {
        "order_id": order.id,
        "cancel_reason": "x",
        "order_line_item_ids": [order.line_items[0].id],
    }
    error = api_error(client.request, "POST", CANCELLATIONS, json=body, shop_cipher=jp_shop.cipher)
    assert "US and the UK" in error.message


def test_a_shipped_order_cannot_be_cancelled(
    sandbox, client, control, us_shop, place, stock, api_error
):
    order = delivered_order(sandbox, place, control, us_shop, [stock(us_shop)[0].id])
    error = api_error(
        client.request,
        "POST",
        CANCELLATIONS,
        json={"order_id": order.id, "cancel_reason": "x"},
        shop_cipher=us_shop.cipher,
    )
    assert error.code == 36009004


def test_a_buyer_cancelling_during_the_hold_is_cancelled_at_once(
    sandbox, control, us_shop, place, stock
):
    order = seller_order(sandbox, place, us_shop, [stock(us_shop)[0].id], hold=False)
    status, answer = control("POST", f"/sandbox/orders/{order.id}/cancel_request", {})
    assert status == 200 and answer["cancel_status"] == "CANCELLATION_REQUEST_SUCCESS"
    assert order.status == "CANCELLED" and order.cancellation_initiator == "BUYER"


def buyer_request(sandbox, control, place, shop, stock):
    order = seller_order(sandbox, place, shop, [stock(shop)[0].id])
    status, answer = control(
        "POST", f"/sandbox/orders/{order.id}/cancel_request", {"reason": "Changed my mind"}
    )
    assert status == 200 and answer["cancel_status"] == "CANCELLATION_REQUEST_PENDING"
    assert order.is_buyer_request_cancel
    return order, answer["cancel_id"]


def test_approving_twice_with_one_idempotency_key_acts_once(
    sandbox, client, control, us_shop, place, stock, pushed, api_error
):
    order, cancel_id = buyer_request(sandbox, control, place, us_shop, stock)
    path = f"{CANCELLATIONS}/{cancel_id}/approve"
    first = client.request(
        "POST", path, params={"idempotency_key": "k-1"}, shop_cipher=us_shop.cipher
    )
    stock_after = {
        sku_id: sandbox.state.skus[sku_id].available()
        for sku_id in {i.sku_id for i in order.line_items}
    }
    pushes = len(pushed())
    again = client.request(
        "POST", path, params={"idempotency_key": "k-1"}, shop_cipher=us_shop.cipher
    )
    assert again == first
    assert len(pushed()) == pushes
    assert {sku_id: sandbox.state.skus[sku_id].available() for sku_id in stock_after} == stock_after
    assert order.status == "CANCELLED"
    # A new key is a new decision, and there is nothing left to approve.
    error = api_error(
        client.request, "POST", path, params={"idempotency_key": "k-2"}, shop_cipher=us_shop.cipher
    )
    assert error.code == 36009004


def test_rejecting_a_buyer_cancellation_keeps_the_order(
    sandbox, client, control, us_shop, place, stock, api_error
):
    order, cancel_id = buyer_request(sandbox, control, place, us_shop, stock)
    path = f"{CANCELLATIONS}/{cancel_id}/reject"
    assert (
        "reject_reason"
        in api_error(client.request, "POST", path, json={}, shop_cipher=us_shop.cipher).message
    )
    client.request(
        "POST",
        path,
        params={"idempotency_key": "r-1"},
        json={"reject_reason": "seller_reject_apply_product_has_been_packed"},
        shop_cipher=us_shop.cipher,
    )
    assert order.status == "AWAITING_SHIPMENT" and not order.is_buyer_request_cancel
    # Both spellings of the closed status find it.
    for spelling in ("CANCELLATION_REQUEST_CANCEL", "CANCELLATION_REQUEST_CANCELLED"):
        [found] = find_cancellation(client, us_shop, cancel_status=spelling)
        assert (
            found["cancel_id"] == cancel_id
            and found["cancel_status"] == "CANCELLATION_REQUEST_CANCELLED"
        )


def test_an_unanswered_buyer_request_is_approved_after_48_hours(
    sandbox, control, us_shop, place, stock
):
    order, _ = buyer_request(sandbox, control, place, us_shop, stock)
    sandbox.advance(returns.SELLER_RESPONSE_WINDOW + 1)
    assert order.status == "CANCELLED"


def test_cancellation_search_filters_and_shape(sandbox, client, control, us_shop, place, stock):
    order, cancel_id = buyer_request(sandbox, control, place, us_shop, stock)
    [found] = find_cancellation(
        client, us_shop, order_ids=[order.id], cancel_types=["BUYER_CANCEL"]
    )
    assert found["cancel_id"] == cancel_id and found["role"] == "BUYER"
    assert found["cancel_line_items"][0]["order_line_item_id"] == order.line_items[0].id
    assert found["seller_next_action_response"][0]["deadline"] > found["create_time"]
    assert find_cancellation(client, us_shop, cancel_types=["CANCEL"]) == []


# --- returns --------------------------------------------------------------------------------------


def request_return(control, order, return_type):
    status, answer = control(
        "POST", f"/sandbox/orders/{order.id}/returns", {"return_type": return_type}
    )
    assert status == 200
    return answer["return_id"]


def decide(client, shop, return_id, action, decision, key=None):
    params = {"idempotency_key": key} if key else None
    return client.request(
        "POST",
        f"{RETURNS}/{return_id}/{action}",
        params=params,
        json={"decision": decision},
        shop_cipher=shop.cipher,
    )


def test_a_refund_is_approved_then_completed(
    sandbox, client, control, us_shop, place, stock, pushed
):
    order = delivered_order(sandbox, place, control, us_shop, [stock(us_shop)[0].id])
    return_id = request_return(control, order, "REFUND")
    assert (
        find_return(client, us_shop, return_id)["return_status"]
        == "RETURN_OR_REFUND_REQUEST_PENDING"
    )
    decide(client, us_shop, return_id, "approve", "APPROVE_REFUND")
    assert (
        find_return(client, us_shop, return_id)["return_status"]
        == "RETURN_OR_REFUND_REQUEST_SUCCESS"
    )
    sandbox.advance(sandbox.state.timing["refund"] + 1)
    assert (
        find_return(client, us_shop, return_id)["return_status"]
        == "RETURN_OR_REFUND_REQUEST_COMPLETE"
    )
    statuses = [
        n["data"]["return_status"] for n in pushed(12) if n["data"]["return_id"] == return_id
    ]
    assert statuses == [
        "RETURN_OR_REFUND_REQUEST_PENDING",
        "RETURN_OR_REFUND_REQUEST_SUCCESS",
        "RETURN_OR_REFUND_REQUEST_COMPLETE",
    ]


def test_a_return_waits_for_the_buyer_to_ship_the_item_back(
    sandbox, client, control, us_shop, place, stock
):
    order = delivered_order(sandbox, place, control, us_shop, [stock(us_shop)[0].id])
    return_id = request_return(control, order, "RETURN_AND_REFUND")
    decide(client, us_shop, return_id, "approve", "APPROVE_RETURN", key="a-1")
    assert find_return(client, us_shop, return_id)["return_status"] == "AWAITING_BUYER_SHIP"
    sandbox.advance(sandbox.state.timing["buyer_return_shipping"] + 1)
    found = find_return(client, us_shop, return_id)
    assert found["return_status"] == "BUYER_SHIPPED_ITEM" and found["return_tracking_number"]
    decide(client, us_shop, return_id, "approve", "APPROVE_RECEIVED_PACKAGE", key="a-2")
    assert (
        find_return(client, us_shop, return_id)["return_status"]
        == "RETURN_OR_REFUND_REQUEST_SUCCESS"
    )


def test_rejecting_the_received_package(sandbox, client, control, us_shop, place, stock):
    order = delivered_order(sandbox, place, control, us_shop, [stock(us_shop)[0].id])
    return_id = request_return(control, order, "RETURN_AND_REFUND")
    decide(client, us_shop, return_id, "approve", "APPROVE_RETURN")
    sandbox.advance(sandbox.state.timing["buyer_return_shipping"] + 1)
    decide(client, us_shop, return_id, "reject", "REJECT_RECEIVED_PACKAGE")
    assert find_return(client, us_shop, return_id)["return_status"] == "REJECT_RECEIVE_PACKAGE"


def test_a_replacement_places_a_replacement_order(sandbox, client, control, us_shop, place, stock):
    order = delivered_order(sandbox, place, control, us_shop, [stock(us_shop)[0].id])
    return_id = request_return(control, order, "REPLACEMENT")
    assert find_return(client, us_shop, return_id)["return_status"] == "REPLACEMENT_REQUEST_PENDING"
    decide(client, us_shop, return_id, "approve", "APPROVE_REPLACEMENT")
    sandbox.advance(sandbox.state.timing["buyer_return_shipping"] + 1)
    decide(client, us_shop, return_id, "approve", "APPROVE_RECEIVED_PACKAGE")
    assert (
        find_return(client, us_shop, return_id)["return_status"] == "REPLACEMENT_REQUEST_COMPLETE"
    )
    [replacement] = [o for o in sandbox.state.orders.values() if o.replaced_order_id == order.id]
    data = detail(client, us_shop, replacement.id)
    assert data["is_replacement_order"] is True and data["payment"]["total_amount"] == "0.00"


def test_rejecting_a_refund_request(sandbox, client, control, us_shop, place, stock):
    order = delivered_order(sandbox, place, control, us_shop, [stock(us_shop)[0].id])
    return_id = request_return(control, order, "REFUND")
    decide(client, us_shop, return_id, "reject", "REJECT_REFUND")
    assert (
        find_return(client, us_shop, return_id)["return_status"]
        == "REFUND_OR_RETURN_REQUEST_REJECT"
    )


@pytest.mark.parametrize(
    ("action", "decision"),
    [
        ("approve", "APPROVE_RETURN"),
        ("approve", "REJECT_REFUND"),
        ("reject", "APPROVE_REFUND"),
        ("approve", "MAYBE"),
    ],
)
def test_a_decision_that_does_not_fit_is_refused(
    sandbox, client, control, us_shop, place, stock, api_error, action, decision
):
    order = delivered_order(sandbox, place, control, us_shop, [stock(us_shop)[0].id])
    return_id = request_return(control, order, "REFUND")
    assert api_error(decide, client, us_shop, return_id, action, decision).code == 36009004


def test_a_repeated_decision_with_its_key_answers_the_same(
    sandbox, client, control, us_shop, place, stock, pushed
):
    order = delivered_order(sandbox, place, control, us_shop, [stock(us_shop)[0].id])
    return_id = request_return(control, order, "REFUND")
    first = decide(client, us_shop, return_id, "approve", "APPROVE_REFUND", key="same")
    pushes = len(pushed(12))
    assert decide(client, us_shop, return_id, "approve", "APPROVE_REFUND", key="same") == first
    assert len(pushed(12)) == pushes


def test_a_return_needs_a_shipped_order(sandbox, control, us_shop, place, stock):
    order = seller_order(sandbox, place, us_shop, [stock(us_shop)[0].id])
    status, answer = control(
        "POST", f"/sandbox/orders/{order.id}/returns", {"return_type": "REFUND"}
    )
    assert status == 409 and "nothing to return" in answer["error"]


def test_return_search_shape_and_filters(sandbox, client, control, us_shop, place, stock):
    order = delivered_order(sandbox, place, control, us_shop, [stock(us_shop)[0].id])
    return_id = request_return(control, order, "RETURN_AND_REFUND")
    found = find_return(client, us_shop, return_id)
    assert found["order_id"] == order.id and found["role"] == "BUYER"
    assert found["return_line_items"][0]["order_line_item_id"] == order.line_items[0].id
    assert set(found["refund_amount"]) >= {
        "currency",
        "refund_total",
        "refund_subtotal",
        "refund_shipping_fee",
        "refund_tax",
    }
    by_status = client.request(
        "POST",
        f"{RETURNS}/search",
        params={"page_size": 10},
        json={
            "return_status": ["RETURN_OR_REFUND_REQUEST_PENDING"],
            "return_types": ["RETURN_AND_REFUND"],
        },
        shop_cipher=us_shop.cipher,
    )
    assert [r["return_id"] for r in by_status["return_orders"]] == [return_id]
