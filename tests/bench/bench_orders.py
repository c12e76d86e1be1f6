"""Order import benchmark: the connector end to end against the raw ORM, and a LIVE burst.

    make bench-orders ARGS="--orders 2000 --burst 500 --burst-seconds 60"

`make bench-orders` sets up the project's environment, Odoo and PostgreSQL like the other commands
and writes .local/odoo-bench.conf, read for the database settings. It installs the addon into a
fresh database, starts the sandbox in its own process and prints:

1. throughput: `--orders` orders of 2-3 lines across two shops (US, GB) imported end to end
   (sandbox -> signed API -> confirmed sale orders with lines and pickings), by the connector's
   order poll; beside it, the same orders created and confirmed directly with the ORM (the floor
   of what Odoo does here), and the peak memory of this process during the connector's import;
2. a LIVE burst: `--burst` orders placed on the sandbox within `--burst-seconds`; the sandbox
   pushes each webhook to a real Odoo server (its own process, cron thread included) and the
   latency is from the order's placement (its webhook leaves at once) to the moment the sale
   order is confirmed in the database; lost and duplicated orders are counted.
"""

import argparse
import contextlib
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
ADDON_DIR = ROOT / "tiktok_shop_connector"
CONFIG = ROOT / ".local" / "odoo-bench.conf"


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument("--burst-seconds", type=float, default=60)
    add_database_arguments(parser, "tiktok_shop_bench")
    return parser.parse_args()


def add_database_arguments(parser, database):
    """The options every benchmark has: its database, the Odoo configuration, keep or drop."""
    parser.add_argument("--database", default=database)
    parser.add_argument("--config", default=str(CONFIG))
    parser.add_argument("--keep-database", action="store_true")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url, process, what, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} stopped at start (exit {process.returncode})")
        try:
            if requests.get(url, timeout=10).status_code < 500:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.2)
    raise SystemExit(f"{what} did not answer on {url}")


# === THE SANDBOX (its own process) === #


class Sandbox:
    """The sandbox in its own process, so its HTTP server does not share this one's core."""

    def __init__(self, products_per_shop=40):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "tiktok_shop_sandbox", "--port", str(self.port)]
        command += ["--seed", "3", "--products-per-shop", str(products_per_shop)]
        command += ["--orders-per-shop", "0"]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
        # Seeding thousands of products takes a while.
        wait_until_up(self.url + "/sandbox/health", self.process, "the sandbox", timeout=300)
        self.app = self.get("/sandbox/app")
        self.shops = {shop["region"]: shop for shop in self.get("/sandbox/shops")["shops"]}

    def get(self, path, **params):
        return requests.get(self.url + path, params=params, timeout=120).json()

    def post(self, path, body):
        response = requests.post(self.url + path, json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def skus(self, shop_id):
        stock = self.get("/sandbox/inventory", shop_id=shop_id)
        return [
            sku
            for sku in stock["skus"]
            if sku["product_status"] == "ACTIVATE" and sku["available"] > 20
        ]

    def place(self, shop_id, items):
        """Place an order; None when the sandbox refuses it (a SKU sold out)."""
        body = {
            "shop_id": shop_id,
            "items": items,
            "on_hold": False,
            "shipping_type": "SELLER",
            "fulfillment_type": "FULFILLMENT_BY_SELLER",
        }
        response = requests.post(self.url + "/sandbox/orders", json=body, timeout=30)
        if response.status_code == 409:
            return None
        response.raise_for_status()
        return response.json()["id"]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def order_items(skus, number):
    """2 or 3 lines, one or two units each, different SKUs."""
    count = 2 + number % 2
    start = (number * 7) % len(skus)
    chosen = [skus[(start + offset) % len(skus)] for offset in range(count)]
    return [
        {"sku_id": sku["sku_id"], "quantity": 1 + (number + index) % 2}
        for index, sku in enumerate(chosen)
    ]


# === ODOO IN THIS PROCESS === #


def odoo_environment(config_path, database):
    from odoo.api import Environment
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-c", config_path, "-d", database])
    registry = Registry(database)
    return registry, Environment


def release_database(database):
    """Close this process's connections so the database can be dropped."""
    from odoo.modules.registry import Registry
    from odoo.sql_db import close_db

    Registry.delete(database)
    close_db(database)


def install_database(config_path, database):
    subprocess.run(["dropdb", "--if-exists", "--force", database], check=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            "-c",
            config_path,
            "-d",
            database,
            "-i",
            "tiktok_shop_connector",
            "--stop-after-init",
            "--log-level=warn",
        ],
        check=True,
        capture_output=True,
    )


