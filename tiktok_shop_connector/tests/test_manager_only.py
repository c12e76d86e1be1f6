from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import SandboxMixin

USER_GROUPS = "base.group_user,tiktok_shop_connector.group_tiktok_shop_user"


@tagged("post_install", "-at_install")
class TestManagerOnlyActions(SandboxMixin, HttpCase):
    """What only a TikTok Shop manager may see or start, whatever the caller goes through.

    Buttons hidden in a view are still public methods: any logged-in user can call them by RPC,
    so each checks the group itself before it uses sudo().
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._create_manager(cls.env)
        cls.clerk = new_test_user(cls.env, "tiktok_clerk", groups=USER_GROUPS)
        cls.employee = new_test_user(cls.env, "plain_employee", groups="base.group_user")
        cls.portal = new_test_user(cls.env, "portal_buyer", groups="base.group_portal")
        cls.account = cls._sandbox_account()
        cls.shop = cls._connect_to_sandbox(cls.account)[:1]
        cls.draft_account = cls._create_account(cls.env, name="Not connected yet")
        template = cls.env["product.template"].create({"name": "Stoneware mug"})
        cls.listing = cls.env["tiktok.product"].create(
            {"shop_id": cls.shop.id, "product_tmpl_id": template.id, "title": "Stoneware mug"}
        )
        start = fields.Datetime.now() + timedelta(days=1)
        cls.live_event = cls.env["tiktok.live.event"].create(
            {
                "name": "Friday LIVE",
                "shop_id": cls.shop.id,
                "planned_start": start,
                "planned_end": start + timedelta(hours=1),
            }
        )

    def _manager_starts_a_connect(self):
        """The jti of the state the manager's browser now carries to TikTok and back."""
        self.draft_account.with_user(self.manager).action_connect()
        return self.draft_account.sudo().oauth_nonce

    def test_connect_is_refused_to_everyone_but_managers(self):
        nonce = self._manager_starts_a_connect()
        for user in (self.portal, self.employee, self.clerk):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.draft_account.with_user(user).action_connect()
                self.assertEqual(self.draft_account.sudo().oauth_nonce, nonce)

    def test_connect_by_json_rpc_is_refused_and_keeps_the_managers_connect(self):
        nonce = self._manager_starts_a_connect()
        params = {
            "model": "tiktok.account",
            "method": "action_connect",
            "args": [[self.draft_account.id]],
            "kwargs": {},
        }
        for user in (self.portal, self.clerk):
            with self.subTest(user=user.login):
                self.authenticate(user.login, user.login)
                with self.assertRaises(JsonRpcException) as refused:
                    self.make_jsonrpc_request("/web/dataset/call_kw", params)
                self.assertEqual(str(refused.exception), "odoo.exceptions.AccessError")
        self.draft_account.invalidate_recordset()
        self.assertEqual(self.draft_account.sudo().oauth_nonce, nonce)

    def test_every_manager_button_of_the_account_shop_listing_and_live_forms_refuses_users(self):
        for view, record in (
            ("tiktok_shop_connector.tiktok_account_view_form", self.account),
            ("tiktok_shop_connector.tiktok_shop_view_form", self.shop),
            ("tiktok_shop_connector.tiktok_product_view_form_listing", self.listing),
            ("tiktok_shop_connector.tiktok_live_event_view_form", self.live_event),
        ):
            for method in _manager_object_buttons(self.env.ref(view)):
                with self.subTest(method=method), self.assertRaises(AccessError):
                    getattr(record.with_user(self.clerk), method)()
        self.assertEqual(self.account.state, "connected")
        self.assertTrue(self.account.sudo().access_token_encrypted)
        self.assertEqual(self.live_event.state, "draft")

    def test_the_live_event_buttons_are_for_managers(self):
        form = self.env.ref("tiktok_shop_connector.tiktok_live_event_view_form")
        self.assertEqual(
            _manager_object_buttons(form),
            [
                "action_cancel",
                "action_load_deals",
                "action_refresh_sessions",
                "action_release_now",
                "action_schedule",
            ],
        )

    def test_webhook_url_reveals_the_app_key_to_managers_only(self):
        clerk_account = self.account.with_user(self.clerk)
        with self.assertRaises(AccessError):
            clerk_account.read(["webhook_url"])
        self.assertNotIn("webhook_url", clerk_account.fields_get())
        self.assertIn("callback_url", clerk_account.fields_get())
        webhook_url = self.account.with_user(self.manager).webhook_url
        self.assertTrue(webhook_url.endswith(f"/{self.sandbox.app.app_key}"))

    def test_order_poll_is_started_by_managers_only(self):
        with self.assertRaises(AccessError):
            self.shop.with_user(self.clerk).action_poll_orders_now()
        logs = self.env["tiktok.sync.log"].search([("shop_id", "=", self.shop.id)])
        self.assertFalse(logs.filtered(lambda log: log.trigger == "manual"))
        self.assertTrue(self.shop.with_user(self.manager).action_poll_orders_now())


def _manager_object_buttons(view):
    """The methods the view's buttons call that only managers see (with inherited views)."""
    arch = view._get_combined_arch()
    return sorted(
        {
            button.get("name")
            for button in arch.iter("button")
            if button.get("type") == "object"
            and "tiktok_shop_connector.group_tiktok_shop_manager" in (button.get("groups") or "")
        }
    )
