from odoo import api, fields, models


class TikTokBinding(models.AbstractModel):
    """What every binding of a TikTok object of one shop has: the shop, and TikTok's id of it.

    A binding model inherits it, names its TikTok id field in `_tiktok_ref_field` and keeps its
    own unique constraint on (shop_id, that field): a binding is never made twice.
    """

    _name = "tiktok.binding"
    _description = "TikTok Shop binding"
    # The Char field holding TikTok's id of the bound object (e.g. "tiktok_sku_ref").
    _tiktok_ref_field = None

    shop_id = fields.Many2one("tiktok.shop", required=True, ondelete="cascade", index=True)
    # Given at creation (precompute): no second pass writing it on the rows just inserted.
    company_id = fields.Many2one(related="shop_id.company_id", store=True, precompute=True)
    remote_update_time = fields.Integer(
        readonly=True, help="TikTok's update_time of the version last read (Unix seconds)."
    )
    last_sync = fields.Datetime(readonly=True)

    @api.model
    def _tiktok_find(self, shop, refs):
        """The bindings of `shop` whose TikTok id is one of `refs`."""
        return self.search([("shop_id", "=", shop.id), (self._tiktok_ref_field, "in", list(refs))])

    @api.model
    def _tiktok_by_ref(self, shop, refs=None):
        """{TikTok id: binding} of `shop`, for `refs` or, when None, for all its bindings."""
        bindings = (
            self.search([("shop_id", "=", shop.id)])
            if refs is None
            else self._tiktok_find(shop, refs)
        )
        return {binding[self._tiktok_ref_field]: binding for binding in bindings}
