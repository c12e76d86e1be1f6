"""The control API under `/sandbox/`: what tests and demos do to the sandbox from outside.

Not a TikTok path: no signature, no token, plain JSON in and out (no envelope). Errors answer
HTTP 400 (bad request), 404 (unknown thing) or 409 (the platform refuses, e.g. no stock) with
`{"error": message}`. Handlers take `(sandbox, request)`; `sandbox` is the running `app.Sandbox`.

    GET  /sandbox/health                          {"ok": true}
    GET  /sandbox/app                             credentials and URLs to configure a client
    POST /sandbox/app                             {redirect_url?, webhook_url?}
    GET  /sandbox/state                           clock, shops, orders per status, queues
    GET  /sandbox/shops                           shops with cipher, seller, warehouses
    POST /sandbox/shops/{shop_id}/deauthorize     type 6, calls for the shop refused
    POST /sandbox/shops/{shop_id}/authorization_expiry   type 7 {expiration_time?}
    POST /sandbox/shops/{shop_id}/adjustments     {type, amount, order_id?, time?}: an adjustment
                                                  transaction in the statement of `time`'s day
    GET  /sandbox/shops/{shop_id}/adjustments     the shop's adjustments and the known types
    POST /sandbox/shops/{shop_id}/payout          {currency, exchange_rate?}: payout currency
    GET  /sandbox/shops/{shop_id}/bank_lines      the seller's bank lines, one per PAID payout
    POST /sandbox/shops/{shop_id}/settled_orders  {count, days?, end_time?}: past orders, all
                                                  delivered, in cut and paid statements
    GET  /sandbox/inventory?shop_id=&sku_id=      stock per SKU and warehouse
    POST /sandbox/skus/{sku_id}/stock             {quantity, warehouse_id?}: the SKU's stock is
                                                  `quantity`, all in its fullest seller warehouse
                                                  (or that warehouse's only); flash sales it can
                                                  no longer serve end (`deactivated_activities`)
    GET  /sandbox/lives?shop_id=                  LIVE sessions, newest first
    POST /sandbox/shops/{shop_id}/lives           {title?, start_time?, duration?}: a LIVE session
                                                  (from now, for an hour, unless told)
    POST /sandbox/lives/{live_id}/end             the session ends now
    GET  /sandbox/shops/{shop_id}/activities      the shop's promotion activities (Get Activity)
    POST /sandbox/shops/{shop_id}/activities      {Create Activity body, products?}: an activity
                                                  made in Seller Center, checked like the API's
    GET  /sandbox/calls                           API calls served and throttled, per endpoint
    GET  /sandbox/orders?shop_id=&status=         orders per status and a list
    POST /sandbox/orders                          place an order {shop_id|shop_cipher, items, ...}
    GET  /sandbox/orders/{order_id}               the API order object plus its surface
    POST /sandbox/orders/{order_id}/status        {status}: drive it there (ship, deliver...)
    POST /sandbox/orders/{order_id}/cancel_request   buyer cancellation {reason?}
    POST /sandbox/orders/{order_id}/returns       {return_type, line_item_ids?, reason?}
    POST /sandbox/orders/{order_id}/address       buyer address update (type 3)
    POST /sandbox/orders/{order_id}/split         {line_item_ids} package split (type 4)
    POST /sandbox/orders/{order_id}/extra_fees    {fee?, tax?, shipping?: {key: amount}} added
                                                  to the order's sale (before its cut)
    GET  /sandbox/creators                        the creator marketplace, most followed first
    POST /sandbox/creators                        {username, nickname?, follower_count?}: a
                                                  creator (the existing one for a known username)
    POST /sandbox/creators/{user_id}/sales        {shop_id, sku_id | product_id, quantity?,
                                                  content_type?, content_id?, commission_rate?,
                                                  paid?, on_hold?, shipping_type?}: a buyer's
                                                  order through the creator's content, on the
                                                  collaborations' terms (affiliate/orders.py)
    POST /sandbox/creators/{user_id}/sample_applications   {shop_id, product_id, sku_id?}: the
                                                  creator applies for a free sample (topic 56)
    POST /sandbox/authorize                       {open_id?}: consent without the page -> code
    POST /sandbox/tokens                          {open_id?}: a token pair, as /token/get returns
    GET  /sandbox/clock                           {now, speed}
    POST /sandbox/clock/advance                   {seconds}
    POST /sandbox/clock/speed                     {speed}
    GET  /sandbox/scenarios                       running and finished scenarios
    POST /sandbox/scenarios                       {name, options?}
    POST /sandbox/scenarios/stop                  {name?}
    GET  /sandbox/faults  POST /sandbox/faults    fault knobs (faults.FaultKnobs)
    GET  /sandbox/webhooks  POST /sandbox/webhooks   {url?, discard_pending?, duplicate_share, ...}
    GET  /sandbox/webhooks/deliveries?since=N     delivery attempts
    POST /sandbox/rate_limit                      {per_second} (0 disables it)
    GET  /sandbox/documents/{doc_id}              a shipping document (PDF) behind a doc_url
    GET  /sandbox/images/{uri}                    an uploaded or seeded image by its TikTok uri
"""

