from odoo import fields, models


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    tiktok_live_fence_location_id = fields.Many2one(
        "stock.location",
        string="LIVE held stock",
        readonly=True,
        copy=False,
        help="Where the transfers holding stock for LIVE events point to; nothing ever gets there.",
    )

    def _tiktok_live_fence_location(self):
        """The warehouse's LIVE fence location, created on first use.

        An internal location outside the warehouse: a fence move to it reserves the stock it
        holds (a move to a customer or a virtual location would not), and the stock push and
        Odoo's forecast count it as demand leaving the warehouse. Nothing is ever put away in it:
        the fence is never validated.
        """
        self.ensure_one()
        if not self.tiktok_live_fence_location_id:
            location = (
                self.env["stock.location"]
                .sudo()
                .create(
                    {
                        "name": self.env._("%s: held for LIVE", self.code),
                        "usage": "internal",
                        "company_id": self.company_id.id,
                    }
                )
            )
            self.sudo().tiktok_live_fence_location_id = location
        return self.tiktok_live_fence_location_id
