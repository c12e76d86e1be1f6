from urllib.parse import parse_qs, urlparse

from odoo.tests import HttpCase, tagged

from .. import const
from .common import SandboxMixin


@tagged("post_install", "-at_install")
class TestConnectWithSandbox(SandboxMixin, HttpCase):
    """The whole OAuth round trip against the local TikTok Shop, through its consent page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._create_manager(cls.env)
        cls.account = cls._sandbox_account()
        cls._register_redirect_url(cls.base_url())

    def _start_connect(self):
        self.authenticate(self.manager.login, self.manager.login)
        action = self.account.with_user(self.manager).action_connect()
        self.assertTrue(action["url"].startswith(self.sandbox.authorize_url))
        page = self.opener.get(action["url"], timeout=10)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Authorize", page.text)
        return parse_qs(urlparse(action["url"]).query)

    def _consent(self, query, decision="authorize"):
        """What the seller's click on the sandbox page sends; redirects are followed to Odoo."""
        form = {name: values[0] for name, values in query.items()}
        return self.opener.post(
            self.sandbox.authorize_url, data={**form, "decision": decision}, timeout=30
        )

    def test_authorize_stores_tokens_and_creates_the_shops_once(self):
        response = self._consent(self._start_connect())
        self.assertEqual(response.status_code, 200)
        self.assertIn(f"tiktok_account_action/{self.account.id}", response.url)
        self.assertEqual(self.account.state, "connected")
        seller = self.sandbox.state.sellers[self.account.tiktok_open_ref]
        expected = {self.sandbox.state.shops[shop_id].id for shop_id in seller.shop_ids}
        self.assertEqual(set(self.account.shop_ids.mapped("tiktok_shop_ref")), expected)
        for shop in self.account.shop_ids:
            remote = self.sandbox.state.shops[shop.tiktok_shop_ref]
            self.assertEqual(shop.cipher, remote.cipher)
            self.assertEqual(shop.region, remote.region)
            self.assertEqual(shop.currency_id.name, const.REGION_CURRENCY[remote.region])
            self.assertTrue(shop.currency_id.active)
        self.assertTrue(self.account.granted_scopes)
        self.assertTrue(self.account.access_token_expires_at)
        self.assertTrue(self.account.sudo().access_token_encrypted.startswith("tts1:"))
        # Connecting again (re-authorize) updates the same shops instead of adding new ones.
        shops_before = self.account.shop_ids
        self._consent(self._start_connect())
        self.assertEqual(self.account.shop_ids, shops_before)

    def test_deny_on_the_consent_page_stores_nothing(self):
        response = self._consent(self._start_connect(), decision="deny")
        self.assertEqual(response.status_code, 400)
        self.assertIn("refused on TikTok", response.text)
        self.assertEqual(self.account.state, "draft")
        self.assertFalse(self.account.shop_ids)

    def test_expired_code_is_refused_with_an_error_page(self):
        query = self._start_connect()
        code = self.sandbox.authorize()
        self.sandbox.advance(31 * 60)  # codes live 30 minutes
        response = self.url_open(
            f"{const.OAUTH_CALLBACK_ROUTE}?code={code}&state={query['state'][0]}"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("did not accept the authorization", response.text)
        self.assertEqual(self.account.state, "draft")
        self.assertFalse(self.account.sudo().access_token_encrypted)

    def test_reused_code_is_refused(self):
        code = self.sandbox.authorize()
        self.account._tiktok_complete_authorization(code)
        stored_token = self.account.sudo().access_token_encrypted
        query = self._start_connect()
        response = self.url_open(
            f"{const.OAUTH_CALLBACK_ROUTE}?code={code}&state={query['state'][0]}"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("did not accept the authorization", response.text)
        self.assertEqual(self.account.sudo().access_token_encrypted, stored_token)

    def test_shop_of_another_account_is_refused_with_a_clear_message(self):
        first = self._sandbox_account(name="First owner", app_key="first-owner")
        self._create_shop(first, tiktok_id=self._first_seller_shop_id())
        response = self._consent(self._start_connect())
        self.assertEqual(response.status_code, 409)
        self.assertIn("already linked to the account First owner", response.text)
        self.assertEqual(self.account.state, "draft")

    def _first_seller_shop_id(self):
        seller = next(iter(self.sandbox.state.sellers.values()))
        return seller.shop_ids[0]
