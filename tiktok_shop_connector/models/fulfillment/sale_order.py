from odoo import api, fields, models


class SaleOrderCancellations(models.Model):
    _inherit = "sale.order"

    tiktok_cancellation_ids = fields.One2many("tiktok.cancellation", "sale_order_id")
    tiktok_cancel_requested = fields.Boolean(
        compute="_compute_tiktok_cancel_requested", string="Buyer asks to cancel"
    )

    @api.depends("tiktok_cancellation_ids.is_pending")
    def _compute_tiktok_cancel_requested(self):
        for order in self:
            order.tiktok_cancel_requested = any(order.tiktok_cancellation_ids.mapped("is_pending"))

    def action_tiktok_approve_cancellation(self):
        return self.tiktok_cancellation_ids.filtered("is_pending").action_approve()

    def action_tiktok_reject_cancellation(self):
        return self.tiktok_cancellation_ids.filtered("is_pending").action_reject()
