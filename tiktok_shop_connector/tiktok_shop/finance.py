"""TikTok's settlements read for booking (§5.8): statements, payments, their transactions.

Every amount is a Decimal signed from the seller's side: what TikTok pays the seller is
positive, what it keeps is negative, so for every transaction

    settlement_amount = revenue_amount + shipping_cost_amount + fee_tax_amount + adjustment_amount

TikTok's own documents disagree on the signs (the 202501 pages write "revenue - shipping_cost -
fee_tax - adjustment"). A transaction whose figures only add up that other way (magnitudes) is
turned to signed amounts; one that adds up neither way is refused with `TikTokDataError`, as
is a breakdown that does not add up to its total: a guess would book a wrong cent.

Each component of a transaction gets a *kind*: the account it is booked on. `proceeds` is what
the buyer paid and TikTok's discounts: it clears the order's invoice. Every other kind is a fee,
a cost or an adjustment with an account per shop. A key or adjustment type TikTok adds later
gets the kind `unknown` (booked in suspense, never dropped).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from . import payload
from .errors import TikTokDataError

ZERO = Decimal(0)

# (kind, label): the accounts a shop books its settlements on, in the order a seller reads them.
KINDS = (
    ("proceeds", "Order revenue (clears the invoices)"),
    ("commission", "Platform commission and referral fees"),
    ("transaction_fee", "Transaction and payment fees"),
    ("affiliate_commission", "Creator (affiliate) commission"),
    ("service_fee", "Campaign and service fees"),
    ("shipping_cost", "Shipping costs"),
    ("shipping_subsidy", "Shipping subsidies and reimbursements"),
    ("fbt_fee", "Fulfilled by TikTok fees"),
    ("refund_administration", "Refund administration fees"),
    ("fee_tax", "Taxes on fees"),
    ("chargeback", "Chargebacks"),
    ("compensation", "Compensations"),
    ("penalty", "Penalties and deductions"),
    ("reserve", "Reserves held and released"),
    ("rebate", "Rebates and rewards"),
    ("ads", "Ads paid from the balance"),
    ("other", "Other adjustments"),
)
KIND_LABELS = dict(KINDS)
UNKNOWN = "unknown"

# The breakdown keys of §5.8 and their kinds. Revenue keys are all proceeds.
PROCEEDS_SHIPPING_KEYS = frozenset(
    {"customer_paid_shipping_fee_amount", "shipping_fee_discount_amount"}
)
SHIPPING_KINDS = {
    "actual_shipping_fee_amount": "shipping_cost",
    "return_shipping_fee_amount": "shipping_cost",
    "return_shipping_label_fee_amount": "shipping_cost",
    "replacement_shipping_fee_amount": "shipping_cost",
    "exchange_shipping_fee_amount": "shipping_cost",
    "seller_self_shipping_service_fee_amount": "shipping_cost",
    "shipping_insurance_fee_amount": "shipping_cost",
    "signature_confirmation_fee_amount": "shipping_cost",
    "return_shipping_fee_paid_buyer_amount": "shipping_subsidy",
    "failed_delivery_subsidy_amount": "shipping_subsidy",
    "fbt_fulfillment_fee_reimbursement_amount": "fbt_fee",
}
FEE_KINDS = {
    "platform_commission_amount": "commission",
    "referral_fee_amount": "commission",
    "dynamic_commission_amount": "commission",
    "tsp_commission_amount": "commission",
    "mall_service_fee_amount": "commission",
    "transaction_fee_amount": "transaction_fee",
    "credit_card_handling_fee_amount": "transaction_fee",
    "seller_paylater_handling_fee_amount": "transaction_fee",
    "dt_handling_fee_amount": "transaction_fee",
    "refund_administration_fee_amount": "refund_administration",
    "affiliate_commission_amount": "affiliate_commission",
    "affiliate_commission_amount_before_pit": "affiliate_commission",
    "affiliate_ads_commission_amount": "affiliate_commission",
    "affiliate_partner_commission_amount": "affiliate_commission",
    "affiliate_commission_deposit": "affiliate_commission",
    "affiliate_commission_release": "affiliate_commission",
    "tap_shop_ads_commission": "affiliate_commission",
    "external_affiliate_marketing_fee_amount": "affiliate_commission",
    "cofunded_creator_bonus_amount": "affiliate_commission",
    "fee_per_item_sold_amount": "service_fee",
    "sfp_service_fee_amount": "service_fee",
    "voucher_xtra_service_fee_amount": "service_fee",
    "flash_sales_service_fee_amount": "service_fee",
    "live_specials_fee_amount": "service_fee",
    "pre_order_service_fee_amount": "service_fee",
    "bonus_cashback_service_fee_amount": "service_fee",
    "cofunded_promotion_service_fee_amount": "service_fee",
    "epr_pob_service_fee_amount": "service_fee",
    "vn_fix_infrastructure_fee": "service_fee",
}
TAX_KEYS = frozenset(
    {
        "vat_amount",
        "local_vat_amount",
        "import_vat_amount",
        "customs_duty_amount",
        "customs_clearance_amount",
        "gst_amount",
        "sst_amount",
        "pit_amount",
        "isr_amount",
        "iva_amount",
        "anti_dumping_duty_amount",
    }
)
ADJUSTMENT_KINDS = {
    "CHARGE_BACK": "chargeback",
    "CUSTOMER_SERVICE_COMPENSATION": "compensation",
    "PLATFORM_COMPENSATION": "compensation",
    "PLATFORM_REIMBURSEMENT": "compensation",
    "PLATFORM_COMMISSION_COMPENSATION": "commission",
    "PLATFORM_COMMISSION_ADJUSTMENT": "commission",
    "DEDUCTIONS_INCURRED_BY_SELLER": "penalty",
    "PLATFORM_PENALTY": "penalty",
    "GMV_PAYMENT_FOR_ADS": "ads",
    "PROMOTION_ADJUSTMENT": "rebate",
    "REBATE": "rebate",
    "SELLER_MISSION_REWARD": "rebate",
    "COFUNDED_CREATOR_REWARDS": "affiliate_commission",
    "FBT_WAREHOUSE_SERVICE_FEE": "fbt_fee",
    "LOGISTICS_REIMBURSEMENT": "shipping_subsidy",
    "SHIPPING_FEE_ADJUSTMENT": "shipping_cost",
    "SHIPPING_FEE_COMPENSATION": "shipping_subsidy",
    "SHIPPING_FEE_REBATE": "shipping_subsidy",
    "SAMPLE_SHIPPING_FEE": "shipping_cost",
    "OTHER_ADJUSTMENT": "other",
}
ORDER = "ORDER"
RESERVE = "RESERVE"


def kind_of(section, key):
    """The kind of one breakdown key (`section` is revenue, shipping, fee or tax)."""
    if section == "revenue" or (section == "shipping" and key in PROCEEDS_SHIPPING_KEYS):
        return "proceeds"
    if section == "shipping":
        return SHIPPING_KINDS.get(key, UNKNOWN)
    if section == "tax":
        return "fee_tax"
    return FEE_KINDS.get(key, UNKNOWN)


@dataclass(frozen=True)
class Component:
    """One non-zero amount of a transaction, with the kind it is booked as."""

    section: str  # revenue / shipping / fee / tax / adjustment / reserve
    key: str  # the breakdown key, the adjustment type or the reserve status
    kind: str
    amount: Decimal


@dataclass
class Transaction:
    """One entry of a statement's 202501 `transactions[]`, signed from the seller's side."""

    ref: str
    type: str
    order_ref: str
    adjustment_ref: str
    order_create_time: int
    revenue: Decimal
    shipping_cost: Decimal
    fee_tax: Decimal
    adjustment: Decimal
    settlement: Decimal
    reserve: Decimal
    reserve_status: str
    components: list = field(default_factory=list)
    # Informational figures outside the settlement sum (what the buyer paid, sales tax...).
    supplementary: dict = field(default_factory=dict)

    @property
    def proceeds(self):
        """What clears the order's invoice: revenue and the shipping the buyer and TikTok paid."""
        return sum((c.amount for c in self.components if c.kind == "proceeds"), ZERO)

    @property
    def charges(self):
        """The components booked on fee, cost, adjustment and reserve accounts."""
        return [c for c in self.components if c.kind != "proceeds"]

    def total_of(self, *kinds):
        return sum((c.amount for c in self.components if c.kind in kinds), ZERO)

    @property
    def unknown_keys(self):
        return sorted({c.key for c in self.components if c.kind == UNKNOWN})


