from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    tiktok_transaction_id = fields.Many2one(
        "tiktok.settlement.transaction",
        string="TikTok transaction",
        readonly=True,
        index="btree_not_null",
        help="The settlement transaction this item holds until its order is invoiced.",
    )
