"""Promotion activities (§5.10): a shop's discounts, fixed prices and flash sales, and the
products and SKUs in them. What an activity does once it runs (the deal price at checkout, its
limits, its status on the clock, the flash-sale stock guard, the topic-39 pushes) is `deals.py`.

    POST   /promotion/202309/activities                          -> {activity_id, status, ...}
    PUT    /promotion/202309/activities/{activity_id}            {title?, begin_time?, end_time?}
    PUT    /promotion/202309/activities/{activity_id}/products   {products: [{id, skus?: [{id}],
                 activity_price_amount | discount, quantity_limit, quantity_per_user}]}
    DELETE /promotion/202309/activities/{activity_id}/products   {product_ids?, sku_ids?}
    POST   /promotion/202309/activities/{activity_id}/deactivate
    POST   /promotion/202309/activities/search   {status?, activity_type?, activity_title?,
                 page_size (1-100, default 20), page_token}: paged in the body, not the query
    GET    /promotion/202309/activities/{activity_id}   the activity, its SKUs and units sold

The sandbox's reading of the rules TikTok documents only in part:

- `title` 1 to 50 characters; `begin_time` at most a minute in the past (a caller's clock may
  lag; an activity whose time has come starts at once); `end_time` after `begin_time` and in the
  future; `duration_type` NORMAL (the default) or INDEFINITE (no `end_time`).
- FLASHSALE runs 60 to 1200 seconds and is never INDEFINITE: TikTok's LIVE flash sales last 1 to
  20 minutes, and the sandbox holds every flash sale to that.
- `product_level` PRODUCT: a product entry's deal applies to each of its SKUs (a SKU entry may
  override it); VARIATION: only the SKUs listed join; SHOP: the whole shop, for
  SHIPPING_DISCOUNT and BUY_MORE_SAVE_MORE only, which take no products.
- A SKU's deal: FIXED_PRICE needs `activity_price_amount` (below the SKU's price, in the
  currency's decimals), DIRECT_DISCOUNT `discount` (percent off, above 0 and below 100),
  FLASHSALE either, never both. `quantity_limit` and `quantity_per_user` are -1 (no limit, the
  default) or at least 1, per SKU, the second no more than the first. A flash sale's SKU needs
  a `quantity_limit` (its deal stock), within the units the SKU has available.
- A SKU is in one open priced activity at a time (FIXED_PRICE, DIRECT_DISCOUNT, FLASHSALE whose
  windows overlap). Only NOT_START and ONGOING activities change; an ONGOING one keeps its
  `begin_time`.
- At most 300 products and 300 SKUs per products call: 17029046, TikTok's code for it. Every
  other refusal answers 36009004 with a message naming the field.
"""

import dataclasses
from decimal import Decimal

from .catalog.problems import positive_decimal
from .constants import CODE_INVALID_PARAMETER
from .deals import (
    ACTIVITY_TYPES,
    FLASH_SALE,
    OPEN_STATUSES,
    PRICED_TYPES,
    SELLER_DEACTIVATED,
    UNLIMITED,
    deactivate,
    deal_price,
    schedule_status_changes,
)
from .routing import ApiError, paginate, route, shop_record
from .state import DealSku, PromotionActivity, money

CODE_TOO_MANY_PRODUCTS = 17029046
MAX_PER_CALL = 300
MAX_TITLE_LENGTH = 50
FLASH_SALE_SECONDS = (60, 1200)
CLOCK_TOLERANCE = 60  # seconds a begin_time may lie in the past
PRODUCT_LEVELS = ("PRODUCT", "VARIATION", "SHOP")
DURATION_TYPES = ("NORMAL", "INDEFINITE")
PARTICIPATION_TYPES = ("BUYER_NO_LIMIT", "BUYER_LIMIT_ONLY_ONE")
STATUSES = ("NOT_START", "ONGOING", "EXPIRED", "DEACTIVATED")
# Activity-level discount terms (shipping, tiers), required by the types that price no SKU.
TYPES_WITH_TERMS = frozenset({"SHIPPING_DISCOUNT", "BUY_MORE_SAVE_MORE"})
DEAL_TERMS = ("activity_price_amount", "discount", "quantity_limit", "quantity_per_user")
SEARCH_PAGE_SIZES = (1, 100)
DEFAULT_SEARCH_PAGE_SIZE = 20
NO_END = float("inf")


