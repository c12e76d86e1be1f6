"""Checkout: a buyer places an order (`place_order`), as TikTok's storefront would.

The SKUs must be on sale and in stock, stock is taken at once (one line item per unit, each from
a warehouse), prices get seller and platform discounts, shipping its fee and discounts, US orders
their sales tax (a SKU in an ongoing promotion sells at its deal, within the deal's limits: see
`deals.py`), and the `payment` block keeps TikTok's identities:

    sub_total    = original_total_product_price - seller_discount - platform_discount
    shipping_fee = original_shipping_fee - shipping_fee_seller_discount
                   - shipping_fee_platform_discount
    total_amount = sub_total + shipping_fee + tax + retail_delivery_fee

Recipients are drawn from a few places per market; the buyer may change the address before
shipment (`update_recipient_address`, a type-3 webhook).
"""

from dataclasses import dataclass
from decimal import Decimal

from ..constants import FBT, SELLER_FULFILLMENT, UNSHIPPED_STATUSES
from ..deals import deal_of, deal_price, limit_refusal, record_sale
from ..state import LineItem, Order, money
from .lifecycle import mark_paid, push_status

SURFACES = ("SHOP", "VIDEO", "LIVE", "AFFILIATE")
SHIPPING_TYPES = ("TIKTOK", "SELLER")

# Buyer-facing shipping price and the basket value above which shipping is free.
ORIGINAL_SHIPPING_FEE = {"USD": "5.99", "GBP": "2.99", "IDR": "12000", "JPY": "600", "EUR": "4.99"}
FREE_SHIPPING_FROM = {"USD": "35", "GBP": "25", "IDR": "150000", "JPY": "5000", "EUR": "30"}
DEFAULT_SHIPPING_FEE = "4.90"
DEFAULT_FREE_SHIPPING_FROM = "50"


class OrderRefused(ValueError):
    """The platform would not let a buyer place this order (unknown SKU, not on sale, no stock)."""


class OutOfStock(OrderRefused):
    """A SKU of the order has fewer units available than the buyer wants."""


class DealLimitReached(OrderRefused):
    """A promotion's quantity limit, per-buyer limit or one-order rule refuses the order."""


@dataclass(frozen=True)
class _Place:
    """A recipient's place: region-specific address parts."""

    level1: str  # state / province / country part
    city: str
    postal_code: str
    county: str = ""
    tax_rate: str = "0"  # US sales tax; elsewhere VAT is in the price


PLACES = {
    "US": (
        _Place("California", "Los Angeles", "90012", "Los Angeles County", "0.0725"),
        _Place("New York", "Brooklyn", "11201", "Kings County", "0.08"),
        _Place("Texas", "Austin", "78701", "Travis County", "0.0625"),
        _Place("Washington", "Seattle", "98101", "King County", "0.065"),
        _Place("Oregon", "Portland", "97204", "Multnomah County", "0"),
    ),
    "GB": (
        _Place("England", "London", "SW1A 1AA", "Greater London"),
        _Place("England", "Manchester", "M1 1AE", "Greater Manchester"),
        _Place("Scotland", "Edinburgh", "EH1 1YZ", "City of Edinburgh"),
    ),
    "ID": (
        _Place("DKI Jakarta", "Jakarta Selatan", "12190", "Kebayoran Baru"),
        _Place("Jawa Barat", "Bandung", "40111", "Sumur Bandung"),
        _Place("Jawa Timur", "Surabaya", "60271", "Genteng"),
    ),
    "JP": (
        _Place("Tokyo", "Shibuya-ku", "150-0002", "Shibuya"),
        _Place("Osaka", "Kita-ku", "530-0001", "Umeda"),
    ),
}
DEFAULT_PLACES = (_Place("Central", "Capital City", "10000", "Central District"),)
FIRST_NAMES = ("Mia", "Liam", "Ava", "Noah", "Sofia", "Ethan", "Aisha", "Kenji", "Putri", "Oliver")
LAST_NAMES = ("Walker", "Nguyen", "Santoso", "Tanaka", "Brown", "Garcia", "Lee", "Wijaya", "Smith")
STREETS = ("Maple Street", "High Street", "Jalan Sudirman", "Sakura Dori", "Market Avenue")
PHONE_PREFIX = {"US": "(+1)213", "GB": "(+44)7700", "ID": "(+62)812", "JP": "(+81)90"}
COUNTRY_NAMES = {"US": "United States", "GB": "United Kingdom", "ID": "Indonesia", "JP": "Japan"}
BUYER_MESSAGES = ("", "", "", "Please gift wrap it", "Leave at the front door", "No invoice")
# Buyers come back: ids are drawn from a fixed pool so several orders share one buyer.
BUYER_POOL_SIZE = 200
BUYER_ID_BASE = 7_494_000_000_000_000_000


