"""A deterministic world from a seed: the app, sellers, shops, warehouses, products and stock.

Same seed, same world: ids, names, ciphers, prices and stock come from generators seeded with it
(credentials handed out later, tokens and auth codes, are random on purpose). Two sellers own
shops in several markets and currencies: one local US seller also selling cross-border in GB and
JP, one Indonesian seller also in MY and SG. The US shop has a second warehouse and an FBT one
(TikTok's stock). Every shop has one sold-out SKU, so buyers can be refused from the start. A few
creators are in the creator marketplace (affiliate/creators.py).
Products are complete listings (`catalog.complete_listing`) in categories open to every seller,
under authorized brands or none, so a seller can edit one by sending back what Get Product shows.
"""

import random
import string
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from . import catalog, logistics, orders
from .affiliate import seed_creators
from .auth import start_expiry_warnings
from .state import App, Product, SandboxState, Seller, Shop, Sku, Warehouse, money

# (seller name, base region, shop regions): the first shop is in the base region (LOCAL).
SELLERS = (
    ("Aurora Living", "US", ("US", "GB", "JP")),
    ("Nusantara Crafts", "ID", ("ID", "MY", "SG")),
)
# USD -> shop currency, and the step prices are rounded to there.
EXCHANGE = {
    "USD": ("1", "0.01"),
    "GBP": ("0.79", "0.01"),
    "EUR": ("0.92", "0.01"),
    "JPY": ("150", "10"),
    "IDR": ("15800", "500"),
    "MYR": ("4.7", "0.01"),
    "SGD": ("1.35", "0.01"),
    "THB": ("36", "1"),
    "VND": ("25000", "1000"),
    "PHP": ("56", "1"),
}
# Fixed ids for sales attributes, so every shop's "Color" is the same attribute.
SALES_ATTRIBUTE_IDS = {
    "Color": "100000",
    "Size": "100007",
    "Material": "100012",
    "Pack": "100018",
    "Scent": "100021",
    "Shade": "100025",
}
# (code, title, USD price, word to look for in category names, [(sales attribute, values)]).
PRODUCT_TEMPLATES = (
    (
        "TEE",
        "Organic Cotton T-Shirt",
        "14",
        "tee",
        (("Color", ("Black", "Sage")), ("Size", ("S", "M", "L"))),
    ),
    ("MUG", "Stoneware Coffee Mug", "12", "mug", (("Color", ("Cream", "Charcoal")),)),
    (
        "BAG",
        "Canvas Travel Backpack",
        "49",
        "bag",
        (
            ("Color", ("Olive", "Navy")),
            ("Size", ("20L", "28L")),
            ("Material", ("Canvas", "Recycled PET")),
        ),
    ),
    ("BRS", "Bamboo Toothbrush Set", "7", "brush", (("Pack", ("2-pack", "4-pack")),)),
    (
        "YOG",
        "Cork Yoga Mat",
        "38",
        "yoga",
        (("Color", ("Natural", "Black")), ("Material", ("Cork", "TPE"))),
    ),
    ("CAN", "Soy Scented Candle", "18", "candle", (("Scent", ("Vanilla", "Cedar", "Fig")),)),
    ("LIP", "Hydrating Lip Gloss", "9", "lip", (("Shade", ("Rose", "Berry", "Nude")),)),
    (
        "SCK",
        "Merino Running Socks",
        "16",
        "sock",
        (("Size", ("M", "L")), ("Color", ("Grey", "White"))),
    ),
    ("BUD", "Wireless Earbuds", "59", "phone", (("Color", ("Black", "White")),)),
    (
        "TRI",
        "Phone Tripod Stand",
        "22",
        "phone",
        (("Color", ("Black",)), ("Size", ("Mini", "Pro"))),
    ),
)
ALPHANUMERIC = string.ascii_letters + string.digits
UPPER_ALPHANUMERIC = string.ascii_uppercase + string.digits


@dataclass
class SeedOptions:
    products_per_shop: int = 8
    orders_per_shop: int = 0  # initial orders, placed in the last days, some already delivered
    redirect_url: str = ""
    webhook_url: str = ""
    sellers: tuple = field(default=SELLERS)


def build_world(seed=1, *, speed=1.0, start_time=None, options=None, clock=None):
    """Return a new `SandboxState` filled from `seed` (see `SeedOptions`)."""
    kwargs = {"seed": seed, "speed": speed, "start_time": start_time}
    if clock is not None:
        kwargs["clock"] = clock
    state = SandboxState(**kwargs)
    seed_world(state, options or SeedOptions())
    return state


