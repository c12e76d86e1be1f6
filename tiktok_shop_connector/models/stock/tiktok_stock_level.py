from odoo import api, fields, models


class TikTokStockLevel(models.Model):
    """The quantity last pushed for one SKU binding in one TikTok warehouse."""

    _name = "tiktok.stock.level"
    _description = "TikTok Shop pushed stock"
    _log_access = False
    _order = "sku_id, tiktok_warehouse_id"

    sku_id = fields.Many2one("tiktok.sku", required=True, ondelete="cascade", index=True)
    tiktok_warehouse_id = fields.Many2one("tiktok.warehouse", required=True, ondelete="cascade")
    quantity = fields.Integer(readonly=True)
    pushed_at = fields.Datetime(readonly=True)

    _sku_warehouse_unique = models.Constraint(
        "unique(sku_id, tiktok_warehouse_id)",
        "A SKU has one pushed quantity per warehouse.",
    )

    @api.model
    def _tiktok_pushed(self, skus):
        """{(SKU id, TikTok warehouse id): quantity last pushed}."""
        levels = self.search_fetch([("sku_id", "in", skus.ids)], ["quantity"])
        return {(level.sku_id.id, level.tiktok_warehouse_id.id): level.quantity for level in levels}

    @api.model
    def _tiktok_record(self, quantities):
        """Remember {(SKU id, TikTok warehouse id): quantity} as pushed now.

        The caller holds the locks of these SKU bindings, so no other worker writes their rows.
        """
        if not quantities:
            return
        self.env.cr.execute(
            """INSERT INTO tiktok_stock_level (sku_id, tiktok_warehouse_id, quantity, pushed_at)
               SELECT unnest(%s::int[]), unnest(%s::int[]), unnest(%s::int[]),
                      now() at time zone 'utc'
               ON CONFLICT (sku_id, tiktok_warehouse_id)
               DO UPDATE SET quantity = EXCLUDED.quantity, pushed_at = EXCLUDED.pushed_at""",
            [
                [sku for sku, _warehouse in quantities],
                [warehouse for _sku, warehouse in quantities],
                list(quantities.values()),
            ],
        )
        self.invalidate_model(["quantity", "pushed_at"])