def _refuse(message):
    raise ApiError(CODE_INVALID_PARAMETER, message)


# --- endpoints -----------------------------------------------------------------------------------


@route("POST", "/promotion/202309/activities")
def create_activity_endpoint(state, request):
    with state.lock:
        activity = open_activity(state, new_activity(state, request.shop, request.json or {}))
        return {
            "activity_id": activity.id,
            "status": activity.status,
            "create_time": activity.create_time,
            "update_time": activity.update_time,
        }


@route("PUT", "/promotion/202309/activities/{activity_id}")
def update_activity_endpoint(state, request):
    with state.lock:
        activity = _activity(state, request)
        update_activity(state, activity, request.json or {})
        return {
            "activity_id": activity.id,
            "title": activity.title,
            "update_time": activity.update_time,
        }


@route("PUT", "/promotion/202309/activities/{activity_id}/products")
def update_products_endpoint(state, request):
    with state.lock:
        activity = _activity(state, request)
        update_products(state, activity, request.json or {})
        return {"activity_id": activity.id, "update_time": activity.update_time}


@route("DELETE", "/promotion/202309/activities/{activity_id}/products")
def remove_products_endpoint(state, request):
    with state.lock:
        activity = _activity(state, request)
        remove_products(state, activity, request.json or {})
        return {"activity_id": activity.id, "update_time": activity.update_time}


@route("POST", "/promotion/202309/activities/{activity_id}/deactivate")
def deactivate_endpoint(state, request):
    with state.lock:
        activity = _activity(state, request)
        _check_open(activity)
        deactivate(state, activity, SELLER_DEACTIVATED)
        return {
            "activity_id": activity.id,
            "status": activity.status,
            "update_time": activity.update_time,
        }


@route("GET", "/promotion/202309/activities/{activity_id}")
def get_activity_endpoint(state, request):
    with state.lock:
        return activity_view(state, _activity(state, request))


@route("POST", "/promotion/202309/activities/search")
def search_activities_endpoint(state, request):
    body = request.json or {}
    if "page_size" in request.query or "page_token" in request.query:
        _refuse("Search Activities takes page_size and page_token in the body")
    status = _choice(body, "status", STATUSES, None)
    activity_type = _choice(body, "activity_type", ACTIVITY_TYPES, None)
    # TikTok names the filter activity_title; a plain title is read the same way.
    title = str(body.get("activity_title") or body.get("title") or "").casefold()
    paging = dataclasses.replace(request, query=_body_paging(body))
    with state.lock:
        found = [
            activity
            for activity in state.activities.values()
            if activity.shop_id == request.shop.id
            and status in (None, activity.status)
            and activity_type in (None, activity.activity_type)
            and title in activity.title.casefold()
        ]
        found.sort(key=lambda activity: (activity.create_time, int(activity.id)), reverse=True)
        return paginate([summary_view(activity) for activity in found], paging, "activities")


def _body_paging(body):
    size = body.get("page_size", DEFAULT_SEARCH_PAGE_SIZE)
    low, high = SEARCH_PAGE_SIZES
    if isinstance(size, bool) or not isinstance(size, int) or not low <= size <= high:
        _refuse(f"page_size must be a whole number between {low} and {high}")
    return {"page_size": str(size), "page_token": str(body.get("page_token") or "")}


def _activity(state, request):
    return shop_record(state.activities, request.path_params["activity_id"], request, "Activity")


# --- create and edit -----------------------------------------------------------------------------


def new_activity(state, shop, body):
    """A checked activity of `shop` from a create body, not yet known to the world."""
    now = state.now()
    activity = PromotionActivity(
        id=state.new_id(),
        shop_id=shop.id,
        title=_title(body.get("title")),
        activity_type=_choice(body, "activity_type", ACTIVITY_TYPES),
        begin_time=_timestamp(body, "begin_time"),
        end_time=_timestamp(body, "end_time", required=False),
        create_time=now,
        update_time=now,
        duration_type=_choice(body, "duration_type", DURATION_TYPES, "NORMAL"),
        product_level=_choice(body, "product_level", PRODUCT_LEVELS),
        participation_limit=_participation_limit(body),
    )
    activity.discount = _activity_terms(body, activity.activity_type)
    if activity.duration_type == "INDEFINITE":
        activity.end_time = 0
    if activity.product_level == "SHOP" and activity.activity_type not in TYPES_WITH_TERMS:
        _refuse(f"product_level SHOP does not apply to {activity.activity_type} activities")
    _check_window(activity, now, begin_moved=True)
    return activity


