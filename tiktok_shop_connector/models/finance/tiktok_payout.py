from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import float_compare

from ...tools import CLOSE_DIALOG, check_manager, notification, reconcile_untracked
from .tiktok_settlement import PAYMENT_STATUSES

# A bank line without TikTok's payment id in its text still matches a payout of the same amount
# paid this many days around it.
BANK_DATE_TOLERANCE_DAYS = 5


class TikTokPayout(models.Model):
    """Money TikTok sent to the seller's bank: one or more statements' payable amounts,
    matched to the bank statement line it arrived as."""

    _name = "tiktok.payout"
    _inherit = ["tiktok.binding"]
    _description = "TikTok payout"
    _order = "paid_date desc, id desc"
    _tiktok_ref_field = "tiktok_payment_ref"

    name = fields.Char(compute="_compute_name")
    tiktok_payment_ref = fields.Char(string="TikTok payment id", required=True, readonly=True)
    status = fields.Selection(PAYMENT_STATUSES, readonly=True)
    create_date_tiktok = fields.Date(string="Created on TikTok", readonly=True)
    paid_date = fields.Date(string="Paid on", readonly=True)
    currency_id = fields.Many2one(
        "res.currency", string="Payout currency", required=True, readonly=True
    )
    amount = fields.Monetary(string="Amount paid out", readonly=True)
    settlement_currency_id = fields.Many2one("res.currency", readonly=True)
    amount_before_exchange = fields.Monetary(
        string="Amount before conversion", currency_field="settlement_currency_id", readonly=True
    )
    reserve_amount = fields.Monetary(currency_field="settlement_currency_id", readonly=True)
    exchange_rate = fields.Float(digits=(16, 8), readonly=True)
    bank_account = fields.Char(readonly=True)
    settlement_ids = fields.One2many("tiktok.settlement", "payout_id", string="Statements")
    statement_line_id = fields.Many2one(
        "account.bank.statement.line", string="Bank statement line", readonly=True, copy=False
    )
    state = fields.Selection(
        [
            ("pending", "Being paid"),
            ("to_match", "Paid, not matched to the bank"),
            ("matched", "Matched to the bank"),
            ("failed", "Failed"),
        ],
        compute="_compute_state",
        store=True,
    )

    _shop_ref_unique = models.Constraint(
        "unique(shop_id, tiktok_payment_ref)", "A TikTok payout is imported once per shop."
    )

    def _compute_name(self):
        for payout in self:
            payout.name = self.env._(
                "TikTok payout %(ref)s", ref=payout.tiktok_payment_ref or payout.id
            )

    @api.depends("status", "statement_line_id")
    def _compute_state(self):
        for payout in self:
            if payout.statement_line_id:
                payout.state = "matched"
            elif payout.status == "PAID":
                payout.state = "to_match"
            elif payout.status == "FAILED":
                payout.state = "failed"
            else:
                payout.state = "pending"

    # === MATCHING TO THE BANK === #

    def action_match_bank(self):
        check_manager(self.env)
        # As the sync matches: a TikTok manager need not have accounting rights.
        matched = self.sudo()._tiktok_match_bank()
        message = self.env._(
            "%(matched)s of %(total)s payouts matched to a bank statement line.",
            matched=len(matched),
            total=len(self),
        )
        return notification(message, "info", then=CLOSE_DIALOG)

    def _tiktok_match_bank(self):
        """Match each paid payout to its bank statement line; the payouts matched."""
        matched = self.browse()
        for payout in self.filtered(lambda p: p.state == "to_match"):
            line = payout._tiktok_find_bank_line()
            if line and payout._tiktok_reconcile_with(line):
                matched |= payout
        return matched

    def _tiktok_clearing_items(self):
        """The open debits of TikTok's balance the payout pays: its statements' entries."""
        clearing = self.shop_id._tiktok_finance_account("clearing")
        # Searched, not read from the entries: a statement's entry has a line per order.
        return self.env["account.move.line"].search(
            [
                ("move_id", "in", self.settlement_ids.move_id.ids),
                ("account_id", "=", clearing.id),
                ("reconciled", "=", False),
            ]
        )

    def _tiktok_find_bank_line(self):
        journal = self.shop_id.payout_journal_id
        if not journal or not self.paid_date:
            return self.env["account.bank.statement.line"]
        Line = self.env["account.bank.statement.line"]
        clearing = self.shop_id._tiktok_finance_account("clearing")
        # Open: still on the journal's suspense account, or already booked on TikTok's balance
        # by an earlier match whose statement TikTok amended since.
        open_on_clearing = [("account_id", "=", clearing.id), ("reconciled", "=", False)]
        candidates = Line.search(
            [
                ("journal_id", "=", journal.id),
                "|",
                ("is_reconciled", "=", False),
                ("move_id.line_ids", "any", open_on_clearing),
                ("date", ">=", self.paid_date - timedelta(days=BANK_DATE_TOLERANCE_DAYS)),
                ("date", "<=", self.paid_date + timedelta(days=BANK_DATE_TOLERANCE_DAYS)),
            ]
        )
        digits = self.currency_id.decimal_places
        same_amount = candidates.filtered(
            lambda line: float_compare(line.amount, self.amount, precision_digits=digits) == 0
        )
        by_ref = same_amount.filtered(
            lambda line: self.tiktok_payment_ref in (line.payment_ref or "")
        )
        if by_ref:
            return by_ref[:1]
        # Without the reference, only an unambiguous amount on the payout's days is taken.
        taken = self.search([("statement_line_id", "in", same_amount.ids)]).statement_line_id
        remaining = same_amount - taken
        return remaining if len(remaining) == 1 else Line

    def _tiktok_reconcile_with(self, bank_line):
        """Book the bank line's counterpart on TikTok's balance and reconcile it with the
        statements the payout pays; a conversion by TikTok leaves an exchange difference."""
        items = self._tiktok_bank_items(bank_line)
        if not items:
            return False
        # The statements' entries the payout empties have a line per order.
        reconcile_untracked(items.env, [items])
        self.statement_line_id = bank_line
        return True

    def _tiktok_bank_items(self, bank_line):
        """The items on TikTok's balance that matching `bank_line` reconciles together: the
        bank line's counterpart and the open items of the statements the payout pays (none
        when there is nothing to match)."""
        items = self._tiktok_clearing_items()
        if not items:
            return items
        clearing = self.shop_id._tiktok_finance_account("clearing")
        counterpart = self._tiktok_bank_counterpart(bank_line, clearing, items)
        return counterpart | items if counterpart else counterpart

    def _tiktok_ready_to_match(self, posting):
        """Whether the payout can be matched once `posting` (statements being posted) is:
        paid, not matched yet, every other statement it pays already posted, and those add up
        to what it paid (a statement of it that is not imported yet would be missing)."""
        self.ensure_one()
        others = self.settlement_ids - posting
        payable = sum(self.settlement_ids.mapped("payable_amount"))
        currency = self.settlement_currency_id
        return (
            self.state == "to_match"
            and all(s.state == "posted" for s in others)
            and not currency.compare_amounts(payable, self.amount_before_exchange)
        )

    def _tiktok_bank_counterpart(self, bank_line, clearing, items):
        """The bank line's open item on TikTok's balance: its suspense line moved there the
        first time, or the one left open when TikTok amended a statement after the match."""
        _liquidity, suspense, other = bank_line._seek_for_lines()
        if not suspense:
            return other.filtered(lambda line: line.account_id == clearing and not line.reconciled)
        move = bank_line.move_id.with_context(
            skip_readonly_check=True, skip_account_move_synchronization=True
        )
        move.button_draft()
        suspense.with_context(skip_account_move_synchronization=True).write(
            {
                "account_id": clearing.id,
                "currency_id": self.settlement_currency_id.id,
                "amount_currency": -sum(items.mapped("amount_currency")),
                "name": self.name,
            }
        )
        move.action_post()
        return move.line_ids.filtered(lambda line: line.account_id == clearing)
