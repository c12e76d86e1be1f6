import json
import time
from collections import Counter, defaultdict

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools.misc import formatLang

from tiktok_shop_sandbox.orders import progress_order

from ..models.live_room.ir_websocket import control_room_events
from ..tiktok_shop.live_room import minute_of
from .test_live_events import SELLER_FULFILLED, LiveEventMixin

UPDATED = "tiktok_live_event/updated"
DAY = 86400
COST_PER_UNIT = 4.25


class LiveRoomMixin(LiveEventMixin):
    """The LIVE events' shop, with a TikTok user, the event's responsible and a warehouse user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(
            cls.env,
            "live_clerk",
            groups="base.group_user,tiktok_shop_connector.group_tiktok_shop_user",
        )
        cls.host = new_test_user(
            cls.env,
            "live_host",
            groups="base.group_user,tiktok_shop_connector.group_tiktok_shop_user",
        )
        cls.picker = new_test_user(cls.env, "live_picker", groups="stock.group_stock_user")
        cls.employee = new_test_user(cls.env, "live_employee", groups="base.group_user")

    def _order_at(self, quantity, seconds_ago, sku=None):
        """A LIVE order of `quantity` units placed `seconds_ago` on TikTok and imported."""
        placed = int(time.time()) - seconds_ago
        return self._live_order(quantity, sku=sku, create_time=placed, **SELLER_FULFILLED)

    def _last_bus_id(self):
        return self.env["bus.bus"].sudo().search([], order="id desc", limit=1).id

    def _bus_messages(self, since_id):
        """[(channel, type, payload)] sent since `since_id`."""
        # Odoo writes the bus's messages just before the transaction commits.
        self.env.cr.precommit.run()
        messages = self.env["bus.bus"].sudo().search([("id", ">", since_id)], order="id")
        found = []
        for message in messages:
            content = json.loads(message.message)
            found.append((json.loads(message.channel), content["type"], content["payload"]))
        return found

    def _channel(self, record):
        return [self.env.cr.dbname, record._name, record.id]

    def _revenue_by_product(self, orders):
        """{product: revenue excl. taxes} of single-product orders: its line and the order's
        seller discount."""
        discount = self.env.ref("tiktok_shop_connector.product_tiktok_seller_discount")
        revenue = defaultdict(float)
        for order in orders:
            products = order.order_line.filtered(lambda line: line.product_id.is_storable)
            discounts = order.order_line.filtered(lambda line: line.product_id == discount)
            revenue[products.product_id] += sum(products.mapped("price_subtotal")) + sum(
                discounts.mapped("price_subtotal")
            )
        return revenue


@tagged("post_install", "-at_install")
class TestLiveDashboard(LiveRoomMixin, TransactionCase):
    """The figures of the control room are the sums of the event's orders."""

    def test_per_product_totals_and_orders_per_minute_are_those_of_the_events_orders(self):
        event = self._event(lines=[(self.product, 18), (self.other_product, 10)])
        event.action_schedule()
        first = self._order_at(3, 300)
        second = self._order_at(2, 240)
        other = self._order_at(4, 240, sku=self.other_sku)
        cancelled = self._order_at(1, 120)
        cancelled._tiktok_cancel_from_tiktok()
        outside = self._order_at(2, 3 * 3600)
        self.assertFalse(outside.tiktok_live_event_id)
        sold = first | second | other
        self.assertEqual(event.order_ids, sold | cancelled)
        self.assertEqual(cancelled.state, "cancel")

        data = event.with_user(self.clerk).get_dashboard_data(event.id)

        revenue = self._revenue_by_product(sold)
        rows = {row["product"]: row for row in data["lines"]}
        product, other_product = self.product.display_name, self.other_product.display_name
        self.assertEqual(set(rows), {product, other_product})
        self.assertEqual((rows[product]["sold"], rows[product]["fenced"]), (5, 20))
        self.assertEqual(rows[product]["remaining"], 20 - 5)
        self.assertEqual((rows[other_product]["sold"], rows[other_product]["remaining"]), (4, 7))
        self.assertAlmostEqual(rows[product]["revenue"], revenue[self.product], 2)
        self.assertAlmostEqual(rows[other_product]["revenue"], revenue[self.other_product], 2)
        self.assertTrue(rows[product]["revenue"], "the orders sold for something")
        self.assertEqual((data["orders"], data["units_sold"]), (3, 9))
        self.assertAlmostEqual(data["revenue"], sum(revenue.values()), 2)
        self.assertEqual(data["currency_id"], self.us.currency_id.id)

        chart = data["orders_per_minute"]
        placed = Counter(minute_of(order.tiktok_create_time) for order in sold)
        self.assertEqual({m["minute"]: m["orders"] for m in chart if m["orders"]}, placed)
        self.assertEqual(chart[0]["minute"], minute_of(int(event.planned_start.timestamp())))
        minutes = [m["minute"] for m in chart]
        self.assertEqual(minutes, list(range(minutes[0], minutes[-1] + 60, 60)), "every minute")
        self.assertAlmostEqual(
            data["seconds_left"],
            (event.planned_end - fields.Datetime.now()).total_seconds(),
            delta=5,
        )
        self.assertEqual(data["seconds_to_start"], 0, "its start has passed")

    def test_the_figures_are_the_events_readers_only(self):
        event = self._event()
        with self.assertRaises(AccessError):
            event.with_user(self.employee).get_dashboard_data(event.id)
        channels = [f"tiktok_live_event:{event.id}", "tiktok_live_event:x", "other"]
        self.assertEqual(control_room_events(self.env(user=self.clerk), channels), event)
        self.assertFalse(control_room_events(self.env(user=self.employee), channels))

    def test_the_control_room_hears_of_each_order_linked_confirmed_or_cancelled(self):
        event = self._event()
        event.action_schedule()
        since = self._last_bus_id()
        order = self._order_at(1, 60)
        updates = [m for m in self._bus_messages(since) if m[1] == UPDATED]
        self.assertTrue(updates, "the new order is announced")
        self.assertEqual({json.dumps(m[0]) for m in updates}, {json.dumps(self._channel(event))})
        self.assertEqual(updates[0][2], {"event_id": event.id})

        since = self._last_bus_id()
        order._tiktok_cancel_from_tiktok()
        self.assertIn(
            (self._channel(event), UPDATED, {"event_id": event.id}), self._bus_messages(since)
        )

        action = event.action_open_control_room()
        self.assertEqual(
            (action["tag"], action["params"]), ("tiktok_live_control_room", {"event_id": event.id})
        )


