"""Sample applications (§5.9): a creator asks for a free sample, the seller reviews the request.

A creator applies for one SKU of a live product (`request_sample`; the control API plays the
creator). The application waits in PENDING until the seller reviews it: REJECTED with a reason,
or approved, which places a sample order at once: `is_sample_order`, free, shipped to the
creator (the order's `user_id` is the creator's, the recipient bears the creator's nickname)
from the seller's stock. From then on the application follows its sample order:
AWAITING_SHIPMENT, SHIPPED, COMPLETED once delivered, CANCELLED if the order is. Topic 56 (sample
application status) is pushed when a creator applies and when the seller decides.
"""

from ..constants import CODE_INVALID_PARAMETER, SHIPPING_STATUSES, UNSHIPPED_STATUSES
from ..orders import SELLER_FULFILLMENT, OrderRefused, first_sku_in_stock, place_order
from ..routing import ApiError, one_of, paginate, route, shop_record
from ..state import SampleApplication
from .collaborations import shop_product
from .creators import creator_view

TOPIC_SAMPLE_APPLICATION_STATUS = 56
SAMPLE_STATUSES = ("PENDING", "REJECTED", "AWAITING_SHIPMENT", "SHIPPED", "COMPLETED", "CANCELLED")
REVIEW_RESULTS = ("APPROVE", "REJECT")
# An approved application's status, by its sample order's.
ORDER_SAMPLE_STATUSES = {
    **dict.fromkeys(UNSHIPPED_STATUSES, "AWAITING_SHIPMENT"),
    **dict.fromkeys(SHIPPING_STATUSES, "SHIPPED"),
    "DELIVERED": "COMPLETED",
    "COMPLETED": "COMPLETED",
    "CANCELLED": "CANCELLED",
}


def request_sample(state, shop, creator, product, sku_id=None):
    """`creator` applies for a sample of `product` (its `sku_id`, else its first SKU in stock)."""
    with state.lock:
        if product.shop_id != shop.id or product.status != "ACTIVATE":
            raise ValueError(f"product {product.id} is not on sale in shop {shop.id}")
        sku = _sample_sku(state, product, sku_id)
        now = state.now()
        application = SampleApplication(
            id=state.new_id(),
            shop_id=shop.id,
            creator_user_id=creator.user_id,
            product_id=product.id,
            sku_id=sku.id,
            create_time=now,
            update_time=now,
        )
        state.sample_applications[application.id] = application
        _push(state, application)
        return application


def _sample_sku(state, product, sku_id):
    if sku_id:
        sku = next((sku for sku in product.skus if sku.id == str(sku_id)), None)
        if sku is None:
            raise ValueError(f"SKU {sku_id} is not a SKU of product {product.id}")
        return sku
    return first_sku_in_stock(state, product)


def sample_status(state, application):
    if application.status != "APPROVED":
        return application.status
    order = state.orders.get(application.order_id)
    return ORDER_SAMPLE_STATUSES.get(order.status, "AWAITING_SHIPMENT")


def application_view(state, application):
    product = state.products.get(application.product_id)
    return {
        "id": application.id,
        "status": sample_status(state, application),
        "create_time": application.create_time,
        "update_time": application.update_time,
        "creator": creator_view(state.creators[application.creator_user_id]),
        "product": {
            "id": application.product_id,
            "title": product.title if product else "",
            "sku_id": application.sku_id,
        },
        "reject_reason": application.reject_reason,
        "order_id": application.order_id,
    }


def _push(state, application):
    data = {
        "application_id": application.id,
        "status": sample_status(state, application),
        "creator_user_id": application.creator_user_id,
        "product_id": application.product_id,
        "update_time": application.update_time,
    }
    state.emit_webhook(TOPIC_SAMPLE_APPLICATION_STATUS, application.shop_id, data)


@route(
    "POST",
    "/affiliate_seller/202409/sample_applications/search",
    page_size=(1, 100),
    page_size_required=True,
)
def search_sample_applications(state, request):
    """The shop's sample applications, newest first; body filter `status`."""
    status = one_of(request.json or {}, "status", SAMPLE_STATUSES)
    with state.lock:
        found = [
            a
            for a in state.sample_applications.values()
            if a.shop_id == request.shop.id and status in (None, sample_status(state, a))
        ]
        found.sort(key=lambda a: (a.create_time, int(a.id)), reverse=True)
        page = paginate(found, request, "sample_applications")
        page["sample_applications"] = [
            application_view(state, a) for a in page["sample_applications"]
        ]
        return page


@route("POST", "/affiliate_seller/202409/sample_applications/{application_id}/review")
def review_sample_application(state, request):
    """Body `review_result` APPROVE or REJECT, `reject_reason` (required to reject)."""
    body = request.json or {}
    result, reason = body.get("review_result"), str(body.get("reject_reason") or "").strip()
    if result not in REVIEW_RESULTS:
        raise ApiError(CODE_INVALID_PARAMETER, "review_result must be APPROVE or REJECT")
    if result == "REJECT" and not reason:
        raise ApiError(CODE_INVALID_PARAMETER, "reject_reason is required to reject")
    with state.lock:
        application = shop_record(
            state.sample_applications,
            request.path_params["application_id"],
            request,
            "Sample application",
        )
        if application.status != "PENDING":
            raise ApiError(CODE_INVALID_PARAMETER, "The sample application was already reviewed")
        if result == "APPROVE":
            application.order_id = _ship_sample(state, request.shop, application).id
            application.status = "APPROVED"
        else:
            application.status, application.reject_reason = "REJECTED", reason
        application.update_time = state.now()
        _push(state, application)
        return {"sample_application": application_view(state, application)}


def _ship_sample(state, shop, application):
    shop_product(state, shop, application.product_id)  # still live, still the shop's
    creator = state.creators[application.creator_user_id]
    try:
        return place_order(
            state,
            shop,
            [(application.sku_id, 1)],
            "SHOP",
            fulfillment_type=SELLER_FULFILLMENT,
            on_hold=False,
            buyer_message="",
            is_sample_order=True,
            user_id=creator.user_id,
            recipient_name=creator.nickname,
            sample_application_id=application.id,
        )
    except OrderRefused as refusal:
        raise ApiError(CODE_INVALID_PARAMETER, f"The sample can't be sent: {refusal}") from None
