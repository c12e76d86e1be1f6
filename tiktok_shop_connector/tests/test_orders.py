from datetime import UTC, datetime, timedelta
from decimal import Decimal

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import TransactionCase, tagged

from tiktok_shop_sandbox import returns as sandbox_returns
from tiktok_shop_sandbox.scenarios import _new_live

from .. import const
from .order_common import OrderSandboxMixin


@tagged("post_install", "-at_install")
class TestOrderImport(OrderSandboxMixin, TransactionCase):
    """TikTok orders become confirmed sale orders with the right lines and totals, once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_products_for(cls.us)

    def _import(self, shop, remote_order):
        shop._tiktok_import_order_ids([remote_order.id])
        return self._sale_orders(shop, remote_order.id)

    def test_lines_discounts_shipping_and_total_follow_the_tiktok_order(self):
        sku_a, sku_b = self._in_stock_skus(self.us)
        remote = self._place(
            self.us,
            [(sku_a.id, 2), (sku_b.id, 1)],
            seller_discount_rate="0.10",
            platform_discount_rate="0.05",
            buyer_message="Please gift wrap it",
        )
        data = self._remote_order(remote.id)
        payment = data["payment"]
        order = self._import(self.us, remote)
        self.assertEqual(len(order), 1)
        self.assertEqual(order.name, f"TT-{remote.id}")
        self.assertEqual(order.state, "sale")
        created = datetime.fromtimestamp(data["create_time"], UTC).replace(tzinfo=None)
        self.assertEqual(order.date_order, created, "TikTok's order time")
        self.assertEqual(order.currency_id.name, "USD")
        product_lines = order.order_line.filtered("tiktok_sku_ref")
        by_sku = {line.tiktok_sku_ref: line for line in product_lines}
        self.assertEqual(by_sku[sku_a.id].product_uom_qty, 2)
        self.assertEqual(by_sku[sku_b.id].product_uom_qty, 1)
        self.assertEqual(by_sku[sku_a.id].product_id.default_code, sku_a.seller_sku)
        unit_price = float(data["line_items"][0]["original_price"])
        self.assertEqual(by_sku[sku_a.id].price_unit, unit_price)
        self.assertEqual(len(by_sku[sku_a.id].tiktok_line_item_refs.split(",")), 2)
        lines = {line.product_id.default_code: line for line in order.order_line}
        seller_discount = Decimal(payment["seller_discount"]) + Decimal(
            payment["shipping_fee_seller_discount"]
        )
        subsidy = Decimal(payment["platform_discount"]) + Decimal(
            payment["shipping_fee_platform_discount"]
        )
        self.assertAlmostEqual(lines["TIKTOK-SELLER-DISCOUNT"].price_unit, -float(seller_discount))
        self.assertAlmostEqual(lines["TIKTOK-PLATFORM-DISCOUNT"].price_unit, -float(subsidy))
        self.assertAlmostEqual(order.tiktok_subsidy, float(subsidy))
        shipping = lines["TIKTOK-SHIPPING"]
        self.assertTrue(shipping.is_delivery)
        self.assertAlmostEqual(shipping.price_unit, float(payment["original_shipping_fee"]))
        self.assertAlmostEqual(lines["TIKTOK-TAX"].price_unit, float(payment["tax"]))
        total = float(payment["total_amount"])
        self.assertEqual(order.currency_id.compare_amounts(order.amount_total, total), 0)
        self.assertEqual(order.partner_id.tiktok_buyer_ref, data["user_id"])
        self.assertEqual(order.partner_shipping_id.type, "delivery")
        self.assertEqual(order.partner_shipping_id.parent_id, order.partner_id)
        self.assertEqual(order.partner_shipping_id.zip, data["recipient_address"]["postal_code"])
        self.assertIn("Please gift wrap it", order.note)
        self.assertEqual(order.tiktok_package_refs, ",".join(p["id"] for p in data["packages"]))
        picking = order.picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.picking_type_code, "outgoing")
        self.assertEqual(
            sorted(picking.move_ids.mapped("product_uom_qty")), [1.0, 2.0], "products only"
        )

    def test_totals_match_tiktok_to_the_cent_in_usd_jpy_and_idr(self):
        company = self.env["res.company"].create(
            {"name": "Nusantara", "currency_id": self.env.ref("base.IDR").id}
        )
        self.env.user.company_ids |= company
        seller = list(self.sandbox.state.sellers)[1]
        id_account = self._sandbox_account(name="ID seller", company_id=company.id)
        id_shops = self._connect_to_sandbox(id_account, open_id=seller)
        shops = self.us | self._odoo_shop("JP") | self._odoo_shop("ID", id_shops)
        for shop in shops:
            if shop != self.us:
                self._create_products_for(shop, warehouse=shop.warehouse_id)
            with self.subTest(region=shop.region):
                remote_orders = []
                for index in range(6):
                    skus = self._in_stock_skus(shop, count=2)
                    remote_orders.append(
                        self._place(
                            shop,
                            [(skus[0].id, 1 + index % 2), (skus[1].id, 1)],
                            seller_discount_rate=("0", "0.15", "0.2")[index % 3],
                            platform_discount_rate=("0", "0.05")[index % 2],
                        )
                    )
                shop._tiktok_import_order_ids([remote.id for remote in remote_orders])
                for remote in remote_orders:
                    order = self._sale_orders(shop, remote.id)
                    expected = float(self._remote_order(remote.id)["payment"]["total_amount"])
                    self.assertEqual(order.currency_id.name, remote.currency)
                    self.assertEqual(
                        order.currency_id.compare_amounts(order.amount_total, expected),
                        0,
                        f"{order.name}: {order.amount_total} != {expected} {remote.currency}",
                    )

    def test_repeated_imports_and_overlapping_polls_create_one_order(self):
        (sku,) = self._in_stock_skus(self.us, count=1)
        remote = self._place(self.us, [(sku.id, 1)])
        first = self.us._tiktok_import_order_ids([remote.id])
        second = self.us._tiktok_import_order_ids([remote.id, remote.id])
        self.assertEqual(first.created_count, 1)
        self.assertEqual((second.created_count, second.skipped_count), (0, 1))
        # A poll whose window overlaps the webhook's import skips it too.
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            self.us.with_env(self.env(cr=cr))._tiktok_poll_orders(since=remote.create_time)
        self.assertEqual(len(self._sale_orders(self.us, remote.id)), 1)

    def test_unmapped_sku_waits_visibly_and_goes_on_once_mapped(self):
        shop = self._odoo_shop("GB")
        skus = self._in_stock_skus(shop, count=2)
        self._create_products_for(shop)
        skus[1].seller_sku = "NOT-IN-ODOO-1"  # the seller renamed it on TikTok only
        remote = self._place(shop, [(skus[0].id, 1), (skus[1].id, 2)])
        order = self._import(shop, remote)
        self.assertEqual(len(order), 1, "imported all the same")
        self.assertEqual(order.state, "draft")
        self.assertIn(skus[1].seller_sku, order.tiktok_exception)
        self.assertEqual(order.tiktok_unmapped_sku_ids.tiktok_sku_ref, skus[1].id)
        self.assertFalse(order.picking_ids)
        note = order.order_line.filtered(lambda line: line.display_type == "line_note")
        self.assertIn(skus[1].seller_sku, note.name)
        self.assertFalse(order.order_line.product_id.filtered(lambda p: not p.default_code))
        # Mapping the SKU re-reads the order from TikTok and finishes it.
        product = self.env["product.product"].create(
            {"name": "Late product", "is_storable": True, "default_code": "LATE-1"}
        )
        order.tiktok_unmapped_sku_ids.product_id = product
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.tiktok_exception)
        self.assertFalse(order.tiktok_unmapped_sku_ids)
        late_line = order.order_line.filtered(lambda line: line.product_id == product)
        self.assertEqual(late_line.product_uom_qty, 2)
        expected = float(self._remote_order(remote.id)["payment"]["total_amount"])
        self.assertEqual(order.currency_id.compare_amounts(order.amount_total, expected), 0)
        self.assertTrue(order.picking_ids)

    def test_on_hold_reserves_stock_and_waits_for_the_hold_to_end(self):
        (sku,) = self._in_stock_skus(self.us, count=1)
        remote = self._place(self.us, [(sku.id, 1)], on_hold=True)
        order = self._import(self.us, remote)
        self.assertEqual(order.tiktok_status, "ON_HOLD")
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.tiktok_on_hold)
        picking = order.picking_ids
        self._run_cron_method("tiktok.reservation.request", "_cron_reserve_tiktok_orders")
        self.assertEqual(picking.state, "assigned", "stock is reserved")
        picking.move_ids.quantity = 1
        with self.assertRaisesRegex(UserError, "hold"):
            picking.button_validate()
        self.sandbox.advance(3601)
        self.us._tiktok_import_order_ids([remote.id])
        self.assertEqual(order.tiktok_status, "AWAITING_SHIPMENT")
        self.assertFalse(order.tiktok_on_hold)
        self.assertFalse(picking.tiktok_on_hold)

    def test_import_confirms_at_once_and_the_reservation_cron_reserves_the_stock(self):
        sku_a, sku_b = self._in_stock_skus(self.us)
        remote = self._place(self.us, [(sku_a.id, 2), (sku_b.id, 1)])
        order = self._import(self.us, remote)
        product = order.order_line.filtered("tiktok_sku_ref")[:1].product_id
        free_before = product.free_qty
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.tiktok_reservation_pending)
        picking = order.picking_ids
        self.assertEqual(picking.state, "confirmed", "waiting for the reservation cron")
        cron = self.env.ref("tiktok_shop_connector.ir_cron_reserve_tiktok_orders")
        self.assertTrue(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]),
            "the import triggers the reservation at once",
        )
        self._run_cron_method("tiktok.reservation.request", "_cron_reserve_tiktok_orders")
        self.assertEqual(picking.state, "assigned")
        self.assertFalse(order.tiktok_reservation_pending)
        moves = picking.move_ids.filtered(lambda move: move.product_id == product)
        reserved = sum(moves.mapped("quantity"))
        product.invalidate_recordset(["free_qty"])
        self.assertEqual(product.free_qty, free_before - reserved)
        self.assertGreater(reserved, 0)

    def test_reservation_waits_for_arriving_webhook_events_but_not_past_its_limit(self):
        (sku,) = self._in_stock_skus(self.us, count=1)
        order = self._import(self.us, self._place(self.us, [(sku.id, 1)]))
        notification = {"type": 1, "tts_notification_id": "burst-1", "shop_id": "x", "data": {}}
        event = self.env["tiktok.webhook.event"]._receive(self.account, notification)[0]
        now = fields.Datetime.now()
        self._set_moment("tiktok_webhook_event", "received_at", event.id, now)
        self._set_requested_at(order, now)
        self._run_cron_method("tiktok.reservation.request", "_cron_reserve_tiktok_orders")
        self.assertEqual(order.picking_ids.state, "confirmed", "imports of the events come first")
        cron = self.env.ref("tiktok_shop_connector.ir_cron_reserve_tiktok_orders")
        retry_by = now + timedelta(seconds=const.RESERVATION_RETRY_SECONDS + 5)
        retry = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", cron.id), ("call_at", ">", now), ("call_at", "<=", retry_by)]
        )
        self.assertTrue(retry, "it looks again a few seconds later")
        waited = now - timedelta(seconds=const.RESERVATION_MAX_WAIT_SECONDS + 1)
        self._set_requested_at(order, waited)
        self._run_cron_method("tiktok.reservation.request", "_cron_reserve_tiktok_orders")
        self.assertEqual(order.picking_ids.state, "assigned", "never longer than the limit")
        # An event pending for longer than that is no burst going on (its cron may be stopped).
        self._set_moment("tiktok_webhook_event", "received_at", event.id, waited)
        later = self._import(self.us, self._place(self.us, [(sku.id, 1)]))
        self._set_requested_at(later, now)
        self._run_cron_method("tiktok.reservation.request", "_cron_reserve_tiktok_orders")
        self.assertEqual(later.picking_ids.state, "assigned")

    def _set_requested_at(self, order, moment):
        request = order.tiktok_reservation_request_ids
        self._set_moment("tiktok_reservation_request", "create_date", request.id, moment)

    def _set_moment(self, table, column, row_id, moment):
        """Date a row as of `moment` (the test transaction's own clock stands still)."""
        self.env.flush_all()
        self.env.cr.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [moment, row_id])
        self.env.invalidate_all()

    def test_unpaid_orders_create_nothing(self):
        (sku,) = self._in_stock_skus(self.us, count=1)
        remote = self._place(self.us, [(sku.id, 1)], paid=False)
        log = self.us._tiktok_import_order_ids([remote.id])
        self.assertEqual(log.skipped_count, 1)
        self.assertFalse(self._sale_orders(self.us, remote.id))

    def test_analytic_distribution_models_apply_to_imported_lines(self):
        (sku,) = self._in_stock_skus(self.us, count=1)
        without_model = self._import(self.us, self._place(self.us, [(sku.id, 1)]))
        self.assertFalse(any(without_model.order_line.mapped("analytic_distribution")))
        plan = self.env["account.analytic.plan"].create({"name": "TikTok channel"})
        account = self.env["account.analytic.account"].create({"name": "LIVE", "plan_id": plan.id})
        product = self.env["product.product"].search([("default_code", "=", sku.seller_sku)])
        self.env["account.analytic.distribution.model"].create(
            {"product_id": product.id, "analytic_distribution": {str(account.id): 100}}
        )
        order = self._import(self.us, self._place(self.us, [(sku.id, 1)]))
        line = order.order_line.filtered(lambda line: line.product_id == product)
        self.assertEqual(line.analytic_distribution, {str(account.id): 100})

    def test_fbt_order_is_sold_but_never_shipped_from_our_warehouse(self):
        (sku,) = self._in_stock_skus(self.us, count=1, fbt=True)
        remote = self._place(self.us, [(sku.id, 1)], fulfillment_type="FULFILLMENT_BY_TIKTOK")
        order = self._import(self.us, remote)
        self.assertTrue(order.tiktok_is_fbt)
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.picking_ids)

    def test_sample_and_replacement_orders_are_flagged_and_linked(self):
        sku_a, sku_b = self._in_stock_skus(self.us)
        original = self._import(self.us, self._place(self.us, [(sku_a.id, 1)]))
        sample = self._import(self.us, self._place(self.us, [(sku_b.id, 1)], is_sample_order=True))
        replacement = self._import(
            self.us,
            self._place(
                self.us,
                [(sku_a.id, 1)],
                is_replacement_order=True,
                replaced_order_id=original.tiktok_order_ref,
            ),
        )
        self.assertTrue(sample.tiktok_is_sample)
        self.assertIn("sample", sample.note)
        self.assertEqual(sample.currency_id.compare_amounts(sample.amount_total, 0), 0)
        self.assertTrue(replacement.tiktok_is_replacement)
        self.assertEqual(replacement.tiktok_original_order_id, original)

    def test_cancellation_on_tiktok_cancels_the_order_and_its_picking(self):
        (sku,) = self._in_stock_skus(self.us, count=1)
        remote = self._place(self.us, [(sku.id, 1)])
        order = self._import(self.us, remote)
        picking = order.picking_ids
        self.sandbox.advance(5)  # a later update_time than the imported version
        sandbox_returns.cancel_by_seller(self.sandbox.state, remote, "OUT_OF_STOCK")
        self.us._tiktok_import_order_ids([remote.id])
        self.assertEqual(order.tiktok_status, "CANCELLED")
        self.assertEqual(order.state, "cancel")
        self.assertEqual(picking.state, "cancel")

    def test_cancellation_after_shipping_raises_an_activity(self):
        (sku,) = self._in_stock_skus(self.us, count=1)
        remote = self._place(self.us, [(sku.id, 1)])
        order = self._import(self.us, remote)
        order.picking_ids.move_ids.quantity = 1
        order.picking_ids.button_validate()
        self.sandbox.advance(5)
        sandbox_returns.cancel_by_seller(self.sandbox.state, remote, "OUT_OF_STOCK")
        self.us._tiktok_import_order_ids([remote.id])
        self.assertEqual(order.state, "sale")
        self.assertIn("Cancelled on TikTok after shipping", order.activity_ids.mapped("summary"))

    def test_cancel_in_odoo_asks_a_reason_and_cancels_on_tiktok(self):
        (sku,) = self._in_stock_skus(self.us, count=1)
        remote = self._place(self.us, [(sku.id, 1)])
        order = self._import(self.us, remote)
        action = order.action_cancel()
        self.assertEqual(action["res_model"], "tiktok.order.cancel")
        wizard = self.env["tiktok.order.cancel"].browse(action["res_id"])
        wizard.reason = "PRICING_ERROR"
        wizard.action_cancel_on_tiktok()
        self.assertEqual(self.sandbox.state.orders[remote.id].status, "CANCELLED")
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.tiktok_status, "CANCELLED")

    def test_source_tags_affiliate_live_and_shop_tab(self):
        sku_a, sku_b = self._in_stock_skus(self.us)
        remote_shop = self._remote_shop(self.us)
        now = self.sandbox.state.now()
        live = _new_live(self.sandbox.state, remote_shop, "Flash LIVE", now - 60, 3600)
        placed = {
            "affiliate": self._place(
                self.us,
                [(sku_a.id, 1)],
                surface="AFFILIATE",
                creator_username="creator_jane",
                commission_rate=1500,
            ),
            "live": self._place(self.us, [(sku_b.id, 1)], surface="LIVE", live_id=live.id),
        }
        live.order_ids.append(placed["live"].id)
        placed["video"] = self._place(
            self.us, [(sku_a.id, 1)], surface="VIDEO", creator_username="creator_video"
        )
        self.us._tiktok_import_order_ids([remote.id for remote in placed.values()])
        self.assertFalse(self._sale_orders(self.us, placed["live"].id).tiktok_source)
        self._run_tag_cron()
        for tag, remote in placed.items():
            with self.subTest(tag=tag):
                self.assertEqual(self._sale_orders(self.us, remote.id).tiktok_source, tag)
        self.assertEqual(
            self._sale_orders(self.us, placed["affiliate"].id).tiktok_creator_username,
            "creator_jane",
        )
        # After the LIVE session, a plain sale is a Shop tab sale.
        self.sandbox.advance(4000)
        plain = self._place(self.us, [(sku_b.id, 1)])
        order = self._import(self.us, plain)
        self._run_tag_cron()
        self.assertEqual(order.tiktok_source, "shop_tab")

    def _run_tag_cron(self):
        """Run the tagging cron as the cron runner would: it commits per shop."""
        self.env.flush_all()
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            self.env["tiktok.shop"].with_env(self.env(cr=cr))._cron_tag_order_sources()
        self.env.invalidate_all()


