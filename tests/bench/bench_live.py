"""LIVE burst benchmark: TikTok's LIVE orders and another channel selling the same stock at once.

    make bench-live ARGS="--orders 500 --seconds 60 --other-every 0.5"

Sets up like the other benchmarks (.local/odoo-bench.conf, a fresh database, the sandbox in its
own process). Odoo runs as in production: a prefork server with 2 HTTP workers and 3 cron
workers, receiving the sandbox's webhooks. The seller's US shop sells 3 featured SKUs, each an
Odoo product with stock in one warehouse (the shop's other TikTok warehouse is fed by an empty
one, so TikTok shows the whole figure in one place). The same burst runs three times, on 3 SKUs
of its own each:

1. without a LIVE event, its buyers new to Odoo (the sandbox's pool of 200 buyers): the cost of
   first-time buyers, and the warm-up of the two that follow;
2. without a LIVE event (the baseline): TikTok shows the free stock the other channel sells too;
3. with a scheduled LIVE event holding each product's featured quantity (plus its buffer) under
   the flash-sale lock: TikTok shows the held stock alone.

Each burst is the sandbox's `live_featured` scenario (`--orders` orders of one unit spread over
`--seconds`), while a thread of this process is a second channel (a website, say): an ordinary
sale order of one unit every `--other-every` seconds, confirmed and its delivery reserved, with
Odoo's own retry on a serialization failure as its HTTP workers do. Printed, side by side:

- TikTok order -> Odoo order, p50/p95: from the order's TikTok create time (whole seconds, so up
  to a second early) to the sale order's create_date (the start of the importing transaction),
  and to the moment a watcher here saw it confirmed (committed);
- TikTok-visible stock lag after each sale, p95: a sampler reads TikTok's figure of each SKU
  every `--sample-every` seconds, with what TikTok sold (the sandbox's orders) and what the other
  channel sold so far. After each sale it computes what TikTok should show once that sale is
  accounted for (with the LIVE event: the held quantity less TikTok's own sales; without: on
  hand less every sale of both channels) and the lag is how long until TikTok's figure was at or
  below it at every later sample. TikTok lowers its own figure at once when it sells, so a lag
  after a TikTok sale means a push from Odoo put sold units back; after the other channel's, it
  is how long Odoo takes to tell TikTok. Samples are `--sample-every` apart: so is the resolution;
- the fence consumed exactly: per SKU, the units of the event's orders against what they took
  out of the held stock;
- units oversold: the largest, over the samples, of TikTok's figure plus what the other channel
  can sell (Odoo's free quantity: on hand less reserved) less what is still unsold (on hand less
  every unit sold on either channel), clamped at 0 per SKU and summed; read in an order that can
  only understate a sample, never overstate it. Without a LIVE event it is, at its largest, the
  free stock both channels offer at once. Beside it, the most TikTok showed over what it should
  (all SKUs, one sample): a push from Odoo that put back units TikTok had sold and Odoo had not
  imported yet. Then units sold beyond on hand and units of confirmed orders Odoo could not
  reserve (real shortages), and the orders TikTok refused for out of stock.
"""

import argparse
import bisect
import csv
import math
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_orders import (
    ADDON_DIR,
    OdooServer,
    Sandbox,
    add_database_arguments,
    connect_seller,
    install_database,
    odoo_environment,
    percentile,
    release_database,
)

FEATURED_SKUS = 3
# Featured quantity per SKU over the orders the burst is expected to bring it: the scenario
# picks each order's SKU at random, so a SKU's share varies by a few percent.
FEATURED_MARGIN = 1.2
LIVE_BUFFER_PERCENT = 10
# How long the end of a burst may take to come through (imports, reservations, the last push).
DRAIN_SECONDS = 240
# The first burst brings the sandbox's buyers (a pool of 200) to Odoo for the first time: two
# orders of one new buyer imported at once make one of them wait for the other's commit and try
# again. The bursts compared come after it, on the same footing.
NEW_BUYERS = "no LIVE event, buyers new to Odoo"


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--other-every", type=float, default=0.5)
    parser.add_argument("--sample-every", type=float, default=0.5)
    parser.add_argument("--http-port", type=int, default=0, help="the Odoo server's (0: any)")
    parser.add_argument(
        "--no-baseline", action="store_true", help="the LIVE event's burst alone (buyers new)"
    )
    parser.add_argument("--samples", help="a CSV file to write the sampler's readings to")
    add_database_arguments(parser, "tiktok_live_bench")
    return parser.parse_args()


