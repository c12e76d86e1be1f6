"""Money as finance counts it: minor-unit rounding, exact splits, the sandbox's exchange rates."""

from decimal import Decimal
from fractions import Fraction
from math import floor

from ..state import CURRENCY_DECIMALS, money

ZERO = Decimal(0)
# Fixed sandbox exchange rates: local currency units per US dollar. FeeRates.shipping_per_package
# is a US-dollar figure; a label costs the same in real terms in every market.
LOCAL_PER_USD = {
    "USD": Decimal("1"),
    "GBP": Decimal("0.79"),
    "EUR": Decimal("0.92"),
    "IDR": Decimal("15800"),
    "JPY": Decimal("150"),
    "THB": Decimal("36"),
    "VND": Decimal("25400"),
    "MYR": Decimal("4.7"),
    "PHP": Decimal("58"),
    "SGD": Decimal("1.35"),
    "BRL": Decimal("5.4"),
    "MXN": Decimal("18"),
}


def round_money(amount, currency):
    """`amount` rounded half-up to the currency's minor unit, as a Decimal."""
    return Decimal(money(amount, currency))


def _minor_unit(currency):
    return Decimal(1).scaleb(-CURRENCY_DECIMALS.get(currency, 2))


def allocate(total, weights, currency):
    """Split a rounded `total` over `weights` in minor units; the parts sum to `total` exactly.

    Largest remainder: each part gets its floor share, the units left over go to the parts with
    the biggest fractions (first ones on ties), so shipping spread over SKUs loses no cent.
    """
    unit = _minor_unit(currency)
    minor_units = int(total / unit)
    weights = [Fraction(w) for w in weights] if any(weights) else [Fraction(1)] * len(weights)
    shares = [minor_units * w / sum(weights) for w in weights]
    parts = [floor(share) for share in shares]
    by_fraction = sorted(range(len(shares)), key=lambda i: (parts[i] - shares[i], i))
    for index in by_fraction[: minor_units - sum(parts)]:
        parts[index] += 1
    return [part * unit for part in parts]


def as_decimal(value):
    """A money string (or None, 0) as a Decimal."""
    return Decimal(str(value or 0))
