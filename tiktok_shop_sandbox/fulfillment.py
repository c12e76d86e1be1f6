"""Packages and shipping documents (§5.6): the seller's side of shipping.

The seller ships a package either with TikTok's label (`ship package`: the platform assigns the
tracking number, the carrier collects it later) or with its own carrier (`mark package as
shipped` by line items, which splits the package when only some items leave). What happens to
packages afterwards, on the sandbox clock, is the orders' lifecycle (orders/lifecycle.py).
Shipping documents are small PDFs served at the doc_url for 24 hours of sandbox time.
"""

import zlib

from .constants import CODE_INVALID_PARAMETER, FBT
from .orders.checkout import masked_address
from .orders.lifecycle import (
    TO_SHIP,
    package_stage,
    packages_of,
    ship_package,
    split_package,
)
from .routing import ApiError, RawResponse, paginate, route, shop_record, sort_spec, time_range

PACKAGE_STATUSES = ("PROCESSING", "FULFILLING", "COMPLETED", "CANCELLED")
DOCUMENT_TYPES = (
    "SHIPPING_LABEL",
    "PACKING_SLIP",
    "SHIPPING_LABEL_AND_PACKING_SLIP",
    "SHIPPING_LABEL_PICTURE",
    "HAZMAT_LABEL",
    "INVOICE_LABEL",
)
LABEL_TYPES = frozenset(DOCUMENT_TYPES) - {"PACKING_SLIP"}
DOCUMENT_SIZES = {"A6": (298, 420), "A5": (420, 595)}  # points
DOCUMENT_LIFETIME = 86400  # doc_url stays valid 24 h
HANDOVER_METHODS = ("PICKUP", "DROP_OFF")
SORT_FIELDS = ("create_time", "update_time", "order_pay_time")


# --- the API ------------------------------------------------------------------------------------


def _shop_package(state, request):
    return shop_record(state.packages, request.path_params["package_id"], request, "Package")


def _shop_order(state, request):
    return shop_record(state.orders, request.path_params["order_id"], request, "Order")


def _check_shippable(order, package):
    if order.fulfillment_type == FBT:
        raise ApiError(CODE_INVALID_PARAMETER, "FBT orders are shipped by TikTok")
    if order.status not in ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING", "AWAITING_COLLECTION"):
        raise ApiError(
            CODE_INVALID_PARAMETER, f"Order status {order.status} does not allow shipping"
        )
    if package is not None and package_stage(package) != TO_SHIP:
        raise ApiError(CODE_INVALID_PARAMETER, f"Package {package.id} was already shipped")


def _checked_provider(state, shop, provider_id):
    """A provider id of the shop's market (when the logistics reference data is loaded)."""
    if not provider_id:
        raise ApiError(CODE_INVALID_PARAMETER, "shipping_provider_id is required")
    if state.shipping_providers:
        provider = state.shipping_providers.get(str(provider_id))
        if provider is None or provider.get("region", shop.region) != shop.region:
            raise ApiError(CODE_INVALID_PARAMETER, f"Invalid shipping_provider_id {provider_id}")
    return str(provider_id)


@route("POST", "/fulfillment/202309/packages/search", page_size=(1, 50), page_size_required=True)
def search_packages(state, request):
    body = request.json
    status = body.get("package_status")
    if status is not None and status not in PACKAGE_STATUSES:
        raise ApiError(CODE_INVALID_PARAMETER, f"Invalid package_status {status!r}")
    created = time_range(body, "create_time", state.now())
    updated = time_range(body, "update_time", state.now())
    field, descending = sort_spec(request.query, SORT_FIELDS)
    found = [
        package
        for package in state.packages.values()
        if package.shop_id == request.shop.id
        and (status is None or package.status == status)
        and created[0] <= package.create_time < created[1]
        and updated[0] <= package.update_time < updated[1]
    ]
    found.sort(key=lambda p: (_sort_value(state, p, field), p.id), reverse=descending)
    page = paginate(found, request, "packages")
    page["packages"] = [_package_summary(package) for package in page["packages"]]
    return page


def _sort_value(state, package, field):
    if field == "order_pay_time":
        return state.orders[package.order_id].paid_time
    return getattr(package, field)


