"""Payouts: the currency a shop is paid in, and what the seller's bank statement shows.

A shop is paid in its settlement currency unless the control API set another payout currency
and its exchange rate (a UK shop paid into a US-dollar account, say): a payment's `amount` is
then `payable x rate`, rounded half-up to the payout currency's minor unit, while
`payment_amount_before_exchange`, `settlement_amount` and `reserve_amount` stay in the
settlement currency. The setting applies to every payment of the shop, past ones included: the
sandbox derives payments from the statements, it does not store them.

Each PAID payment is one line of the seller's bank statement (`bank_lines`), which the
connector's tests import as bank statement lines and match to the payouts.
"""

import re
from datetime import UTC, datetime
from decimal import Decimal

from ..state import money
from .adjustments import decimal_amount

BANK_ACCOUNT = "****6789"
BANK_REFERENCE = "TikTok Shop payout {payment_id}"
_CURRENCY_CODE = re.compile(r"[A-Z]{3}")


def set_payout(shop, currency, exchange_rate=None):
    """Pay `shop` in `currency` at `exchange_rate` (payout units per settlement unit).

    The settlement currency (or an empty one) goes back to paying at rate 1.
    """
    currency = (currency or shop.currency).upper()
    if not _CURRENCY_CODE.fullmatch(currency):
        raise ValueError(f"currency must be an ISO 4217 code, not {currency!r}")
    if currency == shop.currency:
        shop.payout_currency, shop.payout_exchange_rate = "", "1"
        return
    if exchange_rate in (None, ""):
        raise ValueError(f"exchange_rate is required to pay {shop.currency} out in {currency}")
    rate = decimal_amount(exchange_rate, "exchange_rate")
    if rate <= 0:
        raise ValueError("exchange_rate must be positive")
    shop.payout_currency, shop.payout_exchange_rate = currency, format(rate.normalize(), "f")


def payout_currency(shop):
    return shop.payout_currency or shop.currency


def paid_out(shop, payable):
    """(amount string, currency) that reaches the seller's account for `payable`."""
    currency = payout_currency(shop)
    return money(payable * Decimal(shop.payout_exchange_rate), currency), currency


def payout_view(shop):
    """The shop's payout setting, as the control API answers it."""
    return {
        "shop_id": shop.id,
        "settlement_currency": shop.currency,
        "currency": payout_currency(shop),
        "exchange_rate": shop.payout_exchange_rate,
    }


def bank_lines(statements, now):
    """The seller's bank statement lines: one per PAID payment of `statements`, oldest first.

    A payout of zero moves no money, so the bank shows nothing for it.
    """
    lines = []
    for statement in statements:
        paid_time = statement.paid_time(now)
        amount, currency = paid_out(statement.shop, statement.payable_amount)
        if not paid_time or Decimal(amount) == 0:
            continue
        lines.append(
            {
                "date": datetime.fromtimestamp(paid_time, UTC).date().isoformat(),
                "amount": amount,
                "currency": currency,
                "payment_ref": BANK_REFERENCE.format(payment_id=statement.payment_id),
                "account_number": BANK_ACCOUNT,
            }
        )
    return lines
