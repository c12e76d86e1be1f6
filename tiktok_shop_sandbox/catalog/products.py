"""Products (§5.3): create, edit, partial edit, get and search, and the audit of a listing.

Create and edit refuse a body with the first problem the listing rules find. Listed products
wait in PENDING until the sandbox clock reaches their audit time (`state.timing["product_audit"]`,
default AUDIT_SECONDS), then become ACTIVATE, or FAILED when the title contains "forbidden";
each outcome pushes a type-5 PRODUCT_STATUS_CHANGE webhook. Audits are sandbox timers
(`state.schedule`).
"""

import copy

from ..constants import CODE_INVALID_PARAMETER, CODE_NOT_YOUR_PRODUCT
from ..routing import ApiError, idempotent, paginate, route
from ..state import Product, Sku, money
from .categories import category_chain, tree_version
from .images import image_size, image_url, keep_hosted_images
from .listing_rules import validate_listing
from .problems import CODE_STATUS_NOT_ALLOWED, raise_first
from .reference import SALES
from .sku_rules import previous_sku, resolve_sales_attribute, tiktok_warehouse_stock

# How long a listed product waits in PENDING before the audit decides (sandbox seconds).
AUDIT_SECONDS = 120
# A title containing this word fails the audit: a deterministic way to exercise FAILED.
AUDIT_FAILURE_TRIGGER = "forbidden"
PRODUCT_STATUSES = frozenset(
    {
        "DRAFT",
        "PENDING",
        "FAILED",
        "ACTIVATE",
        "SELLER_DEACTIVATED",
        "PLATFORM_DEACTIVATED",
        "FREEZE",
        "DELETED",
    }
)


# --- the audit ------------------------------------------------------------------------------------


def _finish_audit(state, product, decided_at):
    product.details.pop("audit_due_time", None)
    if AUDIT_FAILURE_TRIGGER in product.title.lower():
        reason = "The title contains a prohibited word."
        product.status = "FAILED"
        product.audit_failed_reasons = [
            {
                "position": "title",
                "reasons": [reason],
                "suggestions": ["Remove prohibited words from the title and resubmit."],
                "listing_platform": "TIKTOK_SHOP",
            }
        ]
        _push_product_status(state, product, "PRODUCT_AUDIT_FAILURE", reason, decided_at)
    elif product.status == "PENDING":
        product.status = "ACTIVATE"
        _push_product_status(state, product, "PRODUCT_FIRST_PASS_REVIEW", "", decided_at)


def _push_product_status(state, product, status, suspended_reason, decided_at):
    product.update_time = decided_at
    data = {
        "product_id": product.id,
        "status": status,
        "suspended_reason": suspended_reason,
        "update_time": decided_at,
    }
    state.emit_webhook(5, product.shop_id, data)


def submit_for_audit(state, product):
    """Queue the audit; a live product stays on sale while its edit is reviewed."""
    due = state.now() + state.timing.get("product_audit", AUDIT_SECONDS)
    if product.status != "ACTIVATE":
        product.status = "PENDING"
    product.audit_failed_reasons = []
    product.details["audit_due_time"] = due
    state.schedule(due, _audit_due, state, product.id, due)


def _audit_due(state, product_id, due):
    product = state.products.get(product_id)
    # A later edit (new due time) or a deactivation (no due time) replaced this audit.
    reviewable = product and product.status in ("PENDING", "ACTIVATE")
    if reviewable and product.details.get("audit_due_time") == due:
        _finish_audit(state, product, due)


# --- the product as stored and as a body ----------------------------------------------------------


def shop_product(state, request, product_id):
    """The product `product_id` of the calling shop, or the refusal TikTok answers."""
    product = state.products.get(str(product_id))
    if product is None or (product.status == "DELETED" and request.method != "GET"):
        raise ApiError(CODE_INVALID_PARAMETER, f"Product {product_id} does not exist")
    if product.shop_id != request.shop.id:
        raise ApiError(CODE_NOT_YOUR_PRODUCT, "You can't edit other sellers' products.")
    return product


# Body keys the sandbox keeps only to show them again in Get Product.
ECHOED_KEYS = (
    "category_version",
    "certifications",
    "size_chart",
    "is_cod_allowed",
    "external_product_id",
    "delivery_option_ids",
    "manufacturer_ids",
    "responsible_person_ids",
    "listing_platforms",
)