import json
from collections import Counter
from urllib.parse import urlsplit

from . import affiliate, auth, finance, fulfillment, live, orders, promotions, returns
from .deals import guard_flash_sale_stock
from .routing import ApiError, RawResponse, Router

CONTROL = Router()
DEFAULT_LIVE_SECONDS = 3600


class ControlError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def control(method, template):
    def register(handler):
        CONTROL.add(method, template, handler)
        return handler

    return register


def handle(sandbox, request):
    """Serve one control request (called by the gateway for every /sandbox/ path)."""
    route, params = CONTROL.match(request.method, request.path)
    if route is None:
        status = 405 if params == "method" else 404
        return _json(status, {"error": f"no control route {request.method} {request.path}"})
    request.path_params = params
    try:
        request.json = json.loads(request.body) if request.body else {}
        if not isinstance(request.json, dict):
            raise ControlError(400, "the body must be a JSON object")
        with sandbox.state.lock:
            result = route.handler(sandbox, request)
    except ControlError as error:
        return _json(error.status, {"error": error.message})
    except (orders.OrderRefused, returns.NotAllowed, finance.FinanceRefused) as error:
        return _json(409, {"error": str(error)})
    except (ValueError, TypeError, KeyError) as error:
        return _json(400, {"error": str(error)})
    if isinstance(result, RawResponse):
        return result
    return _json(200, result)


def _json(status, payload):
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return RawResponse(status, body, "application/json")


def _found(mapping, key, what):
    value = mapping.get(str(key))
    if value is None:
        raise ControlError(404, f"unknown {what} {key}")
    return value


# --- app, shops, tokens -------------------------------------------------------------------------


@control("GET", "/sandbox/health")
def health(sandbox, request):
    return {"ok": True}


@control("GET", "/sandbox/app")
def get_app(sandbox, request):
    app = sandbox.app
    return {
        "app_key": app.app_key,
        "app_secret": app.app_secret,
        "service_id": app.service_id,
        "redirect_url": app.redirect_url,
        "webhook_url": app.webhook_url,
        "api_host": sandbox.url,
        "auth_host": sandbox.url,
        "authorize_url": sandbox.authorize_url,
    }


@control("POST", "/sandbox/app")
def update_app(sandbox, request):
    body = request.json
    if "redirect_url" in body:
        sandbox.app.redirect_url = _url_or_empty(body["redirect_url"])
    if "webhook_url" in body:
        sandbox.set_webhook_url(_url_or_empty(body["webhook_url"]))
    return get_app(sandbox, request)


def _url_or_empty(value):
    value = value or ""
    if value and urlsplit(value).scheme not in ("http", "https"):
        raise ControlError(400, f"not an http(s) URL: {value!r}")
    return value


