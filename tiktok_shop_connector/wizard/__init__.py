from . import (
    tiktok_fetch_orders,
    tiktok_order_cancel,
    tiktok_settlement_import,
    tiktok_sku_mapping_import,
)