def _package_summary(package):
    return {
        "id": package.id,
        "status": package.status,
        "orders": [{"id": package.order_id}],
        "tracking_number": package.tracking_number,
        "shipping_provider_id": package.shipping_provider_id,
        "shipping_provider_name": package.shipping_provider_name,
        "create_time": package.create_time,
        "update_time": package.update_time,
    }


@route("GET", "/fulfillment/202309/packages/{package_id}")
def get_package(state, request):
    package = _shop_package(state, request)
    order = state.orders[package.order_id]
    items = [item for item in order.line_items if item.id in set(package.line_item_ids)]
    skus = {}
    for item in items:
        entry = skus.setdefault(
            item.sku_id,
            {"id": item.sku_id, "name": item.sku_name, "image_url": item.sku_image, "quantity": 0},
        )
        entry["quantity"] += 1
    return {
        "package_id": package.id,
        "package_status": package.status,
        "order_line_item_ids": list(package.line_item_ids),
        "orders": [{"id": order.id, "skus": list(skus.values())}],
        "shipping_type": package.shipping_type,
        "handover_method": package.handover_method,
        "pickup_slot": package.pickup_slot,
        "tracking_number": package.tracking_number,
        "shipping_provider_id": package.shipping_provider_id,
        "shipping_provider_name": package.shipping_provider_name,
        "delivery_option_id": order.delivery_option_id,
        "delivery_option_name": order.delivery_option_name,
        "split_and_combine_tag": order.split_or_combine_tag,
        "has_multi_skus": len(skus) > 1,
        "weight": {"value": str(250 * len(items)), "unit": "GRAM"},
        "dimension": {"length": "30", "width": "20", "height": "10", "unit": "CM"},
        "create_time": package.create_time,
        "update_time": package.update_time,
    }


@route("POST", "/fulfillment/202309/packages/{package_id}/ship")
def ship_package_endpoint(state, request):
    package = _shop_package(state, request)
    order = state.orders[package.order_id]
    _check_shippable(order, package)
    body = request.json
    handover = body.get("handover_method") or "DROP_OFF"
    if handover not in HANDOVER_METHODS:
        raise ApiError(CODE_INVALID_PARAMETER, f"Invalid handover_method {handover!r}")
    self_shipment = body.get("self_shipment") or {}
    tracking_number = self_shipment.get("tracking_number")
    if order.shipping_type == "SELLER" and not tracking_number:
        raise ApiError(CODE_INVALID_PARAMETER, "self_shipment is required for seller shipping")
    provider_id = None
    if tracking_number:
        provider_id = _checked_provider(
            state, request.shop, self_shipment.get("shipping_provider_id")
        )
    package.pickup_slot = body.get("pickup_slot") if handover == "PICKUP" else None
    ship_package(
        state,
        package,
        tracking_number=tracking_number or None,
        provider_id=provider_id,
        handover=handover,
    )
    return {}


@route("POST", "/fulfillment/202309/orders/{order_id}/packages")
@route("POST", "/fulfillment/202610/orders/{order_id}/packages")
def mark_package_shipped(state, request):
    order = _shop_order(state, request)
    _check_shippable(order, None)
    if order.shipping_type != "SELLER":
        raise ApiError(
            CODE_INVALID_PARAMETER, "The order ships with TikTok's label: use Ship Package"
        )
    body = request.json
    tracking_number = body.get("tracking_number")
    if not tracking_number or not isinstance(tracking_number, str):
        raise ApiError(CODE_INVALID_PARAMETER, "tracking_number is required")
    provider_id = _checked_provider(state, request.shop, body.get("shipping_provider_id"))
    item_ids = _items_to_ship(state, order, body.get("order_line_item_ids"))
    package = _package_holding_exactly(state, order, item_ids)
    if package is None:
        package = split_package(state, order, item_ids)
    ship_package(state, package, tracking_number=tracking_number, provider_id=provider_id)
    return {"order_id": order.id, "package_id": package.id, "order_line_item_ids": item_ids}


