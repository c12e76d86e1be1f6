from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    tiktok_live_event_id = fields.Many2one(
        "tiktok.live.event",
        string="LIVE event",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="Sold during this LIVE: its units come out of the stock held for it.",
    )

    def _action_confirm(self):
        """Override of `sale`: a LIVE order reserving at confirmation takes its units out of the
        event's held stock first, so its own reservation finds them free. An import defers the
        reservation: the reservation cron takes them then (`tiktok.reservation.request`)."""
        live = self.filtered("tiktok_live_event_id")
        if live and not self.env.context.get("tiktok_defer_reservation"):
            self.env["tiktok.live.event.line"].sudo()._tiktok_consume(live)
        return super()._action_confirm()

    def _action_cancel(self):
        """Override of `sale`: what a cancelled LIVE order took out of the held stock is held
        again while its event still holds stock (TikTok shows those units again)."""
        result = super()._action_cancel()
        live = self.filtered("tiktok_live_event_id")
        if live:
            self.env["tiktok.live.event.line"].sudo()._tiktok_restore(live)
        return result
