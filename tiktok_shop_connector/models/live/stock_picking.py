from odoo import fields, models
from odoo.exceptions import UserError


class StockPicking(models.Model):
    _inherit = "stock.picking"

    tiktok_live_event_id = fields.Many2one(
        "tiktok.live.event",
        string="Held for LIVE",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="This transfer holds stock for the LIVE event: it is released, never validated.",
    )

    def button_validate(self):
        """Override of `stock`: stock held for a LIVE stays where it is; moving it would take it
        out of reach of the LIVE's own deliveries."""
        held = self.filtered("tiktok_live_event_id")
        if held:
            raise UserError(
                self.env._(
                    "%s holds stock for a LIVE event: it is released by the event, never "
                    "validated.",
                    ", ".join(held.mapped("name")),
                )
            )
        return super().button_validate()
