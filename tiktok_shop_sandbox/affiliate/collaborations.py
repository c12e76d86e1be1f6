"""Collaborations (§5.9): open ones (any creator, one rate per product) and target ones (named
creators invited at their own rates), and the terms a creator's sale earns under them.

Rates are integers in hundredths of a percent (1550 = 15.50 %). When a creator sells a product,
the terms are fixed at that moment (`commission_terms`): an ongoing target collaboration that
names the creator and the product beats the product's open collaboration (the best target rate
when several apply), and a product in neither earns the default rate. A target collaboration is
ONGOING until its `end_time` (then EXPIRED) or until the seller removes it (REMOVED: kept, so
orders placed through it still name it, but no longer applied or editable).
"""

from decimal import Decimal

from ..catalog import category_chain, image_url
from ..constants import CODE_INVALID_PARAMETER, CODE_NOT_YOUR_PRODUCT
from ..logistics import stable_id
from ..routing import ApiError, one_of, paginate, route, shop_record
from ..state import TargetCollaboration, money
from .creators import creator_or_refusal, creator_view

# Open collaboration commission: 1.00 % to 80.00 %; a target collaboration's from 10.00 %.
COMMISSION_RATE_RANGE = (100, 8000)
TARGET_COMMISSION_RATE_RANGE = (1000, 8000)
MAX_TARGET_CREATORS = 50
TARGET_STATUSES = ("ONGOING", "EXPIRED", "REMOVED")
ZERO = Decimal(0)


def open_collaboration_rate(state, product_id):
    """The open collaboration commission of a product (hundredths of a percent), or 0."""
    collaboration = state.open_collaborations.get(str(product_id))
    return collaboration["commission_rate"] if collaboration else 0


def _rate(value, name, bounds):
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ApiError(
            CODE_INVALID_PARAMETER,
            f"{name} must be an integer from {low} to {high} (hundredths of a percent)",
        )
    return value


# --- Open collaborations -----------------------------------------------------------------------


@route("POST", "/affiliate_seller/202405/open_collaborations")
def create_open_collaboration(state, request):
    body = request.json or {}
    rate = _rate(body.get("commission_rate"), "commission_rate", COMMISSION_RATE_RANGE)
    with state.lock:
        product = shop_product(state, request.shop, body.get("product_id"))
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


def shop_product(state, shop, product_id):
    """The shop's live product `product_id`, or the refusal TikTok answers."""
    if not product_id:
        raise ApiError(CODE_INVALID_PARAMETER, "product_id is required")
    product = state.products.get(str(product_id))
    if product is None or product.status == "DELETED":
        raise ApiError(CODE_INVALID_PARAMETER, f"Product {product_id} does not exist")
    if product.shop_id != shop.id:
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


# --- Target collaborations ---------------------------------------------------------------------

TARGET_PATH = "/affiliate_seller/202409/target_collaborations/{target_collaboration_id}"
# Fields of the create body, and those a create cannot do without.
TARGET_FIELDS = (
    "name",
    "message",
    "creator_user_ids",
    "products",
    "end_time",
    "free_sample_rule",
    "seller_contact_info",
)
TARGET_REQUIRED = ("name", "creator_user_ids", "products", "end_time")


@route("POST", "/affiliate_seller/202405/target_collaborations")
def create_target_collaboration(state, request):
    body = request.json or {}
    with state.lock:
        missing = [name for name in TARGET_REQUIRED if body.get(name) in (None, "", [])]
        if missing:
            raise ApiError(CODE_INVALID_PARAMETER, f"{', '.join(missing)} required")
        now = state.now()
        collaboration = TargetCollaboration(
            id=state.new_id(),
            shop_id=request.shop.id,
            create_time=now,
            update_time=now,
            **{"message": "", **_target_fields(state, request, body)},
        )
        state.target_collaborations[collaboration.id] = collaboration
        return {"target_collaboration": target_view(state, collaboration)}


@route(
    "POST",
    "/affiliate_seller/202409/target_collaborations/search",
    page_size=(1, 100),
    page_size_required=True,
)
def search_target_collaborations(state, request):
    """The shop's target collaborations, newest first; body filters `status`, `product_id`,
    `creator_user_id`."""
    body = request.json or {}
    status = one_of(body, "status", TARGET_STATUSES)
    product_id = str(body.get("product_id") or "")
    creator_id = str(body.get("creator_user_id") or "")
    with state.lock:
        now = state.now()
        found = [
            c
            for c in state.target_collaborations.values()
            if c.shop_id == request.shop.id
            and status in (None, target_status(c, now))
            and (not product_id or any(p["id"] == product_id for p in c.products))
            and (not creator_id or creator_id in c.creator_user_ids)
        ]
        found.sort(key=lambda c: (c.create_time, int(c.id)), reverse=True)
        page = paginate(found, request, "target_collaborations")
        page["target_collaborations"] = [
            target_view(state, c) for c in page["target_collaborations"]
        ]
        return page


@route("GET", TARGET_PATH)
def get_target_collaboration(state, request):
    with state.lock:
        return {"target_collaboration": target_view(state, _target(state, request))}


@route("PUT", TARGET_PATH)
def update_target_collaboration(state, request):
    """Change what the body names (the create body's fields); the others stay."""
    with state.lock:
        collaboration = _target(state, request)
        status = target_status(collaboration, state.now())
        if status != "ONGOING":
            message = f"A {status} target collaboration can't be edited"
            raise ApiError(CODE_INVALID_PARAMETER, message)
        for name, value in _target_fields(state, request, request.json or {}).items():
            setattr(collaboration, name, value)
        collaboration.update_time = state.now()
        return {"target_collaboration": target_view(state, collaboration)}


