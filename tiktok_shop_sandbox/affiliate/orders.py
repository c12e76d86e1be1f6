"""Affiliate orders (§5.9): every order a creator sold, with the commission it earns.

An order naming a `creator_username` (or placed through the AFFILIATE surface) is also an
affiliate order. Its commission figures come from the finance module, so they match settlement to
the cent: `estimated_paid_commission` is the commission on every unit sold, and once the order
settled `actual_paid_commission` is minus the sum of the `affiliate_commission_amount` of the
order's settlement transactions (the sale, less refunds). `place_creator_order` is how a creator
sells: the collaborations in force fix each product's rate and name the collaboration on the order.
The search filters on `create_time` only, as TikTok's does: a reader overlaps its windows by
creation time and reads recent orders again for their later changes (settlement, refunds).
"""

from decimal import Decimal

from ..constants import CODE_INVALID_PARAMETER
from ..finance.settlement import (
    affiliate_commission,
    affiliate_commission_rate,
    commission_base,
    completed_refunds,
    order_transactions,
    settlement_time,
    sold_units,
)
from ..logistics import stable_id
from ..orders import place_order
from ..routing import ApiError, paginate, route
from ..state import money
from .collaborations import commission_terms
from .creators import register_creator

CONTENT_TYPES = ("SHOP", "VIDEO", "LIVE", "PRE_LIVE", "PROMOTION_PAGE", "LINKSHARE")
# Where the creator promoted the product, by the surface the sale came from (orders placed
# without a content type), and the surface a creator's sale is placed on, by its content type.
SURFACE_CONTENT_TYPES = {"VIDEO": "VIDEO", "LIVE": "LIVE", "SHOP": "SHOP", "AFFILIATE": "SHOP"}
CONTENT_TYPE_SURFACES = {"VIDEO": "VIDEO", "LIVE": "LIVE"}
ZERO = Decimal(0)
# Money back without the item coming back (a replacement that could not be sent included).
REFUND_ONLY_TYPES = frozenset({"REFUND", "REPLACEMENT"})


def is_affiliate_order(order):
    return bool(order.creator_username) or order.surface == "AFFILIATE"


def place_creator_order(state, shop, creator, items, content_type="VIDEO", **options):
    """A buyer's order of `items` through `creator`'s `content_type`, on the terms in force.

    :param options: `place_order` options; `content_id` defaults to an id of the creator's
        content; a `commission_rate` given applies to every product instead of the
        collaborations (the order then names the product's open collaboration, if any)
    """
    if content_type not in CONTENT_TYPES:
        raise ValueError(f"content_type must be one of {', '.join(CONTENT_TYPES)}")
    with state.lock:
        at = options.get("create_time") or state.now()
        if not options.get("commission_rate"):
            product_ids = [state.skus[s].product_id for s in _sku_ids(items) if s in state.skus]
            options["commission_terms"] = commission_terms(state, shop.id, creator, product_ids, at)
        options.setdefault("content_id", stable_id("content", creator.username, content_type))
        surface = CONTENT_TYPE_SURFACES.get(content_type, "AFFILIATE")
        return place_order(
            state,
            shop,
            items,
            surface,
            creator_username=creator.username,
            content_type=content_type,
            **options,
        )


def _sku_ids(items):
    for entry in items:
        if isinstance(entry, dict):
            yield str(entry.get("sku_id"))
        elif isinstance(entry, (list, tuple)):
            yield str(entry[0])
        else:
            yield str(entry)


# --- Affiliate orders --------------------------------------------------------------------------


@route(
    "POST", "/affiliate_seller/202410/orders/search", page_size=(1, 100), page_size_required=True
)
@route(
    "POST", "/affiliate_seller/202405/orders/search", page_size=(1, 100), page_size_required=True
)
def search_affiliate_orders(state, request):
    body = request.json or {}
    low, high = _time_filter(body, "create_time_ge"), _time_filter(body, "create_time_lt")
    with state.lock:
        orders = [
            order
            for order in state.orders_of(request.shop.id)
            if is_affiliate_order(order)
            and (low is None or order.create_time >= low)
            and (high is None or order.create_time < high)
        ]
        orders.sort(key=lambda order: (order.create_time, int(order.id)), reverse=True)
        page = paginate(orders, request, "orders")
        for order in page["orders"]:  # whoever sold is in the marketplace, to be looked up
            if order.creator_username:
                register_creator(state, order.creator_username)
        with_line_items = "/202405/" in request.path
        page["orders"] = [
            affiliate_order_view(state, order, with_line_items) for order in page["orders"]
        ]
        return page


