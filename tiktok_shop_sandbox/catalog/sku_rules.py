"""TikTok's rules for a listing's SKUs: seller SKU, prices, stock, identifiers, sales attributes."""

from ..logistics import stable_id
from ..state import CURRENCY_DECIMALS
from .problems import (
    CODE_PRODUCT_INVALID,
    CODE_SELLER_SKU_TOO_LONG,
    CODE_STOCK_OUT_OF_RANGE,
    Problem,
    positive_decimal,
)
from .reference import SALES

MAX_SALES_ATTRIBUTE_DIMENSIONS = 3
MAX_SELLER_SKU_LENGTH = 50
MAX_SKUS = 300
MAX_QUANTITY = 99_999
# Digits per identifier type (§5.3: GTIN 14, EAN 8/13/14, UPC 12, ISBN 13).
IDENTIFIER_LENGTHS = {"GTIN": {14}, "EAN": {8, 13, 14}, "UPC": {12}, "ISBN": {13}}


def check_skus(state, shop, attributes, body, draft, edited):
    """Every problem of the body's `skus`; `edited` is the product an edit replaces, if any."""
    skus = body.get("skus")
    if not isinstance(skus, list) or not skus:
        return [Problem(CODE_PRODUCT_INVALID, "skus", "at least one SKU is required")]
    if len(skus) > MAX_SKUS:
        return [Problem(CODE_PRODUCT_INVALID, "skus", f"at most {MAX_SKUS} SKUs are allowed")]
    problems = []
    for index, sku in enumerate(skus):
        field = f"skus[{index}]"
        problems += _check_seller_sku(sku, field)
        problems += check_price(sku.get("price"), shop.currency, f"{field}.price")
        problems += check_list_price(sku.get("list_price"), shop.currency, f"{field}.list_price")
        tiktok_stock = tiktok_warehouse_stock(state, previous_sku(edited, sku))
        problems += _check_sku_inventory(
            state, shop, sku.get("inventory"), f"{field}.inventory", draft, tiktok_stock
        )
        problems += _check_identifier(sku.get("identifier_code"), f"{field}.identifier_code")
    problems += _check_unique_seller_skus(skus)
    problems += _check_sales_attributes(attributes, skus)
    return problems


def _check_seller_sku(sku, field):
    seller_sku = sku.get("seller_sku")
    if not isinstance(seller_sku, str) or not seller_sku.strip():
        return [Problem(CODE_PRODUCT_INVALID, f"{field}.seller_sku", "is required")]
    if len(seller_sku) > MAX_SELLER_SKU_LENGTH:
        message = "The seller SKU text length cannot exceed 50 characters"
        return [Problem(CODE_SELLER_SKU_TOO_LONG, f"{field}.seller_sku", message)]
    return []


def _check_unique_seller_skus(skus):
    seen = set()
    problems = []
    for index, sku in enumerate(skus):
        seller_sku = sku.get("seller_sku")
        if seller_sku in seen:
            problems.append(
                Problem(CODE_PRODUCT_INVALID, f"skus[{index}].seller_sku", "is duplicated")
            )
        seen.add(seller_sku)
    return problems


def check_price(price, currency, field):
    """Problems of a `price{amount, currency, sale_price}` object for a shop in `currency`."""
    if not isinstance(price, dict):
        return [Problem(CODE_PRODUCT_INVALID, field, "is required")]
    problems = []
    if price.get("currency") != currency:
        message = f"must be the shop currency {currency}, got {price.get('currency')!r}"
        problems.append(Problem(CODE_PRODUCT_INVALID, f"{field}.currency", message))
    # Local sellers send `amount`; global sellers price with `sale_price`.
    amount_key = "amount" if "amount" in price else "sale_price"
    problems += _check_amount(price.get(amount_key), currency, f"{field}.{amount_key}")
    return problems


def check_list_price(list_price, currency, field):
    """Problems of an optional list (strikethrough) price."""
    if list_price in (None, {}):
        return []
    return check_price(list_price, currency, field)


def _check_amount(amount, currency, field):
    if not isinstance(amount, str):
        return [Problem(CODE_PRODUCT_INVALID, field, "must be a decimal string")]
    number = positive_decimal(amount)
    if number is None:
        return [Problem(CODE_PRODUCT_INVALID, field, "must be greater than 0")]
    decimals = CURRENCY_DECIMALS.get(currency, 2)
    if -number.as_tuple().exponent > decimals:
        message = f"{currency} prices take at most {decimals} decimals, got {amount!r}"
        return [Problem(CODE_PRODUCT_INVALID, field, message)]
    return []


def _check_sku_inventory(state, shop, inventory, field, draft, tiktok_stock):
    if not inventory:
        return [] if draft else [Problem(CODE_PRODUCT_INVALID, field, "is required")]
    problems = []
    for index, entry in enumerate(inventory):
        if not _repeats_tiktok_stock(entry, tiktok_stock):
            problems += check_stock_entry(state, shop, entry, f"{field}[{index}]")
    return problems


def previous_sku(product, sku_body):
    """The SKU of `product` that `sku_body` replaces: the one with its id, else its seller SKU."""
    skus = product.skus if product else []
    sku_id = str(sku_body.get("id") or "")
    return next((sku for sku in skus if sku.id == sku_id), None) or next(
        (sku for sku in skus if sku.seller_sku == sku_body.get("seller_sku")), None
    )


def tiktok_warehouse_stock(state, sku):
    """{warehouse_id: quantity} of the SKU's Fulfilled by TikTok stock ({} for no SKU)."""
    inventory = sku.inventory if sku else {}
    return {w: q for w, q in inventory.items() if state.is_fbt_warehouse(w)}


