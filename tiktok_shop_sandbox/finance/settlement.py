"""Settlement transactions derived from an order: the sale, later refunds, reserve moves.

What settles: orders that reached DELIVERED or COMPLETED, at their delivery time; cancelled
units never do. A refund completed after that is a second ORDER transaction with negative
revenue (and the fees on it handed back); one completed before is simply left out of the sale.
US and UK sales keep `FeeRates.reserve` of their settlement as a RESERVE transaction, released
RESERVE_DAYS later. Every component is rounded per SKU line, so the totals are sums of rounded
parts. Fee components added to an order through the control API (`Order.extra_fees`) go on its
sale's first SKU line. An order not delivered yet has an estimated sale (`estimated_sale`): the
sale as it would settle now, which the unsettled-orders endpoint shows.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from ..constants import FBT
from ..logistics import stable_id
from .money import LOCAL_PER_USD, ZERO, allocate, as_decimal, round_money

DAY = 86_400
RESERVE_DAYS = 30
RESERVE_REGIONS = frozenset({"US", "GB"})
SETTLED_ORDER_STATUSES = frozenset({"DELIVERED", "COMPLETED"})
# Returns whose money went back to the buyer (a replacement that could not be sent included).
REFUNDED_RETURN_STATUSES = frozenset(
    {"RETURN_OR_REFUND_REQUEST_COMPLETE", "REPLACEMENT_REQUEST_REFUND_SUCCESS"}
)


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
    type: str  # ORDER / RESERVE / an adjustment type (finance/adjustments.py)
    order: object  # the order it belongs to, or the one an adjustment concerns (may be None)
    time: int | None  # when it settles, which decides its statement; None for an estimate
    currency: str
    lines: list = field(default_factory=list)  # [SkuLine]
    adjustment_amount: Decimal = ZERO
    adjustment_id: str = ""
    reserve_id: str = ""
    reserve_amount: Decimal = ZERO
    reserve_status: str = ""
    release_time: int = 0

    @property
    def order_create_time(self):
        """What the 202501 lists sort on: the order's creation (when an adjustment concerns no
        order, the time it settles)."""
        return self.order.create_time if self.order is not None else self.time

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


def _add(target, values):
    for key, value in values.items():
        target[key] = target.get(key, ZERO) + value


# --- what an order settles ------------------------------------------------------------------------


def settlement_time(order):
    """When the order settles (its delivery), or None while it has not reached DELIVERED."""
    if order.status not in SETTLED_ORDER_STATUSES:
        return None
    return order.delivery_time or order.update_time


def affiliate_commission_rate(state, order, product_id=None):
    """Commission in hundredths of a percent owed on the order's `product_id`, 0 when no creator
    sold it: the rate of the collaboration that applied when the order was placed, else the
    order's own rate or the default one."""
    if not (order.creator_username or order.surface == "AFFILIATE"):
        return 0
    for term_product_id, rate, _open_id, _target_id in order.commission_terms:
        if term_product_id == product_id:
            return rate
    return order.commission_rate or int(state.fee_rates.affiliate_default * 10_000)


def affiliate_commission(base, rate, currency):
    """The commission (positive) on a commissionable `base` at `rate` hundredths of a percent."""
    return round_money(base * rate / 10_000, currency)


def commission_base(items):
    """What a creator's commission is computed on: price after the seller's own discounts."""
    return sum((as_decimal(i.original_price) - as_decimal(i.seller_discount) for i in items), ZERO)


def sold_units(order):
    """Line items that were not cancelled (each line item is one unit)."""
    return [
        item
        for item in order.line_items
        if item.display_status != "CANCELLED" and item.package_status != "CANCELLED"
    ]


def order_transactions(state, order, refunds=None):
    """Every settlement transaction of `order`: the sale, later refunds and reserve moves.

    :param refunds: the order's `completed_refunds`, when the caller has them already
    """
    settled_at = settlement_time(order)
    if settled_at is None:
        return []
    refunds = completed_refunds(state, order) if refunds is None else refunds
    sale = _sale(state, order, settled_at, refunds)
    if sale is None:
        return []
    later = [_refund_transaction(state, order, r) for r in refunds if r.update_time > settled_at]
    return [sale, *later, *_reserve_transactions(state, order, sale)]


