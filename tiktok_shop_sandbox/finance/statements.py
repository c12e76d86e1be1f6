"""Statements and payments: the shop's transactions cut by UTC day, and how the API shows them.

Statements are cut daily at 00:00 UTC and cover the previous UTC day; each is paid out by one
payment a day after the cut, of `settlement + reserve` (202501's `payable_amount`), in the
shop's payout currency (finance/payouts.py). The views list every breakdown key TikTok lists, in
its order, unused ones as zero, then any other key a transaction has (extra fees).
"""

from dataclasses import dataclass
from functools import cached_property

from ..logistics import stable_id
from ..state import money
from . import ledger
from .money import ZERO
from .payouts import BANK_ACCOUNT, paid_out
from .settlement import DAY

PAYOUT_DELAY = DAY  # a statement is paid out one day after its cut


# --- breakdown keys -------------------------------------------------------------------------------


# Breakdown keys, in the order TikTok lists them; all are returned, unused ones as zero.
REVENUE_KEYS = (
    "subtotal_before_discount_amount",
    "seller_discount_amount",
    "refund_subtotal_before_discount_amount",
    "seller_discount_refund_amount",
    "cod_service_fee_amount",
    "refund_cod_service_fee_amount",
)
SHIPPING_KEYS = (
    "actual_shipping_fee_amount",
    "shipping_fee_discount_amount",
    "customer_paid_shipping_fee_amount",
    "return_shipping_fee_amount",
    "return_shipping_label_fee_amount",
    "return_shipping_fee_paid_buyer_amount",
    "replacement_shipping_fee_amount",
    "exchange_shipping_fee_amount",
    "failed_delivery_subsidy_amount",
    "fbt_fulfillment_fee_reimbursement_amount",
    "seller_self_shipping_service_fee_amount",
    "shipping_insurance_fee_amount",
    "signature_confirmation_fee_amount",
)
SHIPPING_SUPPLEMENTARY_KEYS = (
    "customer_shipping_fee_offset_amount",
    "fbm_shipping_cost_amount",
    "fbt_fulfillment_fee_amount",
    "fbt_fulfillment_fee_reimbursement_amount",
    "fbt_shipping_cost_amount",
    "platform_shipping_fee_discount_amount",
    "promo_shipping_incentive_amount",
    "refunded_customer_shipping_fee_amount",
    "return_refund_subsidy_amount",
    "seller_shipping_fee_discount_amount",
    "shipping_fee_subsidy_amount",
)
FEE_KEYS = (
    "platform_commission_amount",
    "transaction_fee_amount",
    "referral_fee_amount",
    "refund_administration_fee_amount",
    "affiliate_commission_amount",
    "affiliate_commission_amount_before_pit",
    "affiliate_ads_commission_amount",
    "affiliate_partner_commission_amount",
    "affiliate_commission_deposit",
    "affiliate_commission_release",
    "tap_shop_ads_commission",
    "external_affiliate_marketing_fee_amount",
    "cofunded_creator_bonus_amount",
    "tsp_commission_amount",
    "dynamic_commission_amount",
    "fee_per_item_sold_amount",
    "credit_card_handling_fee_amount",
    "seller_paylater_handling_fee_amount",
    "sfp_service_fee_amount",
    "voucher_xtra_service_fee_amount",
    "flash_sales_service_fee_amount",
    "live_specials_fee_amount",
    "mall_service_fee_amount",
    "pre_order_service_fee_amount",
    "bonus_cashback_service_fee_amount",
    "cofunded_promotion_service_fee_amount",
    "epr_pob_service_fee_amount",
    "dt_handling_fee_amount",
    "vn_fix_infrastructure_fee",
)
TAX_KEYS = (
    "vat_amount",
    "local_vat_amount",
    "import_vat_amount",
    "customs_duty_amount",
    "customs_clearance_amount",
    "gst_amount",
    "sst_amount",
    "pit_amount",
    "isr_amount",
    "iva_amount",
    "anti_dumping_duty_amount",
)
SUPPLEMENTARY_KEYS = (
    "customer_payment_amount",
    "customer_refund_amount",
    "platform_discount_amount",
    "platform_discount_refund_amount",
    "platform_cofunded_discount_amount",
    "platform_cofunded_discount_refund_amount",
    "seller_cofunded_discount_amount",
    "seller_cofunded_discount_refund_amount",
    "sales_tax_amount",
    "sales_tax_payment_amount",
    "sales_tax_refund_amount",
    "retail_delivery_fee_amount",
    "retail_delivery_fee_payment_amount",
    "retail_delivery_fee_refund_amount",
)


