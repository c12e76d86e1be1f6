"""Cancellations and returns (§5.7): the buyer asks, the seller decides, the clock does the rest.

Cancellations: the seller cancels (immediately effective), or the buyer asks. A buyer request in
the remorse window (UNPAID / ON_HOLD) goes through at once; later it waits for the seller, who
approves or rejects it (TikTok approves it by itself when the seller has not answered in 48 h).
A cancelled unit goes back to the warehouse it came from.

Returns follow the §5.7 statuses:

    REFUND             PENDING -APPROVE_REFUND-> SUCCESS -refund-> COMPLETE
    RETURN_AND_REFUND  PENDING -APPROVE_RETURN-> AWAITING_BUYER_SHIP -buyer ships->
                       BUYER_SHIPPED_ITEM -APPROVE_RECEIVED_PACKAGE-> SUCCESS -refund-> COMPLETE
    REPLACEMENT        REPLACEMENT_REQUEST_PENDING -APPROVE_REPLACEMENT-> AWAITING_BUYER_SHIP ->
                       BUYER_SHIPPED_ITEM -APPROVE_RECEIVED_PACKAGE-> REPLACEMENT_REQUEST_COMPLETE
                       (a replacement order is placed)

Approve and reject calls take `idempotency_key`: the same key answers the first result again
and changes nothing. Status changes push type 11 (cancellations) and type 12 (returns).
"""

from decimal import Decimal

from . import orders
from .constants import CODE_INVALID_PARAMETER
from .routing import ApiError, idempotent, paginate, route, shop_record, sort_spec, time_range
from .state import Cancellation, Return, money

SELLER_RESPONSE_WINDOW = 2 * 86400
PARTIAL_CANCEL_REGIONS = frozenset({"US", "GB"})
PENDING = "CANCELLATION_REQUEST_PENDING"
CANCEL_SUCCESS = "CANCELLATION_REQUEST_SUCCESS"
CANCEL_COMPLETE = "CANCELLATION_REQUEST_COMPLETE"
CANCEL_CANCELLED = "CANCELLATION_REQUEST_CANCELLED"
CANCEL_STATUSES = (PENDING, CANCEL_SUCCESS, CANCEL_CANCELLED, CANCEL_COMPLETE)
# The search filter spells the closed status without "LED" (§5.7); both are accepted.
CANCEL_STATUS_ALIASES = {"CANCELLATION_REQUEST_CANCEL": CANCEL_CANCELLED}
RETURN_TYPES = ("REFUND", "RETURN_AND_REFUND", "REPLACEMENT")
RETURN_STATUSES = (
    "RETURN_OR_REFUND_REQUEST_PENDING",
    "REFUND_OR_RETURN_REQUEST_REJECT",
    "AWAITING_BUYER_SHIP",
    "BUYER_SHIPPED_ITEM",
    "REJECT_RECEIVE_PACKAGE",
    "RETURN_OR_REFUND_REQUEST_SUCCESS",
    "RETURN_OR_REFUND_REQUEST_CANCEL",
    "RETURN_OR_REFUND_REQUEST_COMPLETE",
    "REPLACEMENT_REQUEST_PENDING",
    "REPLACEMENT_REQUEST_REJECT",
    "REPLACEMENT_REQUEST_REFUND_SUCCESS",
    "REPLACEMENT_REQUEST_CANCEL",
    "REPLACEMENT_REQUEST_COMPLETE",
    "AWAITING_BUYER_RESPONSE",
)
RETURNABLE_ORDER_STATUSES = frozenset({"IN_TRANSIT", "DELIVERED", "COMPLETED"})
# decision -> (return types it applies to, statuses it applies in, status it leads to)
RETURN_DECISIONS = {
    "APPROVE_REFUND": (
        {"REFUND"},
        {"RETURN_OR_REFUND_REQUEST_PENDING"},
        "RETURN_OR_REFUND_REQUEST_SUCCESS",
    ),
    "APPROVE_RETURN": (
        {"RETURN_AND_REFUND"},
        {"RETURN_OR_REFUND_REQUEST_PENDING"},
        "AWAITING_BUYER_SHIP",
    ),
    "APPROVE_RECEIVED_PACKAGE": (
        {"RETURN_AND_REFUND", "REPLACEMENT"},
        {"BUYER_SHIPPED_ITEM"},
        "RETURN_OR_REFUND_REQUEST_SUCCESS",
    ),
    "APPROVE_REPLACEMENT": (
        {"REPLACEMENT"},
        {"REPLACEMENT_REQUEST_PENDING"},
        "AWAITING_BUYER_SHIP",
    ),
    "ISSUE_REPLACEMENT_REFUND": (
        {"REPLACEMENT"},
        {"REPLACEMENT_REQUEST_PENDING", "BUYER_SHIPPED_ITEM"},
        "REPLACEMENT_REQUEST_REFUND_SUCCESS",
    ),
    "OFFER_PARTIAL_REFUND": (
        {"REFUND", "RETURN_AND_REFUND"},
        {"RETURN_OR_REFUND_REQUEST_PENDING"},
        "AWAITING_BUYER_RESPONSE",
    ),
    "REJECT_REFUND": (
        {"REFUND"},
        {"RETURN_OR_REFUND_REQUEST_PENDING"},
        "REFUND_OR_RETURN_REQUEST_REJECT",
    ),
    "REJECT_RETURN": (
        {"RETURN_AND_REFUND"},
        {"RETURN_OR_REFUND_REQUEST_PENDING"},
        "REFUND_OR_RETURN_REQUEST_REJECT",
    ),
    "REJECT_RECEIVED_PACKAGE": (
        {"RETURN_AND_REFUND", "REPLACEMENT"},
        {"BUYER_SHIPPED_ITEM"},
        "REJECT_RECEIVE_PACKAGE",
    ),
    "REJECT_REPLACEMENT": (
        {"REPLACEMENT"},
        {"REPLACEMENT_REQUEST_PENDING"},
        "REPLACEMENT_REQUEST_REJECT",
    ),
}
APPROVALS = frozenset(d for d in RETURN_DECISIONS if not d.startswith("REJECT_"))
REJECTIONS = frozenset(RETURN_DECISIONS) - APPROVALS


