from odoo import fields, models


class TikTokSkuPrice(models.Model):
    _inherit = "tiktok.sku"

    # Decimal strings as TikTok took them: a SKU is pushed again only when its price moves.
    pushed_price = fields.Char(string="Sale price on TikTok", readonly=True, copy=False)
    pushed_list_price = fields.Char(string="List price on TikTok", readonly=True, copy=False)
