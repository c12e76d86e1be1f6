"""Creators: the affiliates who sell the seller's products, their commissions and samples.

Affiliate orders (tiktok.affiliate.line, one per SKU entry) are read from TikTok by a sync of
their own and attached to the sale order lines they cover; collaborations give the rates offered
per product. The commission owed is accrued on the shop's affiliate commissions payable when an
order is invoiced, follows TikTok's refunds and actual figures, and is cleared by the settlement
that deducts it (account_move_line.py, tiktok_settlement.py). Sample orders are not revenue:
their cost is a marketing expense booked against the creator (stock_picking.py).
"""

# ruff: noqa: I001 -- the performance report's SQL view reads the tables of the models before it,
# which Odoo creates in import order.
from . import (
    account_move,
    account_move_line,
    product_template,
    sale_order,
    sale_order_line,
    stock_picking,
    tiktok_affiliate_line,
    tiktok_collaboration,
    tiktok_collaboration_product,
    tiktok_creator,
    tiktok_settlement,
    tiktok_shop,
    tiktok_webhook_event,
    tiktok_creator_report,
)