# --- placing orders -----------------------------------------------------------------------------


def place_order(
    state,
    shop,
    items,
    surface="SHOP",
    *,
    shipping_type=None,
    fulfillment_type=None,
    paid=True,
    on_hold=True,
    buyer_message=None,
    is_sample_order=False,
    is_replacement_order=False,
    replaced_order_id="",
    creator_username="",
    commission_rate=0,
    content_id="",
    content_type="",
    commission_terms=(),
    live_id="",
    sample_application_id="",
    recipient_name=None,
    seller_discount_rate=None,
    platform_discount_rate=None,
    unit_discounts=None,
    shipping_discounts=None,
    tax_rate=None,
    user_id=None,
    create_time=None,
):
    """Check out `items` in `shop` as a buyer would, and return the new `Order`.

    :param items: [(sku_id, quantity)], [{"sku_id", "quantity"}] or [sku_id] (one unit each)
    :param surface: where the sale happened: SHOP, VIDEO, LIVE or AFFILIATE
    :param shipping_type: TIKTOK (platform label) or SELLER (own carrier); drawn when None
    :param fulfillment_type: FULFILLMENT_BY_SELLER or FULFILLMENT_BY_TIKTOK (FBT stock only);
        FBT when None and every SKU has FBT stock, half of the time
    :param paid: False leaves the order UNPAID until the buyer pays (`timing["payment"]` later)
    :param on_hold: False skips the one-hour ON_HOLD window
    :param seller_discount_rate / platform_discount_rate: Decimal share off each unit's price,
        drawn when None
    :param unit_discounts: (seller, platform) amounts off each unit's price, instead of rates
    :param shipping_discounts: (seller, platform) amounts off the shipping fee, drawn when None
    :param tax_rate: US sales tax rate on each unit, the recipient's state's when None
    :param commission_rate: affiliate commission in hundredths of a percent (1000 = 10 %)
    :param content_type / commission_terms: a creator's sale as the affiliate layer placed it
        (`affiliate.place_creator_order`): where it was promoted, the rate of each product
    :param sample_application_id / recipient_name: a free sample sent to a creator, by name
    :raises OrderRefused: unknown SKU, SKU of another shop, product not on sale; `OutOfStock`;
        `DealLimitReached` past a promotion's limits
    """
    with state.lock:
        wanted = _wanted_units(state, shop, items)
        if surface not in SURFACES:
            raise OrderRefused(f"unknown surface {surface!r}")
        rng = state.rng
        fulfillment_type = _fulfillment_type(state, wanted, fulfillment_type, rng)
        _check_stock(state, wanted, fulfillment_type == FBT)
        if fulfillment_type == FBT:
            shipping_type = "TIKTOK"
        elif shipping_type is None:
            shipping_type = "TIKTOK" if rng.random() < 0.6 else "SELLER"
        if shipping_type not in SHIPPING_TYPES:
            raise OrderRefused(f"unknown shipping_type {shipping_type!r}")
        free_order = is_sample_order or is_replacement_order
        unit_discount = _unit_discount(
            rng, seller_discount_rate, platform_discount_rate, unit_discounts, free_order
        )
        place = rng.choice(PLACES.get(shop.region, DEFAULT_PLACES))
        tax_rate = place.tax_rate if tax_rate is None else tax_rate
        sales_tax_rate = Decimal(0) if free_order else Decimal(str(tax_rate))
        now = state.now() if create_time is None else create_time
        user_id = user_id or str(BUYER_ID_BASE + rng.randrange(BUYER_POOL_SIZE) * 7919)
        deals = {} if free_order else _deals(state, shop, wanted, user_id, now)
        allocation = _allocate_stock(state, wanted, fulfillment_type == FBT)
        order = Order(
            id=state.new_id(),
            shop_id=shop.id,
            status="UNPAID",
            user_id=user_id,
            create_time=now,
            update_time=now,
            line_items=[],
            payment={},
            recipient_address=_recipient_address(rng, shop.region, place, recipient_name),
            currency=shop.currency,
            fulfillment_type=fulfillment_type,
            shipping_type=shipping_type,
            buyer_message=rng.choice(BUYER_MESSAGES) if buyer_message is None else buyer_message,
            is_sample_order=is_sample_order,
            is_replacement_order=is_replacement_order,
            replaced_order_id=replaced_order_id,
            surface=surface,
            creator_username=creator_username,
            content_id=content_id,
            content_type=content_type,
            commission_rate=commission_rate,
            commission_terms=tuple(commission_terms),
            live_id=live_id,
            sample_application_id=sample_application_id,
            payment_method_name="Free" if free_order else _payment_method(rng, shop.region),
        )
        order.is_cod = order.payment_method_name == "Cash on delivery"
        order.buyer_email = f"v{int(order.user_id) % 10**12:012d}@scs.tiktokw.us"
        order.warehouse_id = allocation[0][1]
        _set_delivery_option(state, order, shop.region)
        order.line_items = _line_items(
            state, order, allocation, unit_discount, sales_tax_rate, deals
        )
        order.payment = _payment(state, order, rng, free_order, shipping_discounts)
        state.orders[order.id] = order
        for sku, quantity in wanted:
            if sku.id in deals:
                record_sale(*deals[sku.id], user_id, quantity)
        if paid:
            mark_paid(state, order.id, on_hold=on_hold, paid_time=now)
        else:
            push_status(state, order)
            state.schedule(now + state.timing["payment"], mark_paid, state, order.id, on_hold)
        return order


