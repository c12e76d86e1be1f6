from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    tiktok_affiliate_line_ids = fields.One2many(
        "tiktok.affiliate.line", "sale_line_id", string="Creator sales", readonly=True
    )
