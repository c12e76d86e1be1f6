"""An order's life after checkout: payment, the remorse hold, its packages, completion.

A paid order gets one package and sits ON_HOLD for the buyer's one-hour remorse window, then
becomes AWAITING_SHIPMENT when the sandbox clock passes it. The seller ships a package with
TikTok's label (the platform assigns the tracking number, the carrier collects it later) or with
its own carrier (in transit at once); FBT orders are shipped by TikTok's warehouse. From then on
the sandbox clock moves packages on: collected -> in transit -> delivered, and a delivered order
completes a few days later. Every order status change pushes a type-1 webhook.

Package stages and what the API shows for them:

    stage                package_status   line item package_status   order status
    to ship              PROCESSING       TO_FULFILL                 AWAITING_SHIPMENT
    awaiting collection  FULFILLING       PROCESSING                 AWAITING_COLLECTION
    in transit           FULFILLING       FULFILLING                 IN_TRANSIT
    delivered            COMPLETED        COMPLETED                  DELIVERED

An order with packages in different stages before delivery is PARTIALLY_SHIPPING. Checkout
(orders/checkout.py), the package API (fulfillment.py), cancellations, scenarios and the control
API all drive orders through these functions.
"""

from ..constants import FBT, ORDER_STATUSES
from ..state import Package

# The webhook list spells these differently from the Order API (§4.4).
WEBHOOK_STATUS_SPELLING = {"CANCELLED": "CANCEL"}
# Documented webhook statuses: PARTIALLY_SHIPPING is not pushed.
UNPUSHED_STATUSES = frozenset({"PARTIALLY_SHIPPING"})
PLATFORM_CARRIER = "TikTok Shipping"
TO_SHIP, AWAITING_COLLECTION, IN_TRANSIT, DELIVERED, CANCELLED = (
    "to ship",
    "awaiting collection",
    "in transit",
    "delivered",
    "cancelled",
)
# Statuses an order can be driven to through `progress_order`, in order.
# Every order status but CANCELLED, which is reached by cancelling, not by progressing.
PROGRESSION = tuple(status for status in ORDER_STATUSES if status != "CANCELLED")


# --- status changes -----------------------------------------------------------------------------


def set_order_status(state, order, status):
    """Move `order` to `status`: stamp it, reflect it on its live line items, push type 1."""
    if status not in ORDER_STATUSES:
        raise ValueError(f"unknown order status {status!r}")
    now = state.now()
    order.status = status
    order.update_time = now
    order.is_on_hold_order = status == "ON_HOLD"
    for item in order.line_items:
        if item.display_status != "CANCELLED":
            item.display_status = status
    if status == "CANCELLED":
        order.cancel_time = now
    if status == "DELIVERED":
        order.delivery_time = now
    push_status(state, order)


def push_status(state, order):
    """Push the type-1 webhook of the order's status as it stands (PARTIALLY_SHIPPING is not)."""
    if order.status in UNPUSHED_STATUSES:
        return
    state.emit_webhook(
        1,
        order.shop_id,
        {
            "order_id": order.id,
            "order_status": WEBHOOK_STATUS_SPELLING.get(order.status, order.status),
            "is_on_hold_order": order.is_on_hold_order,
            "update_time": order.update_time,
        },
    )


def mark_paid(state, order_id, on_hold=True, paid_time=None):
    """The buyer paid: a package is opened and the remorse window (ON_HOLD) starts."""
    order = state.orders.get(order_id)
    if order is None or order.status != "UNPAID":
        return
    order.paid_time = state.now() if paid_time is None else paid_time
    open_package(state, order, [item.id for item in order.line_items])
    if not on_hold:
        set_order_status(state, order, "AWAITING_SHIPMENT")
        _ready_to_ship(state, order)
        return
    order.on_hold_until = order.paid_time + state.timing["hold"]
    set_order_status(state, order, "ON_HOLD")
    state.schedule(order.on_hold_until, release_hold, state, order.id)


def release_hold(state, order_id):
    """End of the remorse window: the seller may now ship."""
    order = state.orders.get(order_id)
    if order is None or order.status != "ON_HOLD":
        return
    set_order_status(state, order, "AWAITING_SHIPMENT")
    _ready_to_ship(state, order)


def _ready_to_ship(state, order):
    if order.fulfillment_type == FBT:
        schedule_fbt_dispatch(state, order)


def open_package(state, order, line_item_ids):
    """Group `line_item_ids` of `order` into a new package (PROCESSING) and return it."""
    now = state.now()
    package = Package(
        id=state.new_id(),
        shop_id=order.shop_id,
        order_id=order.id,
        line_item_ids=list(line_item_ids),
        shipping_type=order.shipping_type,
        create_time=now,
        update_time=now,
    )
    state.packages[package.id] = package
    wanted = set(line_item_ids)
    for item in order.line_items:
        if item.id in wanted:
            item.package_id = package.id
    return package


