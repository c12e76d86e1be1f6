"""Orders: a buyer's checkout, the order's life after it, and the Order API (§5.5).

    checkout.py   place_order: stock taken, prices, discounts, shipping, tax, the payment block
    lifecycle.py  payment, the remorse hold, packages shipped, collected and delivered,
                  completion; each status change pushes its webhook
    history.py    a shop's past in one call: many delivered orders, for finance benchmarks
    api.py        search and detail endpoints, the order object

The names below are what the rest of the sandbox, its tests and the Odoo tests use.
"""

from ..constants import FBT, ORDER_STATUSES, SELLER_FULFILLMENT, UNSHIPPED_STATUSES
from .api import order_to_api
from .checkout import (
    SURFACES,
    DealLimitReached,
    OrderRefused,
    OutOfStock,
    available_units,
    first_sku_in_stock,
    masked_address,
    place_order,
    update_recipient_address,
)
from .history import place_delivered_history
from .lifecycle import (
    deliver_at_once,
    mark_paid,
    open_package,
    progress_order,
    release_hold,
    set_order_status,
    split_package,
)
