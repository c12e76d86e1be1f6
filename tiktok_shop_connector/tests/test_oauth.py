from urllib.parse import parse_qs, urlencode, urlparse

from odoo.tests import HttpCase, new_test_user, tagged

from .. import const
from .common import TikTokTestMixin


@tagged("post_install", "-at_install")
class TestOAuthCallback(TikTokTestMixin, HttpCase):
    """The callback refuses every doubtful return from TikTok before exchanging any code."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._create_manager(cls.env)
        cls.account = cls._create_account(cls.env)

    def _connect_state(self, account=None, user=None):
        account = (account or self.account).with_user(user or self.manager)
        action = account.action_connect()
        self.assertEqual(action["type"], "ir.actions.act_url")
        query = parse_qs(urlparse(action["url"]).query)
        self.assertEqual(query["service_id"], ["7283499922"])
        return query["state"][0]

    def _callback(self, **params):
        return self.url_open(f"{const.OAUTH_CALLBACK_ROUTE}?{urlencode(params)}")

    def test_connect_opens_the_market_authorization_page_with_a_signed_state(self):
        action = self.account.with_user(self.manager).action_connect()
        self.assertTrue(action["url"].startswith("https://services.tiktokshop.com/open/authorize?"))
        self.account.market = "us"
        action = self.account.with_user(self.manager).action_connect()
        self.assertTrue(
            action["url"].startswith("https://services.us.tiktokshop.com/open/authorize")
        )

    def test_denied_consent_stores_nothing(self):
        state = self._connect_state()
        self.authenticate(self.manager.login, self.manager.login)
        response = self._callback(state=state, error="auth_denied")
        self.assertEqual(response.status_code, 400)
        self.assertIn("refused on TikTok", response.text)
        self.assertEqual(self.account.state, "draft")
        self.assertFalse(self.account.sudo().access_token_encrypted)

    def test_forged_or_missing_state_is_refused(self):
        self.authenticate(self.manager.login, self.manager.login)
        for state in ("", "forged-state", self._connect_state()[:-4] + "AAAA"):
            with self.subTest(state=state):
                response = self._callback(state=state, code="any-code")
                self.assertEqual(response.status_code, 400)
                self.assertIn("invalid, expired or already used", response.text)
        self.assertEqual(self.account.state, "draft")

    def test_state_is_accepted_once(self):
        state = self._connect_state()
        self.authenticate(self.manager.login, self.manager.login)
        first = self._callback(state=state, error="auth_denied")
        self.assertIn("refused on TikTok", first.text)
        second = self._callback(state=state, code="a-code")
        self.assertEqual(second.status_code, 400)
        self.assertIn("already used", second.text)

    def test_state_of_another_account_or_user_is_refused(self):
        other_manager = self._create_manager(self.env, login="other_tiktok_manager")
        other_account = self._create_account(self.env, name="Other", app_key="other_key")
        state_for_other_account = self._connect_state(account=other_account)
        # A newer connect on the other account replaces the nonce this state carries.
        self._connect_state(account=other_account)
        state_of_other_user = self._connect_state(user=other_manager)
        self.authenticate(self.manager.login, self.manager.login)
        for state in (state_for_other_account, state_of_other_user):
            with self.subTest(state=state):
                response = self._callback(state=state, code="a-code")
                self.assertEqual(response.status_code, 400)
        self.assertEqual((self.account | other_account).mapped("state"), ["draft", "draft"])

    def test_non_manager_cannot_complete_an_authorization(self):
        state = self._connect_state()
        clerk = new_test_user(
            self.env,
            "tiktok_clerk",
            groups="base.group_user,tiktok_shop_connector.group_tiktok_shop_user",
        )
        self.authenticate(clerk.login, clerk.login)
        response = self._callback(state=state, code="a-code")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.account.state, "draft")

    def test_anonymous_visitor_is_sent_to_login(self):
        state = self._connect_state()
        response = self._callback(state=state, code="a-code")
        self.assertIn("/web/login", response.url)
