from odoo import api, fields, models

from ...tiktok_shop.finance import KIND_LABELS

# Markets where TikTok collects and remits the sales tax itself (marketplace facilitator laws).
TIKTOK_COLLECTS_TAX_REGIONS = frozenset({"US"})

# Accounts created on first use: role -> (code, name, account type, reconcilable). Codes are
# per company, so every shop of a company shares them unless the seller picks others; the
# clearing account is the shop's own (its code gets the shop's id).
DEFAULT_ACCOUNTS = {
    "clearing": ("TTB", "TikTok balance", "asset_current", True),
    "platform_discount": ("TT110", "TikTok platform discounts receivable", "asset_current", True),
    "awaiting_invoice": ("TT120", "TikTok orders settled before invoicing", "asset_current", True),
    "suspense": ("TT190", "TikTok settlement suspense", "asset_current", True),
    "sales_tax": ("TT210", "Sales tax collected by TikTok", "liability_current", True),
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
}


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
        if role == "clearing":
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
