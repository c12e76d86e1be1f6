from datetime import UTC, datetime

from odoo import api, fields, models


def utc_datetime(timestamp):
    return datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None) if timestamp else False


class TikTokLiveSession(models.Model):
    """One of TikTok's LIVE sessions (Get Shop LIVE Performance) linked to an event: its real
    window, which widens the event's, and its figures."""

    _name = "tiktok.live.session"
    _inherit = ["tiktok.binding"]
    _description = "TikTok LIVE session"
    _order = "start_time, id"
    _tiktok_ref_field = "tiktok_live_ref"

    tiktok_live_ref = fields.Char(string="TikTok LIVE id", required=True, readonly=True)
    event_id = fields.Many2one("tiktok.live.event", required=True, ondelete="cascade", index=True)
    currency_id = fields.Many2one(related="shop_id.currency_id")
    title = fields.Char(readonly=True)
    host = fields.Char(readonly=True, help="The TikTok account that hosted the LIVE.")
    start_time = fields.Datetime(string="Started", readonly=True)
    end_time = fields.Datetime(string="Ended", readonly=True)
    gmv = fields.Monetary(string="Sales (GMV)", readonly=True)
    items_sold = fields.Integer(string="Units sold", readonly=True)
    customers = fields.Integer(string="Buyers", readonly=True)
    sku_orders = fields.Integer(string="Orders per SKU", readonly=True)
    viewers = fields.Integer(readonly=True)
    views = fields.Integer(readonly=True)
    click_to_order_rate = fields.Float(
        string="Click-to-order rate (%)", readonly=True, digits=(5, 2)
    )
    minute_ids = fields.One2many("tiktok.live.session.minute", "session_id", string="Per minute")

    _shop_live_unique = models.Constraint(
        "unique(shop_id, tiktok_live_ref)", "A TikTok LIVE session is linked once per shop."
    )

    @api.model
    def _tiktok_store(self, event, figures):
        """Create or update the event's sessions from `LiveSessionFigures`, then their minutes."""
        existing = self._tiktok_by_ref(event.shop_id, [f.live_id for f in figures])
        sessions = self.browse()
        for session in figures:
            values = _session_values(session)
            record = existing.get(session.live_id)
            if record:
                record.write({**values, "event_id": event.id})
            else:
                record = self.create({**values, "shop_id": event.shop_id.id, "event_id": event.id})
            sessions |= record
        for session in sessions:
            self.env["tiktok.live.session.minute"]._tiktok_read(session)
        return sessions


def _session_values(session):
    return {
        "tiktok_live_ref": session.live_id,
        "title": session.title,
        "host": session.username,
        "start_time": utc_datetime(session.start_time),
        "end_time": utc_datetime(session.end_time),
        "gmv": float(session.gmv),
        "items_sold": session.items_sold,
        "customers": session.customers,
        "sku_orders": session.sku_orders,
        "viewers": session.viewers,
        "views": session.views,
        "click_to_order_rate": float(session.click_to_order_rate),
        "last_sync": datetime.now(UTC).replace(tzinfo=None),
    }
