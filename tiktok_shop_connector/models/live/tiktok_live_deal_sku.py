from odoo import api, fields, models


class TikTokLiveDealSku(models.Model):
    """A SKU of a flash sale and its purchase limits (-1: no limit)."""

    _name = "tiktok.live.deal.sku"
    _description = "TikTok flash sale SKU"
    _order = "deal_id, id"

    deal_id = fields.Many2one("tiktok.live.deal", required=True, ondelete="cascade", index=True)
    tiktok_product_ref = fields.Char(string="TikTok product id", readonly=True)
    tiktok_sku_ref = fields.Char(string="TikTok SKU id", readonly=True)
    sku_id = fields.Many2one("tiktok.sku", string="SKU", readonly=True)
    product_id = fields.Many2one(related="sku_id.product_id")
    quantity_limit = fields.Integer(
        string="Total limit", readonly=True, help="Units the deal sells in all; -1: no limit."
    )
    quantity_per_user = fields.Integer(
        string="Per buyer", readonly=True, help="Units one buyer may buy; -1: no limit."
    )

    @api.model
    def _tiktok_values(self, shop, deal_sku):
        """Values of a `DealSku`; a deal set per product (no SKU id) is matched to the shop's SKU
        of that product, its limit being the product's."""
        skus = self.env["tiktok.sku"].search(
            [("shop_id", "=", shop.id)]
            + (
                [("tiktok_sku_ref", "=", deal_sku.sku_id)]
                if deal_sku.sku_id
                else [("tiktok_product_ref", "=", deal_sku.product_id)]
            ),
            limit=1,
        )
        return {
            "tiktok_product_ref": deal_sku.product_id,
            "tiktok_sku_ref": deal_sku.sku_id,
            "sku_id": skus.id,
            "quantity_limit": deal_sku.quantity_limit,
            "quantity_per_user": deal_sku.quantity_per_user,
        }
