"""The finance reads' cache: each order's transactions and each shop's derived views, computed
once per change.

A busy shop's month is 15,000 orders; deriving every transaction again for each page of a
statement listing would cost seconds a page. Two levels keep reads cheap and right:

- per shop, `shop_memo` keeps what a view derives from the shop's transactions (its statements,
  its unsettled orders) while nothing finance reads has changed: the key is `Tracked.revision`
  (every assignment to an order, line item, return or adjustment moves it), the number of
  orders, returns and adjustments, the fee rates, the shop's market and currency, and what the
  caller adds (the clock's last cut);
- per order, when that key moved, `order_transactions` recomputes only the orders whose inputs
  changed: each order's transactions are kept with a fingerprint of everything settlement reads
  of it (status, delivery, line items, its completed refunds, extra fees, rates, market).

Callers hold `state.lock` (every handler does) and never change what they are given back.
"""

import weakref
from dataclasses import astuple

from ..state import Tracked
from . import settlement
from .adjustments import adjustment_transactions

# state -> _Ledger; a state that is dropped takes its cache with it.
_LEDGERS = weakref.WeakKeyDictionary()


class _Ledger:
    def __init__(self):
        self.orders = {}  # order id -> _OrderEntry
        self.shops = {}  # (shop id, name) -> (key, value)


class _OrderEntry:
    def __init__(self, order, fingerprint, refunds, transactions):
        self.order = order
        self.fingerprint = fingerprint
        self.refunds = refunds
        self.transactions = transactions
        self.estimate = _NOT_COMPUTED


_NOT_COMPUTED = object()


def _ledger(state):
    ledger = _LEDGERS.get(state)
    if ledger is None:
        ledger = _LEDGERS[state] = _Ledger()
    return ledger


# --- per shop -------------------------------------------------------------------------------------


def shop_memo(state, shop, name, compute, *extra_key):
    """`compute()`, computed again only when something finance reads (or `extra_key`) changed."""
    key = (
        Tracked.revision,
        len(state.orders),
        len(state.returns),
        len(state.adjustments),
        _rates(state),
        shop.region,
        shop.currency,
        *extra_key,
    )
    memo = _ledger(state).shops
    cached = memo.get((shop.id, name))
    if cached is not None and cached[0] == key:
        return cached[1]
    value = compute()
    memo[(shop.id, name)] = (key, value)
    return value


def shop_transactions(state, shop):
    """Every transaction of the shop, whenever it settles: its orders' and its adjustments'."""
    return shop_memo(state, shop, "transactions", lambda: _shop_transactions(state, shop))


def _shop_transactions(state, shop):
    refunds = refunds_by_order(state)
    rates = _rates(state)
    found = []
    for order in state.orders_of(shop.id):
        entry = _order_entry(state, order, refunds.get(order.id, []), rates)
        found.extend(entry.transactions)
    found.extend(adjustment_transactions(state, shop))
    return found


def refunds_by_order(state):
    """{order id: its completed refunds, oldest first}, in one pass over the returns."""
    found = {}
    for ret in state.returns.values():
        if ret.return_status in settlement.REFUNDED_RETURN_STATUSES:
            found.setdefault(ret.order_id, []).append(ret)
    for refunds in found.values():
        refunds.sort(key=lambda ret: (ret.update_time, ret.return_id))
    return found


# --- per order ------------------------------------------------------------------------------------


def order_transactions(state, order, refunds=None):
    """`settlement.order_transactions`, kept until something it reads of the order changes.

    :param refunds: the order's completed refunds, when the caller has them (`refunds_by_order`)
    """
    return _order_entry(state, order, refunds).transactions


def estimated_sale(state, order, refunds=None):
    """`settlement.estimated_sale`, kept like `order_transactions`."""
    entry = _order_entry(state, order, refunds)
    if entry.estimate is _NOT_COMPUTED:
        entry.estimate = settlement.estimated_sale(state, order, entry.refunds)
    return entry.estimate


def _rates(state):
    return astuple(state.fee_rates)


def _order_entry(state, order, refunds=None, rates=None):
    if refunds is None:
        refunds = settlement.completed_refunds(state, order)
    fingerprint = _fingerprint(state, order, refunds, rates or _rates(state))
    entries = _ledger(state).orders
    entry = entries.get(order.id)
    if entry is None or entry.order is not order or entry.fingerprint != fingerprint:
        transactions = settlement.order_transactions(state, order, refunds)
        entry = entries[order.id] = _OrderEntry(order, fingerprint, refunds, transactions)
    return entry


def _fingerprint(state, order, refunds, rates):
    """Everything settlement reads of `order`, as values: equal fingerprints, equal transactions."""
    shop = state.shops.get(order.shop_id)
    payment = order.payment or {}
    return (
        order.status,
        order.delivery_time,
        order.update_time,
        order.currency,
        order.shipping_type,
        order.fulfillment_type,
        order.surface,
        order.creator_username,
        order.commission_rate,
        order.commission_terms,
        order.extra_fees,
        payment.get("shipping_fee"),
        payment.get("shipping_fee_platform_discount"),
        payment.get("shipping_fee_seller_discount"),
        shop.region if shop else "",
        rates,
        tuple(
            (
                item.id,
                item.sku_id,
                item.sku_name,
                item.product_name,
                item.display_status,
                item.package_status,
                item.package_id,
                item.original_price,
                item.sale_price,
                item.seller_discount,
                item.platform_discount,
                item.tax,
            )
            for item in order.line_items
        ),
        tuple(
            (
                ret.return_id,
                ret.return_status,
                ret.update_time,
                ret.refund_amount,
                *ret.line_item_ids,
            )
            for ret in refunds
        ),
    )
