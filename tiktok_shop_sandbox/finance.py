"""Finance: statements, payments and settlement transactions derived from the orders (§5.8).

Sign convention (one for every amount this module returns): amounts are signed from the
seller's side. What TikTok pays the seller is positive (product revenue, the shipping fee the
buyer paid, TikTok's shipping subsidy, fees handed back on a refund, released reserves); what it
keeps is negative (referral fee / platform commission, transaction fee, affiliate commission,
label cost, refunded revenue, withheld reserves). Hence, for every transaction, SKU line,
statement and payment:

    settlement_amount = revenue_amount + shipping_cost_amount + fee_tax_amount + adjustment_amount

which is the 202501 docs' "revenue - shipping_cost - fee_tax - adjustment" read with magnitudes,
and the 202309 statement's "revenue + shipping_cost + fee + adjustment". A payment pays out
`settlement + reserve` (202501's `payable_amount`). Every component is rounded to the currency's
minor unit per SKU line (cents; whole rupiah and yen for IDR and JPY) and every total is a sum of
those rounded parts, so the identities hold exactly.

What settles: orders that reached DELIVERED or COMPLETED, at their delivery time; cancelled
units never do. A refund completed after that is a second ORDER transaction with negative
revenue (and the fees on it handed back); one completed before is simply left out of the sale.
Statements are cut daily at 00:00 UTC and cover the previous UTC day; each is paid out by one
payment a day after the cut. US and UK sales keep `FeeRates.reserve` of their settlement as a
RESERVE transaction, released RESERVE_DAYS later.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from math import floor

from .logistics import stable_id
from .routing import ApiError, paginate, route
from .state import CURRENCY_DECIMALS, money

CODE_INVALID_PARAMETER = 36009004
CODE_RETIRED_VERSION = 36009014

DAY = 86_400
PAYOUT_DELAY = DAY  # a statement is paid out one day after its cut
RESERVE_DAYS = 30
RESERVE_REGIONS = frozenset({"US", "GB"})
SETTLED_ORDER_STATUSES = frozenset({"DELIVERED", "COMPLETED"})
# Returns whose money went back to the buyer (a replacement that could not be sent included).
REFUNDED_RETURN_STATUSES = frozenset(
    {"RETURN_OR_REFUND_REQUEST_COMPLETE", "REPLACEMENT_REQUEST_REFUND_SUCCESS"}
)
PAYMENT_STATUSES = frozenset({"PAID", "FAILED", "PROCESSING"})
ZERO = Decimal(0)

# Fixed sandbox exchange rates: local currency units per US dollar. FeeRates.shipping_per_package
# is a US-dollar figure; a label costs the same in real terms in every market.
LOCAL_PER_USD = {
    "USD": Decimal("1"),
    "GBP": Decimal("0.79"),
    "EUR": Decimal("0.92"),
    "IDR": Decimal("15800"),
    "JPY": Decimal("150"),
    "THB": Decimal("36"),
    "VND": Decimal("25400"),
    "MYR": Decimal("4.7"),
    "PHP": Decimal("58"),
    "SGD": Decimal("1.35"),
    "BRL": Decimal("5.4"),
    "MXN": Decimal("18"),
}

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


# --- Money helpers -----------------------------------------------------------------------------


def round_money(amount, currency):
    """`amount` rounded half-up to the currency's minor unit, as a Decimal."""
    return Decimal(money(amount, currency))


def _minor_unit(currency):
    return Decimal(1).scaleb(-CURRENCY_DECIMALS.get(currency, 2))


def allocate(total, weights, currency):
    """Split a rounded `total` over `weights` in minor units; the parts sum to `total` exactly.

    Largest remainder: each part gets its floor share, the units left over go to the parts with
    the biggest fractions (first ones on ties), so shipping spread over SKUs loses no cent.
    """
    unit = _minor_unit(currency)
    minor_units = int(total / unit)
    weights = [Fraction(w) for w in weights] if any(weights) else [Fraction(1)] * len(weights)
    shares = [minor_units * w / sum(weights) for w in weights]
    parts = [floor(share) for share in shares]
    by_fraction = sorted(range(len(shares)), key=lambda i: (parts[i] - shares[i], i))
    for index in by_fraction[: minor_units - sum(parts)]:
        parts[index] += 1
    return [part * unit for part in parts]


