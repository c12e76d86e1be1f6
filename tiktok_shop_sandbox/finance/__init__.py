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

    money.py        rounding, exact splits (`allocate`), the sandbox's exchange rates
    settlement.py   an order's transactions: the sale, later refunds, reserves
    statements.py   daily statements and their payments, and their views
    endpoints.py    the statement, payment and transaction endpoints

The names below are what the tests use; affiliate.py and live.py import from the modules.
"""

# endpoints is imported for its routes, which register themselves.
from . import endpoints
from .money import LOCAL_PER_USD, allocate
from .settlement import RESERVE_DAYS
