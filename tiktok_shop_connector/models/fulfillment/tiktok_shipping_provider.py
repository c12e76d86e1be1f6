from odoo import fields, models


class TikTokShippingProvider(models.Model):
    """A shipping provider TikTok accepts for a shop, and the Odoo carrier that stands for it."""

    _name = "tiktok.shipping.provider"
    _inherit = ["tiktok.binding"]
    _description = "TikTok Shop shipping provider"
    _order = "shop_id, name"
    _tiktok_ref_field = "tiktok_provider_ref"

    tiktok_provider_ref = fields.Char(string="TikTok provider id", required=True, readonly=True)
    name = fields.Char(required=True, readonly=True)
    carrier_id = fields.Many2one("delivery.carrier", string="Odoo carrier")

    _shop_provider_unique = models.Constraint(
        "unique(shop_id, tiktok_provider_ref)", "This TikTok shipping provider is already listed."
    )
    _shop_carrier_unique = models.Constraint(
        "unique(shop_id, carrier_id)", "This carrier already stands for another TikTok provider."
    )
