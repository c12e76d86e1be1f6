from datetime import timedelta

from odoo import api, fields, models

from ... import const

_CHANGED_PRODUCTS_KEY = "tiktok_stock_changed_products"


class TikTokStockChange(models.Model):
    """Inbox of products whose stock changed; the stock cron empties it."""

    _name = "tiktok.stock.change"
    _description = "TikTok Shop stock change"
    _log_access = False

    product_id = fields.Many2one("product.product", required=True, ondelete="cascade")

    @api.model
    def _tiktok_note(self, products):
        """Note `products` as changed when this transaction commits (once per transaction)."""
        callbacks = self.env.cr.precommit
        changed = callbacks.data.get(_CHANGED_PRODUCTS_KEY)
        if changed is None:
            changed = callbacks.data[_CHANGED_PRODUCTS_KEY] = set()
            callbacks.add(self._tiktok_record_noted)
        changed.update(products.ids)

    def _tiktok_record_noted(self):
        product_ids = list(self.env.cr.precommit.data.get(_CHANGED_PRODUCTS_KEY) or ())
        if not product_ids:
            return
        # Only products sold on TikTok, and plain inserts: nothing another worker may hold.
        self.env.cr.execute(
            """INSERT INTO tiktok_stock_change (product_id)
               SELECT DISTINCT product_id FROM tiktok_sku WHERE product_id = ANY(%s)""",
            [product_ids],
        )
        if self.env.cr.rowcount:
            self._tiktok_schedule_push()

    @api.model
    def _tiktok_schedule_push(self):
        """Run the stock cron a few seconds from now, unless a run is already due by then:
        a burst of stock moves makes one push."""
        cron = self.env.ref("tiktok_shop_connector.ir_cron_push_stock", raise_if_not_found=False)
        if not cron:
            return
        self.env.cr.execute(
            "SELECT 1 FROM ir_cron_trigger WHERE cron_id = %s AND call_at > now() at time zone "
            "'utc' LIMIT 1",
            [cron.id],
        )
        if not self.env.cr.fetchone():
            delay = timedelta(seconds=const.STOCK_PUSH_DELAY_SECONDS)
            cron.sudo()._trigger(at=fields.Datetime.now() + delay)

    @api.model
    def _tiktok_collect(self):
        """Flag the SKU bindings of the noted products dirty and empty the inbox."""
        self.env.cr.execute(
            "SELECT id, product_id FROM tiktok_stock_change ORDER BY id LIMIT %s",
            [const.STOCK_CHANGE_COLLECT_LIMIT],
        )
        rows = self.env.cr.fetchall()
        if not rows:
            return
        product_ids = list({product_id for _id, product_id in rows})
        self.env["tiktok.sku"].search(
            [("product_id", "in", product_ids), ("stock_dirty", "=", False)]
        ).write({"stock_dirty": True})
        self.env.cr.execute(
            "DELETE FROM tiktok_stock_change WHERE id = ANY(%s)",
            [[row_id for row_id, _p in rows]],
        )