@tagged("post_install", "-at_install")
class TestLiveAlerts(LiveRoomMixin, TransactionCase):
    """Running low and sold out: each told once to the warehouse team, with an activity."""

    def _sell(self, quantity, seconds_ago):
        """A LIVE order imported, then reserved: it takes its units from the held stock."""
        order = self._order_at(quantity, seconds_ago)
        self._reserve()
        return order

    def _notified(self, since):
        """{partner: [notification payload]} of the simple notifications sent since `since`."""
        notified = defaultdict(list)
        for channel, kind, payload in self._bus_messages(since):
            if kind == "simple_notification" and channel[1] == "res.partner":
                notified[self.env["res.partner"].browse(channel[2])].append(payload)
        return notified

    def test_running_low_then_sold_out_each_raised_once(self):
        event = self._event(lines=[(self.product, 4)], reserve_buffer_percent=0)
        event.user_id = self.host
        line = event.line_ids
        line.alert_threshold = 2
        event.action_schedule()
        self.assertEqual(line.fenced_qty, 4)

        since = self._last_bus_id()
        self._sell(1, 60)
        self.assertEqual((line.remaining_qty, line.alert_state), (3, "none"))
        self.assertFalse(self._notified(since))
        self.assertFalse(event.activity_ids)

        since = self._last_bus_id()
        self._sell(1, 50)
        self.assertEqual((line.remaining_qty, line.alert_state), (2, "low"))
        notified = self._notified(since)
        self.assertIn(self.host.partner_id, notified)
        self.assertIn(self.picker.partner_id, notified)
        self.assertNotIn(self.employee.partner_id, notified)
        (low,) = notified[self.picker.partner_id]
        self.assertEqual(low["type"], "warning")
        self.assertIn(self.product.display_name, low["message"])
        self.assertIn("only 2 of the 4 units", low["message"])
        self.assertEqual(event.activity_ids.summary, "Running low on the LIVE")
        self.assertEqual(event.activity_ids.user_id, self.host)

        since = self._last_bus_id()
        self._sell(1, 40)
        self.assertEqual((line.remaining_qty, line.alert_state), (1, "low"))
        self.assertFalse(self._notified(since), "running low is told once")
        self.assertEqual(len(event.activity_ids), 1)

        since = self._last_bus_id()
        last = self._sell(1, 30)
        self.assertEqual((line.remaining_qty, line.alert_state), (0, "sold_out"))
        (sold_out,) = self._notified(since)[self.picker.partner_id]
        self.assertEqual(sold_out["type"], "danger")
        self.assertEqual(
            sorted(event.activity_ids.mapped("summary")),
            ["Running low on the LIVE", "Sold out on the LIVE"],
        )

        since = self._last_bus_id()
        self.assertEqual(line.fence_move_id.state, "cancel", "the held stock is all taken")
        last._tiktok_cancel_from_tiktok()
        self._reserve()
        self.assertEqual(
            (line.remaining_qty, line.alert_state), (1, "sold_out"), "its unit is held again"
        )
        self.assertFalse(self._notified(since), "nothing new to tell")
        self.assertEqual(len(event.activity_ids), 2)

    def test_sold_out_at_once_without_a_threshold(self):
        event = self._event(lines=[(self.product, 2)], reserve_buffer_percent=0)
        event.action_schedule()
        since = self._last_bus_id()
        self._sell(2, 60)
        self.assertEqual(event.line_ids.alert_state, "sold_out")
        self.assertEqual(event.activity_ids.summary, "Sold out on the LIVE")
        self.assertTrue(self._notified(since)[self.picker.partner_id])


