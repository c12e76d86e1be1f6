"""Stock out: what Odoo can sell, pushed to TikTok per SKU and TikTok warehouse, incrementally.

A stock change (quant quantity or reservation, a confirmed or cancelled move) notes its products
in an inbox when its transaction commits, and schedules the stock cron a few seconds later.
Notes are only ever inserted, so order imports running in parallel never wait on each other or
on the cron. The cron turns the notes into a `stock_dirty` flag on the SKU bindings, then pushes,
shop by shop, the SKUs whose quantity differs from the one last pushed: one Update Inventory
call per TikTok product. A SKU stays dirty until TikTok accepted its quantity.
"""

from . import (
    stock_move,
    stock_quant,
    stock_warehouse,
    tiktok_shop,
    tiktok_sku,
    tiktok_stock_change,
    tiktok_stock_level,
    tiktok_warehouse,
)