def open_activity(state, activity):
    """Make a checked activity known and put it on the clock; return it."""
    state.activities[activity.id] = activity
    schedule_status_changes(state, activity)
    return activity


def update_activity(state, activity, body):
    """Change the title and the window of an open activity (an ongoing one keeps its start)."""
    _check_open(activity)
    changed = dataclasses.replace(activity)
    if "title" in body:
        changed.title = _title(body["title"])
    if "begin_time" in body:
        changed.begin_time = _timestamp(body, "begin_time")
    if "end_time" in body and activity.duration_type == "NORMAL":
        changed.end_time = _timestamp(body, "end_time")
    begin_moved = changed.begin_time != activity.begin_time
    if begin_moved and activity.status == "ONGOING":
        _refuse("begin_time of an ongoing activity can not change")
    now = state.now()
    _check_window(changed, now, begin_moved=begin_moved)
    for deal in changed.skus.values():
        _check_sku_is_free(state, changed, deal.sku_id)
    moved = begin_moved or changed.end_time != activity.end_time
    activity.title, activity.begin_time = changed.title, changed.begin_time
    activity.end_time, activity.update_time = changed.end_time, now
    if moved:
        schedule_status_changes(state, activity)


def _check_window(activity, now, begin_moved):
    begin, end = activity.begin_time, activity.end_time
    if begin_moved and begin < now - CLOCK_TOLERANCE:
        _refuse("begin_time must not be in the past")
    if activity.duration_type == "NORMAL":
        if not end:
            _refuse("end_time is required unless duration_type is INDEFINITE")
        if end <= begin or end <= now:
            _refuse("end_time must be after begin_time and in the future")
    if activity.activity_type == FLASH_SALE:
        low, high = FLASH_SALE_SECONDS
        if activity.duration_type != "NORMAL" or not low <= end - begin <= high:
            _refuse(f"a FLASHSALE activity runs {low // 60} to {high // 60} minutes")


def _check_open(activity):
    if activity.status not in OPEN_STATUSES:
        _refuse(f"Activity {activity.id} is {activity.status} and can no longer change")


def _title(value):
    title = value.strip() if isinstance(value, str) else ""
    if not 1 <= len(title) <= MAX_TITLE_LENGTH:
        _refuse(f"title is required, at most {MAX_TITLE_LENGTH} characters")
    return title


def _timestamp(body, name, required=True):
    value = body.get(name)
    if value is None and not required:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        _refuse(f"{name} must be Unix seconds")
    return value


def _choice(body, name, allowed, default=""):
    value = body.get(name) or default
    if value is None:
        return None
    if value not in allowed:
        _refuse(f"{name} must be one of {', '.join(allowed)}")
    return value


def _participation_limit(body):
    limits = body.get("participation_limit") or [{"type": "BUYER_NO_LIMIT"}]
    if not isinstance(limits, list) or not all(
        isinstance(limit, dict) and limit.get("type") in PARTICIPATION_TYPES for limit in limits
    ):
        _refuse(f"participation_limit is a list of {{type}}: {', '.join(PARTICIPATION_TYPES)}")
    return [{"type": limit["type"]} for limit in limits]


def _activity_terms(body, activity_type):
    terms = body.get("discount")
    if terms is not None and not isinstance(terms, dict):
        _refuse("discount must be an object")
    if activity_type in TYPES_WITH_TERMS and not terms:
        _refuse(f"discount is required for {activity_type} activities")
    return terms


# --- products ------------------------------------------------------------------------------------


def update_products(state, activity, body):
    """Put products and SKUs in an open activity, or change their deals; all or nothing."""
    _check_open(activity)
    if activity.product_level == "SHOP":
        _refuse("a SHOP-level activity covers every product and takes none")
    entries = body.get("products")
    if (
        not isinstance(entries, list)
        or not entries
        or not all(isinstance(e, dict) for e in entries)
    ):
        _refuse("products is required: a list of {id, skus, ...}")
    _check_call_size(len(entries), sum(len(entry.get("skus") or ()) for entry in entries))
    deals = []
    for index, entry in enumerate(entries):
        deals += _product_deals(state, activity, entry, f"products[{index}]")
    for deal in deals:
        _check_sku_is_free(state, activity, deal.sku_id)
    for deal in deals:
        activity.skus[deal.sku_id] = deal
    activity.update_time = state.now()


