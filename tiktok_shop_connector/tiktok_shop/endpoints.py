"""TikTok Shop's endpoints: the table of every operation the addon calls, and facts about paths.

Each operation is one named `Endpoint` (method and path template, version included): the addon
names the entry, never writes a path, so moving an operation to a new API version is one edit
here. The token calls live on the auth host, outside the table (`const.TOKEN_GET_PATH`, ...).
"""

import re
from dataclasses import dataclass

from .const import NO_SHOP_CIPHER_PATTERNS, SHOP_CIPHER_REQUIRED_PATTERNS

_ID_PLACEHOLDER = "{id}"
_PATH_PARAMETER = re.compile(r"\{(\w+)\}")
# Characters a path parameter cannot hold: they would change the path, or what gets signed.
_NOT_IN_PATH_PARAMETER = frozenset("/?#{} \t\n")


@dataclass(frozen=True)
class Endpoint:
    """One operation: its HTTP method and its path, with `{name}` placeholders for the ids."""

    method: str
    path: str

    def __str__(self):
        return f"{self.method} {self.path}"

    @property
    def path_parameters(self):
        """The placeholder names of the path, in order."""
        return tuple(_PATH_PARAMETER.findall(self.path))

    def format(self, path_params=None):
        """The path with every placeholder filled in from `path_params` ({name: id})."""
        path_params = path_params or {}
        if set(self.path_parameters) != path_params.keys():
            raise ValueError(
                f"{self} takes the path parameters {list(self.path_parameters)}, "
                f"not {sorted(path_params)}"
            )
        return _PATH_PARAMETER.sub(lambda match: _segment(self, path_params[match[1]]), self.path)

    @property
    def rate_bucket(self):
        """The rate-limit bucket, the same `endpoint_template` gives the path filled in."""
        return endpoint_template(self.method, _PATH_PARAMETER.sub(_ID_PLACEHOLDER, self.path))


def _segment(endpoint, value):
    value = str(value)
    if not value or _NOT_IN_PATH_PARAMETER & set(value):
        raise ValueError(f"{endpoint}: {value!r} cannot be a path parameter")
    return value


# --- The table ---------------------------------------------------------------------------------
# Each operation at the version TikTok's API reference lists for it; versions may differ per API.

# Shops
AUTHORIZED_SHOPS = Endpoint("GET", "/authorization/202309/shops")

# Catalog: categories, brands, images
CATEGORIES = Endpoint("GET", "/product/202309/categories")
CATEGORY_ATTRIBUTES = Endpoint("GET", "/product/202309/categories/{category_id}/attributes")
CATEGORY_RULES = Endpoint("GET", "/product/202309/categories/{category_id}/rules")
BRANDS = Endpoint("GET", "/product/202309/brands")
IMAGE_UPLOAD = Endpoint("POST", "/product/202309/images/upload")

# Products
PRODUCT_CREATE = Endpoint("POST", "/product/202309/products")
PRODUCT_DETAIL = Endpoint("GET", "/product/202309/products/{product_id}")
PRODUCT_EDIT = Endpoint("PUT", "/product/202309/products/{product_id}")
PRODUCT_PARTIAL_EDIT = Endpoint("POST", "/product/202309/products/{product_id}/partial_edit")
PRODUCT_SEARCH = Endpoint("POST", "/product/202309/products/search")
PRODUCT_LISTING_CHECK = Endpoint("POST", "/product/202309/products/listing_check")
PRODUCTS_ACTIVATE = Endpoint("POST", "/product/202309/products/activate")
PRODUCTS_DEACTIVATE = Endpoint("POST", "/product/202309/products/deactivate")
PRODUCT_PRICES_UPDATE = Endpoint("POST", "/product/202309/products/{product_id}/prices/update")
PRODUCT_INVENTORY_UPDATE = Endpoint(
    "POST", "/product/202309/products/{product_id}/inventory/update"
)
INVENTORY_SEARCH = Endpoint("POST", "/product/202309/inventory/search")

# Warehouses and logistics
WAREHOUSES = Endpoint("GET", "/logistics/202309/warehouses")
WAREHOUSE_DELIVERY_OPTIONS = Endpoint(
    "GET", "/logistics/202309/warehouses/{warehouse_id}/delivery_options"
)
SHIPPING_PROVIDERS = Endpoint(
    "GET", "/logistics/202309/delivery_options/{delivery_option_id}/shipping_providers"
)

# Orders
ORDER_SEARCH = Endpoint("POST", "/order/202309/orders/search")
ORDER_DETAIL = Endpoint("GET", "/order/202309/orders")

# Packages and fulfillment
PACKAGE_SHIP = Endpoint("POST", "/fulfillment/202309/packages/{package_id}/ship")
ORDER_MARK_SHIPPED = Endpoint("POST", "/fulfillment/202309/orders/{order_id}/packages")
PACKAGE_SHIPPING_DOCUMENTS = Endpoint(
    "GET", "/fulfillment/202309/packages/{package_id}/shipping_documents"
)

