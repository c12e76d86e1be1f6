"""Finance through HTTP: the control API's adjustments, extra fees, payouts, bank lines and past
orders, read back through the connector's client as the connector will read them."""

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from tiktok_shop.errors import TikTokShopError

from .handler_fixtures import DAY, delivered_order, seller_client, stocked_skus

STATEMENTS = "/finance/202309/statements"
PAYMENTS = "/finance/202309/payments"
UNSETTLED = "/finance/202507/orders/unsettled"


def statement_transactions_path(statement_id):
    return f"/finance/202501/statements/{statement_id}/statement_transactions"


class Reader:
    """The finance lists of one shop, every page, through the connector's client."""

    def __init__(self, client, shop):
        self.client, self.shop = client, shop

    def pages(self, path, items_key, sort_field, page_size=100):
        return list(
            self.client.paginate(
                "GET",
                path,
                items_key=items_key,
                params={"sort_field": sort_field},
                page_size=page_size,
                shop_cipher=self.shop.cipher,
            )
        )

    def statements(self):
        return self.pages(STATEMENTS, "statements", "statement_time")

    def payments(self):
        return self.pages(PAYMENTS, "payments", "create_time")

    def transactions(self, statement_id):
        return self.pages(
            statement_transactions_path(statement_id), "transactions", "order_create_time"
        )

    def unsettled(self, page_size=100):
        return self.pages(UNSETTLED, "transactions", "order_create_time", page_size)


def test_adjustments_extra_fees_and_a_foreign_payout_through_the_control_api(sandbox, control):
    shop = sandbox.shop("GB")
    (sku,) = stocked_skus(sandbox, shop, count=1)
    order = delivered_order(sandbox, shop, [(sku.id, 1)])
    path = f"/sandbox/shops/{shop.id}"

    status, fees = control(
        "POST",
        f"/sandbox/orders/{order.id}/extra_fees",
        {"fee": {"sfp_service_fee_amount": "-0.40", "crate_fee_amount": "-1.111"}},
    )
    assert status == 200 and fees["fee"]["crate_fee_amount"] == "-1.11"
    status, chargeback = control(
        "POST",
        f"{path}/adjustments",
        {"type": "CHARGE_BACK", "amount": "-3.5", "order_id": order.id},
    )
    assert status == 200 and chargeback["amount"] == "-3.50" and chargeback["currency"] == "GBP"
    status, novel = control("POST", f"{path}/adjustments", {"type": "GREEN_BONUS", "amount": 2})
    assert status == 200
    status, listed = control("GET", f"{path}/adjustments")
    assert [a["adjustment_id"] for a in listed["adjustments"]] == [
        chargeback["adjustment_id"],
        novel["adjustment_id"],
    ]
    assert "SHIPPING_FEE_ADJUSTMENT" in listed["known_types"]
    status, payout = control(
        "POST", f"{path}/payout", {"currency": "USD", "exchange_rate": "1.2674"}
    )
    assert (status, payout["currency"], payout["exchange_rate"]) == (200, "USD", "1.2674")
    sandbox.advance(DAY)
    assert control("GET", f"{path}/bank_lines") == (200, {"bank_lines": []})  # not paid yet
    sandbox.advance(DAY)

    with seller_client(sandbox, shop) as client:
        reader = Reader(client, shop)
        (statement,) = reader.statements()
        (payment,) = reader.payments()
        transactions = {t["type"]: t for t in reader.transactions(statement["id"])}

    assert set(transactions) == {"ORDER", "CHARGE_BACK", "GREEN_BONUS"}
    sale = transactions["ORDER"]
    assert sale["fee_tax_breakdown"]["fee"]["crate_fee_amount"] == "-1.11"
    assert transactions["CHARGE_BACK"]["adjustment_order_id"] == order.id
    assert transactions["CHARGE_BACK"]["adjustment_id"] == chargeback["adjustment_id"]
    assert transactions["GREEN_BONUS"]["settlement_amount"] == "2.00"
    assert statement["adjustment_amount"] == "-1.50"
    assert Decimal(statement["settlement_amount"]) == sum(
        Decimal(t["settlement_amount"]) for t in transactions.values()
    )
    before = payment["payment_amount_before_exchange"]
    assert before == {"value": statement["settlement_amount"], "currency": "GBP"}
    expected = (Decimal(before["value"]) * Decimal("1.2674")).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    assert payment["amount"] == {"value": str(expected), "currency": "USD"}
    assert payment["exchange_rate"] == "1.2674" and payment["status"] == "PAID"
    paid_on = datetime.fromtimestamp(payment["paid_time"], UTC).date().isoformat()
    assert control("GET", f"{path}/bank_lines") == (
        200,
        {
            "bank_lines": [
                {
                    "date": paid_on,
                    "amount": str(expected),
                    "currency": "USD",
                    "payment_ref": f"TikTok Shop payout {payment['id']}",
                    "account_number": "****6789",
                }
            ]
        },
    )


