from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

from odoo import api, fields, models

from ...tiktok_shop import finance
from ...tiktok_shop.affiliates import allocate
from ...tools import analytic_line_defaults, check_manager, reconcile_untracked
from .account_move import SETTLING_CONTEXT_KEY

PAYMENT_STATUSES = [("PROCESSING", "Being paid"), ("PAID", "Paid out"), ("FAILED", "Payout failed")]


def utc_date(timestamp):
    return datetime.fromtimestamp(timestamp, UTC).date() if timestamp else False


class TikTokSettlement(models.Model):
    """One TikTok statement: a UTC day of a shop's settled orders, fees and adjustments, posted
    as one journal entry in the shop's settlement journal and paid out by a payout."""

    _name = "tiktok.settlement"
    _inherit = ["tiktok.binding", "mail.thread", "mail.activity.mixin"]
    _description = "TikTok settlement"
    _order = "statement_date desc, id desc"
    _tiktok_ref_field = "tiktok_statement_ref"

    name = fields.Char(compute="_compute_name", store=True)
    tiktok_statement_ref = fields.Char(string="TikTok statement id", required=True, readonly=True)
    statement_date = fields.Date(
        readonly=True, help="The day (UTC) the statement covers; TikTok cuts it at midnight."
    )
    statement_time = fields.Integer(readonly=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    revenue_amount = fields.Monetary(string="Revenue", readonly=True)
    shipping_cost_amount = fields.Monetary(string="Shipping", readonly=True)
    fee_tax_amount = fields.Monetary(string="Fees and taxes", readonly=True)
    adjustment_amount = fields.Monetary(string="Adjustments", readonly=True)
    reserve_amount = fields.Monetary(string="Reserves", readonly=True)
    settlement_amount = fields.Monetary(string="Settlement", readonly=True)
    payable_amount = fields.Monetary(
        string="Paid out", readonly=True, help="Settlement less the reserves TikTok holds."
    )
    payment_status = fields.Selection(PAYMENT_STATUSES, readonly=True)
    tiktok_payment_ref = fields.Char(string="TikTok payment id", readonly=True, index=True)
    payout_id = fields.Many2one("tiktok.payout", readonly=True, index="btree_not_null")
    transaction_ids = fields.One2many("tiktok.settlement.transaction", "settlement_id")
    transaction_count = fields.Integer(compute="_compute_transaction_count")
    fingerprint = fields.Char(
        readonly=True, help="What TikTok sent last: an amended statement is posted anew."
    )
    move_id = fields.Many2one("account.move", string="Journal entry", readonly=True, copy=False)
    state = fields.Selection(
        [("imported", "To post"), ("posted", "Posted")],
        default="imported",
        required=True,
        readonly=True,
    )
    suspense_amount = fields.Monetary(
        readonly=True, help="Booked in suspense: fees without an account, orders not in Odoo."
    )

    _shop_ref_unique = models.Constraint(
        "unique(shop_id, tiktok_statement_ref)", "A TikTok statement is imported once per shop."
    )

    @api.depends("shop_id.name", "statement_date")
    def _compute_name(self):
        for settlement in self:
            settlement.name = f"{settlement.shop_id.name} {settlement.statement_date or ''}"

    def _compute_transaction_count(self):
        counts = dict(
            self.env["tiktok.settlement.transaction"]._read_group(
                [("settlement_id", "in", self.ids)], ["settlement_id"], ["__count"]
            )
        )
        for settlement in self:
            settlement.transaction_count = counts.get(settlement, 0)

    def _tiktok_write_payment(self, statement):
        """TikTok's payout status of an unchanged statement (PROCESSING, then PAID), and the
        payout paying it."""
        values = {
            "payment_status": statement.payment_status or False,
            "tiktok_payment_ref": statement.payment_ref or False,
            "payout_id": self.shop_id._tiktok_payout_of(statement),
        }
        if any(self[name] != value for name, value in values.items()):
            self.write({**values, "payout_id": values["payout_id"].id})

    # === SCREENS === #

    def action_open_move(self):
        self.ensure_one()
        return self.move_id._get_records_action(name=self.env._("Journal entry"))

    def action_open_payout(self):
        self.ensure_one()
        return self.payout_id._get_records_action(name=self.env._("Payout"))

    # === POSTING === #

    def action_post(self):
        check_manager(self.env)
        # As the sync posts: a TikTok manager need not have sales or accounting rights.
        self.sudo()._tiktok_post()
        return True

    def _tiktok_post(self):
        """Post each statement as one balanced journal entry and reconcile what it settles."""
        for settlement in self.filtered(lambda s: s.state == "imported"):
            settlement._tiktok_post_one()

    def _tiktok_post_one(self):
        entry = SettlementEntry(self)
        for transaction in self.transaction_ids:
            entry.add_transaction(transaction)
        move = entry.create_move(
            self.env._("TikTok statement %s", self.tiktok_statement_ref), self.statement_date
        )
        self.move_id = move
        payout, bank_line, bank_items = self._tiktok_payout_arrived()
        entry.reconcile(move, bank_items)
        if bank_items:
            payout.statement_line_id = bank_line
        self._tiktok_clear_commission_accruals(entry.commission_orders)
        self.write({"state": "posted", "suspense_amount": entry.suspense_total})
        entry.write_match_states()
        self._tiktok_review_suspense(entry)

    def _tiktok_payout_arrived(self):
        """(payout, bank line, items to reconcile) when this is the last of its payout's
        statements to post and the payout is already on the bank: it is matched in the same
        reconciliation as the invoices. Matched later, it would make Odoo recompute every
        invoice this entry paid a second time (their amounts depend on the paying entry's
        lines), a month's worth of invoices in a month's sync."""
        payout = self.payout_id
        no_match = (payout, self.env["account.bank.statement.line"], self.env["account.move.line"])
        if not payout or not payout._tiktok_ready_to_match(self):
            return no_match
        bank_line = payout._tiktok_find_bank_line()
        if not bank_line:
            return no_match
        return payout, bank_line, payout._tiktok_bank_items(bank_line)

    def _tiktok_review_suspense(self, entry):
        """An activity for what landed in suspense: nothing booked there goes unnoticed."""
        if not entry.suspense_reasons:
            return
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Review TikTok amounts booked in suspense"),
            note="\n".join(sorted(entry.suspense_reasons)),
            user_id=self.shop_id.account_id.create_uid.id or self.env.uid,
        )

    def _tiktok_unpost(self):
        """Reverse the entry of a statement TikTok amended: the new version is posted anew."""
        for settlement in self.filtered("move_id"):
            settlement.move_id._reverse_moves(
                [{"ref": self.env._("Amended by TikTok: %s", settlement.move_id.ref)}],
                cancel=True,
            )
            settlement.write({"move_id": False, "state": "imported"})
            # A payout matched before the amendment is matched again to the new entry.
            settlement.payout_id.statement_line_id = False

    def _tiktok_clear_awaiting(self, transactions):
        """A follow-up entry for orders this statement settled before they were invoiced: the
        amount waiting for each now clears its invoice, exactly as at posting time."""
        self.ensure_one()
        entry = SettlementEntry(self)
        awaiting = entry.account("awaiting_invoice")
        for transaction in transactions:
            refund = transaction.proceeds_amount < 0
            if not entry.open_items(transaction.tiktok_order_ref, refund):
                continue
            waiting = self.move_id.line_ids.filtered(
                lambda line, t=transaction: (
                    line.tiktok_transaction_id == t
                    and line.account_id == awaiting
                    and not line.reconciled
                )
            )
            if not waiting:
                continue
            entry.add_line(
                awaiting,
                transaction.proceeds_amount,
                waiting.name,
                waiting.partner_id,
                reconcile=waiting,
            )
            entry.add_proceeds(transaction)
        if not entry.lines:
            return
        move = entry.create_move(
            self.env._("TikTok statement %s: orders invoiced since", self.tiktok_statement_ref),
            fields.Date.context_today(self),
            with_statement=False,
        )
        entry.reconcile(move)
        entry.write_match_states()
        self._tiktok_review_suspense(entry)

    def _tiktok_commission_accruals(self):
        """{sale order id: [(creator's partner, weight)]}: the orders of this statement whose
        creator commission was accrued, and how a deduction of it splits between their creators.
        The creators concern accrues commissions (models/creators/tiktok_settlement.py)."""
        return {}

    def _tiktok_clear_commission_accruals(self, orders):
        """Reconcile the accruals of `orders` with the deductions just posted (creators)."""
        return True

    def _tiktok_open_invoice_items(self):
        """{(TikTok order id, refund?): open items of the order's posted invoices or credit
        notes}: the receivable, the platform discount and the pass-through tax it settles."""
        self.ensure_one()
        refs = [ref for ref in set(self.transaction_ids.mapped("tiktok_order_ref")) if ref]
        items = self.env["account.move.line"].search(
            [
                ("move_id.tiktok_shop_id", "=", self.shop_id.id),
                ("move_id.tiktok_order_ref", "in", refs),
                ("move_id.move_type", "in", ("out_invoice", "out_refund")),
                ("parent_state", "=", "posted"),
                ("account_id.reconcile", "=", True),
                ("reconciled", "=", False),
            ]
        )
        grouped = defaultdict(lambda: self.env["account.move.line"])
        for item in items:
            if not item.currency_id.is_zero(item.amount_residual_currency):
                move = item.move_id
                grouped[(move.tiktok_order_ref, move.move_type == "out_refund")] |= item
        return grouped


