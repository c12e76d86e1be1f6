"""TikTok orders invoiced by their shop's policy, and credited through the same path; what
TikTok's statements paid for them (at the end).

An order becomes due (confirmed, delivered, or at once, per `tiktok.shop.invoice_policy`) and
triggers the invoicing cron, which invoices due orders in batches it locks: the imports of a LIVE
burst never wait for invoices. Each order is invoiced once: its row is locked while it is, and the
invoice rewrites its invoice status, so a worker that looked before that commit fails to lock it
and looks again.
"""

import logging

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import float_compare

from ... import const
from ...tiktok_shop import finance
from ...tools import RECORD_SYNC_ERRORS, SyncBug, report_bugs

_logger = logging.getLogger(__name__)

INVOICING_CRON = "tiktok_shop_connector.ir_cron_invoice_tiktok_orders"


class SaleOrderInvoicing(models.Model):
    _inherit = "sale.order"

    # === WHEN AN ORDER IS DUE === #

    @api.model
    def _tiktok_invoice_due_domain(self):
        """TikTok orders to invoice now by their shop's invoice policy."""
        policy = "tiktok_shop_id.invoice_policy"
        fbt = Domain("tiktok_is_fbt", "=", True)
        seller_shipped = Domain("tiktok_is_fbt", "=", False)
        shipped = (seller_shipped & Domain("delivery_status", "=", "full")) | (
            fbt & Domain("tiktok_status", "in", list(const.SHIPPED_ORDER_STATUSES))
        )
        at_once = Domain(policy, "=", "import") | (Domain(policy, "=", "auto") & fbt)
        at_delivery = Domain(policy, "in", ["auto", "delivery"]) & shipped
        return (
            Domain("tiktok_shop_id", "!=", False)
            & Domain("state", "=", "sale")
            & Domain("invoice_status", "=", "to invoice")
            & Domain("tiktok_exception", "=", False)
            # A sample is a gift to a creator, not revenue (models/creators/sale_order.py).
            & Domain("tiktok_is_sample", "=", False)
            & (at_once | at_delivery)
        )

    def _tiktok_trigger_invoicing(self):
        """Have the invoicing cron run at once when some of these orders are due.

        In sudo: whoever confirms or delivers the order (a warehouse user, say) may not read
        its shop's policy, and the invoicing is not theirs.
        """
        tiktok = self.sudo().filtered("tiktok_shop_id")
        if tiktok and tiktok.filtered_domain(self._tiktok_invoice_due_domain()):
            self.env.ref(INVOICING_CRON).sudo()._trigger()

    def _action_confirm(self):
        """Override of `sale`: a TikTok order due at import is invoiced right after."""
        result = super()._action_confirm()
        self._tiktok_trigger_invoicing()
        return result

    def _tiktok_apply_update(self, mapped, builder):
        """Override: an order Fulfilled by TikTok may be due once TikTok ships it."""
        outcome = super()._tiktok_apply_update(mapped, builder)
        self._tiktok_trigger_invoicing()
        return outcome

    # === INVOICING === #

    @api.model
    def _cron_invoice_tiktok_orders(self):
        self.env["tiktok.runner"]._run_batches(
            self,
            self._tiktok_invoice_due_domain(),
            const.INVOICE_BATCH_SIZE,
            lambda orders: orders._tiktok_invoice_each(),
            order="id",
        )

    def _tiktok_invoice_each(self):
        """Invoice each of these locked orders; one that fails says why on the order.

        Its exception takes it out of the queue until someone presses Create invoice.
        """
        invoices = self.env["account.move"]
        for order in self:
            try:
                what = f"the invoice of TikTok order {order.tiktok_order_ref}"
                with self.env.cr.savepoint(), report_bugs(what):
                    invoices |= order._tiktok_create_invoice()
            except (*RECORD_SYNC_ERRORS, SyncBug) as error:
                _logger.warning("TikTok order %s not invoiced: %s", order.tiktok_order_ref, error)
                order.tiktok_exception = self.env._("Not invoiced: %s", error)
        return invoices

    def _tiktok_create_invoice(self):
        """Create and post the invoice of this order, which the caller holds locked."""
        self.ensure_one()
        invoice = self._create_invoices(final=True)
        invoice.action_post()
        if self.tiktok_exception:
            self.tiktok_exception = False
        return invoice

    def action_tiktok_create_invoice(self):
        """Invoice these TikTok orders now, whatever their shop's policy; open the invoices."""
        self.env["account.move"].check_access("create")
        orders = self.filtered("tiktok_shop_id")
        if orders.try_lock_for_update() != orders:
            raise UserError(self.env._("These orders are being invoiced right now: reload them."))
        todo = orders.filtered(lambda o: o.state == "sale" and o.invoice_status == "to invoice")
        if not todo:
            raise UserError(self.env._("These orders have nothing left to invoice."))
        invoices = self.env["account.move"]
        for order in todo:
            invoices |= order._tiktok_create_invoice()
        return todo.action_view_invoice(invoices)

    def _create_invoices(self, grouped=False, final=False, date=None):
        """Override of `sale`: each TikTok order has an invoice of its own, with its order id."""
        if any(self.mapped("tiktok_shop_id")):
            grouped = True
        return super()._create_invoices(grouped=grouped, final=final, date=date)

    def _prepare_invoice(self):
        """Override of `sale`: the invoice of a TikTok order carries its shop and order id."""
        values = super()._prepare_invoice()
        if self.tiktok_shop_id:
            values.update(
                tiktok_shop_id=self.tiktok_shop_id.id,
                tiktok_order_ref=self.tiktok_order_ref,
                ref=self.tiktok_order_ref,
            )
        return values

    # === CREDIT NOTES === #

    def _action_cancel(self):
        """Override of `sale`: a TikTok order cancelled after its invoice gets a credit note."""
        invoiced = self.filtered(
            lambda o: o.tiktok_shop_id and o.state != "cancel" and o._tiktok_posted_invoices()
        )
        result = super()._action_cancel()
        for order in invoiced:
            order._tiktok_credit(reason=self.env._("Order cancelled"))
        return result

    def _tiktok_posted_invoices(self):
        return self.invoice_ids.filtered(
            lambda move: move.move_type == "out_invoice" and move.state == "posted"
        )

    def _tiktok_credit(self, quantities_by_line=None, reason=None):
        """Create and post a credit note of this invoiced TikTok order; return it.

        The credit note is reconciled with the invoice while the invoice is still open.

        :param quantities_by_line: {sale.order.line: quantity} to credit (a return, a partial
            refund); None credits everything invoiced and not credited yet (a cancellation)
        :param reason: why, shown in the credit note's reference
        :return: the posted credit note, or an empty recordset when nothing is left to credit
        :raise UserError: when a quantity is more than what is invoiced of its line
        """
        self.ensure_one()
        quantities = self._tiktok_quantities_to_credit(quantities_by_line)
        if not quantities:
            return self.env["account.move"]
        order = self.with_company(self.company_id)
        values = order._prepare_invoice()
        values["move_type"] = "out_refund"
        if reason:
            values["ref"] = f"{self.tiktok_order_ref}: {reason}"
        values["invoice_line_ids"] = [
            Command.create(line._prepare_invoice_line(quantity=quantity))
            for line, quantity in quantities.items()
        ]
        invoices = self._tiktok_posted_invoices()
        if len(invoices) == 1:
            values["reversed_entry_id"] = invoices.id
        Move = self.env["account.move"].sudo().with_context(default_move_type="out_refund")
        credit_note = Move.create(values)
        credit_note.action_post()
        _reconcile_receivables(credit_note, invoices)
        return credit_note

    def _tiktok_quantities_to_credit(self, quantities_by_line):
        """{line: quantity} to credit, checked against what is invoiced of each line."""
        digits = self.env["decimal.precision"].precision_get("Product Unit")
        invoiced = {
            line: line.qty_invoiced
            for line in self.order_line
            if not line.display_type and float_compare(line.qty_invoiced, 0, digits) > 0
        }
        if quantities_by_line is None:
            return invoiced
        quantities = {}
        for line, quantity in quantities_by_line.items():
            if float_compare(quantity, invoiced.get(line, 0), digits) > 0:
                raise UserError(
                    self.env._(
                        "%(line)s: %(quantity)s cannot be credited, %(invoiced)s is invoiced.",
                        line=line.name,
                        quantity=quantity,
                        invoiced=invoiced.get(line, 0),
                    )
                )
            if float_compare(quantity, 0, digits) > 0:
                quantities[line] = quantity
        return quantities


