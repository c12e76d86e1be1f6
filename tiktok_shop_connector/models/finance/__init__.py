"""Money: TikTok orders invoiced, settlements and their fees posted, payouts matched to the bank.

A shop books on its own settlement journal and a set of accounts created on first use
(`tiktok.shop._tiktok_finance_account`): TikTok's balance (the clearing account), the platform
discounts TikTok owes, the sales tax TikTok collects and remits, and one account per fee kind
of `tiktok_shop.finance.KINDS`.

Invoices (sale_order.py): a TikTok order is invoiced by its shop's policy through a cron of its
own; the subsidy, TikTok's tax and the shipping lines land on the shop's accounts
(sale_order_line.py); cancellations and returns are credited through the same path.
"""

# ruff: noqa: I001 -- the margin report's SQL view reads the tables of the models before it,
# which Odoo creates in import order.
from . import (
    account_move,
    account_move_line,
    sale_order,
    sale_order_line,
    stock_picking,
    tiktok_finance_account,
    tiktok_payout,
    tiktok_settlement,
    tiktok_settlement_transaction,
    tiktok_shop,
    tiktok_margin_report,
)
