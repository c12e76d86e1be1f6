from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    tiktok_sample_order_id = fields.Many2one(
        "sale.order",
        string="TikTok sample order",
        readonly=True,
        index="btree_not_null",
        help="The sample order whose cost this entry books as a marketing expense.",
    )
