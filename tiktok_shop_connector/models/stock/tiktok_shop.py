from odoo import api, fields, models

from ... import const
from ...tiktok_shop import TikTokShopRequestError, endpoints
from ...tiktok_shop.rate_limit import SequentialWindowPacer
from ...tiktok_shop.stock_allocation import changed_skus, inventory_updates, outlet_quantities
from ...tools import check_manager, notification
from .tiktok_warehouse import EFFECT_STATUSES, WAREHOUSE_SUB_TYPES, WAREHOUSE_TYPES

# Shop fields that change what every shop sharing a warehouse with it shows.
SHOP_STOCK_SETTINGS = frozenset(
    {"stock_buffer", "stock_share_percent", "warehouse_id", "stock_warehouse_ids"}
)
# The delivery service only a seller's own warehouse offers: TikTok's fulfilment centres never
# hand parcels to a carrier the seller picks.
SELLER_DELIVERY_TYPE = "SEND_BY_SELLER"


class TikTokShopStock(models.Model):
    _inherit = "tiktok.shop"

    stock_buffer = fields.Integer(
        string="Safety buffer (units)",
        default=0,
        help="Held back from every SKU in every TikTok warehouse, against overselling.",
    )
    stock_share_percent = fields.Float(
        string="Share of shared stock (%)",
        default=100.0,
        help="When several shops sell from one Odoo warehouse, each shows its share of it: its "
        "percent over the total of the shops' percents (at least 100), rounded down.",
    )

    _stock_buffer_positive = models.Constraint(
        "CHECK(stock_buffer >= 0)", "The safety buffer cannot be negative."
    )
    _stock_share_range = models.Constraint(
        "CHECK(stock_share_percent >= 0 AND stock_share_percent <= 100)",
        "The share of shared stock is a percentage between 0 and 100.",
    )

    def write(self, vals):
        result = super().write(vals)
        if SHOP_STOCK_SETTINGS & vals.keys():
            self.env["tiktok.sku"]._tiktok_mark_all_stock_dirty()
        return result

    # === ACTIONS AND CRON === #

    def action_tiktok_resync_stock(self):
        """Push every SKU again at the next stock run, changed or not."""
        check_manager(self.env)
        self._tiktok_forget_pushed_stock()
        self.env.ref("tiktok_shop_connector.ir_cron_push_stock").sudo()._trigger()
        message = self.env._("Every SKU's stock will be pushed to TikTok in a moment.")
        return notification(message, "info")

    def _tiktok_forget_pushed_stock(self):
        skus = self.env["tiktok.sku"].search([("shop_id", "in", self.ids)])
        skus.stock_level_ids.unlink()
        self.env["tiktok.sku"]._tiktok_mark_all_stock_dirty(self)

    @api.model
    def _cron_push_stock(self):
        self.env["tiktok.stock.change"]._tiktok_collect()
        self.env["ir.cron"]._commit_progress()
        shops = self.search([]).filtered(lambda shop: shop._is_syncing("stock"))
        runner = self.env["tiktok.runner"]
        # Every shop's warehouses first: a shop sharing stock takes its part from the first push.
        without_warehouses = shops.filtered(lambda shop: not shop.tiktok_warehouse_ids)
        runner._run_per_shop(False, without_warehouses, "_tiktok_load_warehouses")
        # A TikTok outage or a refused token fails a shop's run: it is recorded in its sync log
        # and the SKUs not pushed stay dirty for the next run.
        to_push = shops.filtered(lambda shop: shop._tiktok_has_stock_to_push())
        runner._run_per_shop("stock", to_push, "_tiktok_push_stock")

    # === THE PUSH === #

    def _tiktok_has_stock_to_push(self):
        return bool(self.env["tiktok.sku"].search_count(self._tiktok_dirty_skus_domain(), limit=1))

    def _tiktok_push_stock(self, trigger="cron", log=None):
        """Push the shop's dirty SKUs whose quantity changed, batch after batch.

        A TikTok outage or a refused token stops the run, failed: the SKUs not pushed stay dirty.
        """
        self.ensure_one()
        with self._tiktok_sync_run("stock", trigger, log) as log:
            outlets = self._tiktok_stock_outlets()
            # One pacer for the whole push; each batch is a transaction with its own client.
            pacer = SequentialWindowPacer()
            self.env["tiktok.runner"]._run_batches(
                self.env["tiktok.sku"],
                self._tiktok_dirty_skus_domain(),
                const.STOCK_PUSH_BATCH_SIZE,
                lambda skus: self._tiktok_push_stock_batch(
                    skus, outlets, self._tiktok_stock_client(pacer), log
                ),
                order="tiktok_product_ref, id",
                stop_on_error=True,
            )
        return log

    def _tiktok_stock_client(self, pacer):
        """A client paced for one push sending call after call at TikTok's full rate: see
        `SequentialWindowPacer` (a push of 10,000 SKUs is some 2,800 calls in a row)."""
        return self.account_id._tiktok_client(rate_limiter=pacer)

    def _tiktok_dirty_skus_domain(self):
        return [("shop_id", "=", self.id), ("stock_dirty", "=", True), ("product_id", "!=", False)]

    def _tiktok_push_stock_batch(self, skus, outlets, client, log):
        unknown = skus._tiktok_resolve_product_ids(client, self)
        if unknown:
            log._count("failed", len(unknown))
            log._note(
                self.env._(
                    "Not found on TikTok: %s",
                    ", ".join(unknown.mapped("display_label")),
                )
            )
        skus -= unknown
        quantities = self._tiktok_quantities_to_show(skus, outlets)
        changed = changed_skus(quantities, self.env["tiktok.stock.level"]._tiktok_pushed(skus))
        unchanged = skus.filtered(lambda sku: sku.id not in changed)
        unchanged.write({"stock_dirty": False})
        log._count("skipped", len(unchanged))
        self._tiktok_send_inventory(skus - unchanged, outlets, quantities, client, log)

    def _tiktok_quantities_to_show(self, skus, outlets):
        """{(SKU id, TikTok warehouse id): quantity} for these SKUs in the shop's outlets."""
        feeds = self._tiktok_stock_feeds(outlets)
        warehouses = self.env["stock.warehouse"].browse(
            {warehouse for _shop, warehouse_ids in feeds.values() for warehouse in warehouse_ids}
        )
        products = skus.product_id
        shops = self.browse({shop for shop, _warehouses in feeds.values()})
        by_product = outlet_quantities(
            products.ids,
            warehouses._tiktok_sellable_quantities(products),
            feeds,
            {shop.id: shop.stock_share_percent for shop in shops},
            {shop.id: shop.stock_buffer for shop in shops},
            self.env["tiktok.sku"]._tiktok_listings(products, shops),
        )
        return {
            (sku.id, outlet.id): by_product[sku.product_id.id, outlet.id]
            for sku in skus
            for outlet in outlets
        }

    def _tiktok_stock_feeds(self, outlets):
        """{TikTok warehouse id: (shop id, [Odoo warehouse ids])} of these outlets and of every
        other shop's outlet sharing one of their Odoo warehouses."""
        feeds = {
            outlet.id: (outlet.shop_id.id, outlet._tiktok_feeding_warehouses().ids)
            for outlet in self.env["tiktok.warehouse"].search(
                [("is_stock_pushed", "=", True), ("shop_id.active", "=", True)]
            )
        }
        own = {warehouse for outlet in outlets for warehouse in feeds[outlet.id][1]}
        return {
            outlet: (shop, warehouses)
            for outlet, (shop, warehouses) in feeds.items()
            if outlet in outlets.ids or own & set(warehouses)
        }

    def _tiktok_send_inventory(self, skus, outlets, quantities, client, log):
        """One Update Inventory per TikTok product; remembers what TikTok accepted."""
        rows = [
            (
                sku.tiktok_product_ref,
                sku.tiktok_sku_ref,
                outlet.tiktok_warehouse_ref,
                quantities[sku.id, outlet.id],
            )
            for sku in skus
            for outlet in outlets
        ]
        sku_of = {(sku.tiktok_product_ref, sku.tiktok_sku_ref): sku for sku in skus}
        pushed = self.env["tiktok.sku"]
        try:
            for product_id, body in inventory_updates(rows):
                product_skus = self.env["tiktok.sku"].union(
                    *(sku_of[product_id, entry["id"]] for entry in body["skus"])
                )
                try:
                    client.request(
                        endpoints.PRODUCT_INVENTORY_UPDATE,
                        path_params={"product_id": product_id},
                        shop_cipher=self.cipher,
                        json=body,
                    )
                except TikTokShopRequestError as error:
                    # TikTok refused this product (deleted, frozen...): the others go on.
                    log._count("failed", len(product_skus))
                    log._note(f"product {product_id}: {error}")
                    continue
                pushed |= product_skus
        finally:
            # What TikTok accepted is remembered even when an outage stops the run.
            self.env["tiktok.stock.level"]._tiktok_record(
                {
                    (sku.id, outlet.id): quantities[sku.id, outlet.id]
                    for sku in pushed
                    for outlet in outlets
                }
            )
            pushed.write({"stock_dirty": False})
            log._count("updated", len(pushed))


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
        remote_warehouses = self._tiktok_request(endpoints.WAREHOUSES).get("warehouses")
        existing = self.env["tiktok.warehouse"]._tiktok_by_ref(self)
        for remote in remote_warehouses or []:
            values = _warehouse_values(remote)
            warehouse = existing.get(values["tiktok_warehouse_ref"])
            if warehouse:
                warehouse.write(values)
                continue
            values.update(
                shop_id=self.id,
                is_fbt=self._tiktok_is_fulfilled_by_tiktok(values),
                stock_warehouse_ids=[
                    fields.Command.set(self._tiktok_default_stock_warehouses().ids)
                ],
            )
            self.env["tiktok.warehouse"].create(values)
        # Another outlet of shared stock changes every shop's split.
        self.env["tiktok.sku"]._tiktok_mark_all_stock_dirty()

    def _tiktok_is_fulfilled_by_tiktok(self, values):
        """TikTok lists no FBT flag: its own centres are the sales warehouses without
        seller-shipped delivery."""
        if values["warehouse_type"] != "SALES_WAREHOUSE" or values["effect_status"] != "ENABLED":
            return False
        options = self._tiktok_request(
            endpoints.WAREHOUSE_DELIVERY_OPTIONS,
            path_params={"warehouse_id": values["tiktok_warehouse_ref"]},
        ).get("delivery_options")
        return not any(option.get("type") == SELLER_DELIVERY_TYPE for option in options or [])

    def _tiktok_stock_outlets(self):
        """The shop's TikTok warehouses Odoo pushes, loaded from TikTok the first time."""
        self.ensure_one()
        if not self.tiktok_warehouse_ids:
            self._tiktok_load_warehouses()
        return self.tiktok_warehouse_ids.filtered("is_stock_pushed")


def _warehouse_values(remote):
    return {
        "tiktok_warehouse_ref": str(remote["id"]),
        "name": remote.get("name") or str(remote["id"]),
        "warehouse_type": _known(WAREHOUSE_TYPES, remote.get("type")),
        "sub_type": _known(WAREHOUSE_SUB_TYPES, remote.get("sub_type")),
        "effect_status": _known(EFFECT_STATUSES, remote.get("effect_status")),
        "is_default": bool(remote.get("is_default")),
    }


def _known(selection, value):
    """`value` when the selection has it; a status TikTok adds later reads as unknown."""
    return value if value in dict(selection) else False
