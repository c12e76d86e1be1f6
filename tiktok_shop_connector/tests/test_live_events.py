import re
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.service.model import retrying
from odoo.tests import TransactionCase, new_test_user, tagged

from tiktok_shop_sandbox import deals as sandbox_deals
from tiktok_shop_sandbox import live as sandbox_live
from tiktok_shop_sandbox import orders as sandbox_orders
from tiktok_shop_sandbox import promotions as sandbox_promotions
from tiktok_shop_sandbox import returns as sandbox_returns

from .common import SandboxMixin, committed_env, run_in_parallel
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

    def _flash_sale(self, limit, start_in=60, minutes=10):
        """A flash sale of the featured SKU the seller made in TikTok Seller Center."""
        state = self.sandbox.state
        now = state.now()
        activity = sandbox_promotions.new_activity(
            state,
            self._remote_shop(self.us),
            {
                "title": "LIVE flash sale",
                "activity_type": "FLASHSALE",
                "product_level": "VARIATION",
                "begin_time": now + start_in,
                "end_time": now + start_in + minutes * 60,
            },
        )
        product = {
            "id": self.sku.tiktok_product_ref,
            "skus": [{"id": self.sku.tiktok_sku_ref}],
            "discount": "20",
            "quantity_limit": limit,
            "quantity_per_user": 2,
        }
        sandbox_promotions.update_products(state, activity, {"products": [product]})
        self.addCleanup(self._end_flash_sale, activity)  # the sandbox outlives the test
        return sandbox_promotions.open_activity(state, activity)

    def _end_flash_sale(self, activity):
        if activity.status in sandbox_deals.OPEN_STATUSES:
            sandbox_deals.deactivate(self.sandbox.state, activity, sandbox_deals.SELLER_DEACTIVATED)

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
        outside = self._live_order(
            2, create_time=int(fields.Datetime.now().timestamp()) - 3 * 3600, **SELLER_FULFILLED
        )
        event = self._event()
        event.action_schedule()
        self._push()
        inside = self._live_order(3, **SELLER_FULFILLED)

        self.assertEqual(inside.tiktok_live_event_id, event)
        self.us._tiktok_tag_sources(inside | outside)  # as the source-tag cron does
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

    def test_under_the_lock_tiktok_keeps_its_own_count_during_the_live(self):
        event = self._event()
        event.action_schedule()
        self._push()
        self._live_order(2, **SELLER_FULFILLED)
        # Sold on TikTok during the burst, its notification not imported yet.
        self._place(self.us, [(self.sku.tiktok_sku_ref, 5)], **SELLER_FULFILLED)
        self._reserve()
        line = event.line_ids
        self.assertEqual(line.remaining_qty, 18, "Odoo knows of 2 units sold")

        self._push()
        self.assertEqual(
            self._tiktok_stock(self.sku)["Main warehouse"],
            13,
            "20 less the 7 units TikTok sold: Odoo's 18 would put back 5 sold units",
        )
        event.flash_sale_lock = False
        self._push()
        self.assertEqual(
            self._tiktok_stock(self.sku)["Main warehouse"],
            self._free(self.product) + 18,
            "the lock lifted: Odoo's figure is shown again",
        )

    def test_a_cancelled_live_order_gives_its_units_back_to_the_held_stock(self):
        event = self._event(lines=[(self.product, 4)], reserve_buffer_percent=0)
        event.action_schedule()
        self._push()
        remote = self._place(self.us, [(self.sku.tiktok_sku_ref, 3)], **SELLER_FULFILLED)
        self.us._tiktok_import_order_ids([remote.id])
        sold_out = self._live_order(1, **SELLER_FULFILLED)
        self._reserve()
        line = event.line_ids
        self.assertEqual(line.fence_move_id.state, "cancel", "the held stock is sold out")
        free = self._free(self.product)

        for order in (remote, self.sandbox.state.orders[sold_out.tiktok_order_ref]):
            self.sandbox.advance(5)  # a later update_time than the imported version
            sandbox_returns.cancel_by_seller(self.sandbox.state, order, "OUT_OF_STOCK")
            self.us._tiktok_import_order_ids([order.id])

        self.assertEqual(
            (self._sale_orders(self.us, remote.id) | sold_out).mapped("state"), ["cancel"] * 2
        )
        self.assertEqual(line.fence_move_id.state, "assigned", "held again")
        self.assertEqual(line.fence_move_id.quantity, 4)
        self.assertEqual((line.consumed_qty, line.remaining_qty), (0.0, 4.0))
        self.assertEqual(self._free(self.product), free, "no other channel got the units")
        self._push()
        self.assertEqual(self._tiktok_stock(self.sku)["Main warehouse"], 4, "TikTok's own count")

    def test_end_and_release_delay_give_back_the_stock_make_waves_and_read_the_session(self):
        event = self._event(lines=[(self.product, 10), (self.other_product, 10)])
        event.action_schedule()
        self._push()
        # The LIVE ran an hour ago; its orders arrive now.
        now = fields.Datetime.now()
        event.write(
            {"planned_start": now - timedelta(hours=2), "planned_end": now - timedelta(hours=1)}
        )
        started = self.sandbox.state.now() - 7200
        session = sandbox_live.new_session(
            self.sandbox.state, self._remote_shop(self.us), "Friday LIVE", started + 60, 3540
        )
        sold_then = {"create_time": started + 600, "live_id": session.id, **SELLER_FULFILLED}
        alone = [self._live_order(1, **sold_then) for _ in range(2)]
        other_alone = self._live_order(2, sku=self.other_sku, **sold_then)
        remote = self._place(
            self.us, [(self.sku.tiktok_sku_ref, 1), (self.other_sku.tiktok_sku_ref, 1)], **sold_then
        )
        self.us._tiktok_import_order_ids([remote.id])
        mixed = self._sale_orders(self.us, remote.id)
        self._reserve()

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
        linked = event.session_ids
        self.assertEqual(linked.tiktok_live_ref, session.id)
        self.assertEqual((linked.items_sold, linked.customers > 0), (2 + 2 + 2, True))
        sold = sandbox_live.live_sales(self.sandbox.state, session)
        self.assertEqual(linked.gmv, float(sold["gmv"]))
        self.assertEqual(sum(linked.minute_ids.mapped("items_sold")), linked.items_sold)
        self.assertEqual(event.order_count, 4)

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

    def test_a_flash_sale_loaded_later_raises_the_held_stock_to_its_limit(self):
        self._push()
        event = self._event()
        event.action_schedule()
        activity = self._flash_sale(limit=25)

        event.action_load_deals()

        deal = event.deal_ids
        self.assertEqual(deal.tiktok_activity_ref, activity.id)
        self.assertEqual(deal.sku_line_ids.mapped("quantity_limit"), [25])
        line = event.line_ids
        self.assertEqual((line.deal_limit_qty, line.fenced_qty), (25, 25))
        self.assertEqual(line.fence_move_id.quantity, 25)
        self.assertEqual(self._free(self.product), ON_HAND - 25)
        self._push()
        self.assertEqual(self._tiktok_stock(self.sku)["Main warehouse"], 25)
        self.sandbox.advance(61)  # the flash sale starts, with all its stock on TikTok
        self.assertEqual(activity.status, "ONGOING")

    def test_tiktok_stopping_a_flash_sale_is_reported_on_the_event(self):
        self._push()
        activity = self._flash_sale(limit=10)
        event = self._event()
        event.action_load_deals()
        event.action_schedule()
        sandbox_deals.deactivate(self.sandbox.state, activity, sandbox_deals.INSUFFICIENT_STOCK)
        notification = {
            "type": 39,
            "tts_notification_id": f"promotion-{activity.id}",
            "shop_id": self.us.tiktok_shop_ref,
            "timestamp": self.sandbox.state.now(),
            "data": {"activity_id": activity.id, "status": "DEACTIVATED"},
        }
        received, _new = self.env["tiktok.webhook.event"]._receive(self.account, notification)

        received._process_batch(received)

        self.assertEqual(received.state, "done", received.error)
        self.assertEqual(event.deal_ids.status, "DEACTIVATED")
        self.assertEqual(event.activity_ids.summary, "Flash sale stopped by TikTok")
        self.assertEqual(event.activity_ids.user_id, self.env.user)
        received.action_replay()
        self.assertEqual(len(event.activity_ids), 1, "told once")

    def test_an_event_over_cannot_be_scheduled(self):
        event = self._event(start_in=timedelta(hours=-3))
        with self.assertRaisesRegex(UserError, "already over"):
            event.action_schedule()

    def test_a_tiktok_user_without_sales_or_inventory_rights_opens_an_event(self):
        event = self._event()
        event.action_schedule()
        self._live_order(2, **SELLER_FULFILLED)
        viewer = new_test_user(
            self.env,
            "live_viewer",
            groups="base.group_user,tiktok_shop_connector.group_tiktok_shop_user",
        )
        as_viewer = event.with_user(viewer)
        as_viewer.invalidate_recordset()
        self.assertEqual(as_viewer.order_count, 1)
        self.assertEqual(as_viewer.revenue, event.revenue)
        views = as_viewer.get_views([(False, "form"), (False, "list")])
        form = views["views"]["form"]["arch"]
        self.assertNotIn("picking_batch_ids", form)
        self.assertNotIn("fence_picking_id", form)


