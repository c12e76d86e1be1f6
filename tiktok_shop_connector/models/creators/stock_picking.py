from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        """Override of `stock`: a sample's delivery (or its return) books its cost."""
        result = super()._action_done()
        self.sale_id.filtered("tiktok_is_sample").sudo()._tiktok_book_sample_cost()
        return result
