from odoo import models


class TikTokWebhookEvent(models.Model):
    _inherit = "tiktok.webhook.event"

    def _handle_sample_application_event(self, data):
        """A sample application changed status: its sample order names the creator who asked
        (the applications are read again, never taken from the push)."""
        shop = self._require_shop()
        linked = shop._tiktok_sync_sample_applications()
        return self.env._("%s sample order(s) linked to their creator", linked)