def _wanted_units(state, shop, items):
    """[(Sku, quantity)] in the buyer's order, checked against the shop's catalog."""
    wanted = {}
    for entry in items or ():
        sku_id, quantity = _sku_and_quantity(entry)
        sku = state.skus.get(str(sku_id))
        product = state.products.get(sku.product_id) if sku else None
        if product is None or product.shop_id != shop.id:
            raise OrderRefused(f"SKU {sku_id} is not sold by shop {shop.id}")
        if product.status != "ACTIVATE":
            raise OrderRefused(f"product {product.id} is not on sale ({product.status})")
        if quantity < 1:
            raise OrderRefused("quantity must be at least 1")
        wanted[sku.id] = (sku, wanted.get(sku.id, (sku, 0))[1] + quantity)
    if not wanted:
        raise OrderRefused("an order needs at least one SKU")
    return list(wanted.values())


def _sku_and_quantity(entry):
    if isinstance(entry, dict):
        return entry.get("sku_id"), int(entry.get("quantity", 1))
    if isinstance(entry, (list, tuple)):
        return entry[0], int(entry[1])
    return entry, 1


def _fulfillment_type(state, wanted, requested, rng):
    if requested is not None:
        if requested not in (FBT, SELLER_FULFILLMENT):
            raise OrderRefused(f"unknown fulfillment_type {requested!r}")
        return requested
    fbt_ready = all(available_units(state, sku, fbt=True) >= quantity for sku, quantity in wanted)
    return FBT if fbt_ready and rng.random() < 0.5 else SELLER_FULFILLMENT


def available_units(state, sku, fbt):
    """Units of `sku` a buyer can order now: in TikTok's warehouses (`fbt`) or the seller's."""
    return sum(
        quantity
        for warehouse_id, quantity in sku.inventory.items()
        if state.is_fbt_warehouse(warehouse_id) == fbt
    )


def first_sku_in_stock(state, product):
    """The product's first SKU with units in the seller's warehouses, else its first SKU."""
    in_stock = [sku for sku in product.skus if available_units(state, sku, fbt=False)]
    return (in_stock or product.skus)[0]


def _check_stock(state, wanted, fbt):
    """Refuse the order before anything is drawn or taken when a SKU lacks the units."""
    for sku, quantity in wanted:
        if available_units(state, sku, fbt) < quantity:
            raise OutOfStock(f"SKU {sku.id} ({sku.seller_sku}) is out of stock")


def _deals(state, shop, wanted, user_id, when):
    """{sku_id: (activity, DealSku)} of the promotions the order's SKUs sell at `when`; the
    order is refused before any stock is taken when one of their limits says no."""
    found = {}
    for sku, quantity in wanted:
        deal = deal_of(state, shop.id, sku.id, when)
        if deal is None:
            continue
        refusal = limit_refusal(*deal, user_id, quantity)
        if refusal:
            raise DealLimitReached(refusal)
        found[sku.id] = deal
    return found