def _apply_body(state, shop, product, body):
    """Write a validated create/edit body into `product` (SKUs included)."""
    category = state.categories[str(body["category_id"])] if body.get("category_id") else None
    attributes = state.category_attributes.get(category["id"], []) if category else []
    product.title = body["title"]
    product.description = body.get("description") or ""
    product.category_id = category["id"] if category else ""
    product.brand_id = str(body.get("brand_id") or "")
    product.main_images = [{"uri": image["uri"]} for image in body.get("main_images") or []]
    product.video = body.get("video")
    product.product_attributes = _named_product_attributes(attributes, body)
    product.package_weight = body.get("package_weight")
    product.package_dimensions = body.get("package_dimensions")
    for key in ECHOED_KEYS:
        if key in body:
            product.details[key] = copy.deepcopy(body[key])
    _replace_skus(state, shop, product, attributes, body["skus"])
    product.update_time = state.now()


def _named_product_attributes(attributes, body):
    by_id = {a["id"]: a for a in attributes}
    named = []
    for entry in body.get("product_attributes") or []:
        attribute = by_id.get(str(entry.get("id")), {"name": "", "values": []})
        names = {value["id"]: value["name"] for value in attribute["values"]}
        values = [
            {"id": value.get("id") or "", "name": names.get(value.get("id"), value.get("name", ""))}
            for value in entry.get("values") or []
        ]
        named.append({"id": str(entry["id"]), "name": attribute["name"], "values": values})
    return named


def _replace_skus(state, shop, product, attributes, sku_bodies):
    sales = {a["id"]: a for a in attributes if a["type"] == SALES}
    kept = []
    for body in sku_bodies:
        previous = previous_sku(product, body)
        sku = previous or Sku(state.new_id(), product.id, "", "", shop.currency)
        _write_sku(state, sku, sales, body, shop.currency)
        kept.append(sku)
        state.skus[sku.id] = sku
    for dropped in {sku.id for sku in product.skus} - {sku.id for sku in kept}:
        state.skus.pop(dropped, None)
    product.skus = kept


def _write_sku(state, sku, sales, body, currency):
    price = body["price"]
    sku.seller_sku = body["seller_sku"]
    sku.price = money(price.get("amount") or price.get("sale_price"), currency)
    sku.currency = currency
    list_price = body.get("list_price") or {}
    sku.list_price = money(list_price["amount"], currency) if list_price.get("amount") else ""
    sku.sales_attributes = [
        resolve_sales_attribute(sales, entry)[0] for entry in body.get("sales_attributes") or []
    ]
    if body.get("inventory"):
        # Fulfilled by TikTok stock stays as TikTok counted it, whatever an edit repeats of it.
        seller_stock = {
            str(e["warehouse_id"]): e["quantity"]
            for e in body["inventory"]
            if not state.is_fbt_warehouse(str(e["warehouse_id"]))
        }
        sku.inventory = {**seller_stock, **tiktok_warehouse_stock(state, sku)}
    sku.identifier_code = copy.deepcopy(body.get("identifier_code"))


def product_as_body(state, product, shop):
    """The product as a create/edit body: what partial edits merge into and drafts re-check."""
    details = product.details
    body = {
        "title": product.title,
        "description": product.description,
        "category_id": product.category_id,
        "category_version": details.get("category_version") or tree_version(shop),
        "brand_id": product.brand_id,
        "main_images": [_image_ref(image) for image in product.main_images],
        "product_attributes": copy.deepcopy(product.product_attributes),
        "package_weight": copy.deepcopy(product.package_weight),
        "skus": [_sku_as_body(state, sku) for sku in product.skus],
    }
    if product.package_dimensions:
        body["package_dimensions"] = copy.deepcopy(product.package_dimensions)
    if product.video:
        body["video"] = copy.deepcopy(product.video)
    body.update({key: copy.deepcopy(details[key]) for key in ECHOED_KEYS if key in details})
    return body


def _image_ref(image):
    return {"uri": image} if isinstance(image, str) else {"uri": image.get("uri")}


def _sku_as_body(state, sku):
    body = {
        "id": sku.id,
        "seller_sku": sku.seller_sku,
        "sales_attributes": copy.deepcopy(sku.sales_attributes),
        "price": {"amount": sku.price, "currency": sku.currency},
        "inventory": [
            {"warehouse_id": w, "quantity": q}
            for w, q in sku.inventory.items()
            if not state.is_fbt_warehouse(w)
        ],
    }
    if sku.list_price:
        body["list_price"] = {"amount": sku.list_price, "currency": sku.currency}
    if sku.identifier_code:
        body["identifier_code"] = copy.deepcopy(sku.identifier_code)
    return body