# Cancellations and returns
CANCELLATION_SEARCH = Endpoint("POST", "/return_refund/202309/cancellations/search")
ORDER_CANCEL = Endpoint("POST", "/return_refund/202309/cancellations")
CANCELLATION_APPROVE = Endpoint("POST", "/return_refund/202309/cancellations/{cancel_id}/approve")
CANCELLATION_REJECT = Endpoint("POST", "/return_refund/202309/cancellations/{cancel_id}/reject")
RETURN_SEARCH = Endpoint("POST", "/return_refund/202309/returns/search")

# Finance (the 202309 transaction APIs are retired; statements and payments are still 202309)
FINANCE_STATEMENTS = Endpoint("GET", "/finance/202309/statements")
FINANCE_PAYMENTS = Endpoint("GET", "/finance/202309/payments")
FINANCE_STATEMENT_TRANSACTIONS = Endpoint(
    "GET", "/finance/202501/statements/{statement_id}/statement_transactions"
)
FINANCE_ORDER_TRANSACTIONS = Endpoint(
    "GET", "/finance/202501/orders/{order_id}/statement_transactions"
)
FINANCE_UNSETTLED_ORDERS = Endpoint("GET", "/finance/202507/orders/unsettled")

# Affiliates: orders, creators, collaborations, samples
AFFILIATE_ORDER_SEARCH = Endpoint("POST", "/affiliate_seller/202410/orders/search")
MARKETPLACE_CREATOR_SEARCH = Endpoint(
    "POST", "/affiliate_seller/202406/marketplace_creators/search"
)
MARKETPLACE_CREATOR_DETAIL = Endpoint(
    "GET", "/affiliate_seller/202406/marketplace_creators/{creator_user_id}"
)
OPEN_COLLABORATION_CREATE = Endpoint("POST", "/affiliate_seller/202405/open_collaborations")
OPEN_COLLABORATION_SEARCH = Endpoint("POST", "/affiliate_seller/202409/open_collaborations/search")
TARGET_COLLABORATION_CREATE = Endpoint("POST", "/affiliate_seller/202405/target_collaborations")
TARGET_COLLABORATION_SEARCH = Endpoint(
    "POST", "/affiliate_seller/202409/target_collaborations/search"
)
TARGET_COLLABORATION_DETAIL = Endpoint(
    "GET", "/affiliate_seller/202409/target_collaborations/{target_collaboration_id}"
)
TARGET_COLLABORATION_UPDATE = Endpoint(
    "PUT", "/affiliate_seller/202409/target_collaborations/{target_collaboration_id}"
)
TARGET_COLLABORATION_REMOVE = Endpoint(
    "DELETE", "/affiliate_seller/202409/target_collaborations/{target_collaboration_id}"
)
SAMPLE_APPLICATION_SEARCH = Endpoint("POST", "/affiliate_seller/202409/sample_applications/search")
SAMPLE_APPLICATION_REVIEW = Endpoint(
    "POST", "/affiliate_seller/202409/sample_applications/{application_id}/review"
)

# LIVE
SHOP_LIVE_PERFORMANCE = Endpoint("GET", "/analytics/202509/shop_lives/performance")
SHOP_LIVE_PERFORMANCE_PER_MINUTE = Endpoint(
    "GET", "/analytics/202510/shop_lives/{live_id}/performance_per_minutes"
)

# Promotions (their searches page in the body)
PROMOTION_ACTIVITY_SEARCH = Endpoint("POST", "/promotion/202309/activities/search")
PROMOTION_ACTIVITY_DETAIL = Endpoint("GET", "/promotion/202309/activities/{activity_id}")


# --- Facts about any path -----------------------------------------------------------------------


def path_takes_shop_cipher(method, path):
    """Return True when `method path` is shop-scoped and therefore needs `shop_cipher`.

    App- and seller-level endpoints (authorization, seller, global products, uploads, ...) reject
    it with 36009004; every other endpoint rejects a call without it with 106013.
    """
    method = method.upper()
    if _matches(SHOP_CIPHER_REQUIRED_PATTERNS, method, path):
        return True
    return not _matches(NO_SHOP_CIPHER_PATTERNS, method, path)


def _matches(patterns, method, path):
    return any(
        (pattern_method is None or pattern_method == method) and pattern.search(path)
        for pattern_method, pattern in patterns
    )


def endpoint_template(method, path):
    """Return "METHOD /path" with numeric IDs replaced, e.g. "GET /order/202407/orders/{id}/x".

    TikTok's quota is per endpoint, not per order, so every order ID must share one bucket. The
    version segment (second) stays: two versions are two endpoints.
    """
    segments = path.split("/")
    # segments: ["", category, version, resource, ...]; IDs only appear after the version.
    templated = [
        _ID_PLACEHOLDER if index > 2 and segment.isdigit() else segment
        for index, segment in enumerate(segments)
    ]
    return f"{method.upper()} {'/'.join(templated)}"
