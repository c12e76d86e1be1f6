import hashlib
import json
import time
from dataclasses import astuple

from odoo import api, fields, models
from odoo.tools import split_every

from ...tiktok_shop import endpoints, finance
from ...tiktok_shop.errors import TikTokDataError
from ...tiktok_shop.finance import KIND_LABELS
from ...tools import check_manager
from .tiktok_settlement import utc_date

# Markets where TikTok collects and remits the sales tax itself (marketplace facilitator laws).
TIKTOK_COLLECTS_TAX_REGIONS = frozenset({"US"})

# Accounts created on first use: role -> (code, name, account type, reconcilable). Codes are
# per company, so every shop of a company shares them unless the seller picks others; the
# clearing account and the creators' commissions payable are the shop's own (PER_SHOP_ROLES).
DEFAULT_ACCOUNTS = {
    "clearing": ("TTB", "TikTok balance", "asset_current", True),
    "platform_discount": ("TT110", "TikTok platform discounts receivable", "asset_current", True),
    "awaiting_invoice": ("TT120", "TikTok orders settled before invoicing", "asset_current", True),
    "suspense": ("TT190", "TikTok settlement suspense", "asset_current", True),
    "sales_tax": ("TT210", "Sales tax collected by TikTok", "liability_current", True),
    "affiliate_payable": ("TT215", "Affiliate commissions payable", "liability_current", True),
    "creator_samples": ("TT670", "Creator samples", "expense", False),
    "shipping_income": ("TT400", "Shipping charged to TikTok buyers", "income", False),
    "reserve": ("TT130", "TikTok reserves held", "asset_current", True),
    "commission": ("TT610", None, "expense", False),
    "transaction_fee": ("TT611", None, "expense", False),
    "affiliate_commission": ("TT612", None, "expense", False),
    "service_fee": ("TT613", None, "expense", False),
    "refund_administration": ("TT614", None, "expense", False),
    "shipping_cost": ("TT620", None, "expense", False),
    "shipping_subsidy": ("TT621", None, "income_other", False),
    "fbt_fee": ("TT622", None, "expense", False),
    "fee_tax": ("TT630", None, "expense", False),
    "chargeback": ("TT640", None, "expense", False),
    "penalty": ("TT641", None, "expense", False),
    "compensation": ("TT650", None, "income_other", False),
    "rebate": ("TT651", None, "income_other", False),
    "ads": ("TT660", None, "expense", False),
    "other": ("TT690", None, "expense", False),
}
# Roles kept on the shop itself; the fee kinds live in tiktok.finance.account.
SHOP_ACCOUNT_FIELDS = {
    "clearing": "clearing_account_id",
    "platform_discount": "platform_discount_account_id",
    "awaiting_invoice": "awaiting_invoice_account_id",
    "suspense": "suspense_account_id",
    "sales_tax": "sales_tax_account_id",
    "shipping_income": "shipping_income_account_id",
    # models/creators/tiktok_shop.py
    "affiliate_payable": "affiliate_payable_account_id",
    "creator_samples": "creator_samples_account_id",
}
# Roles whose account is the shop's own: its code gets the shop's id.
PER_SHOP_ROLES = frozenset({"clearing", "affiliate_payable"})