def remove_products(state, activity, body):
    """Take products (all their SKUs) and single SKUs out of an open activity."""
    _check_open(activity)
    product_ids, sku_ids = _id_list(body, "product_ids"), _id_list(body, "sku_ids")
    if not product_ids and not sku_ids:
        _refuse("product_ids or sku_ids is required")
    _check_call_size(len(product_ids), len(sku_ids))
    in_activity = {deal.product_id for deal in activity.skus.values()}
    for missing in [i for i in product_ids if i not in in_activity] + [
        i for i in sku_ids if i not in activity.skus
    ]:
        _refuse(f"{missing} is not in activity {activity.id}")
    for sku_id, deal in list(activity.skus.items()):
        if sku_id in sku_ids or deal.product_id in product_ids:
            del activity.skus[sku_id]
    activity.update_time = state.now()


def _id_list(body, name):
    ids = body.get(name) or []
    if not isinstance(ids, list):
        _refuse(f"{name} must be a list of ids")
    return {str(value) for value in ids}


def _check_call_size(products, skus):
    if products > MAX_PER_CALL or skus > MAX_PER_CALL:
        raise ApiError(
            CODE_TOO_MANY_PRODUCTS,
            f"At most {MAX_PER_CALL} products and {MAX_PER_CALL} SKUs per call",
        )


def _product_deals(state, activity, entry, field):
    """The DealSku of each SKU a product entry puts in the activity."""
    product = _product(state, activity.shop_id, entry.get("id"), field)
    skus = {sku.id: sku for sku in product.skus}
    listed = {}
    for index, sku_entry in enumerate(entry.get("skus") or ()):
        sku_id = str(sku_entry.get("id") if isinstance(sku_entry, dict) else "")
        if sku_id not in skus:
            _refuse(f"{field}.skus[{index}].id: not a SKU of product {product.id}")
        listed[sku_id] = (sku_entry, f"{field}.skus[{index}]")
    if activity.product_level == "VARIATION" and not listed:
        _refuse(f"{field}.skus is required: a VARIATION-level activity lists its SKUs")
    if activity.product_level == "PRODUCT":
        listed = {sku_id: listed.get(sku_id, ({}, field)) for sku_id in skus}
    product_terms = _terms(entry)
    return [
        _deal(state, activity, skus[sku_id], {**product_terms, **_terms(sku_entry)}, where)
        for sku_id, (sku_entry, where) in listed.items()
    ]


def _product(state, shop_id, product_id, field):
    product = state.products.get(str(product_id))
    if product is None or product.shop_id != shop_id or product.status == "DELETED":
        _refuse(f"{field}.id: {product_id} is not a product of this shop")
    if product.status != "ACTIVATE":
        _refuse(f"{field}.id: product {product.id} is not on sale ({product.status})")
    return product


def _terms(entry):
    return {name: entry[name] for name in DEAL_TERMS if entry.get(name) not in (None, "")}


def _deal(state, activity, sku, terms, field):
    price, discount = _price_terms(state, activity, sku, terms, field)
    limit = _quantity(terms, "quantity_limit", field)
    per_user = _quantity(terms, "quantity_per_user", field)
    if UNLIMITED not in (limit, per_user) and per_user > limit:
        _refuse(f"{field}.quantity_per_user must not exceed quantity_limit")
    known = activity.skus.get(sku.id) or DealSku(sku.id, sku.product_id)
    if limit != UNLIMITED and limit < known.sold:
        _refuse(f"{field}.quantity_limit: {known.sold} unit(s) already sold at the deal")
    if activity.activity_type == FLASH_SALE:
        available = sku.available()
        if limit == UNLIMITED:
            _refuse(f"{field}.quantity_limit is required: a flash sale sells a set quantity")
        if limit - known.sold > available:
            _refuse(f"{field}.quantity_limit: SKU {sku.id} has {available} unit(s) available")
    return dataclasses.replace(
        known,
        activity_price=price,
        discount=discount,
        quantity_limit=limit,
        quantity_per_user=per_user,
        sold_per_user=dict(known.sold_per_user),
    )


