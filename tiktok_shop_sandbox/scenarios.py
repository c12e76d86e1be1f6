"""Scenarios: buyers and platform events that keep coming, on the sandbox clock.

A scenario schedules its events as sandbox timers, so it runs on the sandbox's clock thread,
goes as fast as the time acceleration, and catches up at once when the clock is advanced: an
hour of `stream` at 60 orders/minute placed in one `advance(3600)` gives the same 3600 orders,
stamped at their own times, as an hour of waiting. Stopping a scenario cancels its future events;
a scenario that is done (its duration is over) places no more orders, but what buyers already
set in motion (cancellations, returns...) still happens.

- `stream`: orders at `rate_per_minute` across the authorized shops and the surfaces (shop tab,
  video, LIVE, affiliate creators with their commission rates), and, by share of orders, buyer
  cancellations, address updates (type 3), package splits (type 4) and returns (type 12).
- `live_burst`: `orders` LIVE orders of `skus` SKUs within `minutes`, recorded in a LiveSession.
- `live_featured`: `orders` LIVE orders of the featured `skus` (`per_order_units` each) spread
  over `seconds` from `start_time`, in a new LiveSession or the running `live_id`; SKUs in an
  ongoing promotion (a `flash_activity_id`, say) sell at its deal. Orders the platform refuses
  (out of stock, past a deal's limits) are counted by reason, not placed.
- `authorization_events`: an authorization-expiry warning (type 7) and a deauthorization (type 6)
  of one shop, after `expiry_warning_after` and `deauthorize_after` sandbox seconds.
"""

import random
from dataclasses import asdict, dataclass, fields

from . import auth, orders, returns
from .deals import FLASH_SALE
from .live import new_session

# Stats key of each reason the platform refuses an order for.
REFUSAL_STATS = {
    orders.OutOfStock: "refused_out_of_stock",
    orders.DealLimitReached: "refused_deal_limit",
}
SURFACE_WEIGHTS = {"SHOP": 40, "VIDEO": 25, "LIVE": 20, "AFFILIATE": 15}
# (creator username, commission rate in hundredths of a percent)
CREATORS = (
    ("glowwithmia", 1500),
    ("techtok.dan", 800),
    ("homebyhana", 1200),
    ("fitwithraf", 1000),
    ("dealsbyjules", 2000),
)
LIVE_SESSION_LENGTH = 3600
RETURN_TYPES = ("REFUND", "RETURN_AND_REFUND", "RETURN_AND_REFUND", "REPLACEMENT")


@dataclass
class StreamOptions:
    rate_per_minute: float = 6.0
    shop_ids: tuple = ()  # empty: every authorized shop
    cancel_share: float = 0.05
    address_update_share: float = 0.03
    split_share: float = 0.03
    return_share: float = 0.05
    duration: float = 0.0  # sandbox seconds; 0 runs until stopped


@dataclass
class LiveBurstOptions:
    orders: int = 500
    skus: int = 3
    minutes: float = 15.0
    shop_id: str = ""  # empty: the first US shop
    restock: bool = True  # the seller stocks up for the LIVE so it can sell `orders`


@dataclass
class LiveFeaturedOptions:
    skus: tuple = ()  # the featured SKU ids; empty: the flash sale's SKUs
    orders: int = 500
    seconds: float = 60.0
    per_order_units: int = 1
    shop_id: str = ""  # empty: the first US shop
    flash_activity_id: str = ""  # a FLASHSALE of the shop the LIVE pins
    live_id: str = ""  # a session of the shop to sell in; empty: a new one over the window
    start_time: int = 0  # sandbox time the window opens; 0: when the scenario starts
    title: str = "LIVE featured deals"


@dataclass
class AuthorizationEventsOptions:
    shop_id: str = ""
    expiry_warning_after: float = 0.0
    deauthorize_after: float = 60.0


def _options(option_class, values):
    unknown = set(values) - {spec.name for spec in fields(option_class)}
    if unknown:
        raise ValueError(f"unknown scenario options: {sorted(unknown)}")
    return option_class(**values)


