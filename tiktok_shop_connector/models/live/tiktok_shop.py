from datetime import timedelta

from odoo import api, fields, models

from ...tiktok_shop.live_events import counted_by_tiktok, with_live_fences
from .tiktok_live_event_line import FENCING_STATES


class TikTokShopLive(models.Model):
    _inherit = "tiktok.shop"

    live_event_ids = fields.One2many("tiktok.live.event", "shop_id", string="LIVE events")

    # === ORDERS === #

    def _tiktok_finish_created(self, orders, mapped_orders):
        """Override of the orders concern: new orders of a LIVE's window join its event before
        they are confirmed."""
        self.env["tiktok.live.event"].sudo()._tiktok_link_orders(self, orders)
        return super()._tiktok_finish_created(orders, mapped_orders)

    def _tiktok_tag_sources(self, orders):
        """Override of the orders concern: an order of a LIVE event's window is a LIVE sale,
        whatever TikTok's sessions say; its creator is read as for every order."""
        super()._tiktok_tag_sources(orders)
        live = orders.filtered(lambda o: o.tiktok_live_event_id and o.tiktok_source != "live")
        live.tiktok_source = "live"

    @api.model
    def _cron_poll_live_orders(self):
        """Poll the orders of the shops live now, each at its events' interval.

        TikTok's notifications bring a LIVE's orders within seconds; this catches what a lost
        notification would leave behind while the LIVE still sells. The cron runs again when the
        next shop is due (Odoo's cron workers take it as soon as they wake, within the minute).
        """
        events = self.env["tiktok.live.event"].search([("state", "=", "live")])
        now = fields.Datetime.now()
        interval = {
            shop: timedelta(seconds=min(shop_events.mapped("live_poll_seconds")))
            for shop, shop_events in events.grouped("shop_id").items()
        }
        due = self.browse(
            [
                shop.id
                for shop, every in interval.items()
                if shop._is_syncing("orders")
                and (not shop.last_sync_orders or shop.last_sync_orders + every <= now)
            ]
        )
        self.env["tiktok.runner"]._run_per_shop("orders", due, "_tiktok_poll_orders")
        if interval:
            cron = self.env.ref("tiktok_shop_connector.ir_cron_poll_live_orders")
            cron.sudo()._trigger(fields.Datetime.now() + min(interval.values()))

    # === STOCK === #

    def _tiktok_quantities_to_show(self, skus, outlets):
        """Override of the stock concern: the featured products of the shop's LIVE events show
        their held stock (see `with_live_fences`), and under the flash-sale lock TikTok keeps
        its own count once shown the plan (see `counted_by_tiktok`)."""
        quantities = super()._tiktok_quantities_to_show(skus, outlets)
        lines = self._tiktok_live_lines(skus.product_id)
        if not lines:
            return quantities
        sku_products = {sku.id: sku.product_id.id for sku in skus}
        shown = with_live_fences(quantities, sku_products, self._tiktok_live_fences(lines, outlets))
        counting = {line.product_id.id for line in lines if line._tiktok_is_counted_by_tiktok()}
        if not counting:
            return shown
        pushed = self.env["tiktok.stock.level"]._tiktok_pushed(skus)
        return counted_by_tiktok(shown, pushed, sku_products, counting)

    def _tiktok_push_stock_batch(self, skus, outlets, client, log):
        """Override of the stock concern: a locked product whose figure TikTok now has (pushed,
        or already equal) is counted by TikTok from its current plan on."""
        result = super()._tiktok_push_stock_batch(skus, outlets, client, log)
        told = skus.filtered(lambda sku: not sku.stock_dirty).product_id
        for line in self._tiktok_live_lines(told):
            if line.event_id.flash_sale_lock and line.shown_fenced_qty != line.fenced_qty:
                line.shown_fenced_qty = line.fenced_qty
        return result

    def _tiktok_live_lines(self, products):
        """The lines of the shop's events holding stock of these products now."""
        self.ensure_one()
        return self.env["tiktok.live.event.line"].search(
            [
                ("event_id.shop_id", "=", self.id),
                ("event_id.state", "in", FENCING_STATES),
                ("product_id", "in", products.ids),
                ("fence_move_id", "!=", False),
            ]
        )

    def _tiktok_live_fences(self, lines, outlets):
        """{product id: [(outlet id, units still held, locked)]} of these event lines.

        The held stock shows in one outlet: the first fed by the event's warehouse (the default
        one comes first), so that the shop's outlets together never show it twice.
        """
        feeding = {outlet: outlet._tiktok_feeding_warehouses() for outlet in outlets}
        fences = {}
        for line in lines:
            warehouse = line.event_id.warehouse_id
            fed = [outlet for outlet in outlets if warehouse in feeding[outlet]]
            outlet = fed[0] if fed else outlets[:1]
            if outlet:
                fences.setdefault(line.product_id.id, []).append(
                    (outlet.id, line.remaining_qty, line.event_id.flash_sale_lock)
                )
        return fences