def _shop_view(state, shop):
    return {
        "id": shop.id,
        "cipher": shop.cipher,
        "code": shop.code,
        "name": shop.name,
        "region": shop.region,
        "currency": shop.currency,
        "seller_type": shop.seller_type,
        "seller_open_id": shop.seller_open_id,
        "authorized": shop.authorized,
        "payout": finance.payout_view(shop),
        "warehouses": [
            {"id": w.id, "name": w.name, "type": w.type, "is_fbt": w.is_fbt}
            for w in state.warehouses_of(shop.id)
        ],
    }


@control("GET", "/sandbox/shops")
def list_shops(sandbox, request):
    state = sandbox.state
    return {"shops": [_shop_view(state, shop) for shop in state.shops.values()]}


@control("POST", "/sandbox/shops/{shop_id}/deauthorize")
def deauthorize(sandbox, request):
    shop = _found(sandbox.state.shops, request.path_params["shop_id"], "shop")
    auth.deauthorize_shop(sandbox.state, shop)
    return _shop_view(sandbox.state, shop)


@control("POST", "/sandbox/shops/{shop_id}/authorization_expiry")
def authorization_expiry(sandbox, request):
    shop = _found(sandbox.state.shops, request.path_params["shop_id"], "shop")
    expiration_time = request.json.get("expiration_time")
    auth.warn_authorization_expiry(
        sandbox.state, shop, int(expiration_time) if expiration_time else None
    )
    return {"shop_id": shop.id}


def _seller_id(sandbox, request):
    open_id = request.json.get("open_id")
    if open_id:
        return _found(sandbox.state.sellers, open_id, "seller").open_id
    return auth.first_seller(sandbox.state)


@control("POST", "/sandbox/authorize")
def authorize(sandbox, request):
    code = auth.grant_authorization(sandbox.state, sandbox.app, _seller_id(sandbox, request))
    return {"code": code.code, "expires_at": code.expires_at}


@control("POST", "/sandbox/tokens")
def tokens(sandbox, request):
    token = auth.issue_token(sandbox.state, sandbox.app, _seller_id(sandbox, request))
    return auth.token_data(sandbox.state, token)


# --- state and orders ---------------------------------------------------------------------------


@control("GET", "/sandbox/state")
def get_state(sandbox, request):
    state = sandbox.state
    return {
        "now": state.now(),
        "speed": state.speed,
        "shops": [
            {"id": shop.id, "region": shop.region, "authorized": shop.authorized}
            for shop in state.shops.values()
        ],
        "orders_per_status": dict(Counter(order.status for order in state.orders.values())),
        "orders": len(state.orders),
        "packages": len(state.packages),
        "cancellations": len(state.cancellations),
        "returns": len(state.returns),
        "lives": len(state.lives),
        "activities": len(state.activities),
        "outbox": len(state.outbox),
        "webhooks_pending": sandbox.pusher.pending,
        "webhook_deliveries": len(sandbox.pusher.deliveries),
        "timers": len(state.timers),
        "scenarios": sandbox.scenarios.status(),
    }


@control("GET", "/sandbox/inventory")
def inventory(sandbox, request):
    state = sandbox.state
    shop_id = request.query.get("shop_id")
    sku_id = request.query.get("sku_id")
    skus = []
    for sku in state.skus.values():
        product = state.products[sku.product_id]
        if (shop_id and product.shop_id != shop_id) or (sku_id and sku.id != sku_id):
            continue
        skus.append(_stock_view(state, sku))
    return {"skus": skus}


def _stock_view(state, sku):
    product = state.products[sku.product_id]
    return {
        "sku_id": sku.id,
        "product_id": product.id,
        "shop_id": product.shop_id,
        "seller_sku": sku.seller_sku,
        "product_status": product.status,
        "price": sku.price,
        "currency": sku.currency,
        "available": sku.available(),
        "inventory": dict(sku.inventory),
    }


