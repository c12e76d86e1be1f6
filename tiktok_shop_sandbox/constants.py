"""TikTok's vocabulary as the sandbox speaks it: envelope codes, order words, markets, headers.

The sandbox's own copy, written from the API contract (§2 tokens, §3 signing, §5.5 orders, §6.3
errors, §7 markets), not imported from the connector: a fake that shared the connector's constants
would agree with a wrong one. Codes a single module answers stay in that module.
"""

# --- Envelope codes answered by several modules -------------------------------------------------

CODE_INVALID_PARAMETER = 36009004
CODE_TOO_MANY_REQUESTS = 36009002
CODE_INVALID_SIGN = 106001
CODE_TOKEN_INVALID = 105001
CODE_TOKEN_EXPIRED = 105002
CODE_SHOP_CIPHER_MISSING = 106013
# "You can't edit other sellers' products": the catalog and the affiliate endpoints.
CODE_NOT_YOUR_PRODUCT = 12052048

# --- Request and push parts ---------------------------------------------------------------------

ACCESS_TOKEN_HEADER = "x-tts-access-token"
JSON_CONTENT_TYPE = "application/json"
MULTIPART_CONTENT_TYPE = "multipart/form-data"
# Pushes carry their signature, bare hex, in this header.
WEBHOOK_SIGNATURE_HEADER = "Authorization"

# --- Token calls on the auth host ---------------------------------------------------------------

TOKEN_GET_PATH = "/api/v2/token/get"
TOKEN_REFRESH_PATH = "/api/v2/token/refresh"
GRANT_TYPE_AUTHORIZED_CODE = "authorized_code"
GRANT_TYPE_REFRESH_TOKEN = "refresh_token"

# --- Orders -------------------------------------------------------------------------------------

# The Order API's statuses, in the order an order goes through them (CANCELLED from any open one):
# nothing has left the warehouse yet, then parcels are on their way, then it is over.
UNSHIPPED_STATUSES = ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT")
SHIPPING_STATUSES = ("PARTIALLY_SHIPPING", "AWAITING_COLLECTION", "IN_TRANSIT")
ORDER_STATUSES = (*UNSHIPPED_STATUSES, *SHIPPING_STATUSES, "DELIVERED", "COMPLETED", "CANCELLED")
FBT = "FULFILLMENT_BY_TIKTOK"
SELLER_FULFILLMENT = "FULFILLMENT_BY_SELLER"

# --- Markets ------------------------------------------------------------------------------------

# The currency of each market's shops, and its markets (ISO 3166 alpha-2; the UK is GB).
MARKETS_BY_CURRENCY = {
    "USD": ("US",),
    "GBP": ("GB",),
    "EUR": ("DE", "ES", "FR", "IT", "IE"),
    "IDR": ("ID",),
    "THB": ("TH",),
    "VND": ("VN",),
    "MYR": ("MY",),
    "PHP": ("PH",),
    "SGD": ("SG",),
    "JPY": ("JP",),
    "BRL": ("BR",),
    "MXN": ("MX",),
}
REGION_CURRENCY = {
    region: currency for currency, regions in MARKETS_BY_CURRENCY.items() for region in regions
}
