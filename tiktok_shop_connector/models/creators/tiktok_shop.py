from odoo import fields, models


class TikTokShop(models.Model):
    _inherit = "tiktok.shop"

    affiliate_payable_account_id = fields.Many2one(
        "account.account",
        string="Affiliate commissions payable",
        check_company=True,
        help="The commission owed to creators: accrued when their orders are invoiced, cleared "
        "by the settlements that deduct it. Created on first use.",
    )
    creator_samples_account_id = fields.Many2one(
        "account.account",
        string="Creator samples",
        check_company=True,
        help="The marketing expense the cost of the samples sent to creators is booked on.",
    )
    affiliates_high_water_mark = fields.Integer(
        compute="_compute_high_water_marks",
        help="create_time (Unix seconds) up to which every affiliate order was imported.",
    )
    affiliates_first_sync_days = fields.Integer(
        string="First creator sync: days back",
        default=30,
        help="How far back the first affiliate orders import looks.",
    )
    affiliate_line_ids = fields.One2many("tiktok.affiliate.line", "shop_id")
    collaboration_ids = fields.One2many("tiktok.collaboration", "shop_id")
