"""Stock out: what Odoo can sell, pushed to TikTok per SKU and TikTok warehouse, incrementally.

A stock change (quant quantity or reservation, a confirmed or cancelled move) notes its products
in an inbox when its transaction commits, and schedules the stock cron a few seconds later.
Notes are only ever inserted, so order imports running in parallel never wait on each other or
on the cron. The cron turns the notes into a `stock_dirty` flag on the SKU bindings, then pushes,
shop by shop, the SKUs whose quantity differs from the one last pushed: one Update Inventory
call per TikTok product. A SKU stays dirty until TikTok accepted its quantity.
"""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain

from .. import const
from ..tiktok_shop import TikTokShopError, TikTokShopRequestError
from ..tiktok_shop.rate_limit import SequentialWindowPacer
from ..tiktok_shop.stock_allocation import (
    changed_skus,
    chunks,
    inventory_updates,
    outlet_quantities,
    sellable_quantity,
)
from ..tools import check_manager, process_in_batches

_logger = logging.getLogger(__name__)

INVENTORY_UPDATE_PATH = "/product/202309/products/{}/inventory/update"
INVENTORY_SEARCH_PATH = "/product/202309/inventory/search"
# Moves that will still take stock out of (or bring it into) a warehouse.
OPEN_MOVE_STATES = ("waiting", "confirmed", "partially_available", "assigned")
_CHANGED_PRODUCTS_KEY = "tiktok_stock_changed_products"
# Shop fields that change what every shop sharing a warehouse with it shows.
SHOP_STOCK_SETTINGS = frozenset(
    {"stock_buffer", "stock_share_percent", "warehouse_id", "stock_warehouse_ids"}
)


class TikTokStockChange(models.Model):
    """Inbox of products whose stock changed; the stock cron empties it."""

    _name = "tiktok.stock.change"
    _description = "TikTok Shop stock change"
    _log_access = False

    product_id = fields.Many2one("product.product", required=True, ondelete="cascade")

    @api.model
    def _tiktok_note(self, products):
        """Note `products` as changed when this transaction commits (once per transaction)."""
        callbacks = self.env.cr.precommit
        changed = callbacks.data.get(_CHANGED_PRODUCTS_KEY)
        if changed is None:
            changed = callbacks.data[_CHANGED_PRODUCTS_KEY] = set()
            callbacks.add(self._tiktok_record_noted)
        changed.update(products.ids)

    def _tiktok_record_noted(self):
        product_ids = list(self.env.cr.precommit.data.get(_CHANGED_PRODUCTS_KEY) or ())
        if not product_ids:
            return
        # Only products sold on TikTok, and plain inserts: nothing another worker may hold.
        self.env.cr.execute(
            """INSERT INTO tiktok_stock_change (product_id)
               SELECT DISTINCT product_id FROM tiktok_sku WHERE product_id = ANY(%s)""",
            [product_ids],
        )
        if self.env.cr.rowcount:
            self._tiktok_schedule_push()

    @api.model
    def _tiktok_schedule_push(self):
        """Run the stock cron a few seconds from now, unless a run is already due by then:
        a burst of stock moves makes one push."""
        cron = self.env.ref("tiktok_shop_connector.ir_cron_push_stock", raise_if_not_found=False)
        if not cron:
            return
        self.env.cr.execute(
            "SELECT 1 FROM ir_cron_trigger WHERE cron_id = %s AND call_at > now() at time zone "
            "'utc' LIMIT 1",
            [cron.id],
        )
        if not self.env.cr.fetchone():
            delay = timedelta(seconds=const.STOCK_PUSH_DELAY_SECONDS)
            cron.sudo()._trigger(at=fields.Datetime.now() + delay)

    @api.model
    def _tiktok_collect(self):
        """Flag the SKU bindings of the noted products dirty and empty the inbox."""
        self.env.cr.execute(
            "SELECT id, product_id FROM tiktok_stock_change ORDER BY id LIMIT %s",
            [const.STOCK_CHANGE_COLLECT_LIMIT],
        )
        rows = self.env.cr.fetchall()
        if not rows:
            return
        product_ids = list({product_id for _id, product_id in rows})
        self.env["tiktok.sku"].search(
            [("product_id", "in", product_ids), ("stock_dirty", "=", False)]
        ).write({"stock_dirty": True})
        self.env.cr.execute(
            "DELETE FROM tiktok_stock_change WHERE id = ANY(%s)",
            [[row_id for row_id, _p in rows]],
        )


