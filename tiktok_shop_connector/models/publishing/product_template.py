from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    tiktok_listing_ids = fields.One2many(
        "tiktok.product",
        "product_tmpl_id",
        string="TikTok listings",
        help="One listing per TikTok shop: add a line, then open it to fill and publish it.",
    )
