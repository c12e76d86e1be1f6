# ruff: noqa: I001 -- Odoo registers models in import order: the mixin comes before its users.
from . import connection
from . import tiktok_product, tiktok_sku, sale_order, tiktok_reservation, tiktok_shop_orders
from . import tiktok_fulfillment, tiktok_cancellation
from . import tiktok_sandbox_demo
from . import tiktok_category, tiktok_listing, tiktok_price, product_template
from . import tiktok_warehouse, tiktok_stock
from . import tiktok_catalog_import, tiktok_sku_mapping
