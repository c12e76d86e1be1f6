"""LIVE events: the stock held for a TikTok LIVE, its orders, its waves, TikTok's LIVE sessions
and flash sales (see tiktok_live_event.py)."""

from . import (
    sale_order,
    stock_picking,
    stock_picking_batch,
    stock_warehouse,
    tiktok_live_consumption,
    tiktok_live_deal,
    tiktok_live_deal_sku,
    tiktok_live_event,
    tiktok_live_event_line,
    tiktok_live_session,
    tiktok_live_session_minute,
    tiktok_reservation_request,
    tiktok_shop,
    tiktok_webhook_event,
)
