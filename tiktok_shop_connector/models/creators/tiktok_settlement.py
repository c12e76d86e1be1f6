from collections import defaultdict

from odoo import models


class TikTokSettlement(models.Model):
    """A statement's creator commission clears the commission accrued for its orders."""

    _inherit = "tiktok.settlement"

    def _tiktok_commission_accruals(self):
        """Override: the orders of this statement with accrued commission, and each creator's
        share of it (what was accrued for them; equal shares when all was reversed)."""
        orders = self.transaction_ids.sale_order_id
        if not orders:
            return {}
        groups = (
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                [
                    ("tiktok_commission_order_id", "in", orders.ids),
                    ("tiktok_affiliate_line_id", "!=", False),
                    ("parent_state", "=", "posted"),
                ],
                ["tiktok_commission_order_id", "partner_id"],
                ["amount_currency:sum"],
                order="tiktok_commission_order_id, partner_id",
            )
        )
        accruals = defaultdict(list)
        for order, partner, amount in groups:
            accruals[order.id].append((partner, max(-amount, 0.0)))
        return dict(accruals)

    def _tiktok_clear_commission_accruals(self, orders):
        """Override: the deductions are reconciled with the accruals, order by order."""
        self.env["account.move.line"]._tiktok_reconcile_commissions(orders)
        return True
