from odoo import api, fields, models
from odoo.fields import Domain

from ... import const
from ...tiktok_shop import endpoints
from ...tiktok_shop.stock_allocation import chunks


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
        missing = self.filtered(lambda sku: not sku.tiktok_product_ref)
        found = {}
        for sku_ids in chunks(missing.mapped("tiktok_sku_ref"), const.INVENTORY_SEARCH_SKU_IDS):
            data = client.request(
                endpoints.INVENTORY_SEARCH,
                shop_cipher=shop.cipher,
                json={"sku_ids": sku_ids},
            )
            for product in data.get("inventory") or []:
                for sku in product.get("skus") or []:
                    found[str(sku["id"])] = str(product["product_id"])
        for sku in missing:
            if sku.tiktok_sku_ref in found:
                sku.tiktok_product_ref = found[sku.tiktok_sku_ref]
        return missing.filtered(lambda sku: not sku.tiktok_product_ref)