def connect_seller(env, sandbox):
    """The sandbox's seller connected as the OAuth callback does: (account, its US and GB shops)."""
    app = sandbox.app
    account = env["tiktok.account"].create(
        {
            "name": "Benchmark seller",
            "app_key": app["app_key"],
            "app_secret": app["app_secret"],
            "tiktok_service_ref": app["service_id"],
            "api_host": sandbox.url,
            "auth_host": sandbox.url,
        }
    )
    code = sandbox.post("/sandbox/authorize", {})["code"]
    shops = account._tiktok_complete_authorization(code)
    # The benchmark drives the order imports itself, and measures them without a first catalog
    # import (a one-time run at the start of a new server) beside them.
    shops.write({"sync_orders": False, "sync_catalog": False})
    return account, shops.filtered(lambda shop: shop.region in ("US", "GB"))


def create_products(env, sandbox, shops):
    warehouse = env["stock.warehouse"].search([], limit=1)
    skus = {}
    for shop in shops:
        for sku in sandbox.skus(shop.tiktok_shop_ref):
            skus.setdefault(sku["seller_sku"], sku)
    products = env["product.product"].create(
        [{"name": f"Bench {code}", "default_code": code, "is_storable": True} for code in skus]
    )
    for product in products:
        env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 100000)
    return {product.default_code: product for product in products}


def place_orders(sandbox, tiktok_shop_ids, count, pace_seconds=0.0):
    """[(TikTok order id, placed at)]: `count` orders across the shops, evenly paced if asked."""
    skus = {shop_id: sandbox.skus(shop_id) for shop_id in tiktok_shop_ids}
    shop_ids = list(skus)
    started = time.monotonic()

    def place(number):
        if pace_seconds:
            time.sleep(max(0.0, started + number * pace_seconds / count - time.monotonic()))
        shop_id = shop_ids[number % len(shop_ids)]
        for attempt in range(10):  # another mix of SKUs when one sold out
            order_id = sandbox.place(shop_id, order_items(skus[shop_id], number + attempt * 13))
            if order_id:
                return order_id, time.monotonic()
        raise SystemExit("the sandbox ran out of stock: raise --products-per-shop")

    with ThreadPoolExecutor(max_workers=8 if not pace_seconds else 4) as pool:
        return list(pool.map(place, range(count)))