def _reconcile_receivables(credit_note, invoices):
    """Reconcile the credit note with the buyer's receivable of the invoices still open.

    The other reconcilable lines (the platform discount TikTok owes, the tax passing through)
    are left for the settlements to clear.
    """

    def receivable(moves):
        return moves.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable" and not line.reconciled
        )

    open_lines = receivable(invoices)
    if open_lines:
        (open_lines | receivable(credit_note)).reconcile()


class SaleOrderSettlement(models.Model):
    """What TikTok paid for an order: its settlement transactions, the fees TikTok kept, the
    payout; and TikTok's estimate until the order settles."""

    _inherit = "sale.order"

    tiktok_transaction_ids = fields.One2many(
        "tiktok.settlement.transaction", "sale_order_id", string="TikTok settlements"
    )
    tiktok_settlement_state = fields.Selection(
        [
            ("unsettled", "Not settled yet"),
            ("settled", "Settled, not paid out yet"),
            ("paid_out", "Paid out"),
        ],
        string="TikTok money",
        compute="_compute_tiktok_settlement",
    )
    tiktok_settled_amount = fields.Monetary(
        string="Net from TikTok",
        compute="_compute_tiktok_settlement",
        help="What TikTok's statements paid for the order, after its fees and refunds.",
    )
    tiktok_platform_fee_amount = fields.Monetary(
        string="Platform fees", compute="_compute_tiktok_settlement"
    )
    tiktok_affiliate_commission_amount = fields.Monetary(
        string="Creator commission", compute="_compute_tiktok_settlement"
    )
    tiktok_shipping_cost_amount = fields.Monetary(
        string="Shipping costs", compute="_compute_tiktok_settlement"
    )
    tiktok_estimated_settlement = fields.Monetary(
        string="Estimated net from TikTok",
        readonly=True,
        copy=False,
        help="TikTok's estimate of what it will pay for the order once it settles.",
    )
    tiktok_estimated_fees = fields.Monetary(
        string="Estimated fees and taxes",
        readonly=True,
        copy=False,
        help="TikTok's estimate of the fees, creator commission and taxes it will keep.",
    )
    tiktok_unsettled_reason = fields.Char(
        readonly=True, copy=False, help="TikTok's reason the order is not settled yet."
    )
    tiktok_unsettled_reason_label = fields.Char(
        string="Why not settled", compute="_compute_tiktok_unsettled_reason_label"
    )

    @api.depends(
        "tiktok_transaction_ids.settlement_amount",
        "tiktok_transaction_ids.settlement_id.payment_status",
        "tiktok_transaction_ids.settlement_id.payout_id.state",
    )
    def _compute_tiktok_settlement(self):
        for order in self:
            transactions = order.tiktok_transaction_ids
            sales = transactions.filtered(lambda t: t.transaction_type == finance.ORDER)
            order.tiktok_settlement_state = _settlement_state(sales.settlement_id)
            order.tiktok_settled_amount = sum(transactions.mapped("settlement_amount"))
            order.tiktok_platform_fee_amount = sum(transactions.mapped("platform_fee_amount"))
            order.tiktok_affiliate_commission_amount = sum(
                transactions.mapped("affiliate_commission_amount")
            )
            order.tiktok_shipping_cost_amount = sum(transactions.mapped("shipping_amount"))

    @api.depends("tiktok_unsettled_reason")
    def _compute_tiktok_unsettled_reason_label(self):
        # TikTok's codes as the seller reads them; a code TikTok adds later shows as it is.
        labels = {
            "NOT_DELIVERED": self.env._("Not delivered yet: TikTok settles orders once delivered."),
            "DELIVERED_NOT_CUT": self.env._("Delivered: settles with the next daily statement."),
        }
        for order in self:
            reason = order.tiktok_unsettled_reason
            order.tiktok_unsettled_reason_label = labels.get(reason, reason) or False


def _settlement_state(statements):
    """Paid out once every statement of the order's sale and refunds is: TikTok says the
    payment is paid, or its payout is matched to the bank."""
    if not statements:
        return "unsettled"
    paid = statements.filtered(
        lambda s: s.payment_status == "PAID" or s.payout_id.state == "matched"
    )
    return "paid_out" if paid == statements else "settled"
