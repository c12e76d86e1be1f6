"""Stock push benchmark: a full push of 10,000 SKUs, an incremental one, and the naive way.

    make bench-stock ARGS="--products 2800 --moves 100 --naive-skus 0"

`make bench-stock` sets up the project's environment, Odoo and PostgreSQL like the other commands
and writes .local/odoo-bench.conf, read for the database settings. It installs the addon into a
fresh database and starts the sandbox in its own process with `--products` products per shop
(about 3.6 SKUs each: 2,800 make 10,080 SKUs in the US shop) and its 50 requests/second limit
per endpoint. Odoo has one product per US SKU, stocked in one warehouse that feeds the shop's two
seller warehouses (its FBT one is never pushed). It prints:

1. the full push after a full resync: seconds, Update Inventory calls (one per TikTok product),
   SKUs pushed;
2. the push after `--moves` random stock moves (done deliveries): seconds and calls;
3. the same full push done the naive way, one Update Inventory call per SKU, as the reference
   (`--naive-skus` limits it; 0 = every SKU).
"""

import argparse
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_orders import (
    ADDON_DIR,
    Sandbox,
    add_database_arguments,
    connect_seller,
    install_database,
    odoo_environment,
    release_database,
)

UPDATE_ENDPOINT = "POST /product/202309/products/{id}/inventory/update"
ON_HAND = 500


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=2800)
    parser.add_argument("--moves", type=int, default=100)
    parser.add_argument("--naive-skus", type=int, default=0)
    add_database_arguments(parser, "tiktok_stock_bench")
    return parser.parse_args()


class StockSandbox(Sandbox):
    def calls(self):
        """(Update Inventory calls, every API call, throttled calls) served so far."""
        counts = self.get("/sandbox/calls")
        served, throttled = counts["served"], counts["throttled"]
        return served.get(UPDATE_ENDPOINT, 0), sum(served.values()), sum(throttled.values())


def connect_us_shop(env, sandbox):
    """The seller's US shop, the only one whose stock is pushed."""
    _account, shops = connect_seller(env, sandbox)
    shops.write({"sync_stock": False})
    us = shops.filtered(lambda shop: shop.region == "US")
    us.sync_stock = True
    return us


def stock_and_bind(env, sandbox, shop):
    """An Odoo product per TikTok SKU with stock on hand, and its SKU binding (as the catalog
    import makes them); returns the products."""
    remote = [
        sku
        for sku in sandbox.get("/sandbox/inventory", shop_id=shop.tiktok_shop_ref)["skus"]
        if sku["product_status"] == "ACTIVATE"
    ]
    products = env["product.product"].create(
        [
            {
                "name": f"Bench {sku['seller_sku']}",
                "default_code": sku["seller_sku"],
                "is_storable": True,
            }
            for sku in remote
        ]
    )
    location = shop.warehouse_id.lot_stock_id
    env["stock.quant"].create(
        [
            {"product_id": product.id, "location_id": location.id, "quantity": ON_HAND}
            for product in products
        ]
    )
    env["tiktok.sku"].create(
        [
            {
                "shop_id": shop.id,
                "tiktok_sku_ref": sku["sku_id"],
                "tiktok_product_ref": sku["product_id"],
                "seller_sku": sku["seller_sku"],
                "product_id": product.id,
            }
            for sku, product in zip(remote, products, strict=True)
        ]
    )
    return products


def timed_push(registry, Environment, sandbox, shop_id, prepare):
    """Seconds, Update Inventory calls, all calls, throttled calls and SKUs pushed of one push."""
    with registry.cursor() as cr:
        env = Environment(cr, 1, {})
        prepare(env)
        cr.commit()
    before = sandbox.calls()
    started = time.perf_counter()
    with registry.cursor() as cr:
        env = Environment(cr, 1, {})
        env["tiktok.stock.change"]._tiktok_collect()
        log = env["tiktok.shop"].browse(shop_id)._tiktok_push_stock(trigger="benchmark")
        pushed, failed = log.updated_count, log.failed_count
        cr.commit()
    seconds = time.perf_counter() - started
    after = sandbox.calls()
    return (seconds, *(a - b for a, b in zip(after, before, strict=True)), pushed, failed)


def full_resync(env, shop_id):
    env["tiktok.shop"].browse(shop_id)._tiktok_forget_pushed_stock()


