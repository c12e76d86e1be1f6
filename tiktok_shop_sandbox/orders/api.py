"""The Order API (§5.5): search, detail, and the order object they answer with."""

from ..constants import CODE_INVALID_PARAMETER, ORDER_STATUSES
from ..routing import ApiError, paginate, route, sort_spec, time_range
from .checkout import SHIPPING_TYPES, masked_address

MAX_DETAIL_IDS = 50
SORT_FIELDS = ("create_time", "update_time")
DAY = 86400


# --- search and detail ------------------------------------------------------------------------


@route("POST", "/order/202309/orders/search", page_size=(1, 100), page_size_required=True)
def search_orders(state, request):
    matches = _search_filter(request.json, state.now())
    sort_field, descending = sort_spec(request.query, SORT_FIELDS)
    found = [order for order in state.orders_of(request.shop.id) if matches(order)]
    found.sort(key=lambda order: (getattr(order, sort_field), order.id), reverse=descending)
    page = paginate(found, request, "orders")
    page["orders"] = [order_to_api(state, order) for order in page["orders"]]
    return page


@route("GET", "/order/202309/orders")
@route("GET", "/order/202507/orders")
def get_orders(state, request):
    ids = [order_id for order_id in request.query.get("ids", "").split(",") if order_id]
    if not ids:
        raise ApiError(CODE_INVALID_PARAMETER, "ids is required")
    if len(ids) > MAX_DETAIL_IDS:
        raise ApiError(CODE_INVALID_PARAMETER, f"at most {MAX_DETAIL_IDS} ids per call")
    if not all(order_id.isdigit() for order_id in ids):
        raise ApiError(CODE_INVALID_PARAMETER, "ids must be order ids")
    orders = [state.orders.get(order_id) for order_id in ids]
    shop_id = request.shop.id
    return {
        "orders": [
            order_to_api(state, order) for order in orders if order and order.shop_id == shop_id
        ]
    }


def _search_filter(body, now):
    """A predicate for the search body's filters; refuses filters with the wrong type or value."""
    status = body.get("order_status")
    if status is not None and status not in ORDER_STATUSES:
        raise ApiError(CODE_INVALID_PARAMETER, f"Invalid order_status {status!r}")
    shipping_type = body.get("shipping_type")
    if shipping_type is not None and shipping_type not in SHIPPING_TYPES:
        raise ApiError(CODE_INVALID_PARAMETER, f"Invalid shipping_type {shipping_type!r}")
    create_range = time_range(body, "create_time", now)
    update_range = time_range(body, "update_time", now)
    buyer = body.get("buyer_user_id")
    buyer_cancel = body.get("is_buyer_request_cancel")
    warehouses = set(body.get("warehouse_ids") or ())

    def matches(order):
        return (
            (status is None or order.status == status)
            and (shipping_type is None or order.shipping_type == shipping_type)
            and create_range[0] <= order.create_time < create_range[1]
            and update_range[0] <= order.update_time < update_range[1]
            and (buyer is None or order.user_id == str(buyer))
            and (buyer_cancel is None or order.is_buyer_request_cancel == buyer_cancel)
            and (not warehouses or order.warehouse_id in warehouses)
        )

    return matches


# --- the order object ---------------------------------------------------------------------------


def order_to_api(state, order):
    """The full order object of Get Order Detail (ids and money strings, times Unix seconds)."""
    recipient = order.recipient_address
    if order.shipping_type == "TIKTOK":
        recipient = masked_address(recipient)
    data = {
        "id": order.id,
        "status": order.status,
        "user_id": order.user_id,
        "buyer_email": order.buyer_email,
        "buyer_message": order.buyer_message,
        "seller_note": order.seller_note,
        "create_time": order.create_time,
        "update_time": order.update_time,
        "is_on_hold_order": order.is_on_hold_order,
        "is_sample_order": order.is_sample_order,
        "is_replacement_order": order.is_replacement_order,
        "is_exchange_order": False,
        "is_cod": order.is_cod,
        "is_buyer_request_cancel": order.is_buyer_request_cancel,
        "has_updated_recipient_address": order.has_updated_recipient_address,
        "fulfillment_type": order.fulfillment_type,
        "shipping_type": order.shipping_type,
        "delivery_type": order.delivery_type,
        "delivery_option_id": order.delivery_option_id,
        "delivery_option_name": order.delivery_option_name,
        "shipping_provider": order.shipping_provider,
        "shipping_provider_id": order.shipping_provider_id,
        "tracking_number": order.tracking_number,
        "warehouse_id": order.warehouse_id,
        "order_type": "",
        "commerce_platform": "TIKTOK_SHOP",
        "payment_method_name": order.payment_method_name,
        "handling_duration": {"days": "3", "type": "BUSINESS_DAY"},
        "packages": [{"id": package_id} for package_id in order.package_ids],
        "payment": dict(order.payment),
        "recipient_address": recipient,
        "line_items": [_line_item_to_api(state, order, item) for item in order.line_items],
    }
    _add_optional(data, order)
    return data


def _add_optional(data, order):
    """Fields TikTok only sends once they mean something."""
    if order.paid_time:
        data["paid_time"] = order.paid_time
        data["rts_sla_time"] = order.paid_time + 3 * DAY
        data["shipping_due_time"] = order.paid_time + 3 * DAY
        data["collection_due_time"] = order.paid_time + 4 * DAY
        data["delivery_due_time"] = order.paid_time + 10 * DAY
        data["tts_sla_time"] = order.paid_time + 10 * DAY
    optional = {
        "rts_time": order.rts_time,
        "collection_time": order.collection_time,
        "delivery_time": order.delivery_time,
        "cancel_time": order.cancel_time,
        "cancel_reason": order.cancel_reason,
        "cancellation_initiator": order.cancellation_initiator,
        "split_or_combine_tag": order.split_or_combine_tag,
        "replaced_order_id": order.replaced_order_id,
    }
    data.update((key, value) for key, value in optional.items() if value)


def _line_item_to_api(state, order, item):
    data = {
        "id": item.id,
        "sku_id": item.sku_id,
        "seller_sku": item.seller_sku,
        "product_id": item.product_id,
        "product_name": item.product_name,
        "sku_name": item.sku_name,
        "sku_image": item.sku_image,
        "sku_type": "NORMAL",
        "original_price": item.original_price,
        "sale_price": item.sale_price,
        "seller_discount": item.seller_discount,
        "platform_discount": item.platform_discount,
        "currency": item.currency,
        "display_status": item.display_status,
        "package_id": item.package_id,
        "package_status": item.package_status,
        "tracking_number": item.tracking_number,
        "shipping_provider_id": item.shipping_provider_id,
        "shipping_provider_name": item.shipping_provider_name,
        "is_gift": False,
        "is_dangerous_good": False,
        "cancel_user": item.cancel_user,
        "cancel_reason": item.cancel_reason,
    }
    if item.rts_time:
        data["rts_time"] = item.rts_time
    if state.shops[order.shop_id].region == "US":
        data["item_tax"] = [{"tax_type": "SALES_TAX", "tax_amount": item.tax}]
    return data