def estimated_sale(state, order, refunds=None):
    """The sale of an order not delivered yet, as it would settle now (time None), or None
    when nothing of it is left to settle (every unit cancelled or already refunded)."""
    refunds = completed_refunds(state, order) if refunds is None else refunds
    return _sale(state, order, None, refunds)


def _sale(state, order, settled_at, refunds):
    """The sale transaction, without the units refunded before it settles (all of them for an
    estimate), or None when no unit is left."""
    refunded_early = {
        item_id
        for ret in refunds
        if settled_at is None or ret.update_time <= settled_at
        for item_id in ret.line_item_ids
    }
    kept = [item for item in sold_units(order) if item.id not in refunded_early]
    return _sale_transaction(state, order, kept, settled_at) if kept else None


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


# --- the sale -------------------------------------------------------------------------------------


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
    _add_extra_fees(lines[0], order.extra_fees)
    return Transaction(
        sale_transaction_id(order), "ORDER", order, settled_at, order.currency, lines
    )


def sale_transaction_id(order):
    return stable_id("order-transaction", order.id)


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
        "customer_paid": as_decimal(payment.get("shipping_fee")),
        "platform_discount": as_decimal(payment.get("shipping_fee_platform_discount")),
        "seller_discount": -as_decimal(payment.get("shipping_fee_seller_discount")),
    }


def _sale_line(state, order, items, shipping):
    currency = order.currency
    rates = state.fee_rates
    base = commission_base(items)
    sale = sum((as_decimal(i.sale_price) for i in items), ZERO)
    sales_tax = sum((as_decimal(i.tax) for i in items), ZERO)
    customer_payment = sale + shipping["customer_paid"]
    label_key = "fbt_shipping_cost_amount" if _is_fbt(order) else "fbm_shipping_cost_amount"
    line = _empty_line(items)
    line.commission_base = base
    line.revenue = {
        "subtotal_before_discount_amount": sum((as_decimal(i.original_price) for i in items), ZERO),
        "seller_discount_amount": -sum((as_decimal(i.seller_discount) for i in items), ZERO),
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
            base, affiliate_commission_rate(state, order, items[0].product_id), currency
        ),
    }
    line.supplementary = {
        "customer_payment_amount": customer_payment + sales_tax,
        "platform_discount_amount": sum((as_decimal(i.platform_discount) for i in items), ZERO),
        "sales_tax_amount": sales_tax,
        "sales_tax_payment_amount": sales_tax,
    }
    return line


def _add_extra_fees(line, extra_fees):
    """Add the order's extra components (already rounded) to its first SKU line's dicts."""
    for part, key, amount in extra_fees:
        values = getattr(line, part)
        values[key] = values.get(key, ZERO) + amount


def _empty_line(items):
    first = items[0]
    return SkuLine(first.sku_id, first.sku_name, first.product_name, len(items))


def _is_fbt(order):
    return order.fulfillment_type == FBT


# --- refunds and reserves -------------------------------------------------------------------------


def _refund_transaction(state, order, ret):
    refunded = set(ret.line_item_ids)
    groups = _group_by_sku([item for item in order.line_items if item.id in refunded])
    share = _refunded_share(ret, groups)
    lines = [_refund_line(state, order, group, share) for group in groups]
    transaction_id = stable_id("refund-transaction", ret.return_id)
    return Transaction(transaction_id, "ORDER", order, ret.update_time, order.currency, lines)


def _refunded_share(ret, groups):
    """1 for a full refund, less when the seller offered (and the buyer took) a partial one."""
    paid = sum(
        (as_decimal(i.sale_price) + as_decimal(i.tax) for group in groups for i in group), ZERO
    )
    refund = as_decimal(ret.refund_amount)
    return refund / paid if ZERO < refund < paid else Decimal(1)


def _refund_line(state, order, items, share):
    """The sale of these units undone (in `share`): revenue back to the buyer, fees returned."""
    currency = order.currency
    rates = state.fee_rates

    def refunded(values):
        return round_money(sum((as_decimal(v) for v in values), ZERO) * share, currency)

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
            base, affiliate_commission_rate(state, order, items[0].product_id), currency
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