@control("POST", "/sandbox/skus/{sku_id}/stock")
def set_stock(sandbox, request):
    state = sandbox.state
    sku = _found(state.skus, request.path_params["sku_id"], "SKU")
    quantity = request.json.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        raise ControlError(400, "quantity must be a whole number of units, 0 or more")
    warehouse_id = str(request.json.get("warehouse_id") or _fullest_seller_warehouse(state, sku))
    warehouse = state.warehouses.get(warehouse_id)
    if warehouse is None or warehouse.shop_id != state.products[sku.product_id].shop_id:
        raise ControlError(404, f"unknown warehouse {warehouse_id} of the SKU's shop")
    sku.inventory = dict.fromkeys(sku.inventory, 0) | {warehouse_id: quantity}
    ended = guard_flash_sale_stock(state, [sku.id])
    return {**_stock_view(state, sku), "deactivated_activities": [a.id for a in ended]}


def _fullest_seller_warehouse(state, sku):
    seller_warehouses = sorted(w for w in sku.inventory if not state.is_fbt_warehouse(w))
    if not seller_warehouses:
        raise ControlError(409, f"SKU {sku.id} has no seller warehouse; name a warehouse_id")
    return max(seller_warehouses, key=sku.inventory.get)


@control("GET", "/sandbox/calls")
def calls(sandbox, request):
    return sandbox.calls.snapshot()


@control("GET", "/sandbox/orders")
def list_orders(sandbox, request):
    shop_id = request.query.get("shop_id")
    status = request.query.get("status")
    found = [
        order
        for order in sandbox.state.orders.values()
        if (not shop_id or order.shop_id == shop_id) and (not status or order.status == status)
    ]
    return {
        "orders_per_status": dict(Counter(order.status for order in found)),
        "orders": [
            {
                "id": order.id,
                "shop_id": order.shop_id,
                "status": order.status,
                "surface": order.surface,
                "create_time": order.create_time,
                "update_time": order.update_time,
            }
            for order in sorted(found, key=lambda order: (order.create_time, order.id))
        ],
    }


def _order(sandbox, request):
    return _found(sandbox.state.orders, request.path_params["order_id"], "order")


def _order_view(state, order):
    return {
        **orders.order_to_api(state, order),
        "sandbox": {
            "surface": order.surface,
            "creator_username": order.creator_username,
            "commission_rate": order.commission_rate,
            "content_id": order.content_id,
            "content_type": order.content_type,
            "commission_terms": [
                {
                    "product_id": product_id,
                    "commission_rate": rate,
                    "open_collaboration_id": open_id,
                    "target_collaboration_id": target_id,
                }
                for product_id, rate, open_id, target_id in order.commission_terms
            ],
            "sample_application_id": order.sample_application_id,
            "live_id": order.live_id,
            "recipient_address": order.recipient_address,
        },
    }


@control("GET", "/sandbox/orders/{order_id}")
def get_order(sandbox, request):
    return _order_view(sandbox.state, _order(sandbox, request))


# Options of POST /sandbox/orders passed on to `orders.place_order` as they are.
PLACE_ORDER_OPTIONS = (
    "shipping_type",
    "fulfillment_type",
    "paid",
    "on_hold",
    "buyer_message",
    "is_sample_order",
    "creator_username",
    "commission_rate",
    "content_id",
    "live_id",
    "seller_discount_rate",
    "platform_discount_rate",
    "user_id",
)


@control("POST", "/sandbox/orders")
def create_order(sandbox, request):
    state, body = sandbox.state, request.json
    shop = state.shop_by_cipher(body["shop_cipher"]) if body.get("shop_cipher") else None
    shop = shop or _found(state.shops, body.get("shop_id", ""), "shop")
    options = {name: body[name] for name in PLACE_ORDER_OPTIONS if name in body}
    order = orders.place_order(
        state, shop, body.get("items") or [], body.get("surface", "SHOP"), **options
    )
    return _order_view(state, order)


@control("POST", "/sandbox/orders/{order_id}/status")
def drive_order(sandbox, request):
    order = _order(sandbox, request)
    orders.progress_order(sandbox.state, order, request.json["status"])
    return _order_view(sandbox.state, order)


