from odoo import api, fields, models

WAREHOUSE_TYPES = [("SALES_WAREHOUSE", "Sales"), ("RETURN_WAREHOUSE", "Returns")]
WAREHOUSE_SUB_TYPES = [
    ("DOMESTIC_WAREHOUSE", "Domestic"),
    ("CB_OVERSEA_WAREHOUSE", "Cross-border, overseas"),
    ("CB_DIRECT_SHIPPING_WAREHOUSE", "Cross-border, direct shipping"),
]
EFFECT_STATUSES = [
    ("ENABLED", "Enabled"),
    ("DISABLED", "Disabled"),
    ("RESTRICTED", "Restricted"),
]


class TikTokWarehouse(models.Model):
    """One warehouse of a TikTok shop, and the Odoo warehouses whose stock it shows.

    Loaded from TikTok's warehouse list. Odoo pushes a quantity to every enabled sales warehouse
    of the seller; Fulfilled by TikTok warehouses hold TikTok's own stock and are never pushed.
    """

    _name = "tiktok.warehouse"
    _inherit = ["tiktok.binding"]
    _description = "TikTok Shop warehouse"
    _order = "shop_id, is_default desc, name, id"
    _tiktok_ref_field = "tiktok_warehouse_ref"

    tiktok_warehouse_ref = fields.Char(string="TikTok warehouse id", required=True, readonly=True)
    name = fields.Char(readonly=True)
    warehouse_type = fields.Selection(WAREHOUSE_TYPES, string="Type", readonly=True)
    sub_type = fields.Selection(WAREHOUSE_SUB_TYPES, readonly=True)
    effect_status = fields.Selection(EFFECT_STATUSES, string="Status", readonly=True)
    is_default = fields.Boolean(string="Default", readonly=True)
    is_fbt = fields.Boolean(
        string="Fulfilled by TikTok",
        help="TikTok's own warehouse: TikTok counts its stock, Odoo never pushes it. Guessed on "
        "loading (TikTok offers no seller-shipped delivery there); correct it if needed.",
    )
    stock_warehouse_ids = fields.Many2many(
        "stock.warehouse",
        "tiktok_warehouse_stock_warehouse_rel",
        "tiktok_warehouse_id",
        "stock_warehouse_id",
        string="Fed by",
        check_company=True,
        help="Odoo warehouses whose stock this TikTok warehouse shows. Empty: the shop's.",
    )
    is_stock_pushed = fields.Boolean(
        string="Stock pushed",
        compute="_compute_is_stock_pushed",
        store=True,
        help="An enabled sales warehouse of the seller: Odoo pushes its quantities.",
    )

    _shop_warehouse_unique = models.Constraint(
        "unique(shop_id, tiktok_warehouse_ref)",
        "This TikTok warehouse is already loaded.",
    )

    @api.depends("warehouse_type", "effect_status", "is_fbt")
    def _compute_is_stock_pushed(self):
        for warehouse in self:
            warehouse.is_stock_pushed = (
                warehouse.warehouse_type == "SALES_WAREHOUSE"
                and warehouse.effect_status == "ENABLED"
                and not warehouse.is_fbt
            )

    def write(self, vals):
        result = super().write(vals)
        if {"stock_warehouse_ids", "is_fbt"} & vals.keys():
            self.env["tiktok.sku"]._tiktok_mark_all_stock_dirty()
        return result

    def _tiktok_feeding_warehouses(self):
        self.ensure_one()
        return self.stock_warehouse_ids or self.shop_id._tiktok_default_stock_warehouses()