class TikTokShop(models.Model):
    _inherit = "tiktok.shop"

    invoice_policy = fields.Selection(
        [
            ("auto", "At delivery (Fulfilled by TikTok orders: at import)"),
            ("delivery", "At delivery (Fulfilled by TikTok orders: once TikTok ships them)"),
            ("import", "At import"),
            ("manual", "By hand"),
        ],
        string="Invoice TikTok orders",
        default="auto",
        required=True,
        help="Invoices are posted in the shop's currency and carry the TikTok order id. At "
        "delivery: when the order's delivery is validated; orders Fulfilled by TikTok have no "
        "Odoo delivery, so they are invoiced at import, or once TikTok ships them. By hand: "
        "with Create invoice on the order. A new policy applies to every order not invoiced yet.",
    )
    tax_mode = fields.Selection(
        [("tiktok", "Collected and remitted by TikTok"), ("seller", "Collected by the seller")],
        string="Sales tax",
        compute="_compute_tax_mode",
        store=True,
        readonly=False,
        precompute=True,
        help="Collected and remitted by TikTok (marketplace facilitator, e.g. US sales tax; "
        "the default for US shops): the tax is never the seller's liability; it passes through "
        "an account of its own and stays out of the seller's tax report. Collected by the "
        "seller (e.g. UK and EU VAT; the default elsewhere): the shop's Odoo tax applies to "
        "the orders and their invoices.",
    )
    finance_journal_id = fields.Many2one(
        "account.journal",
        string="Settlement journal",
        check_company=True,
        domain="[('type', '=', 'general')]",
        help="Where the shop's TikTok statements are posted. Created on first use.",
    )
    payout_journal_id = fields.Many2one(
        "account.journal",
        string="Payout bank account",
        check_company=True,
        domain="[('type', '=', 'bank')]",
        help="The bank journal TikTok pays the shop's payouts into; its statement lines are "
        "matched to the payouts.",
    )
    clearing_account_id = fields.Many2one(
        "account.account",
        string="TikTok balance account",
        check_company=True,
        help="What TikTok owes the shop: statements add to it, payouts empty it.",
    )
    platform_discount_account_id = fields.Many2one(
        "account.account",
        string="Platform discounts receivable",
        check_company=True,
        help="TikTok's subsidies on orders: money TikTok owes, not a discount the seller pays.",
    )
    awaiting_invoice_account_id = fields.Many2one(
        "account.account",
        string="Settled before invoicing",
        check_company=True,
        help="Holds what TikTok settled for an order that has no invoice yet, until it has.",
    )
    suspense_account_id = fields.Many2one(
        "account.account",
        string="Settlement suspense",
        check_company=True,
        help="Fee types TikTok adds that have no account yet, and settlement differences: "
        "each comes with an activity to review it.",
    )
    sales_tax_account_id = fields.Many2one(
        "account.account",
        string="Sales tax collected by TikTok",
        check_company=True,
        help="A pass-through account: the tax on the invoice, cleared by the settlement.",
    )
    shipping_income_account_id = fields.Many2one(
        "account.account",
        string="Shipping charged to buyers",
        check_company=True,
        help="Where the shipping fee the buyer paid is booked on the invoice.",
    )
    finance_account_ids = fields.One2many(
        "tiktok.finance.account", "shop_id", string="Fee accounts"
    )
    settlements_first_sync_days = fields.Integer(
        string="First settlement sync: days back",
        default=30,
        help="How far back the first statement import looks.",
    )

    def write(self, vals):
        """Override: orders not invoiced yet follow a new invoice policy at once."""
        result = super().write(vals)
        if "invoice_policy" in vals:
            self.env.ref("tiktok_shop_connector.ir_cron_invoice_tiktok_orders").sudo()._trigger()
        return result

    @api.depends("region")
    def _compute_tax_mode(self):
        for shop in self:
            if not shop.tax_mode:
                collects = shop.region in TIKTOK_COLLECTS_TAX_REGIONS
                shop.tax_mode = "tiktok" if collects else "seller"

    # === ACCOUNTS, CREATED ON FIRST USE === #

    def _tiktok_finance_account(self, role):
        """The account of `role` (a key of DEFAULT_ACCOUNTS), created on first use."""
        self.ensure_one()
        field_name = SHOP_ACCOUNT_FIELDS.get(role)
        if field_name:
            if not self[field_name]:
                self.sudo()[field_name] = self._tiktok_default_account(role)
            return self[field_name]
        mapping = self.finance_account_ids.filtered(lambda line: line.kind == role)
        if not mapping:
            mapping = (
                self.env["tiktok.finance.account"]
                .sudo()
                .create(
                    {
                        "shop_id": self.id,
                        "kind": role,
                        "account_id": self._tiktok_default_account(role).id,
                    }
                )
            )
        return mapping.account_id

    def _tiktok_default_account(self, role):
        code, name, account_type, reconcile = DEFAULT_ACCOUNTS[role]
        if role in PER_SHOP_ROLES:
            code, name = f"{code}{self.id}", f"{name} ({self.name})"
        Account = self.env["account.account"].sudo().with_company(self.company_id)
        account = Account.search(
            [("code", "=", code), ("company_ids", "in", self.company_id.id)], limit=1
        )
        if account:
            return account
        return Account.create(
            {
                "code": code,
                "name": name or f"TikTok: {KIND_LABELS[role]}",
                "account_type": account_type,
                "reconcile": reconcile,
                "company_ids": [fields.Command.set(self.company_id.ids)],
            }
        )

    def _tiktok_finance_journal(self):
        """The shop's settlement journal, created on first use."""
        self.ensure_one()
        if not self.finance_journal_id:
            Journal = self.env["account.journal"].sudo().with_company(self.company_id)
            self.sudo().finance_journal_id = Journal.create(
                {
                    "name": f"TikTok settlements {self.name}",
                    "code": f"TT{self.id}"[:5],
                    "type": "general",
                    "company_id": self.company_id.id,
                    "currency_id": self.currency_id != self.company_id.currency_id
                    and self.currency_id.id,
                }
            )
        return self.finance_journal_id