@control("POST", "/sandbox/orders/{order_id}/cancel_request")
def buyer_cancel(sandbox, request):
    order = _order(sandbox, request)
    reason = request.json.get("reason") or "No longer needed"
    cancellation = returns.request_buyer_cancellation(sandbox.state, order, reason)
    return {"cancel_id": cancellation.cancel_id, "cancel_status": cancellation.cancel_status}


@control("POST", "/sandbox/orders/{order_id}/returns")
def buyer_return(sandbox, request):
    order, body = _order(sandbox, request), request.json
    a_return = returns.request_return(
        sandbox.state,
        order,
        body.get("return_type", "RETURN_AND_REFUND"),
        body.get("line_item_ids"),
        body.get("reason", ""),
    )
    return {"return_id": a_return.return_id, "return_status": a_return.return_status}


@control("POST", "/sandbox/orders/{order_id}/address")
def address_update(sandbox, request):
    order = _order(sandbox, request)
    orders.update_recipient_address(sandbox.state, order)
    return _order_view(sandbox.state, order)


@control("POST", "/sandbox/orders/{order_id}/split")
def split(sandbox, request):
    order = _order(sandbox, request)
    item_ids = [str(item_id) for item_id in request.json.get("line_item_ids") or []]
    to_ship = {item.id for item in order.line_items if item.package_status == "TO_FULFILL"}
    if not item_ids or not set(item_ids) <= to_ship or set(item_ids) == to_ship:
        raise ControlError(409, "give some, not all, of the line items still to ship")
    package = orders.split_package(sandbox.state, order, item_ids, "ROLE_SYSTEM")
    return {"package_id": package.id, "packages": order.package_ids}


# --- creators and samples -----------------------------------------------------------------------

# Options of POST /sandbox/creators/{user_id}/sales passed on to the checkout as they are.
CREATOR_SALE_OPTIONS = ("content_id", "commission_rate", "paid", "on_hold", "shipping_type")


@control("GET", "/sandbox/creators")
def list_creators(sandbox, request):
    found = sorted(sandbox.state.creators.values(), key=lambda c: (-c.follower_count, c.user_id))
    return {"creators": [affiliate.creator_view(creator) for creator in found]}


@control("POST", "/sandbox/creators")
def add_creator(sandbox, request):
    body = request.json
    creator = affiliate.register_creator(
        sandbox.state, body.get("username"), body.get("nickname") or "", body.get("follower_count")
    )
    return affiliate.creator_view(creator)


def _creator(sandbox, request):
    return _found(sandbox.state.creators, request.path_params["user_id"], "creator")


def _shop_in_body(sandbox, request):
    return _found(sandbox.state.shops, request.json.get("shop_id", ""), "shop")


@control("POST", "/sandbox/creators/{user_id}/sales")
def creator_sale(sandbox, request):
    state, body = sandbox.state, request.json
    shop, creator = _shop_in_body(sandbox, request), _creator(sandbox, request)
    sku_id = body.get("sku_id")
    if not sku_id:
        product = _found(state.products, body.get("product_id", ""), "product")
        sku_id = orders.first_sku_in_stock(state, product).id
    options = {name: body[name] for name in CREATOR_SALE_OPTIONS if name in body}
    order = affiliate.place_creator_order(
        state,
        shop,
        creator,
        [(str(sku_id), int(body.get("quantity", 1)))],
        body.get("content_type", "VIDEO"),
        fulfillment_type=orders.SELLER_FULFILLMENT,
        **options,
    )
    return _order_view(state, order)


@control("POST", "/sandbox/creators/{user_id}/sample_applications")
def apply_for_sample(sandbox, request):
    state, body = sandbox.state, request.json
    shop, creator = _shop_in_body(sandbox, request), _creator(sandbox, request)
    product = _found(state.products, body.get("product_id", ""), "product")
    application = affiliate.request_sample(state, shop, creator, product, body.get("sku_id"))
    return affiliate.application_view(state, application)


# --- LIVE sessions and promotions ---------------------------------------------------------------


def _live_view(state, session):
    now = state.now()
    return {
        "live_id": session.id,
        "shop_id": session.shop_id,
        "title": session.title,
        "start_time": session.start_time,
        "end_time": session.end_time,
        "on_air": session.start_time <= now < session.end_time,
        "orders": len(live.live_orders(state, session)),
    }


