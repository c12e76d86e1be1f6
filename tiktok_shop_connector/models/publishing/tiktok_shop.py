from odoo import api, fields, models
from odoo.tools import float_repr

from ...tiktok_shop import TikTokShopError, endpoints
from ...tools import check_manager


class TikTokShopPrices(models.Model):
    _inherit = "tiktok.shop"

    def _tiktok_variant_prices(self, products):
        """{variant id: (sale price, list price or None)} from the shop's TikTok pricelist.

        The sale price is the pricelist's; the list price (TikTok's crossed-out retail price) is
        the variant's sales price, sent only when above the sale price. Both are in the shop's
        currency, rounded to it; (None, None) without a pricelist.
        """
        self.ensure_one()
        pricelist = self.pricelist_id
        if not pricelist:
            return dict.fromkeys(products.ids, (None, None))
        currency = self.currency_id
        sale_prices = pricelist._get_products_price(products, quantity=1.0)
        prices = {}
        for product in products:
            sale = currency.round(sale_prices[product.id])
            retail = currency.round(
                product.currency_id._convert(
                    product.lst_price, currency, self.company_id, fields.Date.today()
                )
            )
            prices[product.id] = (sale, retail if retail > sale else None)
        return prices

    def _tiktok_price_strings(self, prices):
        """(sale, list or False) as the decimal strings TikTok takes."""
        sale, listed = prices
        digits = self.currency_id.decimal_places
        return float_repr(sale, digits), float_repr(listed, digits) if listed else False

    def action_tiktok_push_prices(self):
        check_manager(self.env)
        for shop in self:
            shop._tiktok_push_prices(trigger="manual")
        return True

    @api.model
    def _cron_tiktok_push_prices(self):
        shops = self.search([("pricelist_id", "!=", False)]).filtered(
            lambda shop: shop._is_syncing("catalog")
        )
        # A refused run is in the shop's sync log; the next run tries again.
        self.env["tiktok.runner"]._run_per_shop("catalog", shops, "_tiktok_push_prices")

    def _tiktok_push_prices(self, skus=None, trigger="cron", log=None):
        """Send the prices that differ from the last ones pushed, one call per TikTok product."""
        self.ensure_one()
        if skus is None:
            skus = self.env["tiktok.sku"].search(
                [
                    ("shop_id", "=", self.id),
                    ("product_id", "!=", False),
                    ("tiktok_product_ref", "!=", False),
                ]
            )
        with self._tiktok_sync_run("catalog", trigger, log) as log:
            if not self.pricelist_id:
                log._note(self.env._("No TikTok pricelist on the shop: prices are not pushed."))
                return log
            prices = self._tiktok_variant_prices(skus.product_id)
            wanted = {sku: self._tiktok_price_strings(prices[sku.product_id.id]) for sku in skus}
            changed = skus.filtered(
                lambda sku: wanted[sku] != (sku.pushed_price, sku.pushed_list_price)
            )
            log._count("skipped", len(skus - changed))
            for tiktok_product_ref, product_skus in changed.grouped("tiktok_product_ref").items():
                self._tiktok_push_product_prices(tiktok_product_ref, product_skus, wanted, log)
        return log

    def _tiktok_push_product_prices(self, tiktok_product_ref, skus, wanted, log):
        currency = self.currency_id.name
        entries = []
        for sku in skus:
            sale, listed = wanted[sku]
            entry = {"id": sku.tiktok_sku_ref, "price": {"amount": sale, "currency": currency}}
            if listed:
                entry["list_price"] = {"amount": listed, "currency": currency}
            entries.append(entry)
        try:
            self._tiktok_request(
                endpoints.PRODUCT_PRICES_UPDATE,
                path_params={"product_id": tiktok_product_ref},
                json={"skus": entries},
            )
        except TikTokShopError as error:
            log._count("failed", len(skus))
            log._note(f"product {tiktok_product_ref}: {error}")
            return
        for sku in skus:
            sale, listed = wanted[sku]
            sku.write({"pushed_price": sale, "pushed_list_price": listed})
        log._count("updated", len(skus))
