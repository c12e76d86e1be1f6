"""Shared fixtures for the pure-Python unit tests (no Odoo needed).

Run with: python3 -m pytest tests/unit -q -p no:odoo
"""

import sys
from pathlib import Path

import pytest

# Make the `tiktok_shop` package importable top-level, as in production it is imported as
# `odoo.addons.tiktok_shop_connector.tiktok_shop`; both must work, so it only uses relative imports.
# The test helpers (fake_tiktok) sit next to this file; add it too, whatever pytest's import mode.
TESTS_DIR = Path(__file__).resolve().parent
ADDON_DIR = TESTS_DIR.parents[1] / "tiktok_shop_connector"
for directory in (TESTS_DIR, ADDON_DIR):
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))

from tiktok_shop.client import TikTokShopClient  # noqa: E402
from tiktok_shop.rate_limit import NoRateLimit  # noqa: E402

from .fake_tiktok import APP_KEY, APP_SECRET, FakeClock, FakeTikTokServer, MaxJitter  # noqa: E402


@pytest.fixture
def server():
    """A scripted TikTok Shop server on 127.0.0.1 that checks every signature it receives."""
    with FakeTikTokServer(app_secret=APP_SECRET) as fake:
        yield fake


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def make_client(server, clock):
    """Factory for clients pointed at the fake server, with fake time and no rate limiting."""
    clients = []

    def factory(**overrides):
        options = {
            "access_token": "TTP_access_token_0001",
            "api_host": server.url,
            "auth_host": server.url,
            "timeout": 5,
            "max_attempts": 3,
            "backoff_base": 1.0,
            "backoff_cap": 8.0,
            "rate_limiter": NoRateLimit(),
            "sleep": clock.sleep,
            "clock": clock,
            "rng": MaxJitter(),
        }
        options.update(overrides)
        client = TikTokShopClient(APP_KEY, APP_SECRET, **options)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()