@dataclass(frozen=True)
class Statement:
    ref: str
    statement_time: int
    currency: str
    revenue: Decimal
    shipping_cost: Decimal
    fee: Decimal
    adjustment: Decimal
    settlement: Decimal
    payment_status: str
    payment_ref: str


@dataclass(frozen=True)
class StatementTotals:
    """The root of a statement's transactions answer: what every page adds up to."""

    settlement: Decimal
    reserve: Decimal
    payable: Decimal
    total_count: int


@dataclass(frozen=True)
class Payment:
    ref: str
    create_time: int
    paid_time: int
    status: str
    amount: Decimal
    currency: str
    settlement: Decimal
    reserve: Decimal
    amount_before_exchange: Decimal
    exchange_rate: Decimal


@dataclass(frozen=True)
class UnsettledOrder:
    """TikTok's estimate for an order that has not settled yet."""

    order_ref: str
    revenue: Decimal
    shipping_cost: Decimal
    fee_tax: Decimal
    adjustment: Decimal
    settlement: Decimal
    reason: str
    components: tuple = ()

    def total_of(self, *kinds):
        return sum((c.amount for c in self.components if c.kind in kinds), ZERO)


# --- reading -------------------------------------------------------------------------------------


def read_statement(data, within="statement"):
    return Statement(
        ref=payload.required_id(data, "id", within),
        statement_time=payload.integer(data, "statement_time", within),
        currency=payload.required_text(data, "currency", within),
        revenue=payload.amount(data, "revenue_amount", within),
        shipping_cost=payload.amount(data, "shipping_cost_amount", within),
        fee=payload.amount(data, "fee_amount", within),
        adjustment=payload.amount(data, "adjustment_amount", within),
        settlement=payload.amount(data, "settlement_amount", within),
        payment_status=payload.text(data, "payment_status", within),
        payment_ref=payload.text(data, "payment_id", within),
    )


