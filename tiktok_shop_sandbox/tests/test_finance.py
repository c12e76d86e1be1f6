"""Finance endpoints of the sandbox: settlement derived from orders, one sign convention."""

from decimal import Decimal

import pytest

from tiktok_shop_sandbox import finance, orders
from tiktok_shop_sandbox.routing import ApiError

from .handler_fixtures import DAY, World, delivered_order, seller_client, stocked_skus

STATEMENTS = "/finance/202309/statements"
PAYMENTS = "/finance/202309/payments"
UNSETTLED = "/finance/202507/orders/unsettled"


def statement_transactions_path(statement_id):
    return f"/finance/202501/statements/{statement_id}/statement_transactions"


def order_transactions_path(order_id):
    return f"/finance/202501/orders/{order_id}/statement_transactions"


class Shops:
    """Orders of every kind in the US (USD), ID (IDR) and JP (JPY) shops, all delivered today."""

    def __init__(self):
        self.world = world = World()
        self.orders = {}
        for shop, prices, discount, platform in (
            (world.us, ("20.00", "35.50"), "2.00", "1.00"),
            (world.id, ("149000", "89500"), "14900", "7450"),
            (world.jp, ("1980", "3280"), "198", "99"),
        ):
            product = world.add_product(shop, prices=prices)
            first, second = product.skus
            self.orders[shop.region] = {
                "discounted": world.add_order(
                    shop, [(first, 2)], seller_discount=discount, platform_discount=platform
                ),
                "affiliate": world.add_order(
                    shop,
                    [(first, 1), (second, 3)],
                    surface="AFFILIATE",
                    creator="glowwithmia",
                    commission_rate=1550,
                    shipping_type="SELLER",
                    shipping_platform_discount={"US": "5.99", "ID": "12000", "JP": "600"}[
                        shop.region
                    ],
                ),
                "cancelled": world.add_order(shop, [(second, 1)], status="CANCELLED"),
                "waiting": world.add_order(shop, [(second, 1)], status="AWAITING_SHIPMENT"),
                "refunded": world.add_order(shop, [(first, 1), (second, 1)], status="COMPLETED"),
            }

    def shop(self, region):
        return {"US": self.world.us, "ID": self.world.id, "JP": self.world.jp}[region]

    def statements(self, region, **query):
        query = {"sort_field": "statement_time", **query}
        return self.world.call("GET", STATEMENTS, self.shop(region), query=query)["statements"]

    def transactions(self, region, statement_id):
        return self.world.call(
            "GET",
            statement_transactions_path(statement_id),
            self.shop(region),
            query={"sort_field": "order_create_time", "page_size": 100},
        )

    def order_settlement(self, region, name):
        order = self.orders[region][name]
        return self.world.call("GET", order_transactions_path(order.id), self.shop(region))

    def payments(self, region):
        query = {"sort_field": "create_time"}
        return self.world.call("GET", PAYMENTS, self.shop(region), query=query)["payments"]

    def unsettled(self, region, **query):
        query = {"sort_field": "order_create_time", "page_size": 100, **query}
        return self.world.call("GET", UNSETTLED, self.shop(region), query=query)["transactions"]

    def settled_transaction(self, region, order):
        """The sale of `order` in the shop's statements."""
        return next(
            transaction
            for statement in self.statements(region)
            for transaction in self.transactions(region, statement["id"])["transactions"]
            if transaction["order_id"] == order.id
        )


@pytest.fixture
def shops():
    return Shops()


