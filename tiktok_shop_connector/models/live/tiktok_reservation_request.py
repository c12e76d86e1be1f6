from odoo import models


class TikTokReservationRequest(models.Model):
    _inherit = "tiktok.reservation.request"

    def _tiktok_reserve(self):
        """Override of the orders concern: the LIVE orders of the batch take their units out of
        their event's held stock first, one worker at a time like the reservation itself (a
        fence is a reservation: lowering it writes the product's stock quant)."""
        live = self.order_id.filtered(
            lambda order: order.tiktok_live_event_id and order.state == "sale"
        )
        if live:
            self.env["tiktok.live.event.line"].sudo()._tiktok_consume(live)
        return super()._tiktok_reserve()
