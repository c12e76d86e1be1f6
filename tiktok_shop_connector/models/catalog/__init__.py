# ruff: noqa: I001 -- Odoo registers models in import order: a model's definition before its
# extensions.
from . import tiktok_product, tiktok_sku, tiktok_shop
