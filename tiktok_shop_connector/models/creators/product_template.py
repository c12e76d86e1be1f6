from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    tiktok_commission_rate_ids = fields.One2many(
        "tiktok.collaboration.product",
        "product_tmpl_id",
        string="Creator commission rates",
        readonly=True,
        help="The commission TikTok's open and target collaborations offer creators on it.",
    )
