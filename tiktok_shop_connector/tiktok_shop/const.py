"""Constants of the TikTok Shop Open API (API version 202309 and later).

Data only: hosts, paths, error codes, retry and rate defaults, webhook topics, markets and the
keys that must never reach a log file.
"""

import re

# --- Hosts --------------------------------------------------------------------------------------

# One API host serves every region, the US included.
API_HOST = "https://open-api.tiktokglobalshop.com"
# Token exchange and refresh live on a separate host.
AUTH_HOST = "https://auth.tiktok-shops.com"

# Seller authorization ("authorize" step of the OAuth flow); the query takes `service_id`
# (not the app key) and an optional `state`.
AUTHORIZE_URL_GLOBAL = "https://services.tiktokshop.com/open/authorize"
AUTHORIZE_URL_US = "https://services.us.tiktokshop.com/open/authorize"
AUTHORIZE_URLS = {
    "global": AUTHORIZE_URL_GLOBAL,
    "us": AUTHORIZE_URL_US,
}

# --- OAuth token calls (GET, unsigned, everything in the query) ---------------------------------

TOKEN_GET_PATH = "/api/v2/token/get"
TOKEN_REFRESH_PATH = "/api/v2/token/refresh"
GRANT_TYPE_AUTHORIZED_CODE = "authorized_code"
# The official Node SDK reuses `authorized_code` here; the documentation accepts only this value.
GRANT_TYPE_REFRESH_TOKEN = "refresh_token"

# --- Request parts ------------------------------------------------------------------------------

ACCESS_TOKEN_HEADER = "x-tts-access-token"
JSON_CONTENT_TYPE = "application/json"
# Query parameters the client manages itself; callers must not pass them.
CLIENT_MANAGED_PARAMS = frozenset({"app_key", "timestamp", "sign", "access_token"})
# Never part of the string to sign (the token travels in a header since 202309 anyway).
UNSIGNED_PARAMS = frozenset({"sign", "access_token"})

# --- Envelope codes -----------------------------------------------------------------------------

# Order statuses as the Order API spells them (§5.5); the webhook spells CANCELLED as CANCEL.
ORDER_STATUSES = (
    "UNPAID",
    "ON_HOLD",
    "AWAITING_SHIPMENT",
    "PARTIALLY_SHIPPING",
    "AWAITING_COLLECTION",
    "IN_TRANSIT",
    "DELIVERED",
    "COMPLETED",
    "CANCELLED",
)
# Past these the goods have left the seller: a cancellation is a return.
SHIPPED_ORDER_STATUSES = frozenset({"IN_TRANSIT", "DELIVERED", "COMPLETED"})

CODE_SUCCESS = 0
CODE_TOO_MANY_REQUESTS = 36009002
CODE_REQUEST_TIMEOUT = 36009007
CODE_INVALID_PARAMETER = 36009004
CODE_TOKEN_INVALID = 105001
CODE_TOKEN_EXPIRED = 105002
CODE_SCOPE_NOT_GRANTED = 105005
CODE_INVALID_SIGN = 106001
CODE_SHOP_CIPHER_MISSING = 106013

# Transient on TikTok's side: back off and try again.
RETRYABLE_CODES = frozenset({CODE_TOO_MANY_REQUESTS, CODE_REQUEST_TIMEOUT})
# Credentials or permission problems: retrying the same request cannot succeed.
AUTH_ERROR_CODES = frozenset({CODE_INVALID_SIGN, CODE_TOKEN_INVALID, CODE_SCOPE_NOT_GRANTED})
# Documented as "fix the request"; listed so callers can tell them apart from business errors.
NON_RETRYABLE_CODES = AUTH_ERROR_CODES | {CODE_SHOP_CIPHER_MISSING, CODE_INVALID_PARAMETER}

HTTP_TOO_MANY_REQUESTS = 429
HTTP_UNAUTHORIZED = 401

# --- Timeouts, retries, rate limits, paging -----------------------------------------------------

DEFAULT_TIMEOUT = 30.0  # seconds, connect and read; search endpoints can be slow
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_BACKOFF_BASE = 1.0  # seconds; doubled per failed attempt, then fully jittered
DEFAULT_BACKOFF_CAP = 30.0  # seconds; upper bound of one backoff delay
DEFAULT_MAX_TOTAL_RETRY_SECONDS = 60.0  # whole retry budget of one call
# TikTok counts 50 requests/second per (app, shop, endpoint).
DEFAULT_RATE_PER_SECOND = 50.0
# A burst of one spaces calls evenly, so no one-second window ever sees more than the quota.
DEFAULT_RATE_BURST = 1.0
# Accepted by every list endpoint (packages, cancellations and returns stop at 50).
DEFAULT_PAGE_SIZE = 50

# --- Endpoints that take no shop_cipher ---------------------------------------------------------

