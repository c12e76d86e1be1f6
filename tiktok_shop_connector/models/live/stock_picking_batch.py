from odoo import fields, models


class StockPickingBatch(models.Model):
    _inherit = "stock.picking.batch"

    tiktok_live_event_id = fields.Many2one(
        "tiktok.live.event",
        string="LIVE event",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The wave groups deliveries of this LIVE event.",
    )