def _write_result(product, warnings=None):
    result = {
        "product_id": product.id,
        "skus": [
            {
                "id": sku.id,
                "seller_sku": sku.seller_sku,
                "external_sku_id": "",
                "sales_attributes": [
                    {"id": a["id"], "value_id": a["value_id"]} for a in sku.sales_attributes
                ],
            }
            for sku in product.skus
        ],
    }
    if warnings is not None:
        result["warnings"] = warnings
    return result


def listing_warnings(body):
    """Quality hints that do not refuse a listing (few images, a short description)."""
    warnings = []
    if len(body.get("main_images") or []) < 3:
        warnings.append({"message": "Listings with at least 3 main images sell better."})
    if len(body.get("description") or "") < 300:
        warnings.append({"message": "A description over 300 characters is recommended."})
    return warnings


def _save_mode(body):
    mode = body.get("save_mode") or "LISTING"
    if mode not in ("LISTING", "AS_DRAFT"):
        raise ApiError(CODE_INVALID_PARAMETER, "save_mode must be LISTING or AS_DRAFT")
    return mode


# --- endpoints ------------------------------------------------------------------------------------


@route("POST", "/product/202309/products")
def create_product(state, request):
    body = request.json or {}
    key = body.get("idempotency_key") or request.query.get("idempotency_key")
    with state.lock:
        return idempotent(state, request, key, lambda: _create_listing(state, request.shop, body))


def _create_listing(state, shop, body):
    """Validate `body`, store the new product and return Create Product's answer."""
    draft = _save_mode(body) == "AS_DRAFT"
    raise_first(validate_listing(state, shop, body, draft=draft))
    status = "DRAFT" if draft else "PENDING"
    product = Product(state.new_id(), shop.id, "", status=status, create_time=state.now())
    _apply_body(state, shop, product, body)
    state.products[product.id] = product
    if not draft:
        submit_for_audit(state, product)
    return _write_result(product, listing_warnings(body))


@route("PUT", "/product/202309/products/{product_id}")
def edit_product(state, request):
    body = request.json or {}
    with state.lock:
        product = shop_product(state, request, request.path_params["product_id"])
        return _save_edit(state, request.shop, product, body, _save_mode(body))


@route("POST", "/product/202309/products/{product_id}/partial_edit")
def partial_edit_product(state, request):
    changes = request.json or {}
    with state.lock:
        product = shop_product(state, request, request.path_params["product_id"])
        body = product_as_body(state, product, request.shop)
        body.update({key: value for key, value in changes.items() if key != "skus"})
        if "skus" in changes:
            body["skus"] = _merge_skus(body["skus"], changes["skus"])
        mode = changes.get("save_mode") or ("AS_DRAFT" if product.status == "DRAFT" else "LISTING")
        result = _save_edit(state, request.shop, product, body, mode)
        result.pop("warnings", None)
        return result


def _merge_skus(current, changes):
    """SKUs listed in a partial edit: known ids keep their omitted fields, new ones are added."""
    by_id = {sku["id"]: sku for sku in current}
    return [{**by_id.get(str(change.get("id") or ""), {}), **change} for change in changes]


def _save_edit(state, shop, product, body, mode):
    draft = mode == "AS_DRAFT"
    if draft and product.status not in ("DRAFT", "FAILED"):
        raise ApiError(CODE_STATUS_NOT_ALLOWED, "Only drafts can be saved as drafts")
    keep_hosted_images(state, product)
    raise_first(validate_listing(state, shop, body, draft=draft, edited=product))
    _apply_body(state, shop, product, body)
    if draft:
        product.status = "DRAFT"
    else:
        # Every edit of a listed product goes through the audit again.
        submit_for_audit(state, product)
    result = _write_result(product, listing_warnings(body))
    result["audit"] = {"status": "APPROVED" if draft else "AUDITING"}
    return result


@route("GET", "/product/202309/products/{product_id}")
def get_product(state, request):
    with state.lock:
        product = shop_product(state, request, request.path_params["product_id"])
        return product_view(state, product)


