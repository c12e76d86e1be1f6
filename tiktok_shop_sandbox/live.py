"""Shop LIVE analytics (§5.10): `GET /analytics/{version}/shop_lives/performance` and
`GET /analytics/202510/shop_lives/{live_id}/performance_per_minutes`.

The session list is served at 202508 (where the unit count is `unit_sold`), 202509 and 202609
(`items_sold`). A LIVE
session's sales come from its orders: those listed in `LiveSession.order_ids` and those carrying
its `live_id`. Paid, not cancelled orders count: `gmv` is what buyers paid for the products (the
sum of the units' `sale_price`, before shipping and tax), `items_sold` their units, `sku_orders`
the distinct (order, SKU) pairs, `customers` the distinct buyers. Audience figures (views,
clicks, likes...) have no source in the sandbox; they are drawn from a random generator seeded
with the session id, so they are the same at every call, and never fewer clicks than customers.
Dates are read as UTC days.

Per minute, once a session has ended and only for sessions of the shop's own accounts (as the
API documents): `intervals[]{start_time, gmv{amount, currency}, items_sold, sku_orders,
customers, viewers}`, one per minute from the session's start, in `currency` (LOCAL or USD).
An order placed before the start or after the end (a buyer finishing checkout) counts in the
first or last minute, so the minutes' gmv, items_sold and sku_orders add up to the session's;
customers are the distinct buyers of each minute (one who buys twice counts twice). Each
minute's viewers are drawn like the session's audience, seeded with the session id and the
minute, up to the session's peak (`pcu`) and never fewer than the minute's customers. The API
pages by `page_token` alone; the sandbox also takes `page_size` (1-100 minutes, 60 when absent).
"""

import calendar
import dataclasses
import random
import re
import time
from decimal import Decimal

from .constants import CODE_INVALID_PARAMETER
from .finance.money import LOCAL_PER_USD
from .finance.settlement import sold_units
from .routing import ApiError, paginate, route, shop_record
from .state import LiveSession, money

VERSIONS_WITH_UNIT_SOLD = frozenset({"202508"})
DEFAULT_PAGE_SIZE = "10"
MINUTES_PER_PAGE = "60"
MINUTE = 60
CURRENCIES = frozenset({"USD", "LOCAL"})
ACCOUNT_TYPES = frozenset({"ALL", "OFFICIAL_ACCOUNTS", "MARKETING_ACCOUNTS", "AFFILIATE_ACCOUNTS"})
# Only the shop's own accounts get audience figures (as the API documents).
ACCOUNTS_WITH_INTERACTIONS = frozenset({"OFFICIAL_ACCOUNTS", "MARKETING_ACCOUNTS"})
UNPAID_OR_CANCELLED = frozenset({"UNPAID", "CANCELLED"})
DAY = 86_400


def new_session(state, shop, title, start, length):
    """A LIVE session of `shop` from `start` for `length` seconds, known to the world."""
    live = LiveSession(
        id=state.new_id(), shop_id=shop.id, title=title, start_time=start, end_time=start + length
    )
    state.lives[live.id] = live
    return live


def live_orders(state, live):
    """The orders placed in a LIVE session, oldest first."""
    ids = set(live.order_ids)
    orders = [
        order
        for order in state.orders_of(live.shop_id)
        if order.id in ids or (order.live_id and order.live_id == live.id)
    ]
    return sorted(orders, key=lambda order: (order.create_time, order.id))


def live_sales(state, live):
    """Sales figures of a session in the shop currency: {gmv, gmv_24h, items_sold, ...}."""
    orders = live_orders(state, live)
    paid = [order for order in orders if order.status not in UNPAID_OR_CANCELLED]
    units = [(order, item) for order in paid for item in sold_units(order)]
    within_a_day = [(o, i) for o, i in units if o.create_time < live.end_time + DAY]
    return {
        "gmv": sum((Decimal(item.sale_price) for _, item in units), Decimal(0)),
        "gmv_24h": sum((Decimal(item.sale_price) for _, item in within_a_day), Decimal(0)),
        "items_sold": len(units),
        "sku_orders": len({(order.id, item.sku_id) for order, item in units}),
        "created_sku_orders": len({(o.id, i.sku_id) for o in orders for i in o.line_items}),
        "customers": len({order.user_id for order in paid}),
        "different_products_sold": len({item.product_id for _, item in units}),
    }


