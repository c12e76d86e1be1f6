"""The seeded world: deterministic, several markets and currencies, and the command line."""

import queue
import re
import shlex
import subprocess
import sys
import threading
from collections import defaultdict
from pathlib import Path

import pytest
import requests

from tiktok_shop_sandbox.__main__ import parse_arguments
from tiktok_shop_sandbox.app import Sandbox
from tiktok_shop_sandbox.seed import SeedOptions, build_world

from .handler_fixtures import seller_client

ROOT = Path(__file__).resolve().parents[2]
START = 1_780_000_000


def snapshot(state):
    """Everything that must not change between two runs with one seed."""
    return {
        "app": [(a.app_key, a.app_secret, a.service_id) for a in state.apps.values()],
        "shops": sorted(
            (s.id, s.cipher, s.code, s.name, s.region, s.currency) for s in state.shops.values()
        ),
        "warehouses": sorted(
            (w.id, w.shop_id, w.name, w.is_fbt) for w in state.warehouses.values()
        ),
        "skus": sorted(
            (k.id, k.seller_sku, k.price, k.list_price, tuple(sorted(k.inventory.items())))
            for k in state.skus.values()
        ),
        "orders": sorted(
            (
                o.id,
                o.status,
                o.user_id,
                tuple(i.sku_id for i in o.line_items),
                o.payment["total_amount"],
            )
            for o in state.orders.values()
        ),
    }


def world(seed, orders_per_shop=3):
    return build_world(
        seed, start_time=START, speed=0, options=SeedOptions(orders_per_shop=orders_per_shop)
    )


def test_the_same_seed_builds_the_same_world():
    assert snapshot(world(42)) == snapshot(world(42))


def test_another_seed_builds_another_world():
    first, second = snapshot(world(42)), snapshot(world(43))
    assert first["app"] != second["app"] and first["shops"] != second["shops"]


def test_sellers_have_shops_in_several_markets_and_currencies():
    state = world(1, orders_per_shop=0)
    markets = {(shop.region, shop.currency) for shop in state.shops.values()}
    assert {("US", "USD"), ("GB", "GBP"), ("ID", "IDR"), ("JP", "JPY")} <= markets
    for seller in state.sellers.values():
        shops = state.shops_of(seller.open_id)
        assert (
            len({shop.region for shop in shops}) >= 2
            and len({shop.currency for shop in shops}) >= 2
        )
        assert [shop.seller_type for shop in shops].count("LOCAL") == 1
    assert all(re.fullmatch(r"(TTP|ROW)_\w{22}", shop.cipher) for shop in state.shops.values())


def test_every_shop_has_warehouses_and_the_us_one_has_fbt():
    state = world(1, orders_per_shop=0)
    for shop in state.shops.values():
        warehouses = state.warehouses_of(shop.id)
        assert any(w.type == "SALES_WAREHOUSE" and w.is_default for w in warehouses)
        assert any(w.type == "RETURN_WAREHOUSE" for w in warehouses)
        assert any(w.is_fbt for w in warehouses) == (shop.region == "US")


def test_skus_have_one_to_three_sales_attributes_and_local_prices():
    state = world(1, orders_per_shop=0)
    attribute_counts = set()
    per_shop = defaultdict(list)
    for sku in state.skus.values():
        product = state.products[sku.product_id]
        shop = state.shops[product.shop_id]
        per_shop[shop.id].append(sku)
        attribute_counts.add(len(sku.sales_attributes))
        assert sku.currency == shop.currency
        decimals = len(sku.price.partition(".")[2])
        assert decimals == (0 if shop.currency in ("IDR", "JPY") else 2), sku.price
        assert {"id", "name", "value_id", "value_name"} <= set(sku.sales_attributes[0])
    assert attribute_counts == {1, 2, 3}
    for skus in per_shop.values():
        assert len({sku.seller_sku for sku in skus}) == len(skus)
        assert any(sku.available() == 0 for sku in skus)  # one sold-out SKU per shop


def test_products_use_the_catalog_reference_data():
    state = world(1, orders_per_shop=0)
    us_product = next(p for p in state.products.values() if state.shops[p.shop_id].region == "US")
    assert state.categories[us_product.category_id]["is_leaf"]
    assert state.categories[us_product.category_id]["version"] == "v2"