class Scenario:
    """Base: timers that do nothing once the scenario is stopped, and counters."""

    name = ""
    options_class = None

    def __init__(self, state, rng, options):
        self.state = state
        self.rng = rng
        self.options = _options(self.options_class, options)
        self.stopped = False
        self.done = False
        self.started_at = 0
        self.stats = {}

    @property
    def active(self):
        return not (self.stopped or self.done)

    def start(self):
        self.started_at = self.state.now()
        self.schedule_events()
        return self

    def stop(self):
        """Cancel everything still to come."""
        self.stopped = True

    def finish(self):
        """Nothing new from this scenario; what is already scheduled still happens."""
        self.done = True

    def schedule_events(self):
        raise NotImplementedError

    def at(self, when, action, *args):
        """Schedule `action(*args)` at sandbox time `when`, skipped if the scenario stopped."""
        self.state.schedule(when, self._guarded, action, args)

    def _guarded(self, action, args):
        if not self.stopped:
            action(*args)

    def count(self, key):
        self.stats[key] = self.stats.get(key, 0) + 1

    def status(self):
        return {
            "name": self.name,
            "active": self.active,
            "done": self.done,
            "stopped": self.stopped,
            "started_at": self.started_at,
            "options": asdict(self.options),
            "stats": dict(self.stats),
        }

    def place(self, shop, items, surface, when, **extra):
        try:
            order = orders.place_order(self.state, shop, items, surface, create_time=when, **extra)
        except orders.OrderRefused as refusal:
            self.count("refused")
            self.count(REFUSAL_STATS.get(type(refusal), "refused_other"))
            return None
        self.count("orders")
        return order


