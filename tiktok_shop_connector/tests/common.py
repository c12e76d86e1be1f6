import json

from odoo.tests import new_test_user

from ..tiktok_shop import webhook_signature

APP_KEY = "test_app_key_29a39d"
APP_SECRET = "test_app_secret_e59af819cc"
SHOP_TIKTOK_ID = "7494049642642441621"


class TikTokTestMixin:
    """Accounts, shops and signed notifications shared by the Odoo tests."""

    @classmethod
    def _create_account(cls, env, **values):
        account = env["tiktok.account"].create(
            {
                "name": "Test TikTok account",
                "app_key": APP_KEY,
                "app_secret": APP_SECRET,
                "service_id": "7283499922",
                **values,
            }
        )
        return account

    @classmethod
    def _create_shop(cls, account, tiktok_id=SHOP_TIKTOK_ID, region="US"):
        Shop = account.env["tiktok.shop"]
        values = Shop._values_from_authorized_shop(
            {
                "id": tiktok_id,
                "cipher": f"ROW_{tiktok_id}",
                "code": f"US{tiktok_id[-4:]}",
                "name": f"Shop {tiktok_id[-4:]}",
                "region": region,
                "seller_type": "LOCAL",
            },
            account,
        )
        return Shop.create(values)

    @classmethod
    def _create_manager(cls, env, login="tiktok_manager"):
        return new_test_user(
            env,
            login,
            groups="base.group_user,tiktok_shop_connector.group_tiktok_shop_manager",
        )


def signed_notification(body, app_key=APP_KEY, app_secret=APP_SECRET):
    """Raw bytes and the Authorization header TikTok would send for `body`."""
    raw = json.dumps(body, separators=(",", ":")).encode()
    return raw, webhook_signature(app_key, app_secret, raw)
