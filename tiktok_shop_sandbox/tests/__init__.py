"""The sandbox's own tests: the gateway, every endpoint, seeding, scenarios and the control API.

Many of them call the sandbox through the connector's client: it signs, the sandbox checks with
its own code, so each judges the other. The connector's pure package is imported top-level as
`tiktok_shop` (in Odoo it is `odoo.addons.tiktok_shop_connector.tiktok_shop`; both work because
it only uses relative imports), so its folder goes on the path before any test module loads.
"""

import sys
from pathlib import Path

ADDON_DIR = Path(__file__).resolve().parents[2] / "tiktok_shop_connector"
if str(ADDON_DIR) not in sys.path:
    sys.path.insert(0, str(ADDON_DIR))