# What a statement adds up; kept per statement, which the ledger keeps until something changes.
TOTALS = (
    "revenue_amount",
    "shipping_cost_amount",
    "fee_tax_amount",
    "adjustment_amount",
    "settlement_amount",
    "reserve_amount",
)


@dataclass
class Statement:
    shop: object
    day: int  # days since the epoch (UTC) the statement covers
    transactions: list

    @property
    def id(self):
        return stable_id("statement", self.shop.id, str(self.day))

    @property
    def payment_id(self):
        return stable_id("payment", self.shop.id, str(self.day))

    @property
    def statement_time(self):
        # Cut at the 00:00 UTC that ends the day it covers.
        return (self.day + 1) * DAY

    @property
    def currency(self):
        return self.shop.currency

    def total(self, name):
        return self._totals[name]

    @cached_property
    def _totals(self):
        return {name: sum((getattr(t, name) for t in self.transactions), ZERO) for name in TOTALS}

    @cached_property
    def by_order_create_time(self):
        """The transactions as the 202501 list sorts them (ascending)."""
        return sorted(self.transactions, key=lambda t: (t.order_create_time, t.id))

    @property
    def payable_amount(self):
        return self.total("settlement_amount") + self.total("reserve_amount")

    def paid_time(self, now):
        paid_at = self.statement_time + PAYOUT_DELAY
        return paid_at if paid_at <= now else 0


def cut_day(transaction, now):
    """The day whose statement holds `transaction`, or None until that day has been cut."""
    day = transaction.time // DAY
    return day if (day + 1) * DAY <= now else None


def last_cut(now):
    """The 00:00 UTC of the latest daily cut at `now`."""
    return now // DAY * DAY


def shop_statements(state, shop):
    """The shop's statements cut so far, oldest first (the same objects until a change)."""
    now = state.now()
    return ledger.shop_memo(
        state, shop, "statements", lambda: _cut_statements(state, shop, now), last_cut(now)
    )


def _cut_statements(state, shop, now):
    days = {}
    for transaction in ledger.shop_transactions(state, shop):
        day = cut_day(transaction, now)
        if day is not None:
            days.setdefault(day, []).append(transaction)
    return [Statement(shop, day, days[day]) for day in sorted(days)]


def sale_is_cut(state, order):
    """Whether the order's sale (its first transaction) is already in a cut statement."""
    transactions = ledger.order_transactions(state, order)
    return bool(transactions) and cut_day(transactions[0], state.now()) is not None


def _payment_status(statement, now):
    return "PAID" if statement.paid_time(now) else "PROCESSING"


# --- views ----------------------------------------------------------------------------------------


def statement_view(statement, now):
    """A statement as `GET /finance/202309/statements` lists it."""
    currency = statement.currency
    revenue = statement.total("revenue_amount")
    return {
        "id": statement.id,
        "statement_time": statement.statement_time,
        "currency": currency,
        "revenue_amount": money(revenue, currency),
        # No non-sales revenue (COD fees) is modelled, so net sales equal revenue.
        "net_sales_amount": money(revenue, currency),
        "shipping_cost_amount": money(statement.total("shipping_cost_amount"), currency),
        "fee_amount": money(statement.total("fee_tax_amount"), currency),
        "adjustment_amount": money(statement.total("adjustment_amount"), currency),
        "settlement_amount": money(statement.total("settlement_amount"), currency),
        "payment_status": _payment_status(statement, now),
        "payment_id": statement.payment_id,
    }