# --- packages and the order status they make ------------------------------------------------------


def package_stage(package):
    if package.status == "CANCELLED":
        return CANCELLED
    if package.status == "COMPLETED":
        return DELIVERED
    if package.shipped_time:
        return IN_TRANSIT
    if package.status == "FULFILLING":
        return AWAITING_COLLECTION
    return TO_SHIP


def packages_of(state, order):
    return [state.packages[package_id] for package_id in order.package_ids]


def refresh_order_status(state, order):
    """Derive the order's status from its packages' stages (after the hold, before completion)."""
    if order.status in ("UNPAID", "ON_HOLD", "CANCELLED", "COMPLETED"):
        return
    stages = {package_stage(package) for package in packages_of(state, order)} - {CANCELLED}
    if not stages:
        return
    if stages == {DELIVERED}:
        status = "DELIVERED"
    elif stages <= {DELIVERED, IN_TRANSIT}:
        status = "IN_TRANSIT"
    elif TO_SHIP not in stages:
        status = "AWAITING_COLLECTION"
    elif stages == {TO_SHIP}:
        status = "AWAITING_SHIPMENT"
    else:
        status = "PARTIALLY_SHIPPING"
    if status != order.status:
        set_order_status(state, order, status)
        if status == "DELIVERED":
            state.schedule(state.now() + state.timing["completion"], _complete, state, order.id)


# --- shipping, carriers, delivery -----------------------------------------------------------------


def ship_package(state, package, *, tracking_number=None, provider_id=None, handover="DROP_OFF"):
    """Ship `package`: own carrier when `tracking_number` is given (in transit at once), else
    TikTok's label (tracking assigned now, the carrier collects it `timing["collection"]` later).
    """
    order = state.orders[package.order_id]
    now = state.now()
    own_carrier = tracking_number is not None
    if not own_carrier:
        tracking_number = _platform_tracking_number(state, order)
        provider_id = provider_id or _platform_provider_id(state, order)
    package.tracking_number = tracking_number
    package.shipping_provider_id = provider_id or ""
    package.shipping_provider_name = _provider_name(state, provider_id)
    package.handover_method = handover
    package.status = "FULFILLING"
    package.update_time = now
    _update_items(order, package, "PROCESSING", rts_time=now)
    order.rts_time = order.rts_time or now
    order.tracking_number = order.tracking_number or tracking_number
    order.shipping_provider_id = order.shipping_provider_id or package.shipping_provider_id
    order.shipping_provider = order.shipping_provider or package.shipping_provider_name
    if own_carrier:
        collect_package(state, package.id)
    else:
        state.schedule(now + state.timing["collection"], collect_package, state, package.id)
        refresh_order_status(state, order)


def collect_package(state, package_id):
    """The carrier has the parcel: in transit, delivered `timing["transit"]` later."""
    package = state.packages.get(package_id)
    if package is None or package_stage(package) != AWAITING_COLLECTION:
        return
    order = state.orders[package.order_id]
    now = state.now()
    package.shipped_time = now
    package.update_time = now
    order.collection_time = order.collection_time or now
    _update_items(order, package, "FULFILLING")
    refresh_order_status(state, order)
    state.schedule(now + state.timing["transit"], deliver_package, state, package.id)


def deliver_package(state, package_id):
    package = state.packages.get(package_id)
    if package is None or package_stage(package) != IN_TRANSIT:
        return
    order = state.orders[package.order_id]
    package.status = "COMPLETED"
    package.update_time = state.now()
    _update_items(order, package, "COMPLETED")
    refresh_order_status(state, order)


def deliver_at_once(state, order, shipped_at, delivered_at):
    """Ship and deliver every package of `order` in the past, leaving no timers behind.

    For history built in bulk (orders/history.py): the steps `progress_order` takes would each
    schedule the next one (collection, delivery, completion) and push webhooks when they ran.
    The order stays DELIVERED.
    """
    for package in packages_of(state, order):
        if order.shipping_type == "SELLER":
            tracking_number, provider_id = f"1Z{state.rng.randrange(10**16):016d}", ""
        else:
            tracking_number = _platform_tracking_number(state, order)
            provider_id = _platform_provider_id(state, order)
        package.tracking_number = tracking_number
        package.shipping_provider_id = provider_id
        package.shipping_provider_name = _provider_name(state, provider_id)
        package.handover_method = "DROP_OFF"
        package.status = "COMPLETED"
        package.shipped_time = shipped_at
        package.update_time = delivered_at
        _update_items(order, package, "COMPLETED", rts_time=shipped_at)
        order.tracking_number = order.tracking_number or tracking_number
        order.shipping_provider_id = order.shipping_provider_id or package.shipping_provider_id
        order.shipping_provider = order.shipping_provider or package.shipping_provider_name
    order.rts_time = order.collection_time = shipped_at
    with state.clock_pinned_at(delivered_at):
        set_order_status(state, order, "DELIVERED")


