from odoo import api, fields, models

from ...tiktok_shop.live_room import NO_ALERT, RUNNING_LOW, SOLD_OUT, alert_to_raise
from ..live.tiktok_live_event_line import FENCING_STATES, STOCK_FIGURES

ALERT_STATES = [
    (NO_ALERT, "Enough held"),
    (RUNNING_LOW, "Running low"),
    (SOLD_OUT, "Sold out"),
]


class TikTokLiveEventLine(models.Model):
    _inherit = "tiktok.live.event.line"

    alert_state = fields.Selection(
        ALERT_STATES,
        string="Alert",
        default=NO_ALERT,
        required=True,
        readonly=True,
        copy=False,
        help="The last alert the held stock raised: each is raised once per event.",
    )

    @api.model
    def _tiktok_consume(self, orders):
        """Override of the LIVE events: the orders' products may now call for an alert.

        Raised here, one worker at a time under the lines' lock the consumption takes, rather
        than in the parallel imports, which would write the same line at once. The orders left
        their units to this step when they were confirmed: the alert follows within seconds.
        """
        result = super()._tiktok_consume(orders)
        orders = orders.sudo()
        events, products = orders.tiktok_live_event_id, orders.order_line.product_id
        events.line_ids.filtered(lambda line: line.product_id in products)._tiktok_check_alerts()
        events._tiktok_live_changed()
        return result

    def _tiktok_dashboard_row(self, revenue_by_product):
        self.ensure_one()
        return {
            "id": self.id,
            "product": self.product_id.display_name,
            "featured": self.featured_qty,
            "fenced": self.fenced_qty,
            "sold": self.sold_qty,
            "remaining": self.remaining_qty,
            "threshold": self.alert_threshold,
            "alert": self.alert_state,
            "alert_label": dict(ALERT_STATES)[self.alert_state],
            "revenue": revenue_by_product.get(self.product_id, 0.0),
        }

    def _tiktok_flash_row(self, margins_by_product):
        """The line in the flash report: planned against sold, and its revenue."""
        self.ensure_one()
        sold = self.sold_qty
        return {
            "product": self.product_id,
            "featured": self.featured_qty,
            "fenced": self.fenced_qty,
            "sold": sold,
            "difference": sold - self.featured_qty,
            "sold_percent": 100 * sold / self.featured_qty,
            "revenue": margins_by_product.get(self.product_id, {}).get("revenue_amount", 0.0),
        }

    # === ALERTS === #

    def _tiktok_check_alerts(self):
        """Raise, once each, the alerts the lines' held stock calls for now: running low when
        it falls to the line's threshold, sold out when nothing is held any more."""
        self.invalidate_recordset(STOCK_FIGURES)
        holding = self.filtered(lambda line: line.state in FENCING_STATES and line.fence_move_id)
        for line in holding:
            alert = alert_to_raise(line.alert_state, line.remaining_qty, line.alert_threshold)
            if alert:
                line.alert_state = alert
                line._tiktok_raise_alert()

    def _tiktok_raise_alert(self):
        """Tell the warehouse team and the event's responsible at once, and leave an activity on
        the event for whoever acts on it."""
        self.ensure_one()
        title, message = self._tiktok_alert_text()
        kind = "danger" if self.alert_state == SOLD_OUT else "warning"
        for user in self._tiktok_alert_recipients():
            user._bus_send(
                "simple_notification",
                {"title": title, "message": message, "type": kind, "sticky": True},
            )
        event = self.event_id
        event.activity_schedule(
            "mail.mail_activity_data_warning",
            summary=title,
            note=message,
            user_id=event.user_id.id or self.env.uid,
        )

    def _tiktok_alert_text(self):
        """(title, message) of the line's alert, in the seller's words."""
        values = {
            "event": self.event_id.name,
            "product": self.product_id.display_name,
            "remaining": f"{self.remaining_qty:g}",
            "fenced": f"{self.fenced_qty:g}",
        }
        if self.alert_state == SOLD_OUT:
            return (
                self.env._("Sold out on the LIVE"),
                self.env._(
                    "%(event)s: %(product)s is sold out, all %(fenced)s units held for the "
                    "LIVE are sold.",
                    **values,
                ),
            )
        return (
            self.env._("Running low on the LIVE"),
            self.env._(
                "%(event)s: only %(remaining)s of the %(fenced)s units of %(product)s held for "
                "the LIVE are left.",
                **values,
            ),
        )

    def _tiktok_alert_recipients(self):
        """The event's responsible and the inventory users of its company: the warehouse team."""
        self.ensure_one()
        event = self.event_id
        warehouse_team = self.env.ref("stock.group_stock_user").all_user_ids.filtered(
            lambda user: not user.share and event.company_id in user.company_ids
        )
        return event.user_id | warehouse_team