def _items_to_ship(state, order, requested):
    unshipped = [
        item.id
        for item in order.line_items
        if item.package_status == "TO_FULFILL"
        and package_stage(state.packages[item.package_id]) == TO_SHIP
    ]
    if requested is None:
        requested = unshipped
    if not isinstance(requested, list) or not requested:
        raise ApiError(CODE_INVALID_PARAMETER, "order_line_item_ids must list line items")
    unknown = [str(item_id) for item_id in requested if str(item_id) not in unshipped]
    if unknown:
        raise ApiError(
            CODE_INVALID_PARAMETER, f"Line items not awaiting shipment: {', '.join(unknown)}"
        )
    return [str(item_id) for item_id in requested]


def _package_holding_exactly(state, order, item_ids):
    for package in packages_of(state, order):
        if sorted(package.line_item_ids) == sorted(item_ids):
            return package
    return None


@route("GET", "/fulfillment/202309/packages/{package_id}/shipping_documents")
def get_shipping_documents(state, request):
    package = _shop_package(state, request)
    document_type = request.query.get("document_type")
    if document_type not in DOCUMENT_TYPES:
        raise ApiError(CODE_INVALID_PARAMETER, "Invalid document_type")
    size = request.query.get("document_size") or "A6"
    document_format = request.query.get("document_format") or "PDF"
    if size not in DOCUMENT_SIZES or document_format != "PDF":
        raise ApiError(CODE_INVALID_PARAMETER, "Invalid document_size or document_format")
    if package.status == "CANCELLED":
        raise ApiError(CODE_INVALID_PARAMETER, "The package is cancelled")
    if document_type in LABEL_TYPES:
        if package.shipping_type != "TIKTOK":
            raise ApiError(CODE_INVALID_PARAMETER, "Seller-shipped packages have no TikTok label")
        if package_stage(package) == TO_SHIP:
            raise ApiError(CODE_INVALID_PARAMETER, "Ship the package before printing its label")
    doc_id = state.token_hex(24)
    state.documents[doc_id] = {
        "package_id": package.id,
        "document_type": document_type,
        "document_size": size,
        "expires_at": state.now() + DOCUMENT_LIFETIME,
    }
    return {
        "doc_url": f"{request.base_url}/sandbox/documents/{doc_id}",
        "tracking_number": package.tracking_number,
    }


# --- the documents ------------------------------------------------------------------------------


def document_response(state, doc_id):
    """The PDF behind a doc_url, or a 404 once it expired (24 h of sandbox time)."""
    document = state.documents.get(doc_id)
    if document is None or document["expires_at"] <= state.now():
        return RawResponse(404, b"Document not found or expired", "text/plain")
    package = state.packages.get(document["package_id"])
    order = state.orders.get(package.order_id) if package else None
    if order is None:
        return RawResponse(404, b"Document not found", "text/plain")
    lines = _document_lines(state, document["document_type"], package, order)
    body = render_pdf(lines, DOCUMENT_SIZES[document["document_size"]])
    return RawResponse(200, body, "application/pdf")


def _document_lines(state, document_type, package, order):
    recipient = masked_address(order.recipient_address)
    items = [item for item in order.line_items if item.package_id == package.id]
    lines = [
        document_type.replace("_", " "),
        f"Carrier: {package.shipping_provider_name or '-'}",
        f"Tracking: {package.tracking_number or '-'}",
        f"Package: {package.id}",
        f"Order: {order.id}",
        f"Ship to: {recipient['name']}",
        recipient["full_address"][:60],
        "",
    ]
    lines += [f"1 x {item.seller_sku}  {item.product_name[:40]}" for item in items]
    return lines


def render_pdf(lines, size):
    """A one-page PDF with `lines` of Helvetica text: small, valid, dependency-free."""
    width, height = size
    text = ["BT", "/F1 10 Tf", f"20 {height - 30} Td", "12 TL"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        text.append(f"({escaped.encode('latin-1', 'replace').decode('latin-1')}) Tj T*")
    text.append("ET")
    stream = zlib.compress("\n".join(text).encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] "
        "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".encode("ascii"),
        f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode("ascii")
        + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += f"{number} 0 obj\n".encode("ascii") + content + b"\nendobj\n"
    xref_at = len(pdf)
    pdf += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    pdf += b"".join(f"{offset:010d} 00000 n \n".encode("ascii") for offset in offsets)
    pdf += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode("ascii")
    pdf += f"startxref\n{xref_at}\n%%EOF\n".encode("ascii")
    return bytes(pdf)
