"""The LIVE control room: the live dashboard of an event, the alerts on its held stock and its
flash report (see tiktok_live_event.py)."""

from . import ir_websocket, sale_order, tiktok_live_event, tiktok_live_event_line
