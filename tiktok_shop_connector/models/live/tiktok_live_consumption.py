from odoo import fields, models


class TikTokLiveConsumption(models.Model):
    """What one order of a LIVE event took out of the fence of one of its products.

    One row per (event line, order), written under the line's lock: an order takes its units
    once, whichever path reserves it first, and the fence's figures add up to the orders'.
    """

    _name = "tiktok.live.consumption"
    _description = "TikTok LIVE order taken from held stock"
    _order = "id"

    line_id = fields.Many2one(
        "tiktok.live.event.line", required=True, ondelete="cascade", index=True
    )
    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade", index=True)
    product_id = fields.Many2one(related="line_id.product_id")
    quantity = fields.Float(
        string="Taken", digits="Product Unit", help="Units taken out of the held stock."
    )

    _line_order_unique = models.Constraint(
        "unique(line_id, order_id)", "An order takes its units from held stock once."
    )