def minute_sales(state, live):
    """Sales of each minute of a session, from its start: [{gmv, items_sold, sku_orders,
    customers}] (the last two as sets), orders outside the session in its first or last minute."""
    count = max(1, -(-(live.end_time - live.start_time) // MINUTE))
    minutes = [
        {"gmv": Decimal(0), "items_sold": 0, "sku_orders": set(), "customers": set()}
        for _ in range(count)
    ]
    for order in live_orders(state, live):
        if order.status in UNPAID_OR_CANCELLED:
            continue
        minute = minutes[min(max((order.create_time - live.start_time) // MINUTE, 0), count - 1)]
        minute["customers"].add(order.user_id)
        for item in sold_units(order):
            minute["gmv"] += Decimal(item.sale_price)
            minute["items_sold"] += 1
            minute["sku_orders"].add((order.id, item.sku_id))
    return minutes


def _host(state, live):
    """(account type, username) of whoever hosted the session."""
    creators = sorted({o.creator_username for o in live_orders(state, live) if o.creator_username})
    if creators:
        return "AFFILIATE_ACCOUNTS", creators[0]
    shop = state.shops.get(live.shop_id)
    handle = re.sub(r"[^a-z0-9_.]", "", (shop.name if shop else "shop").lower().replace(" ", "_"))
    return "OFFICIAL_ACCOUNTS", handle


# --- Query ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class _Query:
    start: int
    end: int
    currency: str
    account_type: str
    sort_field: str
    descending: bool
    units_key: str


def _parse_query(request, version):
    query = request.query
    start = _date(query, "start_date_ge")
    end = _date(query, "end_date_lt")
    if end <= start:
        raise ApiError(CODE_INVALID_PARAMETER, "end_date_lt must be after start_date_ge")
    units_key = "unit_sold" if version in VERSIONS_WITH_UNIT_SOLD else "items_sold"
    return _Query(
        start=start,
        end=end,
        currency=_choice(query, "currency", CURRENCIES, "LOCAL"),
        account_type=_choice(query, "account_type", ACCOUNT_TYPES, "ALL"),
        sort_field=_choice(query, "sort_field", _sort_fields(units_key), "gmv"),
        descending=_choice(query, "sort_order", {"ASC", "DESC"}, "DESC") == "DESC",
        units_key=units_key,
    )


def _sort_fields(units_key):
    return {
        "gmv",
        "products_added",
        "different_products_sold",
        "sku_orders",
        units_key,
        "customers",
        "24h_live_gmv",
    }


def _date(query, name):
    value = query.get(name)
    if not value:
        raise ApiError(CODE_INVALID_PARAMETER, f"{name} is required (YYYY-MM-DD)")
    try:
        return calendar.timegm(time.strptime(value, "%Y-%m-%d"))
    except ValueError:
        raise ApiError(CODE_INVALID_PARAMETER, f"{name} must be a YYYY-MM-DD date") from None


def _choice(query, name, allowed, default):
    value = query.get(name) or default
    if value not in allowed:
        raise ApiError(
            CODE_INVALID_PARAMETER, f"{name} must be one of {', '.join(sorted(allowed))}"
        )
    return value


# --- Views ---------------------------------------------------------------------------------------


def _amount(value, local_currency, wanted):
    if wanted == "USD":
        rate = LOCAL_PER_USD.get(local_currency, Decimal(1))
        return {"amount": money(value / rate, "USD"), "currency": "USD"}
    return {"amount": money(value, local_currency), "currency": local_currency}


def session_view(state, live, query):
    shop = state.shops[live.shop_id]
    sales = live_sales(state, live)
    account_type, username = _host(state, live)
    interactions = _interactions(live, sales["customers"])
    items = sales["items_sold"]
    average = sales["gmv"] / items if items else Decimal(0)
    clicks = interactions["product_clicks"]
    sales_performance = {
        "gmv": _amount(sales["gmv"], shop.currency, query.currency),
        "24h_live_gmv": _amount(sales["gmv_24h"], shop.currency, query.currency),
        "avg_price": _amount(average, shop.currency, query.currency),
        query.units_key: items,
        "sku_orders": sales["sku_orders"],
        "created_sku_orders": sales["created_sku_orders"],
        "customers": sales["customers"],
        "different_products_sold": sales["different_products_sold"],
        # No showcase is modelled: the products added are the ones that sold.
        "products_added": sales["different_products_sold"],
        "click_to_order_rate": _percent(sales["customers"], clicks),
    }
    view = {
        "id": live.id,
        "title": live.title,
        "username": username,
        "start_time": str(live.start_time),
        "end_time": str(live.end_time),
        "sales_performance": sales_performance,
    }
    if account_type in ACCOUNTS_WITH_INTERACTIONS:
        view["interaction_performance"] = interactions
    return view, account_type


def _interactions(live, customers):
    rng = random.Random(f"live-audience:{live.id}")
    viewers = max(customers * rng.randint(15, 40), rng.randint(200, 900))
    views = int(viewers * rng.uniform(1.2, 1.8))
    impressions = int(views * rng.uniform(0.5, 0.8))
    clicks = max(customers, int(impressions * rng.uniform(0.05, 0.12)))
    duration = max(1, live.end_time - live.start_time)
    return {
        "views": views,
        "viewers": viewers,
        "pcu": max(1, int(viewers * rng.uniform(0.1, 0.3))),
        "acu": max(1, int(viewers * rng.uniform(0.03, 0.1))),
        "avg_viewing_duration": str(min(duration, rng.randint(45, 240))),
        "product_impressions": impressions,
        "product_clicks": clicks,
        "click_through_rate": _percent(clicks, views),
        "comments": int(viewers * rng.uniform(0.05, 0.2)),
        "likes": int(views * rng.uniform(0.5, 3)),
        "shares": int(viewers * rng.uniform(0.005, 0.03)),
        "new_followers": int(viewers * rng.uniform(0.01, 0.05)),
    }


def _percent(part, whole):
    return f"{Decimal(part) * 100 / whole:.2f}" if whole else "0.00"


def _sort_key(view, field):
    sales = view["sales_performance"]
    value = sales[field]
    number = Decimal(value["amount"]) if isinstance(value, dict) else Decimal(value)
    return number, view["id"]


def _minute_view(live, index, minute, shop, currency, peak):
    customers = len(minute["customers"])
    rng = random.Random(f"live-audience:{live.id}:minute:{index}")
    return {
        "start_time": str(live.start_time + index * MINUTE),
        "gmv": _amount(minute["gmv"], shop.currency, currency),
        "items_sold": minute["items_sold"],
        "sku_orders": len(minute["sku_orders"]),
        "customers": customers,
        "viewers": max(customers, int(peak * rng.uniform(0.4, 1.0))),
    }


# --- Endpoints -----------------------------------------------------------------------------------


@route("GET", "/analytics/202508/shop_lives/performance", page_size=(1, 100))
@route("GET", "/analytics/202509/shop_lives/performance", page_size=(1, 100))
@route("GET", "/analytics/202609/shop_lives/performance", page_size=(1, 100))
def get_shop_lives_performance(state, request):
    version = request.path.split("/")[2]
    query = _parse_query(request, version)
    with state.lock:
        sessions = [
            live
            for live in state.lives.values()
            if live.shop_id == request.shop.id and query.start <= live.start_time < query.end
        ]
        views = [session_view(state, live, query) for live in sessions]
        today = time.strftime("%Y-%m-%d", time.gmtime(state.now()))
    views = [v for v, account in views if query.account_type in ("ALL", account)]
    views.sort(key=lambda view: _sort_key(view, query.sort_field), reverse=query.descending)
    if not request.query.get("page_size"):  # this endpoint pages by 10 unless told otherwise
        request = dataclasses.replace(
            request, query={**request.query, "page_size": DEFAULT_PAGE_SIZE}
        )
    page = paginate(views, request, "live_stream_sessions")
    return {"latest_available_date": today, **page}


@route("GET", "/analytics/202510/shop_lives/{live_id}/performance_per_minutes", page_size=(1, 100))
def get_performance_per_minutes(state, request):
    currency = _choice(request.query, "currency", CURRENCIES, "LOCAL")
    with state.lock:
        live = shop_record(state.lives, request.path_params["live_id"], request, "LIVE session")
        if live.end_time > state.now():
            raise ApiError(CODE_INVALID_PARAMETER, "Per-minute figures come once the LIVE ended")
        if _host(state, live)[0] not in ACCOUNTS_WITH_INTERACTIONS:
            raise ApiError(
                CODE_INVALID_PARAMETER,
                "Per-minute figures are kept for LIVE sessions of the shop's own accounts only",
            )
        peak = _interactions(live, live_sales(state, live)["customers"])["pcu"]
        shop = state.shops[live.shop_id]
        views = [
            _minute_view(live, index, minute, shop, currency, peak)
            for index, minute in enumerate(minute_sales(state, live))
        ]
    if not request.query.get("page_size"):
        request = dataclasses.replace(
            request, query={**request.query, "page_size": MINUTES_PER_PAGE}
        )
    return {"live_id": live.id, **paginate(views, request, "intervals")}