class TikTokShopSettlements(models.Model):
    """The settlement sync: statements, their transactions and payouts, read since the mark."""

    _inherit = "tiktok.shop"

    fees_high_water_mark = fields.Integer(
        compute="_compute_high_water_marks",
        help="statement_time (Unix seconds) up to which every statement was imported.",
    )
    settlement_ids = fields.One2many("tiktok.settlement", "shop_id", string="Settlements")
    payout_ids = fields.One2many("tiktok.payout", "shop_id", string="Payouts")

    @api.model
    def _cron_sync_settlements(self):
        shops = self.search([("sync_enabled", "=", True), ("sync_fees", "=", True)])
        due = shops.filtered(lambda shop: shop._is_syncing("fees"))
        self.env["tiktok.runner"]._run_per_shop("fees", due, "_tiktok_sync_settlements")

    def action_sync_settlements(self):
        check_manager(self.env)
        for shop in self.sudo():
            shop._tiktok_sync_settlements(trigger="manual")
        return True

    def _tiktok_sync_settlements(self, since=None, trigger="cron", log=None):
        """Import the statements cut since the mark (less a week: TikTok amends statements),
        post them, import the payouts and match them to the bank; one sync run."""
        self.ensure_one()
        if since is None:
            since = self._tiktok_mark_start("fees", self.settlements_first_sync_days * 86400)
        with self._tiktok_sync_run("fees", trigger, log) as log:
            params = {"sort_field": "statement_time", "sort_order": "ASC"}
            if since:
                params["statement_time_ge"] = since
            remote = list(
                self._tiktok_paginate(
                    endpoints.FINANCE_STATEMENTS, params=params, items_key="statements"
                )
            )
            # Payouts first: a statement whose payout is already on the bank is matched to it
            # as it is posted.
            self._tiktok_import_payouts(since, log)
            for index, data in enumerate(remote):
                statement = finance.read_statement(data, f"statements[{index}]")
                self._tiktok_import_statement(statement, log)
                self._tiktok_mark_advance("fees", [{"update_time": statement.statement_time}])
                self.env["ir.cron"]._commit_progress()
                # A month is thousands of invoices: keep one statement's records in memory.
                self.env.invalidate_all()
            # Those whose bank line arrived since their statements were posted.
            for payout in self.payout_ids:
                payout._tiktok_match_bank()
                self.env["ir.cron"]._commit_progress()
                # Matching a payout reads its statement's entry: one entry's lines at a time.
                self.env.invalidate_all()
            self._tiktok_import_unsettled(log)
        return log

    def _tiktok_import_statement(self, statement, log):
        """Create or update one statement and its transactions, and post it."""
        Settlement = self.env["tiktok.settlement"].sudo()
        settlement = Settlement._tiktok_find(self, [statement.ref])
        transactions, totals = self._tiktok_read_statement_transactions(statement)
        fingerprint = _fingerprint(statement, transactions)
        if settlement and settlement.fingerprint == fingerprint:
            settlement._tiktok_write_payment(statement)
            log._count("skipped")
            return settlement
        values = self._tiktok_settlement_values(statement, transactions, totals, fingerprint)
        if settlement:
            settlement._tiktok_unpost()
            settlement.transaction_ids.unlink()
            settlement.write(values)
            log._count("updated")
        else:
            settlement = Settlement.create(values)
            log._count("created")
        self._tiktok_create_transactions(settlement, transactions)
        settlement._tiktok_post()
        return settlement

    def _tiktok_read_statement_transactions(self, statement):
        """Every transaction of a statement (all pages), checked against the statement's totals."""
        transactions, page_token, totals = [], None, None
        while True:
            params = {"sort_field": "order_create_time", "page_size": 100}
            if page_token:
                params["page_token"] = page_token
            data = self._tiktok_request(
                endpoints.FINANCE_STATEMENT_TRANSACTIONS,
                path_params={"statement_id": statement.ref},
                params=params,
            )
            totals = totals or finance.read_statement_totals(data)
            for index, item in enumerate(data.get("transactions") or []):
                where = f"statement {statement.ref} transactions[{len(transactions) + index}]"
                transactions.append(finance.read_transaction(item, where))
            page_token = data.get("next_page_token")
            if not page_token:
                break
        found = sum((t.settlement for t in transactions), finance.ZERO)
        if found != totals.settlement:
            raise TikTokDataError(
                f"statement {statement.ref}",
                f"its transactions add up to {found}, not to its settlement {totals.settlement}",
            )
        return transactions, totals

    def _tiktok_settlement_values(self, statement, transactions, totals, fingerprint):
        currency = self._tiktok_currency_named(statement.currency)
        if not currency:
            raise TikTokDataError(
                f"statement {statement.ref}", f"unknown currency {statement.currency}"
            )

        def total(name):
            return float(sum((getattr(t, name) for t in transactions), finance.ZERO))

        return {
            "shop_id": self.id,
            "tiktok_statement_ref": statement.ref,
            "statement_time": statement.statement_time,
            # The statement is cut at 00:00 UTC at the end of the day it covers.
            "statement_date": utc_date(statement.statement_time - 1),
            "currency_id": currency.id,
            "revenue_amount": total("revenue"),
            "shipping_cost_amount": total("shipping_cost"),
            "fee_tax_amount": total("fee_tax"),
            "adjustment_amount": total("adjustment"),
            "reserve_amount": float(totals.reserve),
            "settlement_amount": float(totals.settlement),
            "payable_amount": float(totals.payable or totals.settlement + totals.reserve),
            "payment_status": statement.payment_status or False,
            "tiktok_payment_ref": statement.payment_ref or False,
            "payout_id": self._tiktok_payout_of(statement).id,
            "fingerprint": fingerprint,
            "state": "imported",
        }

    def _tiktok_create_transactions(self, settlement, transactions):
        Transaction = self.env["tiktok.settlement.transaction"].sudo()
        orders = self.env["sale.order"].search(
            [
                ("tiktok_shop_id", "=", self.id),
                (
                    "tiktok_order_ref",
                    "in",
                    list({t.order_ref for t in transactions if t.order_ref}),
                ),
            ]
        )
        by_ref = {order.tiktok_order_ref: order.id for order in orders}
        Transaction.create(
            [
                {
                    **Transaction._values_from(transaction),
                    "shop_id": self.id,
                    "settlement_id": settlement.id,
                    "currency_id": settlement.currency_id.id,
                    "sale_order_id": by_ref.get(transaction.order_ref, False),
                }
                for transaction in transactions
            ]
        )

    # === PAYOUTS === #

    def _tiktok_payout_of(self, statement):
        """The imported payout that pays `statement` (none yet while TikTok is paying it)."""
        if not statement.payment_ref:
            return self.env["tiktok.payout"]
        return self.env["tiktok.payout"].sudo()._tiktok_find(self, [statement.payment_ref])

    def _tiktok_import_payouts(self, since, log):
        params = {"sort_field": "create_time"}
        if since:
            params["create_time_ge"] = since
        Payout = self.env["tiktok.payout"].sudo()
        for index, data in enumerate(
            self._tiktok_paginate(endpoints.FINANCE_PAYMENTS, params=params, items_key="payments")
        ):
            payment = finance.read_payment(data, f"payments[{index}]")
            values = self._tiktok_payout_values(payment)
            payout = Payout._tiktok_find(self, [payment.ref])
            if payout:
                payout.write(values)
            else:
                payout = Payout.create(values)
            self.settlement_ids.filtered(
                lambda s, ref=payment.ref: s.tiktok_payment_ref == ref
            ).payout_id = payout

    def _tiktok_payout_values(self, payment):
        currency = self._tiktok_currency_named(payment.currency) or self.currency_id
        return {
            "shop_id": self.id,
            "tiktok_payment_ref": payment.ref,
            "status": payment.status or False,
            "create_date_tiktok": utc_date(payment.create_time),
            "paid_date": utc_date(payment.paid_time),
            "currency_id": currency.id,
            "amount": float(payment.amount),
            "settlement_currency_id": self.currency_id.id,
            "amount_before_exchange": float(payment.amount_before_exchange or payment.amount),
            "reserve_amount": float(payment.reserve),
            "exchange_rate": float(payment.exchange_rate),
        }


