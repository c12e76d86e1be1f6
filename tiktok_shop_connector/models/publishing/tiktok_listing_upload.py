import base64

from odoo import fields, models

from ...tiktok_shop import endpoints


class TikTokListingUpload(models.AbstractModel):
    """A file of a listing sent to TikTok's image upload once; a new file is sent again."""

    _name = "tiktok.listing.upload"
    _description = "TikTok listing file"
    # The Binary field holding the file, and TikTok's use case for it.
    _tiktok_file_field = None
    _tiktok_use_case = None

    listing_id = fields.Many2one("tiktok.product", required=True, ondelete="cascade", index=True)
    tiktok_uri = fields.Char(string="TikTok URI", readonly=True, copy=False)

    def write(self, vals):
        if self._tiktok_file_field in vals:
            vals = {**vals, "tiktok_uri": False}
        return super().write(vals)

    def _tiktok_file_name(self):
        return self.name

    def _tiktok_upload(self):
        """TikTok's URI of the file, uploaded the first time."""
        if not self.tiktok_uri:
            answer = self.listing_id.shop_id._tiktok_request(
                endpoints.IMAGE_UPLOAD,
                files={
                    "data": (
                        self._tiktok_file_name(),
                        base64.b64decode(self[self._tiktok_file_field]),
                    )
                },
                form={"use_case": self._tiktok_use_case},
            )
            self.tiktok_uri = answer["uri"]
        return self.tiktok_uri
