from odoo import api, fields, models

from ...tiktok_shop import finance


class SaleOrderSettlement(models.Model):
    """What TikTok paid for an order: its settlement transactions, the fees TikTok kept, the
    payout; and TikTok's estimate until the order settles."""

    _inherit = "sale.order"

    tiktok_transaction_ids = fields.One2many(
        "tiktok.settlement.transaction", "sale_order_id", string="TikTok settlements"
    )
    tiktok_settlement_state = fields.Selection(
        [
            ("unsettled", "Not settled yet"),
            ("settled", "Settled, not paid out yet"),
            ("paid_out", "Paid out"),
        ],
        string="TikTok money",
        compute="_compute_tiktok_settlement",
    )
    tiktok_settled_amount = fields.Monetary(
        string="Net from TikTok",
        compute="_compute_tiktok_settlement",
        help="What TikTok's statements paid for the order, after its fees and refunds.",
    )
    tiktok_platform_fee_amount = fields.Monetary(
        string="Platform fees", compute="_compute_tiktok_settlement"
    )
    tiktok_affiliate_commission_amount = fields.Monetary(
        string="Creator commission", compute="_compute_tiktok_settlement"
    )
    tiktok_shipping_cost_amount = fields.Monetary(
        string="Shipping costs", compute="_compute_tiktok_settlement"
    )
    tiktok_estimated_settlement = fields.Monetary(
        string="Estimated net from TikTok",
        readonly=True,
        copy=False,
        help="TikTok's estimate of what it will pay for the order once it settles.",
    )
    tiktok_estimated_fees = fields.Monetary(
        string="Estimated fees and taxes",
        readonly=True,
        copy=False,
        help="TikTok's estimate of the fees, creator commission and taxes it will keep.",
    )
    tiktok_unsettled_reason = fields.Char(
        readonly=True, copy=False, help="TikTok's reason the order is not settled yet."
    )
    tiktok_unsettled_reason_label = fields.Char(
        string="Why not settled", compute="_compute_tiktok_unsettled_reason_label"
    )

    @api.depends(
        "tiktok_transaction_ids.settlement_amount",
        "tiktok_transaction_ids.settlement_id.payment_status",
        "tiktok_transaction_ids.settlement_id.payout_id.state",
    )
    def _compute_tiktok_settlement(self):
        for order in self:
            transactions = order.tiktok_transaction_ids
            sales = transactions.filtered(lambda t: t.transaction_type == finance.ORDER)
            order.tiktok_settlement_state = _settlement_state(sales.settlement_id)
            order.tiktok_settled_amount = sum(transactions.mapped("settlement_amount"))
            order.tiktok_platform_fee_amount = sum(transactions.mapped("platform_fee_amount"))
            order.tiktok_affiliate_commission_amount = sum(
                transactions.mapped("affiliate_commission_amount")
            )
            order.tiktok_shipping_cost_amount = sum(transactions.mapped("shipping_amount"))

    @api.depends("tiktok_unsettled_reason")
    def _compute_tiktok_unsettled_reason_label(self):
        # TikTok's codes as the seller reads them; a code TikTok adds later shows as it is.
        labels = {
            "NOT_DELIVERED": self.env._("Not delivered yet: TikTok settles orders once delivered."),
            "DELIVERED_NOT_CUT": self.env._("Delivered: settles with the next daily statement."),
        }
        for order in self:
            reason = order.tiktok_unsettled_reason
            order.tiktok_unsettled_reason_label = labels.get(reason, reason) or False


def _settlement_state(statements):
    """Paid out once every statement of the order's sale and refunds is: TikTok says the
    payment is paid, or its payout is matched to the bank."""
    if not statements:
        return "unsettled"
    paid = statements.filtered(
        lambda s: s.payment_status == "PAID" or s.payout_id.state == "matched"
    )
    return "paid_out" if paid == statements else "settled"
