"""Money: TikTok orders invoiced, settlements and their fees posted, payouts matched to the bank.

A shop books on its own settlement journal and a set of accounts created on first use
(`tiktok.shop._tiktok_finance_account`): TikTok's balance (the clearing account), the platform
discounts TikTok owes, the sales tax TikTok collects and remits, and one account per fee kind
of `tiktok_shop.finance.KINDS`.
"""

from . import (
    account_move_line,
    sale_order,
    tiktok_finance_account,
    tiktok_margin_report,
    tiktok_payout,
    tiktok_settlement,
    tiktok_settlement_transaction,
    tiktok_shop,
)