class OrderStream(Scenario):
    name = "stream"
    options_class = StreamOptions

    def schedule_events(self):
        if self.options.rate_per_minute <= 0:
            raise ValueError("rate_per_minute must be positive")
        self._lives = {}  # shop id -> LiveSession running now
        self._next_order_at(self.started_at)

    def _next_order_at(self, previous):
        # Chained on the previous event's time, not on "now", so an advanced clock catches up.
        when = previous + self.rng.expovariate(self.options.rate_per_minute / 60)
        if self.options.duration and when > self.started_at + self.options.duration:
            self.finish()
            return
        self.at(when, self._order, when)

    def _order(self, when):
        if self.done:
            return
        self._next_order_at(when)
        shops = self._shops()
        if not shops:
            return
        shop = self.rng.choice(shops)
        in_stock = _skus_in_stock(self.state, shop)
        if not in_stock:
            self.count("refused")
            return
        chosen = self.rng.sample(in_stock, k=min(len(in_stock), self.rng.choice((1, 1, 1, 2, 3))))
        items = [(sku.id, self.rng.choice((1, 1, 1, 2))) for sku in chosen]
        surface = self.rng.choices(list(SURFACE_WEIGHTS), weights=SURFACE_WEIGHTS.values())[0]
        order = self.place(shop, items, surface, int(when), **self._surface(shop, surface, when))
        if order is not None:
            self._follow_ups(order, when)

    def _shops(self):
        wanted = set(self.options.shop_ids)
        return [
            shop
            for shop in sorted(self.state.shops.values(), key=lambda shop: shop.id)
            if shop.authorized and (not wanted or shop.id in wanted)
        ]

    def _surface(self, shop, surface, when):
        if surface == "AFFILIATE":
            creator, rate = self.rng.choice(CREATORS)
            return {
                "creator_username": creator,
                "commission_rate": rate,
                "content_id": str(7_300_000_000_000_000_000 + self.rng.randrange(10**15)),
            }
        if surface == "VIDEO":
            return {"content_id": str(7_300_000_000_000_000_000 + self.rng.randrange(10**15))}
        if surface == "LIVE":
            live = self._live(shop, when)
            return {"live_id": live.id, "content_id": live.id}
        return {}

    def _live(self, shop, when):
        live = self._lives.get(shop.id)
        if live is None or live.end_time <= when:
            live = _new_live(self.state, shop, "Daily LIVE deals", int(when), LIVE_SESSION_LENGTH)
            self._lives[shop.id] = live
        return live

    def _follow_ups(self, order, when):
        if order.live_id:
            self.state.lives[order.live_id].order_ids.append(order.id)
        options, rng, hold = self.options, self.rng, self.state.timing["hold"]
        if rng.random() < options.cancel_share:
            self.at(when + rng.uniform(300, 3 * hold), self._buyer_cancels, order.id)
        if rng.random() < options.address_update_share:
            self.at(when + rng.uniform(60, hold * 0.9), self._address_update, order.id)
        if rng.random() < options.split_share:
            self.at(when + hold + 300, self._split, order.id)
        if rng.random() < options.return_share:
            delay = self.state.timing["transit"] + self.state.timing["collection"] + 86400
            self.at(when + delay, self._return, order.id)

    def _buyer_cancels(self, order_id):
        try:
            returns.request_buyer_cancellation(self.state, self.state.orders[order_id])
            self.count("cancellations")
        except returns.NotAllowed:
            self.count("skipped_events")

    def _address_update(self, order_id):
        try:
            orders.update_recipient_address(self.state, self.state.orders[order_id])
            self.count("address_updates")
        except ValueError:
            self.count("skipped_events")

    def _split(self, order_id):
        order = self.state.orders[order_id]
        to_ship = [item.id for item in order.line_items if item.package_status == "TO_FULFILL"]
        if order.status != "AWAITING_SHIPMENT" or len(to_ship) < 2:
            self.count("skipped_events")
            return
        orders.split_package(self.state, order, to_ship[: len(to_ship) // 2], "ROLE_SYSTEM")
        self.count("splits")

    def _return(self, order_id):
        order = self.state.orders[order_id]
        live = [item.id for item in order.line_items if item.display_status != "CANCELLED"]
        try:
            returns.request_return(self.state, order, self.rng.choice(RETURN_TYPES), live[:1])
            self.count("returns")
        except returns.NotAllowed:
            self.count("skipped_events")


class LiveBurst(Scenario):
    name = "live_burst"
    options_class = LiveBurstOptions

    def schedule_events(self):
        options = self.options
        shop = _shop_or_first_us(self.state, options.shop_id)
        candidates = _skus_in_stock(self.state, shop) or _all_skus(self.state, shop)
        chosen = sorted(self.rng.sample(candidates, k=min(options.skus, len(candidates))), key=_id)
        if options.restock:
            _restock(self.state, chosen, 2 * options.orders // max(len(chosen), 1) + 1)
        length = int(options.minutes * 60)
        self.live = _new_live(self.state, shop, "LIVE flash sale", self.started_at, length)
        self.stats["live_id"] = self.live.id
        for offset in sorted(self.rng.uniform(0, length) for _ in range(options.orders)):
            sku = self.rng.choice(chosen)
            quantity = 2 if self.rng.random() < 0.2 else 1
            self.at(self.started_at + offset, self._order, shop, sku.id, quantity, offset)
        self.at(self.started_at + length, self.finish)

    def _order(self, shop, sku_id, quantity, offset):
        when = int(self.started_at + offset)
        order = self.place(
            shop, [(sku_id, quantity)], "LIVE", when, live_id=self.live.id, content_id=self.live.id
        )
        if order is not None:
            self.live.order_ids.append(order.id)


class LiveFeatured(Scenario):
    name = "live_featured"
    options_class = LiveFeaturedOptions

    def schedule_events(self):
        options = self.options
        if options.orders < 0 or options.seconds <= 0 or options.per_order_units < 1:
            raise ValueError("orders must be 0 or more, seconds above 0, per_order_units 1 or more")
        shop = _shop_or_first_us(self.state, options.shop_id)
        self.flash_sale = self._flash_sale(shop)
        featured = self._featured(shop)
        start = options.start_time or self.started_at
        self.live = self._session(shop, start)
        self.stats["live_id"] = self.live.id
        for offset in sorted(self.rng.uniform(0, options.seconds) for _ in range(options.orders)):
            self.at(start + offset, self._order, shop, self.rng.choice(featured), start + offset)
        self.at(start + options.seconds, self.finish)

    def _flash_sale(self, shop):
        activity_id = str(self.options.flash_activity_id or "")
        if not activity_id:
            return None
        activity = self.state.activities.get(activity_id)
        if activity is None or activity.shop_id != shop.id or activity.activity_type != FLASH_SALE:
            raise ValueError(f"{activity_id} is not a flash sale of shop {shop.id}")
        return activity

    def _featured(self, shop):
        sku_ids = [str(sku_id) for sku_id in self.options.skus]
        if not sku_ids and self.flash_sale is not None:
            sku_ids = list(self.flash_sale.skus)
        if not sku_ids:
            raise ValueError("skus is required (or a flash_activity_id with SKUs)")
        for sku_id in sku_ids:
            sku = self.state.skus.get(sku_id)
            if sku is None or self.state.products[sku.product_id].shop_id != shop.id:
                raise ValueError(f"SKU {sku_id} is not sold by shop {shop.id}")
        return sku_ids

    def _session(self, shop, start):
        if not self.options.live_id:
            return new_session(
                self.state, shop, self.options.title, int(start), _seconds(self.options.seconds)
            )
        session = self.state.lives.get(str(self.options.live_id))
        if session is None or session.shop_id != shop.id:
            raise ValueError(f"{self.options.live_id} is not a LIVE session of shop {shop.id}")
        return session

    def _order(self, shop, sku_id, when):
        sold_at_deal = self._deal_units()
        items = [(sku_id, self.options.per_order_units)]
        order = self.place(
            shop, items, "LIVE", int(when), live_id=self.live.id, content_id=self.live.id
        )
        if order is None:
            return
        self.live.order_ids.append(order.id)
        if self._deal_units() > sold_at_deal:
            self.count("flash_sale_orders")

    def _deal_units(self):
        return sum(deal.sold for deal in self.flash_sale.skus.values()) if self.flash_sale else 0


class AuthorizationEvents(Scenario):
    name = "authorization_events"
    options_class = AuthorizationEventsOptions

    def schedule_events(self):
        shop = _shop_or_first_us(self.state, self.options.shop_id)
        self.at(self.started_at + self.options.expiry_warning_after, self._warn, shop)
        self.at(self.started_at + self.options.deauthorize_after, self._deauthorize, shop)

    def _warn(self, shop):
        auth.warn_authorization_expiry(self.state, shop)
        self.count("expiry_warnings")

    def _deauthorize(self, shop):
        auth.deauthorize_shop(self.state, shop)
        self.count("deauthorizations")
        self.finish()


SCENARIOS = {
    scenario.name: scenario
    for scenario in (OrderStream, LiveBurst, LiveFeatured, AuthorizationEvents)
}


class ScenarioRunner:
    """Starts and stops scenarios on a state; each start gets its own seeded generator."""

    def __init__(self, state, seed=0):
        self.state = state
        self.seed = seed
        self.scenarios = []

    def start(self, name, **options):
        scenario_class = SCENARIOS.get(name)
        if scenario_class is None:
            raise ValueError(f"unknown scenario {name!r}; known: {sorted(SCENARIOS)}")
        rng = random.Random(f"scenario-{self.seed}-{name}-{len(self.scenarios)}")
        with self.state.lock:
            scenario = scenario_class(self.state, rng, options).start()
        self.scenarios.append(scenario)
        return scenario

    def stop(self, name=None):
        """Stop every running scenario (or those called `name`); return how many."""
        matching = [s for s in self.scenarios if not s.stopped and name in (None, s.name)]
        running = sum(1 for scenario in matching if scenario.active)
        for scenario in matching:
            scenario.stop()  # done ones too: their pending follow-ups are cancelled
        return running

    def status(self):
        return [scenario.status() for scenario in self.scenarios]


def _id(record):
    return record.id


def _all_skus(state, shop):
    return sorted(
        (sku for sku in state.skus.values() if state.products[sku.product_id].shop_id == shop.id),
        key=_id,
    )


def _skus_in_stock(state, shop):
    on_sale = [
        sku for sku in _all_skus(state, shop) if state.products[sku.product_id].status == "ACTIVATE"
    ]
    return [sku for sku in on_sale if _seller_stock(state, sku)]


def _seller_stock(state, sku):
    return sum(q for w, q in sku.inventory.items() if not state.warehouses[w].is_fbt)


def _restock(state, skus, quantity):
    """Top each SKU's fullest seller warehouse up so it holds at least `quantity`."""
    for sku in skus:
        seller_warehouses = sorted(w for w in sku.inventory if not state.warehouses[w].is_fbt)
        if not seller_warehouses:
            continue
        fullest = max(seller_warehouses, key=sku.inventory.get)
        sku.inventory[fullest] = max(sku.inventory[fullest], quantity)


def _shop_or_first_us(state, shop_id):
    if shop_id:
        shop = state.shops.get(str(shop_id))
        if shop is None:
            raise ValueError(f"unknown shop {shop_id}")
        return shop
    shops = sorted(state.shops.values(), key=_id)
    return next((shop for shop in shops if shop.region == "US"), shops[0])


def _new_live(state, shop, title, start, length):
    return new_session(state, shop, title, start, length)


def _seconds(value):
    """Whole seconds covering `value`."""
    return int(-(-value // 1))