def _complete(state, order_id):
    order = state.orders.get(order_id)
    if order is not None and order.status == "DELIVERED":
        set_order_status(state, order, "COMPLETED")


def _update_items(order, package, package_status, rts_time=None):
    for item in order.line_items:
        if item.package_id == package.id and item.package_status != "CANCELLED":
            item.package_status = package_status
            item.tracking_number = package.tracking_number
            item.shipping_provider_id = package.shipping_provider_id
            item.shipping_provider_name = package.shipping_provider_name
            if rts_time:
                item.rts_time = rts_time


def schedule_fbt_dispatch(state, order):
    """FBT: TikTok's warehouse ships the order `timing["fbt_dispatch"]` after the hold."""
    at = state.now() + state.timing["fbt_dispatch"]
    state.schedule(at, _fbt_dispatch, state, order.id)


def _fbt_dispatch(state, order_id):
    order = state.orders.get(order_id)
    if order is None or order.status != "AWAITING_SHIPMENT":
        return
    for package in packages_of(state, order):
        if package_stage(package) == TO_SHIP:
            ship_package(state, package, handover="PICKUP")


def _platform_tracking_number(state, order):
    region = state.shops[order.shop_id].region
    return f"TT{region}{state.rng.randrange(10**12):012d}"


def _platform_provider_id(state, order):
    providers = sorted(state.shipping_providers.values(), key=lambda provider: provider["id"])
    matching = [p for p in providers if p.get("delivery_option_id") == order.delivery_option_id]
    chosen = (matching or providers or [{"id": ""}])[0]
    return chosen["id"]


def _provider_name(state, provider_id):
    provider = state.shipping_providers.get(provider_id or "")
    if provider:
        return provider.get("name", "")
    return provider_id or PLATFORM_CARRIER


def split_package(state, order, line_item_ids, role_type="ROLE_SELLER"):
    """Move `line_item_ids` out of their package(s) into a new one; push type 4 (SPLIT)."""
    wanted = set(line_item_ids)
    sources = {item.package_id for item in order.line_items if item.id in wanted}
    for package_id in sources:
        package = state.packages[package_id]
        package.line_item_ids = [i for i in package.line_item_ids if i not in wanted]
        package.update_time = state.now()
        if not package.line_item_ids:
            del state.packages[package_id]
    new_package = open_package(state, order, line_item_ids)
    order.split_or_combine_tag = "SPLIT"
    order.update_time = state.now()
    touched = sorted((sources & state.packages.keys()) | {new_package.id})
    state.emit_webhook(
        4,
        order.shop_id,
        {
            "sc_type": "SPLIT",
            "role_type": role_type,
            "package_list": [
                {"package_id": package_id, "order_id_list": [order.id]} for package_id in touched
            ],
            "update_time": order.update_time,
        },
    )
    return new_package


def progress_order(state, order, target):
    """Drive `order` to `target` through the real steps (pay, hold, ship, collect, deliver...).

    Used by the control API, scenarios and seeding; every step pushes its webhooks.
    """
    if target not in PROGRESSION:
        raise ValueError(f"cannot drive an order to {target!r}")
    while PROGRESSION.index(order.status) < PROGRESSION.index(target):
        before = _progress_marker(state, order)
        _step(state, order)
        if order.status == "CANCELLED" or _progress_marker(state, order) == before:
            raise ValueError(f"order {order.id} cannot move from {order.status} to {target}")


def _progress_marker(state, order):
    """What a step changes; unchanged after a step means the order is stuck."""
    return order.status, [package_stage(package) for package in packages_of(state, order)]


def _step(state, order):
    if order.status == "UNPAID":
        mark_paid(state, order.id)
    elif order.status == "ON_HOLD":
        release_hold(state, order.id)
    elif order.status == "DELIVERED":
        _complete(state, order.id)
    else:
        for package in packages_of(state, order):
            _advance_package(state, order, package)


def _advance_package(state, order, package):
    stage = package_stage(package)
    if stage == TO_SHIP:
        own_tracking = None
        if order.shipping_type == "SELLER":
            own_tracking = f"1Z{state.rng.randrange(10**16):016d}"
        ship_package(state, package, tracking_number=own_tracking, provider_id=None)
    elif stage == AWAITING_COLLECTION:
        collect_package(state, package.id)
    elif stage == IN_TRANSIT:
        deliver_package(state, package.id)
