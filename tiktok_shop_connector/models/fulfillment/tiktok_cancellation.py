import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError

from ...tiktok_shop import TikTokShopError, endpoints

PENDING = "CANCELLATION_REQUEST_PENDING"
DECISION_ENDPOINTS = {
    "approve": endpoints.CANCELLATION_APPROVE,
    "reject": endpoints.CANCELLATION_REJECT,
}


class TikTokCancellation(models.Model):
    """A cancellation on TikTok: a buyer's request the seller approves or rejects from Odoo."""

    _name = "tiktok.cancellation"
    _inherit = ["tiktok.binding"]
    _description = "TikTok Shop cancellation request"
    _order = "id desc"
    _rec_name = "tiktok_cancel_ref"
    _tiktok_ref_field = "tiktok_cancel_ref"

    tiktok_cancel_ref = fields.Char(string="TikTok cancellation id", required=True, readonly=True)
    tiktok_order_ref = fields.Char(string="TikTok order id", required=True, readonly=True)
    sale_order_id = fields.Many2one("sale.order", readonly=True, index="btree_not_null")
    status = fields.Char(readonly=True)
    role = fields.Char(string="Asked by", readonly=True)
    reason = fields.Char(readonly=True)
    is_pending = fields.Boolean(compute="_compute_is_pending", store=True)
    reject_reason = fields.Char(
        default="The order has already been packed", help="Sent to TikTok when rejecting."
    )

    _shop_cancel_unique = models.Constraint(
        "unique(shop_id, tiktok_cancel_ref)", "This TikTok cancellation is already known."
    )

    @api.depends("status")
    def _compute_is_pending(self):
        for cancellation in self:
            cancellation.is_pending = cancellation.status == PENDING

    def action_approve(self):
        return self._decide("approve", {})

    def action_reject(self):
        return self._decide("reject", {"reject_reason": self.reject_reason or "Rejected"})

    def _decide(self, decision, body):
        """Send the seller's decision once: the same key makes a retried call a no-op."""
        for cancellation in self:
            if not cancellation.is_pending:
                raise UserError(self.env._("This cancellation was decided already."))
            try:
                cancellation.shop_id._tiktok_request(
                    DECISION_ENDPOINTS[decision],
                    path_params={"cancel_id": cancellation.tiktok_cancel_ref},
                    params={"idempotency_key": cancellation._idempotency_key(decision)},
                    json=body,
                )
            except TikTokShopError as error:
                raise UserError(self.env._("TikTok refused the decision: %s", error)) from error
            # Re-read what TikTok did: the request, and the order it cancels or keeps.
            cancellation.shop_id._tiktok_import_order_ids(
                [cancellation.tiktok_order_ref], trigger="manual"
            )
        return True

    def _idempotency_key(self, decision):
        database_uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        name = f"tiktok-cancellation:{database_uuid}:{self.tiktok_cancel_ref}:{decision}"
        return uuid.uuid5(uuid.NAMESPACE_URL, name).hex
