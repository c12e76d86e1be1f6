import logging

from odoo import api, fields, models

from ...tiktok_shop import TikTokDataError, TikTokShopRequestError, endpoints
from ...tiktok_shop.live_events import map_live_minutes
from .tiktok_live_session import utc_datetime

_logger = logging.getLogger(__name__)


class TikTokLiveSessionMinute(models.Model):
    """One minute of a LIVE session, as TikTok reports it once the session is over."""

    _name = "tiktok.live.session.minute"
    _description = "TikTok LIVE session minute"
    _order = "session_id, minute"
    _log_access = False

    session_id = fields.Many2one(
        "tiktok.live.session", required=True, ondelete="cascade", index=True
    )
    currency_id = fields.Many2one(related="session_id.currency_id")
    minute = fields.Datetime(required=True, readonly=True)
    gmv = fields.Monetary(string="Sales (GMV)", readonly=True)
    items_sold = fields.Integer(string="Units sold", readonly=True)
    customers = fields.Integer(string="Buyers", readonly=True)
    viewers = fields.Integer(readonly=True)

    _session_minute_unique = models.Constraint(
        "unique(session_id, minute)", "A LIVE session has one row per minute."
    )

    @api.model
    def _tiktok_read(self, session):
        """Replace the session's minutes with TikTok's.

        TikTok gives them only for the shop's own accounts and after the session: a refusal
        leaves the session without minutes rather than failing its event.
        """
        try:
            intervals = session.shop_id._tiktok_paginate(
                endpoints.SHOP_LIVE_PERFORMANCE_PER_MINUTE,
                items_key="intervals",
                page_size=100,
                path_params={"live_id": session.tiktok_live_ref},
                params={"currency": "LOCAL"},
            )
            minutes = map_live_minutes(list(intervals))
        except (TikTokShopRequestError, TikTokDataError) as error:
            _logger.info("LIVE session %s: no per-minute figures: %s", session.id, error)
            return
        session.minute_ids.unlink()
        self.create(
            [
                {
                    "session_id": session.id,
                    "minute": utc_datetime(minute.start_time),
                    "gmv": float(minute.gmv),
                    "items_sold": minute.items_sold,
                    "customers": minute.customers,
                    "viewers": minute.viewers,
                }
                for minute in minutes
            ]
        )