def _repeats_tiktok_stock(entry, tiktok_stock):
    """Get Product lists TikTok's stock too: an edit may send it back, but not change it."""
    quantity = entry.get("quantity")
    known = tiktok_stock.get(str(entry.get("warehouse_id")))
    return known is not None and not isinstance(quantity, bool) and quantity == known


def check_stock_entry(state, shop, entry, field):
    """Problems of one `{warehouse_id, quantity}` the seller wants to set."""
    warehouse = state.warehouses.get(str(entry.get("warehouse_id")))
    if warehouse is None or warehouse.shop_id != shop.id:
        return [
            Problem(CODE_PRODUCT_INVALID, f"{field}.warehouse_id", "is not a warehouse of the shop")
        ]
    if warehouse.type != "SALES_WAREHOUSE" or warehouse.effect_status != "ENABLED":
        message = "is not an enabled sales warehouse"
        return [Problem(CODE_PRODUCT_INVALID, f"{field}.warehouse_id", message)]
    if warehouse.is_fbt:
        message = "is a Fulfilled by TikTok warehouse: TikTok sets its stock"
        return [Problem(CODE_PRODUCT_INVALID, f"{field}.warehouse_id", message)]
    quantity = entry.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        return [Problem(CODE_PRODUCT_INVALID, f"{field}.quantity", "must be an integer")]
    if not 0 <= quantity <= MAX_QUANTITY:
        message = f"The SKU stock must be between [0,{MAX_QUANTITY}]"
        return [Problem(CODE_STOCK_OUT_OF_RANGE, f"{field}.quantity", message)]
    return []


def _check_identifier(identifier, field):
    if not identifier:
        return []
    code = str(identifier.get("code") or "")
    kind = identifier.get("type")
    if kind not in IDENTIFIER_LENGTHS:
        return [Problem(CODE_PRODUCT_INVALID, f"{field}.type", "must be GTIN, EAN, UPC or ISBN")]
    lengths = IDENTIFIER_LENGTHS[kind]
    if not code.isdigit() or len(code) not in lengths:
        expected = " or ".join(str(n) for n in sorted(lengths))
        return [Problem(CODE_PRODUCT_INVALID, f"{field}.code", f"a {kind} has {expected} digits")]
    return []


def _check_sales_attributes(attributes, skus):
    sales = {a["id"]: a for a in attributes if a["type"] == SALES}
    problems = []
    dimensions = set()
    combinations = set()
    for index, sku in enumerate(skus):
        field = f"skus[{index}].sales_attributes"
        entries = sku.get("sales_attributes") or []
        if len(skus) > 1 and not entries:
            problems.append(
                Problem(CODE_PRODUCT_INVALID, field, "are required when there are several SKUs")
            )
        if len(entries) > MAX_SALES_ATTRIBUTE_DIMENSIONS:
            problems.append(
                Problem(CODE_PRODUCT_INVALID, field, "at most 3 dimensions are allowed")
            )
        resolved = [resolve_sales_attribute(sales, entry) for entry in entries]
        for entry_index, (_, message) in enumerate(resolved):
            if message:
                problems.append(Problem(CODE_PRODUCT_INVALID, f"{field}[{entry_index}]", message))
        dimensions.add(frozenset(value["id"] for value, _ in resolved if value))
        combination = tuple(sorted((v["id"], v["value_name"].lower()) for v, _ in resolved if v))
        if combination and combination in combinations:
            problems.append(
                Problem(CODE_PRODUCT_INVALID, field, "repeat another SKU's combination")
            )
        combinations.add(combination)
    if len(dimensions) > 1:
        message = "every SKU must use the same attributes"
        problems.append(Problem(CODE_PRODUCT_INVALID, "skus[].sales_attributes", message))
    return problems


def resolve_sales_attribute(sales, entry):
    """Return ({id, name, value_id, value_name}, None) or (None, problem message)."""
    attribute = sales.get(str(entry.get("id") or "")) or _sales_attribute_by_name(
        sales, entry.get("name")
    )
    if attribute is None:
        if entry.get("id") and not entry.get("name"):
            return None, f"attribute {entry['id']} is not a sales attribute of the category"
        return _custom_sales_attribute(entry)
    values = {value["id"]: value["name"] for value in attribute["values"]}
    value_id = str(entry.get("value_id") or "")
    value_name = (entry.get("value_name") or "").strip()
    if value_id in values:
        value_name = values[value_id]
    elif value_name:
        # Custom values, and the ids handed back for them, are known by their name.
        value_id = _value_id_by_name(attribute, value_name)
    elif value_id:
        return None, f"value {value_id} is not a value of {attribute['name']}"
    else:
        return None, "value_id or value_name is required"
    view = {"id": attribute["id"], "name": attribute["name"]}
    return {**view, "value_id": value_id, "value_name": value_name}, None


def _sales_attribute_by_name(sales, name):
    name = (name or "").strip().lower()
    return next((a for a in sales.values() if a["name"].lower() == name), None)


def _value_id_by_name(attribute, value_name):
    for value in attribute["values"]:
        if value["name"].lower() == value_name.lower():
            return value["id"]
    return stable_id("custom_value", attribute["id"], value_name.lower())


def _custom_sales_attribute(entry):
    """A seller-defined dimension (TikTok accepts custom names such as "Scent")."""
    name = (entry.get("name") or "").strip()
    value_name = (entry.get("value_name") or "").strip()
    if not name or not value_name:
        return None, "a custom sales attribute needs a name and a value_name"
    attribute_id = stable_id("custom_attribute", name.lower())
    value_id = stable_id("custom_value", attribute_id, value_name.lower())
    return {"id": attribute_id, "name": name, "value_id": value_id, "value_name": value_name}, None