def _decimal(value):
    return Decimal(str(value or 0))


def _keyed(keys, values, currency):
    """All `keys` as money strings, zero where `values` has nothing."""
    return {key: money(values.get(key, ZERO), currency) for key in keys}


def _add(target, values):
    for key, value in values.items():
        target[key] = target.get(key, ZERO) + value


# --- Settlement model --------------------------------------------------------------------------


@dataclass
class SkuLine:
    """The units of one SKU inside one transaction, with every component already rounded."""

    sku_id: str
    sku_name: str
    product_name: str
    quantity: int
    # What the creator's commission was computed on (negative on a refund): affiliate orders
    # read their actual commission base from here.
    commission_base: Decimal = ZERO
    revenue: dict = field(default_factory=dict)
    shipping: dict = field(default_factory=dict)
    shipping_supplementary: dict = field(default_factory=dict)
    fee: dict = field(default_factory=dict)
    tax: dict = field(default_factory=dict)
    supplementary: dict = field(default_factory=dict)

    @property
    def revenue_amount(self):
        return sum(self.revenue.values(), ZERO)

    @property
    def shipping_cost_amount(self):
        return sum(self.shipping.values(), ZERO)

    @property
    def fee_tax_amount(self):
        return sum(self.fee.values(), ZERO) + sum(self.tax.values(), ZERO)

    @property
    def settlement_amount(self):
        return self.revenue_amount + self.shipping_cost_amount + self.fee_tax_amount


@dataclass
class Transaction:
    id: str
    type: str  # ORDER / RESERVE
    order: object
    time: int  # when it settles; decides its statement
    currency: str
    lines: list = field(default_factory=list)  # [SkuLine]
    adjustment_amount: Decimal = ZERO
    reserve_id: str = ""
    reserve_amount: Decimal = ZERO
    reserve_status: str = ""
    release_time: int = 0

    @property
    def revenue_amount(self):
        return sum((line.revenue_amount for line in self.lines), ZERO)

    @property
    def shipping_cost_amount(self):
        return sum((line.shipping_cost_amount for line in self.lines), ZERO)

    @property
    def fee_tax_amount(self):
        return sum((line.fee_tax_amount for line in self.lines), ZERO)

    @property
    def settlement_amount(self):
        return (
            self.revenue_amount
            + self.shipping_cost_amount
            + self.fee_tax_amount
            + self.adjustment_amount
        )

    def breakdown(self, part):
        """Sum of one component dict (`revenue`, `fee`, ...) over the SKU lines."""
        total = {}
        for line in self.lines:
            _add(total, getattr(line, part))
        return total


def settlement_time(order):
    """When the order settles (its delivery), or None while it has not reached DELIVERED."""
    if order.status not in SETTLED_ORDER_STATUSES:
        return None
    return order.delivery_time or order.update_time


def affiliate_commission_rate(state, order):
    """Commission in hundredths of a percent owed on the order, 0 when no creator sold it."""
    if not (order.creator_username or order.surface == "AFFILIATE"):
        return 0
    return order.commission_rate or int(state.fee_rates.affiliate_default * 10_000)


def affiliate_commission(base, rate, currency):
    """The commission (positive) on a commissionable `base` at `rate` hundredths of a percent."""
    return round_money(base * rate / 10_000, currency)


def commission_base(items):
    """What a creator's commission is computed on: price after the seller's own discounts."""
    return sum((_decimal(i.original_price) - _decimal(i.seller_discount) for i in items), ZERO)


def sold_units(order):
    """Line items that were not cancelled (each line item is one unit)."""
    return [
        item
        for item in order.line_items
        if item.display_status != "CANCELLED" and item.package_status != "CANCELLED"
    ]