def money_strings(data):
    """Every money string of an answer: `*_amount` fields and `{value|amount, currency}`."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str) and (key.endswith("_amount") or key in ("value", "amount")):
                yield value
            else:
                yield from money_strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from money_strings(value)


def assert_minor_units(data, currency):
    decimals = {"IDR": 0, "JPY": 0}.get(currency, 2)
    for text in money_strings(data):
        fraction = text.partition(".")[2]
        assert len(fraction) == decimals, f"{text!r} is not in {currency} minor units"


def total(*amounts):
    return sum((Decimal(amount) for amount in amounts), Decimal(0))


def test_no_statement_before_the_daily_cut(shops):
    assert shops.statements("US") == []


def test_hand_computed_usd_order_settlement(shops):
    shops.world.advance(DAY)

    settlement = shops.order_settlement("US", "discounted")

    # 2 units at 20.00 less 2.00 seller discount each; platform paid 1.00 each on top.
    assert settlement["revenue_amount"] == "36.00"
    # Buyer paid 5.99 shipping, TikTok's label cost 4.50.
    assert settlement["shipping_cost_amount"] == "1.49"
    # 6 % referral on 36.00 (2.16) + 2.9 % transaction fee on 34.00 + 5.99 (1.16).
    assert settlement["fee_and_tax_amount"] == "-3.32"
    assert settlement["settlement_amount"] == "34.17"
    sku = settlement["sku_transactions"][0]
    assert sku["quantity"] == "2"
    assert sku["revenue_breakdown"]["subtotal_before_discount_amount"] == "40.00"
    assert sku["revenue_breakdown"]["seller_discount_amount"] == "-4.00"
    assert sku["fee_tax_breakdown"]["fee"]["referral_fee_amount"] == "-2.16"
    assert sku["fee_tax_breakdown"]["fee"]["platform_commission_amount"] == "0.00"
    assert sku["shipping_cost_breakdown"]["actual_shipping_fee_amount"] == "-4.50"


@pytest.mark.parametrize("region", ["US", "ID", "JP"])
def test_settlement_identity_holds_to_the_minor_unit(shops, region):
    currency = shops.shop(region).currency
    shops.world.advance(DAY)
    refunded = shops.orders[region]["refunded"]
    shops.world.add_return(refunded, refunded.line_items[:1])
    shops.world.advance(DAY)

    statements = shops.statements(region)
    assert len(statements) == 2
    for statement in statements:
        assert_minor_units(statement, currency)
        assert Decimal(statement["settlement_amount"]) == total(
            statement["revenue_amount"],
            statement["shipping_cost_amount"],
            statement["fee_amount"],
            statement["adjustment_amount"],
        )
        detail = shops.transactions(region, statement["id"])
        assert_minor_units(detail, currency)
        check_statement_transactions(statement, detail)
    payments = shops.world.call(
        "GET", PAYMENTS, shops.shop(region), query={"sort_field": "create_time"}
    )["payments"]
    assert [p["id"] for p in payments] == [s["payment_id"] for s in statements]
    for payment, statement in zip(payments, statements, strict=True):
        assert_minor_units(payment, currency)
        assert payment["settlement_amount"]["value"] == statement["settlement_amount"]
        assert Decimal(payment["amount"]["value"]) == total(
            payment["settlement_amount"]["value"], payment["reserve_amount"]["value"]
        )
    for name in ("discounted", "affiliate", "refunded"):
        check_order_settlement(shops.order_settlement(region, name), currency)


def check_statement_transactions(statement, detail):
    transactions = detail["transactions"]
    assert detail["total_count"] == len(transactions)
    for transaction in transactions:
        assert Decimal(transaction["settlement_amount"]) == total(
            transaction["revenue_amount"],
            transaction["shipping_cost_amount"],
            transaction["fee_tax_amount"],
            transaction["adjustment_amount"],
        )
        fees = transaction["fee_tax_breakdown"]
        assert Decimal(transaction["fee_tax_amount"]) == total(
            *fees["fee"].values(), *fees["tax"].values()
        )
        assert Decimal(transaction["revenue_amount"]) == total(
            *transaction["revenue_breakdown"].values()
        )
    breakdown = detail["total_settlement_breakdown"]
    for name in ("revenue", "shipping_cost", "fee_tax", "adjustment"):
        key = f"{name}_amount"
        assert Decimal(breakdown[f"total_{key}"]) == total(*(t[key] for t in transactions))
    assert Decimal(detail["total_settlement_amount"]) == total(*breakdown.values())
    assert detail["total_settlement_amount"] == statement["settlement_amount"]
    assert Decimal(detail["payable_amount"]) == total(
        detail["total_settlement_amount"], detail["total_reserve_amount"]
    )
    assert breakdown["total_fee_tax_amount"] == statement["fee_amount"]


def check_order_settlement(settlement, currency):
    assert_minor_units(settlement, currency)
    lines = settlement["sku_transactions"]
    assert lines
    for line in lines:
        assert Decimal(line["settlement_amount"]) == total(
            line["revenue_amount"], line["shipping_cost_amount"], line["fee_tax_amount"]
        )
    assert Decimal(settlement["settlement_amount"]) == total(
        settlement["revenue_amount"],
        settlement["shipping_cost_amount"],
        settlement["fee_and_tax_amount"],
    )
    assert Decimal(settlement["settlement_amount"]) == total(
        *(line["settlement_amount"] for line in lines)
    )


def test_cancelled_and_unshipped_orders_are_not_settled(shops):
    shops.world.advance(DAY)
    statement = shops.statements("US")[0]

    settled_ids = {t["order_id"] for t in shops.transactions("US", statement["id"])["transactions"]}

    orders = shops.orders["US"]
    assert settled_ids == {orders[name].id for name in ("discounted", "affiliate", "refunded")}
    assert shops.order_settlement("US", "cancelled")["sku_transactions"] == []
    assert shops.order_settlement("US", "waiting")["settlement_amount"] == "0.00"


def test_refund_after_settlement_is_negative_revenue_in_a_later_statement(shops):
    shops.world.advance(DAY)
    order = shops.orders["JP"]["refunded"]
    refunded_item = order.line_items[1]
    shops.world.add_return(order, [refunded_item], return_type="RETURN_AND_REFUND")
    shops.world.advance(DAY)

    later = shops.statements("JP")[1]
    (refund,) = shops.transactions("JP", later["id"])["transactions"]

    assert refund["order_id"] == order.id
    assert refund["revenue_breakdown"]["refund_subtotal_before_discount_amount"] == "-3280"
    assert refund["revenue_amount"] == "-3280"
    # The commission and the transaction fee on the refunded unit come back to the seller.
    assert Decimal(refund["fee_tax_amount"]) > 0
    assert Decimal(later["settlement_amount"]) < 0
    lines = shops.order_settlement("JP", "refunded")["sku_transactions"]
    assert [line["statement_id"] for line in lines].count(later["id"]) == 1


def test_partial_refund_gives_back_its_share(shops):
    shops.world.advance(DAY)
    order = shops.orders["US"]["discounted"]  # each unit: 20.00, seller -2.00, buyer paid 17.00
    partial = shops.world.add_return(order, order.line_items[:1])
    partial.refund_amount = "8.50"
    shops.world.advance(DAY)

    later = shops.statements("US")[1]
    (refund,) = shops.transactions("US", later["id"])["transactions"]

    assert refund["revenue_breakdown"]["refund_subtotal_before_discount_amount"] == "-10.00"
    assert refund["revenue_breakdown"]["seller_discount_refund_amount"] == "1.00"
    assert refund["revenue_amount"] == "-9.00"
    # Referral fee on 9.00 (0.54) and transaction fee on 8.50 (0.25) come back.
    assert refund["fee_tax_amount"] == "0.79"
    assert refund["settlement_amount"] == later["settlement_amount"] == "-8.21"


def test_affiliate_commission_is_deducted_at_its_rate(shops):
    shops.world.advance(DAY)

    settlement = shops.order_settlement("ID", "affiliate")

    fees = [line["fee_tax_breakdown"]["fee"] for line in settlement["sku_transactions"]]
    # 15.50 % of 149000 (1 unit) and of 3 x 89500 = 268500, rounded to the rupiah.
    assert [fee["affiliate_commission_amount"] for fee in fees] == ["-23095", "-41618"]
    assert fees[0]["platform_commission_amount"] == "-8940"
    shipping = settlement["sku_transactions"][0]["shipping_cost_breakdown"]
    assert shipping["actual_shipping_fee_amount"] == "0"  # the seller ships with its carrier


def test_statements_are_cut_at_midnight_and_paid_a_day_later(shops):
    shops.world.advance(DAY)
    (statement,) = shops.statements("US")

    assert statement["statement_time"] % DAY == 0
    assert statement["statement_time"] <= shops.world.state.now()
    assert statement["payment_status"] == "PROCESSING"
    assert shops.statements("US", payment_status="PAID") == []

    shops.world.advance(DAY)

    (paid,) = shops.statements("US", payment_status="PAID")
    assert paid["id"] == statement["id"]
    payment = shops.world.call(
        "GET", PAYMENTS, shops.world.us, query={"sort_field": "create_time"}
    )["payments"][0]
    assert payment["status"] == "PAID"
    assert payment["paid_time"] == statement["statement_time"] + DAY


def test_statement_time_filters_are_half_open(shops):
    shops.world.advance(DAY)
    (statement,) = shops.statements("US")
    cut = statement["statement_time"]

    assert shops.statements("US", statement_time_ge=cut, statement_time_lt=cut + 1) != []
    assert shops.statements("US", statement_time_lt=cut) == []


def test_reserve_is_withheld_then_released(shops):
    shops.world.state.fee_rates.reserve = Decimal("0.10")
    shops.world.advance(DAY)
    (statement,) = shops.statements("US")
    detail = shops.transactions("US", statement["id"])

    reserves = [t for t in detail["transactions"] if t["type"] == "RESERVE"]
    assert len(reserves) == 3
    assert all(
        t["reserve_status"] == "COLLECTED" and t["settlement_amount"] == "0.00" for t in reserves
    )
    assert Decimal(detail["total_reserve_amount"]) < 0
    assert Decimal(detail["payable_amount"]) == total(
        detail["total_settlement_amount"], detail["total_reserve_amount"]
    )

    shops.world.advance(finance.RESERVE_DAYS * DAY)

    release = shops.statements("US")[-1]
    released = shops.transactions("US", release["id"])
    assert Decimal(released["total_reserve_amount"]) == -Decimal(detail["total_reserve_amount"])
    assert {t["reserve_status"] for t in released["transactions"]} == {"RELEASED"}


def test_reserve_is_a_us_and_uk_policy(shops):
    shops.world.state.fee_rates.reserve = Decimal("0.10")
    shops.world.advance(DAY)
    (statement,) = shops.statements("ID")

    detail = shops.transactions("ID", statement["id"])

    assert detail["total_reserve_amount"] == "0"
    assert {t["type"] for t in detail["transactions"]} == {"ORDER"}


@pytest.mark.parametrize(
    ("path", "query"),
    [
        (STATEMENTS, {}),
        (STATEMENTS, {"sort_field": "create_time"}),
        (PAYMENTS, {}),
        (statement_transactions_path("1"), {"sort_field": "statement_time"}),
        (UNSETTLED, {}),
        (UNSETTLED, {"sort_field": "create_time"}),
    ],
)
def test_sort_field_is_required(shops, path, query):
    with pytest.raises(ApiError) as refused:
        shops.world.call("GET", path, shops.world.us, query=query)

    assert refused.value.code == 36009004
    assert "sort_field" in refused.value.message


@pytest.mark.parametrize(
    "path",
    [
        "/finance/202309/statements/123/statement_transactions",
        "/finance/202309/orders/456/statement_transactions",
    ],
)
def test_retired_transaction_versions_answer_like_tiktok(shops, path):
    with pytest.raises(ApiError) as refused:
        shops.world.call("GET", path, shops.world.us, query={"sort_field": "order_create_time"})

    assert (refused.value.code, refused.value.message) == (36009014, "The version name is invalid")


def test_unknown_statement_and_foreign_order_are_refused(shops):
    shops.world.advance(DAY)
    with pytest.raises(ApiError, match="does not exist"):
        shops.transactions("US", "42")
    japanese = shops.orders["JP"]["discounted"]
    with pytest.raises(ApiError, match="does not exist"):
        shops.world.call("GET", order_transactions_path(japanese.id), shops.world.us)


def test_allocate_spreads_a_total_without_losing_a_minor_unit():
    parts = finance.allocate(Decimal("-4.50"), [1, 1, 1, 4], "USD")
    assert sum(parts) == Decimal("-4.50")
    assert parts == [Decimal("-0.64"), Decimal("-0.64"), Decimal("-0.65"), Decimal("-2.57")]
    assert finance.allocate(Decimal("600"), [2, 1], "JPY") == [Decimal("400"), Decimal("200")]
    assert sum(finance.allocate(Decimal("12001"), [1, 1, 1], "IDR")) == Decimal("12001")


@pytest.mark.parametrize("region", ["US", "ID", "JP"])
def test_settlement_identity_through_http(sandbox, region):
    shop = sandbox.shop(region)
    first, second = stocked_skus(sandbox, shop)
    orders = [
        delivered_order(
            sandbox,
            shop,
            [(first.id, 2), (second.id, 1)],
            seller_discount_rate="0.15",
            platform_discount_rate="0.05",
        ),
        delivered_order(
            sandbox,
            shop,
            [(second.id, 1)],
            surface="AFFILIATE",
            creator_username="dealsbyana",
            commission_rate=1250,
        ),
    ]
    sandbox.advance(DAY)

    with seller_client(sandbox, shop) as client:

        def pages(path, items_key, sort_field):
            return list(
                client.paginate(
                    "GET",
                    path,
                    items_key=items_key,
                    params={"sort_field": sort_field},
                    shop_cipher=shop.cipher,
                )
            )

        statements = pages(STATEMENTS, "statements", "statement_time")
        payments = pages(PAYMENTS, "payments", "create_time")
        details = {
            s["id"]: client.request(
                "GET",
                statement_transactions_path(s["id"]),
                params={"sort_field": "order_create_time", "page_size": 100},
                shop_cipher=shop.cipher,
            )
            for s in statements
        }
        per_order = [
            client.request("GET", order_transactions_path(o.id), shop_cipher=shop.cipher)
            for o in orders
        ]

    assert statements and len(payments) == len(statements)
    settled = {t["order_id"] for d in details.values() for t in d["transactions"]}
    assert settled == {order.id for order in orders}
    for statement in statements:
        assert_minor_units(statement, shop.currency)
        check_statement_transactions(statement, details[statement["id"]])
    for payment in payments:
        assert Decimal(payment["amount"]["value"]) == total(
            payment["settlement_amount"]["value"], payment["reserve_amount"]["value"]
        )
    for settlement in per_order:
        check_order_settlement(settlement, shop.currency)


# --- unsettled orders -----------------------------------------------------------------------------


ESTIMATES = ("revenue", "shipping_cost", "fee_tax", "adjustment", "settlement")
BREAKDOWNS = ("revenue_breakdown", "shipping_cost_breakdown", "fee_tax_breakdown")


def check_estimate(entry, currency):
    assert entry["status"] == "UNSETTLED" and entry["currency"] == currency
    assert_minor_units(entry, currency)
    assert Decimal(entry["est_settlement_amount"]) == total(
        entry["est_revenue_amount"],
        entry["est_shipping_cost_amount"],
        entry["est_fee_tax_amount"],
        entry["est_adjustment_amount"],
    )
    fees = entry["fee_tax_breakdown"]
    assert Decimal(entry["est_fee_tax_amount"]) == total(
        *fees["fee"].values(), *fees["tax"].values()
    )
    assert Decimal(entry["est_revenue_amount"]) == total(*entry["revenue_breakdown"].values())


def test_unsettled_lists_paid_orders_until_their_sale_is_cut(shops):
    orders = shops.orders["US"]

    entries = shops.unsettled("US")

    assert {entry["order_id"]: entry["unsettled_reason"] for entry in entries} == {
        orders["waiting"].id: "NOT_DELIVERED",
        orders["discounted"].id: "DELIVERED_NOT_CUT",
        orders["affiliate"].id: "DELIVERED_NOT_CUT",
        orders["refunded"].id: "DELIVERED_NOT_CUT",
    }
    for entry in entries:
        check_estimate(entry, "USD")

    shops.world.advance(DAY)

    assert [(e["order_id"], e["unsettled_reason"]) for e in shops.unsettled("US")] == [
        (orders["waiting"].id, "NOT_DELIVERED")
    ]


def test_unsettled_estimate_is_what_the_sale_settles_to(shops):
    waiting = shops.orders["JP"]["waiting"]  # one unit at 3280 yen, the buyer paid 600 shipping
    (estimate,) = [e for e in shops.unsettled("JP") if e["order_id"] == waiting.id]

    assert estimate["est_revenue_amount"] == "3280"
    # TikTok's label: 4.50 USD at 150 yen.
    assert estimate["est_shipping_cost_amount"] == "-75"
    # 6 % commission on 3280 (197) + 2.9 % transaction fee on 3280 + 600 (113).
    assert estimate["est_fee_tax_amount"] == "-310"
    assert estimate["est_settlement_amount"] == "2895"
    check_estimate(estimate, "JPY")

    orders.progress_order(shops.world.state, waiting, "DELIVERED")
    shops.world.advance(DAY)

    settled = shops.settled_transaction("JP", waiting)
    assert settled["id"] == estimate["id"]
    for name in ESTIMATES:
        assert settled[f"{name}_amount"] == estimate[f"est_{name}_amount"]
    for breakdown in BREAKDOWNS:
        assert settled[breakdown] == estimate[breakdown]


def test_unsettled_leaves_out_what_will_not_settle(shops):
    world, jp = shops.world, shops.world.jp
    first, second = world.state.products[
        shops.orders["JP"]["waiting"].line_items[0].product_id
    ].skus
    unpaid = world.add_order(jp, [(first, 1)], status="UNPAID")
    all_refunded = world.add_order(jp, [(first, 1)], status="AWAITING_SHIPMENT")
    world.add_return(all_refunded, all_refunded.line_items)
    partly_refunded = world.add_order(jp, [(first, 1), (second, 1)], status="AWAITING_SHIPMENT")
    world.add_return(partly_refunded, partly_refunded.line_items[:1])

    listed = {entry["order_id"]: entry for entry in shops.unsettled("JP")}

    assert unpaid.id not in listed and all_refunded.id not in listed
    assert shops.orders["JP"]["cancelled"].id not in listed
    # The 1980 yen unit was refunded: only the 3280 yen one is left to settle.
    assert listed[partly_refunded.id]["est_revenue_amount"] == "3280"


def test_unsettled_search_time_sorting_and_paging(shops):
    world, us = shops.world, shops.world.us
    world.advance(3600)
    sku = world.state.products[shops.orders["US"]["waiting"].line_items[0].product_id].skus[0]
    later = world.add_order(us, [(sku, 1)], status="AWAITING_SHIPMENT")
    start = shops.orders["US"]["waiting"].create_time

    assert [e["order_id"] for e in shops.unsettled("US", search_time_ge=start + 1)] == [later.id]
    assert later.id not in {e["order_id"] for e in shops.unsettled("US", search_time_lt=start + 1)}
    newest_first = shops.unsettled("US", sort_order="DESC")
    assert newest_first[0]["order_id"] == later.id
    assert newest_first == shops.unsettled("US")[::-1]
    page = world.call(
        "GET", UNSETTLED, us, query={"sort_field": "order_create_time", "page_size": 2}
    )
    assert page["total_count"] == 5 and len(page["transactions"]) == 2 and page["next_page_token"]


# --- the cache behind every read ------------------------------------------------------------------


def test_a_change_after_a_cached_read_shows_in_the_next_read(shops):
    state, waiting = shops.world.state, shops.orders["US"]["waiting"]
    reasons = {e["order_id"]: e["unsettled_reason"] for e in shops.unsettled("US")}
    assert reasons[waiting.id] == "NOT_DELIVERED"
    assert finance.shop_statements(state, shops.world.us) == []

    orders.progress_order(state, waiting, "DELIVERED")

    reasons = {e["order_id"]: e["unsettled_reason"] for e in shops.unsettled("US")}
    assert reasons[waiting.id] == "DELIVERED_NOT_CUT"
    shops.world.advance(DAY)
    assert shops.settled_transaction("US", waiting)["type"] == "ORDER"


def test_statements_are_kept_until_something_they_read_changes(shops):
    state, us = shops.world.state, shops.world.us
    refunded = shops.orders["US"]["refunded"]
    shops.world.advance(DAY)
    kept = finance.shop_statements(state, us)
    assert finance.shop_statements(state, us) is kept
    refund = shops.world.add_return(refunded, refunded.line_items[:1])
    assert finance.shop_statements(state, us) is not kept

    refund.refund_amount = "1.00"  # a partial refund after all: the sale read above stays
    shops.world.advance(DAY)

    first, later = shops.statements("US")
    (refund_transaction,) = shops.transactions("US", later["id"])["transactions"]
    assert refund_transaction["revenue_amount"] == "-1.00"

    state.fee_rates.reserve = Decimal("0.10")  # the same statements, read again, withhold it

    detail = shops.transactions("US", first["id"])
    assert {t["type"] for t in detail["transactions"]} == {"ORDER", "RESERVE"}
    assert Decimal(detail["total_reserve_amount"]) < 0


# --- adjustments and extra fees -------------------------------------------------------------------


def test_adjustments_are_transactions_of_their_type_in_their_days_statement(shops):
    state, us = shops.world.state, shops.world.us
    order = shops.orders["US"]["discounted"]
    chargeback = finance.record_adjustment(state, us, "CHARGE_BACK", "-12.345", order=order)
    finance.record_adjustment(state, us, "REBATE", "3.10")
    finance.record_adjustment(state, us, "SELLER_TRAINING_BONUS", 1)
    finance.record_adjustment(state, us, "PLATFORM_PENALTY", "-5", at=state.now() + DAY)
    shops.world.advance(DAY)

    (statement,) = shops.statements("US")
    detail = shops.transactions("US", statement["id"])

    adjustments = {t["type"]: t for t in detail["transactions"] if t["adjustment_id"]}
    assert set(adjustments) == {"CHARGE_BACK", "REBATE", "SELLER_TRAINING_BONUS"}
    charged = adjustments["CHARGE_BACK"]
    assert charged["adjustment_id"] == chargeback.id
    assert (charged["adjustment_order_id"], charged["order_id"]) == (order.id, "")
    assert charged["order_create_time"] == order.create_time
    assert charged["adjustment_amount"] == charged["settlement_amount"] == "-12.35"
    assert charged["revenue_amount"] == charged["fee_tax_amount"] == "0.00"
    assert adjustments["REBATE"]["adjustment_order_id"] == ""
    assert statement["adjustment_amount"] == "-8.25"
    check_statement_transactions(statement, detail)
    (payment,) = shops.payments("US")
    assert payment["amount"]["value"] == statement["settlement_amount"]

    shops.world.advance(DAY)
    later = shops.statements("US")[1]
    (penalty,) = shops.transactions("US", later["id"])["transactions"]
    assert (penalty["type"], penalty["settlement_amount"]) == ("PLATFORM_PENALTY", "-5.00")
    assert later["settlement_amount"] == later["adjustment_amount"] == "-5.00"


def test_adjustments_the_platform_would_not_make(shops):
    state, us = shops.world.state, shops.world.us
    with pytest.raises(ValueError, match="not an adjustment type"):
        finance.record_adjustment(state, us, "ORDER", "1")
    with pytest.raises(ValueError, match="decimal"):
        finance.record_adjustment(state, us, "REBATE", "a lot")
    with pytest.raises(finance.FinanceRefused, match="not an order of shop"):
        finance.record_adjustment(state, us, "REBATE", "1", order=shops.orders["JP"]["waiting"])
    with pytest.raises(finance.FinanceRefused, match="already cut"):
        finance.record_adjustment(state, us, "REBATE", "1", at=state.now() - DAY)
    assert "REBATE" in finance.ADJUSTMENT_TYPES and state.adjustments == {}


def test_extra_fees_go_on_the_sale_under_any_key(shops):
    state, order = shops.world.state, shops.orders["US"]["discounted"]
    summary = finance.add_extra_fees(
        order,
        {
            "fee": {"sfp_service_fee_amount": "-1.23", "eco_packaging_fee_amount": "-0.505"},
            "tax": {"digital_services_tax_amount": "-0.07"},
            "shipping": {"return_shipping_fee_amount": "-2"},
        },
        finance.sale_is_cut(state, order),
    )
    assert summary["fee"] == {
        "sfp_service_fee_amount": "-1.23",
        "eco_packaging_fee_amount": "-0.51",
    }
    shops.world.advance(DAY)

    settlement = shops.order_settlement("US", "discounted")

    # Before: 36.00 revenue, 1.49 shipping, -3.32 fees, 34.17 settled (see the hand computation).
    assert settlement["fee_and_tax_amount"] == "-5.13"
    assert settlement["shipping_cost_amount"] == "-0.51"
    assert settlement["settlement_amount"] == "30.36"
    check_order_settlement(settlement, "USD")
    fee_tax = settlement["sku_transactions"][0]["fee_tax_breakdown"]
    assert fee_tax["fee"]["sfp_service_fee_amount"] == "-1.23"
    assert fee_tax["fee"]["eco_packaging_fee_amount"] == "-0.51"
    assert fee_tax["tax"]["digital_services_tax_amount"] == "-0.07"
    settled = shops.settled_transaction("US", order)
    assert settled["shipping_cost_breakdown"]["return_shipping_fee_amount"] == "-2.00"
    assert settled["settlement_amount"] == "30.36"
    (statement,) = shops.statements("US")
    check_statement_transactions(statement, shops.transactions("US", statement["id"]))
    with pytest.raises(finance.FinanceRefused, match="cut statement"):
        finance.add_extra_fees(
            order, {"fee": {"late_fee": "-1"}}, finance.sale_is_cut(state, order)
        )


def test_extra_fees_of_an_order_on_its_way_are_in_its_estimate(shops):
    waiting = shops.orders["JP"]["waiting"]
    finance.add_extra_fees(waiting, {"fee": {"new_fee_amount": "-10.4"}}, False)

    (estimate,) = [e for e in shops.unsettled("JP") if e["order_id"] == waiting.id]

    assert estimate["fee_tax_breakdown"]["fee"]["new_fee_amount"] == "-10"
    assert (estimate["est_fee_tax_amount"], estimate["est_settlement_amount"]) == ("-320", "2885")
    with pytest.raises(ValueError, match="unknown parts"):
        finance.add_extra_fees(waiting, {"revenue": {"x": "1"}}, False)
    with pytest.raises(finance.FinanceRefused, match="cancelled"):
        finance.add_extra_fees(shops.orders["JP"]["cancelled"], {"fee": {"x": "1"}}, False)


# --- payouts --------------------------------------------------------------------------------------


def test_a_payout_in_another_currency_is_rounded_to_its_minor_unit():
    world = World()
    state, jp = world.state, world.jp
    finance.record_adjustment(state, jp, "REBATE", "125")
    finance.set_payout(jp, "usd", "0.0066")
    world.advance(2 * DAY)

    (payment,) = world.call("GET", PAYMENTS, jp, query={"sort_field": "create_time"})["payments"]

    # 125 x 0.0066 = 0.825: half up to the cent.
    assert payment["amount"] == {"value": "0.83", "currency": "USD"}
    assert payment["payment_amount_before_exchange"] == {"value": "125", "currency": "JPY"}
    assert payment["settlement_amount"] == {"value": "125", "currency": "JPY"}
    assert payment["exchange_rate"] == "0.0066"
    # Cut at 2026-03-03 00:00 UTC, paid a day later.
    assert finance.bank_lines(finance.shop_statements(state, jp), state.now()) == [
        {
            "date": "2026-03-04",
            "amount": "0.83",
            "currency": "USD",
            "payment_ref": f"TikTok Shop payout {payment['id']}",
            "account_number": "****6789",
        }
    ]
    finance.set_payout(jp, "JPY")
    assert finance.payout_view(jp)["exchange_rate"] == "1"
    assert finance.bank_lines(finance.shop_statements(state, jp), state.now())[0]["amount"] == "125"


@pytest.mark.parametrize(
    ("currency", "rate", "message"),
    [("US", "1.2", "ISO 4217"), ("USD", None, "required"), ("USD", "0", "positive")],
)
def test_payout_settings_that_make_no_sense(currency, rate, message):
    with pytest.raises(ValueError, match=message):
        finance.set_payout(World().gb, currency, rate)
