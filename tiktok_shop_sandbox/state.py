"""The sandbox's world: apps, sellers, shops, catalog, orders and what happened to them.

Plain dataclasses in dicts keyed by id, guarded by one re-entrant lock (`state.lock`): handlers run
on server threads and scenario threads at once. Ids and money follow the API: ids are strings of
digits, money is a decimal string in major units, times are integer Unix seconds of the sandbox
clock (`state.now()`), which a scenario may run faster than real time.
"""

import heapq
import logging
import random
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .constants import REGION_CURRENCY

_logger = logging.getLogger(__name__)

# Minor units per currency (TikTok sends IDR, JPY, VND, ... without decimals).
CURRENCY_DECIMALS = {"IDR": 0, "JPY": 0, "VND": 0, "KRW": 0}


def money(amount, currency):
    """Format a Decimal as TikTok does: a string in major units with the currency's decimals."""
    decimals = CURRENCY_DECIMALS.get(currency, 2)
    quantum = Decimal(1).scaleb(-decimals)
    return str(Decimal(amount).quantize(quantum, rounding=ROUND_HALF_UP))


class Tracked:
    """Records finance reads (orders, line items, returns, adjustments): every attribute
    assignment on one of them advances `Tracked.revision`.

    Finance caches what it derives from these records (finance/ledger.py) and keys the cache on
    this revision, so an order shipped, a unit cancelled or a refund completed anywhere, by any
    code path or test, shows in the next read. Change them by assignment (every sandbox path
    does); a dict or list changed in place would go unnoticed.
    """

    revision = 0

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        Tracked.revision += 1


@dataclass
class App:
    app_key: str
    app_secret: str
    service_id: str
    redirect_url: str = ""
    webhook_url: str = ""


@dataclass
class Seller:
    open_id: str
    name: str
    base_region: str
    shop_ids: list = field(default_factory=list)


@dataclass
class Shop:
    id: str
    cipher: str
    code: str
    name: str
    region: str
    seller_type: str  # LOCAL / CROSS_BORDER
    seller_open_id: str
    currency: str = ""
    authorized: bool = True
    # Where payouts go (control API POST /sandbox/shops/{id}/payout): the bank account's
    # currency ("" for the settlement currency) and the rate applied (payout = settled x rate).
    payout_currency: str = ""
    payout_exchange_rate: str = "1"

    def __post_init__(self):
        self.currency = self.currency or REGION_CURRENCY.get(self.region, "USD")


@dataclass
class AuthCode:
    code: str
    app_key: str
    open_id: str
    expires_at: int
    used: bool = False


@dataclass
class Token:
    access_token: str
    refresh_token: str
    app_key: str
    open_id: str
    access_expires_at: int
    refresh_expires_at: int
    granted_scopes: list = field(default_factory=list)
    revoked: bool = False


@dataclass
class Warehouse:
    id: str
    shop_id: str
    name: str
    type: str = "SALES_WAREHOUSE"
    sub_type: str = "DOMESTIC_WAREHOUSE"
    effect_status: str = "ENABLED"
    is_default: bool = False
    # FBT warehouses hold TikTok's stock; the seller never pushes their quantity.
    is_fbt: bool = False


@dataclass
class Sku:
    id: str
    product_id: str
    seller_sku: str
    price: str  # sale price, major units
    currency: str
    list_price: str = ""
    sales_attributes: list = field(default_factory=list)  # [{id, name, value_id, value_name}]
    inventory: dict = field(default_factory=dict)  # warehouse_id -> quantity
    identifier_code: dict | None = None

    def available(self):
        return sum(self.inventory.values())


@dataclass
class Product:
    id: str
    shop_id: str
    title: str
    status: str = "ACTIVATE"
    description: str = ""
    category_id: str = ""
    brand_id: str = ""
    main_images: list = field(default_factory=list)
    video: dict | None = None
    skus: list = field(default_factory=list)  # [Sku]
    product_attributes: list = field(default_factory=list)
    package_weight: dict | None = None
    package_dimensions: dict | None = None
    audit_failed_reasons: list = field(default_factory=list)
    # Create-body fields the API only stores and echoes back (certifications, size_chart,
    # is_cod_allowed, category_version, external_product_id, delivery_option_ids, ...).
    details: dict = field(default_factory=dict)
    create_time: int = 0
    update_time: int = 0


