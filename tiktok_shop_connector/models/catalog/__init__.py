from . import tiktok_product, tiktok_shop, tiktok_sku
