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

from .const import ORDER_STATUSES

ZERO = Decimal(0)

STATUS_ALIASES = {"CANCEL": "CANCELLED"}
# Statuses in which the buyer has paid and the order is, or will be, fulfilled.
PAID_STATUSES = frozenset(ORDER_STATUSES) - {"UNPAID", "CANCELLED"}
FBT = "FULFILLMENT_BY_TIKTOK"

# Where a creator promoted the product (affiliate orders' content_type) -> source tag.
CONTENT_TYPE_SOURCES = {"LIVE": "live", "PRE_LIVE": "live", "VIDEO": "video"}


def normalize_status(status):
    status = (status or "").upper()
    return STATUS_ALIASES.get(status, status)


def money(value):
    """TikTok money (a decimal string, possibly empty or missing) as a Decimal."""
    if value in (None, ""):
        return ZERO
    return Decimal(str(value))


@dataclass
class MappedLine:
    sku_id: str
    seller_sku: str
    product_name: str
    sku_name: str
    unit_price: Decimal
    quantity: int
    line_item_ids: list = field(default_factory=list)

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
    recipient: dict
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
    """Read one TikTok order object into a `MappedOrder`."""
    payment = order.get("payment") or {}
    items = order.get("line_items") or []
    return MappedOrder(
        order_id=str(order["id"]),
        status=normalize_status(order.get("status")),
        currency=payment.get("currency") or _first(items, "currency"),
        buyer_id=str(order.get("user_id") or ""),
        create_time=int(order.get("create_time") or 0),
        update_time=int(order.get("update_time") or 0),
        lines=group_line_items(items),
        seller_discount=_payment_or_items(payment, items, "seller_discount"),
        platform_discount=_payment_or_items(payment, items, "platform_discount"),
        shipping_fee_before_discounts=money(
            payment.get("original_shipping_fee", payment.get("shipping_fee"))
        ),
        shipping_seller_discount=money(payment.get("shipping_fee_seller_discount")),
        shipping_platform_discount=money(payment.get("shipping_fee_platform_discount"))
        + money(payment.get("shipping_fee_cofunded_discount")),
        tax=money(payment.get("tax")) + money(payment.get("retail_delivery_fee")),
        total_amount=money(payment.get("total_amount")),
        recipient=dict(order.get("recipient_address") or {}),
        buyer_email=order.get("buyer_email") or "",
        buyer_message=order.get("buyer_message") or "",
        fulfillment_type=order.get("fulfillment_type") or "",
        shipping_type=order.get("shipping_type") or "",
        is_on_hold=bool(order.get("is_on_hold_order")),
        is_buyer_request_cancel=bool(order.get("is_buyer_request_cancel")),
        is_sample=bool(order.get("is_sample_order")),
        is_replacement=bool(order.get("is_replacement_order")),
        replaced_order_id=str(order.get("replaced_order_id") or ""),
        package_ids=tuple(str(package["id"]) for package in order.get("packages") or ()),
        cancel_reason=order.get("cancel_reason") or "",
        delivery_option_name=order.get("delivery_option_name") or "",
    )


def group_line_items(items):
    """One `MappedLine` per (SKU, unit price), in the order TikTok lists them."""
    lines = {}
    for item in items:
        key = (str(item["sku_id"]), money(item.get("original_price")))
        line = lines.get(key)
        if line is None:
            line = lines[key] = MappedLine(
                sku_id=key[0],
                seller_sku=item.get("seller_sku") or "",
                product_name=item.get("product_name") or "",
                sku_name=item.get("sku_name") or "",
                unit_price=key[1],
                quantity=0,
            )
        line.quantity += 1
        line.line_item_ids.append(str(item["id"]))
    return list(lines.values())


def _payment_or_items(payment, items, name):
    """The order-level figure when TikTok gives it, else the sum over the line items."""
    if payment.get(name) not in (None, ""):
        return money(payment[name])
    return sum((money(item.get(name)) for item in items), ZERO)


def _first(items, name):
    return next((item.get(name) for item in items if item.get(name)), "")


def recipient_parts(recipient):
    """Address fields as Odoo keeps them: name, street, street2, city, zip, state, country code.

    TikTok masks the name and phone of platform-shipped orders; they are kept as they come.
    """
    levels = {
        info.get("address_level"): info.get("address_name") or ""
        for info in recipient.get("district_info") or ()
    }
    street = recipient.get("address_line1") or recipient.get("address_detail") or ""
    street2 = " ".join(
        part for part in (recipient.get(f"address_line{n}") for n in (2, 3, 4)) if part
    )
    return {
        "name": recipient.get("name")
        or " ".join(p for p in (recipient.get("first_name"), recipient.get("last_name")) if p)
        or "TikTok buyer",
        "street": street,
        "street2": street2,
        "city": recipient.get("post_town") or levels.get("L3") or levels.get("L2") or "",
        "zip": recipient.get("postal_code") or "",
        "state_name": levels.get("L1") or "",
        "country_code": (recipient.get("region_code") or "").upper(),
        "phone": recipient.get("phone_number") or "",
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


def affiliate_attributions(affiliate_orders):
    """{order id: (creator username, content type)} from Search Affiliate Orders results."""
    attributions = {}
    for affiliate_order in affiliate_orders:
        skus = affiliate_order.get("skus") or []
        creator = next((s.get("creator_username") for s in skus if s.get("creator_username")), "")
        content_type = next((s.get("content_type") for s in skus if s.get("content_type")), "")
        attributions[str(affiliate_order["id"])] = (creator, content_type or "SHOP")
    return attributions


def live_windows(sessions):
    """[(start, end)] Unix seconds of the shop's LIVE sessions (Get Shop LIVE Performance)."""
    return [
        (int(session["start_time"]), int(session["end_time"]))
        for session in sessions
        if session.get("start_time") and session.get("end_time")
    ]