def product_view(state, product):
    """Get Product's answer for `product`."""
    details = product.details
    view = {
        "id": product.id,
        "title": product.title,
        "description": product.description,
        "status": product.status,
        "category_chains": category_chain(state, product.category_id),
        "main_images": [_image_view(state, image) for image in product.main_images],
        "product_attributes": copy.deepcopy(product.product_attributes),
        "skus": [_sku_view(sku) for sku in product.skus],
        "package_weight": copy.deepcopy(product.package_weight),
        "package_dimensions": copy.deepcopy(product.package_dimensions),
        "audit_failed_reasons": copy.deepcopy(product.audit_failed_reasons),
        "audit": {"status": _audit_status(product)},
        "is_cod_allowed": bool(details.get("is_cod_allowed")),
        "certifications": copy.deepcopy(details.get("certifications") or []),
        "delivery_options": [
            {"id": option_id} for option_id in details.get("delivery_option_ids") or []
        ],
        "external_product_id": details.get("external_product_id") or "",
        "create_time": product.create_time,
        "update_time": product.update_time,
    }
    brand = state.brands.get(product.brand_id)
    if brand:
        view["brand"] = {"id": brand["id"], "name": brand["name"]}
    if product.video:
        view["video"] = copy.deepcopy(product.video)
    if details.get("size_chart"):
        view["size_chart"] = copy.deepcopy(details["size_chart"])
    return view


def _audit_status(product):
    if "audit_due_time" in product.details:
        return "AUDITING"
    return {"ACTIVATE": "APPROVED", "FAILED": "REJECTED", "DRAFT": "NONE"}.get(
        product.status, "APPROVED"
    )


def _image_view(state, image):
    """An image as Get Product shows it; `image` is a stored {uri, ...} dict or a bare uri."""
    stored = image if isinstance(image, dict) else {"uri": image}
    uri = stored["uri"]
    width, height = image_size(state.images.get(uri, b"")) or (
        stored.get("width", 0),
        stored.get("height", 0),
    )
    urls = stored.get("urls") or [image_url(uri)]
    return {"uri": uri, "urls": urls, "thumb_urls": urls, "width": width, "height": height}


def _sku_view(sku):
    view = {
        "id": sku.id,
        "seller_sku": sku.seller_sku,
        "price": _price_view(sku),
        "inventory": [{"warehouse_id": w, "quantity": q} for w, q in sku.inventory.items()],
        "sales_attributes": copy.deepcopy(sku.sales_attributes),
        "external_sku_id": "",
    }
    if sku.list_price:
        view["list_price"] = {"amount": sku.list_price, "currency": sku.currency}
    if sku.identifier_code:
        view["identifier_code"] = copy.deepcopy(sku.identifier_code)
    return view


def _price_view(sku):
    return {"currency": sku.currency, "sale_price": sku.price, "tax_exclusive_price": sku.price}


@route("POST", "/product/202309/products/search", page_size=(1, 100), page_size_required=True)
def search_products(state, request):
    body = request.json or {}
    status = body.get("status") or "ALL"
    if status != "ALL" and status not in PRODUCT_STATUSES:
        raise ApiError(CODE_INVALID_PARAMETER, f"Invalid status {status!r}")
    with state.lock:
        products = [
            p
            for p in state.products.values()
            if p.shop_id == request.shop.id and _matches_search(p, status, body)
        ]
        products.sort(key=lambda p: (p.create_time, int(p.id)), reverse=True)
        page = paginate(products, request, "products")
        page["products"] = [_search_item(p, request.shop) for p in page["products"]]
        return page


def _matches_search(product, status, body):
    if status == "ALL" and product.status == "DELETED":
        return False
    if status != "ALL" and product.status != status:
        return False
    seller_skus = body.get("seller_skus")
    if seller_skus and not {sku.seller_sku for sku in product.skus} & set(seller_skus):
        return False
    return _in_range(product.create_time, body, "create_time") and _in_range(
        product.update_time, body, "update_time"
    )


def _in_range(value, body, name):
    # Product searches use inclusive bounds on both ends (`_ge` / `_le`).
    low, high = body.get(f"{name}_ge"), body.get(f"{name}_le")
    return (low is None or value >= low) and (high is None or value <= high)


def _search_item(product, shop):
    return {
        "id": product.id,
        "title": product.title,
        "status": product.status,
        "skus": [
            {
                "id": sku.id,
                "seller_sku": sku.seller_sku,
                "price": _price_view(sku),
                "inventory": [{"warehouse_id": w, "quantity": q} for w, q in sku.inventory.items()],
            }
            for sku in product.skus
        ],
        "sales_regions": [shop.region],
        "recommended_categories": [],
        "product_sync_fail_reasons": [],
        "create_time": product.create_time,
        "update_time": product.update_time,
    }