def order_transactions(state, order):
    """Every settlement transaction of `order`: the sale, later refunds and reserve moves."""
    settled_at = settlement_time(order)
    if settled_at is None:
        return []
    refunds = completed_refunds(state, order)
    refunded_early = {i for r in refunds if r.update_time <= settled_at for i in r.line_item_ids}
    kept = [item for item in sold_units(order) if item.id not in refunded_early]
    if not kept:
        return []
    sale = _sale_transaction(state, order, kept, settled_at)
    later = [_refund_transaction(state, order, r) for r in refunds if r.update_time > settled_at]
    return [sale, *later, *_reserve_transactions(state, order, sale)]


def completed_refunds(state, order):
    """The order's returns whose money went back to the buyer, oldest first."""
    refunds = [
        ret
        for ret in state.returns.values()
        if ret.order_id == order.id and ret.return_status in REFUNDED_RETURN_STATUSES
    ]
    return sorted(refunds, key=lambda ret: (ret.update_time, ret.return_id))


def _group_by_sku(items):
    groups = {}
    for item in items:
        groups.setdefault(item.sku_id, []).append(item)
    return list(groups.values())


def _commission_fee_key(state, order):
    # TikTok names the platform's cut "referral fee" in the US only.
    shop = state.shops.get(order.shop_id)
    return "referral_fee_amount" if shop and shop.region == "US" else "platform_commission_amount"


def _sale_transaction(state, order, items, settled_at):
    groups = _group_by_sku(items)
    weights = [len(group) for group in groups]
    shipping = {
        key: allocate(total, weights, order.currency)
        for key, total in _order_shipping(state, order, items).items()
    }
    lines = [
        _sale_line(state, order, group, {key: parts[index] for key, parts in shipping.items()})
        for index, group in enumerate(groups)
    ]
    transaction_id = stable_id("order-transaction", order.id)
    return Transaction(transaction_id, "ORDER", order, settled_at, order.currency, lines)


def _order_shipping(state, order, items):
    """Order-level shipping figures (rounded, signed) to spread over the SKU lines."""
    payment = order.payment or {}
    label = ZERO
    if order.shipping_type == "TIKTOK":
        packages = len({item.package_id for item in items if item.package_id}) or 1
        rate = LOCAL_PER_USD.get(order.currency, Decimal(1))
        label = round_money(state.fee_rates.shipping_per_package * rate, order.currency) * packages
    return {
        "label": -label,
        "customer_paid": _decimal(payment.get("shipping_fee")),
        "platform_discount": _decimal(payment.get("shipping_fee_platform_discount")),
        "seller_discount": -_decimal(payment.get("shipping_fee_seller_discount")),
    }


def _sale_line(state, order, items, shipping):
    currency = order.currency
    rates = state.fee_rates
    base = commission_base(items)
    sale = sum((_decimal(i.sale_price) for i in items), ZERO)
    sales_tax = sum((_decimal(i.tax) for i in items), ZERO)
    customer_payment = sale + shipping["customer_paid"]
    label_key = "fbt_shipping_cost_amount" if _is_fbt(order) else "fbm_shipping_cost_amount"
    line = _empty_line(items)
    line.commission_base = base
    line.revenue = {
        "subtotal_before_discount_amount": sum((_decimal(i.original_price) for i in items), ZERO),
        "seller_discount_amount": -sum((_decimal(i.seller_discount) for i in items), ZERO),
    }
    line.shipping = {
        "actual_shipping_fee_amount": shipping["label"],
        "customer_paid_shipping_fee_amount": shipping["customer_paid"],
        "shipping_fee_discount_amount": shipping["platform_discount"],
    }
    line.shipping_supplementary = {
        label_key: shipping["label"],
        "platform_shipping_fee_discount_amount": shipping["platform_discount"],
        "seller_shipping_fee_discount_amount": shipping["seller_discount"],
    }
    line.fee = {
        _commission_fee_key(state, order): -round_money(base * rates.referral, currency),
        "transaction_fee_amount": -round_money(customer_payment * rates.transaction, currency),
        "affiliate_commission_amount": -affiliate_commission(
            base, affiliate_commission_rate(state, order), currency
        ),
    }
    line.supplementary = {
        "customer_payment_amount": customer_payment + sales_tax,
        "platform_discount_amount": sum((_decimal(i.platform_discount) for i in items), ZERO),
        "sales_tax_amount": sales_tax,
        "sales_tax_payment_amount": sales_tax,
    }
    return line


