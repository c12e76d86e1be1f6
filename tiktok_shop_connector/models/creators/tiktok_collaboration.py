from odoo import Command, api, fields, models

from ..finance.tiktok_settlement import utc_date

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

    @api.model
    def _tiktok_store(self, shop, collaborations):
        """Create or update `collaborations` (read `tiktok_shop.affiliates.Collaboration`s of
        one kind) of `shop`, with their products' rates."""
        if not collaborations:
            return self
        kind = collaborations[0].kind
        existing = self._tiktok_find_by_refs(shop, kind, [c.ref for c in collaborations])
        creators = (
            self.env["tiktok.creator"]
            .sudo()
            ._tiktok_find_or_create(
                shop.company_id, (), [creator for c in collaborations for creator in c.creators]
            )
        )
        stored = self
        for collaboration in collaborations:
            values = {
                "shop_id": shop.id,
                "kind": kind,
                "tiktok_collaboration_ref": collaboration.ref,
                "name": collaboration.name,
                "status": collaboration.status or False,
                "end_date": utc_date(collaboration.end_time),
                "creator_ids": [
                    Command.set([creators[name].id for name in collaboration.creator_usernames])
                ],
            }
            rates = [(p.product_ref, float(p.commission_rate)) for p in collaboration.products]
            record = existing.get(collaboration.ref)
            if record and record._tiktok_rates() != rates:
                values["product_line_ids"] = [Command.clear()]
            if not record or "product_line_ids" in values:
                values.setdefault("product_line_ids", [])
                values["product_line_ids"] += [
                    Command.create({"tiktok_product_ref": ref, "commission_rate": rate})
                    for ref, rate in rates
                ]
            if record:
                record.write(values)
            else:
                record = self.create(values)
            stored |= record
        return stored

    def _tiktok_rates(self):
        self.ensure_one()
        return [(line.tiktok_product_ref, line.commission_rate) for line in self.product_line_ids]
