from odoo import fields, models


class TikTokListingDocument(models.Model):
    """A compliance document the category's rules ask for (a certification), attached or not."""

    _name = "tiktok.listing.document"
    _inherit = ["tiktok.listing.upload"]
    _description = "TikTok listing compliance document"
    _order = "listing_id, required desc, name"
    _tiktok_file_field = "document"
    _tiktok_use_case = "CERTIFICATION_IMAGE"

    tiktok_certification_ref = fields.Char(string="TikTok certification id", required=True)
    name = fields.Char(required=True, readonly=True)
    details = fields.Char(string="What it must show", readonly=True)
    required = fields.Boolean(readonly=True)
    document = fields.Binary(attachment=True, help="A scan or photo (JPEG or PNG).")
    document_name = fields.Char()

    def _tiktok_file_name(self):
        return self.document_name or self.name