def test_initial_orders_are_quiet_and_consistent():
    state = world(5, orders_per_shop=6)
    assert state.orders and state.outbox == []
    assert {o.status for o in state.orders.values()} <= {
        "AWAITING_SHIPMENT",
        "IN_TRANSIT",
        "DELIVERED",
        "AWAITING_COLLECTION",
    }
    assert all(o.create_time < START for o in state.orders.values())


def edit_body(shown, shop):
    """Get Product's answer sent back unchanged as an Edit Product body (§5.3)."""
    body = {
        "title": shown["title"],
        "description": shown["description"],
        "category_id": shown["category_chains"][-1]["id"],
        # §5.2: US shops list in the v2 tree, every other market in v1.
        "category_version": "v2" if shop.region == "US" else "v1",
        "brand_id": shown.get("brand", {}).get("id", ""),
        "main_images": [{"uri": image["uri"]} for image in shown["main_images"]],
        "product_attributes": shown["product_attributes"],
        "package_weight": shown["package_weight"],
        "package_dimensions": shown["package_dimensions"],
        "certifications": shown["certifications"],
        "is_cod_allowed": shown["is_cod_allowed"],
        "delivery_option_ids": [option["id"] for option in shown["delivery_options"]],
        "skus": [_sku_edit_body(sku) for sku in shown["skus"]],
    }
    if "size_chart" in shown:
        body["size_chart"] = shown["size_chart"]
    return body


def _sku_edit_body(shown):
    fields = ("id", "seller_sku", "sales_attributes", "price", "list_price", "inventory")
    body = {field: shown[field] for field in fields if field in shown}
    if "identifier_code" in shown:
        body["identifier_code"] = shown["identifier_code"]
    return body


@pytest.mark.parametrize("seed", [1, 5, 42])
def test_every_seeded_product_takes_a_full_edit_of_its_own_data(seed):
    with Sandbox(seed, speed=0) as sandbox:
        for shop in sandbox.state.shops.values():
            with seller_client(sandbox, shop) as client:
                found = client.request(
                    "POST",
                    "/product/202309/products/search",
                    shop_cipher=shop.cipher,
                    params={"page_size": 100},
                    json={},
                )
                assert found["products"], f"shop {shop.region} has no products"
                for product in found["products"]:
                    assert_full_edit_keeps_the_product(client, shop, product["id"])


def assert_full_edit_keeps_the_product(client, shop, product_id):
    """GET the product, PUT it back unchanged: accepted, and GET shows the same product."""
    path = f"/product/202309/products/{product_id}"
    body = edit_body(client.request("GET", path, shop_cipher=shop.cipher), shop)

    edited = client.request("PUT", path, shop_cipher=shop.cipher, json=body, idempotent=False)

    assert [sku["id"] for sku in edited["skus"]] == [sku["id"] for sku in body["skus"]]
    assert edit_body(client.request("GET", path, shop_cipher=shop.cipher), shop) == body


def line_reader(process):
    """Lines the process prints, read on a thread so a silent process cannot hang the test."""
    lines = queue.Queue()

    def pump():
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return lambda: lines.get(timeout=20)


def test_the_command_line_starts_a_sandbox():
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tiktok_shop_sandbox",
            "--port",
            "0",
            "--seed",
            "3",
            "--speed",
            "60",
            "--scenario",
            "stream",
            "--scenario-option",
            "rate_per_minute=5",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        read_line = line_reader(process)
        url = re.search(r"listening on (http://\S+)", read_line()).group(1)
        printed = [read_line() for _ in range(3)]
        app = requests.get(url + "/sandbox/app", timeout=5).json()
        assert f"  app_key      {app['app_key']}\n" in printed
        assert f"  service_id   {app['service_id']}\n" in printed
        scenarios = requests.get(url + "/sandbox/scenarios", timeout=5).json()["scenarios"]
        assert scenarios[0]["name"] == "stream" and scenarios[0]["options"]["rate_per_minute"] == 5
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0


def test_the_compose_sandbox_pushes_webhooks_for_its_own_app_key():
    yaml = pytest.importorskip("yaml")
    service = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["sandbox"]
    shell_line = service["command"][-1]
    options = parse_arguments(shlex.split(shell_line.split("-m tiktok_shop_sandbox", 1)[1]))

    app = next(iter(build_world(options.seed, speed=0).apps.values()))

    assert options.webhook_url == f"http://odoo:8069/tiktok_shop/webhook/{app.app_key}"
    assert (options.host, options.port, options.scenario) == ("0.0.0.0", 8999, "stream")
    assert service["ports"] == ["127.0.0.1:8999:8999"]
