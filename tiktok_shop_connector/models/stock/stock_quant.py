from odoo import api, models


class StockQuant(models.Model):
    _inherit = "stock.quant"

    @api.model
    def _update_available_quantity(self, product_id, location_id, *args, **kwargs):
        self.env["tiktok.stock.change"]._tiktok_note(product_id)
        return super()._update_available_quantity(product_id, location_id, *args, **kwargs)

    @api.model
    def _update_reserved_quantity(self, product_id, location_id, *args, **kwargs):
        self.env["tiktok.stock.change"]._tiktok_note(product_id)
        return super()._update_reserved_quantity(product_id, location_id, *args, **kwargs)
