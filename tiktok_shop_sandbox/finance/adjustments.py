"""What TikTok adds to statements besides the orders' own figures: adjustments, extra fees.

Adjustments are platform money moves of their own (a chargeback, a penalty, a rebate...): each
is one statement transaction of its type (§5.8 lists them), in the statement of the day it
settles, with its signed amount as both `adjustment_amount` and `settlement_amount`. Any type
string is accepted, so a test can send one the connector does not know; ADJUSTMENT_TYPES are
TikTok's.

Extra fees are fee, tax or shipping components added to an order's sale (on its first SKU line),
under any key, including keys TikTok may add later: the breakdowns return unknown keys after the
listed ones, and the settlement identity and every total include them. They are added before
the sale's statement is cut: a cut statement never changes.

Both come from the control API; amounts are rounded to the currency's minor unit on the way in.
Neither can reach a statement already cut: an adjustment settles now or later.
"""

from decimal import Decimal, InvalidOperation

from ..logistics import stable_id
from ..state import Adjustment, money
from .money import ZERO, round_money
from .settlement import DAY, Transaction

ADJUSTMENT_TYPES = (
    "CHARGE_BACK",
    "CUSTOMER_SERVICE_COMPENSATION",
    "DEDUCTIONS_INCURRED_BY_SELLER",
    "GMV_PAYMENT_FOR_ADS",
    "PLATFORM_COMMISSION_ADJUSTMENT",
    "PLATFORM_COMMISSION_COMPENSATION",
    "PLATFORM_PENALTY",
    "PROMOTION_ADJUSTMENT",
    "REBATE",
    "PLATFORM_COMPENSATION",
    "PLATFORM_REIMBURSEMENT",
    "COFUNDED_CREATOR_REWARDS",
    "FBT_WAREHOUSE_SERVICE_FEE",
    "LOGISTICS_REIMBURSEMENT",
    "SHIPPING_FEE_ADJUSTMENT",
    "SHIPPING_FEE_COMPENSATION",
    "SHIPPING_FEE_REBATE",
    "SAMPLE_SHIPPING_FEE",
    "SELLER_MISSION_REWARD",
    "OTHER_ADJUSTMENT",
)
# Types a statement transaction can have that are not adjustments.
NOT_ADJUSTMENT_TYPES = frozenset({"ORDER", "RESERVE"})
# The sale line's component dicts an extra fee can go to.
EXTRA_FEE_PARTS = ("fee", "tax", "shipping")
# Keys of the shipping breakdown that are not amounts.
RESERVED_SHIPPING_KEYS = frozenset({"supplementary_component"})


class FinanceRefused(ValueError):
    """What the platform would not do (an adjustment of an order of another shop, fees added
    to a sale already in a cut statement)."""


def decimal_amount(value, what):
    """A money value sent as a string or a number, as a Decimal (ValueError when it is not)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"{what} must be a decimal string")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{what} must be a decimal string, not {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"{what} must be a finite amount")
    return amount


# --- adjustments ----------------------------------------------------------------------------------


def record_adjustment(state, shop, adjustment_type, amount, order=None, at=None):
    """Record an adjustment of `shop`, settling at `at` (now when None, else Unix seconds not
    before the last cut), and return it."""
    if not isinstance(adjustment_type, str) or not adjustment_type.strip():
        raise ValueError("type must be a non-empty string")
    if adjustment_type in NOT_ADJUSTMENT_TYPES:
        raise ValueError(f"{adjustment_type} is not an adjustment type")
    if order is not None and order.shop_id != shop.id:
        raise FinanceRefused(f"order {order.id} is not an order of shop {shop.id}")
    now = state.now()
    if at is not None and at < now // DAY * DAY:
        raise FinanceRefused(f"{at} is in a day already cut: that statement no longer changes")
    adjustment = Adjustment(
        id=state.new_id(),
        shop_id=shop.id,
        type=adjustment_type.strip(),
        amount=money(decimal_amount(amount, "amount"), shop.currency),
        currency=shop.currency,
        time=now if at is None else int(at),
        create_time=now,
        order_id=order.id if order is not None else "",
    )
    state.adjustments[adjustment.id] = adjustment
    return adjustment


def adjustments_of(state, shop):
    return [a for a in state.adjustments.values() if a.shop_id == shop.id]


def adjustment_transactions(state, shop):
    """The shop's adjustments as statement transactions."""
    return [adjustment_transaction(state, a) for a in adjustments_of(state, shop)]


def adjustment_transaction(state, adjustment):
    return Transaction(
        id=stable_id("adjustment-transaction", adjustment.id),
        type=adjustment.type,
        order=state.orders.get(adjustment.order_id) if adjustment.order_id else None,
        time=adjustment.time,
        currency=adjustment.currency,
        adjustment_amount=Decimal(adjustment.amount),
        adjustment_id=adjustment.id,
    )


def adjustment_view(adjustment):
    """An adjustment as the control API answers it."""
    return {
        "adjustment_id": adjustment.id,
        "transaction_id": stable_id("adjustment-transaction", adjustment.id),
        "type": adjustment.type,
        "amount": adjustment.amount,
        "currency": adjustment.currency,
        "order_id": adjustment.order_id,
        "time": adjustment.time,
        "create_time": adjustment.create_time,
    }


# --- extra fees on a sale -------------------------------------------------------------------------


def add_extra_fees(order, components, sale_is_cut):
    """Add `components` ({part: {key: signed amount}}) to the order's sale; return them all.

    :param sale_is_cut: whether the order's sale is already in a cut statement (refused then)
    """
    if order.status == "CANCELLED":
        raise FinanceRefused(f"order {order.id} is cancelled: it has no sale to add fees to")
    if sale_is_cut:
        raise FinanceRefused(f"order {order.id} is in a cut statement, which no longer changes")
    added = tuple(_extra_fee_entries(components, order.currency))
    if not added:
        raise ValueError("give at least one amount under fee, tax or shipping")
    order.extra_fees = (*order.extra_fees, *added)
    return extra_fees_view(order)


def _extra_fee_entries(components, currency):
    unknown = set(components) - set(EXTRA_FEE_PARTS)
    if unknown:
        raise ValueError(f"unknown parts {sorted(unknown)}: use {', '.join(EXTRA_FEE_PARTS)}")
    for part in EXTRA_FEE_PARTS:
        values = components.get(part) or {}
        if not isinstance(values, dict):
            raise ValueError(f"{part} must be an object of key: amount")
        for key, value in values.items():
            if not key or (part == "shipping" and key in RESERVED_SHIPPING_KEYS):
                raise ValueError(f"{key!r} cannot be a {part} key")
            yield part, key, round_money(decimal_amount(value, f"{part}.{key}"), currency)


def extra_fees_view(order):
    """The order's extra fees, summed per part and key, as money strings."""
    totals = {part: {} for part in EXTRA_FEE_PARTS}
    for part, key, amount in order.extra_fees:
        totals[part][key] = totals[part].get(key, ZERO) + amount
    return {
        "order_id": order.id,
        "currency": order.currency,
        **{
            part: {key: money(amount, order.currency) for key, amount in values.items()}
            for part, values in totals.items()
        },
    }
