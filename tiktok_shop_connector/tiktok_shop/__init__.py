"""Pure-Python TikTok Shop Open API toolkit (no Odoo import): signing, client, webhooks."""

from .client import TikTokShopClient, TokenInfo, authorization_url, paginate
from .endpoints import Endpoint, endpoint_template, path_takes_shop_cipher
from .errors import (
    TikTokDataError,
    TikTokShopAuthError,
    TikTokShopError,
    TikTokShopRateLimited,
    TikTokShopRequestError,
    TikTokShopServerError,
    TikTokShopTokenExpired,
    TikTokShopTransportError,
    error_from_response,
)
from .rate_limit import NoRateLimit, TokenBucketRateLimiter, shared_rate_limiter
from .redaction import RedactingFilter, get_logger, redact, register_secret
from .signing import normalize_query, serialize_json_body, sign, string_to_sign
from .webhooks import (
    WebhookEvent,
    WebhookPayloadError,
    parse_notification,
    parse_webhook_event,
    verify_webhook_signature,
    webhook_signature,
)

__all__ = [
    "Endpoint",
    "NoRateLimit",
    "RedactingFilter",
    "TikTokDataError",
    "TikTokShopAuthError",
    "TikTokShopClient",
    "TikTokShopError",
    "TikTokShopRateLimited",
    "TikTokShopRequestError",
    "TikTokShopServerError",
    "TikTokShopTokenExpired",
    "TikTokShopTransportError",
    "TokenBucketRateLimiter",
    "TokenInfo",
    "WebhookEvent",
    "WebhookPayloadError",
    "authorization_url",
    "endpoint_template",
    "error_from_response",
    "get_logger",
    "normalize_query",
    "paginate",
    "parse_notification",
    "parse_webhook_event",
    "path_takes_shop_cipher",
    "redact",
    "register_secret",
    "serialize_json_body",
    "shared_rate_limiter",
    "sign",
    "string_to_sign",
    "verify_webhook_signature",
    "webhook_signature",
]
