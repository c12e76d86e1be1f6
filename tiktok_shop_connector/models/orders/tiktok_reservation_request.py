"""Stock reservation of imported TikTok orders: one worker, right after the import commits.

Order imports run in several cron workers at once (a LIVE burst needs every core). Creating and
confirming an order, its procurement and its picking touch no row another order shares, but
reserving does: every order of a product updates that product's stock.quant, and two workers
reserving one product at once make the later one fail on a serialization error and redo its
whole batch. So imports confirm without reserving and flag the order; this cron, a job Odoo never
runs twice at the same time, reserves the flagged orders batch after batch.
"""

from datetime import timedelta

from odoo import api, fields, models

from ... import const

RESERVABLE_MOVE_STATES = ("confirmed", "partially_available")


class TikTokReservationRequest(models.Model):
    """An imported order whose stock is still to be reserved; the reservation cron empties it.

    A queue of its own rather than a flag on the order: the reservation cron then writes no
    sale order row, so it never collides with an import updating the order or the source tags.
    """

    _name = "tiktok.reservation.request"
    _description = "TikTok Shop order waiting for its stock reservation"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade", index=True)

    _order_unique = models.Constraint("unique(order_id)", "This order already waits.")

    @api.model
    def _cron_reserve_tiktok_orders(self):
        if self._tiktok_imports_come_first():
            return
        self.env["tiktok.runner"]._run_batches(
            self,
            [],
            const.RESERVATION_BATCH_SIZE,
            lambda requests: requests._tiktok_reserve(),
            order="id",
        )

    @api.model
    def _tiktok_imports_come_first(self):
        """Whether to leave the cores to the imports of waiting webhook events for now.

        In a LIVE burst, reserving costs nearly as much as importing and the two share the same
        cores; the stock pushed to TikTok already counts confirmed orders not reserved yet, so
        waiting cannot oversell. The reservation then runs once the events are imported, or
        when the oldest order has waited RESERVATION_MAX_WAIT, whichever comes first.
        """
        oldest = self.search([], order="id", limit=1)
        if not oldest:
            return False
        max_wait = timedelta(seconds=const.RESERVATION_MAX_WAIT_SECONDS)
        deadline = oldest.create_date + max_wait
        now = fields.Datetime.now()
        # Events that have waited longer are no burst in progress (their crons may be stopped).
        arriving = [("state", "=", "pending"), ("received_at", ">=", now - max_wait)]
        if now >= deadline or not self.env["tiktok.webhook.event"].search_count(arriving, limit=1):
            return False
        retry_at = now + timedelta(seconds=const.RESERVATION_RETRY_SECONDS)
        cron = self.env.ref("tiktok_shop_connector.ir_cron_reserve_tiktok_orders")
        cron._trigger(at=min(deadline, retry_at))
        return True

    def _tiktok_reserve(self):
        """Reserve the stock of these orders' pickings as Odoo would have at confirmation."""
        moves = self.order_id.picking_ids.move_ids.filtered(
            lambda move: move.state in RESERVABLE_MOVE_STATES and move._should_assign_at_confirm()
        )
        moves._action_assign()
        self.unlink()
