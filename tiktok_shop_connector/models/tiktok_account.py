from odoo import fields, models

MANAGER_GROUP = "tiktok_shop_connector.group_tiktok_shop_manager"


class TikTokAccount(models.Model):
    """One TikTok Shop Partner app (App Key + App Secret) and the seller who authorized it."""

    _name = "tiktok.account"
    _description = "TikTok Shop Account"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name, id"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    state = fields.Selection(
        [
            ("draft", "Not connected"),
            ("connected", "Connected"),
            ("reauthorize", "Needs re-authorization"),
            ("disconnected", "Disconnected"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    market = fields.Selection(
        [("global", "Global (all markets but the US)"), ("us", "United States")],
        string="Market group",
        default="global",
        required=True,
        help="Decides which seller authorization page the Connect button opens.",
    )
    app_key = fields.Char(string="App Key", groups=MANAGER_GROUP)
    service_id = fields.Char(string="Service ID", groups=MANAGER_GROUP)

    _app_key_unique = models.Constraint(
        "unique(app_key, company_id)", "This App Key is already used by another TikTok account."
    )
