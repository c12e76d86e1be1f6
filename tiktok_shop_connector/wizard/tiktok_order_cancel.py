from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import const
from ..tiktok_shop import TikTokShopError, endpoints


class TikTokOrderCancel(models.TransientModel):
    """Cancel TikTok orders from Odoo: on TikTok first, with the reason TikTok asks for."""

    _name = "tiktok.order.cancel"
    _description = "Cancel a TikTok order"

    order_ids = fields.Many2many("sale.order", required=True)
    reason = fields.Selection(const.SELLER_CANCEL_REASONS, required=True, default="OUT_OF_STOCK")

    @api.model
    def _action_open(self, orders):
        shipped = orders.filtered(lambda o: o.tiktok_status in const.SHIPPED_ORDER_STATUSES)
        if shipped:
            raise UserError(
                self.env._(
                    "%s already shipped on TikTok: handle it as a return instead.",
                    ", ".join(shipped.mapped("name")),
                )
            )
        wizard = self.create({"order_ids": [fields.Command.set(orders.ids)]})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel on TikTok"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_cancel_on_tiktok(self):
        """Cancel each order on TikTok, then in Odoo; a refusal leaves the order as it was."""
        self.ensure_one()
        for order in self.order_ids:
            try:
                order.tiktok_shop_id._tiktok_request(
                    endpoints.ORDER_CANCEL,
                    json={"order_id": order.tiktok_order_ref, "cancel_reason": self.reason},
                    idempotent=False,
                )
            except TikTokShopError as error:
                message = self.env._(
                    "TikTok refused to cancel %(order)s: %(error)s", order=order.name, error=error
                )
                raise UserError(message) from error
            order.tiktok_status = "CANCELLED"
            order.with_context(tiktok_cancelled_on_tiktok=True).action_cancel()
            order.message_post(body=self.env._("Cancelled on TikTok (%s).", self.reason))
        return {"type": "ir.actions.act_window_close"}