class NotAllowed(ValueError):
    """The request does not fit the order's or the request's current status."""


# --- cancellations ------------------------------------------------------------------------------


def cancel_by_seller(state, order, reason, line_item_ids=None):
    """The seller cancels (part of) an order that has not shipped; effective immediately."""
    if order.status not in orders.UNSHIPPED_STATUSES:
        raise NotAllowed(f"order {order.id} is {order.status}: it can no longer be cancelled")
    if (
        line_item_ids is not None
        and state.shops[order.shop_id].region not in PARTIAL_CANCEL_REGIONS
    ):
        raise NotAllowed("cancelling some line items only is possible in the US and the UK")
    item_ids = _cancellable_items(order, line_item_ids)
    cancellation = _new_cancellation(state, order, "SELLER", "CANCEL", reason, item_ids)
    _cancel_items(state, order, item_ids, "SELLER", reason)
    _set_cancel_status(state, cancellation, CANCEL_SUCCESS)
    return cancellation


def request_buyer_cancellation(state, order, reason="No longer needed"):
    """The buyer asks to cancel: automatic in the remorse window, else the seller decides."""
    if order.status not in orders.UNSHIPPED_STATUSES:
        raise NotAllowed(f"order {order.id} is {order.status}: the buyer cannot cancel it")
    item_ids = _cancellable_items(order, None)
    cancellation = _new_cancellation(state, order, "BUYER", "BUYER_CANCEL", reason, item_ids)
    if order.status in ("UNPAID", "ON_HOLD"):
        _cancel_items(state, order, item_ids, "BUYER", reason)
        _set_cancel_status(state, cancellation, CANCEL_SUCCESS)
        return cancellation
    order.is_buyer_request_cancel = True
    order.update_time = state.now()
    _push_cancellation(state, cancellation)
    deadline = cancellation.create_time + SELLER_RESPONSE_WINDOW
    state.schedule(deadline, _auto_approve, state, cancellation.cancel_id)
    return cancellation


def approve_cancellation(state, cancellation):
    if cancellation.cancel_status != PENDING:
        raise NotAllowed(f"cancellation {cancellation.cancel_id} is {cancellation.cancel_status}")
    order = state.orders[cancellation.order_id]
    order.is_buyer_request_cancel = False
    if order.status not in orders.UNSHIPPED_STATUSES:
        raise NotAllowed(f"order {order.id} already shipped")
    _cancel_items(state, order, cancellation.line_item_ids, "BUYER", cancellation.cancel_reason)
    _set_cancel_status(state, cancellation, CANCEL_SUCCESS)