def seed_world(state, options):
    rng = random.Random(f"world-{state.seed}")
    with state.lock:
        for module in (catalog, logistics):
            seed_reference = getattr(module, "seed_reference_data", None)
            if seed_reference is not None:
                seed_reference(state)
        seed_creators(state)
        app = _app(rng, options)
        state.apps[app.app_key] = app
        for name, base_region, regions in options.sellers:
            seller = _seller(state, rng, name, base_region, regions)
            for shop in state.shops_of(seller.open_id):
                _stock_shop(state, rng, shop, options.products_per_shop)
        for shop in list(state.shops.values()):
            _initial_orders(state, rng, shop, options.orders_per_shop)
        state.run_due()
        # The world starts quiet: what happened before the sandbox started is not pushed.
        state.outbox.clear()
        start_expiry_warnings(state)
    return state


def _random_text(rng, alphabet, length):
    return "".join(rng.choice(alphabet) for _ in range(length))


def _app(rng, options):
    return App(
        app_key=_random_text(rng, string.ascii_lowercase + string.digits, 13),
        app_secret=_random_text(rng, "0123456789abcdef", 40),
        service_id=str(rng.randrange(7_000_000_000_000_000_000, 7_999_999_999_999_999_999)),
        redirect_url=options.redirect_url,
        webhook_url=options.webhook_url,
    )


def _seller(state, rng, name, base_region, regions):
    seller = Seller(open_id=_random_text(rng, ALPHANUMERIC, 43), name=name, base_region=base_region)
    state.sellers[seller.open_id] = seller
    for region in regions:
        local = region == base_region
        shop = Shop(
            id=str(rng.randrange(7_494_000_000_000_000_000, 7_495_000_000_000_000_000)),
            cipher=("TTP_" if region == "US" else "ROW_") + _random_text(rng, ALPHANUMERIC, 22),
            code=region + ("LC" if local else "CB") + _random_text(rng, UPPER_ALPHANUMERIC, 6),
            name=f"{name} {region}",
            region=region,
            seller_type="LOCAL" if local else "CROSS_BORDER",
            seller_open_id=seller.open_id,
        )
        state.shops[shop.id] = shop
        seller.shop_ids.append(shop.id)
        _warehouses(state, shop)
    return seller


def _warehouses(state, shop):
    sales = [("Main warehouse", True, False)]
    if shop.region == "US":
        sales += [("East Coast warehouse", False, False), ("FBT Fulfillment Center", False, True)]
    for name, is_default, is_fbt in sales:
        warehouse = Warehouse(
            id=state.new_id(), shop_id=shop.id, name=name, is_default=is_default, is_fbt=is_fbt
        )
        state.warehouses[warehouse.id] = warehouse
    returns = Warehouse(
        id=state.new_id(), shop_id=shop.id, name="Returns center", type="RETURN_WAREHOUSE"
    )
    state.warehouses[returns.id] = returns


def _stock_shop(state, rng, shop, count):
    warehouses = [w for w in state.warehouses_of(shop.id) if w.type == "SALES_WAREHOUSE"]
    categories = _leaf_categories(state, shop.region)
    brands = _authorized_brands(state)
    now = state.now()
    for index in range(count):
        code, title, usd_price, keyword, attributes = PRODUCT_TEMPLATES[
            index % len(PRODUCT_TEMPLATES)
        ]
        product = Product(
            id=state.new_id(),
            shop_id=shop.id,
            title=title if index < len(PRODUCT_TEMPLATES) else f"{title} #{index + 1}",
            description=f"<p>{title}, made to last.</p>",
            category_id=_category_for(rng, categories, keyword),
            brand_id=rng.choice(brands) if brands and rng.random() < 0.5 else "",
            main_images=[_image(rng)],
            package_weight={"value": "0.5", "unit": "KILOGRAM"},
            package_dimensions={
                "length": "30",
                "width": "20",
                "height": "10",
                "unit": "CENTIMETER",
            },
            create_time=now - rng.randrange(30, 400) * 86400,
        )
        product.update_time = product.create_time
        sku_prefix = f"{code}{index + 1:02d}"
        product.skus = _skus(
            state, rng, shop, product, sku_prefix, usd_price, attributes, warehouses
        )
        # What the category asks for, so that the seller can edit the product as it is.
        catalog.complete_listing(state, product, shop.region)
        state.products[product.id] = product
        for sku in product.skus:
            state.skus[sku.id] = sku
    _sell_out_one_sku(state, shop)


