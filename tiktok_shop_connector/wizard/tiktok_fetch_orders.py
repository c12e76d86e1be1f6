import re

from odoo import fields, models
from odoo.exceptions import UserError

from ..tools import CLOSE_DIALOG, notification


class TikTokFetchOrders(models.TransientModel):
    """Fetch orders on demand: everything updated since a date, or given TikTok order ids."""

    _name = "tiktok.fetch.orders"
    _description = "Fetch TikTok orders"

    shop_id = fields.Many2one("tiktok.shop", required=True)
    since = fields.Datetime(string="Updated since", default=fields.Datetime.now)
    tiktok_order_refs = fields.Char(
        string="TikTok order ids", help="Fetch only these orders (separated by commas or spaces)."
    )

    def action_fetch(self):
        self.ensure_one()
        ids = [part for part in re.split(r"[\s,;]+", self.tiktok_order_refs or "") if part]
        if any(not part.isdigit() for part in ids):
            raise UserError(self.env._("TikTok order ids are numbers: %s", self.tiktok_order_refs))
        if ids:
            log = self.shop_id._tiktok_import_order_ids(ids, trigger="manual")
        elif self.since:
            since = int(self.since.timestamp())
            log = self.shop_id._tiktok_poll_orders(since=since, trigger="manual")
        else:
            raise UserError(self.env._("Give a date or order ids to fetch."))
        message = self.env._(
            "%(created)s created, %(updated)s updated, %(failed)s failed.",
            created=log.created_count,
            updated=log.updated_count,
            failed=log.failed_count,
        )
        return notification(message, title=self.env._("TikTok orders fetched"), then=CLOSE_DIALOG)
