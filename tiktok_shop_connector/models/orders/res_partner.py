from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    tiktok_buyer_ref = fields.Char(string="TikTok buyer id", index=True, copy=False)
    tiktok_address_key = fields.Char(index=True, copy=False)

    _tiktok_buyer_unique = models.UniqueIndex(
        "(tiktok_buyer_ref) WHERE tiktok_buyer_ref IS NOT NULL AND parent_id IS NULL",
        "This TikTok buyer already has a contact.",
    )

    @api.model
    def _tiktok_address_key(self, parts):
        return "|".join(
            str(parts.get(key) or "")
            for key in ("name", "street", "street2", "city", "zip", "state_name", "country_code")
        )
