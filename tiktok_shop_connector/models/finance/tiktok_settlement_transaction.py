from markupsafe import Markup
from odoo import api, fields, models

from ...tiktok_shop import finance

# Kinds whose total the seller reads as "fees" on an order (the creator's cut and shipping
# are shown on their own).
PLATFORM_FEE_KINDS = (
    "commission",
    "transaction_fee",
    "service_fee",
    "refund_administration",
    "fee_tax",
    "fbt_fee",
)
SHIPPING_KINDS = ("shipping_cost", "shipping_subsidy")
MATCH_STATES = [
    ("reconciled", "Invoice paid"),
    ("awaiting_invoice", "Waiting for the invoice"),
    ("no_order", "Order not in Odoo"),
    ("difference", "Differs from the invoice"),
    ("charges", "Fees and adjustments only"),
]


class TikTokSettlementTransaction(models.Model):
    """One transaction of a TikTok statement: an order's sale or refund, an adjustment, or a
    reserve held or released, with the fee breakdown the seller checks against Seller Center."""

    _name = "tiktok.settlement.transaction"
    _inherit = ["tiktok.binding"]
    _description = "TikTok settlement transaction"
    _order = "settlement_id, order_create_time, id"
    _tiktok_ref_field = "tiktok_transaction_ref"

    settlement_id = fields.Many2one(
        "tiktok.settlement", required=True, ondelete="cascade", index=True
    )
    # Stored and given at creation: Odoo rounds each amount of a new row in the currency its
    # values name, rather than in one read through the settlement per amount.
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_currency_id", store=True, precompute=True
    )
    statement_date = fields.Date(
        related="settlement_id.statement_date", store=True, precompute=True
    )
    tiktok_transaction_ref = fields.Char(string="TikTok transaction id", required=True)
    transaction_type = fields.Char(string="Type", required=True)
    type_label = fields.Char(string="What", compute="_compute_type_label")
    tiktok_order_ref = fields.Char(string="TikTok order id", index=True)
    tiktok_adjustment_ref = fields.Char(string="TikTok adjustment id")
    sale_order_id = fields.Many2one("sale.order", string="Order", index="btree_not_null")
    order_create_time = fields.Integer()
    revenue_amount = fields.Monetary(string="Revenue")
    shipping_cost_amount = fields.Monetary(string="Shipping")
    fee_tax_amount = fields.Monetary(string="Fees and taxes")
    adjustment_amount = fields.Monetary(string="Adjustment")
    reserve_amount = fields.Monetary(string="Reserve")
    settlement_amount = fields.Monetary(string="Settled amount")
    proceeds_amount = fields.Monetary(
        string="Order proceeds", help="Revenue and the shipping the buyer and TikTok paid."
    )
    platform_fee_amount = fields.Monetary(string="Platform fees")
    affiliate_commission_amount = fields.Monetary(string="Creator commission")
    shipping_amount = fields.Monetary(string="Shipping costs", help="Labels less subsidies.")
    other_amount = fields.Monetary(string="Other", help="Adjustments, reserves, unknown fees.")
    # Read only where it is used: a month's transactions read for another field (their order,
    # their statement) would otherwise load every breakdown with them.
    breakdown = fields.Json(
        readonly=True, prefetch=False, help="[[section, key, kind, amount], ...]"
    )
    breakdown_html = fields.Html(compute="_compute_breakdown_html", sanitize=False)
    unknown_keys = fields.Char(
        string="Fee types without an account", help="Booked in suspense until mapped."
    )
    match_state = fields.Selection(MATCH_STATES, string="Reconciliation", readonly=True)

    _shop_ref_unique = models.Constraint(
        "unique(shop_id, tiktok_transaction_ref)",
        "A TikTok settlement transaction is imported once per shop.",
    )

    @api.depends("settlement_id.currency_id")
    def _compute_currency_id(self):
        for line in self:
            line.currency_id = line.settlement_id.currency_id

    @api.depends("transaction_type")
    def _compute_type_label(self):
        for line in self:
            kind = finance.ADJUSTMENT_KINDS.get(line.transaction_type)
            if line.transaction_type == finance.ORDER:
                refund = line.revenue_amount < 0
                line.type_label = self.env._("Refund") if refund else self.env._("Sale")
            elif line.transaction_type == finance.RESERVE:
                line.type_label = self.env._("Reserve")
            else:
                label = finance.KIND_LABELS.get(kind) or self.env._("Unknown adjustment")
                line.type_label = f"{label} ({line.transaction_type})"

    @api.depends("breakdown")
    def _compute_breakdown_html(self):
        for line in self:
            row = Markup("<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td></tr>")
            rows = Markup("").join(
                row % (key, finance.KIND_LABELS.get(kind, kind), amount)
                for _section, key, kind, amount in line.breakdown or []
            )
            table = Markup("<table class='table table-sm'>%s</table>")
            line.breakdown_html = table % rows if rows else False

    @api.model
    def _values_from(self, transaction):
        """Field values of one read `finance.Transaction`."""
        return {
            "tiktok_transaction_ref": transaction.ref,
            "transaction_type": transaction.type,
            "tiktok_order_ref": transaction.order_ref or False,
            "tiktok_adjustment_ref": transaction.adjustment_ref or False,
            "order_create_time": transaction.order_create_time,
            "revenue_amount": float(transaction.revenue),
            "shipping_cost_amount": float(transaction.shipping_cost),
            "fee_tax_amount": float(transaction.fee_tax),
            "adjustment_amount": float(transaction.adjustment),
            "reserve_amount": float(transaction.reserve),
            "settlement_amount": float(transaction.settlement),
            "proceeds_amount": float(transaction.proceeds),
            "platform_fee_amount": float(transaction.total_of(*PLATFORM_FEE_KINDS)),
            "affiliate_commission_amount": float(transaction.total_of("affiliate_commission")),
            "shipping_amount": float(transaction.total_of(*SHIPPING_KINDS)),
            "other_amount": float(
                transaction.total_of(
                    "chargeback",
                    "compensation",
                    "penalty",
                    "reserve",
                    "rebate",
                    "ads",
                    "other",
                    finance.UNKNOWN,
                )
            ),
            "breakdown": [
                [c.section, c.key, c.kind, str(c.amount)] for c in transaction.components
            ],
            "unknown_keys": ", ".join(transaction.unknown_keys) or False,
        }

    @api.model
    def _tiktok_match_invoices(self, moves):
        """Clear what TikTok settled before these orders' invoices or credit notes were posted."""
        waiting = self.search(
            [
                ("match_state", "=", "awaiting_invoice"),
                ("shop_id", "in", moves.tiktok_shop_id.ids),
                ("tiktok_order_ref", "in", list(set(moves.mapped("tiktok_order_ref")))),
            ]
        )
        for settlement in waiting.settlement_id:
            settlement._tiktok_clear_awaiting(waiting & settlement.transaction_ids)