@tagged("post_install", "-at_install")
class TestLiveEventUnderConcurrentSales(SandboxMixin, TransactionCase):
    """TikTok's LIVE orders and a website's sales of one product, in two workers at once.

    30 on hand, 20 held for the LIVE (18 featured and the buffer) under the flash-sale lock: the
    LIVE sells 12 in 6 orders, the website tries 12 single units and may reserve only the 10
    outside the held stock. Each worker commits as it goes and retries a transaction the other's
    commit made fail, as Odoo's workers do; the website sells only what it sees free.
    """

    LIVE_ORDERS, LIVE_UNITS = 6, 2
    WEBSITE_TRIES = 12

    def setUp(self):
        super().setUp()
        with committed_env(self.registry) as env:
            self.trigger_floor = env["ir.cron.trigger"].search([], order="id desc", limit=1).id
            self._set_up_committed(env)
        self.addCleanup(self._remove_committed_records)

    def _set_up_committed(self, env):
        account = self._sandbox_account(env, name="LIVE under load")
        shops = self._connect_to_sandbox(account)
        shop = shops.filtered(lambda s: s.region == "US")
        (shops - shop).write({"sync_stock": False})
        state = self.sandbox.state
        remote_sku = next(
            sku
            for product in state.products.values()
            if product.shop_id == shop.tiktok_shop_ref and product.status == "ACTIVATE"
            for sku in product.skus
        )
        product = env["product.product"].create(
            {"name": "LIVE mug", "default_code": remote_sku.seller_sku, "is_storable": True}
        )
        warehouse = shop.warehouse_id
        env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, ON_HAND)
        sku = env["tiktok.sku"].create(
            {
                "shop_id": shop.id,
                "tiktok_sku_ref": remote_sku.id,
                "tiktok_product_ref": remote_sku.product_id,
                "seller_sku": remote_sku.seller_sku,
                "product_id": product.id,
            }
        )
        shop._tiktok_load_warehouses()
        start = fields.Datetime.now() - timedelta(minutes=5)
        event = env["tiktok.live.event"].create(
            {
                "name": "LIVE under load",
                "shop_id": shop.id,
                "planned_start": start,
                "planned_end": start + timedelta(hours=1),
                "reserve_buffer_percent": 10,
                "flash_sale_lock": True,
                "line_ids": [Command.create({"product_id": product.id, "featured_qty": 18})],
            }
        )
        event.action_schedule()
        self.buyer_id = env["res.partner"].create({"name": "Website buyer (LIVE)"}).id
        env.cr.commit()
        env["tiktok.shop"]._cron_push_stock()
        self.account_id, self.shop_id, self.event_id = account.id, shop.id, event.id
        self.product_id, self.sku_id, self.warehouse_id = product.id, sku.id, warehouse.id
        self.live_order_ids = [
            sandbox_orders.place_order(
                state,
                state.shops[shop.tiktok_shop_ref],
                [(remote_sku.id, self.LIVE_UNITS)],
                on_hold=False,
                **SELLER_FULFILLED,
            ).id
            for _ in range(self.LIVE_ORDERS)
        ]

    def _remove_committed_records(self):
        with committed_env(self.registry) as env:
            event = env["tiktok.live.event"].browse(self.event_id)
            event._tiktok_release()
            orders = env["sale.order"].search(
                ["|", ("tiktok_shop_id", "=", self.shop_id), ("partner_id", "=", self.buyer_id)]
            )
            buyers = orders.partner_id.filtered(lambda partner: partner.id != self.buyer_id)
            orders._action_cancel()
            moves = env["stock.move"].search([("product_id", "=", self.product_id)])
            pickings = moves.picking_id
            orders.unlink()
            event.unlink()
            pickings.unlink()
            moves.exists().unlink()
            env["stock.quant"].search([("product_id", "=", self.product_id)]).unlink()
            env["tiktok.sku"].browse(self.sku_id).unlink()
            product = env["product.product"].browse(self.product_id)
            template = product.product_tmpl_id
            product.unlink()
            template.exists().unlink()
            env["tiktok.sync.log"].search([("shop_id.account_id", "=", self.account_id)]).unlink()
            (buyers.child_ids | buyers | env["res.partner"].browse(self.buyer_id)).unlink()
            account = env["tiktok.account"].browse(self.account_id)
            account.shop_ids.unlink()
            account.unlink()
            env["ir.cron.trigger"].search([("id", ">", self.trigger_floor)]).unlink()

    # === the two workers === #

    def _tiktok_worker(self, env):
        """Import the LIVE orders one by one, reserve them, and note what each moment shows."""
        shop = env["tiktok.shop"].browse(self.shop_id)
        moments = []
        for order_id in self.live_order_ids:
            for _attempt in range(5):  # a failed import is tried again, as its webhook would be
                shop._tiktok_import_order_ids([order_id])
                env.cr.commit()
                if env["sale.order"].search_count([("tiktok_order_ref", "=", order_id)]):
                    break
            requests = env["tiktok.reservation.request"]
            retrying(lambda requests=requests: requests.search([])._tiktok_reserve(), env)
            env.cr.commit()
            moments.append(self._moment(env))
        return moments

    def _website_worker(self, env):
        """Sell single units while the website shows some free, each sale reserved at once."""
        product = env["product.product"].browse(self.product_id)

        def sell():
            if product.with_context(warehouse_id=self.warehouse_id).free_qty < 1:
                return False  # shown sold out: the website takes no order
            order = env["sale.order"].create(
                {
                    "partner_id": self.buyer_id,
                    "warehouse_id": self.warehouse_id,
                    "order_line": [Command.create({"product_id": product.id})],
                }
            )
            order.action_confirm()
            return True

        sold = 0
        for _try in range(self.WEBSITE_TRIES):
            sold += retrying(sell, env)
            env.cr.commit()
        return sold

    def _moment(self, env):
        """(on hand, reserved by orders, LIVE units not reserved yet, what TikTok shows)."""
        env.invalidate_all()
        product = env["product.product"].browse(self.product_id)
        sku = env["tiktok.sku"].browse(self.sku_id)
        fence = env["tiktok.live.event"].browse(self.event_id).line_ids.fence_move_id
        quants = env["stock.quant"].search(
            [("product_id", "=", product.id), ("location_id.usage", "=", "internal")]
        )
        order_moves = (
            env["stock.move"]
            .search([("product_id", "=", product.id), ("sale_line_id", "!=", False)])
            .filtered(lambda move: move.state not in ("done", "cancel"))
        )
        reserved = sum(quants.mapped("reserved_quantity"))
        held = fence.quantity if fence.state not in ("done", "cancel") else 0
        waiting = sum(order_moves.mapped("product_uom_qty")) - sum(order_moves.mapped("quantity"))
        shown = self.sandbox.state.skus[sku.tiktok_sku_ref].inventory.values()
        return sum(quants.mapped("quantity")), reserved - held, waiting, sum(shown)

    # === the test === #

    def test_tiktok_and_the_website_never_sell_more_than_odoo_has(self):
        jobs = [self._website_worker, self._tiktok_worker]
        results, errors = run_in_parallel(self.registry, lambda env: jobs.pop()(env))
        self.assertEqual(errors, [], "neither worker fails for good on the other's commits")

        with committed_env(self.registry) as env:
            env["tiktok.shop"]._cron_push_stock()
            moments = next(result for result in results if isinstance(result, list))
            website_sold = next(result for result in results if isinstance(result, int))
            for on_hand, reserved, waiting, shown in [*moments, self._moment(env)]:
                self.assertGreaterEqual(on_hand, reserved + waiting + shown, moments)
            line = env["tiktok.live.event"].browse(self.event_id).line_ids
            live_units = self.LIVE_ORDERS * self.LIVE_UNITS
            self.assertEqual(len(line.consumption_ids), self.LIVE_ORDERS)
            self.assertEqual(sum(line.consumption_ids.mapped("quantity")), live_units)
            self.assertEqual(line.fence_move_id.product_uom_qty, 20 - live_units)
            self.assertEqual(line.fence_move_id.quantity, 20 - live_units, "still reserved")
            self.assertEqual(website_sold, ON_HAND - 20, "the website sold what was not held")
            orders = env["sale.order"].search(
                ["|", ("tiktok_shop_id", "=", self.shop_id), ("partner_id", "=", self.buyer_id)]
            )
            moves = orders.picking_ids.move_ids
            self.assertEqual(sum(moves.mapped("quantity")), live_units + website_sold)
            shown = self._moment(env)[3]
            self.assertEqual(shown, 20 - live_units, "TikTok's count, which Odoo's push kept")
            self.assertEqual(ON_HAND, live_units + website_sold + shown)
