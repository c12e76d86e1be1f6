from odoo import api, fields, models


class TikTokCollaborationProduct(models.Model):
    """A product of a collaboration and the commission rate it offers on it."""

    _name = "tiktok.collaboration.product"
    _description = "TikTok collaboration product"
    _order = "collaboration_id, id"

    collaboration_id = fields.Many2one(
        "tiktok.collaboration", required=True, ondelete="cascade", index=True
    )
    shop_id = fields.Many2one(related="collaboration_id.shop_id", store=True)
    kind = fields.Selection(related="collaboration_id.kind", store=True)
    creator_ids = fields.Many2many(related="collaboration_id.creator_ids", string="Creators")
    tiktok_product_ref = fields.Char(string="TikTok product id", required=True, index=True)
    product_binding_id = fields.Many2one(
        "tiktok.product",
        string="TikTok product",
        compute="_compute_product_binding_id",
        store=True,
        index="btree_not_null",
    )
    product_tmpl_id = fields.Many2one(
        related="product_binding_id.product_tmpl_id", store=True, index="btree_not_null"
    )
    commission_rate = fields.Float(string="Commission (%)", digits=(16, 2))

    @api.depends("tiktok_product_ref", "shop_id")
    def _compute_product_binding_id(self):
        Binding = self.env["tiktok.product"]
        for line in self:
            line.product_binding_id = Binding.search(
                [
                    ("shop_id", "=", line.shop_id.id),
                    ("tiktok_product_ref", "=", line.tiktok_product_ref),
                ],
                limit=1,
            )
