"""Facts about endpoint paths: does it take a shop_cipher, and which rate bucket does it use."""

from .const import NO_SHOP_CIPHER_PATTERNS, SHOP_CIPHER_REQUIRED_PATTERNS

_ID_PLACEHOLDER = "{id}"


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
