from . import tiktok_fetch_orders, tiktok_order_cancel, tiktok_sku_mapping_import
