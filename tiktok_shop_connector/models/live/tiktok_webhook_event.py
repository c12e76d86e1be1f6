from odoo import models

from ...tiktok_shop.payload import required_id


class TikTokWebhookEvent(models.Model):
    _inherit = "tiktok.webhook.event"

    def _handle_promotion_event(self, data):
        """A promotion activity changed status: refresh the LIVE flash sales linked to it."""
        shop = self._require_shop()
        activity_id = required_id(data, "activity_id", "data")
        deals = self.env["tiktok.live.deal"]._tiktok_find(shop, [activity_id])
        if not deals:
            return f"activity {activity_id}: no LIVE event sells in it"
        statuses = [deal._tiktok_refresh() for deal in deals]
        return f"activity {activity_id}: {', '.join(statuses)}"
