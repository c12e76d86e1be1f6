"""Inventory and prices (§5.3): update a product's stock and prices, search what is committed.

Stock set below what an ongoing flash sale still has to sell ends that flash sale (`deals.py`).
"""

from ..constants import CODE_INVALID_PARAMETER
from ..deals import guard_flash_sale_stock
from ..routing import ApiError, route
from ..state import money
from .problems import CODE_PRODUCT_INVALID, Problem, raise_first
from .products import shop_product
from .sku_rules import check_list_price, check_price, check_stock_entry

MAX_INVENTORY_PRODUCT_IDS = 100
MAX_INVENTORY_SKU_IDS = 600
# Open order statuses whose units are committed but not shipped yet.
COMMITTED_ORDER_STATUSES = frozenset(
    {"UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"}
)


# --- inventory ------------------------------------------------------------------------------------


@route("POST", "/product/202309/products/{product_id}/inventory/update")
def update_inventory(state, request):
    entries = (request.json or {}).get("skus") or []
    if not entries:
        raise ApiError(CODE_INVALID_PARAMETER, "skus is required")
    with state.lock:
        product = shop_product(state, request, request.path_params["product_id"])
        skus = {sku.id: sku for sku in product.skus}
        problems = []
        for index, entry in enumerate(entries):
            problems += _check_inventory_entry(state, request.shop, skus, entry, f"skus[{index}]")
        raise_first(problems)
        for entry in entries:
            sku = skus[str(entry["id"])]
            for stock in entry["inventory"]:
                sku.inventory[str(stock["warehouse_id"])] = stock["quantity"]
        product.update_time = state.now()
        guard_flash_sale_stock(state, [str(entry["id"]) for entry in entries])
    return {}


def _check_inventory_entry(state, shop, skus, entry, field):
    sku = skus.get(str(entry.get("id")))
    if sku is None:
        return [Problem(CODE_PRODUCT_INVALID, f"{field}.id", "is not a SKU of this product")]
    stock = entry.get("inventory") or []
    if not stock:
        return [Problem(CODE_PRODUCT_INVALID, f"{field}.inventory", "is required")]
    problems = []
    for index, item in enumerate(stock):
        problems += check_stock_entry(state, shop, item, f"{field}.inventory[{index}]")
    listed = {str(item.get("warehouse_id")) for item in stock}
    seller_warehouses = {w for w in sku.inventory if not state.is_fbt_warehouse(w)}
    for missing in sorted(seller_warehouses - listed):
        message = f"must list every warehouse of the SKU; {missing} is missing"
        problems.append(Problem(CODE_PRODUCT_INVALID, f"{field}.inventory", message))
    return problems


@route("POST", "/product/202309/inventory/search")
def search_inventory(state, request):
    body = request.json or {}
    sku_ids = [str(i) for i in body.get("sku_ids") or []]
    product_ids = [str(i) for i in body.get("product_ids") or []]
    if len(sku_ids) > MAX_INVENTORY_SKU_IDS or len(product_ids) > MAX_INVENTORY_PRODUCT_IDS:
        raise ApiError(CODE_INVALID_PARAMETER, "At most 100 product_ids or 600 sku_ids")
    if not sku_ids and not product_ids:
        raise ApiError(CODE_INVALID_PARAMETER, "product_ids or sku_ids is required")
    with state.lock:
        committed = _committed_units(state, request.shop.id)
        groups = _inventory_groups(state, request.shop.id, sku_ids, product_ids)
        return {
            "inventory": [
                {"product_id": product_id, "skus": [_sku_stock(sku, committed) for sku in skus]}
                for product_id, skus in groups
            ]
        }


def _inventory_groups(state, shop_id, sku_ids, product_ids):
    """[(product_id, [Sku])]; sku_ids win over product_ids when both are sent."""
    if sku_ids:
        skus = [state.skus[i] for i in sku_ids if i in state.skus]
    else:
        skus = [
            sku
            for product_id in product_ids
            for sku in getattr(state.products.get(product_id), "skus", [])
        ]
    groups = {}
    for sku in skus:
        product = state.products.get(sku.product_id)
        if product is not None and product.shop_id == shop_id:
            groups.setdefault(sku.product_id, []).append(sku)
    return list(groups.items())


def _committed_units(state, shop_id):
    """{(sku_id, warehouse_id): units} sold in open orders but not shipped yet."""
    committed = {}
    for order in state.orders_of(shop_id):
        if order.status not in COMMITTED_ORDER_STATUSES:
            continue
        for item in order.line_items:
            if item.package_status in ("TO_FULFILL", "PROCESSING"):
                key = (item.sku_id, order.warehouse_id)
                committed[key] = committed.get(key, 0) + 1
    return committed


def _sku_stock(sku, committed):
    warehouses = [
        {
            "warehouse_id": warehouse_id,
            "available_quantity": quantity,
            "committed_quantity": committed.get((sku.id, warehouse_id), 0),
        }
        for warehouse_id, quantity in sku.inventory.items()
    ]
    return {
        "id": sku.id,
        "seller_sku": sku.seller_sku,
        "total_available_quantity": sum(w["available_quantity"] for w in warehouses),
        "total_committed_quantity": sum(w["committed_quantity"] for w in warehouses),
        "warehouse_inventory": warehouses,
    }


# --- prices ---------------------------------------------------------------------------------------


@route("POST", "/product/202309/products/{product_id}/prices/update")
def update_prices(state, request):
    entries = (request.json or {}).get("skus") or []
    if not entries:
        raise ApiError(CODE_INVALID_PARAMETER, "skus is required")
    currency = request.shop.currency
    with state.lock:
        product = shop_product(state, request, request.path_params["product_id"])
        skus = {sku.id: sku for sku in product.skus}
        problems = []
        for index, entry in enumerate(entries):
            field = f"skus[{index}]"
            if str(entry.get("id")) not in skus:
                problems.append(
                    Problem(CODE_PRODUCT_INVALID, f"{field}.id", "is not a SKU of this product")
                )
                continue
            problems += check_price(entry.get("price"), currency, f"{field}.price")
            problems += check_list_price(entry.get("list_price"), currency, f"{field}.list_price")
        raise_first(problems)
        for entry in entries:
            _write_price(skus[str(entry["id"])], entry, currency)
        product.update_time = state.now()
    return {}


def _write_price(sku, entry, currency):
    price = entry["price"]
    sku.price = money(price.get("amount") or price.get("sale_price"), currency)
    if (entry.get("list_price") or {}).get("amount"):
        sku.list_price = money(entry["list_price"]["amount"], currency)
