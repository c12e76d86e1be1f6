"""From a TikTok order object (Get Order Detail, §5.5) to what an Odoo sale order needs.

Pure Python: money stays `Decimal` as TikTok sends it (strings in major units), ids stay strings.
The Odoo side turns a `MappedOrder` into records; everything TikTok-specific is decided here:

- TikTok has one line item per unit: units of one SKU at one price become one line whose
  quantity is their count.
- The unit price is the item's `original_price`; the seller's and the platform's discounts are
  separate discount lines. The platform-funded part (product and shipping discounts TikTok pays)
  is the TikTok subsidy: money TikTok owes the seller, not a cost to the seller.
- The shipping line carries what the buyer paid for shipping before any discount, and the
  shipping discounts are part of the discount lines, so the order's total is what the buyer paid.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from .const import ORDER_STATUSES
from .errors import TikTokDataError
from .payload import (
    ZERO,
    amount,
    as_object,
    integer,
    nested,
    object_list,
    required_id,
    text,
)

STATUS_ALIASES = {"CANCEL": "CANCELLED"}
# Statuses in which the buyer has paid and the order is, or will be, fulfilled.
PAID_STATUSES = frozenset(ORDER_STATUSES) - {"UNPAID", "CANCELLED"}
FBT = "FULFILLMENT_BY_TIKTOK"

# Where a creator promoted the product (affiliate orders' content_type) -> source tag.
CONTENT_TYPE_SOURCES = {"LIVE": "live", "PRE_LIVE": "live", "VIDEO": "video"}


def normalize_status(status):
    status = (status or "").upper()
    return STATUS_ALIASES.get(status, status)


@dataclass
class MappedLine:
    sku_id: str
    seller_sku: str
    product_name: str
    sku_name: str
    unit_price: Decimal
    quantity: int
    line_item_ids: list = field(default_factory=list)
    product_ref: str = ""

    @property
    def description(self):
        return f"{self.product_name} ({self.sku_name})" if self.sku_name else self.product_name


@dataclass
class MappedOrder:
    order_id: str
    status: str
    currency: str
    buyer_id: str
    create_time: int
    update_time: int
    lines: list
    seller_discount: Decimal
    platform_discount: Decimal
    shipping_fee_before_discounts: Decimal
    shipping_seller_discount: Decimal
    shipping_platform_discount: Decimal
    tax: Decimal
    total_amount: Decimal
    # The delivery address as `recipient_parts` gives it
    address: dict
    buyer_email: str = ""
    buyer_message: str = ""
    fulfillment_type: str = ""
    shipping_type: str = ""
    is_on_hold: bool = False
    is_buyer_request_cancel: bool = False
    is_sample: bool = False
    is_replacement: bool = False
    replaced_order_id: str = ""
    package_ids: tuple = ()
    cancel_reason: str = ""
    delivery_option_name: str = ""

    @property
    def is_fbt(self):
        return self.fulfillment_type == FBT

    @property
    def subsidy(self):
        """What TikTok pays the seller for the discounts it funded."""
        return self.platform_discount + self.shipping_platform_discount

    @property
    def seller_discount_total(self):
        return self.seller_discount + self.shipping_seller_discount

    @property
    def sku_ids(self):
        return [line.sku_id for line in self.lines]

    def lines_total(self):
        """Products + shipping - discounts + tax: what TikTok's total_amount should equal."""
        products = sum((line.unit_price * line.quantity for line in self.lines), ZERO)
        return (
            products
            + self.shipping_fee_before_discounts
            - self.seller_discount_total
            - self.subsidy
            + self.tax
        )


def map_order(order):
    """Read one TikTok order object into a `MappedOrder`.

    :raises TikTokDataError: when TikTok's order lacks its id, a line item its SKU or id, or a
        field is in a shape that cannot be read
    """
    order = as_object(order, "order")
    order_id = required_id(order, "id")
    payment = nested(order, "payment")
    items = object_list(order, "line_items")
    return MappedOrder(
        order_id=order_id,
        status=normalize_status(text(order, "status")),
        currency=text(payment, "currency", "payment") or _first_text(items, "currency"),
        buyer_id=text(order, "user_id"),
        create_time=integer(order, "create_time"),
        update_time=integer(order, "update_time"),
        lines=group_line_items(items),
        seller_discount=_payment_or_items(payment, items, "seller_discount"),
        platform_discount=_payment_or_items(payment, items, "platform_discount"),
        shipping_fee_before_discounts=amount(
            payment,
            "original_shipping_fee" if "original_shipping_fee" in payment else "shipping_fee",
            "payment",
        ),
        shipping_seller_discount=amount(payment, "shipping_fee_seller_discount", "payment"),
        shipping_platform_discount=amount(payment, "shipping_fee_platform_discount", "payment")
        + amount(payment, "shipping_fee_cofunded_discount", "payment"),
        tax=amount(payment, "tax", "payment") + amount(payment, "retail_delivery_fee", "payment"),
        total_amount=amount(payment, "total_amount", "payment"),
        address=recipient_parts(nested(order, "recipient_address"), "recipient_address"),
        buyer_email=text(order, "buyer_email"),
        buyer_message=text(order, "buyer_message"),
        fulfillment_type=text(order, "fulfillment_type"),
        shipping_type=text(order, "shipping_type"),
        is_on_hold=bool(order.get("is_on_hold_order")),
        is_buyer_request_cancel=bool(order.get("is_buyer_request_cancel")),
        is_sample=bool(order.get("is_sample_order")),
        is_replacement=bool(order.get("is_replacement_order")),
        replaced_order_id=text(order, "replaced_order_id"),
        package_ids=tuple(
            required_id(package, "id", where) for where, package in object_list(order, "packages")
        ),
        cancel_reason=text(order, "cancel_reason"),
        delivery_option_name=text(order, "delivery_option_name"),
    )


