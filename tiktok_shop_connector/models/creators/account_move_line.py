from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    tiktok_affiliate_line_id = fields.Many2one(
        "tiktok.affiliate.line",
        string="TikTok affiliate line",
        readonly=True,
        index="btree_not_null",
        help="The affiliate line whose commission this item accrues, reverses or trues up.",
    )
    tiktok_commission_order_id = fields.Many2one(
        "sale.order",
        string="Commission of order",
        readonly=True,
        index="btree_not_null",
        help="The TikTok order whose creator commission this payable item is about: its "
        "accruals and the settlements' deductions are reconciled per order.",
    )
