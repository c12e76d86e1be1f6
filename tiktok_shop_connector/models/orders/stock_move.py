from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _should_assign_at_confirm(self):
        """Override of `stock`: a TikTok import leaves reservation to the reservation cron."""
        if self.env.context.get("tiktok_defer_reservation"):
            return self._should_bypass_reservation()
        return super()._should_assign_at_confirm()
