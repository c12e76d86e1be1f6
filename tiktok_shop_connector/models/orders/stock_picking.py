from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    tiktok_on_hold = fields.Boolean(related="sale_id.tiktok_on_hold", string="On TikTok hold")

    def button_validate(self):
        self.sale_id._tiktok_check_can_ship()
        return super().button_validate()
