import re
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from .order_common import OrderSandboxMixin

SELLER_FULFILLED = {"fulfillment_type": "FULFILLMENT_BY_SELLER"}
ON_HAND = 30


class LiveEventMixin(OrderSandboxMixin):
    """A US shop selling products with 30 units each from the company's warehouse, which a GB
    shop sells from too; the US shop's East Coast warehouse shows another warehouse's stock."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gb = cls._odoo_shop("GB")
        (cls.shops - cls.us).write({"sync_stock": False})
        cls.east = cls.env["stock.warehouse"].create({"name": "East", "code": "EST"})
        cls.products = cls._create_products_for(cls.us, quantity=ON_HAND)
        cls.product_of = {product.default_code: product for product in cls.products}
        cls.us_skus = cls._bind(cls.us)
        cls.gb_skus = cls._bind(cls.gb)
        cls.us._tiktok_load_warehouses()
        outlets = {outlet.name: outlet for outlet in cls.us.tiktok_warehouse_ids}
        cls.main, east_outlet = outlets["Main warehouse"], outlets["East Coast warehouse"]
        east_outlet.stock_warehouse_ids = cls.east
        shared = cls.us_skus.filtered(lambda sku: sku.product_id in cls.gb_skus.product_id)
        cls.sku, cls.other_sku = (
            shared[0],
            cls.us_skus.filtered(lambda sku: sku.product_id != shared[0].product_id)[0],
        )
        cls.product, cls.other_product = cls.sku.product_id, cls.other_sku.product_id
        cls.buyer = cls.env["res.partner"].create({"name": "Website buyer"})

    @classmethod
    def _bind(cls, shop):
        return cls.env["tiktok.sku"].create(
            [
                {
                    "shop_id": shop.id,
                    "tiktok_sku_ref": sku.id,
                    "tiktok_product_ref": sku.product_id,
                    "seller_sku": sku.seller_sku,
                    "product_id": cls.product_of[sku.seller_sku].id,
                }
                for sku in cls._remote_skus(shop)
                if sku.seller_sku in cls.product_of
            ]
        )

    # === helpers === #

    def _event(self, lines=None, lock=True, start_in=timedelta(minutes=-10), **values):
        """A draft event of the US shop running from `start_in` from now, for an hour."""
        start = fields.Datetime.now() + start_in
        return self.env["tiktok.live.event"].create(
            {
                "name": "Friday LIVE",
                "shop_id": self.us.id,
                "planned_start": start,
                "planned_end": start + timedelta(hours=1),
                "reserve_buffer_percent": 10,
                "flash_sale_lock": lock,
                "line_ids": [
                    Command.create({"product_id": product.id, "featured_qty": quantity})
                    for product, quantity in (lines or [(self.product, 18)])
                ],
                **values,
            }
        )

    def _free(self, product):
        return product.with_context(warehouse_id=self.warehouse.id).free_qty

    def _on_hand(self, product):
        return product.with_context(warehouse_id=self.warehouse.id).qty_available

    def _push(self):
        self.env.cr.flush()
        self._run_cron_method("tiktok.shop", "_cron_push_stock")

    def _reserve(self):
        self._run_cron_method("tiktok.reservation.request", "_cron_reserve_tiktok_orders")

    def _tiktok_stock(self, sku):
        state = self.sandbox.state
        inventory = state.skus[sku.tiktok_sku_ref].inventory
        return {state.warehouses[w].name: quantity for w, quantity in inventory.items()}

    def _live_order(self, quantity, sku=None, **options):
        """A buyer checks out on TikTok and Odoo imports the order."""
        remote = self._place(self.us, [((sku or self.sku).tiktok_sku_ref, quantity)], **options)
        self.us._tiktok_import_order_ids([remote.id])
        return self._sale_orders(self.us, remote.id)

    def _sell_on_website(self, product, quantity):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.buyer.id,
                "warehouse_id": self.warehouse.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": quantity})
                ],
            }
        )
        order.action_confirm()
        return order

    def _shown_by_gb(self):
        self.gb._tiktok_load_warehouses()
        gb_sku = self.gb_skus.filtered(lambda sku: sku.product_id == self.product)
        outlets = self.gb._tiktok_stock_outlets()
        return sum(self.gb._tiktok_quantities_to_show(gb_sku, outlets).values())


@tagged("post_install", "-at_install")
class TestLiveEvents(LiveEventMixin, TransactionCase):
    """A LIVE event holds its stock from the other channels, sells it on TikTok, gives it back."""

    def test_schedule_holds_the_stock_from_every_other_channel_and_tiktok_shows_it(self):
        gb_before = self._shown_by_gb()
        event = self._event()

        event.action_schedule()

        line = event.line_ids
        self.assertEqual(event.state, "scheduled")
        self.assertEqual(line.fenced_qty, 20, "18 featured and 10 % of buffer, rounded up")
        self.assertEqual(self._on_hand(self.product), ON_HAND, "nothing moved")
        self.assertEqual(self._free(self.product), ON_HAND - 20)
        self.assertEqual(line.fence_move_id.state, "assigned")
        self.assertEqual(event.fence_picking_id.picking_type_id, self.warehouse.int_type_id)
        self.assertLess(self._shown_by_gb(), gb_before, "the other shop sharing it shows less")
        self.assertLessEqual(self._shown_by_gb(), ON_HAND - 20)
        self._push()
        self.assertEqual(
            self._tiktok_stock(self.sku),
            {**self._tiktok_stock(self.sku), "Main warehouse": 20, "East Coast warehouse": 0},
            "under the flash-sale lock TikTok sells the held stock alone",
        )
        with self.assertRaisesRegex(UserError, "holds stock for a LIVE event"):
            event.fence_picking_id.button_validate()

    def test_without_the_lock_tiktok_shows_its_share_and_the_held_stock(self):
        event = self._event(lock=False)
        event.action_schedule()
        self._push()
        self.assertEqual(self._tiktok_stock(self.sku)["Main warehouse"], (ON_HAND - 20) + 20)

        event.flash_sale_lock = True
        self._push()
        self.assertEqual(self._tiktok_stock(self.sku)["Main warehouse"], 20)

    def test_schedule_refuses_short_stock_and_names_the_products(self):
        event = self._event(lines=[(self.product, 18), (self.other_product, 40)])
        with self.assertRaisesRegex(
            UserError, re.escape(self.other_product.display_name)
        ) as refused:
            event.action_schedule()
        self.assertNotIn(self.product.display_name, str(refused.exception))
        self.assertEqual(event.state, "draft")
        self.assertFalse(event.fence_picking_id)
        self.assertEqual(self._free(self.product), ON_HAND)

    def test_a_live_order_takes_from_the_held_stock_and_one_outside_the_window_does_not(self):
        event = self._event()
        event.action_schedule()
        self._push()
        outside = self._live_order(
            2, create_time=int(fields.Datetime.now().timestamp()) - 3 * 3600, **SELLER_FULFILLED
        )
        inside = self._live_order(3, **SELLER_FULFILLED)

        self.assertEqual(inside.tiktok_live_event_id, event)
        self.assertEqual(inside.tiktok_source, "live")
        self.assertFalse(outside.tiktok_live_event_id)
        line = event.line_ids
        self.assertEqual((line.sold_qty, line.remaining_qty), (3, 17), "sold, not reserved yet")
        self.assertEqual(line.fence_move_id.product_uom_qty, 20)
        self._reserve()

        self.assertEqual(line.consumption_ids.order_id, inside)
        self.assertEqual((line.consumed_qty, line.remaining_qty), (3, 17))
        self.assertEqual(line.fence_move_id.product_uom_qty, 17)
        self.assertEqual(line.fence_move_id.quantity, 17, "still reserved")
        self.assertEqual(inside.picking_ids.move_ids.quantity, 3, "the order has its units")
        self.assertEqual(self._free(self.product), ON_HAND - 17 - 3 - 2)
        self._push()
        self.assertEqual(self._tiktok_stock(self.sku)["Main warehouse"], 17)
        self._reserve()
        self.assertEqual(line.consumed_qty, 3, "an order takes its units once")

    def test_orders_beyond_the_held_stock_take_what_is_left_then_the_free_stock(self):
        event = self._event(lines=[(self.product, 4)], reserve_buffer_percent=0)
        event.action_schedule()
        self._push()
        first = self._live_order(3, **SELLER_FULFILLED)
        second = self._live_order(1, **SELLER_FULFILLED)
        self._reserve()
        line = event.line_ids
        self.assertEqual(line.fence_move_id.state, "cancel", "the held stock is sold out")
        self.assertEqual(sum(line.consumption_ids.mapped("quantity")), 4)
        self.assertEqual(sorted((first | second).picking_ids.move_ids.mapped("quantity")), [1, 3])
        self._push()
        self.assertEqual(self._tiktok_stock(self.sku)["Main warehouse"], 0, "locked: sold out")

    def test_end_and_release_delay_give_back_the_stock_and_make_waves(self):
        event = self._event(lines=[(self.product, 10), (self.other_product, 10)])
        event.action_schedule()
        self._push()
        alone = [self._live_order(1, **SELLER_FULFILLED) for _ in range(2)]
        other_alone = self._live_order(2, sku=self.other_sku, **SELLER_FULFILLED)
        remote = self._place(
            self.us,
            [(self.sku.tiktok_sku_ref, 1), (self.other_sku.tiktok_sku_ref, 1)],
            **SELLER_FULFILLED,
        )
        self.us._tiktok_import_order_ids([remote.id])
        mixed = self._sale_orders(self.us, remote.id)
        self._reserve()
        # Time passes: the LIVE ended an hour ago, its release delay is over.
        event.write(
            {
                "planned_start": fields.Datetime.now() - timedelta(hours=2),
                "planned_end": fields.Datetime.now() - timedelta(hours=1),
            }
        )
        self._run_cron_method("tiktok.live.event", "_cron_advance_live_events")

        self.assertEqual(event.state, "done")
        self.assertTrue(event.released_at)
        self.assertEqual(set(event.line_ids.fence_move_id.mapped("state")), {"cancel"})
        self.assertEqual(self._free(self.product), ON_HAND - 2 - 1)
        waves = {
            wave.description.split(": ")[1]: wave.picking_ids.sale_id
            for wave in event.picking_batch_ids
        }
        self.assertEqual(
            waves,
            {
                self.product.display_name: alone[0] | alone[1],
                self.other_product.display_name: other_alone,
                "mixed orders": mixed,
            },
        )
        self.assertEqual(set(event.picking_batch_ids.mapped("is_wave")), {True})
        self._push()
        self.assertEqual(self._tiktok_stock(self.sku)["Main warehouse"], ON_HAND - 2 - 1)

    def test_the_cron_goes_live_at_the_start_and_polls_the_shop_at_the_events_interval(self):
        event = self._event(start_in=timedelta(hours=1))
        event.action_schedule()
        self._run_cron_method("tiktok.live.event", "_cron_advance_live_events")
        self.assertEqual(event.state, "scheduled")
        event.planned_start = fields.Datetime.now() - timedelta(seconds=5)
        self._run_cron_method("tiktok.live.event", "_cron_advance_live_events")
        self.assertEqual(event.state, "live")

        poll = self.env.ref("tiktok_shop_connector.ir_cron_poll_live_orders")
        self.env["ir.cron.trigger"].search([("cron_id", "=", poll.id)]).unlink()
        self._run_cron_method("tiktok.shop", "_cron_poll_live_orders")
        logs = self.env["tiktok.sync.log"].search([("shop_id", "=", self.us.id)])
        self.assertEqual(logs.filtered(lambda log: log.kind == "orders").mapped("state"), ["done"])
        (trigger,) = self.env["ir.cron.trigger"].search([("cron_id", "=", poll.id)])
        self.assertAlmostEqual(
            trigger.call_at,
            fields.Datetime.now() + timedelta(seconds=30),
            delta=timedelta(seconds=10),
        )
        self._run_cron_method("tiktok.shop", "_cron_poll_live_orders")
        logs = self.env["tiktok.sync.log"].search([("shop_id", "=", self.us.id)])
        self.assertEqual(len(logs.filtered(lambda log: log.kind == "orders")), 1, "not due yet")

    def test_cancel_gives_back_everything(self):
        event = self._event()
        event.action_schedule()
        self._push()
        event.action_cancel()
        self.assertEqual(event.state, "cancelled")
        self.assertEqual(event.line_ids.fence_move_id.state, "cancel")
        self.assertEqual(self._free(self.product), ON_HAND)
        self._push()
        self.assertEqual(self._tiktok_stock(self.sku)["Main warehouse"], ON_HAND)

    def test_the_sweep_releases_stock_an_event_over_still_holds(self):
        event = self._event()
        event.action_schedule()
        event.state = "done"  # a crash between the end and the release
        self._run_cron_method("tiktok.live.event", "_cron_advance_live_events")
        self.assertEqual(event.line_ids.fence_move_id.state, "cancel")
        self.assertEqual(self._free(self.product), ON_HAND)
        self.assertTrue(
            any("still held after the event was over" in m.body for m in event.message_ids)
        )

    def test_an_event_over_cannot_be_scheduled(self):
        event = self._event(start_in=timedelta(hours=-3))
        with self.assertRaisesRegex(UserError, "already over"):
            event.action_schedule()
