"""The connector's client pointed at an in-process sandbox: the client is what it judges."""

from tiktok_shop.client import TikTokShopClient
from tiktok_shop.rate_limit import NoRateLimit


def connector_client(sandbox, access_token=None, **options):
    """The connector's `TikTokShopClient`, pointed at `sandbox`, without client throttling."""
    settings = {
        "access_token": access_token,
        "api_host": sandbox.url,
        "auth_host": sandbox.url,
        "rate_limiter": NoRateLimit(),
        "max_attempts": 1,
        "timeout": 10,
    }
    settings.update(options)
    return TikTokShopClient(sandbox.app.app_key, sandbox.app.app_secret, **settings)
