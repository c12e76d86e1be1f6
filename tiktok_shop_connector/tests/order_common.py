from tiktok_shop_sandbox import orders as sandbox_orders

from .common import SandboxMixin


class OrderSandboxMixin(SandboxMixin):
    """A connected seller whose TikTok SKUs all have an Odoo product with stock."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls._sandbox_account()
        cls.shops = cls._connect_to_sandbox(cls.account)
        cls.us = cls._odoo_shop("US")
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )

    @classmethod
    def _odoo_shop(cls, region, shops=None):
        return (shops or cls.shops).filtered(lambda shop: shop.region == region)

    @classmethod
    def _remote_shop(cls, shop):
        return cls.sandbox.state.shops[shop.tiktok_shop_ref]

    @classmethod
    def _remote_skus(cls, shop):
        remote = cls._remote_shop(shop)
        return [
            sku
            for product in cls.sandbox.state.products.values()
            if product.shop_id == remote.id and product.status == "ACTIVATE"
            for sku in product.skus
        ]

    @classmethod
    def _create_products_for(cls, shop, skip=(), quantity=100, warehouse=None):
        """An Odoo product per TikTok SKU (reference = seller SKU), with stock on hand."""
        products = cls.env["product.product"]
        for sku in cls._remote_skus(shop):
            if sku.seller_sku in skip:
                continue
            product = cls.env["product.product"].create(
                {
                    "name": f"Odoo {sku.seller_sku}",
                    "default_code": sku.seller_sku,
                    "is_storable": True,
                    "list_price": 1.0,
                }
            )
            cls.env["stock.quant"].sudo()._update_available_quantity(
                product, (warehouse or cls.warehouse).lot_stock_id, quantity
            )
            products |= product
        return products

    def _in_stock_skus(self, shop, count=2, fbt=False):
        skus = [
            sku
            for sku in self._remote_skus(shop)
            if sandbox_orders.available_units(self.sandbox.state, sku, fbt) >= 3
        ]
        self.assertGreaterEqual(len(skus), count, "the sandbox seed has SKUs in stock")
        return skus[:count]

    def _place(self, shop, items, **options):
        """A buyer checks out on TikTok; returns the sandbox order."""
        options.setdefault("on_hold", False)
        return sandbox_orders.place_order(
            self.sandbox.state, self._remote_shop(shop), items, **options
        )

    def _remote_order(self, order_id):
        return sandbox_orders.order_to_api(self.sandbox.state, self.sandbox.state.orders[order_id])

    def _sale_orders(self, shop, order_id=None):
        domain = [("tiktok_shop_id", "=", shop.id)]
        if order_id:
            domain.append(("tiktok_order_ref", "=", order_id))
        return self.env["sale.order"].search(domain)