def random_moves(count, product_ids):
    """`count` done deliveries of 1-5 units of random products, each its own transaction."""

    def prepare(env):
        warehouse = env["tiktok.shop"].search([("region", "=", "US")]).warehouse_id
        customers = env.ref("stock.stock_location_customers")
        rng = random.Random(7)
        for product_id in rng.sample(product_ids, count):
            move = env["stock.move"].create(
                {
                    "product_id": product_id,
                    "product_uom_qty": rng.randint(1, 5),
                    "location_id": warehouse.lot_stock_id.id,
                    "location_dest_id": customers.id,
                }
            )
            move._action_confirm()
            move._action_assign()
            move.picked = True
            move._action_done()
            env.cr.commit()

    return prepare


def naive_push(registry, Environment, sandbox, shop_id, limit):
    """The full push with one Update Inventory call per SKU: seconds, calls, throttled, SKUs."""
    from odoo.addons.tiktok_shop_connector.tiktok_shop.rate_limit import SequentialWindowPacer

    time.sleep(1.1)  # the calls of the push before leave TikTok's one-second window
    before = sandbox.calls()
    started = time.perf_counter()
    with registry.cursor() as cr:
        env = Environment(cr, 1, {})
        shop = env["tiktok.shop"].browse(shop_id)
        skus = env["tiktok.sku"].search([("shop_id", "=", shop.id)], limit=limit or None)
        outlets = shop._tiktok_stock_outlets()
        quantities = shop._tiktok_quantities_to_show(skus, outlets)
        client = shop._tiktok_stock_client(SequentialWindowPacer())  # paced as the push is
        for sku in skus:
            inventory = [
                {"warehouse_id": warehouse.tiktok_warehouse_ref, "quantity": quantity}
                for warehouse, quantity in (
                    (outlet, quantities[sku.id, outlet.id]) for outlet in outlets
                )
            ]
            client.request(
                "POST",
                f"/product/202309/products/{sku.tiktok_product_ref}/inventory/update",
                shop_cipher=shop.cipher,
                json={"skus": [{"id": sku.tiktok_sku_ref, "inventory": inventory}]},
            )
        count = len(skus)
    seconds = time.perf_counter() - started
    after = sandbox.calls()
    return seconds, after[0] - before[0], after[2] - before[2], count


def main():
    args = parse_arguments()
    if not Path(args.config).exists():
        raise SystemExit(f"{args.config} is missing: run scripts/test.sh once (it writes it)")
    print(f"Installing the addon into {args.database}...", flush=True)
    install_database(args.config, args.database)
    sys.path.insert(0, str(ADDON_DIR))
    registry, Environment = odoo_environment(args.config, args.database)
    print(f"Starting the sandbox with {args.products} products per shop...", flush=True)
    sandbox = StockSandbox(args.products)
    try:
        with registry.cursor() as cr:
            env = Environment(cr, 1, {})
            shop = connect_us_shop(env, sandbox)
            print("Creating the Odoo products, their stock and SKU bindings...", flush=True)
            products = stock_and_bind(env, sandbox, shop)
            shop._tiktok_load_warehouses()
            shop_id, product_ids = shop.id, products.ids
            cr.commit()
        report(args, registry, Environment, sandbox, shop_id, product_ids)
    finally:
        sandbox.stop()
        release_database(args.database)
        if not args.keep_database:
            subprocess.run(["dropdb", "--if-exists", "--force", args.database], check=False)


def report(args, registry, Environment, sandbox, shop_id, product_ids):
    print("Pushing (full resync)...", flush=True)
    full = timed_push(
        registry, Environment, sandbox, shop_id, lambda env: full_resync(env, shop_id)
    )
    print(f"Pushing after {args.moves} random stock moves...", flush=True)
    moves = timed_push(
        registry, Environment, sandbox, shop_id, random_moves(args.moves, product_ids)
    )
    print("Pushing the naive way (one call per SKU)...", flush=True)
    naive_seconds, naive_calls, naive_throttled, naive_skus = naive_push(
        registry, Environment, sandbox, shop_id, args.naive_skus
    )
    print("\n== Stock push against the sandbox (50 requests/s per endpoint) ==")
    print_push("full push after a full resync", full, "(target < 60 s)")
    print_push(f"push after {args.moves} random stock moves", moves)
    print(
        f"naive, one call per SKU      : {naive_skus} SKUs, {naive_seconds:.1f} s, "
        f"{naive_calls} Update Inventory calls, {naive_throttled} throttled"
    )


def print_push(what, figures, target=""):
    seconds, updates, calls, throttled, pushed, failed = figures
    print(
        f"{what:29}: {pushed} SKUs pushed ({failed} failed), {seconds:.1f} s, "
        f"{updates} Update Inventory calls, {calls} API calls in all, {throttled} throttled "
        f"{target}"
    )


if __name__ == "__main__":
    main()