def _fingerprint(statement, transactions):
    """A digest of what TikTok sent for a statement: the same digest means nothing changed."""
    content = [
        statement.settlement,
        [
            (t.ref, t.settlement, t.reserve, [astuple(c) for c in t.components])
            for t in transactions
        ],
    ]
    return hashlib.sha256(json.dumps(content, default=str).encode()).hexdigest()


# TikTok settles an order within weeks of its delivery: older orders are settled or never will.
UNSETTLED_ORDERS_DAYS = 90
UNSETTLED_PAGE_SIZE = 50


class TikTokShopUnsettled(models.Model):
    """TikTok's estimates for the orders it has not settled yet, and the shop's money screens."""

    _inherit = "tiktok.shop"

    settlement_count = fields.Integer(compute="_compute_settlement_counts")
    payout_to_match_count = fields.Integer(compute="_compute_settlement_counts")

    def _compute_settlement_counts(self):
        settlements = dict(
            self.env["tiktok.settlement"]._read_group(
                [("shop_id", "in", self.ids)], ["shop_id"], ["__count"]
            )
        )
        payouts = dict(
            self.env["tiktok.payout"]._read_group(
                [("shop_id", "in", self.ids), ("state", "=", "to_match")], ["shop_id"], ["__count"]
            )
        )
        for shop in self:
            shop.settlement_count = settlements.get(shop, 0)
            shop.payout_to_match_count = payouts.get(shop, 0)

    def action_open_settlement_import(self):
        check_manager(self.env)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "tiktok_shop_connector.tiktok_settlement_import_action"
        )
        action["context"] = {"default_shop_id": self.id}
        return action

    def action_view_settlements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "tiktok_shop_connector.tiktok_settlement_action"
        )
        action["domain"] = [("shop_id", "=", self.id)]
        action["context"] = {"default_shop_id": self.id}
        return action

    def action_view_payouts_to_match(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "tiktok_shop_connector.tiktok_payout_action"
        )
        action["domain"] = [("shop_id", "=", self.id), ("state", "=", "to_match")]
        return action

    # === ESTIMATES OF UNSETTLED ORDERS === #

    def _tiktok_import_unsettled(self, log=None):
        """Write TikTok's estimate on each of the shop's orders it has not settled yet, one
        page of orders at a time; an order no longer listed (settled, cancelled) loses its
        estimate."""
        self.ensure_one()
        since = int(time.time()) - UNSETTLED_ORDERS_DAYS * 86400
        items = self._tiktok_paginate(
            endpoints.FINANCE_UNSETTLED_ORDERS,
            params={"sort_field": "order_create_time", "search_time_ge": since},
            items_key="transactions",
            page_size=UNSETTLED_PAGE_SIZE,
        )
        estimated = self.env["sale.order"]
        for page in split_every(UNSETTLED_PAGE_SIZE, enumerate(items)):
            estimated |= self._tiktok_write_estimates(page, log)
        stale = (
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("tiktok_shop_id", "=", self.id),
                    ("id", "not in", estimated.ids),
                    "|",
                    ("tiktok_unsettled_reason", "!=", False),
                    ("tiktok_estimated_settlement", "!=", 0),
                ]
            )
        )
        stale.write(_estimate_values(None))

    def _tiktok_write_estimates(self, page, log):
        """The page's estimates on their orders (one search); the orders estimated."""
        estimates = []
        for index, data in page:
            try:
                estimates.append(finance.read_unsettled(data, f"unsettled[{index}]"))
            except TikTokDataError as error:
                # An estimate is for the seller's information: the others still count.
                if log:
                    log._note(str(error))
        refs = [estimate.order_ref for estimate in estimates]
        orders = (
            self.env["sale.order"]
            .sudo()
            .search([("tiktok_shop_id", "=", self.id), ("tiktok_order_ref", "in", refs)])
        )
        by_ref = {order.tiktok_order_ref: order for order in orders}
        for estimate in estimates:
            order = by_ref.get(estimate.order_ref)
            if order:
                values = _estimate_values(estimate)
                if _differs(order, values):
                    order.write(values)
        return orders


def _estimate_values(estimate):
    """An order's estimate fields from a read `finance.UnsettledOrder` (None: no estimate)."""
    if estimate is None:
        return {
            "tiktok_estimated_settlement": 0.0,
            "tiktok_estimated_fees": 0.0,
            "tiktok_unsettled_reason": False,
        }
    return {
        "tiktok_estimated_settlement": float(estimate.settlement),
        "tiktok_estimated_fees": float(estimate.fee_tax),
        "tiktok_unsettled_reason": estimate.reason or False,
    }


def _differs(order, values):
    currency = order.currency_id
    return (
        order.tiktok_unsettled_reason != values["tiktok_unsettled_reason"]
        or currency.compare_amounts(
            order.tiktok_estimated_settlement, values["tiktok_estimated_settlement"]
        )
        or currency.compare_amounts(order.tiktok_estimated_fees, values["tiktok_estimated_fees"])
    )
