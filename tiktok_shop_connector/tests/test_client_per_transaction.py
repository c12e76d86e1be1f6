from contextlib import contextmanager
from unittest.mock import patch

import requests
from odoo.tests import TransactionCase, tagged

from ..models.connection import tiktok_account
from ..tiktok_shop import TikTokShopClient, secret_box
from ..tiktok_shop.const import ACCESS_TOKEN_HEADER
from ..tiktok_shop.endpoints import WAREHOUSES
from .common import SandboxMixin, committed_env


class HttpRecord:
    """What left for TikTok: the session and access token of every signed call, the sessions
    closed."""

    def __init__(self):
        self.calls = []  # (session, access token)
        self.closed = []

    @property
    def tokens(self):
        return [token for _session, token in self.calls]

    @property
    def sessions(self):
        """The sessions that sent a signed call, first use first."""
        return list(dict.fromkeys(session for session, _token in self.calls))


@tagged("post_install", "-at_install")
class TestClientPerTransaction(SandboxMixin, TransactionCase):
    """The calls of one transaction share one client; the end of the transaction closes it.

    The transactions are real ones, committed and rolled back on cursors of their own: the shop
    is committed for the class and removed after it.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with committed_env(cls.registry) as env:
            pricelists = env["product.pricelist"].search([])
            account = cls._sandbox_account(env, name="One client per transaction")
            shop = cls._connect_to_sandbox(account)[0]
            cls.shop_id, cls.account_id = shop.id, account.id
            cls.new_pricelist_ids = (env["product.pricelist"].search([]) - pricelists).ids
        cls.addClassCleanup(cls._remove_committed_records)

    @classmethod
    def _remove_committed_records(cls):
        with committed_env(cls.registry) as env:
            account = env["tiktok.account"].browse(cls.account_id)
            account.shop_ids.unlink()
            account.unlink()
            env["product.pricelist"].browse(cls.new_pricelist_ids).unlink()

    @contextmanager
    def _transaction(self):
        """The shop in a transaction of its own, committed at the end, and what it sent."""
        record = HttpRecord()
        send, close = requests.Session.request, requests.Session.close

        def spy_send(session, method, url, **kwargs):
            token = (kwargs.get("headers") or {}).get(ACCESS_TOKEN_HEADER)
            if token:
                record.calls.append((session, token))
            return send(session, method, url, **kwargs)

        def spy_close(session):
            record.closed.append(session)
            return close(session)

        with (
            patch.object(requests.Session, "request", autospec=True, side_effect=spy_send),
            patch.object(requests.Session, "close", autospec=True, side_effect=spy_close),
            committed_env(self.registry) as env,
        ):
            yield env["tiktok.shop"].browse(self.shop_id), record

    def test_two_calls_build_one_client_and_decrypt_the_secrets_once(self):
        with (
            patch.object(tiktok_account, "TikTokShopClient", wraps=TikTokShopClient) as built,
            patch.object(secret_box, "decrypt", wraps=secret_box.decrypt) as decrypt,
            self._transaction() as (shop, http),
        ):
            shop._tiktok_request(WAREHOUSES)
            shop._tiktok_request(WAREHOUSES)
            self.assertEqual(built.call_count, 1)
            self.assertEqual(decrypt.call_count, 2, "the app secret and the access token")
            self.assertEqual(len(http.sessions), 1, "both calls on one HTTP session")

    def test_commit_and_rollback_close_the_client_and_the_next_transaction_builds_one(self):
        with self._transaction() as (shop, http):
            shop._tiktok_request(WAREHOUSES)
            shop._tiktok_request(WAREHOUSES)
            (first,) = http.sessions
            self.assertNotIn(first, http.closed)
            shop.env.cr.commit()
            self.assertIn(first, http.closed)
            shop._tiktok_request(WAREHOUSES)
            self.assertEqual(len(http.sessions), 2, "the next transaction has a client of its own")
            second = http.sessions[1]
            self.assertNotIn(second, http.closed)
            shop.env.cr.rollback()
            self.assertIn(second, http.closed)
            shop._tiktok_request(WAREHOUSES)
            self.assertEqual(len(http.sessions), 3)

    def test_a_token_refreshed_in_the_transaction_is_the_one_its_next_calls_send(self):
        with self._transaction() as (shop, http):
            shop._tiktok_request(WAREHOUSES)
            (old_token,) = http.tokens
            # TikTok's view differs from the stored expiry: it answers 105002 to the old token.
            self.sandbox.state.tokens[old_token].access_expires_at = self.sandbox.state.now() - 1
            shop._tiktok_request(WAREHOUSES)  # refused, refreshed once, sent again
            shop._tiktok_request(WAREHOUSES)
            new_token = http.tokens[-1]
            self.assertNotEqual(new_token, old_token)
            self.assertEqual(http.tokens, [old_token, old_token, new_token, new_token])
            self.assertEqual(len(http.sessions), 1, "the refresh kept the client")

    def test_a_new_api_host_gives_the_next_call_a_client_built_with_it(self):
        with self._transaction() as (shop, http):
            shop._tiktok_request(WAREHOUSES)
            shop.account_id.sudo().api_host = f"{self.sandbox.url}/"
            shop._tiktok_request(WAREHOUSES)
            first, _second = http.sessions
            self.assertIn(first, http.closed)
            shop.env.cr.rollback()  # the class's account keeps its host