@tagged("post_install", "-at_install")
class TestOrderSettingsAndPolling(OrderSandboxMixin, TransactionCase):
    """Shop settings that decide what an import does, the poll's high-water mark, the wizard."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_products_for(cls.us)

    def test_statuses_to_import_accept_paid_statuses_only(self):
        self.us.order_statuses_to_import = "AWAITING_SHIPMENT, in_transit"
        self.assertEqual(self.us._tiktok_statuses_to_import(), ["AWAITING_SHIPMENT", "IN_TRANSIT"])
        with self.assertRaisesRegex(ValidationError, "UNPAID"):
            self.us.order_statuses_to_import = "AWAITING_SHIPMENT,UNPAID"

    def test_without_auto_confirm_the_order_waits_as_a_quotation(self):
        self.us.auto_confirm_orders = False
        (sku,) = self._in_stock_skus(self.us, count=1)
        remote = self._place(self.us, [(sku.id, 1)])
        self.us._tiktok_import_order_ids([remote.id])
        order = self._sale_orders(self.us, remote.id)
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.picking_ids)

    def test_poll_moves_the_high_water_mark_and_its_overlap_repeats_nothing(self):
        skus = self._in_stock_skus(self.us, count=2)
        placed = [self._place(self.us, [(skus[i % 2].id, 1)]) for i in range(3)]
        self.env.flush_all()
        with self.enter_registry_test_mode():
            with self.registry.cursor() as cr:
                self.env["tiktok.shop"].with_env(self.env(cr=cr))._cron_poll_orders()
            self.env.invalidate_all()
            newest = max(self.sandbox.state.orders[o.id].update_time for o in placed)
            self.assertGreaterEqual(self.us.orders_high_water_mark, newest)
            for remote in placed:
                self.assertEqual(len(self._sale_orders(self.us, remote.id)), 1)
            self.assertEqual(self.us.last_sync_orders, self.us.sync_log_ids[:1].started_at)
            with self.registry.cursor() as cr:
                self.us.with_env(self.env(cr=cr))._tiktok_poll_orders()  # the overlap window
            self.env.invalidate_all()
        log = self.us.sync_log_ids[:1]
        self.assertEqual(log.created_count, 0)
        self.assertGreaterEqual(log.skipped_count, 3)
        for remote in placed:
            self.assertEqual(len(self._sale_orders(self.us, remote.id)), 1)

    def test_fetch_wizard_by_order_id_and_its_input_check(self):
        (sku,) = self._in_stock_skus(self.us, count=1)
        remote = self._place(self.us, [(sku.id, 1)])
        wizard = self.env["tiktok.fetch.orders"].create(
            {"shop_id": self.us.id, "tiktok_order_refs": f" {remote.id}, "}
        )
        action = wizard.action_fetch()
        self.assertIn("1 created", action["params"]["message"])
        self.assertEqual(len(self._sale_orders(self.us, remote.id)), 1)
        wizard.tiktok_order_refs = "not-an-id"
        with self.assertRaisesRegex(UserError, "numbers"):
            wizard.action_fetch()
