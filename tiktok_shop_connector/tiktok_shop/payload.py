"""Reading TikTok's JSON objects field by field, for the mappings.

A field a mapping cannot do without is required: missing or empty, it raises `TikTokDataError`
with the field's path. Any other field defaults when it is missing (empty text, 0, an empty
object or list); present in a shape that cannot be read (an object where an id belongs, "12,5"
as money), it raises too: a guess would import a wrong figure.

`within` is the path of the object a field is read from (``line_items[2]``), for the error.
"""

from decimal import Decimal, InvalidOperation

from .errors import TikTokDataError

ZERO = Decimal(0)
# JSON's scalars that can stand for text or an id (TikTok sends some ids as numbers).
_SCALARS = (str, int, float)


def field_path(within, key):
    """`key`'s path inside the object at `within` (the top level when empty)."""
    return f"{within}.{key}" if within else key


def as_object(value, path):
    """`value` itself, when it is a JSON object."""
    if not isinstance(value, dict):
        raise TikTokDataError(path, f"is not an object: {_shown(value)}")
    return value


def nested(parent, key, within=""):
    """An optional object inside `parent` ({} when missing)."""
    value = parent.get(key)
    return {} if value is None else as_object(value, field_path(within, key))


def object_list(parent, key, within=""):
    """An optional list of objects ([] when missing), as (path, object) pairs."""
    path = field_path(within, key)
    pairs = [(f"{path}[{index}]", item) for index, item in _listed(parent, key, path)]
    return [(where, as_object(item, where)) for where, item in pairs]


def id_list(parent, key, within=""):
    """An optional list of ids ([] when missing), as text."""
    path = field_path(within, key)
    return [_id(item, f"{path}[{index}]") for index, item in _listed(parent, key, path)]


def text_list(parent, key, within=""):
    """An optional list of texts ([] when missing)."""
    path = field_path(within, key)
    return [_text(item, f"{path}[{index}]") for index, item in _listed(parent, key, path)]


def required_id(parent, key, within=""):
    """A TikTok id, as text; missing or empty raises."""
    return _id(parent.get(key), field_path(within, key))


def text(parent, key, within=""):
    """Optional text ("" when missing); a number sent in its place is written out."""
    return _text(parent.get(key), field_path(within, key))


def required_text(parent, key, within=""):
    """Text that must be there: missing or empty raises."""
    value = text(parent, key, within)
    if not value:
        raise TikTokDataError(field_path(within, key), "is missing")
    return value


def integer(parent, key, within="", default=0):
    """An optional whole number, such as a Unix time (TikTok sends some as strings)."""
    value = parent.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value)
    raise TikTokDataError(field_path(within, key), f"is not a whole number: {_shown(value)}")


def amount(parent, key, within=""):
    """Optional money (0 when missing) as a Decimal, in major units as TikTok sends it."""
    value = parent.get(key)
    if value is None or value == "":
        return ZERO
    result = _finite_decimal(value)
    if result is None:
        raise TikTokDataError(field_path(within, key), f"is not an amount: {_shown(value)}")
    return result


def _finite_decimal(value):
    if isinstance(value, bool) or not isinstance(value, _SCALARS):
        return None
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def _text(value, path):
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, _SCALARS):
        raise TikTokDataError(path, f"is not text: {_shown(value)}")
    return str(value)


def _id(value, path):
    if value is None or value == "":
        raise TikTokDataError(path, "is missing")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TikTokDataError(path, f"is not an id: {_shown(value)}")
    return str(value)


def _listed(parent, key, path):
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise TikTokDataError(path, f"is not a list: {_shown(value)}")
    return enumerate(value)


def _shown(value, limit=40):
    """The offending value for the message, cut short: a payload may be large."""
    shown = repr(value)
    return shown if len(shown) <= limit else f"{shown[:limit]}..."