def read_statement_totals(data, within="statement_transactions"):
    return StatementTotals(
        settlement=payload.amount(data, "total_settlement_amount", within),
        reserve=payload.amount(data, "total_reserve_amount", within),
        payable=payload.amount(data, "payable_amount", within),
        total_count=payload.integer(data, "total_count", within),
    )


def read_payment(data, within="payment"):
    amount = payload.nested(data, "amount", within)
    return Payment(
        ref=payload.required_id(data, "id", within),
        create_time=payload.integer(data, "create_time", within),
        paid_time=payload.integer(data, "paid_time", within),
        status=payload.text(data, "status", within),
        amount=payload.amount(amount, "value", f"{within}.amount"),
        currency=payload.required_text(amount, "currency", f"{within}.amount"),
        settlement=_money_object(data, "settlement_amount", within),
        reserve=_money_object(data, "reserve_amount", within),
        amount_before_exchange=_money_object(data, "payment_amount_before_exchange", within),
        exchange_rate=payload.amount(data, "exchange_rate", within) or Decimal(1),
    )


def _money_object(data, key, within):
    value = data.get(key)
    if isinstance(value, dict):
        return payload.amount(value, "value", payload.field_path(within, key))
    return payload.amount(data, key, within)


def read_transaction(data, within="transaction"):
    """One statement transaction, its signs settled and its sums checked."""
    transaction_type = payload.required_text(data, "type", within)
    adjustment = payload.amount(data, "adjustment_amount", within)
    reserve = payload.amount(data, "reserve_amount", within)
    transaction = Transaction(
        ref=payload.required_id(data, "id", within),
        type=transaction_type,
        order_ref=payload.text(data, "order_id", within)
        or payload.text(data, "adjustment_order_id", within)
        or payload.text(data, "associated_order_id", within),
        adjustment_ref=payload.text(data, "adjustment_id", within),
        order_create_time=payload.integer(data, "order_create_time", within),
        revenue=payload.amount(data, "revenue_amount", within),
        shipping_cost=payload.amount(data, "shipping_cost_amount", within),
        fee_tax=payload.amount(data, "fee_tax_amount", within),
        adjustment=adjustment,
        settlement=payload.amount(data, "settlement_amount", within),
        reserve=reserve,
        reserve_status=payload.text(data, "reserve_status", within),
        components=_breakdown_components(data, within),
        supplementary=_amounts(payload.nested(data, "supplementary_component", within), within),
    )
    if adjustment:
        kind = ADJUSTMENT_KINDS.get(transaction_type, UNKNOWN)
        transaction.components.append(Component("adjustment", transaction_type, kind, adjustment))
    if reserve:
        status = transaction.reserve_status or "RESERVE"
        transaction.components.append(Component("reserve", status, "reserve", reserve))
    _settle_signs(transaction, within)
    transaction.components.extend(_unbroken_totals(transaction))
    return transaction


