from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import TransactionCase, tagged

from ..models.connection.tiktok_secret_mixin import MASK
from ..tiktok_shop.client import TokenInfo
from .common import APP_SECRET, TikTokTestMixin


@tagged("post_install", "-at_install")
class TestSecretsAtRest(TikTokTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls._create_account(cls.env)
        cls.account._tiktok_store_tokens(
            TokenInfo(
                access_token="TTP_access_secret_value",
                refresh_token="TTP_refresh_secret_value",
                access_token_expires_at=4102444800,
                refresh_token_expires_at=4102444800,
            )
        )

    def _raw_columns(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT app_secret_encrypted, access_token_encrypted, refresh_token_encrypted "
            "FROM tiktok_account WHERE id = %s",
            [self.account.id],
        )
        return self.env.cr.fetchone()

    def test_columns_never_hold_clear_secrets(self):
        columns = self._raw_columns()
        for clear, stored in zip(
            (APP_SECRET, "TTP_access_secret_value", "TTP_refresh_secret_value"),
            columns,
            strict=True,
        ):
            self.assertTrue(stored.startswith("tts1:"))
            self.assertNotIn(clear, stored)
        self.assertEqual(
            self.account._tiktok_read_secret("access_token"), "TTP_access_secret_value"
        )

    def test_secret_is_shown_masked_and_write_only(self):
        self.assertEqual(self.account.app_secret, MASK)
        self.account.app_secret = "rotated_secret"
        self.assertEqual(self.account._tiktok_read_secret("app_secret"), "rotated_secret")
        self.assertEqual(self.account.app_secret, MASK)
        # Saving the form with the mask untouched keeps the stored secret.
        self.account.write({"app_secret": MASK})
        self.assertEqual(self.account._tiktok_read_secret("app_secret"), "rotated_secret")

    def test_secrets_are_not_copied_exported_or_readable_by_users(self):
        copy = self.account.copy({"app_key": "other_key"})
        self.assertFalse(copy.sudo().app_secret_encrypted)
        self.assertFalse(copy.sudo().access_token_encrypted)
        fields = self.env["tiktok.account"].fields_get()
        for name in ("app_secret_encrypted", "access_token_encrypted", "refresh_token_encrypted"):
            self.assertFalse(self.env["tiktok.account"]._fields[name].exportable)
        user = self.env["res.users"].create(
            {
                "name": "TikTok user",
                "login": "tt_reader",
                "group_ids": [
                    (6, 0, [self.env.ref("tiktok_shop_connector.group_tiktok_shop_user").id])
                ],
            }
        )
        visible = self.env["tiktok.account"].with_user(user).fields_get()
        self.assertNotIn("access_token_encrypted", visible)
        self.assertNotIn("app_secret", visible)
        self.assertIn("access_token_encrypted", fields)  # the superuser test env sees it

    def test_neutralization_removes_every_credential(self):
        for query in get_neutralization_queries(["tiktok_shop_connector"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        self.assertEqual(self._raw_columns(), (None, None, None))
        self.assertEqual(self.account.state, "disconnected")
        crons = self.env["ir.model.data"].search(
            [("module", "=", "tiktok_shop_connector"), ("model", "=", "ir.cron")]
        )
        self.assertFalse(any(self.env["ir.cron"].browse(crons.mapped("res_id")).mapped("active")))