@dataclass
class LineItem(Tracked):
    """One unit of one SKU: TikTok has no quantity field, two units are two line items."""

    id: str
    sku_id: str
    product_id: str
    seller_sku: str
    product_name: str
    sku_name: str
    original_price: str
    sale_price: str
    seller_discount: str
    platform_discount: str
    currency: str
    package_id: str = ""
    package_status: str = "TO_FULFILL"
    display_status: str = "AWAITING_SHIPMENT"
    tracking_number: str = ""
    shipping_provider_id: str = ""
    shipping_provider_name: str = ""
    cancel_reason: str = ""
    cancel_user: str = ""
    sku_image: str = ""
    # Where this unit was taken from (stock goes back there if it is cancelled).
    warehouse_id: str = ""
    # US sales tax on this unit (major units); "0" where prices include VAT.
    tax: str = "0"
    rts_time: int = 0


@dataclass
class Order(Tracked):
    id: str
    shop_id: str
    status: str
    user_id: str
    create_time: int
    update_time: int
    line_items: list  # [LineItem]
    payment: dict
    recipient_address: dict
    currency: str
    paid_time: int = 0
    fulfillment_type: str = "FULFILLMENT_BY_SELLER"
    shipping_type: str = "TIKTOK"  # TIKTOK (platform label) / SELLER (own carrier)
    delivery_type: str = "HOME_DELIVERY"
    delivery_option_id: str = ""
    delivery_option_name: str = ""
    warehouse_id: str = ""
    buyer_message: str = ""
    buyer_email: str = ""
    is_on_hold_order: bool = False
    is_sample_order: bool = False
    is_replacement_order: bool = False
    replaced_order_id: str = ""
    is_cod: bool = False
    is_buyer_request_cancel: bool = False
    cancel_reason: str = ""
    cancellation_initiator: str = ""
    cancel_time: int = 0
    rts_time: int = 0
    delivery_time: int = 0
    tracking_number: str = ""
    shipping_provider: str = ""
    shipping_provider_id: str = ""
    # Where the sale came from: SHOP / VIDEO / LIVE / AFFILIATE (not an API field of the order;
    # the API exposes it through affiliate orders and LIVE analytics).
    surface: str = "SHOP"
    creator_username: str = ""
    content_id: str = ""
    commission_rate: int = 0  # hundredths of a percent
    # Where the creator promoted it (affiliate orders' content_type: SHOP, VIDEO, LIVE, PRE_LIVE,
    # PROMOTION_PAGE, LINKSHARE); "" derives it from the surface.
    content_type: str = ""
    # The commission each product earns, fixed when the order is placed by the collaboration
    # that applied: ((product_id, rate, open_collaboration_id, target_collaboration_id), ...).
    # Empty: `commission_rate` (or the default rate) for every product, as before collaborations.
    commission_terms: tuple = ()
    # A free sample (is_sample_order): the sample application it answers (sandbox-side only).
    sample_application_id: str = ""
    live_id: str = ""
    # End of the buyer's 1-hour remorse window of an ON_HOLD order.
    on_hold_until: int = 0
    has_updated_recipient_address: bool = False
    split_or_combine_tag: str = ""  # SPLIT / COMBINED once packages were rearranged
    collection_time: int = 0
    payment_method_name: str = ""
    seller_note: str = ""
    # Fee components TikTok may add to the sale (control API, finance/adjustments.py), as
    # ((part, key, signed amount), ...) with part "fee", "tax" or "shipping".
    extra_fees: tuple = ()

    @property
    def package_ids(self):
        return sorted({item.package_id for item in self.line_items if item.package_id})


@dataclass
class Package:
    id: str
    shop_id: str
    order_id: str
    line_item_ids: list
    status: str = "PROCESSING"  # PROCESSING / FULFILLING / COMPLETED / CANCELLED
    shipping_type: str = "TIKTOK"
    tracking_number: str = ""
    shipping_provider_id: str = ""
    shipping_provider_name: str = ""
    handover_method: str = ""
    create_time: int = 0
    update_time: int = 0
    pickup_slot: dict | None = None
    shipped_time: int = 0


@dataclass
class Cancellation:
    cancel_id: str
    shop_id: str
    order_id: str
    role: str  # BUYER / SELLER / SYSTEM
    cancel_type: str  # CANCEL / BUYER_CANCEL
    cancel_status: str
    cancel_reason: str
    line_item_ids: list
    refund_amount: str
    currency: str
    create_time: int
    update_time: int


