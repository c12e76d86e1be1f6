"""A small sandbox world and a direct way to call route handlers, without HTTP.

The catalog, logistics, finance, affiliate and LIVE tests build their state here: products from
the state dataclasses with exact prices, orders through the sandbox's own checkout with exact
money, then moved on to the status a test needs. Handlers are called the way the server would
after its gateway checks: the route is looked up in `ROUTER`, path parameters are filled in and
the shop is the one the shop_cipher names.
"""

import struct
import zlib
from decimal import Decimal

from tiktok_shop_sandbox import affiliate, catalog, finance, live, logistics, promotions  # noqa: F401
from tiktok_shop_sandbox.orders import (
    SELLER_FULFILLMENT,
    place_order,
    set_order_status,
)
from tiktok_shop_sandbox.routing import ROUTER, Request
from tiktok_shop_sandbox.state import (
    LiveSession,
    Product,
    Return,
    SandboxState,
    Shop,
    Sku,
    Warehouse,
    money,
)

from .connector import connector_client

DAY = 86_400
# 2026-03-02 10:00:00 UTC: mid-morning, so "today" and "yesterday" are distinct statement days.
START = 1_772_445_600


# Checkout options that leave nothing to chance: seller-fulfilled, no hold, no tax, no message.
EXACT_CHECKOUT = {
    "fulfillment_type": SELLER_FULFILLMENT,
    "on_hold": False,
    "buyer_message": "",
    "tax_rate": 0,
}


class World:
    """A state with reference data and three shops: US (USD), ID (IDR) and JP (JPY)."""

    def __init__(self, start=START):
        # speed 0 freezes the sandbox clock; tests move it with `advance`.
        self.state = SandboxState(seed=3, speed=0, start_time=start)
        catalog.seed_reference_data(self.state)
        logistics.seed_reference_data(self.state)
        affiliate.seed_creators(self.state)
        self.us = self.add_shop("US", "Aurora Living US")
        self.id = self.add_shop("ID", "Nusantara Crafts")
        self.jp = self.add_shop("JP", "Aurora Living JP")
        self.gb = self.add_shop("GB", "Aurora Living UK")

    # --- shops and warehouses -----------------------------------------------------------------

    def add_shop(self, region, name):
        state = self.state
        shop = Shop(
            id=state.new_id(),
            cipher=f"ROW_{region}_{len(state.shops)}",
            code=f"{region}LCL{len(state.shops)}",
            name=name,
            region=region,
            seller_type="LOCAL",
            seller_open_id=f"open-{region}",
        )
        state.shops[shop.id] = shop
        self.add_warehouse(shop, "Main warehouse", is_default=True)
        self.add_warehouse(shop, "Overflow warehouse")
        self.add_warehouse(shop, "Returns", type="RETURN_WAREHOUSE")
        if region == "US":
            self.add_warehouse(shop, "FBT Ontario", is_fbt=True)
        return shop

    def add_warehouse(self, shop, name, **fields):
        warehouse = Warehouse(id=self.state.new_id(), shop_id=shop.id, name=name, **fields)
        self.state.warehouses[warehouse.id] = warehouse
        return warehouse

    def warehouses(self, shop, *, fbt=False, sales=True):
        return [
            w
            for w in self.state.warehouses_of(shop.id)
            if w.is_fbt == fbt and (w.type == "SALES_WAREHOUSE") == sales
        ]

    # --- catalog ------------------------------------------------------------------------------

    def add_product(self, shop, title="Stoneware Mug", prices=("20.00",), stock=50, **fields):
        """An ACTIVATE product with one SKU per price, stocked in the shop's seller warehouses."""
        state = self.state
        product = Product(
            id=state.new_id(),
            shop_id=shop.id,
            title=title,
            create_time=state.now(),
            update_time=state.now(),
            **fields,
        )
        for index, price in enumerate(prices):
            sku = Sku(
                id=state.new_id(),
                product_id=product.id,
                seller_sku=f"{title[:3].upper()}-{index + 1}",
                price=money(Decimal(price), shop.currency),
                currency=shop.currency,
                sales_attributes=[
                    {"id": "100000", "name": "Color", "value_id": "", "value_name": f"C{index}"}
                ],
                inventory={w.id: stock for w in self.warehouses(shop)},
            )
            product.skus.append(sku)
            state.skus[sku.id] = sku
        state.products[product.id] = product
        return product

    # --- orders -------------------------------------------------------------------------------

    def add_order(
        self,
        shop,
        units,
        *,
        status="DELIVERED",
        seller_discount="0",
        platform_discount="0",
        shipping_seller_discount="0",
        shipping_platform_discount="0",
        shipping_type="TIKTOK",
        surface="SHOP",
        creator="",
        commission_rate=0,
        live_id="",
        user_id="7494000000000000001",
    ):
        """An order placed as a buyer would, with exact money, then set to `status`.

        `units` is [(Sku, quantity)]; discounts are amounts, per unit and off the shipping fee;
        no sales tax. An UNPAID order gets paid when the sandbox clock reaches its payment time.
        """
        order = place_order(
            self.state,
            shop,
            [(sku.id, quantity) for sku, quantity in units],
            surface,
            shipping_type=shipping_type,
            paid=status != "UNPAID",
            creator_username=creator,
            commission_rate=commission_rate,
            content_id=f"content-{creator}" if creator else "",
            live_id=live_id,
            unit_discounts=(seller_discount, platform_discount),
            shipping_discounts=(shipping_seller_discount, shipping_platform_discount),
            user_id=user_id,
            **EXACT_CHECKOUT,
        )
        self._set_status(order, status)
        return order

    def add_creator_order(
        self, shop, creator, units, content_type="VIDEO", *, status="DELIVERED", **options
    ):
        """A buyer's order through `creator`'s content, on the collaborations' terms (or on a
        `commission_rate` given), exact as `add_order`'s, then set to `status`."""
        order = affiliate.place_creator_order(
            self.state,
            shop,
            creator,
            [(sku.id, quantity) for sku, quantity in units],
            content_type,
            shipping_type="TIKTOK",
            unit_discounts=(options.pop("seller_discount", "0"), "0"),
            shipping_discounts=("0", "0"),
            **EXACT_CHECKOUT,
            **options,
        )
        self._set_status(order, status)
        return order

    def _set_status(self, order, status):
        """Move a paid order on to `status` through the order's own status changes."""
        if status in ("DELIVERED", "COMPLETED"):
            set_order_status(self.state, order, "DELIVERED")
        if order.status not in (status, "UNPAID"):
            set_order_status(self.state, order, status)

    def add_return(
        self,
        order,
        items,
        *,
        return_type="REFUND",
        at=None,
        status="RETURN_OR_REFUND_REQUEST_COMPLETE",
    ):
        state = self.state
        when = state.now() if at is None else at
        ret = Return(
            return_id=state.new_id(),
            shop_id=order.shop_id,
            order_id=order.id,
            return_type=return_type,
            return_status=status,
            role="BUYER",
            return_reason="Changed my mind",
            line_item_ids=[item.id for item in items],
            refund_amount=money(sum(Decimal(i.sale_price) for i in items), order.currency),
            currency=order.currency,
            create_time=when - 3600,
            update_time=when,
        )
        state.returns[ret.return_id] = ret
        return ret

    def add_live(self, shop, orders, *, start=None, title="Spring drop LIVE"):
        start = self.state.now() - 2 * 3600 if start is None else start
        session = LiveSession(
            id=self.state.new_id(),
            shop_id=shop.id,
            title=title,
            start_time=start,
            end_time=start + 3600,
            order_ids=[order.id for order in orders],
        )
        self.state.lives[session.id] = session
        return session

    # --- calling handlers ---------------------------------------------------------------------

    def call(self, method, path, shop=None, *, query=None, json=None, files=None):
        """Run the handler of `METHOD path` as the server would, and return its `data`."""
        route, path_params = ROUTER.match(method, path)
        assert route is not None, f"no route for {method} {path} ({path_params})"
        request = Request(
            method=method,
            path=path,
            query={key: str(value) for key, value in (query or {}).items()},
            headers={},
            json=json,
            files=files or {},
            path_params=path_params,
            shop=shop,
        )
        with self.state.lock:
            return route.handler(self.state, request)

    def advance(self, seconds):
        """Move the sandbox clock and let whatever became due happen."""
        self.state.advance(seconds)
        self.state.run_due()