def _authorized_brands(state):
    """Ids of the available brands the sellers hold an authorization for, sorted."""
    return sorted(
        brand["id"]
        for brand in state.brands.values()
        if brand["authorized_status"] == "AUTHORIZED" and brand["brand_status"] == "AVAILABLE"
    )


def _leaf_categories(state, region):
    """[(id, lower-case name)] of the leaf categories open to every seller in the shop's tree."""
    return sorted(
        (category_id, state.categories[category_id]["local_name"].lower())
        for category_id in catalog.leaf_categories(state, region)
        if "AVAILABLE" in state.categories[category_id]["permission_statuses"]
    )


def _category_for(rng, categories, keyword):
    """A leaf whose name mentions `keyword`, else any leaf ("" without reference data)."""
    matching = [category_id for category_id, name in categories if keyword in name]
    candidates = matching or [category_id for category_id, _name in categories]
    return rng.choice(candidates) if candidates else ""


def _image(rng):
    uri = f"tos-maliva-i-o3syd03w52-us/{_random_text(rng, '0123456789abcdef', 32)}"
    url = f"https://p16-oec-sandbox.ibyteimg.invalid/{uri}~tplv-origin.image"
    return {"uri": uri, "urls": [url], "width": 800, "height": 800}


def _skus(state, rng, shop, product, sku_prefix, usd_price, attributes, warehouses):
    skus = []
    price = _local_price(usd_price, shop.currency)
    value_ids = {}
    for values in _combinations(attributes):
        sales_attributes = []
        for name, value in values:
            value_id = value_ids.setdefault((name, value), state.new_id())
            sales_attributes.append(
                {
                    "id": SALES_ATTRIBUTE_IDS[name],
                    "name": name,
                    "value_id": value_id,
                    "value_name": value,
                }
            )
        suffix = "-".join(value[:3].upper() for _name, value in values)
        sku = Sku(
            id=state.new_id(),
            product_id=product.id,
            seller_sku=f"{sku_prefix}-{suffix}",
            price=price,
            currency=shop.currency,
            list_price=_list_price(rng, usd_price, shop.currency),
            sales_attributes=sales_attributes,
            inventory={w.id: _initial_quantity(rng, w) for w in warehouses},
        )
        skus.append(sku)
    return skus


def _list_price(rng, usd_price, currency):
    """A struck-through "was" price on some SKUs."""
    if rng.random() >= 0.3:
        return ""
    return _local_price(Decimal(usd_price) * Decimal("1.25"), currency)


def _combinations(attributes):
    combos = [[]]
    for name, values in attributes:
        combos = [[*combo, (name, value)] for combo in combos for value in values]
    return combos


def _local_price(usd_price, currency):
    rate, step = (Decimal(part) for part in EXCHANGE.get(currency, ("1", "0.01")))
    steps = (Decimal(usd_price) * rate / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return money(max(steps, 1) * step, currency)


def _initial_quantity(rng, warehouse):
    if warehouse.is_fbt:
        return rng.randrange(10, 80) if rng.random() < 0.4 else 0
    return 0 if rng.random() < 0.08 else rng.randrange(5, 150)


def _sell_out_one_sku(state, shop):
    first_product = next(p for p in state.products.values() if p.shop_id == shop.id)
    sold_out = first_product.skus[-1]
    sold_out.inventory = dict.fromkeys(sold_out.inventory, 0)


def _initial_orders(state, rng, shop, count):
    """Orders of the last week: most waiting to ship, some already on their way or delivered."""
    in_stock = [
        sku
        for sku in state.skus.values()
        if state.products[sku.product_id].shop_id == shop.id and sku.available()
    ]
    now = state.now()
    for _ in range(count):
        if not in_stock:
            return
        wanted = rng.sample(in_stock, k=min(len(in_stock), rng.choice((1, 1, 2, 3))))
        created = now - rng.randrange(2 * 3600, 7 * 86400)
        try:
            order = orders.place_order(
                state,
                shop,
                [(sku.id, 1) for sku in wanted],
                rng.choice(orders.SURFACES),
                create_time=created,
            )
        except orders.OrderRefused:
            continue
        state.run_due()
        target = rng.choice(("AWAITING_SHIPMENT", "AWAITING_SHIPMENT", "IN_TRANSIT", "DELIVERED"))
        if order.status == "AWAITING_SHIPMENT" and target != "AWAITING_SHIPMENT":
            orders.progress_order(state, order, target)
        in_stock = [sku for sku in in_stock if sku.available()]