@tagged("post_install", "-at_install")
class TestFlashReport(LiveRoomMixin, TransactionCase):
    """The flash report adds up the event's orders, what TikTok kept of them and their cost."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.products.standard_price = COST_PER_UNIT

    def setUp(self):
        super().setUp()
        # The settlement sync commits its progress: let its cursor wrap the test's transaction.
        self.enterContext(self.enter_registry_test_mode())

    def _deliver(self, orders):
        """Ship the orders from Odoo and have TikTok deliver them."""
        for picking in orders.picking_ids:
            for move in picking.move_ids:
                move.write({"quantity": move.product_uom_qty, "picked": True})
            picking.with_context(cancel_backorder=False)._action_done()
        for order in orders:
            remote = self.sandbox.state.orders[order.tiktok_order_ref]
            progress_order(self.sandbox.state, remote, "DELIVERED")

    def _settle(self):
        """Past the next statement's cut and payout, then one settlement sync."""
        self.sandbox.state.advance(2 * DAY + 60)
        self._connect_to_sandbox(self.account)
        self.env.flush_all()
        with self.registry.cursor() as cr:
            self.us.with_env(self.env(cr=cr))._tiktok_sync_settlements(since=0, trigger="manual")
        self.env.invalidate_all()

    def _live_orders(self):
        """Settled: one order, one through a creator; not settled: one; one cancelled."""
        settled = self._order_at(2, 300)
        placed = int(time.time()) - 240
        creator = self._live_order(
            1,
            surface="LIVE",
            create_time=placed,
            creator_username="mia",
            commission_rate=900,
            **SELLER_FULFILLED,
        )
        self.us._tiktok_tag_sources(creator)  # as the source-tag cron does
        waiting = self._order_at(1, 200, sku=self.other_sku)
        cancelled = self._order_at(1, 100)
        cancelled._tiktok_cancel_from_tiktok()
        self._reserve()
        self._deliver(settled | creator)
        self._settle()
        return settled, creator, waiting, cancelled

    def _expected(self, settled, unsettled, cancelled):
        """The report's figures from the orders, their settlement transactions and moves."""
        orders = settled | unsettled
        currency = self.us.currency_id
        transactions = self.env["tiktok.settlement.transaction"].search(
            [("sale_order_id", "in", orders.ids)]
        )
        refunds = transactions.filtered(
            lambda t: t.transaction_type == "ORDER" and t.revenue_amount < 0
        )
        delivered = orders.order_line.move_ids.filtered(lambda m: m.state == "done" and m.is_out)
        not_shipped = sum(
            (line.product_uom_qty - line.qty_delivered) * COST_PER_UNIT
            for line in orders.order_line
            if line.product_id.is_storable
        )
        revenue = self._revenue_by_product(orders)
        expected = {
            "revenue": sum(revenue.values()),
            "fees": -sum(transactions.mapped("platform_fee_amount"))
            - sum(unsettled.mapped("tiktok_estimated_fees")),
            "commission": -sum(transactions.mapped("affiliate_commission_amount")),
            "other": sum(orders.order_line.filtered("is_delivery").mapped("price_subtotal"))
            + sum(refunds.mapped("revenue_amount"))
            + sum(transactions.mapped("shipping_amount"))
            + sum(transactions.mapped("other_amount"))
            - sum(transactions.mapped("reserve_amount")),
            "cost": sum(delivered.mapped("value")) + not_shipped,
            "cost_not_shipped": not_shipped,
            "cancelled_amount": sum(cancelled.mapped("tiktok_total_amount")),
        }
        expected = {key: currency.round(value) for key, value in expected.items()}
        expected["margin"] = currency.round(
            expected["revenue"]
            - expected["fees"]
            - expected["commission"]
            + expected["other"]
            - expected["cost"]
        )
        return expected, revenue

    def test_flash_report_figures_and_its_pdf(self):
        event = self._event(lines=[(self.product, 10), (self.other_product, 5)])
        event.action_schedule()
        self._run_cron_method("tiktok.live.event", "_cron_advance_live_events")
        self.assertEqual(event.state, "live")
        settled, creator, waiting, cancelled = self._live_orders()
        self.assertEqual(event.order_ids, settled | creator | waiting | cancelled)
        self.assertNotIn("unsettled", (settled | creator).mapped("tiktok_settlement_state"))
        self.assertEqual(waiting.tiktok_settlement_state, "unsettled")
        self.assertTrue(waiting.tiktok_estimated_fees, "TikTok estimates the fees to come")
        self.assertEqual(creator.tiktok_creator_username, "mia")

        report = event._tiktok_flash_report()

        expected, revenue = self._expected(settled | creator, waiting, cancelled)
        for key, value in expected.items():
            self.assertAlmostEqual(report[key], value, 2, key)
        self.assertGreater(report["fees"], 0, "what TikTok keeps is a cost")
        self.assertGreater(report["commission"], 0, "the creator's cut")
        self.assertGreater(report["cost_not_shipped"], 0)
        self.assertEqual((report["orders"], report["cancelled"], report["unsettled"]), (3, 1, 1))
        self.assertEqual((report["creator_orders"], report["creator_orders_unsettled"]), (1, 0))
        lines = {line["product"]: line for line in report["lines"]}
        self.assertEqual(
            {
                product: (line["featured"], line["sold"], line["difference"])
                for product, line in lines.items()
            },
            {self.product: (10, 3, -7), self.other_product: (5, 1, -4)},
        )
        self.assertAlmostEqual(lines[self.product]["sold_percent"], 30)
        self.assertAlmostEqual(lines[self.product]["revenue"], revenue[self.product], 2)
        self.assertAlmostEqual(lines[self.other_product]["revenue"], revenue[self.other_product], 2)
        self.assertEqual(report["other_products_revenue"], 0)
        self.assertEqual(report["units_sold"], 4)

        # The screen shows the same figures.
        event.invalidate_recordset(["flash_report_html"])
        screen = str(event.flash_report_html)
        for key in ("revenue", "margin", "other", "cancelled_amount"):
            self.assertIn(f'oe_currency_value">{formatLang(self.env, report[key])}<', screen, key)
        self.assertIn(self.product.display_name, screen)

        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("tiktok_shop_connector.action_report_live_flash", event.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_before_any_order_the_report_says_so(self):
        event = self._event()
        event.action_schedule()
        self._run_cron_method("tiktok.live.event", "_cron_advance_live_events")
        report = event._tiktok_flash_report()
        self.assertEqual((report["orders"], report["revenue"], report["margin"]), (0, 0, 0))
        self.assertIn("No order of this LIVE yet", str(event.flash_report_html))