def _empty_line(items):
    first = items[0]
    return SkuLine(first.sku_id, first.sku_name, first.product_name, len(items))


def _is_fbt(order):
    return order.fulfillment_type == "FULFILLMENT_BY_TIKTOK"


def _refund_transaction(state, order, ret):
    refunded = set(ret.line_item_ids)
    groups = _group_by_sku([item for item in order.line_items if item.id in refunded])
    share = _refunded_share(ret, groups)
    lines = [_refund_line(state, order, group, share) for group in groups]
    transaction_id = stable_id("refund-transaction", ret.return_id)
    return Transaction(transaction_id, "ORDER", order, ret.update_time, order.currency, lines)


def _refunded_share(ret, groups):
    """1 for a full refund, less when the seller offered (and the buyer took) a partial one."""
    paid = sum((_decimal(i.sale_price) + _decimal(i.tax) for group in groups for i in group), ZERO)
    refund = _decimal(ret.refund_amount)
    return refund / paid if ZERO < refund < paid else Decimal(1)


def _refund_line(state, order, items, share):
    """The sale of these units undone (in `share`): revenue back to the buyer, fees returned."""
    currency = order.currency
    rates = state.fee_rates

    def refunded(values):
        return round_money(sum((_decimal(v) for v in values), ZERO) * share, currency)

    base = refunded(i.original_price for i in items) - refunded(i.seller_discount for i in items)
    sale = refunded(i.sale_price for i in items)
    sales_tax = refunded(i.tax for i in items)
    line = _empty_line(items)
    line.commission_base = -base
    line.revenue = {
        "refund_subtotal_before_discount_amount": -refunded(i.original_price for i in items),
        "seller_discount_refund_amount": refunded(i.seller_discount for i in items),
    }
    line.fee = {
        _commission_fee_key(state, order): round_money(base * rates.referral, currency),
        "transaction_fee_amount": round_money(sale * rates.transaction, currency),
        "affiliate_commission_amount": affiliate_commission(
            base, affiliate_commission_rate(state, order), currency
        ),
    }
    line.supplementary = {
        "customer_refund_amount": -(sale + sales_tax),
        "platform_discount_refund_amount": -refunded(i.platform_discount for i in items),
        "sales_tax_refund_amount": -sales_tax,
    }
    return line


def _reserve_transactions(state, order, sale):
    shop = state.shops.get(order.shop_id)
    rate = state.fee_rates.reserve
    if rate <= 0 or shop is None or shop.region not in RESERVE_REGIONS:
        return []
    withheld = round_money(sale.settlement_amount * rate, order.currency)
    if withheld <= 0:
        return []
    reserve_id = stable_id("reserve", order.id)
    release_time = sale.time + RESERVE_DAYS * DAY
    common = {"order": order, "currency": order.currency, "reserve_id": reserve_id}
    collected = Transaction(
        id=stable_id("reserve-collected", order.id),
        type="RESERVE",
        time=sale.time,
        reserve_amount=-withheld,
        reserve_status="COLLECTED",
        release_time=release_time,
        **common,
    )
    released = Transaction(
        id=stable_id("reserve-released", order.id),
        type="RESERVE",
        time=release_time,
        reserve_amount=withheld,
        reserve_status="RELEASED",
        **common,
    )
    return [collected, released]


# --- Statements and payments -------------------------------------------------------------------


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
        return sum((getattr(t, name) for t in self.transactions), ZERO)

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


def shop_statements(state, shop):
    """The shop's statements cut so far, oldest first."""
    now = state.now()
    days = {}
    for order in state.orders_of(shop.id):
        for transaction in order_transactions(state, order):
            day = cut_day(transaction, now)
            if day is not None:
                days.setdefault(day, []).append(transaction)
    return [Statement(shop, day, days[day]) for day in sorted(days)]


