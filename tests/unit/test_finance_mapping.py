"""Reading statements for booking: signs settled, sums checked, every amount given a kind."""

from decimal import Decimal

import pytest
from tiktok_shop import finance
from tiktok_shop.errors import TikTokDataError

from tiktok_shop_sandbox.tests.handler_fixtures import DAY, World

STATEMENTS = "/finance/202309/statements"


def transaction(**overrides):
    """A sale of 20.00 less a 2.00 seller discount, 1.08 referral fee and a 4.50 label."""
    data = {
        "id": "tx1",
        "type": "ORDER",
        "order_id": "576",
        "revenue_amount": "18.00",
        "shipping_cost_amount": "-4.50",
        "fee_tax_amount": "-1.08",
        "adjustment_amount": "0",
        "settlement_amount": "12.42",
        "revenue_breakdown": {
            "subtotal_before_discount_amount": "20.00",
            "seller_discount_amount": "-2.00",
        },
        "shipping_cost_breakdown": {"actual_shipping_fee_amount": "-4.50"},
        "fee_tax_breakdown": {"fee": {"referral_fee_amount": "-1.08"}, "tax": {}},
    }
    data.update(overrides)
    return data


def test_signed_amounts_are_read_as_they_are():
    read = finance.read_transaction(transaction())
    assert read.proceeds == Decimal("18.00")
    assert read.total_of("commission") == Decimal("-1.08")
    assert read.total_of("shipping_cost") == Decimal("-4.50")
    assert sum(c.amount for c in read.components) == read.settlement


def test_magnitudes_are_turned_into_signed_amounts():
    """The 202501 pages' "revenue - shipping - fee_tax - adjustment" with positive costs."""
    read = finance.read_transaction(
        transaction(
            shipping_cost_amount="4.50",
            fee_tax_amount="1.08",
            shipping_cost_breakdown={"actual_shipping_fee_amount": "4.50"},
            fee_tax_breakdown={"fee": {"referral_fee_amount": "1.08"}},
        )
    )
    assert read.shipping_cost == Decimal("-4.50")
    assert read.fee_tax == Decimal("-1.08")
    assert read.total_of("commission") == Decimal("-1.08")
    assert sum(c.amount for c in read.components) == read.settlement


def test_a_settlement_that_adds_up_neither_way_is_refused():
    with pytest.raises(TikTokDataError, match=r"settlement 13\.00 is neither"):
        finance.read_transaction(transaction(settlement_amount="13.00"))


def test_a_breakdown_that_misses_its_total_is_refused():
    with pytest.raises(TikTokDataError, match=r"fee/tax breakdown adds up to -1\.00"):
        finance.read_transaction(
            transaction(fee_tax_breakdown={"fee": {"referral_fee_amount": "-1.00"}})
        )


def test_an_unknown_fee_key_is_kept_as_unknown_never_dropped():
    read = finance.read_transaction(
        transaction(
            fee_tax_amount="-1.58",
            settlement_amount="11.92",
            fee_tax_breakdown={
                "fee": {"referral_fee_amount": "-1.08", "brand_new_fee_amount": "-0.50"}
            },
        )
    )
    assert read.unknown_keys == ["brand_new_fee_amount"]
    assert read.total_of(finance.UNKNOWN) == Decimal("-0.50")
    assert sum(c.amount for c in read.components) == read.settlement


def test_adjustments_and_reserves_get_their_kinds():
    adjustment = finance.read_transaction(
        {
            "id": "adj1",
            "type": "PLATFORM_PENALTY",
            "adjustment_id": "a1",
            "adjustment_amount": "-5.00",
            "settlement_amount": "-5.00",
        }
    )
    assert [(c.kind, c.amount) for c in adjustment.components] == [("penalty", Decimal("-5.00"))]
    unknown = finance.read_transaction(
        {"id": "adj2", "type": "NEW_TYPE", "adjustment_amount": "2", "settlement_amount": "2"}
    )
    assert unknown.unknown_keys == ["NEW_TYPE"]
    reserve = finance.read_transaction(
        {
            "id": "r1",
            "type": "RESERVE",
            "reserve_amount": "-3.00",
            "reserve_status": "COLLECTED",
            "settlement_amount": "0",
        }
    )
    assert [(c.kind, c.amount) for c in reserve.components] == [("reserve", Decimal("-3.00"))]