class TikTokStockLevel(models.Model):
    """The quantity last pushed for one SKU binding in one TikTok warehouse."""

    _name = "tiktok.stock.level"
    _description = "TikTok Shop pushed stock"
    _log_access = False
    _order = "sku_id, tiktok_warehouse_id"

    sku_id = fields.Many2one("tiktok.sku", required=True, ondelete="cascade", index=True)
    tiktok_warehouse_id = fields.Many2one("tiktok.warehouse", required=True, ondelete="cascade")
    quantity = fields.Integer(readonly=True)
    pushed_at = fields.Datetime(readonly=True)

    _sku_warehouse_unique = models.Constraint(
        "unique(sku_id, tiktok_warehouse_id)",
        "A SKU has one pushed quantity per warehouse.",
    )

    @api.model
    def _tiktok_pushed(self, skus):
        """{(SKU id, TikTok warehouse id): quantity last pushed}."""
        levels = self.search_fetch([("sku_id", "in", skus.ids)], ["quantity"])
        return {(level.sku_id.id, level.tiktok_warehouse_id.id): level.quantity for level in levels}

    @api.model
    def _tiktok_record(self, quantities):
        """Remember {(SKU id, TikTok warehouse id): quantity} as pushed now.

        The caller holds the locks of these SKU bindings, so no other worker writes their rows.
        """
        if not quantities:
            return
        self.env.cr.execute(
            """INSERT INTO tiktok_stock_level (sku_id, tiktok_warehouse_id, quantity, pushed_at)
               SELECT unnest(%s::int[]), unnest(%s::int[]), unnest(%s::int[]),
                      now() at time zone 'utc'
               ON CONFLICT (sku_id, tiktok_warehouse_id)
               DO UPDATE SET quantity = EXCLUDED.quantity, pushed_at = EXCLUDED.pushed_at""",
            [
                [sku for sku, _warehouse in quantities],
                [warehouse for _sku, warehouse in quantities],
                list(quantities.values()),
            ],
        )
        self.invalidate_model(["quantity", "pushed_at"])


class TikTokSku(models.Model):
    _inherit = "tiktok.sku"

    stock_dirty = fields.Boolean(
        string="Stock to push",
        default=True,
        copy=False,
        index="btree_not_null",
        help="Its stock changed since the last push: the stock cron computes and pushes it.",
    )
    stock_level_ids = fields.One2many("tiktok.stock.level", "sku_id", string="Pushed stock")

    def write(self, vals):
        if vals.get("product_id"):
            vals = {**vals, "stock_dirty": True}
        return super().write(vals)

    @api.model
    def _tiktok_mark_all_stock_dirty(self, shops=None):
        """Every mapped SKU (of `shops`, or all) is computed again at the next push."""
        domain = Domain("product_id", "!=", False) & Domain("stock_dirty", "=", False)
        if shops is not None:
            domain &= Domain("shop_id", "in", shops.ids)
        self.search(domain).write({"stock_dirty": True})

    @api.model
    def _tiktok_listings(self, products, shops):
        """{product id: ids of the shops (among `shops`) that sell it}."""
        listings = {}
        for product, shop in self._read_group(
            [("product_id", "in", products.ids), ("shop_id", "in", shops.ids)],
            ["product_id", "shop_id"],
        ):
            listings.setdefault(product.id, set()).add(shop.id)
        return listings

    def _tiktok_resolve_product_ids(self, client, shop):
        """Fill the TikTok product id of SKUs that have none, from Inventory Search.

        :return: the SKUs TikTok does not know
        """
        missing = self.filtered(lambda sku: not sku.tiktok_product_id)
        found = {}
        for sku_ids in chunks(missing.mapped("tiktok_sku_id"), const.INVENTORY_SEARCH_SKU_IDS):
            data = client.request(
                "POST",
                INVENTORY_SEARCH_PATH,
                shop_cipher=shop.cipher,
                json={"sku_ids": sku_ids},
            )
            for product in data.get("inventory") or []:
                for sku in product.get("skus") or []:
                    found[str(sku["id"])] = str(product["product_id"])
        for sku in missing:
            if sku.tiktok_sku_id in found:
                sku.tiktok_product_id = found[sku.tiktok_sku_id]
        return missing.filtered(lambda sku: not sku.tiktok_product_id)


