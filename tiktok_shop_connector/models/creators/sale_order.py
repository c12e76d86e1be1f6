from collections import defaultdict

from odoo import fields, models

from ..finance.tiktok_settlement import post_shop_entry


class SaleOrder(models.Model):
    _inherit = "sale.order"

    tiktok_creator_id = fields.Many2one(
        "tiktok.creator",
        string="TikTok creator",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The creator who sold the order, or who asked for the sample.",
    )
    tiktok_affiliate_line_ids = fields.One2many(
        "tiktok.affiliate.line", "sale_order_id", string="Creator sales", readonly=True
    )
    tiktok_sample_move_ids = fields.One2many(
        "account.move", "tiktok_sample_order_id", string="Sample cost entries", readonly=True
    )

    # === SAMPLES: a marketing expense, not revenue === #

    def _tiktok_book_sample_cost(self):
        """Book what these sample orders' delivered units cost (Odoo's valuation of their done
        moves, less returns) as the shop's creator samples expense, against the creator; only
        the change since the last booking. The credit goes to the stock valuation account the
        units left, so Odoo's stock closing does not count them again."""
        for order in self.filtered(lambda o: o.tiktok_is_sample and o.tiktok_shop_id):
            changes = order._tiktok_sample_cost_changes()
            if changes:
                order._tiktok_post_sample_cost(changes)

    def _tiktok_sample_cost_changes(self):
        """{stock valuation account: cost not booked yet} (company currency)."""
        self.ensure_one()
        cost = defaultdict(float)
        # Without a stock valuation account in the company, the cost waits in suspense.
        suspense = self.tiktok_shop_id._tiktok_finance_account("suspense")
        for move in self.order_line.move_ids.filtered(lambda m: m.state == "done"):
            sign = 1 if move.is_out else -1 if move.is_in else 0
            account = move.product_id._get_product_accounts()["stock_valuation"] or suspense
            cost[account] += sign * move.value
        for item in self.tiktok_sample_move_ids.line_ids.filtered(lambda i: i.credit or i.debit):
            if item.account_id in cost:
                cost[item.account_id] += item.balance
        currency = self.company_id.currency_id
        return {account: amount for account, amount in cost.items() if not currency.is_zero(amount)}

    def _tiktok_post_sample_cost(self, changes):
        shop = self.tiktok_shop_id
        currency = self.company_id.currency_id
        partner = self.tiktok_creator_id.partner_id.id or False
        label = self.env._("Creator sample %s", self.tiktok_order_ref)
        expense = shop._tiktok_finance_account("creator_samples")
        items = []
        for account, amount in changes.items():
            if account == shop._tiktok_finance_account("suspense"):
                self.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._("Sample cost booked in suspense"),
                    note=self.env._(
                        "The company has no stock valuation account: move the cost of this "
                        "sample from the suspense account."
                    ),
                )
            items.append(
                {
                    "account_id": account.id,
                    "name": label,
                    "partner_id": partner,
                    "currency_id": currency.id,
                    "amount_currency": -currency.round(amount),
                }
            )
            cost = {"account_id": expense.id, "amount_currency": currency.round(amount)}
            items.append({**items[-1], **cost})
        return post_shop_entry(
            shop,
            currency,
            items,
            label,
            fields.Date.context_today(self),
            extra={"tiktok_sample_order_id": self.id},
        )

    def _tiktok_link_sample_creator(self, creator):
        """The creator who asked for these samples: the order and its cost entries name them."""
        self.with_context(tracking_disable=True).tiktok_creator_id = creator
        self.tiktok_sample_move_ids.line_ids.sudo().partner_id = creator.partner_id
