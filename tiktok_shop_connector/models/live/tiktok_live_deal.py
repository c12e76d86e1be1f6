from odoo import Command, api, fields, models

from ...tiktok_shop import endpoints
from ...tiktok_shop.live_events import STOPPED_STATUSES, map_activity
from .tiktok_live_session import utc_datetime

DEAL_STATUSES = [
    ("DRAFT", "Draft"),
    ("NOT_START", "Not started"),
    ("ONGOING", "Running"),
    ("EXPIRED", "Ended"),
    ("DEACTIVATED", "Stopped"),
    ("NOT_EFFECTIVE", "Did not take effect"),
]


class TikTokLiveDeal(models.Model):
    """A TikTok flash sale (a FLASHSALE promotion activity) an event sells in: its window, its
    status, and the purchase limits of its SKUs, which the event's fence holds at least."""

    _name = "tiktok.live.deal"
    _inherit = ["tiktok.binding"]
    _description = "TikTok LIVE flash sale"
    _order = "begin_time, id"
    _tiktok_ref_field = "tiktok_activity_ref"

    tiktok_activity_ref = fields.Char(string="TikTok activity id", required=True, readonly=True)
    event_id = fields.Many2one("tiktok.live.event", required=True, ondelete="cascade", index=True)
    name = fields.Char(readonly=True)
    status = fields.Selection(DEAL_STATUSES, readonly=True)
    begin_time = fields.Datetime(string="Starts", readonly=True)
    end_time = fields.Datetime(string="Ends", readonly=True)
    sku_line_ids = fields.One2many("tiktok.live.deal.sku", "deal_id", string="Limits per SKU")

    _shop_activity_unique = models.Constraint(
        "unique(shop_id, tiktok_activity_ref)", "A TikTok flash sale is linked once per shop."
    )

    @api.model
    def _tiktok_store(self, event, deal):
        """Create or update the event's deal from a `FlashSaleDeal`; return it."""
        values = {
            "name": deal.title or deal.activity_id,
            "status": _known(deal.status),
            "begin_time": utc_datetime(deal.begin_time),
            "end_time": utc_datetime(deal.end_time),
            "event_id": event.id,
            "sku_line_ids": [Command.clear()]
            + [
                Command.create(self.env["tiktok.live.deal.sku"]._tiktok_values(event.shop_id, sku))
                for sku in deal.skus
            ],
        }
        record = self._tiktok_find(event.shop_id, [deal.activity_id])
        if record:
            record.write(values)
            return record
        return self.create(
            {**values, "shop_id": event.shop_id.id, "tiktok_activity_ref": deal.activity_id}
        )

    def _tiktok_refresh(self):
        """Read the deal again from TikTok; tell the event's responsible when TikTok stopped it
        while the event still counts on it. Return the new status."""
        self.ensure_one()
        data = self.shop_id._tiktok_request(
            endpoints.PROMOTION_ACTIVITY_DETAIL,
            path_params={"activity_id": self.tiktok_activity_ref},
        )
        deal = map_activity(data)
        was_selling = self.status not in STOPPED_STATUSES
        self._tiktok_store(self.event_id, deal)
        if was_selling and deal.status in STOPPED_STATUSES:
            self._tiktok_warn_stopped()
        return deal.status

    def _tiktok_warn_stopped(self):
        event = self.event_id
        message = self.env._(
            "TikTok stopped the flash sale %(deal)s (%(status)s): its buyers can no longer buy "
            "at the deal price. Check it in TikTok Seller Center.",
            deal=self.name,
            status=dict(DEAL_STATUSES).get(self.status, self.status),
        )
        event.message_post(body=message)
        if event.state in ("draft", "scheduled", "live"):
            event.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Flash sale stopped by TikTok"),
                note=message,
                user_id=(event.user_id or self.env.user).id,
            )


def _known(status):
    """The status when the selection has it; a status TikTok adds later reads as unknown."""
    return status if status in dict(DEAL_STATUSES) else False
