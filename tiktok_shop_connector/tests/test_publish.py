import base64
import io
from contextlib import contextmanager
from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import HttpCase, tagged
from PIL import Image

from tiktok_shop_sandbox.catalog import AUDIT_SECONDS

from .. import const
from ..tiktok_shop.listing_rules import gs1_check_digit
from .common import SandboxMixin, signed_notification

CREATE_PATH = "/product/202309/products"
UPLOAD_PATH = "/product/202309/images/upload"


def square_png(side=800):
    buffer = io.BytesIO()
    Image.new("RGB", (side, side), (200, 80, 40)).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue())


def ean13(body):
    """A valid EAN-13 from its first 12 digits."""
    return body + gs1_check_digit(body)


@tagged("post_install", "-at_install")
class TestPublish(SandboxMixin, HttpCase):
    """Publishing Odoo products to the sandbox TikTok Shop, over real HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls._sandbox_account()
        cls.shop = cls._connect_to_sandbox(cls.account).filtered(lambda s: s.region == "US")
        cls.pricelist = cls.env["product.pricelist"].create(
            {
                "name": "TikTok US",
                "currency_id": cls.shop.currency_id.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "3_global",
                            "compute_price": "percentage",
                            "percent_price": 10,
                        }
                    )
                ],
            }
        )
        cls.shop.pricelist_id = cls.pricelist
        cls.env["tiktok.category"]._tiktok_load_tree(cls.shop)
        cls.env["tiktok.brand"]._tiktok_load_brands(cls.shop)
        cls.color = cls.env["product.attribute"].create(
            {
                "name": "Color",
                "value_ids": [Command.create({"name": "Red"}), Command.create({"name": "Blue"})],
            }
        )

    # --- helpers ---------------------------------------------------------------------------------

    def _category(self, name):
        category = self.env["tiktok.category"].search(
            [("region", "=", "US"), ("name", "=", name), ("is_leaf", "=", True)]
        )
        self.assertEqual(len(category), 1, f"the sandbox's US tree has a leaf {name}")
        return category

    def _mug(self, name="Stoneware mug", prefix="MUG"):
        """A product with a red and a blue variant, each with a reference and an EAN-13."""
        template = self.env["product.template"].create(
            {
                "name": name,
                "list_price": 20.0,
                "weight": 0.4,
                "description_sale": "A handmade stoneware mug.",
                "image_1920": square_png(),
                "attribute_line_ids": [
                    Command.create(
                        {"attribute_id": self.color.id, "value_ids": self.color.value_ids.ids}
                    )
                ],
            }
        )
        for index, variant in enumerate(template.product_variant_ids):
            color = variant.product_template_attribute_value_ids.name
            variant.write(
                {
                    "default_code": f"{prefix}-{color.upper()}",
                    "barcode": ean13(f"40{template.id:08d}{index:02d}"),
                }
            )
        return template

    def _listing(self, template, category="Handmade Stoneware Mugs"):
        return self.env["tiktok.product"].create(
            {
                "shop_id": self.shop.id,
                "product_tmpl_id": template.id,
                "category_id": self._category(category).id,
                "package_length": 12,
                "package_width": 10,
                "package_height": 10,
            }
        )

    def _line(self, listing, seller_sku):
        return listing.variant_line_ids.filtered(lambda line: line.seller_sku == seller_sku)

    @contextmanager
    def _sandbox_calls(self):
        """Record (method, path, JSON body) of every call the sandbox receives."""
        calls = []
        gateway = self.sandbox._server.gateway
        handle = gateway.handle

        def recording_handle(request):
            response = handle(request)  # parses the JSON body
            calls.append((request.method, request.path, request.json))
            return response

        with patch.object(gateway, "handle", recording_handle):
            yield calls

    def _paths(self, calls):
        return [f"{method} {path}" for method, path, _body in calls]

    def _remote(self, listing):
        return self.sandbox.state.products[listing.tiktok_product_ref]

    def _publish(self, listing):
        listing.action_tiktok_publish()
        self.assertFalse(listing.check_result)
        self.assertTrue(listing.tiktok_product_ref)
        return self._remote(listing)

    # --- tests -----------------------------------------------------------------------------------

    def test_categories_follow_the_market_tree_and_only_leaves_are_chosen(self):
        us_mugs = self._category("Handmade Stoneware Mugs")
        self.assertEqual(us_mugs.category_version, "v2")
        self.assertEqual(us_mugs.complete_name.count(" > "), 6, "the US tree has 7 levels")
        gb = self.shop.account_id.shop_ids.filtered(lambda shop: shop.region == "GB")
        self.env["tiktok.category"]._tiktok_load_tree(gb)
        gb_mugs = self.env["tiktok.category"].search([("region", "=", "GB"), ("name", "=", "Mugs")])
        self.assertEqual(gb_mugs.complete_name, "Home Supplies > Kitchenware > Mugs")
        self.assertEqual(gb_mugs.category_version, "v1")
        self.assertTrue(gb_mugs.is_leaf)

        listing = self._listing(self._mug())
        with self.assertRaises(ValidationError):
            listing.category_id = us_mugs.parent_id
        # Attributes and rules were read when the category was chosen, then come from the cache.
        self.assertTrue(us_mugs.details_fetched_at)
        with self._sandbox_calls() as calls:
            self._listing(self._mug("Tall mug", prefix="TALL")).action_tiktok_check()
        self.assertNotIn("attributes", " ".join(self._paths(calls)))

    def test_problems_are_shown_before_any_publishing_call(self):
        template = self._mug()
        listing = self._listing(template, category="Race Car Brick Sets")
        listing.write({"title": "B" * 300, "image_ids": [Command.clear()]})
        listing.variant_line_ids[0].identifier_code = "12345"
        with self._sandbox_calls() as calls:
            listing.action_tiktok_publish()
        self.assertEqual(listing.check_state, "problems")
        problems = listing.check_result
        for expected in (
            "title: has 300 characters, TikTok takes 255",
            "attribute Age Range: is required",
            "document Children's Product Certificate (CPC): is required by the category",
            "images: a main image is required",
            "a EAN has 8 or 13 or 14 digits, got '12345'",
        ):
            self.assertIn(expected, problems)
        # Nothing was uploaded nor created: every problem was found in Odoo.
        self.assertEqual(calls, [])
        self.assertFalse(listing.tiktok_product_ref)

    def test_check_listing_is_a_dry_run_with_tiktok_listing_check(self):
        listing = self._listing(self._mug())
        products_before = len(self.sandbox.state.products)
        with self._sandbox_calls() as calls:
            listing.action_tiktok_check()
        self.assertEqual(listing.check_state, "ready", listing.check_result)
        self.assertIn("POST /product/202309/products/listing_check", self._paths(calls))
        self.assertNotIn(f"POST {CREATE_PATH}", self._paths(calls))
        self.assertEqual(len(self.sandbox.state.products), products_before)

    def test_gtin_rules(self):
        listing = self._listing(self._mug())
        red, blue = (self._line(listing, code) for code in ("MUG-RED", "MUG-BLUE"))
        self.assertEqual(red.identifier_type, "EAN", "a 13-digit barcode is taken as an EAN")
        blue.identifier_code = red.identifier_code
        red.write({"identifier_type": "UPC"})
        wrong_digit = red.identifier_code[:-1] + str((int(red.identifier_code[-1]) + 1) % 10)
        other = self._listing(self._mug("Tall mug", prefix="TALL"))
        self._line(other, "TALL-RED").identifier_code = wrong_digit

        listing.action_tiktok_check()
        other.action_tiktok_check()

        self.assertIn(
            f"SKU MUG-RED: a UPC has 12 digits, got '{red.identifier_code}'", listing.check_result
        )
        self.assertIn(f"SKU TALL-RED: {wrong_digit} has a wrong check digit", other.check_result)
        # Unique per SKU: the blue variant cannot repeat the red one's code...
        red.identifier_type = "EAN"
        listing.action_tiktok_check()
        self.assertIn(
            f"SKU MUG-BLUE: EAN {red.identifier_code} is already used by MUG-RED",
            listing.check_result,
        )
        # ...nor another listing's.
        blue.identifier_code = self._line(other, "TALL-BLUE").identifier_code
        listing.action_tiktok_check()
        self.assertIn("is already used by TALL-BLUE", listing.check_result)
        blue.identifier_code = ean13("401234567890")
        listing.action_tiktok_check()
        self.assertEqual(listing.check_state, "ready", listing.check_result)

    def test_compliance_checklist_blocks_publishing_until_complete(self):
        listing = self._listing(self._mug("Race car bricks", prefix="CAR"), "Race Car Brick Sets")
        listing.attribute_line_ids.filtered(lambda a: a.name == "Age Range").value = "6-12 years"
        documents = listing.document_ids
        self.assertEqual(
            sorted((d.name, d.required) for d in documents),
            [("ASTM F963 Test Report", False), ("Children's Product Certificate (CPC)", True)],
        )
        self.assertFalse(listing.compliance_complete)
        with self._sandbox_calls() as calls:
            listing.action_tiktok_publish()
        self.assertIn("document Children's Product Certificate (CPC)", listing.check_result)
        self.assertEqual(calls, [])

        cpc = documents.filtered("required")
        cpc.write({"document": square_png(1200), "document_name": "cpc.png"})
        self.assertTrue(listing.compliance_complete)
        remote = self._publish(listing)
        self.assertEqual(
            [c["id"] for c in remote.details["certifications"]], [cpc.tiktok_certification_ref]
        )

    def test_a_product_with_variants_publishes_and_binds_its_skus(self):
        template = self._mug()
        listing = self._listing(template)
        with self._sandbox_calls() as calls:
            remote = self._publish(listing)
        paths = self._paths(calls)
        self.assertEqual(paths.count(f"POST {CREATE_PATH}"), 1)
        self.assertTrue(calls[paths.index(f"POST {CREATE_PATH}")][2]["idempotency_key"])
        self.assertEqual(listing.status, "PENDING")
        self.assertEqual(remote.title, "Stoneware mug")
        self.assertEqual(len(remote.main_images), 1)

        # Every variant is bound to the TikTok SKU it became, priced from the pricelist.
        bindings = listing.sku_ids
        outlets = set(self.shop._tiktok_stock_outlets().mapped("tiktok_warehouse_ref"))
        self.assertEqual(len(outlets), 2, "the sandbox's US shop ships from two warehouses")
        self.assertEqual(bindings.product_id, template.product_variant_ids)
        self.assertEqual(bindings, listing.variant_line_ids.sku_binding_id)
        for binding in bindings:
            sku = self.sandbox.state.skus[binding.tiktok_sku_ref]
            self.assertEqual(sku.seller_sku, binding.product_id.default_code)
            self.assertEqual((sku.price, sku.list_price), ("18.00", "20.00"))
            self.assertEqual(sku.identifier_code["code"], binding.product_id.barcode)
            self.assertEqual(sku.sales_attributes[0]["name"], "Color")
            self.assertEqual((binding.pushed_price, binding.pushed_list_price), ("18.00", "20.00"))
            # Declared in every warehouse Odoo stocks (never the FBT one); the stock push fills it.
            self.assertEqual(set(sku.inventory), outlets)

        # A small change is a partial edit; a new category is a full one.
        listing.title = "Stoneware coffee mug"
        with self._sandbox_calls() as calls:
            listing.action_tiktok_publish()
        edit_path = f"{CREATE_PATH}/{listing.tiktok_product_ref}"
        self.assertIn(f"POST {edit_path}/partial_edit", self._paths(calls))
        self.assertEqual(
            calls[self._paths(calls).index(f"POST {edit_path}/partial_edit")][2],
            {"title": "Stoneware coffee mug"},
        )
        self.assertEqual(remote.title, "Stoneware coffee mug")
        listing.category_id = self._category("Soy Wax Jar Candles")
        with self._sandbox_calls() as calls:
            listing.action_tiktok_publish()
        self.assertIn(f"PUT {edit_path}", self._paths(calls))
        self.assertEqual(remote.category_id, listing.category_id.tiktok_category_ref)
        self.assertEqual(listing.sku_ids, bindings, "an edit keeps the SKUs TikTok has")

    def test_price_push_sends_only_changed_prices(self):
        template = self._mug()
        listing = self._listing(template)
        self._publish(listing)
        red = listing.sku_ids.filtered(lambda b: b.seller_sku == "MUG-RED")
        with self._sandbox_calls() as calls:
            log = self.shop._tiktok_push_prices(listing.sku_ids, trigger="manual")
        self.assertEqual(calls, [], "no price changed since publishing")
        self.assertEqual(log.skipped_count, 2)

        self.pricelist.item_ids = [
            Command.create(
                {
                    "applied_on": "0_product_variant",
                    "product_id": red.product_id.id,
                    "compute_price": "fixed",
                    "fixed_price": 15.5,
                }
            )
        ]
        with self._sandbox_calls() as calls:
            self._run_cron_method("tiktok.shop", "_cron_tiktok_push_prices")
        log = self.env["tiktok.sync.log"].search([("shop_id", "=", self.shop.id)], limit=1)
        path = f"{CREATE_PATH}/{listing.tiktok_product_ref}/prices/update"
        self.assertEqual(self._paths(calls), [f"POST {path}"])
        self.assertEqual(
            calls[0][2]["skus"],
            [
                {
                    "id": red.tiktok_sku_ref,
                    "price": {"amount": "15.50", "currency": "USD"},
                    "list_price": {"amount": "20.00", "currency": "USD"},
                }
            ],
        )
        self.assertEqual((log.updated_count, log.skipped_count), (1, 1))
        self.assertEqual(self.sandbox.state.skus[red.tiktok_sku_ref].price, "15.50")
        self.assertEqual(red.pushed_price, "15.50")
        with self._sandbox_calls() as calls:
            listing.action_tiktok_push_prices()
        self.assertEqual(calls, [], "pushed prices are not sent again")

    def test_product_status_webhook_brings_audit_failure_reasons_and_an_activity(self):
        template = self._mug("Forbidden fruit mug")
        listing = self._listing(template)
        self._publish(listing)
        self.sandbox.advance(AUDIT_SECONDS + 1)  # TikTok's audit refuses the title

        app = self.sandbox.app
        notification = {
            "type": 5,
            "tts_notification_id": f"publish-{listing.tiktok_product_ref}",
            "shop_id": self.shop.tiktok_shop_ref,
            "timestamp": self.sandbox.state.now(),
            "data": {
                "product_id": int(listing.tiktok_product_ref),
                "status": "PRODUCT_AUDIT_FAILURE",
                "suspended_reason": "",
                "update_time": self.sandbox.state.now(),
            },
        }
        raw, signature = signed_notification(notification, app.app_key, app.app_secret)
        response = self.url_open(
            f"{const.WEBHOOK_ROUTE}/{app.app_key}",
            data=raw,
            headers={"Content-Type": "application/json", "Authorization": signature},
        )
        self.assertEqual(response.status_code, 200)
        self._run_cron_method("tiktok.webhook.event", "_cron_process_events")

        self.assertEqual(listing.status, "FAILED")
        self.assertIn("title: The title contains a prohibited word.", listing.audit_failed_reasons)
        activity = template.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("Audit failed", activity.summary)
        # Reading the same status again on demand tells nobody twice.
        listing.action_tiktok_refresh_status()
        self.assertEqual(len(template.activity_ids), 1)

    def test_deactivate_and_activate(self):
        listing = self._listing(self._mug())
        remote = self._publish(listing)
        self.sandbox.advance(AUDIT_SECONDS + 1)
        listing.action_tiktok_refresh_status()
        self.assertEqual(listing.status, "ACTIVATE")

        listing.action_tiktok_deactivate()
        self.assertEqual((listing.status, remote.status), ("SELLER_DEACTIVATED",) * 2)
        listing.action_tiktok_activate()
        self.assertEqual((listing.status, remote.status), ("ACTIVATE",) * 2)