class OrderReference(NamedTuple):
    """An order the mapping refused, as far as it can be told: what its failure is filed under."""

    order_id: str
    update_time: int


def order_reference(order):
    """The id and update_time of a TikTok order, "" and 0 when they cannot be read; never raises."""
    if not isinstance(order, dict):
        return OrderReference("", 0)
    order_id = order.get("id")
    try:
        update_time = integer(order, "update_time")
    except TikTokDataError:
        update_time = 0
    return OrderReference(str(order_id) if isinstance(order_id, (str, int)) else "", update_time)


def group_line_items(items):
    """One `MappedLine` per (SKU, unit price), in the order TikTok lists them.

    :param items: the line items as `object_list` gives them: (path, item) pairs
    """
    lines = {}
    for where, item in items:
        key = (required_id(item, "sku_id", where), amount(item, "original_price", where))
        line = lines.get(key)
        if line is None:
            line = lines[key] = MappedLine(
                sku_id=key[0],
                seller_sku=text(item, "seller_sku", where),
                product_name=text(item, "product_name", where),
                sku_name=text(item, "sku_name", where),
                unit_price=key[1],
                quantity=0,
                product_ref=text(item, "product_id", where),
            )
        line.quantity += 1
        line.line_item_ids.append(required_id(item, "id", where))
    return list(lines.values())


def _payment_or_items(payment, items, name):
    """The order-level figure when TikTok gives it, else the sum over the line items."""
    if payment.get(name) not in (None, ""):
        return amount(payment, name, "payment")
    return sum((amount(item, name, where) for where, item in items), ZERO)


def _first_text(objects, key):
    """The first non-empty `key` among (path, object) pairs."""
    return next((text(obj, key, where) for where, obj in objects if obj.get(key)), "")


def recipient_parts(recipient, within="recipient_address"):
    """Address fields as Odoo keeps them: name, street, street2, city, zip, state, country code.

    TikTok masks the name and phone of platform-shipped orders; they are kept as they come.
    """

    def part(key):
        return text(recipient, key, within)

    levels = {
        text(info, "address_level", where): text(info, "address_name", where)
        for where, info in object_list(recipient, "district_info", within)
    }
    street2 = " ".join(part(f"address_line{n}") for n in (2, 3, 4) if part(f"address_line{n}"))
    return {
        "name": part("name")
        or " ".join(name for name in (part("first_name"), part("last_name")) if name)
        or "TikTok buyer",
        "street": part("address_line1") or part("address_detail"),
        "street2": street2,
        "city": part("post_town") or levels.get("L3") or levels.get("L2") or "",
        "zip": part("postal_code"),
        "state_name": levels.get("L1") or "",
        "country_code": part("region_code").upper(),
        "phone": part("phone_number"),
    }


def source_tag(order_create_time, affiliate_content_type=None, live_windows=()):
    """Where the buyer bought: shop_tab, video, live or affiliate.

    A creator's sale says where it was promoted (affiliate orders' `content_type`); a sale
    during one of the shop's own LIVE sessions is a LIVE sale. TikTok's order object names no
    surface, so what neither source tells is a Shop tab sale.
    """
    if affiliate_content_type is not None:
        return CONTENT_TYPE_SOURCES.get(affiliate_content_type, "affiliate")
    for start, end in live_windows:
        if start <= order_create_time < end:
            return "live"
    return "shop_tab"


def live_windows(sessions):
    """[(start, end)] Unix seconds of the shop's LIVE sessions (Get Shop LIVE Performance)."""
    windows = []
    for index, session in enumerate(sessions):
        where = f"live_stream_sessions[{index}]"
        session = as_object(session, where)
        start, end = integer(session, "start_time", where), integer(session, "end_time", where)
        if start and end:
            windows.append((start, end))
    return windows
