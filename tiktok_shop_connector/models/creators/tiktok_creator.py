from datetime import date

from dateutil.relativedelta import relativedelta
from odoo import api, fields, models

# The period the creators' figures cover, chosen by the list's filters (context key).
PERIOD_CONTEXT_KEY = "tiktok_creator_period"
PERIODS = [
    ("month", "This month"),
    ("last_month", "Last month"),
    ("quarter", "Last 3 months"),
    ("year", "This year"),
    ("all", "All time"),
]


def period_bounds(period, today):
    """(first day, last day) of `period` (a key of PERIODS) around `today`; (None, None) for all."""
    first_of_month = today.replace(day=1)
    if period == "last_month":
        start = first_of_month - relativedelta(months=1)
        return start, first_of_month - relativedelta(days=1)
    if period == "quarter":
        return first_of_month - relativedelta(months=2), today
    if period == "year":
        return date(today.year, 1, 1), today
    if period == "all":
        return None, None
    return first_of_month, today


class TikTokCreator(models.Model):
    """A creator who sells the seller's products through videos and LIVEs for a commission.

    Created from the affiliate orders and collaborations that name them; the partner is who the
    seller contacts and pays, and whom the commission ledger and the samples are booked against.
    """

    _name = "tiktok.creator"
    _inherit = ["mail.thread"]
    _description = "TikTok creator"
    _order = "username"
    _rec_name = "username"

    username = fields.Char(string="TikTok username", required=True, index=True, tracking=True)
    nickname = fields.Char(tracking=True)
    tiktok_creator_ref = fields.Char(
        string="TikTok creator id", index="btree_not_null", readonly=True, copy=False
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Contact",
        required=True,
        ondelete="restrict",
        help="Whom the seller contacts and pays; the commissions and samples are booked on it.",
    )
    shop_ids = fields.Many2many("tiktok.shop", string="Sells for", readonly=True)
    collaboration_ids = fields.Many2many(
        "tiktok.collaboration", string="Target collaborations", readonly=True
    )
    affiliate_line_ids = fields.One2many(
        "tiktok.affiliate.line", "creator_id", string="Affiliate sales", readonly=True
    )
    sample_order_ids = fields.One2many(
        "sale.order",
        "tiktok_creator_id",
        string="Samples",
        domain=[("tiktok_is_sample", "=", True)],
        readonly=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    # Figures of the period the list's filter chose (this month by default).
    gmv_amount = fields.Monetary(string="GMV", compute="_compute_period_figures")
    order_count = fields.Integer(string="Orders", compute="_compute_period_figures")
    commission_amount = fields.Monetary(string="Commission", compute="_compute_period_figures")
    return_rate = fields.Float(
        string="Return rate (%)",
        compute="_compute_period_figures",
        help="Units refunded or returned, out of the units sold.",
    )
    sample_count = fields.Integer(string="Samples sent", compute="_compute_sample_count")
    commission_payable_amount = fields.Monetary(
        string="Commission owed",
        compute="_compute_commission_payable",
        help="What the creator's commissions payable hold now: accrued at invoicing, less what "
        "TikTok's settlements deducted.",
    )

    commission_item_ids = fields.Many2many(
        "account.move.line",
        string="Commission ledger",
        compute="_compute_commission_payable",
        help="The items of the affiliate commissions payable booked against the creator.",
    )

    _company_username_unique = models.Constraint(
        "unique(company_id, username)", "A TikTok creator is recorded once per company."
    )

    @api.model_create_multi
    def create(self, vals_list):
        """Override: each creator gets a contact of their own when none is given."""
        for vals in vals_list:
            if not vals.get("partner_id"):
                vals["partner_id"] = self._tiktok_new_partner(vals).id
        return super().create(vals_list)

    @api.model
    def _tiktok_new_partner(self, vals):
        username = vals["username"]
        return (
            self.env["res.partner"]
            .sudo()
            .create(
                {
                    "name": vals.get("nickname") or f"@{username}",
                    "comment": self.env._("TikTok creator @%s", username),
                    "company_id": vals.get("company_id") or self.env.company.id,
                }
            )
        )

    @api.depends("username", "nickname")
    def _compute_display_name(self):
        for creator in self:
            name = f"@{creator.username}"
            creator.display_name = f"{name} ({creator.nickname})" if creator.nickname else name

    @api.depends_context(PERIOD_CONTEXT_KEY)
    def _compute_period_figures(self):
        figures = self.env["tiktok.affiliate.line"]._tiktok_figures_by_creator(
            self, self._tiktok_period()
        )
        for creator in self:
            gmv, orders, commission, units, returned = figures.get(creator.id, (0, 0, 0, 0, 0))
            creator.gmv_amount = gmv
            creator.order_count = orders
            creator.commission_amount = commission
            creator.return_rate = 100.0 * returned / units if units else 0.0

    def _tiktok_period(self):
        period = self.env.context.get(PERIOD_CONTEXT_KEY) or "month"
        return period_bounds(period, fields.Date.context_today(self))

    def _compute_sample_count(self):
        counts = dict(
            self.env["sale.order"]._read_group(
                [("tiktok_creator_id", "in", self.ids), ("tiktok_is_sample", "=", True)],
                ["tiktok_creator_id"],
                ["__count"],
            )
        )
        for creator in self:
            creator.sample_count = counts.get(creator, 0)

    def _compute_commission_payable(self):
        Item = self.env["account.move.line"]
        balances = Item._tiktok_commission_balances(self.partner_id)
        items = Item.sudo().search(
            [*Item._tiktok_commission_domain(), ("partner_id", "in", self.partner_id.ids)]
        )
        for creator in self:
            creator.commission_payable_amount = balances.get(creator.partner_id.id, 0.0)
            creator.commission_item_ids = items.filtered(
                lambda item, c=creator: item.partner_id == c.partner_id
            )

    @api.model
    def _tiktok_find_or_create(self, company, usernames, known=()):
        """{username: creator} of `company` for `usernames` and the `known` creators (read
        `tiktok_shop.affiliates.Creator`s, whose TikTok id and nickname are recorded),
        creating the missing ones."""
        known = {creator.username: creator for creator in known}
        usernames = {name for name in usernames if name} | known.keys()
        if not usernames:
            return {}
        found = self.search([("company_id", "=", company.id), ("username", "in", list(usernames))])
        by_name = {creator.username: creator for creator in found}
        missing = sorted(usernames - by_name.keys())
        if missing:
            created = self.create(
                [{"username": name, "company_id": company.id} for name in missing]
            )
            by_name.update({creator.username: creator for creator in created})
        for name, remote in known.items():
            creator = by_name[name]
            values = {"tiktok_creator_ref": remote.ref}
            if remote.nickname and not creator.nickname:
                values["nickname"] = remote.nickname
            if any(creator[field] != value for field, value in values.items()):
                creator.write(values)
        return by_name

    # === SCREENS === #

    def action_open_orders(self):
        self.ensure_one()
        orders = self.affiliate_line_ids.sale_order_id
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action.update(domain=[("id", "in", orders.ids)], context={"create": False})
        return action

    def action_open_samples(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action.update(
            domain=[("tiktok_creator_id", "=", self.id), ("tiktok_is_sample", "=", True)],
            context={"create": False},
        )
        return action

    def action_open_commission_ledger(self):
        self.ensure_one()
        return self.env["account.move.line"]._tiktok_commission_ledger_action(self.partner_id)
