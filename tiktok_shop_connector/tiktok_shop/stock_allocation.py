"""The stock TikTok is shown: sellable quantities, their split between shops, the inventory calls.

No Odoo import: the addon passes plain numbers and ids in, so these rules are unit-tested alone.

Words used here:

- an *Odoo warehouse* holds stock; what it can sell of a product is `sellable_quantity`;
- an *outlet* is one TikTok warehouse (of any shop) whose figure is fed by Odoo warehouses.

Split rule, so that several shops never show more than Odoo has. Every outlet fed by an Odoo
warehouse gets a weight: its shop's share percent of shared stock, divided evenly between that
shop's outlets fed by the same warehouse. An outlet then shows

    floor(sellable * weight / max(100, sum of the warehouse's weights))

summed over the Odoo warehouses that feed it, minus its shop's safety buffer, clamped to
0-99,999. Each term is floored and the divisor is at least the total weight, so the outlets of
one Odoo warehouse never show more than it can sell, whatever the percents. With the default
100 % two shops sharing a warehouse show half each; one shop alone at 100 % shows everything,
at 60 % it keeps 40 % back for the other channels.
"""

import math
from collections import defaultdict

# TikTok refuses a SKU quantity outside [0, 99,999].
MAX_QUANTITY = 99_999
# Share percents are compared in hundredths of a percent, so the arithmetic is integer and exact.
_PERCENT_SCALE = 100
_FULL_SHARE = 100 * _PERCENT_SCALE


def sellable_quantity(on_hand, reserved, outgoing):
    """Whole units an Odoo warehouse can still sell of a product.

    On hand minus whichever is larger: what is reserved, or what confirmed orders will take
    out (reserved or not yet). Incoming receipts do not count until they arrive.
    """
    return max(0, math.floor(on_hand - max(reserved, outgoing) + 1e-9))


def clamp_quantity(quantity):
    """A quantity TikTok accepts: a whole number within 0-99,999."""
    return min(MAX_QUANTITY, max(0, int(quantity)))


def outlet_weights(outlets, share_percents):
    """{outlet: weight in hundredths of a percent} for the outlets of one Odoo warehouse.

    :param outlets: [(shop, outlet)] fed by the warehouse
    :param share_percents: {shop: share percent of shared stock}
    """
    per_shop = defaultdict(list)
    for shop, outlet in outlets:
        per_shop[shop].append(outlet)
    weights = {}
    for shop, shop_outlets in per_shop.items():
        shop_weight = max(0, round(share_percents.get(shop, 100) * _PERCENT_SCALE))
        for outlet in shop_outlets:
            weights[outlet] = shop_weight // len(shop_outlets)
    return weights


def split_quantity(available, weights):
    """{outlet: units} of `available`, by weight, never more in total than `available`."""
    divisor = max(_FULL_SHARE, sum(weights.values()))
    return {outlet: available * weight // divisor for outlet, weight in weights.items()}


def outlet_quantities(products, sellable, feeds, share_percents, buffers, listings=None):
    """{(product, outlet): quantity to show} for every product and every outlet of `feeds`.

    :param products: the products to answer for
    :param sellable: {(product, odoo warehouse): sellable units}
    :param feeds: {outlet: (shop, [odoo warehouses feeding it])}, every outlet of every shop
        that sells stock of these warehouses (other shops' outlets take their share too)
    :param share_percents: {shop: share percent of shared stock}
    :param buffers: {shop: units held back from each SKU and outlet}
    :param listings: {product: shops listing it}; a shop takes no share of a product it does
        not sell. None: every shop sells every product.
    """
    outlets_of_warehouse = defaultdict(list)
    for outlet, (shop, warehouses) in feeds.items():
        for warehouse in set(warehouses):
            outlets_of_warehouse[warehouse].append((shop, outlet))
    weights_cache = {}

    def weights_of(warehouse, product):
        sellers = None if listings is None else frozenset(listings.get(product, ()))
        key = (warehouse, sellers)
        if key not in weights_cache:
            outlets = [
                (shop, outlet)
                for shop, outlet in outlets_of_warehouse.get(warehouse, ())
                if sellers is None or shop in sellers
            ]
            weights_cache[key] = outlet_weights(outlets, share_percents)
        return weights_cache[key]

    allocated = defaultdict(int)
    for (product, warehouse), available in sellable.items():
        if available <= 0:
            continue
        for outlet, units in split_quantity(available, weights_of(warehouse, product)).items():
            allocated[product, outlet] += units
    return {
        (product, outlet): clamp_quantity(allocated[product, outlet] - buffers.get(shop, 0))
        for product in products
        for outlet, (shop, _warehouses) in feeds.items()
    }


def changed_skus(quantities, pushed):
    """SKUs whose quantity in some warehouse differs from the one last pushed.

    :param quantities: {(sku, warehouse): quantity to show now}
    :param pushed: {(sku, warehouse): quantity last pushed} (missing: never pushed)
    """
    return {
        sku
        for (sku, warehouse), quantity in quantities.items()
        if pushed.get((sku, warehouse)) != quantity
    }


def inventory_updates(rows):
    """[(product id, body)]: one Update Inventory call per TikTok product.

    TikTok wants every SKU of a call to belong to the call's product and every warehouse of a
    SKU listed, so the rows of a SKU must name all its warehouses.

    :param rows: iterable of (product id, SKU id, warehouse id, quantity)
    """
    products = defaultdict(lambda: defaultdict(list))
    for product_id, sku_id, warehouse_id, quantity in rows:
        products[product_id][sku_id].append(
            {"warehouse_id": warehouse_id, "quantity": clamp_quantity(quantity)}
        )
    return [
        (
            product_id,
            {"skus": [{"id": sku_id, "inventory": stock} for sku_id, stock in skus.items()]},
        )
        for product_id, skus in products.items()
    ]


def chunks(items, size):
    """`items` in lists of at most `size` (Inventory Search takes 600 SKU ids per call)."""
    items = list(items)
    return [items[start : start + size] for start in range(0, len(items), size)]