# === THE SANDBOX === #


class LiveSandbox(Sandbox):
    def featured_skus(self, shop_id, count):
        """`count` SKUs of the shop's products on sale, each of a different product."""
        chosen = {}
        for sku in self.get("/sandbox/inventory", shop_id=shop_id)["skus"]:
            if sku["product_status"] == "ACTIVATE":
                chosen.setdefault(sku["product_id"], sku)
        if len(chosen) < count:
            raise SystemExit(f"the sandbox's shop sells {len(chosen)} products, {count} needed")
        return list(chosen.values())[:count]

    def set_stock(self, sku_id, quantity):
        """The SKU's whole stock (its TikTok fulfilment centre's included) in one warehouse."""
        self.post(f"/sandbox/skus/{sku_id}/stock", {"quantity": quantity})

    def shown(self, shop_id, sku_ids):
        """{SKU: units TikTok shows buyers, all its warehouses together}."""
        skus = self.get("/sandbox/inventory", shop_id=shop_id)["skus"]
        return {sku["sku_id"]: sku["available"] for sku in skus if sku["sku_id"] in sku_ids}

    def order_ids(self, shop_id):
        return [order["id"] for order in self.get("/sandbox/orders", shop_id=shop_id)["orders"]]

    def order_units(self, order_id):
        """{SKU: units} of one order (TikTok lists one line item per unit)."""
        return Counter(
            item["sku_id"] for item in self.get(f"/sandbox/orders/{order_id}")["line_items"]
        )

    def start_live(self, shop_id, sku_ids, orders, seconds):
        options = {"shop_id": shop_id, "skus": sku_ids, "orders": orders, "seconds": seconds}
        return self.post("/sandbox/scenarios", {"name": "live_featured", "options": options})

    def live_stats(self):
        """(done, stats) of the last scenario started."""
        scenario = self.get("/sandbox/scenarios")["scenarios"][-1]
        return scenario["done"], scenario["stats"]


# === ODOO: THE SELLER === #


@dataclass
class Featured:
    """A featured SKU and its Odoo product."""

    sku_id: str
    product_id: int
    on_hand: int


def prepare_shop(env, sandbox):
    """The seller connected; its US shop alone pushes stock and imports orders, from the
    company's warehouse, its second TikTok warehouse fed by an empty Odoo one."""
    _account, shops = connect_seller(env, sandbox)
    shops.account_id.shop_ids.write({"sync_stock": False, "sync_orders": False})
    shop = shops.filtered(lambda s: s.region == "US")
    shop.write({"sync_stock": True, "sync_orders": True})
    shop._tiktok_load_warehouses()
    empty = env["stock.warehouse"].create({"name": "Benchmark empty", "code": "BEMP"})
    for outlet in shop.tiktok_warehouse_ids.filtered("is_stock_pushed"):
        if outlet.name != "Main warehouse":
            outlet.stock_warehouse_ids = empty
    return shop


def stock_featured(env, sandbox, shop, remote_skus, on_hand):
    """An Odoo product with `on_hand` units and a SKU binding per TikTok SKU; TikTok's stock of
    the SKUs emptied, for Odoo's push to set."""
    products = env["product.product"].create(
        [
            {"name": f"LIVE {sku['seller_sku']}", "default_code": sku["seller_sku"]}
            | {"is_storable": True, "list_price": 10.0}
            for sku in remote_skus
        ]
    )
    location = shop.warehouse_id.lot_stock_id
    for product in products:
        env["stock.quant"]._update_available_quantity(product, location, on_hand)
    env["tiktok.sku"].create(
        [
            {
                "shop_id": shop.id,
                "tiktok_sku_ref": sku["sku_id"],
                "tiktok_product_ref": sku["product_id"],
                "seller_sku": sku["seller_sku"],
                "product_id": product.id,
            }
            for sku, product in zip(remote_skus, products, strict=True)
        ]
    )
    for sku in remote_skus:
        sandbox.set_stock(sku["sku_id"], 0)
    return [
        Featured(sku["sku_id"], product.id, on_hand)
        for sku, product in zip(remote_skus, products, strict=True)
    ]


