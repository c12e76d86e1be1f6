from odoo import api, fields, models

from ..tools import check_manager

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
WAREHOUSES_PATH = "/logistics/202309/warehouses"
# The delivery service only a seller's own warehouse offers: TikTok's fulfilment centres never
# hand parcels to a carrier the seller picks.
SELLER_DELIVERY_TYPE = "SEND_BY_SELLER"


class TikTokWarehouse(models.Model):
    """One warehouse of a TikTok shop, and the Odoo warehouses whose stock it shows.

    Loaded from TikTok's warehouse list. Odoo pushes a quantity to every enabled sales warehouse
    of the seller; Fulfilled by TikTok warehouses hold TikTok's own stock and are never pushed.
    """

    _name = "tiktok.warehouse"
    _description = "TikTok Shop warehouse"
    _order = "shop_id, is_default desc, name, id"

    shop_id = fields.Many2one("tiktok.shop", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    tiktok_warehouse_id = fields.Char(string="TikTok warehouse id", required=True, readonly=True)
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
        "unique(shop_id, tiktok_warehouse_id)",
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


class TikTokShopWarehouses(models.Model):
    _inherit = "tiktok.shop"

    tiktok_warehouse_ids = fields.One2many(
        "tiktok.warehouse", "shop_id", string="TikTok warehouses"
    )

    def _tiktok_default_stock_warehouses(self):
        self.ensure_one()
        return self.stock_warehouse_ids or self.warehouse_id

    def action_load_tiktok_warehouses(self):
        check_manager(self.env)
        for shop in self:
            shop._tiktok_load_warehouses()

    def _tiktok_load_warehouses(self):
        """Create or update the shop's TikTok warehouses from TikTok's list."""
        self.ensure_one()
        client = self._tiktok_client()
        remote_warehouses = client.request("GET", WAREHOUSES_PATH, shop_cipher=self.cipher).get(
            "warehouses"
        )
        existing = {w.tiktok_warehouse_id: w for w in self.tiktok_warehouse_ids}
        for remote in remote_warehouses or []:
            values = _warehouse_values(remote)
            warehouse = existing.get(values["tiktok_warehouse_id"])
            if warehouse:
                warehouse.write(values)
                continue
            values.update(
                shop_id=self.id,
                is_fbt=self._tiktok_is_fulfilled_by_tiktok(client, values),
                stock_warehouse_ids=[
                    fields.Command.set(self._tiktok_default_stock_warehouses().ids)
                ],
            )
            self.env["tiktok.warehouse"].create(values)
        # Another outlet of shared stock changes every shop's split.
        self.env["tiktok.sku"]._tiktok_mark_all_stock_dirty()

    def _tiktok_is_fulfilled_by_tiktok(self, client, values):
        """TikTok lists no FBT flag: its own centres are the sales warehouses without
        seller-shipped delivery."""
        if values["warehouse_type"] != "SALES_WAREHOUSE" or values["effect_status"] != "ENABLED":
            return False
        path = f"{WAREHOUSES_PATH}/{values['tiktok_warehouse_id']}/delivery_options"
        options = client.request("GET", path, shop_cipher=self.cipher).get("delivery_options")
        return not any(option.get("type") == SELLER_DELIVERY_TYPE for option in options or [])

    def _tiktok_stock_outlets(self):
        """The shop's TikTok warehouses Odoo pushes, loaded from TikTok the first time."""
        self.ensure_one()
        if not self.tiktok_warehouse_ids:
            self._tiktok_load_warehouses()
        return self.tiktok_warehouse_ids.filtered("is_stock_pushed")


def _warehouse_values(remote):
    return {
        "tiktok_warehouse_id": str(remote["id"]),
        "name": remote.get("name") or str(remote["id"]),
        "warehouse_type": _known(WAREHOUSE_TYPES, remote.get("type")),
        "sub_type": _known(WAREHOUSE_SUB_TYPES, remote.get("sub_type")),
        "effect_status": _known(EFFECT_STATUSES, remote.get("effect_status")),
        "is_default": bool(remote.get("is_default")),
    }


def _known(selection, value):
    """`value` when the selection has it; a status TikTok adds later reads as unknown."""
    return value if value in dict(selection) else False
