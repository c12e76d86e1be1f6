"""Unsettled orders: what will settle but is in no cut statement yet (`/finance/202507/...`).

Two kinds of orders are listed, one entry each:

- paid but not delivered (ON_HOLD to IN_TRANSIT), `unsettled_reason` NOT_DELIVERED: the estimate
  is the sale as it would settle now (`settlement.estimated_sale`: units cancelled or refunded
  so far left out);
- delivered, but the day of the delivery is not cut yet, DELIVERED_NOT_CUT: the sale itself,
  with any refund completed since (also waiting for the cut) added in.

Unpaid, cancelled and fully refunded orders will not settle; orders whose sale is in a cut
statement are settled (a later refund of one shows in its own statement). Amounts have the
statements' signs and rounding and keep their identity (`est_settlement_amount` = the four
`est_*` components). The entry's id is the sale's statement transaction id to come.
"""

from dataclasses import dataclass, replace

from ..constants import SHIPPING_STATUSES
from ..state import money
from . import ledger
from .settlement import SETTLED_ORDER_STATUSES, Transaction, sale_transaction_id
from .statements import breakdowns, last_cut

NOT_DELIVERED = "NOT_DELIVERED"
DELIVERED_NOT_CUT = "DELIVERED_NOT_CUT"
# Paid orders on their way to the buyer: they settle once delivered.
PAID_NOT_DELIVERED = frozenset({"ON_HOLD", "AWAITING_SHIPMENT", *SHIPPING_STATUSES})


@dataclass
class Unsettled:
    transaction: Transaction
    reason: str


def unsettled_orders(state, shop):
    """The shop's unsettled entries (the same objects until something changes)."""
    now = state.now()
    return ledger.shop_memo(
        state, shop, "unsettled", lambda: _unsettled(state, shop, now), last_cut(now)
    )


def _unsettled(state, shop, now):
    cut = last_cut(now)
    waiting = {}  # order id -> its ORDER transactions after the last cut
    for transaction in ledger.shop_transactions(state, shop):
        if transaction.type == "ORDER" and transaction.time >= cut:
            waiting.setdefault(transaction.order.id, []).append(transaction)
    refunds = ledger.refunds_by_order(state)
    found = []
    for order in state.orders_of(shop.id):
        if order.status in PAID_NOT_DELIVERED:
            sale = ledger.estimated_sale(state, order, refunds.get(order.id, []))
            if sale is not None:
                found.append(Unsettled(sale, NOT_DELIVERED))
        elif order.status in SETTLED_ORDER_STATUSES and order.id in waiting:
            sale, *later = waiting[order.id]
            if sale.id == sale_transaction_id(order):
                lines = [line for t in (sale, *later) for line in t.lines]
                found.append(Unsettled(replace(sale, lines=lines), DELIVERED_NOT_CUT))
    return found


def unsettled_view(entry):
    """One entry of the unsettled orders' `transactions[]`."""
    transaction = entry.transaction
    currency = transaction.currency

    def estimate(name):
        return money(getattr(transaction, name), currency)

    return {
        "id": transaction.id,
        "type": transaction.type,
        "status": "UNSETTLED",
        "order_id": transaction.order.id,
        "order_create_time": transaction.order.create_time,
        "currency": currency,
        "est_revenue_amount": estimate("revenue_amount"),
        "est_shipping_cost_amount": estimate("shipping_cost_amount"),
        "est_fee_tax_amount": estimate("fee_tax_amount"),
        "est_adjustment_amount": estimate("adjustment_amount"),
        "est_settlement_amount": estimate("settlement_amount"),
        "unsettled_reason": entry.reason,
        **breakdowns(transaction.breakdown, currency),
    }
