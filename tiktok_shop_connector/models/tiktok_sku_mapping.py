from odoo import api, models

from .. import const


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
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
