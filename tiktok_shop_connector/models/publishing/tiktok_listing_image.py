import base64
import io

from odoo import api, fields, models
from PIL import Image

from ...tiktok_shop import listing_rules


class TikTokListingImage(models.Model):
    """One image of a listing; the first is the main image. Checked before it is uploaded."""

    _name = "tiktok.listing.image"
    _inherit = ["tiktok.listing.upload"]
    _description = "TikTok listing image"
    _tiktok_file_field = "image"
    _tiktok_use_case = "MAIN_IMAGE"
    _order = "listing_id, sequence, id"

    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, default="image")
    # Not resized: TikTok's own limits (1:1, 600 px, 5 MB) are checked on the original.
    image = fields.Image(required=True)
    width = fields.Integer(compute="_compute_dimensions", store=True)
    height = fields.Integer(compute="_compute_dimensions", store=True)
    size_bytes = fields.Integer(string="Size (bytes)", compute="_compute_dimensions", store=True)

    @api.depends("image")
    def _compute_dimensions(self):
        for record in self:
            data = base64.b64decode(record.image) if record.image else b""
            record.size_bytes = len(data)
            record.width, record.height = _image_size(data)

    def _tiktok_info(self):
        return listing_rules.ImageInfo(self.name, self.width, self.height, self.size_bytes)


def _image_size(data):
    if not data:
        return 0, 0
    try:
        return Image.open(io.BytesIO(data)).size
    except OSError:
        return 0, 0