# --- image bytes -----------------------------------------------------------------------------


def png_bytes(width, height):
    """A real (all-black, RGB) PNG image of the given size."""
    row = b"\x00" + b"\x00" * width * 3
    pixels = zlib.compress(row * height)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def jpeg_header(width, height):
    """The markers a JPEG starts with up to its frame header: SOI, APP0 (JFIF), SOF0."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


# --- through HTTP, against the in-process `Sandbox` of conftest.py ---------------------------


def seller_client(sandbox, shop):
    """The connector's client with a token of the seller owning `shop` (use it as a context)."""
    token = sandbox.issue_token(shop.seller_open_id)
    return connector_client(sandbox, access_token=token["access_token"])


def stocked_skus(sandbox, shop, count=2, minimum=5):
    """`count` SKUs of live products of `shop` with `minimum` units in the seller's warehouses."""
    found = in_stock_skus(sandbox, shop, minimum)
    assert len(found) >= count, f"shop {shop.region} has too few SKUs in stock"
    return found[:count]


def in_stock_skus(sandbox, shop, minimum):
    """Every SKU of a live product of `shop` with `minimum` units in the seller's warehouses."""
    state = sandbox.state
    found = []
    with state.lock:
        for sku in sorted(state.skus.values(), key=lambda s: s.id):
            product = state.products[sku.product_id]
            own_stock = sum(
                quantity
                for warehouse_id, quantity in sku.inventory.items()
                if not state.warehouses[warehouse_id].is_fbt
            )
            if product.shop_id == shop.id and product.status == "ACTIVATE" and own_stock >= minimum:
                found.append(sku)
    return found


def delivered_order(sandbox, shop, items, **options):
    """A buyer's order placed and driven to DELIVERED through the sandbox's own steps."""
    from tiktok_shop_sandbox import orders

    options.setdefault("fulfillment_type", "FULFILLMENT_BY_SELLER")
    with sandbox.state.lock:
        order = orders.place_order(sandbox.state, shop, items, on_hold=False, **options)
        orders.progress_order(sandbox.state, order, "DELIVERED")
    return order
