import requests
from odoo import api, models
from odoo.exceptions import UserError

DEMO_ACCOUNT_NAME = "Demo seller (local sandbox)"
DEMO_STOCK = 50


class TikTokAccountSandboxDemo(models.Model):
    _inherit = "tiktok.account"

    @api.model
    def _tiktok_connect_sandbox_demo(self, sandbox_url, stream_per_minute=0):
        """Connect a demo account to a running local sandbox, as a seller would, and stock it.

        The sandbox's consent is asked through its control API (what the seller's click on its
        page does), then the code goes through the same exchange as the OAuth callback. Every SKU
        of the shops gets a product (internal reference = seller SKU) with stock, so the orders
        the sandbox streams are confirmed at once. Running it again reconnects the same account.

        :param stream_per_minute: start the sandbox's order stream at this rate (0: none)
        """
        app = _control(sandbox_url, "GET", "/sandbox/app")
        account = self.search([("name", "=", DEMO_ACCOUNT_NAME)], limit=1)
        values = {
            "name": DEMO_ACCOUNT_NAME,
            "app_key": app["app_key"],
            "app_secret": app["app_secret"],
            "tiktok_service_ref": app["service_id"],
            "api_host": app["api_host"],
            "auth_host": app["auth_host"],
            "authorize_url": app["authorize_url"],
        }
        if account:
            account.write(values)
        else:
            account = self.create(values)
        # Where the sandbox sends the seller back and pushes its webhooks: this database.
        _control(
            sandbox_url,
            "POST",
            "/sandbox/app",
            {"redirect_url": account.callback_url, "webhook_url": account.webhook_url},
        )
        code = _control(sandbox_url, "POST", "/sandbox/authorize")["code"]
        shops = account._tiktok_complete_authorization(code)
        shops.write({"sync_interval_minutes": 1})
        self._tiktok_stock_demo_products(sandbox_url, shops)
        if stream_per_minute:
            # Orders for the connected shops only: the sandbox has other sellers too.
            options = {
                "rate_per_minute": stream_per_minute,
                "shop_ids": shops.mapped("tiktok_shop_ref"),
            }
            stream = {"name": "stream", "options": options}
            _control(sandbox_url, "POST", "/sandbox/scenarios", stream)
        return account

    @api.model
    def _tiktok_stock_demo_products(self, sandbox_url, shops):
        inventory = _control(sandbox_url, "GET", "/sandbox/inventory")["skus"]
        shop_ids = set(shops.mapped("tiktok_shop_ref"))
        references = {sku["seller_sku"] for sku in inventory if sku["shop_id"] in shop_ids}
        Product = self.env["product.product"]
        known = Product.search([("default_code", "in", list(references))])
        existing = set(known.mapped("default_code"))
        created = Product.create(
            [
                {"name": f"Demo {code}", "default_code": code, "is_storable": True}
                for code in sorted(references - existing)
            ]
        )
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        for product in created:
            self.env["stock.quant"]._update_available_quantity(
                product, warehouse.lot_stock_id, DEMO_STOCK
            )


def _control(sandbox_url, method, path, body=None):
    try:
        response = requests.request(method, f"{sandbox_url}{path}", json=body or {}, timeout=10)
        response.raise_for_status()
    except requests.RequestException as error:
        raise UserError(f"The sandbox at {sandbox_url} did not answer {path}: {error}") from error
    return response.json()