def reject_cancellation(state, cancellation):
    if cancellation.cancel_status != PENDING:
        raise NotAllowed(f"cancellation {cancellation.cancel_id} is {cancellation.cancel_status}")
    order = state.orders[cancellation.order_id]
    order.is_buyer_request_cancel = False
    order.update_time = state.now()
    _set_cancel_status(state, cancellation, CANCEL_CANCELLED)


def _auto_approve(state, cancel_id):
    cancellation = state.cancellations.get(cancel_id)
    if cancellation is None or cancellation.cancel_status != PENDING:
        return
    try:
        approve_cancellation(state, cancellation)
    except NotAllowed:  # shipped meanwhile: the request lapses
        _set_cancel_status(state, cancellation, CANCEL_CANCELLED)


def _cancellable_items(order, line_item_ids):
    live = [item.id for item in order.line_items if item.display_status != "CANCELLED"]
    if line_item_ids is None:
        return live
    wanted = [str(item_id) for item_id in line_item_ids]
    unknown = [item_id for item_id in wanted if item_id not in live]
    if unknown or not wanted:
        raise NotAllowed(f"line items cannot be cancelled: {', '.join(unknown) or 'none given'}")
    return wanted


def _new_cancellation(state, order, role, cancel_type, reason, item_ids):
    now = state.now()
    cancellation = Cancellation(
        cancel_id=state.new_id(),
        shop_id=order.shop_id,
        order_id=order.id,
        role=role,
        cancel_type=cancel_type,
        cancel_status=PENDING,
        cancel_reason=reason,
        line_item_ids=list(item_ids),
        refund_amount=money(_refund_of(order, item_ids)["refund_total"], order.currency),
        currency=order.currency,
        create_time=now,
        update_time=now,
    )
    state.cancellations[cancellation.cancel_id] = cancellation
    return cancellation


def _cancel_items(state, order, item_ids, initiator, reason):
    """Cancel units: stock back, packages emptied, the order CANCELLED when nothing is left."""
    wanted = set(item_ids)
    for item in order.line_items:
        if item.id not in wanted or item.display_status == "CANCELLED":
            continue
        item.display_status = "CANCELLED"
        item.package_status = "CANCELLED"
        item.cancel_user = initiator
        item.cancel_reason = reason
        sku = state.skus.get(item.sku_id)
        if sku is not None:
            sku.inventory[item.warehouse_id] = sku.inventory.get(item.warehouse_id, 0) + 1
    for package_id in order.package_ids:
        package = state.packages[package_id]
        live = [i for i in order.line_items if i.package_id == package_id]
        if all(item.display_status == "CANCELLED" for item in live):
            package.status = "CANCELLED"
            package.update_time = state.now()
    order.update_time = state.now()
    if all(item.display_status == "CANCELLED" for item in order.line_items):
        order.cancel_reason = reason
        order.cancellation_initiator = initiator
        orders.set_order_status(state, order, "CANCELLED")


def _set_cancel_status(state, cancellation, status):
    cancellation.cancel_status = status
    cancellation.update_time = state.now()
    _push_cancellation(state, cancellation)
    if status == CANCEL_SUCCESS:
        at = cancellation.update_time + state.timing["refund"]
        state.schedule(at, _finish_cancellation, state, cancellation.cancel_id)


def _finish_cancellation(state, cancel_id):
    cancellation = state.cancellations.get(cancel_id)
    if cancellation is not None and cancellation.cancel_status == CANCEL_SUCCESS:
        _set_cancel_status(state, cancellation, CANCEL_COMPLETE)


def _push_cancellation(state, cancellation):
    state.emit_webhook(
        11,
        cancellation.shop_id,
        {
            "order_id": cancellation.order_id,
            "cancellations_role": cancellation.role,
            "cancel_status": cancellation.cancel_status,
            "cancel_id": cancellation.cancel_id,
            "create_time": cancellation.create_time,
        },
    )


# --- returns ------------------------------------------------------------------------------------


def request_return(state, order, return_type="RETURN_AND_REFUND", line_item_ids=None, reason=""):
    """The buyer asks for a refund, a return or a replacement of shipped units."""
    if return_type not in RETURN_TYPES:
        raise NotAllowed(f"unknown return type {return_type!r}")
    if order.status not in RETURNABLE_ORDER_STATUSES:
        raise NotAllowed(f"order {order.id} is {order.status}: nothing to return yet")
    item_ids = _cancellable_items(order, line_item_ids)
    now = state.now()
    pending = "REPLACEMENT_REQUEST_PENDING" if return_type == "REPLACEMENT" else None
    a_return = Return(
        return_id=state.new_id(),
        shop_id=order.shop_id,
        order_id=order.id,
        return_type=return_type,
        return_status=pending or "RETURN_OR_REFUND_REQUEST_PENDING",
        role="BUYER",
        return_reason=reason or "Item not as described",
        line_item_ids=item_ids,
        refund_amount=money(_refund_of(order, item_ids)["refund_total"], order.currency),
        currency=order.currency,
        create_time=now,
        update_time=now,
    )
    state.returns[a_return.return_id] = a_return
    _push_return(state, a_return)
    return a_return


