# ruff: noqa: I001 -- Odoo registers models in import order: the abstract upload model before the
# image and document models that inherit it.
from . import tiktok_category, tiktok_brand, tiktok_product
from . import tiktok_listing_upload, tiktok_listing_image, tiktok_listing_attribute
from . import tiktok_listing_document, tiktok_listing_variant
from . import tiktok_sku, tiktok_shop, product_template
