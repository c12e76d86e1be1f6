from odoo import models

from ..live.tiktok_live_event import unix_time


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _action_confirm(self):
        """Override of `sale`: a confirmed LIVE order counts as sold; its event's control rooms
        and stock alerts hear of it."""
        result = super()._action_confirm()
        self.tiktok_live_event_id._tiktok_live_changed()
        return result

    def _action_cancel(self):
        """Override of `sale`: a cancelled LIVE order gives its units back to its event."""
        result = super()._action_cancel()
        self.tiktok_live_event_id._tiktok_live_changed()
        return result

    def _tiktok_placed_at(self):
        """Unix seconds the buyer placed the order at: TikTok's time, else the order's date."""
        self.ensure_one()
        return self.tiktok_create_time or unix_time(self.date_order)
