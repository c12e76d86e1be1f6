import base64
import io

from odoo.tests import TransactionCase, tagged
from PIL import Image

from .. import const
from ..tiktok_shop.endpoints import PRODUCT_PARTIAL_EDIT
from .order_common import OrderSandboxMixin

BACKPACK = "Canvas Travel Backpack"  # the seed's product with three sales attributes


@tagged("post_install", "-at_install")
class TestCatalogImport(OrderSandboxMixin, TransactionCase):
    """The TikTok catalog onto Odoo products, and the SKU Mapping screen, against the sandbox."""

    def setUp(self):
        super().setUp()
        # The import commits after each page: let its cursor wrap the test's transaction.
        self.enterContext(self.enter_registry_test_mode())

    def _import_catalog(self, shop=None):
        shop = shop or self.us
        self.env.flush_all()
        with self.registry.cursor() as cr:
            log = shop.with_env(self.env(cr=cr))._tiktok_import_catalog(trigger="manual")
            counts = (
                log.created_count,
                log.updated_count,
                log.skipped_count,
                log.failed_count,
            )
        self.env.invalidate_all()
        return counts

    def _remote_product(self, title, shop=None):
        remote_shop = self._remote_shop(shop or self.us)
        return next(
            product
            for product in self.sandbox.state.products.values()
            if product.shop_id == remote_shop.id and product.title == title
        )

    def _binding(self, remote_product, shop=None):
        return self.env["tiktok.product"].search(
            [
                ("shop_id", "=", (shop or self.us).id),
                ("tiktok_product_ref", "=", remote_product.id),
            ]
        )

    def _sku(self, remote_sku, shop=None):
        return self.env["tiktok.sku"].search(
            [
                ("shop_id", "=", (shop or self.us).id),
                ("tiktok_sku_ref", "=", remote_sku.id),
            ]
        )

    def _serve_main_image(self, remote_product):
        """Give the product a real 600x600 PNG that the sandbox serves on loopback."""
        buffer = io.BytesIO()
        Image.new("RGB", (600, 600), (200, 120, 40)).save(buffer, "PNG")
        uri = "tos-maliva-i-o3syd03w52-us/catalog-test-main"
        with self.sandbox.state.lock:
            self.sandbox.state.images[uri] = buffer.getvalue()
            remote_product.main_images = [
                {"uri": uri, "urls": [f"{self.sandbox.url}/sandbox/images/{uri}"]}
            ]

    def _odoo_product(self, name, **values):
        return self.env["product.product"].create({"name": name, "is_storable": True, **values})

    # === IMPORT === #

    def test_a_catalog_with_three_dimension_variants_is_imported(self):
        backpack = self._remote_product(BACKPACK)
        self.assertEqual(len(backpack.skus[0].sales_attributes), 3, "the seed has 3 dimensions")
        self._serve_main_image(backpack)
        remote_products = [
            p
            for p in self.sandbox.state.products.values()
            if p.shop_id == self._remote_shop(self.us).id
        ]
        created, _updated, _skipped, failed = self._import_catalog()
        self.assertEqual((created, failed), (len(remote_products), 0))

        binding = self._binding(backpack)
        template = binding.product_tmpl_id
        self.assertTrue(binding.imported_template)
        self.assertEqual(template.name, BACKPACK)
        lines = {
            line.attribute_id.name: set(line.value_ids.mapped("name"))
            for line in template.attribute_line_ids
        }
        self.assertEqual(
            lines,
            {
                "Color": {"Olive", "Navy"},
                "Size": {"20L", "28L"},
                "Material": {"Canvas", "Recycled PET"},
            },
        )
        self.assertEqual(len(template.product_variant_ids), len(backpack.skus))
        for remote_sku in backpack.skus:
            variant = self._sku(remote_sku).product_id
            self.assertEqual(variant.default_code, remote_sku.seller_sku)
            self.assertEqual(
                set(variant.product_template_attribute_value_ids.mapped("name")),
                {attribute["value_name"] for attribute in remote_sku.sales_attributes},
            )
        self.assertEqual(template.list_price, float(backpack.skus[0].price))
        self.assertIn("made to last", template.description)
        self.assertTrue(template.image_1920, "the main image was downloaded")
        self.assertEqual(binding.image_uris, [backpack.main_images[0]["uri"]])
        self.assertEqual(binding.status, "ACTIVATE")
        self.assertTrue(binding.tiktok_category_ref and binding.category_name)
        # Images on TikTok's CDN cannot be fetched here: those products come without one.
        mug = self._binding(self._remote_product("Stoneware Coffee Mug"))
        self.assertFalse(mug.product_tmpl_id.image_1920)
        self.assertEqual(self.env["product.attribute"].search_count([("name", "=", "Color")]), 1)

    def test_reimport_creates_no_duplicate_and_follows_a_changed_title(self):
        self._import_catalog()
        counts = {
            model: self.env[model].search_count([])
            for model in (
                "product.template",
                "product.product",
                "tiktok.product",
                "tiktok.sku",
            )
        }
        backpack = self._remote_product(BACKPACK)
        self.sandbox.advance(60)
        self.us._tiktok_request(
            PRODUCT_PARTIAL_EDIT,
            path_params={"product_id": backpack.id},
            json={"title": "Canvas Travel Backpack 2026"},
        )
        created, updated, _skipped, failed = self._import_catalog()
        self.assertEqual((created, updated, failed), (0, 1, 0), "only the edited product changed")
        for model, count in counts.items():
            self.assertEqual(self.env[model].search_count([]), count, f"no new {model}")
        binding = self._binding(backpack)
        self.assertEqual(binding.title, "Canvas Travel Backpack 2026")
        self.assertEqual(binding.product_tmpl_id.name, "Canvas Travel Backpack 2026")
        self.assertEqual(binding.remote_update_time, backpack.update_time)
        # Nothing changed since: the next run reads nothing again.
        self.assertEqual(self._import_catalog()[:2], (0, 0))

    def _listed_products(self):
        remote_shop = self._remote_shop(self.us)
        return [
            product
            for product in self.sandbox.state.products.values()
            if product.shop_id == remote_shop.id and product.status != "DELETED"
        ]

    def _edit_remotely(self, remote_product, update_time):
        """The product as TikTok changed it at `update_time` (until the end of the test)."""
        self.addCleanup(setattr, remote_product, "update_time", remote_product.update_time)
        with self.sandbox.state.lock:
            remote_product.update_time = update_time

    def test_the_next_import_reads_from_the_mark_less_its_overlap(self):
        self._import_catalog()
        first_mark = self.us.catalog_high_water_mark
        products = self._listed_products()
        self.assertEqual(first_mark, max(product.update_time for product in products))
        moved, inside, outside = products[:3]
        self._edit_remotely(moved, first_mark + 1000)
        self._import_catalog()
        mark = self.us.catalog_high_water_mark
        self.assertEqual(mark, first_mark + 1000)
        overlap = const.SYNC_MARK_OVERLAP_SECONDS["catalog"]
        self._edit_remotely(inside, mark - overlap)
        self._edit_remotely(outside, mark - overlap - 1)
        _created, updated, _skipped, _failed = self._import_catalog()
        self.assertEqual(updated, 1)
        self.assertEqual(self._binding(inside).remote_update_time, mark - overlap)
        self.assertNotEqual(self._binding(outside).remote_update_time, mark - overlap - 1)
        self.assertEqual(self.us.catalog_high_water_mark, mark)

    def test_the_mark_stays_before_a_product_that_failed_until_it_imports(self):
        self._import_catalog()
        mark = self.us.catalog_high_water_mark
        with_variants, other = sorted(self._listed_products(), key=lambda p: -len(p.skus))[:2]
        attributes = with_variants.skus[1].sales_attributes
        self.addCleanup(setattr, with_variants.skus[1], "sales_attributes", attributes)
        with self.sandbox.state.lock:  # two SKUs Odoo cannot tell apart: the product fails
            with_variants.skus[1].sales_attributes = with_variants.skus[0].sales_attributes
        self._edit_remotely(with_variants, mark + 100)
        self._edit_remotely(other, mark + 200)
        _created, updated, _skipped, failed = self._import_catalog()
        self.assertEqual((updated, failed), (1, 1))
        self.assertEqual(self.us.catalog_high_water_mark, mark + 99, "held before the failure")
        with self.sandbox.state.lock:
            with_variants.skus[1].sales_attributes = attributes
        _created, updated, _skipped, failed = self._import_catalog()
        self.assertEqual((updated, failed), (1, 0), "the product that failed, read again")
        self.assertEqual(self._binding(with_variants).remote_update_time, mark + 100)
        self.assertEqual(self.us.catalog_high_water_mark, mark + 200)

    def test_existing_products_are_matched_by_seller_sku_then_barcode(self):
        mug = self._remote_product("Stoneware Coffee Mug")
        by_reference = self._odoo_product("Our mug", default_code=mug.skus[0].seller_sku)
        by_barcode = self._odoo_product("Our other mug", barcode=mug.skus[1].seller_sku)
        self._import_catalog()
        self.assertEqual(self._sku(mug.skus[0]).product_id, by_reference)
        self.assertEqual(self._sku(mug.skus[1]).product_id, by_barcode)
        binding = self._binding(mug)
        self.assertEqual(binding.product_tmpl_id, by_reference.product_tmpl_id)
        self.assertFalse(binding.imported_template, "an Odoo product is never renamed by TikTok")
        self.assertEqual(
            self.env["product.product"].search_count(
                [("default_code", "in", [sku.seller_sku for sku in mug.skus])]
            ),
            1,
            "no product was created for the matched SKUs",
        )

    # === CONFLICTS AND THE MAPPING SCREEN === #

    def test_conflicts_are_detected_and_cleared(self):
        candle = self._remote_product("Soy Scented Candle")
        shared_code = candle.skus[0].seller_sku
        twins = self._odoo_product("Candle A", default_code=shared_code) | self._odoo_product(
            "Candle B", default_code=shared_code
        )
        self._import_catalog()
        ambiguous = self._sku(candle.skus[0])
        self.assertEqual(ambiguous.state, "conflict")
        self.assertFalse(ambiguous.product_id, "which twin TikTok sells is the seller's call")
        self.assertIn("several Odoo products", ambiguous.conflict_reason)
        self.assertEqual(
            self.env["product.product"].search_count([("default_code", "=", shared_code)]),
            2,
        )
        # One Odoo variant bound to two SKUs of the shop: both are conflicts.
        other, another = self._sku(candle.skus[1]), self._sku(candle.skus[2])
        another.product_id = other.product_id
        self.assertEqual((other | another).mapped("state"), ["conflict", "conflict"])
        self.assertIn("several SKUs of this shop", other.conflict_reason)
        # The seller decides: each conflict is gone.
        ambiguous.product_id = twins[0]
        another.product_id = self._odoo_product("Candle C")
        self.assertEqual((ambiguous | other | another).mapped("state"), ["mapped"] * 3)
        self.assertFalse(other.conflict_reason)

    def test_bulk_create_auto_map_and_ignore(self):
        candle = self._remote_product("Soy Scented Candle")
        code = candle.skus[0].seller_sku
        self._odoo_product("Candle A", default_code=code)
        self._odoo_product("Candle B", default_code=code)
        self._import_catalog()
        ambiguous = self._sku(candle.skus[0])
        self.assertEqual(ambiguous.state, "conflict")
        ambiguous.action_tiktok_create_products()
        self.assertEqual(ambiguous.state, "mapped")
        self.assertEqual(
            ambiguous.product_id.product_tmpl_id, self._binding(candle).product_tmpl_id
        )
        # Auto-map takes a product that appeared since; ignore sets one aside.
        lip = self._remote_product("Hydrating Lip Gloss")
        skus = self._sku(lip.skus[0]) | self._sku(lip.skus[1])
        skus.write({"product_id": False})
        late = self._odoo_product("Late gloss", default_code=lip.skus[0].seller_sku + "-X")
        skus[0].seller_sku = late.default_code
        skus[1].seller_sku = "NOWHERE-1"  # renamed on TikTok to what no Odoo product has
        skus.action_tiktok_auto_map()
        self.assertEqual(skus[0].product_id, late)
        self.assertEqual(skus[1].state, "unmapped", "nothing in Odoo names it")
        skus[1].action_tiktok_ignore()
        self.assertEqual(skus[1].state, "ignored")
        self.assertNotIn(
            skus[1],
            self.env["tiktok.sku"].search([("state", "in", ("unmapped", "conflict"))]),
        )

    def test_an_ignored_sku_keeps_its_order_waiting_until_its_product_is_created(self):
        (remote_sku,) = self._in_stock_skus(self.us, count=1)
        remote = self._place(self.us, [(remote_sku.id, 1)])
        self.us._tiktok_import_order_ids([remote.id])
        order = self._sale_orders(self.us, remote.id)
        sku = self._sku(remote_sku)
        self.assertEqual((order.state, sku.state), ("draft", "unmapped"))
        self.assertEqual(sku.blocked_order_ids, order)
        sku.action_tiktok_ignore()
        self.assertEqual(sku.state, "ignored")
        self.assertTrue(order.tiktok_exception, "an ignored SKU still holds its order")
        self.assertEqual(order.tiktok_unmapped_sku_ids, sku)
        sku.action_tiktok_create_products()
        self.assertEqual(sku.state, "mapped")
        self.assertEqual(sku.product_id.default_code, remote_sku.seller_sku)
        self.assertEqual(order.state, "sale", "mapping the SKU released its order")
        self.assertFalse(order.tiktok_exception)

    def test_the_catalog_import_releases_the_orders_its_skus_blocked(self):
        (remote_sku,) = self._in_stock_skus(self.us, count=1)
        remote = self._place(self.us, [(remote_sku.id, 1)])
        self.us._tiktok_import_order_ids([remote.id])
        order = self._sale_orders(self.us, remote.id)
        self.assertEqual(order.state, "draft")
        self._import_catalog()
        self.assertEqual(self._sku(remote_sku).product_id.default_code, remote_sku.seller_sku)
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.tiktok_unmapped_sku_ids)

    # === CSV === #

    def test_csv_import_maps_rows_and_reports_the_rest(self):
        mug = self._remote_product("Stoneware Coffee Mug")
        self._odoo_product("Mug one", default_code="FURN_1")
        self._odoo_product("Mug two", default_code="FURN_2")
        csv = "\n".join(
            [
                "shop,tiktok_product_ref,tiktok_sku_ref,seller_sku,internal_reference",
                f"{self.us.code},{mug.id},{mug.skus[0].id},,FURN_1",
                f",,,{mug.skus[1].seller_sku},FURN_2",
                f",,{mug.skus[1].id},,NOT_IN_ODOO",
                f"NO_SUCH_SHOP,,{mug.skus[1].id},,FURN_2",
                ",,1.72924E+18,,FURN_2",
            ]
        )
        wizard = self.env["tiktok.sku.mapping.import"].create(
            {"file": base64.b64encode(csv.encode()), "shop_id": self.us.id}
        )
        wizard.action_import()
        first = self._sku(mug.skus[0])
        self.assertEqual(first.product_id.default_code, "FURN_1")
        self.assertEqual(first.tiktok_product_ref, mug.id, "an id never met is bound all the same")
        self.assertEqual(wizard.mapped_count, 1)
        report = dict(line.split(": ", 1) for line in wizard.report.splitlines())
        self.assertEqual(
            sorted(report),
            ["Line 3", "Line 4", "Line 5", "Line 6"],
        )
        self.assertIn("import the catalog first", report["Line 3"])
        self.assertIn("NOT_IN_ODOO", report["Line 4"])
        self.assertIn("NO_SUCH_SHOP", report["Line 5"])
        self.assertIn("rounded by a spreadsheet", report["Line 6"])
        # Once the catalog is known, the seller SKU row maps too.
        self._import_catalog()
        wizard = self.env["tiktok.sku.mapping.import"].create(
            {"file": base64.b64encode(csv.encode()), "shop_id": self.us.id}
        )
        wizard.action_import()
        self.assertEqual(self._sku(mug.skus[1]).product_id.default_code, "FURN_2")
