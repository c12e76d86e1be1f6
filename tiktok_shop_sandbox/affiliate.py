"""Affiliate seller endpoints: affiliate orders and open collaborations (§5.9).

Every order a creator sold (it names a `creator_username`, or came in through the AFFILIATE
surface) is also an affiliate order. Its commission figures come from the finance module, so they
match settlement to the cent: `estimated_paid_commission` is the commission on every unit sold,
and once the order settled `actual_paid_commission` is minus the sum of the
`affiliate_commission_amount` of the order's settlement transactions (the sale, less refunds).
"""

from decimal import Decimal

from .catalog import category_chain, image_url
from .constants import CODE_INVALID_PARAMETER, CODE_NOT_YOUR_PRODUCT
from .finance.settlement import (
    affiliate_commission,
    affiliate_commission_rate,
    commission_base,
    completed_refunds,
    order_transactions,
    settlement_time,
    sold_units,
)
from .logistics import stable_id
from .routing import ApiError, paginate, route
from .state import money

# Open collaboration commission, hundredths of a percent: 1.00 % to 80.00 %.
COMMISSION_RATE_RANGE = (100, 8000)
# Where the creator promoted the product, by the surface the sale came from.
CONTENT_TYPES = {"VIDEO": "VIDEO", "LIVE": "LIVE", "SHOP": "SHOP", "AFFILIATE": "SHOP"}
ZERO = Decimal(0)
# Money back without the item coming back (a replacement that could not be sent included).
REFUND_ONLY_TYPES = frozenset({"REFUND", "REPLACEMENT"})


def is_affiliate_order(order):
    return bool(order.creator_username) or order.surface == "AFFILIATE"


def open_collaboration_rate(state, product_id):
    """The open collaboration commission of a product (hundredths of a percent), or 0."""
    collaboration = state.open_collaborations.get(str(product_id))
    return collaboration["commission_rate"] if collaboration else 0


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
    rate = affiliate_commission_rate(state, order)
    base = commission_base(items)
    actual_base, actual_commission = actual

    def amount(value):
        return {"amount": money(value, currency), "currency": currency}

    first = items[0]
    product_id = first.product_id
    return {
        "product_id": product_id,
        "quantity": len(items),
        "price": amount(commission_base([first])),
        "creator_username": order.creator_username,
        "content_type": CONTENT_TYPES.get(order.surface, "SHOP"),
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
        "open_collaboration_id": state.open_collaborations.get(product_id, {}).get("id", ""),
        "target_collaboration_id": "",
        "campaign_id": "",
    }


# --- Open collaborations -----------------------------------------------------------------------


@route("POST", "/affiliate_seller/202405/open_collaborations")
def create_open_collaboration(state, request):
    body = request.json or {}
    rate = body.get("commission_rate")
    low, high = COMMISSION_RATE_RANGE
    if isinstance(rate, bool) or not isinstance(rate, int) or not low <= rate <= high:
        raise ApiError(
            CODE_INVALID_PARAMETER,
            f"commission_rate must be an integer from {low} to {high} (hundredths of a percent)",
        )
    with state.lock:
        product = _shop_product(state, request, body.get("product_id"))
        now = state.now()
        collaboration = state.open_collaborations.setdefault(
            product.id,
            {"id": stable_id("open_collaboration", product.id), "product_id": product.id},
        )
        collaboration.update(
            {
                "shop_id": product.shop_id,
                "commission_rate": rate,
                "require_seller_approve_creator": bool(body.get("require_seller_approve_creator")),
                "effective_time": now,
            }
        )
        view = {"id": collaboration["id"], "product_id": product.id, "effective_time": now}
        return {"open_collaboration": view}


def _shop_product(state, request, product_id):
    if not product_id:
        raise ApiError(CODE_INVALID_PARAMETER, "product_id is required")
    product = state.products.get(str(product_id))
    if product is None or product.status == "DELETED":
        raise ApiError(CODE_INVALID_PARAMETER, f"Product {product_id} does not exist")
    if product.shop_id != request.shop.id:
        raise ApiError(CODE_NOT_YOUR_PRODUCT, "You can't edit other sellers' products.")
    if product.status != "ACTIVATE":
        raise ApiError(CODE_INVALID_PARAMETER, "Only live (ACTIVATE) products can be promoted")
    return product


@route(
    "POST",
    "/affiliate_seller/202409/open_collaborations/search",
    page_size=(1, 100),
    page_size_required=True,
)
def search_open_collaborations(state, request):
    body = request.json or {}
    with state.lock:
        collaborations = [
            c
            for c in state.open_collaborations.values()
            if c.get("shop_id") == request.shop.id and _matches(state, c, body)
        ]
        collaborations.sort(key=lambda c: (c["effective_time"], c["id"]), reverse=True)
        page = paginate(collaborations, request, "open_collaborations")
        page["open_collaborations"] = [
            _collaboration_view(state, c) for c in page["open_collaborations"]
        ]
        return page


def _matches(state, collaboration, body):
    product = state.products.get(collaboration["product_id"])
    if product is None:
        return False
    keyword = (body.get("keyword") or "").strip().lower()
    if keyword:
        by_id = body.get("keyword_type") == "PRODUCT_ID"
        if (keyword != product.id) if by_id else (keyword not in product.title.lower()):
            return False
    top = body.get("top_level_category_id")
    chain = category_chain(state, product.category_id)
    return not top or (bool(chain) and chain[0]["id"] == str(top))


def _collaboration_view(state, collaboration):
    product = state.products[collaboration["product_id"]]
    prices = [Decimal(sku.price) for sku in product.skus] or [ZERO]
    currency = product.skus[0].currency if product.skus else ""
    creators = {
        order.creator_username
        for order in state.orders_of(product.shop_id)
        if order.creator_username and any(i.product_id == product.id for i in order.line_items)
    }
    first_image = next(iter(product.main_images), None)
    uri = first_image if isinstance(first_image, str) else (first_image or {}).get("uri")
    return {
        "id": collaboration["id"],
        "status": "ACTIVE" if product.status == "ACTIVATE" else "INACTIVE",
        "require_seller_approve_creator": collaboration["require_seller_approve_creator"],
        "current_commission": {
            "rate": collaboration["commission_rate"],
            "start_time": collaboration["effective_time"],
            "end_time": 0,
        },
        "product": {
            "id": product.id,
            "title": product.title,
            "status": product.status,
            "inventory": sum(sku.available() for sku in product.skus),
            "main_image_url": image_url(uri) if uri else "",
            "original_price": {
                "currency": currency,
                "minimum_amount": money(min(prices), currency) if currency else "0",
                "maximum_amount": money(max(prices), currency) if currency else "0",
            },
        },
        "content_creator_count": len(creators),
        "showcase_creator_count": len(creators),
    }