class SettlementEntry:
    """The journal items of one statement's entry, built transaction by transaction.

    Signs: a TikTok amount is positive when TikTok pays the seller, so it is booked as a
    credit (balance = -amount) on its account, and the statement's payable amount is a debit
    on TikTok's balance (the clearing account) that the payout empties.
    """

    def __init__(self, settlement):
        self.settlement = settlement
        self.shop = settlement.shop_id
        self.currency = settlement.currency_id
        self.lines = []  # [(values, items to reconcile the line with)]
        self.charges = defaultdict(float)  # (account id, key) -> amount
        self.suspense_reasons = set()
        self.suspense_total = 0.0
        self.match_states = {}
        self.commission_orders = settlement.env["sale.order"]
        self._open_items = settlement._tiktok_open_invoice_items()
        self._accruals = settlement._tiktok_commission_accruals()
        self._accounts = {}

    def account(self, role):
        """The shop's account of `role`, looked up once per entry."""
        if role not in self._accounts:
            self._accounts[role] = self.shop._tiktok_finance_account(role)
        return self._accounts[role]

    # --- per transaction ---

    def add_transaction(self, transaction):
        if transaction.transaction_type == finance.ORDER or transaction.proceeds_amount:
            self.add_proceeds(transaction)
        else:
            self.match_states[transaction] = "charges"
        for _section, key, kind, amount in transaction.breakdown or []:
            if kind == "affiliate_commission" and self._add_deduction(transaction, key, amount):
                continue
            if kind != "proceeds":
                self._add_charge(kind, key, float(amount))

    def _add_deduction(self, transaction, key, amount):
        """The creator commission TikTok deducted for an order whose commission was accrued:
        it pays the accrual (the payable), per creator; False when there is no accrual."""
        order = transaction.sale_order_id
        partners = self._accruals.get(order.id)
        if not partners:
            return False
        payable = self.account("affiliate_payable")
        weights = [weight for _partner, weight in partners]
        parts = allocate(Decimal(amount), weights, self.currency.decimal_places)
        for (partner, _weight), part in zip(partners, parts, strict=True):
            self.add_line(
                payable, -float(part), key, partner, extra={"tiktok_commission_order_id": order.id}
            )
        self.commission_orders |= order
        return True

    def _add_charge(self, kind, key, amount):
        if kind == finance.UNKNOWN:
            account = self.account("suspense")
            self.suspense_reasons.add(
                self.settlement.env._(
                    "TikTok fee type %(key)s has no account yet: %(amount)s booked in suspense. "
                    "Map it and move the amount.",
                    key=key,
                    amount=amount,
                )
            )
            self.suspense_total += amount
        else:
            account = self.account(kind)
        self.charges[(account.id, key)] += amount

    def open_items(self, order_ref, refund, take=False):
        """The order's open invoice items; `take` hands them out once (a second transaction of
        the same order in the statement must not reconcile them again)."""
        key = (order_ref, refund)
        return self._open_items.pop(key, None) if take else self._open_items.get(key)

    def add_proceeds(self, transaction):
        env = self.settlement.env
        proceeds = transaction.proceeds_amount
        order = transaction.sale_order_id
        label = env._("TikTok order %s", transaction.tiktok_order_ref)
        refund = proceeds < 0
        items = self.open_items(transaction.tiktok_order_ref, refund, take=True)
        if items:
            self._clear_items(transaction, items, proceeds, label)
            return
        if order:
            account = self.account("awaiting_invoice")
            self.match_states[transaction] = "awaiting_invoice"
        else:
            account = self.account("suspense")
            self.match_states[transaction] = "no_order"
            self.suspense_total += proceeds
            self.suspense_reasons.add(
                env._(
                    "TikTok order %(order)s is not in Odoo: its %(amount)s is in suspense.",
                    order=transaction.tiktok_order_ref,
                    amount=proceeds,
                )
            )
        self.add_line(account, -proceeds, label, order.partner_id, transaction=transaction)

    def _clear_items(self, transaction, items, proceeds, label):
        """Lines that empty the invoice's open items; TikTok's figure and Odoo's must agree."""
        cleared = 0.0
        for item in items:
            residual = item.amount_residual_currency
            cleared += residual
            self.add_line(item.account_id, -residual, label, item.partner_id, reconcile=item)
        difference = self.currency.round(proceeds - cleared)
        self.match_states[transaction] = "reconciled"
        if not self.currency.is_zero(difference):
            env = self.settlement.env
            self.match_states[transaction] = "difference"
            self.suspense_total += difference
            self.suspense_reasons.add(
                env._(
                    "TikTok settled %(proceeds)s for order %(order)s, its invoice expected "
                    "%(expected)s: the difference is in suspense.",
                    proceeds=proceeds,
                    order=transaction.tiktok_order_ref,
                    expected=cleared,
                )
            )
            account = self.account("suspense")
            self.add_line(account, -difference, label, items.partner_id[:1])

    def add_line(
        self, account, amount_currency, label, partner, reconcile=None, transaction=None, extra=None
    ):
        values = {
            "account_id": account.id,
            "name": label,
            "partner_id": partner.id or False,
            "currency_id": self.currency.id,
            "amount_currency": amount_currency,
            **(extra or {}),
        }
        if transaction is not None:
            values["tiktok_transaction_id"] = transaction.id
        self.lines.append((values, reconcile))

    # --- the entry ---

    def create_move(self, ref, date, with_statement=True):
        """The posted entry of the lines, in the shop's settlement journal."""
        return post_shop_entry(
            self.shop, self.currency, self.line_values(with_statement), ref, date
        )

    def line_values(self, with_statement=True):
        if not with_statement:
            return [line for line, _items in self.lines]
        env = self.settlement.env
        for (account_id, key), amount in self.charges.items():
            if not self.currency.is_zero(amount):
                account = env["account.account"].browse(account_id)
                self.add_line(account, -amount, key, env["res.partner"])
        clearing = self.account("clearing")
        self.add_line(
            clearing,
            self.settlement.payable_amount,
            env._("TikTok statement %s", self.settlement.tiktok_statement_ref),
            env["res.partner"],
        )
        return [line for line, _items in self.lines]

    def reconcile(self, move, bank_items=None):
        """Reconcile each invoice item with the line that clears it, and the payout's
        `bank_items` (TikTok's balance) when given, in one batch."""
        created = move.line_ids.sorted("id")
        plan = [
            created[index] | item
            for index, (_values, item) in enumerate(self.lines)
            if item is not None
        ]
        if bank_items:
            plan.append(bank_items)
        if not plan:
            return
        # Hundreds of posted invoices turn paid at once: their chatter would get a tracking
        # message each (a third of a statement's time; the statement's transactions say it
        # instead), and Odoo would resynchronise their tax and payment term lines, which
        # reconciling cannot change.
        reconcile_untracked(move.env, plan, skip_invoice_sync=True, **{SETTLING_CONTEXT_KEY: True})

    def write_match_states(self):
        by_state = defaultdict(lambda: self.settlement.env["tiktok.settlement.transaction"])
        for transaction, state in self.match_states.items():
            by_state[state] |= transaction
        for state, transactions in by_state.items():
            transactions.match_state = state


