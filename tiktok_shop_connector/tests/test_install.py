from odoo.tests import TransactionCase, new_test_user, tagged

ADDON = "tiktok_shop_connector"


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    """The addon installs with its menus, its privilege and groups, and access rules that keep
    every TikTok record away from portal and public users."""

    def test_menus_exist_under_sales_and_inventory(self):
        for root, parent in (
            ("menu_tiktok_shop_sales_root", "sale.sale_menu_root"),
            ("menu_tiktok_shop_stock_root", "stock.menu_stock_root"),
        ):
            menu = self.env.ref(f"{ADDON}.{root}")
            self.assertEqual(menu.parent_id, self.env.ref(parent))
            self.assertEqual(menu.name, "TikTok Shop")
        accounts = self.env.ref(f"{ADDON}.menu_tiktok_shop_sales_accounts")
        self.assertEqual(accounts.action.res_model, "tiktok.account")
        self.assertEqual(accounts.parent_id.name, "Configuration")
        self.assertEqual(
            accounts.parent_id.group_ids, self.env.ref(f"{ADDON}.group_tiktok_shop_manager")
        )

    def test_privilege_and_groups(self):
        privilege = self.env.ref(f"{ADDON}.res_groups_privilege_tiktok_shop")
        user_group = self.env.ref(f"{ADDON}.group_tiktok_shop_user")
        manager_group = self.env.ref(f"{ADDON}.group_tiktok_shop_manager")
        self.assertEqual(privilege.name, "TikTok Shop")
        self.assertEqual((user_group | manager_group).privilege_id, privilege)
        self.assertIn(user_group, manager_group.all_implied_ids)
        self.assertNotIn(manager_group, user_group.all_implied_ids)

    def test_every_model_has_access_rules_and_none_for_portal_or_public(self):
        created = self.env["ir.model.data"].search(
            [("module", "=", ADDON), ("model", "=", "ir.model")]
        )
        models = self.env["ir.model"].browse(created.mapped("res_id"))
        # The addon's own models; the ones it extends (sale.order, res.partner) keep their rules.
        models = models.filtered(
            lambda m: m.model.startswith("tiktok.") and not self.env[m.model]._abstract
        )
        self.assertIn("tiktok.account", models.mapped("model"))
        outsiders = self.env.ref("base.group_portal") | self.env.ref("base.group_public")
        for model in models:
            rules = self.env["ir.model.access"].search([("model_id", "=", model.id)])
            self.assertTrue(rules, f"{model.model} has no access rule")
            self.assertFalse(rules.group_id & outsiders, f"{model.model} is open to outsiders")
            self.assertTrue(all(rules.mapped("group_id")), f"{model.model} has a global rule")

    def test_roles_see_what_they_should(self):
        manager = new_test_user(self.env, "tt_manager", groups=f"{ADDON}.group_tiktok_shop_manager")
        user = new_test_user(self.env, "tt_user", groups=f"{ADDON}.group_tiktok_shop_user")
        portal = new_test_user(self.env, "tt_portal", groups="base.group_portal")
        account_model = self.env["tiktok.account"]
        self.assertTrue(account_model.with_user(manager).has_access("create"))
        self.assertTrue(account_model.with_user(user).has_access("read"))
        self.assertFalse(account_model.with_user(user).has_access("write"))
        self.assertFalse(account_model.with_user(portal).has_access("read"))
