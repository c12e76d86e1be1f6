from odoo.tests import TransactionCase, tagged

from .common import TikTokTestMixin

BINDINGS = {
    "tiktok.product": "tiktok_product_ref",
    "tiktok.sku": "tiktok_sku_ref",
    "tiktok.warehouse": "tiktok_warehouse_ref",
    "tiktok.shipping.provider": "tiktok_provider_ref",
    "tiktok.cancellation": "tiktok_cancel_ref",
    "tiktok.brand": "tiktok_brand_ref",
}


@tagged("post_install", "-at_install")
class TestBinding(TikTokTestMixin, TransactionCase):
    """Every binding of a TikTok object of a shop inherits `tiktok.binding`, and finds its
    records by TikTok id within one shop only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls._create_account(cls.env)
        cls.shop = cls._create_shop(cls.account, tiktok_id="7494049642642441621")
        cls.other_shop = cls._create_shop(cls.account, tiktok_id="7494049642642449999")

    def _skus(self, shop, refs):
        return self.env["tiktok.sku"].create(
            [{"shop_id": shop.id, "tiktok_sku_ref": ref} for ref in refs]
        )

    def test_the_bindings_inherit_it_and_name_their_tiktok_id_field(self):
        inheriting = self.env.registry["tiktok.binding"]._inherit_children
        for model_name, ref_field in BINDINGS.items():
            Binding = self.env[model_name]
            self.assertIn(model_name, inheriting)
            self.assertEqual(Binding._tiktok_ref_field, ref_field)
            self.assertEqual(Binding._fields[ref_field].type, "char")
            for name in ("shop_id", "company_id", "remote_update_time", "last_sync"):
                self.assertIn(name, Binding._fields, f"{model_name}.{name}")

    def test_a_binding_belongs_to_its_shops_company(self):
        (sku,) = self._skus(self.shop, ["1"])
        self.assertEqual(sku.company_id, self.shop.company_id)
        brand = self.env["tiktok.brand"].create(
            {"shop_id": self.shop.id, "tiktok_brand_ref": "7", "name": "Acme"}
        )
        self.assertEqual(brand.company_id, self.shop.company_id)

    def test_lookup_by_tiktok_id_stays_in_the_shop(self):
        first, second, _third = self._skus(self.shop, ["1", "2", "3"])
        self._skus(self.other_shop, ["1", "4"])
        Sku = self.env["tiktok.sku"]
        self.assertEqual(Sku._tiktok_by_ref(self.shop, ["1", "2", "4"]), {"1": first, "2": second})
        self.assertEqual(Sku._tiktok_find(self.shop, ["1", "4"]), first)
        self.assertEqual(Sku._tiktok_by_ref(self.shop, []), {})

    def test_lookup_without_ids_gives_every_binding_of_the_shop(self):
        Brand = self.env["tiktok.brand"]
        mine = Brand.create({"shop_id": self.shop.id, "tiktok_brand_ref": "7", "name": "Acme"})
        Brand.create({"shop_id": self.other_shop.id, "tiktok_brand_ref": "8", "name": "Other"})
        self.assertEqual(Brand._tiktok_by_ref(self.shop), {"7": mine})
