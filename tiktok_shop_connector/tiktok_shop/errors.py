"""Typed errors raised by the TikTok Shop client and the mappings of TikTok's data.

Callers catch the class that matches what they can do about it: wait and retry later
(`retryable`), refresh the token, ask the seller to re-authorize, or fix the request.
"""

from .const import (
    AUTH_ERROR_CODES,
    CODE_TOKEN_EXPIRED,
    CODE_TOO_MANY_REQUESTS,
    HTTP_TOO_MANY_REQUESTS,
    HTTP_UNAUTHORIZED,
    RETRYABLE_CODES,
)


class TikTokShopError(Exception):
    """Any failed TikTok Shop call. Carries the envelope `code`, `message` and `request_id`."""

    default_retryable = False

    def __init__(self, message, *, code=None, request_id=None, http_status=None, retry_after=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.request_id = request_id
        self.http_status = http_status
        # Seconds the server asked us to wait (Retry-After), when it said so.
        self.retry_after = retry_after

    @property
    def retryable(self):
        """True when the same request may succeed later without any change."""
        return self.default_retryable

    def __str__(self):
        details = [
            f"{label}={value}"
            for label, value in (
                ("code", self.code),
                ("http_status", self.http_status),
                ("request_id", self.request_id),
            )
            if value is not None
        ]
        suffix = f" ({', '.join(details)})" if details else ""
        return f"{self.message}{suffix}"


class TikTokShopTransportError(TikTokShopError):
    """Network failure or timeout: no usable answer came back."""

    default_retryable = True


class TikTokShopRateLimited(TikTokShopError):
    """HTTP 429 / code 36009002: over the per-endpoint quota."""

    default_retryable = True


class TikTokShopServerError(TikTokShopError):
    """HTTP 5xx (503 = overload protection), code 36009007, or an unreadable answer."""

    default_retryable = True


class TikTokShopAuthError(TikTokShopError):
    """Bad signature (106001), invalid token (105001) or scope not granted (105005).

    Retrying cannot help: fix the credentials or have the seller re-authorize.
    """


class TikTokShopTokenExpired(TikTokShopAuthError):
    """Access token expired (105002): refresh it, then retry once."""


class TikTokShopRequestError(TikTokShopError):
    """Any other 4xx or business error (e.g. 106013 shop_cipher missing): fix the request."""


def error_from_response(http_status, code, message, request_id=None, retry_after=None):
    """Return the typed error for a failed response (HTTP status plus envelope fields)."""
    error_class = _error_class(http_status, code)
    if not message:
        message = f"TikTok Shop API call failed with HTTP {http_status}"
    return error_class(
        message,
        code=code,
        request_id=request_id,
        http_status=http_status,
        retry_after=retry_after,
    )


def _error_class(http_status, code):
    # The envelope code is the most precise signal, so it wins over the HTTP status.
    if code == CODE_TOKEN_EXPIRED:
        return TikTokShopTokenExpired
    if code in AUTH_ERROR_CODES:
        return TikTokShopAuthError
    if code == CODE_TOO_MANY_REQUESTS or http_status == HTTP_TOO_MANY_REQUESTS:
        return TikTokShopRateLimited
    if code in RETRYABLE_CODES or (http_status is not None and http_status >= 500):
        return TikTokShopServerError
    if http_status == HTTP_UNAUTHORIZED:
        return TikTokShopAuthError
    return TikTokShopRequestError


class TikTokDataError(Exception):
    """TikTok's data lacks a field the mapping needs, or has one in a shape it cannot read.

    Deliberately neither a ValueError nor a KeyError: a sync catches this one as "this record
    failed, try again later", while a KeyError from a bug in our own code still surfaces.

    :param path: where the field is in TikTok's object, e.g. ``line_items[2].sku_id``
    :param reason: what is wrong with it, e.g. ``is missing``
    """

    def __init__(self, path, reason):
        super().__init__(f"TikTok's {path} {reason}")
        self.path = path
        self.reason = reason
