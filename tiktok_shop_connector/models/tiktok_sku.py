from odoo import api, fields, models

from ..tools import claim_without_waiting, create_unless_concurrent


class TikTokSku(models.Model):
    """The binding of one TikTok SKU of one shop to the Odoo product variant it sells.

    Bindings are made when an order or the catalog import first meets a SKU: by an existing
    binding, else by seller SKU = internal reference, else by barcode. A SKU that matches nothing
    stays unmapped: its orders wait with an exception until a product is set here, and are then
    processed again.
    """

    _name = "tiktok.sku"
    _description = "TikTok Shop SKU"
    _order = "shop_id, seller_sku, id"
    _rec_name = "display_label"

    shop_id = fields.Many2one("tiktok.shop", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    tiktok_sku_id = fields.Char(string="TikTok SKU id", required=True, index=True)
    tiktok_product_id = fields.Char(string="TikTok product id", index=True)
    product_binding_id = fields.Many2one(
        "tiktok.product", string="TikTok product", index="btree_not_null", ondelete="cascade"
    )
    remote_update_time = fields.Integer(
        readonly=True, help="TikTok's update_time of the product version last read."
    )
    last_sync = fields.Datetime(readonly=True)
    seller_sku = fields.Char(string="Seller SKU", index=True)
    name = fields.Char(string="TikTok name")
    product_id = fields.Many2one(
        "product.product", string="Odoo product", index=True, check_company=True
    )
    state = fields.Selection(
        [
            ("unmapped", "Unmapped"),
            ("conflict", "Conflict"),
            ("mapped", "Mapped"),
            ("ignored", "Ignored"),
        ],
        compute="_compute_state",
        store=True,
        index=True,
    )
    ignored = fields.Boolean(
        help="Set aside on the mapping screen. Its orders keep waiting with their exception."
    )
    conflict_reason = fields.Char(
        readonly=True,
        help="Why the mapping needs a decision: its seller SKU matches several Odoo products, or "
        "its Odoo product is bound to another SKU of the shop too.",
    )
    display_label = fields.Char(compute="_compute_display_label")
    blocked_order_ids = fields.Many2many(
        "sale.order",
        "sale_order_tiktok_unmapped_sku_rel",
        "sku_id",
        "order_id",
        string="Orders waiting for it",
        readonly=True,
    )

    _shop_sku_unique = models.Constraint(
        "unique(shop_id, tiktok_sku_id)", "This TikTok SKU is already bound in this shop."
    )

    @api.depends("product_id", "ignored", "conflict_reason")
    def _compute_state(self):
        for sku in self:
            if sku.conflict_reason:
                sku.state = "conflict"
            elif sku.product_id:
                sku.state = "mapped"
            else:
                sku.state = "ignored" if sku.ignored else "unmapped"

    @api.depends("seller_sku", "tiktok_sku_id", "name")
    def _compute_display_label(self):
        for sku in self:
            sku.display_label = sku.seller_sku or sku.name or sku.tiktok_sku_id

    def write(self, vals):
        mapping = bool(vals.get("product_id"))
        newly_mapped = self.filtered(lambda sku: not sku.product_id) if mapping else None
        result = super().write(vals)
        if newly_mapped:
            newly_mapped.blocked_order_ids._tiktok_reprocess_blocked()
        return result

    @api.model
    def _tiktok_bind(self, shop, lines):
        """{TikTok SKU id: tiktok.sku} for `lines` (MappedLine), creating missing bindings.

        One query per batch for the existing bindings, one for the products to match. A binding
        another worker creates at the same moment is missing from the result: the orders that
        need it fail for now and are retried (see `OrderBuilder.check_ready`).
        """
        sku_ids = {line.sku_id for line in lines}
        bindings = {
            sku.tiktok_sku_id: sku
            for sku in self.search(
                [("shop_id", "=", shop.id), ("tiktok_sku_id", "in", list(sku_ids))]
            )
        }
        missing = [line for line in _unique_by_sku(lines) if line.sku_id not in bindings]
        claimed = claim_without_waiting(
            self.env, f"tiktok sku {shop.id}", [line.sku_id for line in missing]
        )
        missing = [line for line in missing if line.sku_id in claimed]
        if missing:
            products = self._match_products(shop, [line.seller_sku for line in missing])
            for line in missing:
                sku = create_unless_concurrent(
                    self,
                    {
                        "shop_id": shop.id,
                        "tiktok_sku_id": line.sku_id,
                        "seller_sku": line.seller_sku,
                        "name": line.description,
                        "product_id": products.get(line.seller_sku, False),
                    },
                )
                if sku:
                    bindings[line.sku_id] = sku
        return bindings

    @api.model
    def _match_products(self, shop, seller_skus):
        """{seller SKU: product id} matching internal reference first, then barcode.

        When several products have it, the last one found: an order never waits on a duplicate
        reference. The catalog import and the mapping screen read `_match_candidates` instead,
        and leave such SKUs to the seller as conflicts.
        """
        candidates = self._match_candidates(shop, seller_skus)
        return {code: products[-1].id for code, products in candidates.items()}

    @api.model
    def _match_candidates(self, shop, seller_skus):
        """{seller SKU: the Odoo variants it names}, by internal reference, else by barcode."""
        codes = {code for code in seller_skus if code}
        Product = self.env["product.product"].with_company(shop.company_id)
        company_domain = [("company_id", "in", (False, shop.company_id.id))]
        candidates = {}
        for field_name in ("default_code", "barcode"):  # the reference wins: read it first
            remaining = list(codes - candidates.keys())
            if remaining:
                found = Product.search([(field_name, "in", remaining), *company_domain])
                candidates.update(found.grouped(field_name))
        return candidates


def _unique_by_sku(lines):
    seen = {}
    for line in lines:
        seen.setdefault(line.sku_id, line)
    return list(seen.values())