class StockQuant(models.Model):
    _inherit = "stock.quant"

    @api.model
    def _update_available_quantity(self, product_id, location_id, *args, **kwargs):
        self.env["tiktok.stock.change"]._tiktok_note(product_id)
        return super()._update_available_quantity(product_id, location_id, *args, **kwargs)

    @api.model
    def _update_reserved_quantity(self, product_id, location_id, *args, **kwargs):
        self.env["tiktok.stock.change"]._tiktok_note(product_id)
        return super()._update_reserved_quantity(product_id, location_id, *args, **kwargs)


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_confirm(self, *args, **kwargs):
        # Confirmed demand lowers what can be sold before anything is reserved.
        self.env["tiktok.stock.change"]._tiktok_note(self.product_id)
        return super()._action_confirm(*args, **kwargs)

    def _action_cancel(self):
        self.env["tiktok.stock.change"]._tiktok_note(self.product_id)
        return super()._action_cancel()


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    def _tiktok_sellable_quantities(self, products):
        """{(product id, warehouse id): units these warehouses can sell}, in a few queries.

        On hand minus the larger of reserved and outgoing demand (see `sellable_quantity`):
        orders confirmed but not reserved yet already count.
        """
        if not self or not products:
            return {}
        Quant = self.env["stock.quant"].sudo()
        Move = self.env["stock.move"].sudo()
        in_warehouses = Domain("warehouse_id", "in", self.ids) & Domain("usage", "=", "internal")
        locations = self.env["stock.location"].sudo().search(in_warehouses)
        warehouse_of = {location.id: location.warehouse_id.id for location in locations}
        on_hand, reserved, outgoing = {}, {}, {}
        for product, location, quantity, reserved_quantity in Quant._read_group(
            [("product_id", "in", products.ids), ("location_id", "in", locations.ids)],
            ["product_id", "location_id"],
            ["quantity:sum", "reserved_quantity:sum"],
        ):
            key = (product.id, warehouse_of[location.id])
            on_hand[key] = on_hand.get(key, 0) + quantity
            reserved[key] = reserved.get(key, 0) + reserved_quantity
        for product, source, destination, quantity in Move._read_group(
            [
                ("product_id", "in", products.ids),
                ("location_id", "in", locations.ids),
                ("location_dest_id", "not in", locations.ids),
                ("state", "in", OPEN_MOVE_STATES),
            ],
            ["product_id", "location_id", "location_dest_id"],
            ["product_qty:sum"],
        ):
            if destination.warehouse_id.id != warehouse_of[source.id]:
                key = (product.id, warehouse_of[source.id])
                outgoing[key] = outgoing.get(key, 0) + quantity
        return {
            key: sellable_quantity(quantity, reserved.get(key, 0), outgoing.get(key, 0))
            for key, quantity in on_hand.items()
        }


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
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._("Every SKU's stock will be pushed to TikTok in a moment."),
            },
        }

    def _tiktok_forget_pushed_stock(self):
        skus = self.env["tiktok.sku"].search([("shop_id", "in", self.ids)])
        skus.stock_level_ids.unlink()
        self.env["tiktok.sku"]._tiktok_mark_all_stock_dirty(self)

    @api.model
    def _cron_push_stock(self):
        self.env["tiktok.stock.change"]._tiktok_collect()
        self.env["ir.cron"]._commit_progress()
        shops = self.search([]).filtered(lambda shop: shop._is_syncing("stock"))
        # Every shop's warehouses first: a shop sharing stock takes its part from the first push.
        for shop in shops.filtered(lambda shop: not shop.tiktok_warehouse_ids):
            try:
                shop._tiktok_load_warehouses()
            except TikTokShopError as error:
                _logger.warning("TikTok warehouses of shop %s not loaded: %s", shop.id, error)
        for shop in shops:
            shop._tiktok_push_stock(trigger="cron")

    # === THE PUSH === #

    def _tiktok_push_stock(self, trigger="cron"):
        """Push the shop's dirty SKUs whose quantity changed, batch after batch.

        A TikTok outage or a refused token stops the run: it is recorded in the sync log and the
        SKUs not pushed stay dirty for the next run.
        """
        self.ensure_one()
        if not self.env["tiktok.sku"].search_count(self._tiktok_dirty_skus_domain(), limit=1):
            return self.env["tiktok.sync.log"]
        try:
            with self._tiktok_sync_run("stock", trigger) as log:
                outlets = self._tiktok_stock_outlets()
                client = self._tiktok_stock_client()
                process_in_batches(
                    self.env["tiktok.sku"],
                    self._tiktok_dirty_skus_domain(),
                    const.STOCK_PUSH_BATCH_SIZE,
                    lambda skus: self._tiktok_push_stock_batch(skus, outlets, client, log),
                    order="tiktok_product_id, id",
                )
                return log
        except TikTokShopError as error:
            # Recorded in the sync log; the SKUs not pushed stay dirty for the next run.
            _logger.warning("TikTok stock push of shop %s stopped: %s", self.id, error)
            return self.env["tiktok.sync.log"]

    def _tiktok_stock_client(self):
        """A client paced for one push sending call after call at TikTok's full rate: see
        `SequentialWindowPacer` (a push of 10,000 SKUs is some 2,800 calls in a row)."""
        return self.account_id._tiktok_client(rate_limiter=SequentialWindowPacer())

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
                sku.tiktok_product_id,
                sku.tiktok_sku_id,
                outlet.tiktok_warehouse_id,
                quantities[sku.id, outlet.id],
            )
            for sku in skus
            for outlet in outlets
        ]
        sku_of = {(sku.tiktok_product_id, sku.tiktok_sku_id): sku for sku in skus}
        pushed = self.env["tiktok.sku"]
        try:
            for product_id, body in inventory_updates(rows):
                product_skus = self.env["tiktok.sku"].union(
                    *(sku_of[product_id, entry["id"]] for entry in body["skus"])
                )
                try:
                    client.request(
                        "POST",
                        INVENTORY_UPDATE_PATH.format(product_id),
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
