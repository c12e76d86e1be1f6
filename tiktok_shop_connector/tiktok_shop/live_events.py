"""LIVE events without Odoo: the fence of each featured product, the window of the event's orders,
what TikTok is shown while stock is fenced, the warehouse's waves, and TikTok's LIVE sessions and
flash-sale deals read from their payloads (§5.10).

Words used here:

- the *fence* of a featured product is the stock Odoo holds for the LIVE: its featured quantity
  plus the reserve buffer, or a flash-sale deal's total purchase limit when that is larger;
- an *outlet* is one TikTok warehouse of the shop (see `stock_allocation`).
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from .errors import TikTokDataError
from .payload import ZERO, amount, as_object, integer, nested, object_list, required_id, text
from .stock_allocation import clamp_quantity

# Orders placed this long before the planned start belong to the event: buyers open a LIVE as
# soon as it is announced, and the host starts a little early.
ORDER_LEAD_SECONDS = 300
# A promotion activity of this type is a LIVE flash sale (1 to 20 minutes, limited units).
FLASH_SALE = "FLASHSALE"
# TikTok's -1: no limit.
UNLIMITED = -1
# Activity statuses in which a deal no longer sells; TikTok's deactivation, or a deal that never
# took effect, while the event still counts on it, is worth a word to the seller.
STOPPED_STATUSES = frozenset({"DEACTIVATED", "NOT_EFFECTIVE"})
ENDED_STATUSES = STOPPED_STATUSES | {"EXPIRED"}
# Group of the pickings that are not of one featured product alone.
MIXED = None


# === THE FENCE === #


def fenced_quantity(featured, buffer_percent, deal_limits=()):
    """Units to fence for a featured product.

    The featured quantity plus the buffer (its percent of it, rounded up to whole units), or the
    largest total purchase limit of the product's flash-sale deals when that is more: running out
    outside the deal would make TikTok cancel it. An unlimited deal (-1) fences nothing more.
    """
    buffer = math.ceil(featured * buffer_percent / 100 - 1e-9) if featured > 0 else 0
    limits = [limit for limit in deal_limits if limit > 0]
    return max([max(0, featured) + max(0, buffer), *limits])


def order_window(planned_start, planned_end, sessions=()):
    """(start, end) in Unix seconds: an order created in [start, end) belongs to the event.

    From a few minutes before the planned start to the planned end, widened to the LIVE
    sessions TikTok reported for the event when they started earlier or ended later.

    :param sessions: [(start, end)] of the event's LIVE sessions
    """
    start, end = planned_start - ORDER_LEAD_SECONDS, planned_end
    for session_start, session_end in sessions:
        if session_start and session_end:
            start, end = min(start, session_start), max(end, session_end)
    return start, end


def in_window(create_time, window):
    start, end = window
    return start <= create_time < end


def overlaps(start, end, window):
    """Whether [start, end) meets the window."""
    return start < window[1] and end > window[0]


def units_still_fenced(fence_demand, waiting):
    """What the fence can still sell on TikTok, in whole units.

    An order takes its units out of the fence when its stock is reserved; the orders confirmed
    and not reserved yet (`waiting`) are taken off here already, so TikTok never sells them twice.

    :param fence_demand: units the fence move holds now
    :param waiting: units of the event's confirmed orders not taken out of the fence yet
    """
    return max(0, math.floor(fence_demand - max(0, waiting) + 1e-9))


def with_live_fences(quantities, sku_products, fences):
    """{(SKU, outlet): quantity} of a shop with its LIVE fences in.

    A product fenced under the flash-sale lock shows its fence alone: TikTok sells the fence and
    nothing of the stock other channels sell. Without the lock it shows its share of the stock
    other channels sell (the fence is already out of it, reserved) plus the fence.

    :param quantities: {(SKU, outlet): quantity shown without the fences}
    :param sku_products: {SKU: product}
    :param fences: {product: [(outlet showing it, units still fenced, locked)]}
    """
    shown = dict(quantities)
    for (sku, outlet), quantity in quantities.items():
        product_fences = fences.get(sku_products[sku])
        if not product_fences:
            continue
        locked = any(lock for _outlet, _units, lock in product_fences)
        fenced = sum(units for shown_in, units, _lock in product_fences if shown_in == outlet)
        shown[sku, outlet] = clamp_quantity((0 if locked else quantity) + fenced)
    return shown


def counted_by_tiktok(shown, pushed, sku_products, counting):
    """{(SKU, outlet): quantity} with TikTok's own count kept for the products it counts.

    Under the flash-sale lock TikTok shows the held stock alone, and it lowers that figure itself
    with every sale (and raises it with every cancellation). Odoo learns of a sale only when it
    imports the order, seconds to a minute later during a burst, so a figure Odoo computes then
    would put back units TikTok has already sold. Once TikTok has been shown a product's plan,
    the figure last pushed stands (nothing is pushed) until the plan or the lock changes.

    :param shown: {(SKU, outlet): quantity Odoo computes}
    :param pushed: {(SKU, outlet): quantity last pushed}
    :param sku_products: {SKU: product}
    :param counting: products whose held stock TikTok counts itself now
    """
    return {
        key: pushed[key] if sku_products[key[0]] in counting and key in pushed else quantity
        for key, quantity in shown.items()
    }


# === WAVES === #


def wave_groups(pickings, featured):
    """{group: [pickings]}: what the warehouse picks together after the LIVE.

    A picking of one featured product alone goes with the others of that product (the same shelf,
    the same packing); every other picking (several products, or one not featured) goes in the
    MIXED group.

    :param pickings: {picking: set of its products}, in the order they should be picked
    :param featured: the event's featured products
    """
    groups = {}
    for picking, products in pickings.items():
        only = next(iter(products)) if len(products) == 1 else MIXED
        key = only if only in featured else MIXED
        groups.setdefault(key, []).append(picking)
    return groups


# === TIKTOK'S LIVE SESSIONS === #


@dataclass(frozen=True)
class LiveSessionFigures:
    """One LIVE session of Get Shop LIVE Performance, with its figures."""

    live_id: str
    title: str
    username: str
    start_time: int
    end_time: int
    gmv: Decimal
    currency: str
    items_sold: int
    customers: int
    sku_orders: int
    viewers: int
    views: int
    click_to_order_rate: Decimal


def map_live_session(session, where="live_stream_sessions[0]"):
    """A session of Get Shop LIVE Performance (`items_sold`; `unit_sold` at version 202508)."""
    session = as_object(session, where)
    sales = nested(session, "sales_performance", where)
    sales_where = f"{where}.sales_performance"
    interactions = nested(session, "interaction_performance", where)
    interactions_where = f"{where}.interaction_performance"
    gmv = nested(sales, "gmv", sales_where)
    units_key = "items_sold" if "items_sold" in sales else "unit_sold"
    return LiveSessionFigures(
        live_id=required_id(session, "id", where),
        title=text(session, "title", where),
        username=text(session, "username", where),
        start_time=integer(session, "start_time", where),
        end_time=integer(session, "end_time", where),
        gmv=amount(gmv, "amount", f"{sales_where}.gmv"),
        currency=text(gmv, "currency", f"{sales_where}.gmv"),
        items_sold=integer(sales, units_key, sales_where),
        customers=integer(sales, "customers", sales_where),
        sku_orders=integer(sales, "sku_orders", sales_where),
        viewers=integer(interactions, "viewers", interactions_where),
        views=integer(interactions, "views", interactions_where),
        click_to_order_rate=amount(sales, "click_to_order_rate", sales_where),
    )


def sessions_in_window(sessions, window):
    """The `LiveSessionFigures` of the sessions that meet the window, each once."""
    found = {}
    for index, session in enumerate(sessions):
        figures = map_live_session(session, f"live_stream_sessions[{index}]")
        if overlaps(figures.start_time, figures.end_time or figures.start_time + 1, window):
            found[figures.live_id] = figures
    return list(found.values())


@dataclass(frozen=True)
class LiveMinute:
    """One minute of a LIVE session (Get Shop LIVE Performance Per Minutes)."""

    start_time: int
    gmv: Decimal
    items_sold: int
    customers: int
    viewers: int


def map_live_minutes(intervals):
    """The minutes of a session, oldest first, from the `intervals` of Performance Per Minutes."""
    minutes = {}
    for index, row in enumerate(intervals):
        where = f"intervals[{index}]"
        row = as_object(row, where)
        start = integer(row, "start_time", where)
        if not start:
            raise TikTokDataError(f"{where}.start_time", "is missing")
        gmv = nested(row, "gmv", where)
        units_key = "items_sold" if "items_sold" in row else "unit_sold"
        minutes[start] = LiveMinute(
            start_time=start,
            gmv=amount(gmv, "amount", f"{where}.gmv") if gmv else ZERO,
            items_sold=integer(row, units_key, where),
            customers=integer(row, "customers", where),
            viewers=integer(row, "viewers", where),
        )
    return [minutes[start] for start in sorted(minutes)]


# === FLASH-SALE DEALS === #


@dataclass(frozen=True)
class DealSku:
    """A SKU of a deal, or its whole product when the deal is set per product (no SKU id)."""

    product_id: str
    sku_id: str
    quantity_limit: int
    quantity_per_user: int


@dataclass(frozen=True)
class FlashSaleDeal:
    activity_id: str
    title: str
    activity_type: str
    status: str
    begin_time: int
    end_time: int
    skus: tuple


def activity_summary(activity, where):
    """(id, type, status, begin, end) of an entry of Search Activities."""
    activity = as_object(activity, where)
    activity_id = text(activity, "id", where) or required_id(activity, "activity_id", where)
    return (
        activity_id,
        text(activity, "activity_type", where),
        text(activity, "status", where),
        integer(activity, "begin_time", where),
        integer(activity, "end_time", where),
    )


def flash_sales_in_window(activities, window):
    """Ids of the flash sales of Search Activities that meet the window and may still sell."""
    found = []
    for index, activity in enumerate(activities):
        activity_id, kind, status, begin, end = activity_summary(activity, f"activities[{index}]")
        if (
            kind == FLASH_SALE
            and status not in ENDED_STATUSES
            and overlaps(begin, end, window)
            and activity_id not in found
        ):
            found.append(activity_id)
    return found


def map_activity(data):
    """A `FlashSaleDeal` from the `data` of Get Activity."""
    data = as_object(data, "data")
    skus = []
    for where, product in object_list(data, "products", "data"):
        product_id = required_id(product, "id", where)
        product_skus = object_list(product, "skus", where)
        if not product_skus:
            skus.append(_deal_sku(product_id, "", product, where))
        for sku_where, sku in product_skus:
            sku_id = required_id(sku, "id", sku_where)
            skus.append(_deal_sku(product_id, sku_id, sku, sku_where, fallback=product))
    return FlashSaleDeal(
        activity_id=text(data, "activity_id", "data") or required_id(data, "id", "data"),
        title=text(data, "title", "data"),
        activity_type=text(data, "activity_type", "data"),
        status=text(data, "status", "data"),
        begin_time=integer(data, "begin_time", "data"),
        end_time=integer(data, "end_time", "data"),
        skus=tuple(skus),
    )


def _deal_sku(product_id, sku_id, limits, where, fallback=None):
    """A SKU's limits; a SKU without its own takes its product's."""

    def limit(key):
        value = _limit(limits, key, where)
        if value is None and fallback is not None:
            value = _limit(fallback, key, where)
        return UNLIMITED if value is None else value

    return DealSku(product_id, sku_id, limit("quantity_limit"), limit("quantity_per_user"))


def _limit(parent, key, where):
    value = parent.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdecimal():
        return int(value)
    raise TikTokDataError(f"{where}.{key}", f"is not a whole number: {value!r}")