def payment_view(statement, now):
    """The payout of one statement, as `GET /finance/202309/payments` lists it: `amount` in the
    payout currency, the rest in the settlement currency."""
    currency = statement.currency

    def amount(value):
        return {"value": money(value, currency), "currency": currency}

    value, payout_currency = paid_out(statement.shop, statement.payable_amount)
    return {
        "id": statement.payment_id,
        "create_time": statement.statement_time,
        "paid_time": statement.paid_time(now),
        "status": _payment_status(statement, now),
        "amount": {"value": value, "currency": payout_currency},
        "settlement_amount": amount(statement.total("settlement_amount")),
        "reserve_amount": amount(statement.total("reserve_amount")),
        "payment_amount_before_exchange": amount(statement.payable_amount),
        "exchange_rate": statement.shop.payout_exchange_rate,
        "bank_account": BANK_ACCOUNT,
    }


def transaction_view(transaction, now):
    """One entry of the 202501 statement's `transactions[]`."""
    currency = transaction.currency
    is_reserve = transaction.type == "RESERVE"
    released = is_reserve and transaction.release_time and transaction.release_time <= now
    order_id = transaction.order.id if transaction.order is not None else ""
    return {
        "id": transaction.id,
        "type": transaction.type,
        "order_id": order_id if transaction.type == "ORDER" else "",
        "associated_order_id": order_id if is_reserve else "",
        "adjustment_id": transaction.adjustment_id,
        "adjustment_order_id": order_id if transaction.adjustment_id else "",
        "order_create_time": transaction.order_create_time,
        "revenue_amount": money(transaction.revenue_amount, currency),
        "shipping_cost_amount": money(transaction.shipping_cost_amount, currency),
        "fee_tax_amount": money(transaction.fee_tax_amount, currency),
        "adjustment_amount": money(transaction.adjustment_amount, currency),
        "settlement_amount": money(transaction.settlement_amount, currency),
        "reserve_id": transaction.reserve_id,
        "reserve_amount": money(transaction.reserve_amount, currency),
        "reserve_status": transaction.reserve_status,
        "estimated_release_time": ""
        if released or not transaction.release_time
        else str(transaction.release_time),
        **breakdowns(transaction.breakdown, currency),
        "supplementary_component": _keyed(
            SUPPLEMENTARY_KEYS, transaction.breakdown("supplementary"), currency
        ),
    }


def breakdowns(component, currency):
    """The revenue, shipping cost and fee/tax breakdowns of a transaction or SKU line, from
    `component(part)` (the part's {key: amount})."""
    shipping = _keyed(SHIPPING_KEYS, component("shipping"), currency)
    shipping["supplementary_component"] = _keyed(
        SHIPPING_SUPPLEMENTARY_KEYS, component("shipping_supplementary"), currency
    )
    return {
        "revenue_breakdown": _keyed(REVENUE_KEYS, component("revenue"), currency),
        "shipping_cost_breakdown": shipping,
        "fee_tax_breakdown": {
            "fee": _keyed(FEE_KEYS, component("fee"), currency),
            "tax": _keyed(TAX_KEYS, component("tax"), currency),
        },
    }


def sku_line_view(line, statement_id, currency):
    """One entry of the 202501 order transactions' `sku_transactions[]`."""
    return {
        "sku_id": line.sku_id,
        "sku_name": line.sku_name,
        "product_name": line.product_name,
        "quantity": str(line.quantity),
        "statement_id": statement_id,
        "revenue_amount": money(line.revenue_amount, currency),
        "shipping_cost_amount": money(line.shipping_cost_amount, currency),
        "fee_tax_amount": money(line.fee_tax_amount, currency),
        "settlement_amount": money(line.settlement_amount, currency),
        **breakdowns(lambda part: getattr(line, part), currency),
    }


def _keyed(keys, values, currency):
    """All `keys` as money strings, zero where `values` has nothing, then the keys of `values`
    TikTok's list does not have (fees it added later), in the order they came."""
    keyed = {key: money(values.get(key, ZERO), currency) for key in keys}
    for key, value in values.items():
        if key not in keyed:
            keyed[key] = money(value, currency)
    return keyed
