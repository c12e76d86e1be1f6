from . import sale_order, stock_picking, tiktok_cancellation, tiktok_shipping_provider, tiktok_shop
