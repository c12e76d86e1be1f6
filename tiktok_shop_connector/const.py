"""Odoo-side facts of the connector: routes, scopes, timings and the sync kinds a shop has.

Facts about TikTok itself (hosts, codes, regions, webhook topics) live in tiktok_shop/const.py,
the pure package the addon shares with its tests.
"""

from datetime import timedelta

from .tiktok_shop.const import (  # noqa: F401
    REGION_CURRENCY,
    REGION_LOCALE,
    SHIPPED_ORDER_STATUSES,
    WEBHOOK_TYPES,
)

# The group that connects accounts and starts syncs; its buttons check it themselves too.
MANAGER_GROUP = "tiktok_shop_connector.group_tiktok_shop_manager"

# Controller routes; models and tests import them instead of repeating the strings.
OAUTH_CALLBACK_ROUTE = "/tiktok_shop/oauth/callback"
WEBHOOK_ROUTE = "/tiktok_shop/webhook"

# Webhook bodies larger than this are refused before they are read (TikTok's pushes are a few
# kilobytes; Odoo's own limit is 128 MiB).
WEBHOOK_MAX_BODY_BYTES = 1024 * 1024

# The OAuth `state` (a JWT, see tiktok_shop/oauth_state.py) lives this long.
OAUTH_STATE_LIFETIME = timedelta(minutes=30)

# An access token this close to its expiry is refreshed before use; the cron refreshes the
# ones that would expire before its next run.
TOKEN_REFRESH_MARGIN = timedelta(minutes=10)
TOKEN_REFRESH_CRON_HORIZON = timedelta(days=1)
# Waiting for another worker that holds the account's refresh lock.
TOKEN_REFRESH_LOCK_ATTEMPTS = 20
TOKEN_REFRESH_LOCK_WAIT_SECONDS = 0.25

# The syncs that read TikTok by update time (tiktok.sync.mark), and how long before its high-water
# mark each run starts: TikTok's update times can shift while a search is paged, and a record read
# twice is skipped, never imported twice.
# Statements are read again for a week after their cut: TikTok amends them (late adjustments,
# payout status).
# Affiliate orders are searched by creation time only, and their commission changes until TikTok
# settles them and their refunds: they are read again for a month.
SYNC_MARK_OVERLAP_SECONDS = {
    "orders": 300,
    "catalog": 300,
    "fees": 7 * 86400,
    "affiliates": 30 * 86400,
}

# Webhook events processed per cron batch before progress is committed.
WEBHOOK_BATCH_SIZE = 50
# Imported orders whose stock one run of the reservation cron reserves per commit.
RESERVATION_BATCH_SIZE = 200
# While webhook events wait to be imported the reservation waits too, looking again every few
# seconds, but never keeps an order unreserved longer than this (see tiktok.reservation.request).
RESERVATION_MAX_WAIT_SECONDS = 120
RESERVATION_RETRY_SECONDS = 3
# Stock out: a stock change runs the stock push this many seconds later, so that a burst of moves
# makes one push (in a LIVE burst, TikTok has already taken its own orders off the figure it
# shows: pushing after every order would only take cores from the import); SKU bindings computed
# and pushed per commit; inbox notes read per run.
STOCK_PUSH_DELAY_SECONDS = 15
STOCK_PUSH_BATCH_SIZE = 1000
STOCK_CHANGE_COLLECT_LIMIT = 100_000
# SKU ids per Inventory Search call (TikTok's maximum).
INVENTORY_SEARCH_SKU_IDS = 600
# The crons that process webhook events: each takes the batches the others have not locked.
WEBHOOK_EVENT_CRONS = (
    "tiktok_shop_connector.ir_cron_process_webhook_events",
    "tiktok_shop_connector.ir_cron_process_webhook_events_second",
)
# A failed event is tried again after these delays, one per failed attempt: soon at first (most
# failures are another worker importing the same order), then backing off through an outage.
# After the last, it waits for a manual replay; the order poll imports its orders meanwhile.
WEBHOOK_RETRY_DELAYS = tuple(
    timedelta(seconds=seconds) for seconds in (5, 30, 120, 600, 1800, 3600)
)
WEBHOOK_MAX_ATTEMPTS = len(WEBHOOK_RETRY_DELAYS) + 1

SYNC_KINDS = ("orders", "stock", "catalog", "fees", "affiliates", "returns")
# Finished sync logs older than this are removed by the autovacuum.
SYNC_LOG_RETENTION_DAYS = 30

# Which handler of tiktok.webhook.event processes each topic number. The topics about orders
# (status, address, packages, cancellation: tiktok_shop.webhooks.ORDER_TOPICS) are imported by
# shop, in batches; other topics have no handler and are ignored.
WEBHOOK_HANDLERS = {
    5: "_handle_product_event",
    6: "_handle_deauthorization",
    7: "_handle_authorization_expiry",
    12: "_handle_return_event",
    39: "_handle_promotion_event",
    56: "_handle_sample_application_event",
}

# Reasons a seller gives TikTok when cancelling an order it will not ship.
SELLER_CANCEL_REASONS = [
    ("OUT_OF_STOCK", "Out of stock"),
    ("PRICING_ERROR", "Pricing error"),
    ("BUYER_REQUESTED", "The buyer asked for it"),
    ("UNABLE_TO_DELIVER", "Cannot deliver to this address"),
]

# Shipments reported to TikTok per cron batch, and how often a refused one is retried.
TRACKING_BATCH_SIZE = 20
TRACKING_MAX_ATTEMPTS = 5

# Orders the invoicing cron invoices and posts per commit.
INVOICE_BATCH_SIZE = 50

# Source tags are looked up for the orders of the last days that have none, this many per run.
SOURCE_TAG_DAYS = 3
# Tagging waits this long after an import, so that a burst of imports makes one tagging run.
SOURCE_TAG_DELAY = timedelta(seconds=60)
SOURCE_TAG_BATCH_SIZE = 2000

# Publishing: markets listing in TikTok's 7-level v2 category tree (mandatory in the US), and how
# long a leaf's attributes and rules are trusted before they are read again.
CATEGORY_V2_REGIONS = frozenset({"US"})
CATEGORY_DETAILS_MAX_AGE_HOURS = 24
# Listing fields a partial edit may send alone; any other change is a full edit.
PARTIAL_EDIT_FIELDS = frozenset(
    {
        "title",
        "description",
        "main_images",
        "product_attributes",
        "brand_id",
        "package_weight",
        "package_dimensions",
        "certifications",
    }
)
# Listing statuses that mean TikTok refused or switched off the listing: the seller is told.
LISTING_REFUSED_STATUSES = frozenset({"FAILED", "PLATFORM_DEACTIVATED", "FREEZE"})

# A catalog import commits its progress after every page of this many products.
CATALOG_PAGE_SIZE = 50
# Context of writes on SKU bindings made one after another (catalog import, SKU mapping screen,
# CSV mapping): their caller checks the shop's mapping conflicts once at the end.
DEFER_CONFLICTS = {"tiktok_defer_conflicts": True}