def decide_return(state, a_return, decision):
    """Apply the seller's `decision` (§5.7) to a return; raise NotAllowed if it does not fit."""
    rule = RETURN_DECISIONS.get(decision)
    if rule is None:
        raise NotAllowed(f"unknown decision {decision!r}")
    types, statuses, next_status = rule
    if a_return.return_type not in types or a_return.return_status not in statuses:
        raise NotAllowed(
            f"{decision} does not apply to a {a_return.return_type} return "
            f"in status {a_return.return_status}"
        )
    if decision == "APPROVE_RECEIVED_PACKAGE" and a_return.return_type == "REPLACEMENT":
        next_status = _send_replacement(state, a_return)
    _set_return_status(state, a_return, next_status)


def buyer_withdraws_return(state, a_return):
    open_statuses = {
        "RETURN_OR_REFUND_REQUEST_PENDING",
        "REPLACEMENT_REQUEST_PENDING",
        "AWAITING_BUYER_SHIP",
        "AWAITING_BUYER_RESPONSE",
    }
    if a_return.return_status not in open_statuses:
        raise NotAllowed(f"return {a_return.return_id} is {a_return.return_status}")
    withdrawn = "RETURN_OR_REFUND_REQUEST_CANCEL"
    if a_return.return_type == "REPLACEMENT":
        withdrawn = "REPLACEMENT_REQUEST_CANCEL"
    _set_return_status(state, a_return, withdrawn)


def _send_replacement(state, a_return):
    """Place the replacement order; refund instead when the SKU ran out."""
    order = state.orders[a_return.order_id]
    wanted = [item.sku_id for item in order.line_items if item.id in set(a_return.line_item_ids)]
    try:
        orders.place_order(
            state,
            state.shops[order.shop_id],
            wanted,
            order.surface,
            shipping_type=order.shipping_type,
            fulfillment_type=orders.SELLER_FULFILLMENT,
            is_replacement_order=True,
            replaced_order_id=order.id,
            user_id=order.user_id,
        )
    except orders.OrderRefused:
        return "REPLACEMENT_REQUEST_REFUND_SUCCESS"
    return "REPLACEMENT_REQUEST_COMPLETE"


def _set_return_status(state, a_return, status):
    a_return.return_status = status
    a_return.update_time = state.now()
    _push_return(state, a_return)
    follow_up = {
        "AWAITING_BUYER_SHIP": ("buyer_return_shipping", _buyer_ships_back),
        "RETURN_OR_REFUND_REQUEST_SUCCESS": ("refund", _refund_paid),
        "AWAITING_BUYER_RESPONSE": ("refund", _buyer_accepts_offer),
    }.get(status)
    if follow_up:
        delay_key, action = follow_up
        at = a_return.update_time + state.timing[delay_key]
        state.schedule(at, action, state, a_return.return_id, status)


def _buyer_ships_back(state, return_id, expected_status):
    a_return = state.returns.get(return_id)
    if a_return is None or a_return.return_status != expected_status:
        return
    a_return.return_tracking_number = f"RT{state.rng.randrange(10**12):012d}"
    a_return.return_method = "DROP_OFF"
    _set_return_status(state, a_return, "BUYER_SHIPPED_ITEM")


def _refund_paid(state, return_id, expected_status):
    a_return = state.returns.get(return_id)
    if a_return is not None and a_return.return_status == expected_status:
        _set_return_status(state, a_return, "RETURN_OR_REFUND_REQUEST_COMPLETE")


def _buyer_accepts_offer(state, return_id, expected_status):
    a_return = state.returns.get(return_id)
    if a_return is not None and a_return.return_status == expected_status:
        _set_return_status(state, a_return, "RETURN_OR_REFUND_REQUEST_SUCCESS")


def _push_return(state, a_return):
    state.emit_webhook(
        12,
        a_return.shop_id,
        {
            "order_id": a_return.order_id,
            "return_role": a_return.role,
            "return_type": a_return.return_type,
            "return_status": a_return.return_status,
            "return_id": a_return.return_id,
            "create_time": a_return.create_time,
            "update_time": a_return.update_time,
        },
    )