def _payment_status(statement, now):
    return "PAID" if statement.paid_time(now) else "PROCESSING"


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
    """The payout of one statement, as `GET /finance/202309/payments` lists it."""
    currency = statement.currency

    def amount(value):
        return {"value": money(value, currency), "currency": currency}

    return {
        "id": statement.payment_id,
        "create_time": statement.statement_time,
        "paid_time": statement.paid_time(now),
        "status": _payment_status(statement, now),
        "amount": amount(statement.payable_amount),
        "settlement_amount": amount(statement.total("settlement_amount")),
        "reserve_amount": amount(statement.total("reserve_amount")),
        "payment_amount_before_exchange": amount(statement.payable_amount),
        "exchange_rate": "1",
        "bank_account": "****6789",
    }


def transaction_view(transaction, now):
    """One entry of the 202501 statement's `transactions[]`."""
    currency = transaction.currency
    is_reserve = transaction.type == "RESERVE"
    released = is_reserve and transaction.release_time and transaction.release_time <= now
    shipping = _keyed(SHIPPING_KEYS, transaction.breakdown("shipping"), currency)
    shipping["supplementary_component"] = _keyed(
        SHIPPING_SUPPLEMENTARY_KEYS, transaction.breakdown("shipping_supplementary"), currency
    )
    return {
        "id": transaction.id,
        "type": transaction.type,
        "order_id": "" if is_reserve else transaction.order.id,
        "associated_order_id": transaction.order.id if is_reserve else "",
        "adjustment_id": "",
        "adjustment_order_id": "",
        "order_create_time": transaction.order.create_time,
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
        "revenue_breakdown": _keyed(REVENUE_KEYS, transaction.breakdown("revenue"), currency),
        "shipping_cost_breakdown": shipping,
        "fee_tax_breakdown": {
            "fee": _keyed(FEE_KEYS, transaction.breakdown("fee"), currency),
            "tax": _keyed(TAX_KEYS, transaction.breakdown("tax"), currency),
        },
        "supplementary_component": _keyed(
            SUPPLEMENTARY_KEYS, transaction.breakdown("supplementary"), currency
        ),
    }


def sku_line_view(line, statement_id, currency):
    """One entry of the 202501 order transactions' `sku_transactions[]`."""
    shipping = _keyed(SHIPPING_KEYS, line.shipping, currency)
    shipping["supplementary_component"] = _keyed(
        SHIPPING_SUPPLEMENTARY_KEYS, line.shipping_supplementary, currency
    )
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
        "revenue_breakdown": _keyed(REVENUE_KEYS, line.revenue, currency),
        "shipping_cost_breakdown": shipping,
        "fee_tax_breakdown": {
            "fee": _keyed(FEE_KEYS, line.fee, currency),
            "tax": _keyed(TAX_KEYS, line.tax, currency),
        },
    }


# --- Query helpers -----------------------------------------------------------------------------


def _require_sort_field(request, expected):
    sort_field = request.query.get("sort_field")
    if not sort_field:
        raise ApiError(CODE_INVALID_PARAMETER, "sort_field is required")
    if sort_field != expected:
        raise ApiError(CODE_INVALID_PARAMETER, f"sort_field must be {expected}")


def _descending(request):
    order = (request.query.get("sort_order") or "ASC").upper()
    if order not in ("ASC", "DESC"):
        raise ApiError(CODE_INVALID_PARAMETER, "sort_order must be ASC or DESC")
    return order == "DESC"


def _time_bound(request, name):
    value = request.query.get(name)
    if value in (None, ""):
        return None
    if not str(value).isdigit():
        raise ApiError(CODE_INVALID_PARAMETER, f"{name} must be a Unix timestamp in seconds")
    return int(value)


def _within(value, request, prefix):
    low = _time_bound(request, f"{prefix}_ge")
    high = _time_bound(request, f"{prefix}_lt")
    return (low is None or value >= low) and (high is None or value < high)


# --- Endpoints ---------------------------------------------------------------------------------


@route("GET", "/finance/202309/statements", page_size=(1, 100))
def get_statements(state, request):
    _require_sort_field(request, "statement_time")
    status = request.query.get("payment_status")
    if status and status not in PAYMENT_STATUSES:
        raise ApiError(CODE_INVALID_PARAMETER, "payment_status must be PAID, FAILED or PROCESSING")
    with state.lock:
        now = state.now()
        views = [
            statement_view(statement, now)
            for statement in shop_statements(state, request.shop)
            if _within(statement.statement_time, request, "statement_time")
        ]
    views = [view for view in views if not status or view["payment_status"] == status]
    views.sort(key=lambda view: view["statement_time"], reverse=_descending(request))
    return paginate(views, request, "statements")


