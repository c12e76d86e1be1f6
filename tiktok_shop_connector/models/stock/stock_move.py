from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_confirm(self, *args, **kwargs):
        # Confirmed demand lowers what can be sold before anything is reserved.
        self.env["tiktok.stock.change"]._tiktok_note(self.product_id)
        return super()._action_confirm(*args, **kwargs)

    def _action_cancel(self):
        self.env["tiktok.stock.change"]._tiktok_note(self.product_id)
        return super()._action_cancel()
