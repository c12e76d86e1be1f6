from odoo import fields, models

from ...tiktok_shop.finance import KINDS


class TikTokFinanceAccount(models.Model):
    """The account a shop books one kind of TikTok fee, cost or adjustment on."""

    _name = "tiktok.finance.account"
    _description = "TikTok fee account"
    _order = "shop_id, id"

    shop_id = fields.Many2one("tiktok.shop", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="shop_id.company_id")
    kind = fields.Selection(KINDS, required=True)
    account_id = fields.Many2one(
        "account.account", required=True, check_company=True, ondelete="restrict"
    )

    _shop_kind_unique = models.Constraint(
        "unique(shop_id, kind)", "A shop books each kind of fee on one account."
    )
