from odoo import Command
from odoo.tests import TransactionCase, tagged

from .order_common import OrderSandboxMixin

UPDATE_ENDPOINT = "POST /product/202309/products/{id}/inventory/update"


@tagged("post_install", "-at_install")
class TestStockPush(OrderSandboxMixin, TransactionCase):
    """Odoo's sellable stock reaches the sandbox's SKUs, per TikTok warehouse, only when changed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gb = cls._odoo_shop("GB")
        (cls.shops - cls.us).write({"sync_stock": False})
        cls.east = cls.env["stock.warehouse"].create({"name": "East", "code": "EST"})
        cls.products = cls._create_products_for(cls.us, quantity=7)
        cls.product_of = {product.default_code: product for product in cls.products}
        cls.us_skus = cls._bind(cls.us)
        cls.buyer = cls.env["res.partner"].create({"name": "Counter buyer"})

    @classmethod
    def _bind(cls, shop):
        """SKU bindings without their TikTok product id: the push finds it by Inventory Search."""
        return cls.env["tiktok.sku"].create(
            [
                {
                    "shop_id": shop.id,
                    "tiktok_sku_ref": sku.id,
                    "seller_sku": sku.seller_sku,
                    "product_id": cls.product_of[sku.seller_sku].id,
                }
                for sku in cls._remote_skus(shop)
                if sku.seller_sku in cls.product_of
            ]
        )

    # === helpers === #

    def _push(self):
        """Commit the stock changes made so far (their notes are written then) and run the cron."""
        self.env.cr.flush()
        self._run_cron_method("tiktok.shop", "_cron_push_stock")

    def _update_calls(self):
        return self.sandbox.calls.snapshot()["served"].get(UPDATE_ENDPOINT, 0)

    def _tiktok_stock(self, sku):
        """{TikTok warehouse name: quantity} the sandbox shows for a SKU binding."""
        state = self.sandbox.state
        inventory = state.skus[sku.tiktok_sku_ref].inventory
        return {state.warehouses[w].name: quantity for w, quantity in inventory.items()}

    def _set_on_hand(self, product, quantity, warehouse=None):
        location = (warehouse or self.warehouse).lot_stock_id
        Quant = self.env["stock.quant"]
        current = Quant._get_available_quantity(product, location)
        Quant._update_available_quantity(product, location, quantity - current)

    def _sku_with_siblings(self):
        """A SKU binding whose TikTok product has other SKUs."""
        state = self.sandbox.state
        return self.us_skus.filtered(
            lambda sku: len(state.products[state.skus[sku.tiktok_sku_ref].product_id].skus) > 1
        )[0]

    def _us_warehouses(self):
        self.us._tiktok_load_warehouses()
        by_name = {warehouse.name: warehouse for warehouse in self.us.tiktok_warehouse_ids}
        return by_name["Main warehouse"], by_name["East Coast warehouse"]

    def _latest_log(self, shop):
        return self.env["tiktok.sync.log"].search(
            [("shop_id", "=", shop.id), ("kind", "=", "stock")], limit=1
        )

    def _sell_in_odoo(self, product, quantity, reserve=True):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.buyer.id,
                "warehouse_id": self.warehouse.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": quantity})
                ],
            }
        )
        order.with_context(tiktok_defer_reservation=not reserve).action_confirm()
        return order

    # === tests === #

    def test_push_with_buffer_and_two_warehouses(self):
        main, east = self._us_warehouses()
        east.stock_warehouse_ids = self.east
        self.us.stock_buffer = 2
        sku = self.us_skus[0]
        self._set_on_hand(sku.product_id, 5, self.east)

        self._push()

        self.assertTrue(sku.tiktok_product_ref, "found by Inventory Search")
        self.assertEqual(self._tiktok_stock(sku)["Main warehouse"], 7 - 2)
        self.assertEqual(self._tiktok_stock(sku)["East Coast warehouse"], 5 - 2)
        other = self.us_skus[1]
        self.assertEqual(self._tiktok_stock(other)["Main warehouse"], 5)
        self.assertEqual(self._tiktok_stock(other)["East Coast warehouse"], 0)
        log = self._latest_log(self.us)
        self.assertEqual((log.state, log.updated_count), ("done", len(self.us_skus)))
        self.assertFalse(any(self.us_skus.mapped("stock_dirty")))
        levels = sku.stock_level_ids
        self.assertEqual(
            {(level.tiktok_warehouse_id, level.quantity) for level in levels},
            {(main, 5), (east, 3)},
        )

    def test_second_push_sends_only_the_changed_skus(self):
        self._push()
        sku = self._sku_with_siblings()
        calls = self._update_calls()
        self._push()
        self.assertEqual(self._update_calls(), calls, "nothing changed, nothing sent")

        self._set_on_hand(sku.product_id, 3)
        self._push()

        self.assertEqual(self._update_calls(), calls + 1, "one call for the one changed SKU")
        self.assertEqual(self._tiktok_stock(sku)["Main warehouse"], 1)  # 3 in the two outlets
        self.assertEqual(self._latest_log(self.us).updated_count, 1)

    def test_a_stock_change_schedules_the_push_a_few_seconds_later(self):
        cron = self.env.ref("tiktok_shop_connector.ir_cron_push_stock")
        self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
        self._set_on_hand(self.us_skus[0].product_id, 9)
        self.env.cr.flush()
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        noted = self.env["tiktok.stock.change"].search([]).product_id
        self.assertIn(self.us_skus[0].product_id, noted)

    def test_a_sale_in_odoo_lowers_tiktok_after_the_cron_even_before_reservation(self):
        _main, east = self._us_warehouses()
        east.stock_warehouse_ids = self.east  # all the stock shows in the main warehouse
        sku = self.us_skus[0]
        self._push()
        self.assertEqual(self._tiktok_stock(sku)["Main warehouse"], 7)

        self._sell_in_odoo(sku.product_id, 3, reserve=False)
        self._push()
        self.assertEqual(self._tiktok_stock(sku)["Main warehouse"], 4, "confirmed, not reserved")

        self._sell_in_odoo(sku.product_id, 2, reserve=True)
        self._push()
        self.assertEqual(self._tiktok_stock(sku)["Main warehouse"], 2)

    def test_fbt_warehouse_is_never_pushed(self):
        self.us._tiktok_load_warehouses()
        fbt = self.us.tiktok_warehouse_ids.filtered("is_fbt")
        self.assertEqual(fbt.mapped("name"), ["FBT Fulfillment Center"])
        self.assertFalse(fbt.is_stock_pushed)
        self.assertFalse(self.us.tiktok_warehouse_ids.filtered("is_stock_pushed") & fbt)
        before = {sku: self._tiktok_stock(sku)["FBT Fulfillment Center"] for sku in self.us_skus}
        self._push()
        after = {sku: self._tiktok_stock(sku)["FBT Fulfillment Center"] for sku in self.us_skus}
        self.assertEqual(after, before, "TikTok's own stock is TikTok's")
        self.assertEqual(self._latest_log(self.us).state, "done")

    def test_quantities_are_clamped_to_what_tiktok_accepts(self):
        _main, east = self._us_warehouses()
        east.stock_warehouse_ids = self.east
        big, small = self.us_skus[0], self.us_skus[1]
        self._set_on_hand(big.product_id, 150_000)
        self._set_on_hand(small.product_id, 1)
        self.us.stock_buffer = 3
        self._push()
        self.assertEqual(self._tiktok_stock(big)["Main warehouse"], 99_999)
        self.assertEqual(self._tiktok_stock(small)["Main warehouse"], 0)
        self.assertEqual(self._tiktok_stock(small)["East Coast warehouse"], 0)

    def test_no_oversell_across_two_shops_sharing_stock_under_concurrent_orders(self):
        self.gb.sync_stock = True
        gb_skus = self._bind(self.gb)
        us_sku = self.us_skus.filtered(lambda sku: sku.product_id in gb_skus.product_id)[0]
        gb_sku = gb_skus.filtered(lambda sku: sku.product_id == us_sku.product_id)
        product = us_sku.product_id
        self._set_on_hand(product, 10)
        self._push()

        def shown():
            us_stock, gb_stock = self._tiktok_stock(us_sku), self._tiktok_stock(gb_sku)
            us_shown = us_stock["Main warehouse"] + us_stock["East Coast warehouse"]
            return us_shown + gb_stock["Main warehouse"]

        # The US shop's two warehouses and the GB shop take half the stock each.
        self.assertEqual(shown(), 9)
        self.assertGreater(self._tiktok_stock(gb_sku)["Main warehouse"], 0)
        # Buyers check out in both shops at once, before Odoo imported anything.
        own_shipping = {"fulfillment_type": "FULFILLMENT_BY_SELLER"}
        us_order = self._place(self.us, [(us_sku.tiktok_sku_ref, 2)], **own_shipping)
        gb_order = self._place(self.gb, [(gb_sku.tiktok_sku_ref, 3)], **own_shipping)
        self.us._tiktok_import_order_ids([us_order.id])
        self.gb._tiktok_import_order_ids([gb_order.id])
        self._push()

        sellable = 10 - 5
        self.assertLessEqual(shown(), sellable)
        self.assertGreater(shown(), 0)
        self._set_on_hand(product, 5)  # shipped: on hand is the sellable stock now
        self._push()
        self.assertLessEqual(shown(), 5)

    def test_a_refused_product_is_logged_and_retried_next_run(self):
        self._push()
        sku = self._sku_with_siblings()
        good_product = sku.tiktok_product_ref
        other_sku = self.us_skus.filtered(lambda other: other.tiktok_product_ref != good_product)[0]
        sku.tiktok_product_ref = other_sku.tiktok_product_ref  # TikTok: "not a SKU of this product"
        self._set_on_hand(sku.product_id, 4)
        self._push()

        log = self._latest_log(self.us)
        self.assertEqual((log.state, log.failed_count), ("partial", 1))
        self.assertTrue(sku.stock_dirty, "kept for the next run")

        sku.tiktok_product_ref = good_product
        self._push()
        self.assertFalse(sku.stock_dirty)
        self.assertEqual(self._tiktok_stock(sku)["Main warehouse"], 2)

    def test_a_revoked_token_fails_the_run_and_keeps_every_sku_dirty(self):
        for token in self.sandbox.state.tokens.values():
            if not token.revoked:
                token.revoked = True
                self.addCleanup(setattr, token, "revoked", False)
        self._push()
        log = self._latest_log(self.us)
        self.assertEqual(log.state, "failed")
        self.assertTrue(all(self.us_skus.mapped("stock_dirty")))

    def test_resync_pushes_every_sku_again_even_unchanged_ones(self):
        self._push()
        sku = self.us_skus[0]
        remote = self.sandbox.state.skus[sku.tiktok_sku_ref]
        main_id = next(w for w in remote.inventory if self.sandbox.state.warehouses[w].is_default)
        remote.inventory[main_id] = 42  # the seller typed a figure in Seller Center
        self._push()
        self.assertEqual(self._tiktok_stock(sku)["Main warehouse"], 42, "nothing changed in Odoo")

        calls = self._update_calls()
        self.us.action_tiktok_resync_stock()
        self._push()

        self.assertEqual(self._tiktok_stock(sku)["Main warehouse"], 3)
        products = set(self.us_skus.mapped("tiktok_product_ref"))
        self.assertEqual(self._update_calls() - calls, len(products), "one call per product")
