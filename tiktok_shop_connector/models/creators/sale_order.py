from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    tiktok_creator_id = fields.Many2one(
        "tiktok.creator",
        string="TikTok creator",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The creator who sold the order, or who asked for the sample.",
    )
    tiktok_affiliate_line_ids = fields.One2many(
        "tiktok.affiliate.line", "sale_order_id", string="Creator sales", readonly=True
    )
