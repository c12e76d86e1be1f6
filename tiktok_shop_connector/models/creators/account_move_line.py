from collections import defaultdict

from odoo import api, fields, models

from ...tools import reconcile_untracked

PAYABLE_ROLE = "affiliate_payable"


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    tiktok_affiliate_line_id = fields.Many2one(
        "tiktok.affiliate.line",
        string="TikTok affiliate line",
        readonly=True,
        index="btree_not_null",
        help="The affiliate line whose commission this item accrues, reverses or trues up.",
    )
    tiktok_commission_order_id = fields.Many2one(
        "sale.order",
        string="Commission of order",
        readonly=True,
        index="btree_not_null",
        help="The TikTok order whose creator commission this payable item is about: its "
        "accruals and the settlements' deductions are reconciled per order.",
    )

    @api.model
    def _tiktok_commission_domain(self):
        """The items of the creators' commissions payable: accruals and deductions."""
        return [("tiktok_commission_order_id", "!=", False), ("parent_state", "=", "posted")]

    @api.model
    def _tiktok_reconcile_commissions(self, orders):
        """Reconcile, per order, the open items of its commission payable (its accruals,
        reversals, true-ups and the settlements' deductions) with each other, in one batch."""
        if not orders:
            return
        items = self.sudo().search(
            [
                *self._tiktok_commission_domain(),
                ("tiktok_commission_order_id", "in", orders.ids),
                ("reconciled", "=", False),
            ]
        )
        by_order = defaultdict(lambda: self.sudo().browse())
        for item in items:
            by_order[item.tiktok_commission_order_id.id] |= item
        plan = [
            group
            for group in by_order.values()
            if any(item.amount_residual > 0 for item in group)
            and any(item.amount_residual < 0 for item in group)
        ]
        if plan:
            reconcile_untracked(self.sudo().env, plan)

    @api.model
    def _tiktok_commission_balances(self, partners):
        """{partner id: what the commissions payable owe them} (a credit is owed)."""
        groups = self.sudo()._read_group(
            [*self._tiktok_commission_domain(), ("partner_id", "in", partners.ids)],
            ["partner_id"],
            ["balance:sum"],
        )
        return {partner.id: -balance for partner, balance in groups}

    @api.model
    def _tiktok_commission_ledger_action(self, partners):
        """The journal items of the creators' commissions payable, per creator and month."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "tiktok_shop_connector.action_tiktok_commission_ledger"
        )
        action["domain"] = [
            *self._tiktok_commission_domain(),
            ("partner_id", "in", partners.ids),
        ]
        return action
