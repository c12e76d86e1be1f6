from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from tiktok_shop_sandbox import returns as sandbox_returns

from .order_common import OrderSandboxMixin


@tagged("post_install", "-at_install")
class TestShipmentsBackToTikTok(OrderSandboxMixin, TransactionCase):
    """Validating a TikTok delivery tells TikTok, once, with the carrier it knows."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_products_for(cls.us)
        cls.us.action_load_shipping_providers()
        delivery_product = cls.env["product.product"].create({"name": "UPS", "type": "service"})
        cls.carrier = cls.env["delivery.carrier"].create(
            {"name": "UPS Ground", "product_id": delivery_product.id}
        )
        cls.provider = cls.us.shipping_provider_ids[:1]
        cls.provider.carrier_id = cls.carrier

    def setUp(self):
        super().setUp()
        # The cron commits its progress: let its cursor wrap the test's transaction.
        self.enterContext(self.enter_registry_test_mode())

    def _order(self, items, shipping_type="SELLER"):
        remote = self._place(self.us, items, shipping_type=shipping_type)
        self.us._tiktok_import_order_ids([remote.id])
        return remote, self._sale_orders(self.us, remote.id)

    def _ship(self, picking, quantities=None, tracking="1Z999AA10123456784"):
        """Validate `picking`, shipping `quantities` per product (all when None)."""
        picking.write({"carrier_id": self.carrier.id, "carrier_tracking_ref": tracking})
        for move in picking.move_ids:
            quantity = (quantities or {}).get(move.product_id, move.product_uom_qty)
            move.write({"quantity": quantity, "picked": bool(quantity)})
        picking.with_context(cancel_backorder=False)._action_done()
        return picking

    def _run_cron(self):
        self._run_cron_method("stock.picking", "_cron_send_tracking")

    def test_seller_shipment_sends_tracking_and_carrier_once(self):
        (sku,) = self._in_stock_skus(self.us, count=1)
        remote, order = self._order([(sku.id, 2)])
        picking = self._ship(order.picking_ids)
        self.assertEqual(picking.tiktok_tracking_state, "pending")
        self._run_cron()
        self.assertEqual(picking.tiktok_tracking_state, "sent", picking.tiktok_tracking_error)
        items = self.sandbox.state.orders[remote.id].line_items
        self.assertEqual({item.tracking_number for item in items}, {"1Z999AA10123456784"})
        self.assertEqual(
            {item.shipping_provider_id for item in items}, {self.provider.tiktok_provider_ref}
        )
        self.assertEqual(self.sandbox.state.orders[remote.id].status, "IN_TRANSIT")
        shipped = sorted(picking.tiktok_line_item_refs.split(","))
        self.assertEqual(shipped, sorted(item.id for item in items))
        # Sending again finds nothing left to send: TikTok's view decides, nothing twice.
        picking.action_tiktok_send_tracking()
        self.assertEqual(picking.tiktok_tracking_state, "sent")
        self.assertEqual(len(self.sandbox.state.orders[remote.id].package_ids), 1)

    def test_partial_shipment_sends_only_its_lines(self):
        sku_a, sku_b = self._in_stock_skus(self.us)
        remote, order = self._order([(sku_a.id, 2), (sku_b.id, 1)])
        first = order.picking_ids
        line_b = order.order_line.filtered(lambda line: line.tiktok_sku_ref == sku_b.id)
        product_b = line_b.product_id
        self._ship(first, {product_b: 0}, tracking="TRACK-A")
        self._run_cron()
        items = self.sandbox.state.orders[remote.id].line_items
        shipped = {item.id for item in items if item.tracking_number == "TRACK-A"}
        self.assertEqual(shipped, {item.id for item in items if item.sku_id == sku_a.id})
        self.assertEqual(self.sandbox.state.orders[remote.id].status, "PARTIALLY_SHIPPING")
        backorder = order.picking_ids - first
        self._ship(backorder, tracking="TRACK-B")
        self._run_cron()
        self.assertEqual(backorder.tiktok_tracking_state, "sent", backorder.tiktok_tracking_error)
        b_item = next(item for item in items if item.sku_id == sku_b.id)
        self.assertEqual(b_item.tracking_number, "TRACK-B")
        self.assertEqual(self.sandbox.state.orders[remote.id].status, "IN_TRANSIT")

    def test_unmapped_carrier_fails_visibly_then_goes_once_mapped(self):
        (sku,) = self._in_stock_skus(self.us, count=1)
        remote, order = self._order([(sku.id, 1)])
        other = self.env["delivery.carrier"].create(
            {"name": "Local courier", "product_id": self.carrier.product_id.id}
        )
        picking = order.picking_ids
        picking.write({"carrier_id": other.id, "carrier_tracking_ref": "LC-1"})
        picking.move_ids.write({"quantity": 1, "picked": True})
        picking._action_done()
        self._run_cron()
        self.assertEqual(picking.tiktok_tracking_state, "failed")
        self.assertIn("Local courier", picking.tiktok_tracking_error)
        self.assertEqual(picking.tiktok_tracking_attempts, 1)
        self.us.shipping_provider_ids[1].carrier_id = other
        picking.action_tiktok_send_tracking()
        self.assertEqual(picking.tiktok_tracking_state, "sent")
        self.assertEqual(self.sandbox.state.orders[remote.id].line_items[0].tracking_number, "LC-1")

    def test_tiktok_outage_is_retried_and_sent_once(self):
        (sku,) = self._in_stock_skus(self.us, count=1)
        remote, order = self._order([(sku.id, 1)])
        picking = self._ship(order.picking_ids)
        self.sandbox.faults.configure(error_5xx_share=1.0)
        try:
            self._run_cron()
        finally:
            self.sandbox.faults.reset()
        self.assertEqual(picking.tiktok_tracking_state, "failed")
        self._run_cron()
        self.assertEqual(picking.tiktok_tracking_state, "sent", picking.tiktok_tracking_error)
        self.assertEqual(len(self.sandbox.state.orders[remote.id].package_ids), 1)

    def test_tiktok_label_order_ships_the_package_and_prints_its_label(self):
        (sku,) = self._in_stock_skus(self.us, count=1)
        remote, order = self._order([(sku.id, 1)], shipping_type="TIKTOK")
        picking = order.picking_ids
        with self.assertRaisesRegex(UserError, "label"):
            picking.action_tiktok_download_label()
        picking.move_ids.write({"quantity": 1, "picked": True})
        picking._action_done()
        self._run_cron()
        self.assertEqual(picking.tiktok_tracking_state, "sent", picking.tiktok_tracking_error)
        self.assertEqual(picking.tiktok_package_ref, remote.package_ids[0])
        package = self.sandbox.state.packages[picking.tiktok_package_ref]
        self.assertEqual(package.status, "FULFILLING")
        action = picking.action_tiktok_download_label()
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "stock.picking"), ("res_id", "=", picking.id)]
        )
        self.assertIn(str(attachment.id), action["url"])
        self.assertTrue(attachment.raw.startswith(b"%PDF"))

    def test_fbt_orders_send_nothing(self):
        (sku,) = self._in_stock_skus(self.us, count=1, fbt=True)
        remote = self._place(self.us, [(sku.id, 1)], fulfillment_type="FULFILLMENT_BY_TIKTOK")
        self.us._tiktok_import_order_ids([remote.id])
        order = self._sale_orders(self.us, remote.id)
        self.assertFalse(order.picking_ids)
        reported = self.env["stock.picking"].search(
            [("tiktok_tracking_state", "!=", False), ("sale_id", "=", order.id)]
        )
        self.assertFalse(reported)


@tagged("post_install", "-at_install")
class TestBuyerCancellationRequests(OrderSandboxMixin, TransactionCase):
    """A buyer's request to cancel shows on the order and is decided from Odoo, once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_products_for(cls.us)

    def _requested(self):
        (sku,) = self._in_stock_skus(self.us, count=1)
        remote = self._place(self.us, [(sku.id, 1)])
        self.us._tiktok_import_order_ids([remote.id])
        self.sandbox.advance(5)
        sandbox_returns.request_buyer_cancellation(self.sandbox.state, remote)
        self.us._tiktok_import_order_ids([remote.id])  # what the type 11 webhook does
        order = self._sale_orders(self.us, remote.id)
        self.assertTrue(order.tiktok_cancel_requested)
        self.assertEqual(order.tiktok_cancellation_ids.role, "BUYER")
        return remote, order

    def test_approving_cancels_on_tiktok_then_in_odoo(self):
        remote, order = self._requested()
        self.sandbox.advance(5)
        order.action_tiktok_approve_cancellation()
        self.assertEqual(self.sandbox.state.orders[remote.id].status, "CANCELLED")
        self.assertEqual(order.state, "cancel")
        self.assertFalse(order.tiktok_cancel_requested)
        with self.assertRaisesRegex(UserError, "decided already"):
            order.tiktok_cancellation_ids.action_approve()

    def test_rejecting_keeps_the_order_and_a_retry_sends_nothing_new(self):
        remote, order = self._requested()
        cancellation = order.tiktok_cancellation_ids
        key = cancellation._idempotency_key("reject")
        self.assertEqual(key, cancellation._idempotency_key("reject"), "stable across retries")
        self.assertNotEqual(key, cancellation._idempotency_key("approve"))
        self.sandbox.advance(5)
        order.action_tiktok_reject_cancellation()
        self.assertEqual(order.state, "sale")
        self.assertNotEqual(self.sandbox.state.orders[remote.id].status, "CANCELLED")
        self.assertFalse(order.tiktok_cancel_requested)
        self.assertFalse(cancellation.is_pending)
        self.assertEqual(order.tiktok_status, self.sandbox.state.orders[remote.id].status)