def _time_filter(body, name):
    value = body.get(name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ApiError(CODE_INVALID_PARAMETER, f"{name} must be a Unix timestamp in seconds")
    return value


def affiliate_order_view(state, order, with_line_items=False):
    """The affiliate order of `order`, as the seller's affiliate order search returns it."""
    units = sold_units(order) or order.line_items
    groups = {}
    for item in units:
        groups.setdefault(item.sku_id, []).append(item)
    settled = settlement_time(order) is not None
    actual = _settled_commissions(state, order) if settled else {}
    returned = _returned_units(state, order)
    view = {
        "id": order.id,
        "status": _affiliate_status(order, settled),
        "create_time": order.create_time,
        "delivery_time": order.delivery_time or 0,
        "skus": [
            _sku_view(state, order, items, actual.get(sku_id, (ZERO, ZERO)), returned)
            for sku_id, items in groups.items()
        ],
    }
    if with_line_items:  # the 202405 answer lists line items
        view["line_items"] = [{"id": i.id, "product_id": i.product_id} for i in order.line_items]
    return view


def _affiliate_status(order, settled):
    if order.status == "CANCELLED":
        return "CANCELLED"
    return "COMPLETED" if settled else "PROCESSING"


def _settled_commissions(state, order):
    """{sku_id: (commission base, commission paid)} net of refunds, as settlement has them."""
    settled = {}
    for transaction in order_transactions(state, order):
        for line in transaction.lines:
            base, paid = settled.get(line.sku_id, (ZERO, ZERO))
            fee = line.fee.get("affiliate_commission_amount", ZERO)
            settled[line.sku_id] = (base + line.commission_base, paid - fee)
    return settled


def _returned_units(state, order):
    """{line_item_id: return_type} of the units whose refund went through."""
    return {
        item_id: ret.return_type
        for ret in completed_refunds(state, order)
        for item_id in ret.line_item_ids
    }


def _sku_view(state, order, items, actual, returned):
    currency = order.currency
    first = items[0]
    product_id = first.product_id
    rate = affiliate_commission_rate(state, order, product_id)
    base = commission_base(items)
    actual_base, actual_commission = actual

    def amount(value):
        return {"amount": money(value, currency), "currency": currency}

    open_id, target_id = _collaboration_ids(state, order, product_id)
    return {
        "product_id": product_id,
        "quantity": len(items),
        "price": amount(commission_base([first])),
        "creator_username": order.creator_username,
        "content_type": order.content_type or SURFACE_CONTENT_TYPES.get(order.surface, "SHOP"),
        "content_id": order.content_id,
        "commission_rate": str(rate),
        "commission_model": "STANDARD",
        "commission_tier_setting": "",
        "shop_ads_commission_rate": "0",
        "estimated_commission_base": amount(base),
        "estimated_paid_commission": amount(affiliate_commission(base, rate, currency)),
        "actual_commission_base": amount(actual_base),
        "actual_paid_commission": amount(actual_commission),
        "estimated_paid_shop_ads_commission": amount(ZERO),
        "actual_paid_shop_ads_commission": amount(ZERO),
        "estimated_cofunded_creator_bonus_amount": amount(ZERO),
        "actual_cofunded_creator_bonus_amount": amount(ZERO),
        "refunded_quantity": sum(1 for i in items if returned.get(i.id) in REFUND_ONLY_TYPES),
        "returned_quantity": sum(1 for i in items if returned.get(i.id) == "RETURN_AND_REFUND"),
        "open_collaboration_id": open_id,
        "target_collaboration_id": target_id,
        "campaign_id": "",
    }


def _collaboration_ids(state, order, product_id):
    """(open, target) collaboration ids the sale of `product_id` went through."""
    for term_product_id, _rate, open_id, target_id in order.commission_terms:
        if term_product_id == product_id:
            return open_id, target_id
    return state.open_collaborations.get(product_id, {}).get("id", ""), ""