def test_a_total_without_breakdown_is_booked_whole():
    read = finance.read_transaction(transaction(shipping_cost_breakdown={}, fee_tax_breakdown={}))
    assert read.total_of(finance.UNKNOWN) == Decimal("-5.58")
    assert sum(c.amount for c in read.components) == read.settlement


def test_every_kind_of_the_tables_has_a_label():
    kinds = (
        set(finance.SHIPPING_KINDS.values())
        | set(finance.FEE_KINDS.values())
        | set(finance.ADJUSTMENT_KINDS.values())
    )
    assert kinds <= set(finance.KIND_LABELS)


@pytest.mark.parametrize("region", ["US", "GB", "JP", "ID"])
def test_the_sandbox_statements_add_up_in_every_currency(region):
    """Settlement = revenue + shipping + fees + adjustment for every transaction and statement
    of a day of orders, a refund the next day, in USD, GBP, JPY and IDR."""
    world = World()
    shop = {"US": world.us, "GB": world.gb, "JP": world.jp, "ID": world.id}[region]
    product = world.add_product(shop, prices=("20.00", "35.50"))
    first, second = product.skus
    world.add_order(shop, [(first, 2)], seller_discount="1.00", platform_discount="1.00")
    refunded = world.add_order(shop, [(first, 1), (second, 3)], creator="mia", commission_rate=900)
    world.advance(DAY)
    world.add_return(refunded, refunded.line_items[:1])
    world.advance(2 * DAY)
    statements = world.call("GET", STATEMENTS, shop, query={"sort_field": "statement_time"})
    assert len(statements["statements"]) == 2
    for data in statements["statements"]:
        statement = finance.read_statement(data)
        assert statement.currency == shop.currency
        path = f"/finance/202501/statements/{statement.ref}/statement_transactions"
        detail = world.call("GET", path, shop, query={"sort_field": "order_create_time"})
        transactions = [finance.read_transaction(t) for t in detail["transactions"]]
        assert sum(t.settlement for t in transactions) == statement.settlement
        for read in transactions:
            assert read.revenue + read.shipping_cost + read.fee_tax + read.adjustment == (
                read.settlement
            )
            assert sum(c.amount for c in read.components) == read.settlement + read.reserve
            assert not read.unknown_keys


def unsettled(**overrides):
    """TikTok's estimate for an order in transit: the sale of `transaction()`, not cut yet."""
    data = {
        "id": "tx9",
        "order_id": "577",
        "status": "UNSETTLED",
        "est_revenue_amount": "18.00",
        "est_shipping_cost_amount": "-4.50",
        "est_fee_tax_amount": "-1.08",
        "est_adjustment_amount": "0",
        "est_settlement_amount": "12.42",
        "unsettled_reason": "NOT_DELIVERED",
        "revenue_breakdown": {
            "subtotal_before_discount_amount": "20.00",
            "seller_discount_amount": "-2.00",
        },
        "shipping_cost_breakdown": {"actual_shipping_fee_amount": "-4.50"},
        "fee_tax_breakdown": {"fee": {"referral_fee_amount": "-1.08"}},
    }
    data.update(overrides)
    return data


def test_an_estimate_is_read_with_the_statements_signs():
    read = finance.read_unsettled(unsettled())
    assert (read.order_ref, read.reason) == ("577", "NOT_DELIVERED")
    assert (read.settlement, read.fee_tax) == (Decimal("12.42"), Decimal("-1.08"))
    assert read.total_of("commission") == Decimal("-1.08")


def test_an_estimate_in_magnitudes_is_turned_into_signed_amounts():
    read = finance.read_unsettled(
        unsettled(
            est_shipping_cost_amount="4.50",
            est_fee_tax_amount="1.08",
            shipping_cost_breakdown={"actual_shipping_fee_amount": "4.50"},
            fee_tax_breakdown={"fee": {"referral_fee_amount": "1.08"}},
        )
    )
    assert (read.shipping_cost, read.fee_tax) == (Decimal("-4.50"), Decimal("-1.08"))
    assert read.total_of("shipping_cost") == Decimal("-4.50")


def test_an_estimate_that_adds_up_neither_way_is_refused():
    with pytest.raises(TikTokDataError, match=r"unsettled.*settlement 13\.00 is neither"):
        finance.read_unsettled(unsettled(est_settlement_amount="13.00"))
