"""What the catalog refuses, and how: TikTok's product codes and the `Problem` a check reports.

Where sellers have reported TikTok's own code for a refusal it is used (12019002 category not
open to the seller, 12019024 stock out of range, 12019059 seller SKU too long, 12052003 status
does not allow the action, 12052048 another seller's product, 12019120 too many ids); every
other listing problem answers 12019000, the sandbox's stand-in for TikTok's many field-level
product codes, with a message naming the field.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..routing import ApiError

CODE_UPLOAD_TOO_LARGE = 36009021
CODE_PRODUCT_INVALID = 12019000
CODE_CATEGORY_NOT_PERMITTED = 12019002
CODE_STOCK_OUT_OF_RANGE = 12019024
CODE_SELLER_SKU_TOO_LONG = 12019059
CODE_TOO_MANY_IDS = 12019120
CODE_IMAGE_INVALID = 12038001
CODE_STATUS_NOT_ALLOWED = 12052003


@dataclass
class Problem:
    code: int
    field: str
    message: str

    def as_reason(self):
        return {"code": self.code, "message": f"{self.field}: {self.message}"}


def raise_first(problems):
    """Refuse the call with the first problem, as create, edit and updates do (none: go on)."""
    if not problems:
        return
    first = problems[0]
    more = (
        f" (and {len(problems) - 1} more; listing_check lists them all)"
        if len(problems) > 1
        else ""
    )
    raise ApiError(first.code, f"{first.field}: {first.message}{more}")


def positive_decimal(value):
    """`value` as a finite Decimal above 0, or None."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() and number > 0 else None
