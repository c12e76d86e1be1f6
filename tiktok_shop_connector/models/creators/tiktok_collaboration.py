from odoo import api, fields, models

COLLABORATION_KINDS = [("open", "Open"), ("target", "Target")]


class TikTokCollaboration(models.Model):
    """A commission offer of the seller: open (one product, any creator) or target (named
    creators, their own rates), read from TikTok."""

    _name = "tiktok.collaboration"
    _inherit = ["tiktok.binding"]
    _description = "TikTok creator collaboration"
    _order = "kind, name, id"
    _tiktok_ref_field = "tiktok_collaboration_ref"

    name = fields.Char(required=True, readonly=True)
    kind = fields.Selection(COLLABORATION_KINDS, required=True, readonly=True)
    tiktok_collaboration_ref = fields.Char(
        string="TikTok collaboration id", required=True, readonly=True
    )
    status = fields.Char(string="TikTok status", readonly=True)
    end_date = fields.Date(readonly=True)
    creator_ids = fields.Many2many(
        "tiktok.creator",
        string="Creators",
        readonly=True,
        help="The creators a target collaboration invites; an open one is for every creator.",
    )
    product_line_ids = fields.One2many(
        "tiktok.collaboration.product", "collaboration_id", string="Products and rates"
    )

    _shop_kind_ref_unique = models.Constraint(
        "unique(shop_id, kind, tiktok_collaboration_ref)",
        "A TikTok collaboration is imported once per shop.",
    )

    @api.model
    def _tiktok_find_by_refs(self, shop, kind, refs):
        """{TikTok id: collaboration} of `shop` and `kind` for `refs`."""
        found = self.search(
            [
                ("shop_id", "=", shop.id),
                ("kind", "=", kind),
                ("tiktok_collaboration_ref", "in", [ref for ref in refs if ref]),
            ]
        )
        return {collaboration.tiktok_collaboration_ref: collaboration for collaboration in found}