def post_shop_entry(shop, currency, lines, ref, date, extra=None):
    """Post an entry of `lines` (journal item values in `currency`, `amount_currency` set) in
    the shop's settlement journal; return it.

    Company-currency balances are at the date's rate; the rounding goes to the last line (TikTok's
    balance, in a statement's entry) so the entry balances to the cent.
    """
    env, company = shop.env, shop.company_id
    defaults = analytic_line_defaults(env)
    values = [{**defaults, **line} for line in lines]
    company_currency = company.currency_id
    for line in values:
        amount = line["amount_currency"]
        line["balance"] = currency._convert(amount, company_currency, company, date)
    values[-1]["balance"] -= company_currency.round(sum(line["balance"] for line in values))
    # No line has a tax or a payment term: there are no tax lines to synchronise. An entry the
    # connector books has nothing for the chatter to track (hundreds of lines a statement).
    move = (
        env["account.move"]
        .sudo()
        .with_context(check_move_validity=False, skip_invoice_sync=True, tracking_disable=True)
        .create(
            {
                "move_type": "entry",
                "journal_id": shop._tiktok_finance_journal().id,
                "date": date,
                "ref": ref,
                "currency_id": currency.id,
                "line_ids": [fields.Command.create(line) for line in values],
                **(extra or {}),
            }
        )
    )
    move.action_post()
    return move
