"""Finance: statements, payments and settlement transactions derived from the orders (§5.8).

Sign convention (one for every amount this package returns): amounts are signed from the
seller's side. What TikTok pays the seller is positive (product revenue, the shipping fee the
buyer paid, TikTok's shipping subsidy, fees handed back on a refund, released reserves); what it
keeps is negative (referral fee / platform commission, transaction fee, affiliate commission,
label cost, refunded revenue, withheld reserves). Hence, for every transaction, SKU line,
statement and payment:

    settlement_amount = revenue_amount + shipping_cost_amount + fee_tax_amount + adjustment_amount

which is the 202501 docs' "revenue - shipping_cost - fee_tax - adjustment" read with magnitudes,
and the 202309 statement's "revenue + shipping_cost + fee + adjustment". Every component is
rounded to the currency's minor unit per SKU line (cents; whole rupiah and yen for IDR and JPY)
and every total is a sum of those rounded parts, so the identities hold exactly.

Adjustments (a chargeback, a penalty, a rebate...) are transactions of their own type with only
an `adjustment_amount`; extra fee components added to an order go on its sale. Both come from
the control API, as do a shop's payout currency and the bank lines of its payouts.

    money.py        rounding, exact splits (`allocate`), the sandbox's exchange rates
    settlement.py   an order's transactions: the sale, later refunds, reserves; the estimate
                    of a sale not delivered yet
    adjustments.py  adjustment transactions and extra fee components
    ledger.py       the cache every read goes through: each order's transactions, each shop's
                    statements, recomputed only for what changed
    statements.py   daily statements and their payments, and their views
    unsettled.py    orders that will settle but are in no cut statement yet
    payouts.py      the payout currency and exchange rate, the seller's bank lines
    endpoints.py    the statement, payment, transaction and unsettled-order endpoints

The names below are what the control API and the tests use; affiliate.py and live.py import
from the modules.
"""

# endpoints is imported for its routes, which register themselves.
from . import endpoints
from .adjustments import (
    ADJUSTMENT_TYPES,
    FinanceRefused,
    add_extra_fees,
    adjustment_view,
    adjustments_of,
    extra_fees_view,
    record_adjustment,
)
from .money import LOCAL_PER_USD, allocate
from .payouts import bank_lines, payout_view, set_payout
from .settlement import RESERVE_DAYS
from .statements import sale_is_cut, shop_statements
