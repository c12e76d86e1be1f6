"""TikTok's affiliate data read for Odoo (§5.9): affiliate orders, collaborations, commissions.

Pure Python: money stays `Decimal` in major units as TikTok sends it, ids stay strings. TikTok
gives commission rates in hundredths of a percent (1550 = 15.50 %); they are read as percents.

An affiliate order lists one entry per SKU a creator sold (`skus[]`), named by its product only:
the key of an entry is its product id, with `#2`, `#3`... for a product's later entries in the
same order, so the same entry always has the same key.

The commission a seller owes on an entry is what TikTok reports: its estimate (base x rate on
every unit sold) until the order settles, then the actual commission (net of refunds).
`commission_due` says how much of it is owed at a moment: nothing before the order is invoiced
or once it is cancelled; the actual commission once TikTok has it; otherwise the estimate less
the units refunded or returned (TikTok's quantities, or Odoo's credit notes when they say more).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .payload import (
    ZERO,
    amount,
    as_object,
    integer,
    nested,
    object_list,
    required_id,
    required_text,
    text,
)

# Where the creator promoted the product (`content_type`), as a seller reads it.
CONTENT_TYPES = (
    ("LIVE", "LIVE"),
    ("VIDEO", "Video"),
    ("SHOP", "Shop tab"),
    ("PRE_LIVE", "Pre-LIVE"),
    ("PROMOTION_PAGE", "Promotion page"),
    ("LINKSHARE", "Link share"),
)
DEFAULT_CONTENT_TYPE = "SHOP"
STATUSES = (
    ("PROCESSING", "Processing"),
    ("COMPLETED", "Completed"),
    ("CANCELLED", "Cancelled"),
    ("FROZEN", "Frozen"),
    ("DEDUCTED", "Deducted"),
)
# TikTok has settled the commission of an order in these statuses: its actual figures hold.
ACTUAL_STATUSES = frozenset({"COMPLETED", "DEDUCTED"})
CANCELLED = "CANCELLED"
HUNDREDTHS_OF_A_PERCENT = Decimal(100)


def rate_percent(hundredths):
    """A TikTok commission rate (hundredths of a percent, e.g. "1550") as a percent (15.50)."""
    return Decimal(hundredths) / HUNDREDTHS_OF_A_PERCENT


@dataclass(frozen=True)
class AffiliateLine:
    """One `skus[]` entry of an affiliate order."""

    key: str
    product_ref: str
    quantity: int
    price: Decimal
    currency: str
    creator_username: str
    content_type: str
    content_ref: str
    commission_rate: Decimal  # percent
    estimated_base: Decimal
    estimated_commission: Decimal
    actual_base: Decimal
    actual_commission: Decimal
    refunded_quantity: int
    returned_quantity: int
    open_collaboration_ref: str
    target_collaboration_ref: str
    campaign_ref: str


@dataclass(frozen=True)
class AffiliateOrder:
    ref: str
    status: str
    create_time: int
    delivery_time: int
    lines: tuple

    @property
    def creator_username(self):
        return next((line.creator_username for line in self.lines if line.creator_username), "")

    @property
    def content_type(self):
        found = next((line.content_type for line in self.lines if line.content_type), "")
        return found or DEFAULT_CONTENT_TYPE

    @property
    def update_time(self):
        """What the sync's high-water mark counts: TikTok searches affiliate orders by their
        creation time only."""
        return self.create_time


def read_affiliate_order(data, where="order"):
    """An `AffiliateOrder` from one entry of Search Affiliate Orders.

    :raises TikTokDataError: on a missing id or a field in a shape that cannot be read
    """
    data = as_object(data, where)
    lines, seen = [], {}
    for line_where, sku in object_list(data, "skus", where):
        product_ref = text(sku, "product_id", line_where)
        seen[product_ref] = seen.get(product_ref, 0) + 1
        key = product_ref if seen[product_ref] == 1 else f"{product_ref}#{seen[product_ref]}"
        lines.append(_read_line(sku, line_where, key, product_ref))
    return AffiliateOrder(
        ref=required_id(data, "id", where),
        status=text(data, "status", where).upper(),
        create_time=integer(data, "create_time", where),
        delivery_time=integer(data, "delivery_time", where),
        lines=tuple(lines),
    )


def _read_line(sku, where, key, product_ref):
    def money(name):
        return amount(nested(sku, name, where), "amount", f"{where}.{name}")

    price = nested(sku, "price", where)
    currency = text(price, "currency", f"{where}.price") or text(
        nested(sku, "estimated_paid_commission", where), "currency", where
    )
    return AffiliateLine(
        key=key,
        product_ref=product_ref,
        quantity=integer(sku, "quantity", where),
        price=money("price"),
        currency=currency,
        creator_username=text(sku, "creator_username", where),
        content_type=text(sku, "content_type", where).upper() or DEFAULT_CONTENT_TYPE,
        content_ref=text(sku, "content_id", where),
        commission_rate=rate_percent(amount(sku, "commission_rate", where)),
        estimated_base=money("estimated_commission_base"),
        estimated_commission=money("estimated_paid_commission"),
        actual_base=money("actual_commission_base"),
        actual_commission=money("actual_paid_commission"),
        refunded_quantity=integer(sku, "refunded_quantity", where),
        returned_quantity=integer(sku, "returned_quantity", where),
        open_collaboration_ref=_ref(sku, "open_collaboration_id", where),
        target_collaboration_ref=_ref(sku, "target_collaboration_id", where),
        campaign_ref=_ref(sku, "campaign_id", where),
    )


def _ref(obj, key, where):
    """An optional TikTok id: TikTok sends "" or "0" for none."""
    value = text(obj, key, where)
    return "" if value in ("", "0") else value


def attributions(orders):
    """{order id: (creator username, content type)} of read `AffiliateOrder`s."""
    return {order.ref: (order.creator_username, order.content_type) for order in orders}


def commission_due(
    estimated,
    actual,
    status,
    quantity,
    refunded_quantity,
    returned_quantity,
    invoiced_quantity,
    digits=2,
):
    """The commission owed on one affiliate line now (see the module's docstring).

    :param invoiced_quantity: units of the line invoiced and not credited in Odoo
    :param digits: the currency's decimal places
    :return: a Decimal rounded to the currency
    """
    if status == CANCELLED or invoiced_quantity <= 0:
        return ZERO
    if status in ACTUAL_STATUSES:
        return actual
    if quantity <= 0:
        return estimated
    kept = min(quantity - refunded_quantity - returned_quantity, invoiced_quantity)
    kept = max(min(kept, quantity), 0)
    share = Decimal(estimated) * Decimal(str(kept)) / Decimal(quantity)
    return share.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def allocate(total, weights, digits=2):
    """`total` split pro rata to `weights`, each part rounded, the parts adding up to `total`
    exactly (the rounding goes to the last part); equal parts when the weights add up to 0."""
    if not weights:
        return []
    unit = Decimal(1).scaleb(-digits)
    total = Decimal(total)
    weights = [Decimal(str(weight)) for weight in weights]
    whole = sum(weights, ZERO)
    if not whole:
        weights, whole = [Decimal(1)] * len(weights), Decimal(len(weights))
    parts = [(total * weight / whole).quantize(unit, rounding=ROUND_HALF_UP) for weight in weights]
    parts[-1] += total - sum(parts, ZERO)
    return parts


@dataclass(frozen=True)
class CollaborationProduct:
    product_ref: str
    commission_rate: Decimal  # percent


@dataclass(frozen=True)
class Creator:
    """A creator as TikTok's affiliate answers show one."""

    ref: str  # creator_user_id
    username: str
    nickname: str


def read_creator(data, where="creator"):
    data = as_object(data, where)
    return Creator(
        ref=required_id(data, "user_id", where),
        username=required_text(data, "username", where),
        nickname=text(data, "nickname", where),
    )


@dataclass(frozen=True)
class Collaboration:
    """An open collaboration (one product, every creator) or a target one (named creators)."""

    ref: str
    kind: str  # open / target
    name: str
    status: str
    products: tuple
    creators: tuple = ()
    end_time: int = 0

    @property
    def creator_usernames(self):
        return tuple(creator.username for creator in self.creators)


def read_open_collaboration(data, where="open_collaboration"):
    """A `Collaboration` from one entry of Search Open Collaborations."""
    data = as_object(data, where)
    product = nested(data, "product", where)
    commission = nested(data, "current_commission", where)
    product_ref = required_id(product, "id", f"{where}.product")
    rate = rate_percent(amount(commission, "rate", f"{where}.current_commission"))
    return Collaboration(
        ref=required_id(data, "id", where),
        kind="open",
        name=text(product, "title", f"{where}.product") or product_ref,
        status=text(data, "status", where).upper(),
        products=(CollaborationProduct(product_ref, rate),),
        end_time=integer(commission, "end_time", f"{where}.current_commission"),
    )


def read_target_collaboration(data, where="target_collaboration"):
    """A `Collaboration` from one entry of Search Target Collaborations."""
    data = as_object(data, where)
    products = tuple(
        CollaborationProduct(
            required_id(product, "id", product_where),
            rate_percent(amount(product, "target_commission_rate", product_where)),
        )
        for product_where, product in object_list(data, "products", where)
    )
    return Collaboration(
        ref=required_id(data, "id", where),
        kind="target",
        name=text(data, "name", where) or required_id(data, "id", where),
        status=text(data, "status", where).upper(),
        products=products,
        creators=tuple(
            read_creator(creator, creator_where)
            for creator_where, creator in object_list(data, "creators", where)
        ),
        end_time=integer(data, "end_time", where),
    )


@dataclass(frozen=True)
class SampleApplication:
    ref: str
    status: str
    creator: Creator
    product_ref: str
    order_ref: str  # the sample order, once the seller approved


def read_sample_application(data, where="sample_application"):
    """A `SampleApplication` from one entry of Search Sample Applications."""
    data = as_object(data, where)
    return SampleApplication(
        ref=required_id(data, "id", where),
        status=text(data, "status", where).upper(),
        creator=read_creator(nested(data, "creator", where), f"{where}.creator"),
        product_ref=text(nested(data, "product", where), "id", f"{where}.product"),
        order_ref=_ref(data, "order_id", where),
    )
