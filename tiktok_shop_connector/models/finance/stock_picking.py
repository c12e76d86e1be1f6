from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        """Override of `stock`: a TikTok order invoiced at delivery is due once delivered."""
        result = super()._action_done()
        self.sale_id._tiktok_trigger_invoicing()
        return result