@dataclass
class Return(Tracked):
    return_id: str
    shop_id: str
    order_id: str
    return_type: str  # REFUND / RETURN_AND_REFUND / REPLACEMENT
    return_status: str
    role: str
    return_reason: str
    line_item_ids: list
    refund_amount: str
    currency: str
    create_time: int
    update_time: int
    return_tracking_number: str = ""
    return_method: str = ""  # DROP_OFF / PICKUP once the buyer ships it back


@dataclass
class Adjustment(Tracked):
    """A platform money move outside any sale (a chargeback, a penalty, a rebate...): one
    statement transaction of its `type` in the statement of the day it settles (`time`)."""

    id: str
    shop_id: str
    type: str
    amount: str  # signed from the seller's side, in the shop's currency
    currency: str
    time: int
    create_time: int
    order_id: str = ""  # the order it concerns, if any


@dataclass
class LiveSession:
    id: str
    shop_id: str
    title: str
    start_time: int
    end_time: int
    order_ids: list = field(default_factory=list)


@dataclass
class Creator:
    """A TikTok creator the seller can find in the creator marketplace (§5.9)."""

    user_id: str
    username: str
    nickname: str
    follower_count: int


@dataclass
class TargetCollaboration:
    """A seller's invitation to named creators to promote products at given rates (§5.9).

    Rates are hundredths of a percent; `removed_time` is when the seller removed it (0: never).
    """

    id: str
    shop_id: str
    name: str
    message: str
    creator_user_ids: list
    products: list  # [{"id": product_id, "target_commission_rate": int}]
    end_time: int
    create_time: int
    update_time: int
    free_sample_rule: dict = field(default_factory=dict)
    seller_contact_info: dict = field(default_factory=dict)
    removed_time: int = 0


@dataclass
class SampleApplication:
    """A creator asking the seller for a free sample of a product; approving it ships one."""

    id: str
    shop_id: str
    creator_user_id: str
    product_id: str
    sku_id: str
    create_time: int
    update_time: int
    status: str = "PENDING"  # PENDING / APPROVED / REJECTED (see affiliate/samples.py)
    reject_reason: str = ""
    order_id: str = ""  # the sample order placed on approval


@dataclass
class DealSku:
    """One SKU in a promotion activity: its deal (a price or a percentage off) and its limits.

    `quantity_limit` and `quantity_per_user` are units, -1 for no limit; `sold` and `sold_per_user`
    count the units bought at the deal so far."""

    sku_id: str
    product_id: str
    activity_price: str = ""  # the deal's fixed price, major units ("" when `discount` is set)
    discount: str = ""  # percent off the SKU's price ("" when `activity_price` is set)
    quantity_limit: int = -1
    quantity_per_user: int = -1
    sold: int = 0
    sold_per_user: dict = field(default_factory=dict)  # buyer user_id -> units


@dataclass
class PromotionActivity:
    """A seller's promotion (§5.10): a product discount, a fixed price or a flash sale for a while.

    NOT_START until `begin_time`, ONGOING until `end_time` (0: INDEFINITE, no end), then EXPIRED;
    DEACTIVATED by the seller or, for a flash sale whose stock ran out, by the platform
    (`deactivation_reason`)."""

    id: str
    shop_id: str
    title: str
    activity_type: str
    begin_time: int
    end_time: int
    create_time: int
    update_time: int
    duration_type: str = "NORMAL"
    product_level: str = "PRODUCT"
    discount: dict | None = None  # SHIPPING_DISCOUNT / BUY_MORE_SAVE_MORE terms, kept as sent
    participation_limit: list = field(default_factory=list)  # [{"type": ...}]
    status: str = "NOT_START"
    deactivation_reason: str = ""
    skus: dict = field(default_factory=dict)  # sku_id -> DealSku
    buyers: set = field(default_factory=set)  # user_ids who bought at the deal


@dataclass
class FeeRates:
    """Rates the finance endpoints apply to each order, as fractions of the relevant base."""

    referral: Decimal = Decimal("0.06")  # platform commission on the product subtotal
    transaction: Decimal = Decimal("0.029")  # payment processing on what the buyer paid
    affiliate_default: Decimal = Decimal("0.10")  # when the order carries no own rate
    shipping_per_package: Decimal = Decimal("4.50")  # label cost charged for TikTok shipping
    reserve: Decimal = Decimal("0.0")  # share withheld as a reserve