@control("GET", "/sandbox/lives")
def list_lives(sandbox, request):
    state, shop_id = sandbox.state, request.query.get("shop_id")
    sessions = [s for s in state.lives.values() if not shop_id or s.shop_id == shop_id]
    sessions.sort(key=lambda session: (session.start_time, int(session.id)), reverse=True)
    return {"lives": [_live_view(state, session) for session in sessions]}


@control("POST", "/sandbox/shops/{shop_id}/lives")
def start_live(sandbox, request):
    state, body = sandbox.state, request.json
    start = _whole_seconds(body.get("start_time"), "start_time") or state.now()
    duration = body.get("duration", DEFAULT_LIVE_SECONDS)
    if isinstance(duration, bool) or not isinstance(duration, int) or duration <= 0:
        raise ControlError(400, "duration must be a whole number of seconds above 0")
    title = str(body.get("title") or "LIVE")
    session = live.new_session(state, _shop(sandbox, request), title, start, duration)
    return _live_view(state, session)


@control("POST", "/sandbox/lives/{live_id}/end")
def end_live(sandbox, request):
    state = sandbox.state
    session = _found(state.lives, request.path_params["live_id"], "LIVE session")
    now = state.now()
    if not session.start_time <= now < session.end_time:
        raise ControlError(409, f"LIVE session {session.id} is not on air")
    session.end_time = now
    return _live_view(state, session)


@control("GET", "/sandbox/shops/{shop_id}/activities")
def list_activities(sandbox, request):
    state, shop = sandbox.state, _shop(sandbox, request)
    found = [a for a in state.activities.values() if a.shop_id == shop.id]
    return {"activities": [promotions.activity_view(state, a) for a in found]}


@control("POST", "/sandbox/shops/{shop_id}/activities")
def create_activity(sandbox, request):
    state, body = sandbox.state, request.json
    try:
        activity = promotions.new_activity(state, _shop(sandbox, request), body)
        if body.get("products"):
            promotions.update_products(state, activity, {"products": body["products"]})
    except ApiError as refusal:
        raise ControlError(400, refusal.message) from None
    promotions.open_activity(state, activity)
    return promotions.activity_view(state, activity)


# --- finance ------------------------------------------------------------------------------------


def _shop(sandbox, request):
    return _found(sandbox.state.shops, request.path_params["shop_id"], "shop")


@control("POST", "/sandbox/shops/{shop_id}/adjustments")
def add_adjustment(sandbox, request):
    state, body = sandbox.state, request.json
    order_id = body.get("order_id")
    adjustment = finance.record_adjustment(
        state,
        _shop(sandbox, request),
        body["type"],
        body["amount"],
        order=_found(state.orders, order_id, "order") if order_id else None,
        at=_whole_seconds(body.get("time"), "time"),
    )
    return finance.adjustment_view(adjustment)


@control("GET", "/sandbox/shops/{shop_id}/adjustments")
def list_adjustments(sandbox, request):
    state = sandbox.state
    return {
        "adjustments": [
            finance.adjustment_view(a)
            for a in finance.adjustments_of(state, _shop(sandbox, request))
        ],
        "known_types": list(finance.ADJUSTMENT_TYPES),
    }


@control("POST", "/sandbox/shops/{shop_id}/payout")
def set_payout(sandbox, request):
    shop = _shop(sandbox, request)
    finance.set_payout(shop, request.json.get("currency"), request.json.get("exchange_rate"))
    return finance.payout_view(shop)


@control("GET", "/sandbox/shops/{shop_id}/bank_lines")
def bank_lines(sandbox, request):
    state = sandbox.state
    statements = finance.shop_statements(state, _shop(sandbox, request))
    return {"bank_lines": finance.bank_lines(statements, state.now())}


@control("POST", "/sandbox/shops/{shop_id}/settled_orders")
def settled_orders(sandbox, request):
    body = request.json
    return orders.place_delivered_history(
        sandbox.state,
        _shop(sandbox, request),
        body["count"],
        body.get("days", 30),
        _whole_seconds(body.get("end_time"), "end_time"),
    )


