"""A shop's past in one call: many orders, all delivered, for finance benchmarks.

`place_delivered_history` places `count` orders of the shop's active in-stock SKUs (in turn, one
or two units each) through the ordinary checkout, stamped in the past, and delivers them at once.
Deliveries are spread evenly over the `days` UTC days before `end_time`; by default the window
ends one day before the clock's last cut, so every order is in a cut statement whose payment is
PAID. Being history, the orders push no webhooks, leave no timers and leave today's stock as it
was (the SKUs are stocked up for the checkout and put back after). They stay DELIVERED.
"""

from contextlib import contextmanager

from ..constants import SELLER_FULFILLMENT
from .checkout import OrderRefused, available_units, place_order
from .lifecycle import deliver_at_once

DAY = 86_400
MAX_ORDERS = 100_000
MAX_DAYS = 366
# From checkout to the carrier taking the parcel; the transit is the sandbox's `timing`.
SHIPPING_DELAY = 12 * 3600


def place_delivered_history(state, shop, count, days=30, end_time=None):
    """Place and deliver `count` past orders of `shop`; return a summary of what was made."""
    now = state.now()
    end = (now // DAY - 1) * DAY if end_time is None else int(end_time)
    _check(count, days, end, now)
    with state.lock:
        skus = _active_skus_in_stock(state, shop)
        start = end - days * DAY
        span = end - start
        made = []
        with state.webhooks_muted(), _stock_kept(state, skus, count):
            for index in range(count):
                delivered_at = start + (2 * index + 1) * span // (2 * count)
                sku = skus[index % len(skus)]
                made.append(_delivered_order(state, shop, sku, 1 + (index % 4 == 3), delivered_at))
    return {
        "shop_id": shop.id,
        "created": len(made),
        "first_order_id": made[0].id,
        "last_order_id": made[-1].id,
        "delivered_from": start,
        "delivered_until": end,
    }


def _check(count, days, end, now):
    if not isinstance(count, int) or not 1 <= count <= MAX_ORDERS:
        raise ValueError(f"count must be a whole number from 1 to {MAX_ORDERS}")
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be a whole number from 1 to {MAX_DAYS}")
    if end > now:
        raise ValueError("end_time must not be in the future: history only")


def _active_skus_in_stock(state, shop):
    skus = [
        sku
        for sku in sorted(state.skus.values(), key=lambda sku: sku.id)
        if state.products[sku.product_id].shop_id == shop.id
        and state.products[sku.product_id].status == "ACTIVATE"
        and available_units(state, sku, fbt=False) > 0
    ]
    if not skus:
        raise OrderRefused(f"shop {shop.id} has no active SKU in stock")
    return skus


@contextmanager
def _stock_kept(state, skus, count):
    """Stock every SKU up for the checkout, and put the inventories back afterwards."""
    saved = [dict(sku.inventory) for sku in skus]
    needed = 2 * (count // len(skus) + 1)  # two units at most per order, every SKU in turn
    for sku in skus:
        own = sorted(w for w in sku.inventory if not state.is_fbt_warehouse(w))
        fullest = max(own, key=sku.inventory.get)
        sku.inventory[fullest] += needed
    try:
        yield
    finally:
        for sku, inventory in zip(skus, saved, strict=True):
            sku.inventory = inventory


def _delivered_order(state, shop, sku, quantity, delivered_at):
    shipped_at = delivered_at - state.timing["transit"]
    with state.clock_pinned_at(shipped_at - SHIPPING_DELAY):
        order = place_order(
            state,
            shop,
            [(sku.id, quantity)],
            on_hold=False,
            fulfillment_type=SELLER_FULFILLMENT,
        )
    deliver_at_once(state, order, shipped_at, delivered_at)
    return order