# (HTTP method or None for any method, compiled path pattern). Sending `shop_cipher` to these is
# rejected with 36009004 "Unexpected identifier"; every other endpoint needs it (106013 if
# missing). `{v}` is the YYYYMM version segment.
_V = r"\d{6}"
NO_SHOP_CIPHER_PATTERNS = tuple(
    (method, re.compile(pattern))
    for method, pattern in (
        (None, r"^/authorization/"),
        (None, r"^/seller/"),
        (None, rf"^/product/{_V}/global_"),
        (None, rf"^/product/{_V}/images/upload$"),
        (None, rf"^/product/{_V}/files/upload$"),
        ("POST", rf"^/product/{_V}/brands$"),  # create custom brand; GET brands is shop-scoped
        (None, rf"^/product/{_V}/compliance/"),
        (None, rf"^/product/{_V}/categories/[^/]+/global_"),
        (None, rf"^/logistics/{_V}/global_warehouses"),  # global seller warehouses (§5.4)
        (None, r"^/affiliate_creator/"),
        (None, r"^/affiliate_partner/"),
    )
)
# Exceptions to the list above: shop-level calls living under a "no cipher" prefix.
SHOP_CIPHER_REQUIRED_PATTERNS = (
    # Deauthorize a shop: DELETE /authorization/202403/shops?shop_cipher=...
    ("DELETE", re.compile(rf"^/authorization/{_V}/shops$")),
)

# --- Webhooks -----------------------------------------------------------------------------------

WEBHOOK_SIGNATURE_HEADER = "Authorization"
# Topic number -> event name. Names in capitals without a TikTok `event_type` string are
# descriptive labels for topics that only have a number in the sources.
WEBHOOK_TYPES = {
    1: "ORDER_STATUS_CHANGE",
    2: "REVERSE_STATUS_UPDATE",
    3: "RECIPIENT_ADDRESS_UPDATE",
    4: "PACKAGE_UPDATE",
    5: "PRODUCT_STATUS_CHANGE",
    6: "SELLER_DEAUTHORIZATION",
    7: "UPCOMING_AUTHORIZATION_EXPIRATION",
    11: "CANCELLATION_STATUS_CHANGE",
    12: "RETURN_STATUS_CHANGE",
    13: "NEW_CONVERSATION",
    14: "NEW_MESSAGE",
    15: "PRODUCT_INFORMATION_CHANGE",
    16: "PRODUCT_CREATION",
    17: "SHOPPABLE_CONTENT_POSTING",
    18: "PRODUCT_CATEGORY_CHANGE",
    19: "SIZE_CHART_CHANGE",
    20: "CREATOR_DEAUTHORIZATION",
    21: "FBT_INBOUND_ORDER_STATUS_CHANGE",
    22: "FBT_MERCHANT_ONBOARDING",
    23: "FBT_GOODS_MATCH",
    24: "FBT_INVENTORY_UPDATE",
    25: "OPPORTUNITY_MATCHING_STATUS_CHANGE",
    27: "INVENTORY_STATUS_CHANGE",
    33: "NEW_MESSAGE_LISTENER",
    35: "TOKOPEDIA_MIRROR_STATUS_CHANGE",
    36: "INVOICE_STATUS_CHANGE",
    37: "PRODUCT_AUDIT_STATUS_CHANGE",
    38: "STRIKETHROUGH_PRICE_EXPIRED",
    39: "PROMOTION_ACTIVITY_STATUS_CHANGE",
    42: "COMBINED_LISTING_CHANGE",
}
WEBHOOK_TYPE_BY_NAME = {name: number for number, name in WEBHOOK_TYPES.items()}

# --- Markets ------------------------------------------------------------------------------------

# ISO 3166 alpha-2 region codes (the UK is `GB`).
REGION_CURRENCY = {
    "US": "USD",
    "GB": "GBP",
    "ID": "IDR",
    "TH": "THB",
    "VN": "VND",
    "MY": "MYR",
    "PH": "PHP",
    "SG": "SGD",
    "JP": "JPY",
    "BR": "BRL",
    "MX": "MXN",
    "DE": "EUR",
    "ES": "EUR",
    "FR": "EUR",
    "IT": "EUR",
    "IE": "EUR",
}
REGION_LOCALE = {
    "US": "en-US",
    "GB": "en-GB",
    "ID": "id-ID",
    "TH": "th-TH",
    "VN": "vi-VN",
    "MY": "ms-MY",
    "PH": "en-PH",
    "SG": "en-SG",
    "JP": "ja-JP",
    "BR": "pt-BR",
    "MX": "es-MX",
    "DE": "de-DE",
    "ES": "es-ES",
    "FR": "fr-FR",
    "IT": "it-IT",
    "IE": "en-IE",
}

# --- Redaction ----------------------------------------------------------------------------------

REDACTED = "***"
# Dict/JSON keys whose value is a credential, anywhere in a structure (compared lower-case).
SECRET_KEYS = frozenset(
    {
        "app_secret",
        "access_token",
        "refresh_token",
        "auth_code",
        "authorization",
        ACCESS_TOKEN_HEADER,
        "client_secret",
        "password",
    }
)
# Query parameters whose value is a credential (`code` is the OAuth redirect's auth code; as a
# JSON key `code` is the harmless envelope status, so it is only redacted in URLs).
SECRET_QUERY_PARAMS = frozenset(
    {"app_secret", "access_token", "refresh_token", "auth_code", "code"}
)
# Buyer personal data, redacted wherever the key appears.
PERSONAL_DATA_KEYS = frozenset(
    {
        "buyer_email",
        "phone_number",
        "first_name",
        "last_name",
        "full_address",
        "address_detail",
        "address_line1",
        "address_line2",
        "address_line3",
        "address_line4",
        "cpf",
        "cpf_name",
    }
)
# Every value inside these objects is personal data (name, postal code, district names...).
PERSONAL_DATA_CONTAINERS = frozenset({"recipient_address"})
# ...except these, which are needed to read logs and identify nobody.
PERSONAL_DATA_CONTAINER_SAFE_KEYS = frozenset({"region_code"})