def _allocate_stock(state, wanted, fbt):
    """Take each unit from the fullest eligible warehouse; return [(Sku, warehouse_id)] per unit.

    Called once `_check_stock` and the deals agreed, so a refused order leaves stock untouched.
    """
    units = []
    for sku, quantity in wanted:
        for _unit in range(quantity):
            eligible = [
                w for w in sku.inventory if state.is_fbt_warehouse(w) == fbt and sku.inventory[w]
            ]
            warehouse_id = max(sorted(eligible), key=sku.inventory.get)
            sku.inventory[warehouse_id] -= 1
            units.append((sku, warehouse_id))
    return units


def _unit_discount(rng, seller_rate, platform_rate, amounts, free_order):
    """`discount(original price) -> (seller, platform)` for each unit: fixed amounts or rates."""
    if amounts is not None:
        seller, platform = (Decimal(str(amount)) for amount in amounts)
        return lambda original: (seller, platform)
    seller_rate, platform_rate = _discount_rates(rng, seller_rate, platform_rate, free_order)
    return lambda original: (original * seller_rate, original * platform_rate)


def _discount_rates(rng, seller_rate, platform_rate, free_order):
    if free_order:
        return Decimal(1), Decimal(0)
    if seller_rate is None:
        seller_rate = rng.choice(("0.10", "0.15", "0.20")) if rng.random() < 0.3 else "0"
    if platform_rate is None:
        platform_rate = "0.05" if rng.random() < 0.2 else "0"
    return Decimal(str(seller_rate)), Decimal(str(platform_rate))


def _payment_method(rng, region):
    if region == "ID" and rng.random() < 0.2:
        return "Cash on delivery"
    return rng.choice(("Visa", "Mastercard", "PayPal", "Apple Pay"))


def _set_delivery_option(state, order, region):
    """Use the logistics reference data when it exists (the same ids the API lists)."""
    wanted_type = "SEND_BY_SELLER" if order.shipping_type == "SELLER" else "STANDARD"
    options = sorted(
        (o for o in state.delivery_options.values() if o.get("region", region) == region),
        key=lambda option: option["id"],
    )
    chosen = next((option for option in options if option.get("type") == wanted_type), None)
    chosen = chosen or (options[0] if options else {"id": "", "name": "Standard shipping"})
    order.delivery_option_id = chosen["id"]
    order.delivery_option_name = chosen.get("name", "")


def _quantize(amount, currency):
    return Decimal(money(amount, currency))


def _line_items(state, order, allocation, unit_discount, tax_rate, deals):
    currency = order.currency
    products = state.products
    items = []
    for sku, warehouse_id in allocation:
        original = _quantize(sku.price, currency)
        seller_discount, platform_discount = _discounts(
            sku, original, unit_discount, deals.get(sku.id), currency
        )
        sale = original - seller_discount - platform_discount
        product = products[sku.product_id]
        items.append(
            LineItem(
                id=state.new_id(),
                sku_id=sku.id,
                product_id=product.id,
                seller_sku=sku.seller_sku,
                product_name=product.title,
                sku_name=", ".join(a.get("value_name", "") for a in sku.sales_attributes),
                original_price=str(original),
                sale_price=str(sale),
                seller_discount=str(seller_discount),
                platform_discount=str(platform_discount),
                currency=currency,
                display_status=order.status,
                sku_image=_first_image(product),
                warehouse_id=warehouse_id,
                tax=str(_quantize(sale * tax_rate, currency)),
            )
        )
    return items


def _discounts(sku, original, unit_discount, deal, currency):
    """(seller, platform) discount on one unit: as drawn or given, except that a promotion's deal
    replaces the seller's share (the unit sells at the deal price, less the platform's share)."""
    if deal is None:
        return tuple(_quantize(amount, currency) for amount in unit_discount(original))
    price = deal_price(deal[1], sku, currency)
    platform = min(_quantize(unit_discount(price)[1], currency), price)
    return original - price, platform


def _first_image(product):
    for image in product.main_images[:1]:
        urls = image.get("urls") if isinstance(image, dict) else None
        if urls:
            return urls[0]
    return ""


