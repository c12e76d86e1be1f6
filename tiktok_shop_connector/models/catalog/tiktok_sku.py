from odoo import api, fields, models

from ... import const
from ...tools import RELOAD_VIEW, claim_without_waiting, create_unless_concurrent, notification


class TikTokSku(models.Model):
    """The binding of one TikTok SKU of one shop to the Odoo product variant it sells.

    Bindings are made when an order or the catalog import first meets a SKU: by an existing
    binding, else by seller SKU = internal reference, else by barcode. A SKU that matches nothing
    stays unmapped: its orders wait with an exception until a product is set here, and are then
    processed again.
    """

    _name = "tiktok.sku"
    _inherit = ["tiktok.binding"]
    _description = "TikTok Shop SKU"
    _order = "shop_id, seller_sku, id"
    _rec_name = "display_label"
    _tiktok_ref_field = "tiktok_sku_ref"

    tiktok_sku_ref = fields.Char(string="TikTok SKU id", required=True, index=True)
    tiktok_product_ref = fields.Char(string="TikTok product id", index=True)
    product_binding_id = fields.Many2one(
        "tiktok.product", string="TikTok product", index="btree_not_null", ondelete="cascade"
    )
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
        "unique(shop_id, tiktok_sku_ref)", "This TikTok SKU is already bound in this shop."
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

    @api.depends("seller_sku", "tiktok_sku_ref", "name")
    def _compute_display_label(self):
        for sku in self:
            sku.display_label = sku.seller_sku or sku.name or sku.tiktok_sku_ref

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
        bindings = self._tiktok_by_ref(shop, {line.sku_id for line in lines})
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
                        "tiktok_sku_ref": line.sku_id,
                        "seller_sku": line.seller_sku,
                        "tiktok_product_ref": line.product_ref or False,
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


class TikTokSkuMapping(models.Model):
    """The SKU Mapping screen: conflicts, and the bulk actions on the selected SKUs."""

    _inherit = "tiktok.sku"

    def write(self, vals):
        result = super().write(vals)
        # The catalog import writes SKU after SKU and checks the whole shop once at the end.
        if ("product_id" in vals or "ignored" in vals) and not self.env.context.get(
            "tiktok_defer_conflicts"
        ):
            self._tiktok_refresh_conflicts(self.shop_id)
        return result

    # === CONFLICTS === #

    @api.model
    def _tiktok_refresh_conflicts(self, shops):
        """Mark the SKUs of `shops` whose mapping needs the seller's decision, clear the others.

        Two cases: an unmapped SKU whose seller SKU names several Odoo products, and an Odoo
        product bound to more than one SKU of the same shop (its stock would be sold twice).
        """
        for shop in shops:
            reasons = {
                **self._tiktok_shared_products(shop),
                **self._tiktok_ambiguous_skus(shop),
            }
            stale = self.search(
                [
                    ("shop_id", "=", shop.id),
                    ("conflict_reason", "!=", False),
                    ("id", "not in", list(reasons)),
                ]
            )
            if stale:
                super(TikTokSkuMapping, stale).write({"conflict_reason": False})
            for sku_id, reason in reasons.items():
                sku = self.browse(sku_id)
                if sku.conflict_reason != reason:
                    super(TikTokSkuMapping, sku).write({"conflict_reason": reason})

    @api.model
    def _tiktok_shared_products(self, shop):
        """{SKU id: reason} for the SKUs whose Odoo product another SKU of the shop has too."""
        groups = self._read_group(
            [
                ("shop_id", "=", shop.id),
                ("product_id", "!=", False),
                ("ignored", "=", False),
            ],
            ["product_id"],
            ["id:array_agg"],
            having=[("__count", ">", 1)],
        )
        reasons = {}
        for product, sku_ids in groups:
            labels = ", ".join(self.browse(sorted(sku_ids)).mapped("display_label"))
            reason = self.env._(
                "%(product)s is the Odoo product of several SKUs of this shop: %(skus)s",
                product=product.display_name,
                skus=labels,
            )
            reasons.update(dict.fromkeys(sku_ids, reason))
        return reasons

    @api.model
    def _tiktok_ambiguous_skus(self, shop):
        """{SKU id: reason} for the unmapped SKUs whose seller SKU names several products."""
        unmapped = self.search(
            [
                ("shop_id", "=", shop.id),
                ("product_id", "=", False),
                ("ignored", "=", False),
            ]
        )
        candidates = self._match_candidates(shop, unmapped.mapped("seller_sku"))
        reasons = {}
        for sku in unmapped:
            products = candidates.get(sku.seller_sku)
            if products and len(products) > 1:
                reasons[sku.id] = self.env._(
                    "Seller SKU %(sku)s matches several Odoo products: %(products)s",
                    sku=sku.seller_sku,
                    products=", ".join(products.mapped("display_name")),
                )
        return reasons

    # === BULK ACTIONS (list buttons of the SKU Mapping screen) === #

    def action_tiktok_auto_map(self):
        """Match the selected unmapped SKUs again: seller SKU = internal reference, then barcode."""
        mapped = self.browse()
        for shop, skus in self.filtered(lambda sku: not sku.product_id).grouped("shop_id").items():
            candidates = self._match_candidates(shop, skus.mapped("seller_sku"))
            matches = {code: found.id for code, found in candidates.items() if len(found) == 1}
            matched = skus.filtered(lambda sku, matches=matches: sku.seller_sku in matches)
            for product_id, same_product in matched.grouped(
                lambda sku, matches=matches: matches[sku.seller_sku]
            ).items():
                same_product.with_context(const.DEFER_CONFLICTS).write(
                    {"product_id": product_id, "ignored": False}
                )
            mapped |= matched
        self._tiktok_refresh_conflicts(self.shop_id)
        return self._tiktok_notify(
            self.env._(
                "%(mapped)s of %(selected)s SKUs mapped.",
                mapped=len(mapped),
                selected=len(self),
            )
        )

    def action_tiktok_create_products(self):
        """Create the Odoo products of the selected unmapped SKUs, from TikTok's catalog."""
        unmapped = self.filtered(lambda sku: not sku.product_id)
        for shop, skus in unmapped.grouped("shop_id").items():
            shop._tiktok_create_products_for_skus(skus)
        created = unmapped.filtered("product_id")
        return self._tiktok_notify(
            self.env._("%(count)s Odoo products created.", count=len(created))
        )

    def action_tiktok_ignore(self):
        self.write({"ignored": True})
        return self._tiktok_notify(self.env._("%(count)s SKUs ignored.", count=len(self)))

    def action_tiktok_unignore(self):
        self.write({"ignored": False})
        return self._tiktok_notify(self.env._("%(count)s SKUs back on the list.", count=len(self)))

    def _tiktok_notify(self, message):
        return notification(message, then=RELOAD_VIEW)
