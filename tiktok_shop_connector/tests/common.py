import json
import threading
from contextlib import contextmanager, nullcontext

from odoo.api import Environment
from odoo.tests import new_test_user

from tiktok_shop_sandbox.app import Sandbox

from .. import const
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
                "tiktok_service_ref": "7283499922",
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

    def _run_cron_method(self, model_name, method_name):
        """Run a cron method as the cron runner would: on its own cursor, committing per batch."""
        self.env.flush_all()
        # HttpCase runs in the registry's test mode already; TransactionCase enters it here.
        test_mode = nullcontext() if self._registry_patched else self.enter_registry_test_mode()
        with test_mode, self.registry.cursor() as cr:
            getattr(self.env[model_name].with_env(self.env(cr=cr)), method_name)()
        self.env.invalidate_all()


class WebhookEndpointMixin(TikTokTestMixin):
    """A connected account with one shop, posts to its webhook URL and the events it stored."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls._create_account(cls.env, state="connected")
        cls.shop = cls._create_shop(cls.account)
        cls.Event = cls.env["tiktok.webhook.event"]

    def _post(self, raw, signature=None, app_key=APP_KEY):
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["Authorization"] = signature
        return self.url_open(f"{const.WEBHOOK_ROUTE}/{app_key}", data=raw, headers=headers)

    def _events(self):
        return self.Event.search([("account_id", "=", self.account.id)])


class SandboxMixin(TikTokTestMixin):
    """Starts a local TikTok Shop for the test class and connects accounts to it.

    Odoo reaches it over real HTTP on 127.0.0.1, signed like TikTok; nothing is mocked.
    """

    sandbox_seed = 7
    sandbox_options = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = Sandbox(seed=cls.sandbox_seed, **cls.sandbox_options).start()
        cls.addClassCleanup(cls.sandbox.stop)

    @classmethod
    def _sandbox_account(cls, env=None, **values):
        app = cls.sandbox.app
        return (env or cls.env)["tiktok.account"].create(
            {
                "name": "Sandbox seller",
                "app_key": app.app_key,
                "app_secret": app.app_secret,
                "tiktok_service_ref": app.service_id,
                "api_host": cls.sandbox.url,
                "auth_host": cls.sandbox.url,
                "authorize_url": cls.sandbox.authorize_url,
                **values,
            }
        )

    @classmethod
    def _connect_to_sandbox(cls, account, open_id=None):
        """Exchange a fresh authorization code, as the OAuth callback does; return the shops."""
        return account._tiktok_complete_authorization(cls.sandbox.authorize(open_id))

    @classmethod
    def _register_redirect_url(cls, base_url):
        cls.sandbox.app.redirect_url = f"{base_url}{const.OAUTH_CALLBACK_ROUTE}"


@contextmanager
def committed_env(registry, uid=1):
    """An environment on a cursor of its own that commits, for tests of concurrent workers.

    Records created through it are visible to other cursors; the caller removes them.
    """
    with registry.cursor() as cr:
        yield Environment(cr, uid, {})


def run_in_parallel(registry, work, workers=2, timeout=120):
    """Run `work(env)` in `workers` threads at the same moment, each on a committing cursor.

    :return: (results, errors) of the workers
    """
    results, errors = [], []
    barrier = threading.Barrier(workers)

    def worker():
        try:
            with committed_env(registry) as env:
                barrier.wait(timeout=10)
                results.append(work(env))
        except Exception as error:  # returned to the test, which asserts on it
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results, errors


def signed_notification(body, app_key=APP_KEY, app_secret=APP_SECRET):
    """Raw bytes and the Authorization header TikTok would send for `body`."""
    raw = json.dumps(body, separators=(",", ":")).encode()
    return raw, webhook_signature(app_key, app_secret, raw)