def _payment(state, order, rng, free_order, shipping_discounts):
    """The `payment` block, every figure in the currency's decimals so the identities are exact."""
    currency = order.currency
    items = order.line_items
    original_total = sum(Decimal(item.original_price) for item in items)
    seller_discount = sum(Decimal(item.seller_discount) for item in items)
    platform_discount = sum(Decimal(item.platform_discount) for item in items)
    sub_total = original_total - seller_discount - platform_discount
    shipping = _quantize(ORIGINAL_SHIPPING_FEE.get(currency, DEFAULT_SHIPPING_FEE), currency)
    if shipping_discounts is None:
        shipping_discounts = _shipping_discounts(rng, shipping, sub_total, currency, free_order)
    shipping_seller, shipping_platform = (_quantize(d, currency) for d in shipping_discounts)
    shipping_fee = shipping - shipping_seller - shipping_platform
    product_tax = sum(Decimal(item.tax) for item in items)
    total = sub_total + shipping_fee + product_tax
    zero = money(0, currency)
    return {
        "currency": currency,
        "original_total_product_price": money(original_total, currency),
        "seller_discount": money(seller_discount, currency),
        "platform_discount": money(platform_discount, currency),
        "sub_total": money(sub_total, currency),
        "original_shipping_fee": money(shipping, currency),
        "shipping_fee_seller_discount": money(shipping_seller, currency),
        "shipping_fee_platform_discount": money(shipping_platform, currency),
        "shipping_fee_cofunded_discount": zero,
        "shipping_fee": money(shipping_fee, currency),
        "tax": money(product_tax, currency),
        "product_tax": money(product_tax, currency),
        "shipping_fee_tax": zero,
        "retail_delivery_fee": zero,
        "small_order_fee": zero,
        "buyer_service_fee": zero,
        "handling_fee": zero,
        "item_insurance_fee": zero,
        "shipping_insurance_fee": zero,
        "total_amount": money(total, currency),
    }


def _shipping_discounts(rng, shipping, sub_total, currency, free_order):
    """(seller share, platform share) of the shipping price the buyer does not pay."""
    if free_order:
        return shipping, Decimal(0)
    threshold = Decimal(FREE_SHIPPING_FROM.get(currency, DEFAULT_FREE_SHIPPING_FROM))
    if sub_total < threshold:
        return Decimal(0), Decimal(0)
    if rng.random() < 0.5:
        return Decimal(0), shipping  # platform free-shipping campaign
    seller_share = _quantize(shipping / 2, currency)
    return seller_share, shipping - seller_share  # co-funded by the seller


def _recipient_address(rng, region, place, name=None):
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    if name:
        first, _space, last = name.partition(" ")
    line1 = f"{rng.randint(1, 999)} {rng.choice(STREETS)}"
    line2 = rng.choice(("", f"Apt {rng.randint(1, 40)}"))
    detail = ", ".join(part for part in (line1, line2) if part)
    country = COUNTRY_NAMES.get(region, region)
    address = {
        "name": f"{first} {last}".strip(),
        "first_name": first,
        "last_name": last,
        "phone_number": f"{PHONE_PREFIX.get(region, '(+1)555')}{rng.randint(0, 9999999):07d}",
        "address_detail": detail,
        "address_line1": line1,
        "address_line2": line2,
        "address_line3": "",
        "address_line4": "",
        "postal_code": place.postal_code,
        "region_code": region,
        "full_address": f"{detail}, {place.city}, {place.level1}, {place.postal_code}, {country}",
        "district_info": [
            {"address_level": "L0", "address_level_name": "Country", "address_name": country},
            {"address_level": "L1", "address_level_name": "State", "address_name": place.level1},
            {"address_level": "L2", "address_level_name": "County", "address_name": place.county},
            {"address_level": "L3", "address_level_name": "City", "address_name": place.city},
        ],
        "delivery_preferences": {"drop_off_location": ""},
    }
    if region == "GB":
        address["post_town"] = place.city
    return address


def masked_address(address):
    """What a seller sees of a platform-shipped order's buyer: initials and a partial phone."""
    masked = dict(address)
    for key in ("name", "first_name", "last_name", "address_detail", "address_line1"):
        masked[key] = " ".join(word[:1] + "***" for word in address[key].split())
    phone = address["phone_number"]
    masked["phone_number"] = phone[:-6] + "****" + phone[-2:]
    masked["full_address"] = address["full_address"].replace(
        address["address_detail"], masked["address_detail"], 1
    )
    return masked


def update_recipient_address(state, order):
    """The buyer changed the address before shipment: new address, flag, type-3 webhook."""
    if order.status not in UNSHIPPED_STATUSES:
        raise ValueError(f"order {order.id} already shipped ({order.status})")
    shop = state.shops[order.shop_id]
    place = state.rng.choice(PLACES.get(shop.region, DEFAULT_PLACES))
    order.recipient_address = _recipient_address(state.rng, shop.region, place)
    order.has_updated_recipient_address = True
    order.update_time = state.now()
    state.emit_webhook(3, order.shop_id, {"order_id": order.id, "update_time": order.update_time})
