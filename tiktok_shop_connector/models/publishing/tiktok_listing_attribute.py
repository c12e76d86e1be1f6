from odoo import fields, models


class TikTokListingAttribute(models.Model):
    """A product attribute the listing's category has; required ones must have a value."""

    _name = "tiktok.listing.attribute"
    _description = "TikTok listing attribute"
    _order = "listing_id, required desc, sequence, id"

    listing_id = fields.Many2one("tiktok.product", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer()
    tiktok_attribute_ref = fields.Char(string="TikTok attribute id", required=True, readonly=True)
    name = fields.Char(required=True, readonly=True)
    required = fields.Boolean(readonly=True)
    multiple = fields.Boolean(string="Several values", readonly=True)
    allowed_values = fields.Char(readonly=True, help="Empty: any text.")
    value = fields.Char(help="Several values are separated by commas when the attribute allows.")

    def _value_names(self):
        if not (self.value or "").strip():
            return []
        names = self.value.split(",") if self.multiple else [self.value]
        return [name.strip() for name in names if name.strip()]