def _price_terms(state, activity, sku, terms, field):
    """(activity price, discount) of a SKU's deal, one of them "" (both for unpriced types)."""
    amount, discount = terms.get("activity_price_amount"), terms.get("discount")
    kind = activity.activity_type
    if kind not in PRICED_TYPES:
        if amount is not None or discount is not None:
            _refuse(f"{field}: a {kind} activity sets no SKU price")
        return "", ""
    if amount is not None and discount is not None:
        _refuse(f"{field}: give activity_price_amount or discount, not both")
    if kind == "FIXED_PRICE" and amount is None:
        _refuse(f"{field}.activity_price_amount is required for {kind}")
    if kind == "DIRECT_DISCOUNT" and discount is None:
        _refuse(f"{field}.discount is required for {kind}")
    if amount is None and discount is None:
        _refuse(f"{field}: activity_price_amount or discount is required for {kind}")
    if amount is not None:
        return _activity_price(state, activity, sku, amount, field), ""
    percent = positive_decimal(discount)
    if percent is None or percent >= 100:
        _refuse(f"{field}.discount must be a percentage above 0 and below 100")
    return "", str(percent)


def _activity_price(state, activity, sku, amount, field):
    currency = state.shops[activity.shop_id].currency
    price = positive_decimal(amount)
    if price is None or Decimal(money(price, currency)) != price:
        _refuse(f"{field}.activity_price_amount must be a positive {currency} amount")
    if price >= Decimal(sku.price):
        _refuse(f"{field}.activity_price_amount must be below the SKU's price {sku.price}")
    return money(price, currency)


def _quantity(terms, name, field):
    value = terms.get(name, UNLIMITED)
    if isinstance(value, bool) or not isinstance(value, int) or (value != UNLIMITED and value < 1):
        _refuse(f"{field}.{name} must be -1 (no limit) or a whole number from 1")
    return value


def _check_sku_is_free(state, activity, sku_id):
    """A SKU sells at one deal at a time: refuse it while another open priced activity holds it
    over an overlapping window."""
    if activity.activity_type not in PRICED_TYPES:
        return
    for other in state.activities.values():
        if (
            other.id != activity.id
            and other.shop_id == activity.shop_id
            and other.activity_type in PRICED_TYPES
            and other.status in OPEN_STATUSES
            and sku_id in other.skus
            and _overlap(activity, other)
        ):
            _refuse(f"SKU {sku_id} is already in activity {other.id} ({other.title}) then")


def _overlap(first, second):
    return first.begin_time < (second.end_time or NO_END) and second.begin_time < (
        first.end_time or NO_END
    )


# --- views ---------------------------------------------------------------------------------------


def summary_view(activity):
    """An activity as Search Activities lists it."""
    return {
        "id": activity.id,
        "title": activity.title,
        "activity_type": activity.activity_type,
        "product_level": activity.product_level,
        "status": activity.status,
        "begin_time": activity.begin_time,
        "end_time": activity.end_time,
        "create_time": activity.create_time,
        "update_time": activity.update_time,
    }


def activity_view(state, activity):
    """An activity as Get Activity answers it: its terms, and each SKU's deal and sales."""
    view = {
        "activity_id": activity.id,
        "title": activity.title,
        "activity_type": activity.activity_type,
        "product_level": activity.product_level,
        "duration_type": activity.duration_type,
        "status": activity.status,
        "deactivation_reason": activity.deactivation_reason,
        "begin_time": activity.begin_time,
        "end_time": activity.end_time,
        "participation_limit": [dict(limit) for limit in activity.participation_limit],
        "create_time": activity.create_time,
        "update_time": activity.update_time,
        "products": _products_view(state, activity),
    }
    if activity.discount is not None:
        view["discount"] = activity.discount
    return view


def _products_view(state, activity):
    currency = state.shops[activity.shop_id].currency
    products = {}
    for deal in activity.skus.values():
        products.setdefault(deal.product_id, []).append(_sku_view(state, activity, deal, currency))
    return [{"id": product_id, "skus": skus} for product_id, skus in products.items()]


def _sku_view(state, activity, deal, currency):
    view = {
        "id": deal.sku_id,
        "discount": deal.discount,
        "quantity_limit": deal.quantity_limit,
        "quantity_per_user": deal.quantity_per_user,
        "sold_quantity": deal.sold,
    }
    sku = state.skus.get(deal.sku_id)
    if activity.activity_type in PRICED_TYPES and sku is not None:
        price = deal_price(deal, sku, currency)
        view["activity_price"] = {"amount": money(price, currency), "currency": currency}
    return view