def schedule_live_event(env, shop, featured, featured_qty):
    """A LIVE event from now on, holding `featured_qty` (plus its buffer) per product, locked."""
    from odoo import Command, fields

    start = fields.Datetime.now()
    event = env["tiktok.live.event"].create(
        {
            "name": "Benchmark LIVE",
            "shop_id": shop.id,
            "planned_start": start,
            "planned_end": start + timedelta(minutes=30),
            "reserve_buffer_percent": LIVE_BUFFER_PERCENT,
            "flash_sale_lock": True,
            "line_ids": [
                Command.create({"product_id": item.product_id, "featured_qty": featured_qty})
                for item in featured
            ],
        }
    )
    event.action_schedule()
    return event


# === THE SECOND CHANNEL === #


class OtherChannel(threading.Thread):
    """A second sales channel selling the featured products in Odoo, one unit at a time.

    `lock` is held from each order's commit until it is counted in `sold`, and by the sampler
    while it reads Odoo's stock with `sold`, so that a sample sees both or neither.
    """

    def __init__(self, registry, Environment, featured, warehouse_id, every):
        super().__init__(daemon=True)
        self.registry, self.Environment = registry, Environment
        self.products = [item.product_id for item in featured]
        self.warehouse_id, self.every = warehouse_id, every
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.sales = []  # (monotonic time of the commit, product id, units)
        self.error = None

    def sold(self):
        """{product id: units sold so far}; call with `lock` held."""
        units = Counter()
        for _at, product_id, quantity in self.sales:
            units[product_id] += quantity
        return units

    def run(self):
        try:
            with self.registry.cursor() as cr:
                self._sell(self.Environment(cr, 1, {}))
        except Exception as error:  # reported with the figures
            self.error = error

    def _sell(self, env):
        buyer = env["res.partner"].create({"name": "Website buyer"})
        env.cr.commit()
        started = time.monotonic()
        for number in range(10**9):
            due = started + number * self.every
            if self.stopping.wait(max(0.0, due - time.monotonic())):
                return
            self._sell_one(env, buyer, self.products[number % len(self.products)])

    def _sell_one(self, env, buyer, product_id):
        """Confirm and commit one order, tried again on a concurrency failure as Odoo's HTTP
        workers do (`odoo.service.model.retrying`, whose commit would come before the count)."""
        from odoo.exceptions import ConcurrencyError
        from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

        for attempt in range(1, 6):
            try:
                self._confirm(env, buyer, product_id)
                env.flush_all()
                with self.lock:
                    env.cr.commit()
                    self.sales.append((time.monotonic(), product_id, 1))
                return
            except (*PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, ConcurrencyError):
                env.cr.rollback()
                env.transaction.reset()
                if attempt == 5:
                    raise
                time.sleep(random.uniform(0.0, 0.1 * 2**attempt))

    def _confirm(self, env, buyer, product_id):
        from odoo import Command

        order = env["sale.order"].create(
            {
                "partner_id": buyer.id,
                "warehouse_id": self.warehouse_id,
                "order_line": [Command.create({"product_id": product_id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        order.picking_ids.action_assign()


# === MEASURING === #


@dataclass
class Sample:
    at: float  # monotonic
    shown: dict  # {SKU: TikTok's figure}
    tiktok_sold: dict  # {SKU: units sold on TikTok so far}
    other_sold: dict  # {product id: units the other channel sold so far}
    free: dict  # {product id: on hand less reserved in the warehouse}
    on_hand: dict  # {product id: on hand in the warehouse}


class Sampler(threading.Thread):
    """Reads TikTok's figures and both channels' sales every `every` seconds (see the module's
    docstring); also notes when each TikTok order first appears (`tiktok_sales`)."""

    def __init__(self, registry, sandbox, shop_info, featured, other, every):
        super().__init__(daemon=True)
        self.registry, self.sandbox, self.other, self.every = registry, sandbox, other, every
        self.shop_ref, self.stock_path = shop_info["ref"], shop_info["stock_path"]
        self.featured = featured
        self.sku_ids = {item.sku_id for item in featured}
        self.stopping = threading.Event()
        self.samples = []
        self.tiktok_sales = []  # (monotonic, SKU, units)
        self.orders = {}  # {TikTok order id: {SKU: units}}
        self.known = set(sandbox.order_ids(self.shop_ref))  # orders of earlier bursts
        self.sold = Counter()

    def run(self):
        while not self.stopping.is_set():
            started = time.monotonic()
            self.samples.append(self._sample(started))
            self.stopping.wait(max(0.0, started + self.every - time.monotonic()))

    def _sample(self, at):
        # TikTok's orders, then its figures, then its orders again: a sale between the two
        # reads is taken again rather than counted without its effect on the figures.
        for _attempt in range(5):
            order_ids = self.sandbox.order_ids(self.shop_ref)
            shown = self.sandbox.shown(self.shop_ref, self.sku_ids)
            if len(self.sandbox.order_ids(self.shop_ref)) == len(order_ids):
                break
        for order_id in order_ids:
            if order_id not in self.known:
                self.known.add(order_id)
                units = self.sandbox.order_units(order_id)
                self.orders[order_id] = units
                for sku_id, quantity in units.items():
                    self.sold[sku_id] += quantity
                    self.tiktok_sales.append((at, sku_id, quantity))
        with self.other.lock:
            other_sold = self.other.sold()
            on_hand, free = self._odoo_stock()
        return Sample(at, shown, dict(self.sold), other_sold, free, on_hand)

    def _odoo_stock(self):
        products = [item.product_id for item in self.featured]
        with self.registry.cursor() as cr:
            cr.execute(
                # Sums of each column: a quant Odoo adds for a reservation while another
                # worker locks the first one has a reserved quantity and no quantity (NULL).
                """SELECT q.product_id, coalesce(sum(q.quantity), 0),
                          coalesce(sum(q.quantity), 0) - coalesce(sum(q.reserved_quantity), 0)
                     FROM stock_quant q JOIN stock_location l ON l.id = q.location_id
                    WHERE q.product_id = ANY(%s) AND l.parent_path LIKE %s
                    GROUP BY q.product_id""",
                [products, self.stock_path + "%"],
            )
            rows = cr.fetchall()
        return {p: on_hand for p, on_hand, _f in rows}, {p: free for p, _o, free in rows}


class OrderWatch(threading.Thread):
    """Notes (wall clock) when each TikTok order of the shop is first seen confirmed, and when it
    has left the reservation queue: two index lookups every 0.1 s."""

    def __init__(self, registry, shop_id):
        super().__init__(daemon=True)
        self.registry, self.shop_id = registry, shop_id
        self.stopping = threading.Event()
        self.seen, self.reserved, self.unreserved = {}, {}, {}

    def run(self):
        last_id = 0
        while not self.stopping.is_set():
            with self.registry.cursor() as cr:
                cr.execute(
                    "SELECT id, tiktok_order_ref FROM sale_order WHERE id > %s "
                    "AND state = 'sale' AND tiktok_shop_id = %s ORDER BY id",
                    [last_id - 1000, self.shop_id],
                )
                rows = cr.fetchall()
                cr.execute("SELECT order_id FROM tiktok_reservation_request")
                waiting = {row[0] for row in cr.fetchall()}
            now = time.time()
            for order_id, reference in rows:
                if reference not in self.seen:
                    self.seen[reference] = now
                    self.unreserved[order_id] = reference
                last_id = max(last_id, order_id)
            for order_id in [oid for oid in self.unreserved if oid not in waiting]:
                self.reserved.setdefault(self.unreserved.pop(order_id), now)
            self.stopping.wait(0.1)


# === A BURST === #


@dataclass
class Burst:
    """What one burst measured."""

    label: str
    placed: int = 0
    refused_out_of_stock: int = 0
    other_orders: int = 0
    created: list = field(default_factory=list)  # seconds, TikTok create time -> create_date
    seen: list = field(default_factory=list)  # ... -> seen confirmed
    reserved: list = field(default_factory=list)  # ... -> out of the reservation queue
    lags_tiktok: list = field(default_factory=list)
    lags_other: list = field(default_factory=list)
    never_reflected: int = 0
    oversold: int = 0
    oversold_per_sku: dict = field(default_factory=dict)
    above_expected: int = 0
    sold_beyond_on_hand: int = 0
    unreserved_units: float = 0
    lost: int = 0
    duplicated: int = 0
    fence: list = field(default_factory=list)  # (product, LIVE units, taken, held, planned)
    other_error: str = ""
    samples: list = field(default_factory=list)
    expected: object = None
    featured: list = field(default_factory=list)


def run_burst(args, registry, Environment, sandbox, shop_info, featured, expected, label):
    """One burst of the `live_featured` scenario with the other channel selling meanwhile."""
    other = OtherChannel(
        registry, Environment, featured, shop_info["warehouse_id"], args.other_every
    )
    sampler = Sampler(registry, sandbox, shop_info, featured, other, args.sample_every)
    watch = OrderWatch(registry, shop_info["id"])
    for thread in (sampler, watch, other):
        thread.start()
    sandbox.start_live(
        shop_info["ref"], [item.sku_id for item in featured], args.orders, args.seconds
    )
    print(f"  {label}: {args.orders} TikTok orders over {args.seconds:.0f} s...", flush=True)
    time.sleep(args.seconds)
    other.stopping.set()
    other.join()
    wait_for_drain(registry, sandbox, shop_info, sampler, watch, featured, expected)
    for thread in (sampler, watch):
        thread.stopping.set()
        thread.join()
    return measure(registry, sandbox, shop_info, featured, expected, sampler, watch, other, label)


def wait_for_drain(registry, sandbox, shop_info, sampler, watch, featured, expected):
    """Until the scenario is over, its orders are confirmed and reserved, and TikTok shows what
    it should for 3 samples in a row (or DRAIN_SECONDS)."""
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline:
        time.sleep(1)
        done, stats = sandbox.live_stats()
        placed = set(sampler.orders)
        if not done or len(placed) < stats.get("orders", 0):
            continue
        if not placed <= set(watch.reserved):
            continue
        recent = sampler.samples[-3:]
        if len(recent) == 3 and all(settled(sample, featured, expected) for sample in recent):
            return
    print("  (the burst had not settled after the drain time)", flush=True)


def above_expected(sample, featured, expected):
    """Units TikTok shows over what it should, all SKUs together."""
    return sum(
        max(
            0,
            sample.shown.get(item.sku_id, 0)
            - expected(item, sample.tiktok_sold, sample.other_sold),
        )
        for item in featured
    )


def settled(sample, featured, expected):
    return all(
        sample.shown.get(item.sku_id, 0) == expected(item, sample.tiktok_sold, sample.other_sold)
        for item in featured
    )


def measure(registry, sandbox, shop_info, featured, expected, sampler, watch, other, label):
    burst = Burst(label, samples=sampler.samples, expected=expected, featured=featured)
    _done, stats = sandbox.live_stats()
    burst.placed = stats.get("orders", 0)
    burst.refused_out_of_stock = stats.get("refused_out_of_stock", 0)
    burst.other_orders = len(other.sales)
    burst.other_error = repr(other.error) if other.error else ""
    latencies(registry, shop_info, sampler, watch, burst)
    stock_lags(sampler, other, featured, expected, burst)
    exposure(sampler.samples, featured, burst)
    burst.above_expected = max(
        (above_expected(sample, featured, expected) for sample in sampler.samples), default=0
    )
    shortages(registry, sampler.samples[-1], featured, burst)
    return burst


def latencies(registry, shop_info, sampler, watch, burst):
    references = list(sampler.orders)
    with registry.cursor() as cr:
        cr.execute(
            """SELECT tiktok_order_ref, min(tiktok_create_time),
                      min(extract(epoch FROM create_date AT TIME ZONE 'utc')), count(*)
                 FROM sale_order WHERE tiktok_shop_id = %s AND tiktok_order_ref = ANY(%s)
                GROUP BY tiktok_order_ref""",
            [shop_info["id"], references],
        )
        rows = cr.fetchall()
    burst.lost = len(references) - len(rows)
    burst.duplicated = sum(1 for *_r, count in rows if count > 1)
    burst.created = sorted(float(created) - placed for _ref, placed, created, _c in rows)
    placed_at = {reference: placed for reference, placed, _created, _c in rows}
    burst.seen = sorted(watch.seen[ref] - placed_at[ref] for ref in placed_at if ref in watch.seen)
    burst.reserved = sorted(
        watch.reserved[ref] - placed_at[ref] for ref in placed_at if ref in watch.reserved
    )


def stock_lags(sampler, other, featured, expected, burst):
    """Seconds from each sale until TikTok's figure of its SKU stayed at or below what it should
    show after it (see the module's docstring); sales it never came down for are counted."""
    sku_of = {item.product_id: item for item in featured}
    item_of = {item.sku_id: item for item in featured}
    sales = [(at, "tiktok", item_of[sku], units) for at, sku, units in sampler.tiktok_sales]
    sales += [(at, "other", sku_of[product], units) for at, product, units in other.sales]
    times = [sample.at for sample in sampler.samples]
    highest_from = {item.sku_id: suffix_max(sampler.samples, item.sku_id) for item in featured}
    tiktok_sold, other_sold = Counter(), Counter()
    for at, channel, item, units in sorted(sales, key=lambda sale: sale[0]):
        if channel == "tiktok":
            tiktok_sold[item.sku_id] += units
        else:
            other_sold[item.product_id] += units
        target = expected(item, tiktok_sold, other_sold)
        lag = settle_time(times, highest_from[item.sku_id], at, target)
        if lag is None:
            burst.never_reflected += 1
        else:
            (burst.lags_tiktok if channel == "tiktok" else burst.lags_other).append(lag)
    burst.lags_tiktok.sort()
    burst.lags_other.sort()


def suffix_max(samples, sku_id):
    """[highest figure TikTok showed for the SKU from sample i on]."""
    highest, result = -math.inf, []
    for sample in reversed(samples):
        highest = max(highest, sample.shown.get(sku_id, 0))
        result.append(highest)
    return result[::-1]


def settle_time(times, highest_from, at, target):
    """Seconds from `at` to the first sample from which the figure never rose above `target`."""
    first = bisect.bisect_left(times, at)
    for index in range(first, len(times)):
        if highest_from[index] <= target:
            return times[index] - at
    return None


def exposure(samples, featured, burst):
    """Units oversold: TikTok's figure plus the other channel's free stock over what is unsold."""
    per_sku = dict.fromkeys((item.sku_id for item in featured), 0)
    worst = 0
    for sample in samples:
        total = 0
        for item in featured:
            unsold = (
                sample.on_hand.get(item.product_id, 0)
                - sample.tiktok_sold.get(item.sku_id, 0)
                - sample.other_sold.get(item.product_id, 0)
            )
            over = sample.shown.get(item.sku_id, 0) + sample.free.get(item.product_id, 0) - unsold
            over = max(0, math.ceil(over - 1e-9))
            per_sku[item.sku_id] = max(per_sku[item.sku_id], over)
            total += over
        worst = max(worst, total)
    burst.oversold, burst.oversold_per_sku = worst, per_sku


def shortages(registry, last, featured, burst):
    """Units sold beyond on hand, and units of confirmed orders Odoo could not reserve."""
    burst.sold_beyond_on_hand = sum(
        max(
            0,
            last.tiktok_sold.get(item.sku_id, 0)
            + last.other_sold.get(item.product_id, 0)
            - last.on_hand.get(item.product_id, 0),
        )
        for item in featured
    )
    with registry.cursor() as cr:
        cr.execute(
            """SELECT coalesce(sum(product_qty - quantity), 0) FROM stock_move
                WHERE product_id = ANY(%s) AND sale_line_id IS NOT NULL
                  AND state NOT IN ('done', 'cancel')""",
            [[item.product_id for item in featured]],
        )
        burst.unreserved_units = float(cr.fetchone()[0])


def fence_figures(registry, Environment, event_id):
    """[(product, units of the event's orders, units they took out, still held, planned)]."""
    with registry.cursor() as cr:
        event = Environment(cr, 1, {})["tiktok.live.event"].browse(event_id)
        return [
            (
                line.product_id.default_code,
                line.sold_qty,
                line.consumed_qty,
                line._tiktok_held(),
                line.fenced_qty,
            )
            for line in event.line_ids
        ]


# === THE RUN === #


def main():
    args = parse_arguments()
    if not Path(args.config).exists():
        raise SystemExit(f"{args.config} is missing: run scripts/bench.sh live (it writes it)")
    print(f"Installing the addon into {args.database}...", flush=True)
    install_database(args.config, args.database)
    sys.path.insert(0, str(ADDON_DIR))
    registry, Environment = odoo_environment(args.config, args.database)
    sandbox = LiveSandbox()
    server = None
    try:
        runs = 1 if args.no_baseline else 3
        shop_info, batches = set_up(args, registry, Environment, sandbox, runs)
        server = OdooServer(args.config, args.database, args.http_port, "bench-live-odoo.log")
        server.wait_for_idle_crons(registry)
        webhook = f"{server.url}/tiktok_shop/webhook/{sandbox.app['app_key']}"
        sandbox.post("/sandbox/webhooks", {"discard_pending": True, "url": webhook})
        bursts = []
        if not args.no_baseline:
            for featured, label in zip(batches, (NEW_BUYERS, "no LIVE event"), strict=False):
                bursts.append(
                    baseline(args, registry, Environment, sandbox, shop_info, featured, label)
                )
        bursts.append(live(args, registry, Environment, sandbox, shop_info, batches[-1]))
        report(args, bursts)
        if args.samples:
            write_samples(args.samples, bursts)
    finally:
        if server:
            server.stop()
        sandbox.stop()
        release_database(args.database)
        if not args.keep_database:
            subprocess.run(["dropdb", "--if-exists", "--force", args.database], check=False)


def featured_quantity(args):
    return math.ceil(args.orders / FEATURED_SKUS * FEATURED_MARGIN)


def on_hand_quantity(args):
    """Enough for the LIVE's held stock and the other channel's sales, twice over."""
    other_units = math.ceil(args.seconds / args.other_every / FEATURED_SKUS) + 1
    held = math.ceil(featured_quantity(args) * (1 + LIVE_BUFFER_PERCENT / 100))
    return 2 * (held + other_units)


def set_up(args, registry, Environment, sandbox, runs):
    """The shop, and `runs` batches of featured SKUs stocked in Odoo and pushed to TikTok."""
    with registry.cursor() as cr:
        env = Environment(cr, 1, {})
        shop = prepare_shop(env, sandbox)
        remote = sandbox.featured_skus(shop.tiktok_shop_ref, FEATURED_SKUS * runs)
        batches = [
            stock_featured(
                env,
                sandbox,
                shop,
                remote[n * FEATURED_SKUS : (n + 1) * FEATURED_SKUS],
                on_hand_quantity(args),
            )
            for n in range(runs)
        ]
        cr.commit()
        env["tiktok.stock.change"]._tiktok_collect()
        shop._tiktok_push_stock(trigger="benchmark")
        cr.commit()
        shop_info = {
            "id": shop.id,
            "ref": shop.tiktok_shop_ref,
            "warehouse_id": shop.warehouse_id.id,
            "stock_path": shop.warehouse_id.view_location_id.parent_path,
        }
    return shop_info, batches


def baseline(args, registry, Environment, sandbox, shop_info, featured, label):
    def expected(item, tiktok_sold, other_sold):
        sold = tiktok_sold.get(item.sku_id, 0) + other_sold.get(item.product_id, 0)
        return max(0, item.on_hand - sold)

    wait_until_shown(sandbox, shop_info, featured, lambda item: item.on_hand)
    return run_burst(args, registry, Environment, sandbox, shop_info, featured, expected, label)


def live(args, registry, Environment, sandbox, shop_info, featured):
    with registry.cursor() as cr:
        env = Environment(cr, 1, {})
        shop = env["tiktok.shop"].browse(shop_info["id"])
        event = schedule_live_event(env, shop, featured, featured_quantity(args))
        held = {line.product_id.id: line.fenced_qty for line in event.line_ids}
        event_id = event.id
    print(f"  LIVE event scheduled, holding {sorted(set(held.values()))} units per SKU", flush=True)

    def expected(item, tiktok_sold, _other_sold):
        return max(0, math.floor(held[item.product_id]) - tiktok_sold.get(item.sku_id, 0))

    wait_until_shown(sandbox, shop_info, featured, lambda item: held[item.product_id])
    burst = run_burst(
        args, registry, Environment, sandbox, shop_info, featured, expected, "LIVE event"
    )
    burst.fence = fence_figures(registry, Environment, event_id)
    return burst


def wait_until_shown(sandbox, shop_info, featured, quantity, timeout=120):
    """Until TikTok shows each SKU's starting figure (Odoo's stock cron pushes it)."""
    wanted = {item.sku_id: quantity(item) for item in featured}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sandbox.shown(shop_info["ref"], set(wanted)) == wanted:
            return
        time.sleep(1)
    raise SystemExit(
        f"TikTok never showed {wanted}: {sandbox.shown(shop_info['ref'], set(wanted))}"
    )


# === THE REPORT === #


SAMPLE_COLUMNS = (
    *("burst", "seconds", "sku", "shown", "should_show"),
    *("tiktok_sold", "other_sold", "free", "on_hand"),
)


def write_samples(path, bursts):
    """One row per sample and SKU: TikTok's figure beside what it should show, and the stock."""
    with open(path, "w", newline="") as file:
        out = csv.writer(file)
        out.writerow(SAMPLE_COLUMNS)
        for burst in bursts:
            start = burst.samples[0].at if burst.samples else 0
            for sample in burst.samples:
                for item in burst.featured:
                    out.writerow(
                        [
                            burst.label,
                            f"{sample.at - start:.2f}",
                            item.sku_id,
                            sample.shown.get(item.sku_id),
                            burst.expected(item, sample.tiktok_sold, sample.other_sold),
                            sample.tiktok_sold.get(item.sku_id, 0),
                            sample.other_sold.get(item.product_id, 0),
                            sample.free.get(item.product_id),
                            sample.on_hand.get(item.product_id),
                        ]
                    )


def report(args, bursts):
    width = 34
    print(
        f"\n== LIVE burst: {args.orders} TikTok orders of {FEATURED_SKUS} SKUs in "
        f"{args.seconds:.0f} s, another channel selling a unit every {args.other_every:g} s "
        f"({os.cpu_count()} cores shared by the sandbox, PostgreSQL, Odoo and this script) =="
    )
    rows = [
        ("TikTok orders placed", lambda b: f"{b.placed}"),
        ("refused by TikTok, out of stock", lambda b: f"{b.refused_out_of_stock}"),
        ("other channel's orders (1 unit)", lambda b: f"{b.other_orders}"),
        ("TikTok order -> create_date", lambda b: spread(b.created)),
        ("TikTok order -> confirmed, seen", lambda b: spread(b.seen)),
        ("TikTok order -> stock reserved", lambda b: spread(b.reserved)),
        ("stock lag after a TikTok sale", lambda b: spread(b.lags_tiktok)),
        ("stock lag after another sale", lambda b: spread(b.lags_other)),
        ("stock lag after any sale", lambda b: spread(sorted(b.lags_tiktok + b.lags_other))),
        ("sales TikTok never reflected", lambda b: f"{b.never_reflected}"),
        ("units oversold (max over samples)", oversold_cell),
        ("TikTok over what it should show", lambda b: f"{b.above_expected}"),
        ("units sold beyond on hand", lambda b: f"{b.sold_beyond_on_hand}"),
        ("units Odoo could not reserve", lambda b: f"{b.unreserved_units:g}"),
        ("orders lost / duplicated", lambda b: f"{b.lost} / {b.duplicated}"),
    ]
    print(" " * width + "".join(f"{burst.label:<35}" for burst in bursts))
    for title, cell in rows:
        print(f"{title:<{width}}" + "".join(f"{cell(burst):<35}" for burst in bursts))
    print("(latencies and lags: p50 / p95 / max in seconds; TikTok stamps whole seconds)")
    for burst in bursts:
        if burst.fence:
            print_fence(burst.fence)
        if burst.other_error:
            print(f"{burst.label}: the other channel stopped on {burst.other_error}")


def spread(values):
    if not values:
        return "-"
    return f"{statistics.median(values):.2f} / {percentile(values, 0.95):.2f} / {values[-1]:.2f}"


def oversold_cell(burst):
    per_sku = ", ".join(str(units) for units in burst.oversold_per_sku.values())
    return f"{burst.oversold} (per SKU {per_sku})"


def print_fence(fence):
    print("\nHeld stock of the LIVE event, per SKU (units):")
    exact = True
    for product, sold, taken, held, planned in fence:
        exact = exact and sold == taken and held == planned - taken
        print(
            f"  {product}: planned {planned:g}, LIVE orders {sold:g}, taken out {taken:g}, "
            f"still held {held:g}"
        )
    print(f"fence consumed exactly: {'yes' if exact else 'NO'}")


if __name__ == "__main__":
    main()