def test_what_the_finance_control_api_refuses(sandbox, control):
    gb, us = sandbox.shop("GB"), sandbox.shop("US")
    (sku,) = stocked_skus(sandbox, gb, count=1)
    order = delivered_order(sandbox, gb, [(sku.id, 1)])
    sandbox.advance(DAY)
    adjustments = f"/sandbox/shops/{gb.id}/adjustments"

    def refused(method, path, payload):
        status, answer = control(method, path, payload)
        return status, "error" in answer

    assert refused("POST", f"/sandbox/orders/{order.id}/extra_fees", {"fee": {"x": "-1"}}) == (
        409,
        True,
    )
    assert refused("POST", adjustments, {"type": "REBATE", "amount": "many"}) == (400, True)
    assert refused("POST", adjustments, {"amount": "1"}) == (400, True)
    assert refused(
        "POST", adjustments, {"type": "REBATE", "amount": "1", "time": sandbox.state.now() - DAY}
    ) == (409, True)
    assert refused(
        "POST",
        f"/sandbox/shops/{us.id}/adjustments",
        {"type": "REBATE", "amount": "1", "order_id": order.id},
    ) == (409, True)
    assert refused("POST", "/sandbox/shops/42/adjustments", {"type": "REBATE", "amount": "1"}) == (
        404,
        True,
    )
    assert refused("POST", f"/sandbox/shops/{gb.id}/payout", {"currency": "USD"}) == (400, True)


def test_settled_orders_make_a_paid_history_without_webhooks_timers_or_stock(
    sandbox, control, pushed
):
    shop = sandbox.shop("JP")
    state = sandbox.state
    inventory_before = control("GET", f"/sandbox/inventory?shop_id={shop.id}")[1]
    webhooks_before, timers_before = len(pushed()), len(state.timers)
    now = state.now()

    status, made = control(
        "POST", f"/sandbox/shops/{shop.id}/settled_orders", {"count": 90, "days": 3}
    )

    assert status == 200 and made["created"] == 90
    last_cut = now // DAY * DAY
    assert (made["delivered_from"], made["delivered_until"]) == (last_cut - 4 * DAY, last_cut - DAY)
    assert len(pushed()) == webhooks_before and len(state.timers) == timers_before
    assert control("GET", f"/sandbox/inventory?shop_id={shop.id}")[1] == inventory_before
    listed = control("GET", f"/sandbox/orders?shop_id={shop.id}")[1]
    assert listed["orders_per_status"] == {"DELIVERED": 90}
    with seller_client(sandbox, shop) as client:
        reader = Reader(client, shop)
        statements = reader.statements()
        payments = reader.payments()
        per_statement = [reader.transactions(s["id"]) for s in statements]
        detail = client.request(
            "GET",
            "/order/202309/orders",
            params={"ids": made["first_order_id"]},
            shop_cipher=shop.cipher,
        )
    assert [len(transactions) for transactions in per_statement] == [30, 30, 30]
    assert {p["status"] for p in payments} == {"PAID"} and len(payments) == 3
    (first,) = detail["orders"]
    assert (
        first["status"] == "DELIVERED" and first["line_items"][0]["package_status"] == "COMPLETED"
    )


def test_settled_orders_refuse_a_future_or_an_empty_history(sandbox, control):
    path = f"/sandbox/shops/{sandbox.shop('US').id}/settled_orders"
    future = sandbox.state.now() + DAY
    assert control("POST", path, {"count": 10, "end_time": future})[0] == 400
    assert control("POST", path, {"count": 0})[0] == 400
    assert control("POST", path, {"count": 10, "days": 0})[0] == 400


def test_unsettled_orders_page_through_http(sandbox):
    shop = sandbox.shop("US")
    first, second = stocked_skus(sandbox, shop)
    on_the_way = [
        delivered_order(sandbox, shop, [(first.id, 1)]),
        delivered_order(sandbox, shop, [(second.id, 1)]),
    ]

    with seller_client(sandbox, shop) as client:
        reader = Reader(client, shop)
        one_by_one = reader.unsettled(page_size=1)
        with pytest.raises(TikTokShopError) as refused:
            reader.unsettled(page_size=101)
        sandbox.advance(DAY)
        after_the_cut = reader.unsettled()

    assert [t["order_id"] for t in one_by_one] == [order.id for order in on_the_way]
    assert {t["unsettled_reason"] for t in one_by_one} == {"DELIVERED_NOT_CUT"}
    assert refused.value.code == 36009004
    assert after_the_cut == []