def _refund_of(order, item_ids):
    """What the buyer gets back for `item_ids`; shipping too when the whole order goes."""
    currency = order.currency
    wanted = set(item_ids)
    items = [item for item in order.line_items if item.id in wanted]
    subtotal = sum((Decimal(item.sale_price) for item in items), Decimal(0))
    tax = sum((Decimal(item.tax) for item in items), Decimal(0))
    whole_order = len(items) == len(order.line_items)
    shipping = Decimal(order.payment.get("shipping_fee", "0")) if whole_order else Decimal(0)
    return {
        "currency": currency,
        "refund_subtotal": money(subtotal, currency),
        "refund_shipping_fee": money(shipping, currency),
        "refund_tax": money(tax, currency),
        "retail_delivery_fee": money(0, currency),
        "buyer_service_fee": money(0, currency),
        "refund_total": money(subtotal + shipping + tax, currency),
    }


# --- the API ------------------------------------------------------------------------------------


def _decide_once(state, request, decision, *records):
    """The seller's `decision(state, *records)`, run once per `idempotency_key` (query)."""
    key = request.query.get("idempotency_key")
    return idempotent(state, request, key, lambda: _business(decision, state, *records) or {})


def _business(action, *args):
    try:
        return action(*args)
    except NotAllowed as error:
        raise ApiError(CODE_INVALID_PARAMETER, str(error)) from None


def _shop_cancellation(state, request):
    cancel_id = request.path_params["cancel_id"]
    return shop_record(state.cancellations, cancel_id, request, "Cancellation")


def _shop_return(state, request):
    return shop_record(state.returns, request.path_params["return_id"], request, "Return")


@route("POST", "/return_refund/202309/cancellations/search", page_size=(1, 50))
def search_cancellations(state, request):
    body = request.json
    statuses = _as_list(body.get("cancel_status"))
    statuses = {CANCEL_STATUS_ALIASES.get(status, status) for status in statuses}
    if statuses - set(CANCEL_STATUSES):
        raise ApiError(CODE_INVALID_PARAMETER, "Invalid cancel_status")
    filters = {
        "cancel_id": set(_as_list(body.get("cancel_ids"))),
        "order_id": set(_as_list(body.get("order_ids"))),
        "cancel_type": set(_as_list(body.get("cancel_types"))),
        "cancel_status": statuses,
    }
    buyers = set(_as_list(body.get("buyer_user_ids")))
    found = _matching(state, state.cancellations.values(), request, filters, buyers)
    page = paginate(found, request, "cancellations")
    page["cancellations"] = [_cancellation_to_api(state, c) for c in page["cancellations"]]
    return page


@route("POST", "/return_refund/202309/cancellations")
def seller_cancel(state, request):
    body = request.json
    order = shop_record(state.orders, str(body.get("order_id") or ""), request, "Order")
    if not body.get("cancel_reason"):
        raise ApiError(CODE_INVALID_PARAMETER, "cancel_reason is required")
    cancellation = _business(
        cancel_by_seller, state, order, body["cancel_reason"], body.get("order_line_item_ids")
    )
    return {"cancel_id": cancellation.cancel_id, "cancel_status": cancellation.cancel_status}


@route("POST", "/return_refund/202309/cancellations/{cancel_id}/approve")
def approve_cancellation_endpoint(state, request):
    cancellation = _shop_cancellation(state, request)
    return _decide_once(state, request, approve_cancellation, cancellation)


@route("POST", "/return_refund/202309/cancellations/{cancel_id}/reject")
def reject_cancellation_endpoint(state, request):
    cancellation = _shop_cancellation(state, request)
    if not request.json.get("reject_reason"):
        raise ApiError(CODE_INVALID_PARAMETER, "reject_reason is required")
    return _decide_once(state, request, reject_cancellation, cancellation)


@route("POST", "/return_refund/202309/returns/search", page_size=(10, 50))
def search_returns(state, request):
    body = request.json
    statuses = set(_as_list(body.get("return_status")))
    types = set(_as_list(body.get("return_types")))
    if statuses - set(RETURN_STATUSES) or types - set(RETURN_TYPES):
        raise ApiError(CODE_INVALID_PARAMETER, "Invalid return_status or return_types")
    filters = {
        "return_id": set(_as_list(body.get("return_ids"))),
        "order_id": set(_as_list(body.get("order_ids"))),
        "return_type": types,
        "return_status": statuses,
    }
    buyers = set(_as_list(body.get("buyer_user_ids")))
    found = _matching(state, state.returns.values(), request, filters, buyers)
    page = paginate(found, request, "return_orders")
    page["return_orders"] = [_return_to_api(state, r) for r in page["return_orders"]]
    return page