@control("POST", "/sandbox/orders/{order_id}/extra_fees")
def extra_fees(sandbox, request):
    state, order = sandbox.state, _order(sandbox, request)
    return finance.add_extra_fees(order, request.json, finance.sale_is_cut(state, order))


def _whole_seconds(value, name):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ControlError(400, f"{name} must be Unix seconds")
    return value


# --- clock, scenarios, faults, webhooks, rate limit ---------------------------------------------


@control("GET", "/sandbox/clock")
def clock(sandbox, request):
    return {"now": sandbox.state.now(), "speed": sandbox.state.speed}


@control("POST", "/sandbox/clock/advance")
def advance(sandbox, request):
    seconds = float(request.json["seconds"])
    if seconds < 0:
        raise ControlError(400, "the clock only goes forward")
    sandbox.advance(seconds)
    return clock(sandbox, request)


@control("POST", "/sandbox/clock/speed")
def speed(sandbox, request):
    value = float(request.json["speed"])
    if value <= 0:
        raise ControlError(400, "speed must be positive")
    sandbox.state.set_speed(value)
    return clock(sandbox, request)


@control("GET", "/sandbox/scenarios")
def scenarios(sandbox, request):
    return {"scenarios": sandbox.scenarios.status()}


@control("POST", "/sandbox/scenarios")
def start_scenario(sandbox, request):
    body = request.json
    scenario = sandbox.scenarios.start(body["name"], **(body.get("options") or {}))
    return scenario.status()


@control("POST", "/sandbox/scenarios/stop")
def stop_scenarios(sandbox, request):
    return {"stopped": sandbox.scenarios.stop(request.json.get("name"))}


@control("GET", "/sandbox/faults")
def faults(sandbox, request):
    return sandbox.faults.as_dict()


@control("POST", "/sandbox/faults")
def set_faults(sandbox, request):
    return sandbox.faults.configure(**request.json)


@control("GET", "/sandbox/webhooks")
def webhooks(sandbox, request):
    pusher = sandbox.pusher
    knobs = {name: getattr(pusher.knobs, name) for name in vars(pusher.knobs)}
    return {
        "url": sandbox.app.webhook_url,
        "running": pusher.running,
        "pending": pusher.pending,
        "outbox": len(sandbox.state.outbox),
        "deliveries": len(pusher.deliveries),
        **knobs,
    }


@control("POST", "/sandbox/webhooks")
def set_webhooks(sandbox, request):
    knobs = dict(request.json)
    if knobs.pop("discard_pending", False):
        sandbox.pusher.discard_pending()
    if "url" in knobs:
        sandbox.set_webhook_url(_url_or_empty(knobs.pop("url")))
    sandbox.pusher.configure(**knobs)
    return webhooks(sandbox, request)


@control("GET", "/sandbox/webhooks/deliveries")
def deliveries(sandbox, request):
    since = int(request.query.get("since") or 0)
    return {"deliveries": sandbox.pusher.log(since)}


@control("POST", "/sandbox/rate_limit")
def rate_limit(sandbox, request):
    per_second = int(request.json["per_second"])
    if per_second < 0:
        raise ControlError(400, "per_second must be 0 (off) or more")
    sandbox.rate_limiter.limit = per_second
    return {"per_second": per_second}


@control("GET", "/sandbox/documents/{doc_id}")
def document(sandbox, request):
    return fulfillment.document_response(sandbox.state, request.path_params["doc_id"])


@control("GET", "/sandbox/images/{bucket}/{name}")
def image(sandbox, request):
    """The bytes stored under a TikTok image uri ("bucket/name"), as a CDN serves them."""
    uri = f"{request.path_params['bucket']}/{request.path_params['name']}"
    data = sandbox.state.images.get(uri)
    if data is None:
        return RawResponse(404, b"Image not found", "text/plain")
    content_type = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return RawResponse(200, data, content_type)
