# ruff: noqa: I001 -- Odoo registers models in import order: connection/ defines tiktok.account and
# tiktok.shop, catalog/ tiktok.product and tiktok.sku, and the other concerns extend them.
from . import connection, catalog, orders, fulfillment, publishing, stock, finance
from . import live, live_room, creators, demo