@route("DELETE", TARGET_PATH)
def remove_target_collaboration(state, request):
    with state.lock:
        collaboration = _target(state, request)
        if not collaboration.removed_time:
            collaboration.removed_time = collaboration.update_time = state.now()
        return {}


def _target(state, request):
    collaboration_id = request.path_params["target_collaboration_id"]
    return shop_record(
        state.target_collaborations, collaboration_id, request, "Target collaboration"
    )


def _target_fields(state, request, body):
    """The create/update body's fields that are there, checked, as the dataclass keeps them."""
    checks = {
        "name": _name,
        "message": _message,
        "creator_user_ids": lambda value: _creator_ids(state, value),
        "products": lambda value: _target_products(state, request, value),
        "end_time": lambda value: _end_time(state, value),
        "free_sample_rule": lambda value: _object(value, "free_sample_rule"),
        "seller_contact_info": lambda value: _object(value, "seller_contact_info"),
    }
    return {name: checks[name](body[name]) for name in TARGET_FIELDS if name in body}


def _name(value):
    if not isinstance(value, str) or not value.strip():
        raise ApiError(CODE_INVALID_PARAMETER, "name must be a non-empty text")
    return value.strip()


def _message(value):
    if not isinstance(value, str):
        raise ApiError(CODE_INVALID_PARAMETER, "message must be a text")
    return value


def _creator_ids(state, value):
    if not isinstance(value, list) or not value:
        raise ApiError(CODE_INVALID_PARAMETER, "creator_user_ids must list at least one creator")
    ids = list(dict.fromkeys(str(user_id) for user_id in value))
    if len(ids) > MAX_TARGET_CREATORS:
        raise ApiError(
            CODE_INVALID_PARAMETER,
            f"A target collaboration invites at most {MAX_TARGET_CREATORS} creators",
        )
    for user_id in ids:
        creator_or_refusal(state, user_id)
    return ids


def _target_products(state, request, value):
    if not isinstance(value, list) or not value:
        raise ApiError(CODE_INVALID_PARAMETER, "products must list at least one product")
    products = {}
    for entry in value:
        if not isinstance(entry, dict):
            raise ApiError(CODE_INVALID_PARAMETER, "products[] are {id, target_commission_rate}")
        product = shop_product(state, request.shop, entry.get("id"))
        rate = _rate(
            entry.get("target_commission_rate"),
            "target_commission_rate",
            TARGET_COMMISSION_RATE_RANGE,
        )
        products[product.id] = {"id": product.id, "target_commission_rate": rate}
    return list(products.values())


def _end_time(state, value):
    if isinstance(value, bool) or not isinstance(value, int) or value <= state.now():
        raise ApiError(CODE_INVALID_PARAMETER, "end_time must be Unix seconds in the future")
    return value


def _object(value, name):
    if not isinstance(value, dict):
        raise ApiError(CODE_INVALID_PARAMETER, f"{name} must be an object")
    return dict(value)


def target_status(collaboration, now):
    if collaboration.removed_time:
        return "REMOVED"
    return "ONGOING" if now < collaboration.end_time else "EXPIRED"


def target_view(state, collaboration):
    products = state.products
    return {
        "id": collaboration.id,
        "name": collaboration.name,
        "message": collaboration.message,
        "status": target_status(collaboration, state.now()),
        "create_time": collaboration.create_time,
        "update_time": collaboration.update_time,
        "end_time": collaboration.end_time,
        "creators": [
            creator_view(state.creators[user_id]) for user_id in collaboration.creator_user_ids
        ],
        "products": [
            {
                "id": entry["id"],
                "title": products[entry["id"]].title if entry["id"] in products else "",
                "target_commission_rate": entry["target_commission_rate"],
            }
            for entry in collaboration.products
        ],
        "free_sample_rule": dict(collaboration.free_sample_rule),
        "seller_contact_info": dict(collaboration.seller_contact_info),
    }


# --- The terms of a creator's sale -------------------------------------------------------------


def commission_terms(state, shop_id, creator, product_ids, at):
    """((product_id, rate, open_collaboration_id, target_collaboration_id), ...) a sale by
    `creator` of `product_ids` in the shop earns at time `at` (see the module's docstring)."""
    default_rate = int(state.fee_rates.affiliate_default * 10_000)
    terms = []
    for product_id in dict.fromkeys(product_ids):
        target = _best_target(state, shop_id, creator.user_id, product_id, at)
        if target is not None:
            terms.append((product_id, target[0], "", target[1]))
            continue
        open_one = state.open_collaborations.get(product_id)
        if open_one and open_one.get("shop_id") == shop_id and open_one["effective_time"] <= at:
            terms.append((product_id, open_one["commission_rate"], open_one["id"], ""))
        else:
            terms.append((product_id, default_rate, "", ""))
    return tuple(terms)


def _best_target(state, shop_id, user_id, product_id, at):
    """(rate, id) of the best ongoing target collaboration inviting the creator to sell the
    product, or None."""
    offers = [
        (entry["target_commission_rate"], int(c.id), c.id)
        for c in state.target_collaborations.values()
        if c.shop_id == shop_id
        and user_id in c.creator_user_ids
        and c.create_time <= at
        and target_status(c, at) == "ONGOING"
        for entry in c.products
        if entry["id"] == product_id
    ]
    if not offers:
        return None
    rate, _newest, collaboration_id = max(offers)
    return rate, collaboration_id