@route("GET", "/finance/202309/payments", page_size=(1, 100))
def get_payments(state, request):
    _require_sort_field(request, "create_time")
    with state.lock:
        now = state.now()
        views = [
            payment_view(statement, now)
            for statement in shop_statements(state, request.shop)
            if _within(statement.statement_time, request, "create_time")
        ]
    views.sort(key=lambda view: view["create_time"], reverse=_descending(request))
    return paginate(views, request, "payments")


@route(
    "GET",
    "/finance/202501/statements/{statement_id}/statement_transactions",
    page_size=(1, 100),
)
def get_statement_transactions(state, request):
    _require_sort_field(request, "order_create_time")
    statement_id = request.path_params["statement_id"]
    with state.lock:
        now = state.now()
        statements = shop_statements(state, request.shop)
        statement = next((s for s in statements if s.id == statement_id), None)
        if statement is None:
            raise ApiError(CODE_INVALID_PARAMETER, f"Statement {statement_id} does not exist")
        transactions = sorted(
            statement.transactions,
            key=lambda t: (t.order.create_time, t.id),
            reverse=_descending(request),
        )
        page = paginate(transactions, request, "transactions")
        page["transactions"] = [transaction_view(t, now) for t in page["transactions"]]
    return {**_statement_totals(statement), **page}


def _statement_totals(statement):
    currency = statement.currency
    return {
        "id": statement.id,
        "status": "SETTLED",
        "currency": currency,
        "create_time": statement.statement_time,
        "total_settlement_amount": money(statement.total("settlement_amount"), currency),
        "total_reserve_amount": money(statement.total("reserve_amount"), currency),
        "payable_amount": money(statement.payable_amount, currency),
        "total_settlement_breakdown": {
            "total_revenue_amount": money(statement.total("revenue_amount"), currency),
            "total_shipping_cost_amount": money(statement.total("shipping_cost_amount"), currency),
            "total_fee_tax_amount": money(statement.total("fee_tax_amount"), currency),
            "total_adjustment_amount": money(statement.total("adjustment_amount"), currency),
        },
    }


@route("GET", "/finance/202501/orders/{order_id}/statement_transactions")
def get_order_statement_transactions(state, request):
    order_id = request.path_params["order_id"]
    with state.lock:
        order = state.orders.get(order_id)
        if order is None or order.shop_id != request.shop.id:
            raise ApiError(CODE_INVALID_PARAMETER, f"Order {order_id} does not exist")
        now = state.now()
        entries = [
            (line, Statement(request.shop, day, []).id)
            for transaction in order_transactions(state, order)
            if transaction.type == "ORDER" and (day := cut_day(transaction, now)) is not None
            for line in transaction.lines
        ]
    return _order_settlement_view(order, entries)


def _order_settlement_view(order, entries):
    currency = order.currency
    lines = [line for line, _ in entries]
    return {
        "order_id": order.id,
        "order_create_time": order.create_time,
        "currency": currency,
        "revenue_amount": money(sum((x.revenue_amount for x in lines), ZERO), currency),
        "shipping_cost_amount": money(sum((x.shipping_cost_amount for x in lines), ZERO), currency),
        "fee_and_tax_amount": money(sum((x.fee_tax_amount for x in lines), ZERO), currency),
        "settlement_amount": money(sum((x.settlement_amount for x in lines), ZERO), currency),
        "sku_transactions": [sku_line_view(line, sid, currency) for line, sid in entries],
        "total_count": len(entries),
    }


@route("GET", "/finance/202309/statements/{statement_id}/statement_transactions")
@route("GET", "/finance/202309/orders/{order_id}/statement_transactions")
def retired_statement_transactions(state, request):
    # Sunset on 2025-12-31: TikTok answers every call to these versions this way.
    raise ApiError(CODE_RETIRED_VERSION, "The version name is invalid")