# Sandbox seconds between the steps TikTok drives by itself (buyers, carriers, the platform).
DEFAULT_TIMING = {
    "hold": 3600,  # ON_HOLD remorse window after payment
    "payment": 300,  # an UNPAID order gets paid
    "collection": 4 * 3600,  # arranged shipment -> picked up by the carrier
    "transit": 2 * 86400,  # picked up -> delivered
    "completion": 3 * 86400,  # delivered -> COMPLETED
    "fbt_dispatch": 6 * 3600,  # FBT: TikTok's warehouse ships after the hold
    "buyer_return_shipping": 86400,  # return approved -> buyer ships the item back
    "refund": 3600,  # refund approved -> refund paid
}


class SandboxState:
    """Everything the sandbox knows, plus its clock, its ids and its random source."""

    def __init__(self, seed=0, speed=1.0, clock=time.time, start_time=None):
        self.lock = threading.RLock()
        self.seed = seed
        self.rng = random.Random(seed)
        self.speed = speed
        self._real_clock = clock
        self._epoch_real = clock()
        # `start_time` pins the sandbox clock (same seed + same start = same timestamps).
        self._offset = 0.0 if start_time is None else start_time - self._epoch_real
        self._next_id = 7_000_000_000_000_000_000 + seed * 1_000_000_000
        self.fee_rates = FeeRates()
        self.apps = {}  # app_key -> App
        self.sellers = {}  # open_id -> Seller
        self.shops = {}  # id -> Shop
        self.auth_codes = {}  # code -> AuthCode
        self.tokens = {}  # access_token -> Token
        self.refresh_tokens = {}  # refresh_token -> Token
        self.warehouses = {}  # id -> Warehouse
        self.products = {}  # id -> Product
        self.skus = {}  # id -> Sku
        self.orders = {}  # id -> Order
        self.packages = {}  # id -> Package
        self.cancellations = {}  # cancel_id -> Cancellation
        self.returns = {}  # return_id -> Return
        self.adjustments = {}  # id -> Adjustment
        self.lives = {}  # id -> LiveSession
        self.activities = {}  # id -> PromotionActivity
        self.images = {}  # uri -> bytes
        self.idempotency = {}  # (path, shop_id, idempotency_key) -> response data
        # Reference data, filled by catalog.seed_reference_data / logistics.seed_reference_data:
        self.categories = {}  # id -> {id, parent_id, local_name, is_leaf, version, ...}
        self.brands = {}  # id -> {id, name, authorized_status, brand_status, is_t1_brand}
        self.delivery_options = {}  # id -> {id, name, type, ...}
        self.shipping_providers = {}  # id -> {id, name, delivery_option_id}
        self.category_attributes = {}  # leaf category id -> [attribute dicts as the API shows them]
        self.category_rules = {}  # leaf category id -> {certifications, size_chart, ...}
        self.open_collaborations = {}  # product_id -> {id, product_id, commission_rate, ...}
        self.target_collaborations = {}  # id -> TargetCollaboration
        self.creators = {}  # user_id -> Creator
        self.sample_applications = {}  # id -> SampleApplication
        # Webhook notifications waiting for delivery (webhooks.py drains it).
        self.outbox = []
        self.timing = dict(DEFAULT_TIMING)
        # Things that happen by themselves at a sandbox time: (at, sequence, action, args).
        self.timers = []
        self._timer_sequence = 0
        # While a timer runs, its thread sees the timer's due time as "now" (see `run_due`).
        self._timer_time = threading.local()
        # (app_key, open_id) -> Unix time the seller's authorization of the app ends.
        self.authorizations = {}
        # Shipping documents handed out by URL: doc_id -> {package_id, document_type, expires_at}.
        self.documents = {}
        self._webhooks_muted = 0
        self._orders_by_shop = {}
        self._orders_by_shop_key = None

    # --- clock and ids ---------------------------------------------------------------------

    def now(self):
        """Sandbox time in Unix seconds: real time, scaled by `speed`, plus any advance."""
        pinned = getattr(self._timer_time, "value", None)
        if pinned is not None:
            return pinned
        elapsed = (self._real_clock() - self._epoch_real) * self.speed
        return int(self._epoch_real + elapsed + self._offset)

    def advance(self, seconds):
        with self.lock:
            self._offset += seconds

    def real_now(self):
        """Wall-clock Unix seconds: callers sign requests with it, whatever the sandbox speed."""
        return self._real_clock()

    def set_speed(self, speed):
        """Change the time acceleration without making the sandbox clock jump."""
        with self.lock:
            current = self._real_clock()
            elapsed = (current - self._epoch_real) * self.speed
            self._offset += self._epoch_real + elapsed - current
            self._epoch_real = current
            self.speed = speed

    @contextmanager
    def clock_pinned_at(self, at):
        """Inside the block, `now()` answers `at` on this thread: what runs is stamped (and
        schedules its follow-ups) as if the clock stood there. Timers run this way, and the
        control API's past orders are placed this way."""
        previous = getattr(self._timer_time, "value", None)
        self._timer_time.value = int(at)
        try:
            yield
        finally:
            self._timer_time.value = previous

    # --- timers ------------------------------------------------------------------------------

    def schedule(self, at, action, *args):
        """Run `action(*args)` once the sandbox clock reaches `at` (see `run_due`)."""
        with self.lock:
            self._timer_sequence += 1
            heapq.heappush(self.timers, (at, self._timer_sequence, action, args))

    def run_due(self):
        """Run every timer whose time has come, in time order; return how many ran.

        Called by the sandbox's clock thread, before each request and after `advance`, so a
        state that depends on time (holds, deliveries, retries) is right whoever looks first.
        Each action runs at its own due time: `now()` answers that time on this thread while it
        runs, so what it stamps and schedules is as if the clock had stopped there. A clock
        advanced by a day thus replays a day of chained events (hold, dispatch, delivery...).
        """
        ran = 0
        with self.lock:
            while self.timers and self.timers[0][0] <= self.now():
                at, _sequence, action, args = heapq.heappop(self.timers)
                ran += 1
                with self.clock_pinned_at(at):
                    try:
                        action(*args)
                    except Exception:  # one broken timer must not stop the clock
                        _logger.exception("Sandbox timer %r failed", action)
        return ran

    def new_id(self):
        with self.lock:
            self._next_id += 1
            return str(self._next_id)

    def token_hex(self, length=32):
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(length))

    @contextmanager
    def webhooks_muted(self):
        """Inside the block nothing is pushed: history created in bulk is not news."""
        with self.lock:
            self._webhooks_muted += 1
            try:
                yield
            finally:
                self._webhooks_muted -= 1

    def emit_webhook(self, type_number, shop_id, data):
        """Queue a push notification for the shop's app, as TikTok would send it (or nothing
        while `webhooks_muted`)."""
        with self.lock:
            if self._webhooks_muted:
                return None
            notification = {
                "type": type_number,
                "tts_notification_id": self.new_id(),
                "shop_id": shop_id,
                "timestamp": self.now(),
                "data": data,
            }
            self.outbox.append(notification)
            return notification

    # --- look-ups ----------------------------------------------------------------------------

    def shop_by_cipher(self, cipher):
        return next((shop for shop in self.shops.values() if shop.cipher == cipher), None)

    def shops_of(self, open_id):
        seller = self.sellers.get(open_id)
        return [self.shops[shop_id] for shop_id in seller.shop_ids] if seller else []

    def warehouses_of(self, shop_id):
        return [w for w in self.warehouses.values() if w.shop_id == shop_id]

    def is_fbt_warehouse(self, warehouse_id):
        """True for a Fulfilled by TikTok warehouse: TikTok, not the seller, holds its stock."""
        warehouse = self.warehouses.get(warehouse_id)
        return bool(warehouse and warehouse.is_fbt)

    def orders_of(self, shop_id):
        """The shop's orders, in the order they were placed.

        Served from an index rebuilt only when orders were added or removed (orders never move
        between shops): order search calls this on every request.
        """
        with self.lock:
            key = (len(self.orders), next(reversed(self.orders), None))
            if self._orders_by_shop_key != key:
                index = {}
                for order in self.orders.values():
                    index.setdefault(order.shop_id, []).append(order)
                self._orders_by_shop, self._orders_by_shop_key = index, key
            return list(self._orders_by_shop.get(shop_id, ()))
