from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from ..tiktok_shop.endpoints import WAREHOUSES
from .common import SandboxMixin, committed_env, run_in_parallel


class TokenCase(SandboxMixin, TransactionCase):
    def _issued_tokens(self):
        return len(self.sandbox.state.tokens)

    def _stored_access_token(self, account):
        account.invalidate_recordset()
        return account._tiktok_read_secret("access_token")


@tagged("post_install", "-at_install")
class TestTokenRefresh(TokenCase):
    """Tokens are refreshed before they expire, on use and by the cron, against the sandbox."""

    def setUp(self):
        super().setUp()
        # The refresh commits in a cursor of its own: let it wrap the test's transaction.
        self.enterContext(self.enter_registry_test_mode())
        self.manager = self._create_manager(self.env)
        self.account = self._sandbox_account()
        self.shops = self._connect_to_sandbox(self.account)
        self.shop = self.shops[0]

    def _expire_in(self, delta):
        self.account.sudo().access_token_expires_at = fields.Datetime.now() + delta
        self.env.flush_all()

    def test_token_close_to_expiry_is_refreshed_before_the_call(self):
        old_token = self._stored_access_token(self.account)
        self._expire_in(timedelta(minutes=5))
        issued = self._issued_tokens()
        data = self.shop._tiktok_request(WAREHOUSES)
        self.assertTrue(data["warehouses"])
        self.assertEqual(self._issued_tokens(), issued + 1)
        new_token = self._stored_access_token(self.account)
        self.assertNotEqual(new_token, old_token)
        self.assertTrue(self.sandbox.state.refresh_tokens)
        self.assertGreater(self.account.access_token_expires_at, fields.Datetime.now())
        # The next call uses the stored token without refreshing again.
        self.shop._tiktok_request(WAREHOUSES)
        self.assertEqual(self._issued_tokens(), issued + 1)

    def test_token_tiktok_says_expired_is_refreshed_once_and_the_call_retried(self):
        token = self._stored_access_token(self.account)
        # TikTok's view differs from the stored expiry (e.g. clocks apart): it answers 105002.
        self.sandbox.state.tokens[token].access_expires_at = self.sandbox.state.now() - 1
        issued = self._issued_tokens()
        data = self.shop._tiktok_request(WAREHOUSES)
        self.assertTrue(data["warehouses"])
        self.assertEqual(self._issued_tokens(), issued + 1)
        self.assertNotEqual(self._stored_access_token(self.account), token)

    def test_cron_refreshes_tokens_that_expire_before_its_next_run(self):
        self._expire_in(timedelta(hours=12))
        far = self._sandbox_account(name="Far from expiry", app_key="far-from-expiry")
        in_five_days = fields.Datetime.now() + timedelta(days=5)
        far.sudo().write({"state": "connected", "access_token_expires_at": in_five_days})
        issued = self._issued_tokens()
        with self.registry.cursor() as cr:
            self.env["tiktok.account"].with_env(self.env(cr=cr))._cron_refresh_tokens()
        self.env.invalidate_all()
        self.assertEqual(self._issued_tokens(), issued + 1)
        self.assertGreater(
            self.account.access_token_expires_at, fields.Datetime.now() + timedelta(days=6)
        )
        self.assertEqual(self.account.state, "connected")

    def test_refused_refresh_asks_the_managers_to_reauthorize(self):
        refresh_token = self.account._tiktok_read_secret("refresh_token")
        self.sandbox.state.refresh_tokens[refresh_token].revoked = True
        self._expire_in(timedelta(minutes=1))
        with self.assertRaisesRegex(UserError, "refused to refresh"):
            self.shop._tiktok_request(WAREHOUSES)
        self.env.invalidate_all()
        self.assertEqual(self.account.state, "reauthorize")
        self.assertIn("auth record", self.account.last_error)
        activity = self.account.activity_ids.filtered(
            lambda a: a.summary == "Re-authorize TikTok Shop"
        )
        self.assertIn(self.manager, activity.user_id)
        # Sync stops asking TikTok until a manager re-authorizes.
        self.assertFalse(self.shop._is_syncing("orders"))
        with self.assertRaisesRegex(UserError, "not connected"):
            self.shop._tiktok_request(WAREHOUSES)


@tagged("post_install", "-at_install")
class TestConcurrentRefresh(TokenCase):
    """Two workers that both find the token expiring refresh it once, not twice."""

    def test_two_workers_refresh_once_and_both_get_the_new_token(self):
        with committed_env(self.registry) as env:
            account = self._sandbox_account(env, name="Concurrent")
            self._connect_to_sandbox(account)
            account.sudo().access_token_expires_at = fields.Datetime.now() + timedelta(minutes=1)
            account_id = account.id
            env.cr.commit()
        try:
            issued = self._issued_tokens()
            tokens, errors = run_in_parallel(
                self.registry,
                lambda env: env["tiktok.account"].browse(account_id)._tiktok_valid_access_token(),
            )
            self.assertEqual(errors, [])
            self.assertEqual(self._issued_tokens(), issued + 1, "one refresh at TikTok")
            self.assertEqual(len(set(tokens)), 1, "both workers use the one new token")
            self.assertIn(tokens[0], self.sandbox.state.tokens)
            self.assertFalse(self.sandbox.state.tokens[tokens[0]].revoked)
        finally:
            with committed_env(self.registry) as env:
                account = env["tiktok.account"].browse(account_id)
                account.shop_ids.unlink()
                account.unlink()