def read_unsettled(data, within="unsettled"):
    """TikTok's estimate for one unsettled order, its signs settled and its sums checked as a
    statement transaction's are."""
    estimate = Transaction(
        ref=payload.text(data, "id", within),
        type=ORDER,
        order_ref=payload.required_id(data, "order_id", within),
        adjustment_ref="",
        order_create_time=payload.integer(data, "order_create_time", within),
        revenue=payload.amount(data, "est_revenue_amount", within),
        shipping_cost=payload.amount(data, "est_shipping_cost_amount", within),
        fee_tax=payload.amount(data, "est_fee_tax_amount", within),
        adjustment=payload.amount(data, "est_adjustment_amount", within),
        settlement=payload.amount(data, "est_settlement_amount", within),
        reserve=ZERO,
        reserve_status="",
        components=_breakdown_components(data, within),
    )
    _settle_signs(estimate, within)
    return UnsettledOrder(
        order_ref=estimate.order_ref,
        revenue=estimate.revenue,
        shipping_cost=estimate.shipping_cost,
        fee_tax=estimate.fee_tax,
        adjustment=estimate.adjustment,
        settlement=estimate.settlement,
        reason=payload.text(data, "unsettled_reason", within),
        components=tuple(estimate.components),
    )


def _amounts(values, within):
    """{key: Decimal} of an object of money strings (nested objects left out)."""
    return {
        key: payload.amount(values, key, within)
        for key, value in values.items()
        if not isinstance(value, dict)
    }


def _breakdown_components(data, within):
    shipping = payload.nested(data, "shipping_cost_breakdown", within)
    fee_tax = payload.nested(data, "fee_tax_breakdown", within)
    sections = (
        ("revenue", payload.nested(data, "revenue_breakdown", within)),
        ("shipping", shipping),
        ("fee", payload.nested(fee_tax, "fee", within)),
        ("tax", payload.nested(fee_tax, "tax", within)),
    )
    return [
        Component(section, key, kind_of(section, key), amount)
        for section, values in sections
        for key, amount in _amounts(values, f"{within}.{section}").items()
        if amount
    ]


# --- signs and sums ------------------------------------------------------------------------------

_COST_SECTIONS = frozenset({"shipping", "fee", "tax", "adjustment"})


def _settle_signs(transaction, within):
    """Make the amounts signed from the seller's side, or raise when they cannot add up."""
    t = transaction
    signed = t.revenue + t.shipping_cost + t.fee_tax + t.adjustment
    magnitudes = t.revenue - t.shipping_cost - t.fee_tax - t.adjustment
    if signed != t.settlement:
        if magnitudes != t.settlement:
            raise TikTokDataError(
                within,
                f"settlement {t.settlement} is neither revenue + shipping + fees + adjustment "
                f"({signed}) nor revenue - shipping - fees - adjustment ({magnitudes})",
            )
        _negate_costs(t)
    _check_section(t, ("revenue",), t.revenue, within)
    _check_section(t, ("shipping",), t.shipping_cost, within)
    _check_section(t, ("fee", "tax"), t.fee_tax, within)


def _negate_costs(transaction):
    transaction.shipping_cost = -transaction.shipping_cost
    transaction.fee_tax = -transaction.fee_tax
    transaction.adjustment = -transaction.adjustment
    transaction.components = [
        Component(c.section, c.key, c.kind, -c.amount) if c.section in _COST_SECTIONS else c
        for c in transaction.components
    ]


def _check_section(transaction, sections, total, within):
    parts = [c for c in transaction.components if c.section in sections]
    if not parts:
        return  # TikTok sent the total without its breakdown: booked as one figure
    found = sum((c.amount for c in parts), ZERO)
    if found != total:
        raise TikTokDataError(
            within, f"the {'/'.join(sections)} breakdown adds up to {found}, not {total}"
        )


def _unbroken_totals(transaction):
    """Components for sections TikTok sent as a total without a breakdown: the components then
    always add up to the settlement (and the reserve)."""
    present = {c.section for c in transaction.components}
    missing = []
    for sections, total, key in (
        (("revenue",), transaction.revenue, "revenue_amount"),
        (("shipping",), transaction.shipping_cost, "shipping_cost_amount"),
        (("fee", "tax"), transaction.fee_tax, "fee_tax_amount"),
    ):
        if total and not present.intersection(sections):
            kind = "proceeds" if key == "revenue_amount" else UNKNOWN
            missing.append(Component(sections[0], key, kind, total))
    return missing