def peak_memory_reset():
    """Reset this process's peak RSS (Linux: /proc/self/clear_refs)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_memory_mib():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def refresh_planner_statistics(registry, vacuum=False):
    """ANALYZE, as PostgreSQL's autovacuum does after a table grows by a tenth; with `vacuum`,
    VACUUM too, as it does once a fifth of a table's rows are dead versions.

    Some servers (this project's test machines among them) run with autovacuum off: after 4,000
    orders the planner would still believe the picking and move tables nearly empty and pick
    plans that scan every open picking (Odoo's search for a picking to join: 25 ms per order
    instead of 0.2 ms). A production server keeps its statistics fresh on its own.
    """
    with registry.cursor() as cr:
        cr.execute("SELECT current_setting('autovacuum')")
        autovacuum = cr.fetchone()[0]
    if autovacuum == "on":
        return
    command = "VACUUM ANALYZE" if vacuum else "ANALYZE"
    print(f"autovacuum is off on this server: {command}", flush=True)
    # VACUUM cannot run in a transaction: a connection of its own, in autocommit.
    subprocess.run(["psql", "-X", "-q", "-d", registry.db_name, "-c", command], check=True)


def connector_import(registry, Environment, shop_ids):
    """Seconds for the connector's poll to import everything the shops have, then for its
    reservation cron to reserve their stock (what Odoo's own confirmation does at once)."""
    peak_memory_reset()
    started = time.perf_counter()
    with registry.cursor() as cr:
        env = Environment(cr, 1, {})
        for shop in env["tiktok.shop"].browse(shop_ids):
            shop._tiktok_poll_orders(since=0, trigger="benchmark")
        cr.commit()
        imported = time.perf_counter()
        env["tiktok.reservation.request"]._cron_reserve_tiktok_orders()
        cr.commit()
    reserved = time.perf_counter()
    return imported - started, reserved - imported, peak_memory_mib()


def raw_orm_import(registry, Environment, shop_ids, products):
    """Seconds to create and confirm the same orders straight with the ORM, 100 per commit."""
    from odoo import Command

    with registry.cursor() as cr:
        env = Environment(cr, 1, {})
        shops = env["tiktok.shop"].browse(shop_ids)
        remote = [
            (shop, order)
            for shop in shops
            for order in shop._tiktok_client().paginate(
                "POST",
                "/order/202309/orders/search",
                shop_cipher=shop.cipher,
                items_key="orders",
                page_size=100,
                json={"update_time_ge": 0},
            )
        ]
        buyer = env["res.partner"].create({"name": "Raw ORM buyer"})
        delivery_product = env.ref("tiktok_shop_connector.product_tiktok_shipping")
        cr.commit()
        started = time.perf_counter()
        for start in range(0, len(remote), 100):
            values = [
                raw_values(shop, order, buyer, products, delivery_product, Command)
                for shop, order in remote[start : start + 100]
            ]
            env["sale.order"].create(values).action_confirm()
            cr.commit()
        return time.perf_counter() - started, len(remote)


def raw_values(shop, order, buyer, products, delivery_product, Command):
    quantities = {}
    for item in order["line_items"]:
        key = (item["seller_sku"], item["original_price"])
        quantities[key] = quantities.get(key, 0) + 1
    lines = [
        Command.create(
            {
                "product_id": products[code].id,
                "product_uom_qty": quantity,
                "price_unit": float(price),
                "tax_ids": [Command.clear()],
            }
        )
        for (code, price), quantity in quantities.items()
    ]
    lines.append(
        Command.create(
            {
                "product_id": delivery_product.id,
                "price_unit": float(order["payment"]["shipping_fee"]),
                "tax_ids": [Command.clear()],
            }
        )
    )
    return {
        "partner_id": buyer.id,
        "pricelist_id": shop.pricelist_id.id,
        "warehouse_id": shop.warehouse_id.id,
        "order_line": lines,
    }


def count_confirmed(registry, Environment, shop_ids):
    with registry.cursor() as cr:
        cr.execute(
            """SELECT count(DISTINCT so.id) FILTER (WHERE so.state = 'sale'),
                      count(DISTINCT p.id),
                      count(DISTINCT p.id) FILTER (WHERE p.state = 'assigned')
                 FROM sale_order so LEFT JOIN stock_picking p ON p.sale_id = so.id
                WHERE so.tiktok_shop_id IN %s""",
            [tuple(shop_ids)],
        )
        return cr.fetchone()


# === THE BURST (a real Odoo server receives the webhooks) === #


def odoo_bin():
    """The odoo-bin script of the Odoo source in use: prefork workers re-run it by path."""
    import odoo

    for package_dir in odoo.__path__:
        script = Path(package_dir).parent / "odoo-bin"
        if script.is_file():
            return str(script)
    raise SystemExit("odoo-bin was not found beside the odoo package")


class OdooServer:
    def __init__(self, config_path, database, port=None, log_name="bench-odoo.log"):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log = ROOT / ".local" / log_name
        command = [
            sys.executable,
            odoo_bin(),
            "-c",
            config_path,
            "-d",
            database,
            f"--http-port={self.port}",
            # Its own port for the gevent worker too: another server may hold Odoo's 8072.
            f"--gevent-port={free_port()}",
            f"--db-filter=^{database}$",
            # As in production: HTTP workers and cron workers in processes of their own; two
            # cron workers, one per webhook-event cron, import a burst on both cores, and a
            # third runs the reservation and the other crons meanwhile.
            "--workers=2",
            "--max-cron-threads=3",
            "--log-level=warn",
            f"--logfile={log}",
        ]
        self.process = subprocess.Popen(command, cwd=ROOT)
        wait_until_up(self.url + "/web/login", self.process, "Odoo")

    def wait_for_idle_crons(self, registry, timeout=180):
        """A server just started runs every overdue cron (autovacuum...): let it finish first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with registry.cursor() as cr:
                cr.execute(
                    "SELECT count(*) FROM ir_cron WHERE active AND nextcall <= now() at time zone "
                    "'utc' AND id NOT IN (SELECT res_id FROM ir_model_data "
                    "WHERE module = 'tiktok_shop_connector' AND model = 'ir.cron')"
                )
                if not cr.fetchone()[0]:
                    return
            time.sleep(1)

    def stop(self):
        """Stop the server; a prefork server busy with a cron may need a kill after a while."""
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)


def burst(args, registry, sandbox, shop_ids, tiktok_shop_ids, config_path):
    server = OdooServer(config_path, args.database)
    try:
        server.wait_for_idle_crons(registry)
        webhook = f"{server.url}/tiktok_shop/webhook/{sandbox.app['app_key']}"
        # The orders of the throughput run are imported already: only the burst is pushed.
        sandbox.post("/sandbox/webhooks", {"discard_pending": True, "url": webhook})
        placed = {}
        seen = {}
        reserved = {}
        unreserved = {}
        done = threading.Event()

        def watch():
            """Note when each order appears confirmed, then when it leaves the reservation queue.

            Two index lookups per look, so that measuring takes next to nothing from the cores
            it measures: the newest orders (a window wide enough for the ones a slower worker
            commits after a faster one's), and the (short) queue.
            """
            last_id = 0
            while not done.is_set():
                with registry.cursor() as cr:
                    cr.execute(
                        "SELECT id, tiktok_order_ref FROM sale_order WHERE id > %s "
                        "AND state = 'sale' AND tiktok_shop_id IN %s ORDER BY id",
                        [last_id - 1000, tuple(shop_ids)],
                    )
                    rows = cr.fetchall()
                    cr.execute("SELECT order_id FROM tiktok_reservation_request")
                    waiting = {row[0] for row in cr.fetchall()}
                now = time.monotonic()
                for order_id, tiktok_order_ref in rows:
                    if tiktok_order_ref not in seen:
                        seen[tiktok_order_ref] = now
                        unreserved[order_id] = tiktok_order_ref
                    last_id = max(last_id, order_id)
                for order_id in [oid for oid in unreserved if oid not in waiting]:
                    reserved.setdefault(unreserved.pop(order_id), now)
                time.sleep(0.05)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        paced = place_orders(sandbox, tiktok_shop_ids, args.burst, args.burst_seconds)
        for order_id, placed_at in paced:
            placed[order_id] = placed_at
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not set(placed) <= set(reserved):
            time.sleep(0.2)
        done.set()
        watcher.join()
        latencies = sorted(seen[oid] - placed[oid] for oid in placed if oid in seen)
        reservation = sorted(reserved[oid] - placed[oid] for oid in placed if oid in reserved)
        delivery = sorted(
            received - placed[oid] for oid, received in webhook_arrivals(registry, placed).items()
        )
        with registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM (SELECT tiktok_order_ref FROM sale_order "
                "WHERE tiktok_order_ref = ANY(%s) GROUP BY tiktok_shop_id, tiktok_order_ref "
                "HAVING count(*) > 1) AS duplicated",
                [list(placed)],
            )
            duplicated = cr.fetchone()[0]
        return latencies, reservation, delivery, len(placed) - len(latencies), duplicated
    finally:
        server.stop()


def webhook_arrivals(registry, placed):
    """{TikTok order id: monotonic time its first notification reached Odoo's endpoint}."""
    with registry.cursor() as cr:
        cr.execute(
            """SELECT payload::json->'data'->>'order_id',
                      extract(epoch FROM min(received_at) AT TIME ZONE 'utc')
                 FROM tiktok_webhook_event
                WHERE payload::json->'data'->>'order_id' = ANY(%s)
                GROUP BY 1""",
            [list(placed)],
        )
        wall_to_monotonic = time.monotonic() - time.time()
        return {order_id: float(epoch) + wall_to_monotonic for order_id, epoch in cr.fetchall()}


def percentile(values, share):
    return values[min(len(values) - 1, round(share * (len(values) - 1)))]


def main():
    args = parse_arguments()
    config_path = args.config
    if not Path(config_path).exists():
        raise SystemExit(f"{config_path} is missing: run scripts/test.sh once (it writes it)")
    print(f"Installing the addon into {args.database}...", flush=True)
    install_database(config_path, args.database)
    sys.path.insert(0, str(ADDON_DIR))
    registry, Environment = odoo_environment(config_path, args.database)
    sandbox = Sandbox()
    try:
        with registry.cursor() as cr:
            env = Environment(cr, 1, {})
            _account, shops = connect_seller(env, sandbox)
            products = create_products(env, sandbox, shops)
            shop_ids, tiktok_shop_ids = shops.ids, shops.mapped("tiktok_shop_ref")
            cr.commit()
        if args.orders:
            throughput(args, registry, Environment, sandbox, shop_ids, tiktok_shop_ids, products)
        if args.burst:
            report_burst(args, registry, sandbox, shop_ids, tiktok_shop_ids, config_path)
    finally:
        sandbox.stop()
        release_database(args.database)
        if not args.keep_database:
            subprocess.run(["dropdb", "--if-exists", "--force", args.database], check=False)


def throughput(args, registry, Environment, sandbox, shop_ids, tiktok_shop_ids, products):
    print(f"Placing {args.orders} orders on the sandbox...", flush=True)
    place_orders(sandbox, tiktok_shop_ids, args.orders)
    import_seconds, reserve_seconds, peak = connector_import(registry, Environment, shop_ids)
    confirmed, pickings, reserved = count_confirmed(registry, Environment, shop_ids)
    refresh_planner_statistics(registry)  # the raw ORM run starts on the same footing
    raw_seconds, raw_count = raw_orm_import(registry, Environment, shop_ids, products)
    refresh_planner_statistics(registry)
    seconds = import_seconds + reserve_seconds
    connector_rate, raw_rate = confirmed / seconds, raw_count / raw_seconds
    print("\n== Throughput (2 shops, 2-3 lines per order) ==")
    print(
        f"connector end to end : {confirmed} orders confirmed, {pickings} pickings, "
        f"{reserved} reserved, {seconds:.1f} s ({import_seconds:.1f} s import and confirmation, "
        f"{reserve_seconds:.1f} s reservation), {connector_rate:.1f} orders/s"
    )
    print(
        f"raw ORM create+confirm: {raw_count} orders, {raw_seconds:.1f} s, {raw_rate:.1f} orders/s"
    )
    print(f"ratio connector / raw : {connector_rate / raw_rate:.2f} (target >= 0.50)")
    print(f"peak memory of this Odoo process during the connector import: {peak:.0f} MiB")


def report_burst(args, registry, sandbox, shop_ids, tiktok_shop_ids, config_path):
    latencies, reservation, delivery, lost, duplicated = burst(
        args, registry, sandbox, shop_ids, tiktok_shop_ids, config_path
    )
    window = f"{args.burst_seconds:.0f} s"
    print(f"\n== LIVE burst: {args.burst} orders by webhook within {window} ==")
    print_latencies("webhook -> confirmed sale order", latencies, "(target p95 < 5 s)")
    print_latencies("webhook -> stock reserved     ", reservation)
    print_latencies("of which: order placed on TikTok -> webhook received by Odoo", delivery)
    print(f"lost {lost}, duplicated {duplicated}")


def print_latencies(what, latencies, target=""):
    if latencies:
        print(
            f"{what}: p50 {statistics.median(latencies):.2f} s, "
            f"p95 {percentile(latencies, 0.95):.2f} s, max {latencies[-1]:.2f} s {target}"
        )


if __name__ == "__main__":
    main()