@route("POST", "/return_refund/202309/returns/{return_id}/approve")
def approve_return_endpoint(state, request):
    return _decide_endpoint(state, request, APPROVALS)


@route("POST", "/return_refund/202309/returns/{return_id}/reject")
def reject_return_endpoint(state, request):
    return _decide_endpoint(state, request, REJECTIONS)


def _decide_endpoint(state, request, allowed):
    a_return = _shop_return(state, request)
    decision = request.json.get("decision")
    if decision not in allowed:
        raise ApiError(CODE_INVALID_PARAMETER, f"Invalid decision {decision!r}")
    return _decide_once(state, request, decide_return, a_return, decision)


def _as_list(value):
    if value is None:
        return []
    return [str(entry) for entry in value] if isinstance(value, list) else [str(value)]


def _matching(state, records, request, filters, buyers):
    body = request.json
    now = state.now()
    created = time_range(body, "create_time", now)
    updated = time_range(body, "update_time", now)
    field, descending = sort_spec(request.query, ("create_time", "update_time"))
    found = [
        record
        for record in records
        if record.shop_id == request.shop.id
        and all(not wanted or getattr(record, name) in wanted for name, wanted in filters.items())
        and (not buyers or state.orders[record.order_id].user_id in buyers)
        and created[0] <= record.create_time < created[1]
        and updated[0] <= record.update_time < updated[1]
    ]
    found.sort(key=lambda record: getattr(record, field), reverse=descending)
    return found


def _items_to_api(order, item_ids):
    wanted = set(item_ids)
    return [
        {
            "order_line_item_id": item.id,
            "sku_id": item.sku_id,
            "seller_sku": item.seller_sku,
            "sku_name": item.sku_name,
            "product_name": item.product_name,
            "product_image": {"url": item.sku_image},
            "refund_amount": _refund_of(order, [item.id]),
        }
        for item in order.line_items
        if item.id in wanted
    ]


def _next_action(record, pending):
    if not pending:
        return []
    deadline = record.update_time + SELLER_RESPONSE_WINDOW
    return [{"action": "SELLER_RESPOND_REQUEST", "deadline": deadline}]


def _cancellation_to_api(state, cancellation):
    order = state.orders[cancellation.order_id]
    return {
        "cancel_id": cancellation.cancel_id,
        "order_id": cancellation.order_id,
        "cancel_status": cancellation.cancel_status,
        "cancel_type": cancellation.cancel_type,
        "role": cancellation.role,
        "cancel_reason": cancellation.cancel_reason,
        "cancel_reason_text": cancellation.cancel_reason,
        "refund_amount": _refund_of(order, cancellation.line_item_ids),
        "cancel_line_items": _items_to_api(order, cancellation.line_item_ids),
        "seller_next_action_response": _next_action(
            cancellation, cancellation.cancel_status == PENDING
        ),
        "create_time": cancellation.create_time,
        "update_time": cancellation.update_time,
    }


def _return_to_api(state, a_return):
    order = state.orders[a_return.order_id]
    pending = a_return.return_status in (
        "RETURN_OR_REFUND_REQUEST_PENDING",
        "REPLACEMENT_REQUEST_PENDING",
        "BUYER_SHIPPED_ITEM",
    )
    return {
        "return_id": a_return.return_id,
        "order_id": a_return.order_id,
        "return_type": a_return.return_type,
        "return_status": a_return.return_status,
        "role": a_return.role,
        "return_reason": a_return.return_reason,
        "return_reason_text": a_return.return_reason,
        "refund_amount": _refund_of(order, a_return.line_item_ids),
        "return_line_items": [
            {"return_line_item_id": f"{a_return.return_id}{index:03d}", **item}
            for index, item in enumerate(_items_to_api(order, a_return.line_item_ids), start=1)
        ],
        "return_method": a_return.return_method,
        "return_tracking_number": a_return.return_tracking_number,
        "shipment_type": "PLATFORM" if order.shipping_type == "TIKTOK" else "BUYER_SHIPPED",
        "seller_next_action_response": _next_action(a_return, pending),
        "create_time": a_return.create_time,
        "update_time": a_return.update_time,
    }
