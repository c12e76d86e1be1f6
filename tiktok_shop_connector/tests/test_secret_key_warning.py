import os
from contextlib import ExitStack, contextmanager
from unittest.mock import patch

from lxml import etree
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import config
from odoo.tools.safe_eval import safe_eval

from ..models.connection.tiktok_secret_mixin import KEY_CONFIG_OPTION, KEY_ENVIRONMENT_VARIABLE
from .common import TikTokTestMixin

BANNER = "//div[contains(@class, 'o_tiktok_secret_key_warning')]"


@contextmanager
def server_key(config_value="", environment_value=None):
    """The server configuration with this key ("" for none), and the key of the environment."""
    environment = {k: v for k, v in os.environ.items() if k != KEY_ENVIRONMENT_VARIABLE}
    if environment_value:
        environment[KEY_ENVIRONMENT_VARIABLE] = environment_value
    with ExitStack() as stack:
        stack.enter_context(patch.dict(config.options, {KEY_CONFIG_OPTION: config_value}))
        stack.enter_context(patch.dict(os.environ, environment, clear=True))
        yield


@tagged("post_install", "-at_install")
class TestSecretKeyWarning(TikTokTestMixin, TransactionCase):
    """Managers are told when the secrets' key comes from the database itself (demo fallback)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._create_manager(cls.env)
        cls.clerk = new_test_user(
            cls.env,
            "tiktok_clerk",
            groups="base.group_user,tiktok_shop_connector.group_tiktok_shop_user",
        )
        cls.account = cls._create_account(cls.env)

    def _key_from_database(self, user=None):
        account = self.account.with_user(user or self.env.user)
        account.invalidate_recordset()
        return account.secret_key_from_database

    def _banner_shown(self, user):
        """What the web client shows: the banner is in the user's form, its `invisible` false."""
        arch = self.account.with_user(user).get_views([(False, "form")])["views"]["form"]["arch"]
        banners = etree.fromstring(arch).xpath(BANNER)
        values = {"secret_key_from_database": self._key_from_database(user)}
        return any(not safe_eval(banner.get("invisible") or "False", values) for banner in banners)

    def test_flag_says_whether_the_server_configures_a_key(self):
        with server_key(""):
            self.assertTrue(self._key_from_database())
        with server_key("a-long-random-key-from-odoo-conf"):
            self.assertFalse(self._key_from_database())
        with server_key("", environment_value="a-long-random-key-from-the-environment"):
            self.assertFalse(self._key_from_database())

    def test_warning_is_shown_to_managers_when_the_key_comes_from_the_database(self):
        with server_key(""):
            self.assertTrue(self._banner_shown(self.manager))
            self.assertFalse(self._banner_shown(self.clerk))
        with server_key("a-long-random-key-from-odoo-conf"):
            self.assertFalse(self._banner_shown(self.manager))
