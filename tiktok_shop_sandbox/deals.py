"""Promotion activities at work (§5.10, §4.4 topic 39): what a buyer pays, what a deal still
sells, and what changes an activity's status. The activity endpoints are in `promotions.py`.

- Price: an ONGOING FIXED_PRICE, DIRECT_DISCOUNT or FLASHSALE activity that holds a SKU sells it
  at its deal: the `activity_price`, or the SKU's price less `discount` percent, rounded to the
  currency's minor unit (never above the SKU's own price). Checkout shows the difference as the
  unit's seller discount. SHIPPING_DISCOUNT and BUY_MORE_SAVE_MORE activities are kept and
  served, but do not change what checkout charges.
- Limits: `quantity_limit` units in all and `quantity_per_user` units per buyer (-1: none); a
  BUYER_LIMIT_ONLY_ONE activity sells to a buyer in one order only. An order past a limit is
  refused, as TikTok's checkout refuses it; a cancelled order does not give its units back.
- Status: NOT_START, ONGOING from `begin_time`, EXPIRED at `end_time` (none for INDEFINITE),
  on the sandbox clock; DEACTIVATED by the seller or by the stock guard. Every change pushes
  topic 39 with `{activity_id, status, update_time}`.
- Stock guard: a flash sale promises its deal quantity. When a SKU of an ONGOING FLASHSALE has
  fewer units available than its deal has still to sell (`quantity_limit - sold`), because the
  seller lowered the stock outside the deal, the platform ends it: DEACTIVATED, reason
  INSUFFICIENT_STOCK. Checked when a flash sale starts and whenever stock is set (the inventory
  update API, the control API); units sold at the deal take stock and deal quantity alike.
"""

from decimal import Decimal

from .state import money

ACTIVITY_TYPES = (
    "FIXED_PRICE",
    "DIRECT_DISCOUNT",
    "FLASHSALE",
    "SHIPPING_DISCOUNT",
    "BUY_MORE_SAVE_MORE",
)
# The types that set a SKU's price (the others discount shipping or baskets).
PRICED_TYPES = frozenset({"FIXED_PRICE", "DIRECT_DISCOUNT", "FLASHSALE"})
FLASH_SALE = "FLASHSALE"
# Statuses in which an activity can still be edited, gain products or be deactivated.
OPEN_STATUSES = frozenset({"NOT_START", "ONGOING"})
UNLIMITED = -1
BUYER_LIMIT_ONLY_ONE = "BUYER_LIMIT_ONLY_ONE"
TOPIC_ACTIVITY_STATUS = 39
# Why an activity was deactivated (`PromotionActivity.deactivation_reason`).
SELLER_DEACTIVATED = "SELLER_DEACTIVATED"
INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"


# --- at checkout ---------------------------------------------------------------------------------


def is_running(activity, when):
    return (
        activity.status == "ONGOING"
        and activity.begin_time <= when
        and (not activity.end_time or when < activity.end_time)
    )


def deal_of(state, shop_id, sku_id, when):
    """(activity, DealSku) of the priced activity selling `sku_id` at `when`, or None."""
    for activity in state.activities.values():
        if (
            activity.shop_id == shop_id
            and activity.activity_type in PRICED_TYPES
            and sku_id in activity.skus
            and is_running(activity, when)
        ):
            return activity, activity.skus[sku_id]
    return None


def deal_price(deal, sku, currency):
    """What one unit of `sku` costs at `deal` (a Decimal in the currency's minor unit)."""
    price = Decimal(sku.price)
    if deal.activity_price:
        return min(Decimal(deal.activity_price), price)
    return Decimal(money(price - price * Decimal(deal.discount) / 100, currency))


def limit_refusal(activity, deal, user_id, quantity):
    """Why the deal will not sell `quantity` more units to `user_id`; "" when it will."""
    if deal.quantity_limit != UNLIMITED and deal.sold + quantity > deal.quantity_limit:
        left = deal.quantity_limit - deal.sold
        return f"the deal on SKU {deal.sku_id} has {left} unit(s) left"
    bought = deal.sold_per_user.get(user_id, 0)
    if deal.quantity_per_user != UNLIMITED and bought + quantity > deal.quantity_per_user:
        return (
            f"a buyer gets at most {deal.quantity_per_user} unit(s) of SKU {deal.sku_id} "
            f"at the deal; buyer {user_id} has {bought}"
        )
    if user_id in activity.buyers and _only_once(activity):
        return f"buyer {user_id} already bought in activity {activity.id}, which allows one order"
    return ""


def _only_once(activity):
    return any(limit.get("type") == BUYER_LIMIT_ONLY_ONE for limit in activity.participation_limit)


def record_sale(activity, deal, user_id, quantity):
    deal.sold += quantity
    deal.sold_per_user[user_id] = deal.sold_per_user.get(user_id, 0) + quantity
    activity.buyers.add(user_id)


# --- status --------------------------------------------------------------------------------------


def schedule_status_changes(state, activity):
    """Start and end `activity` on the sandbox clock: at once when its time has come, else by
    timers. Timers carry the time they were set for, so a rescheduled activity ignores them."""
    if activity.status == "NOT_START":
        if activity.begin_time <= state.now():
            _begin(state, activity.id, activity.begin_time)
        else:
            state.schedule(activity.begin_time, _begin, state, activity.id, activity.begin_time)
    if activity.end_time:
        state.schedule(activity.end_time, _expire, state, activity.id, activity.end_time)


def _begin(state, activity_id, begin_time):
    activity = state.activities.get(activity_id)
    if activity is None or activity.status != "NOT_START" or activity.begin_time != begin_time:
        return
    set_status(state, activity, "ONGOING")
    guard_flash_sale_stock(state, activity.skus)


def _expire(state, activity_id, end_time):
    activity = state.activities.get(activity_id)
    if activity is None or activity.status != "ONGOING" or activity.end_time != end_time:
        return
    set_status(state, activity, "EXPIRED")


def deactivate(state, activity, reason):
    activity.deactivation_reason = reason
    set_status(state, activity, "DEACTIVATED")


def set_status(state, activity, status):
    activity.status = status
    activity.update_time = state.now()
    data = {"activity_id": activity.id, "status": status, "update_time": activity.update_time}
    state.emit_webhook(TOPIC_ACTIVITY_STATUS, activity.shop_id, data)


# --- stock guard ---------------------------------------------------------------------------------


def guard_flash_sale_stock(state, sku_ids):
    """Deactivate every ONGOING flash sale holding one of `sku_ids` that has too little stock
    left for its deal; return the activities deactivated."""
    changed = set(sku_ids)
    ended = []
    for activity in list(state.activities.values()):
        if activity.activity_type != FLASH_SALE or activity.status != "ONGOING":
            continue
        if any(
            _short_of_stock(state, deal)
            for sku_id, deal in activity.skus.items()
            if sku_id in changed
        ):
            deactivate(state, activity, INSUFFICIENT_STOCK)
            ended.append(activity)
    return ended


def _short_of_stock(state, deal):
    if deal.quantity_limit == UNLIMITED:
        return False
    sku = state.skus.get(deal.sku_id)
    return sku is None or sku.available() < deal.quantity_limit - deal.sold
