import json
import time
from unittest.mock import patch

from odoo.tests import HttpCase, TransactionCase, tagged

from .. import const
from ..tiktok_shop.order_mapping import map_order
from ..tools.order_builder import OrderBuilder
from .common import SandboxMixin, committed_env, run_in_parallel
from .order_common import OrderSandboxMixin


@tagged("post_install", "-at_install")
class TestOrdersFromWebhooks(OrderSandboxMixin, HttpCase):
    """The sandbox pushes signed webhooks to Odoo's endpoint; the event cron imports the orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_products_for(cls.us)
        app_key = cls.sandbox.app.app_key
        cls.sandbox.set_webhook_url(f"{cls.base_url()}{const.WEBHOOK_ROUTE}/{app_key}")

    def _wait_for_deliveries(self, count, timeout=30):
        """Let the sandbox's pushes in (from its own thread) until `count` were answered 200.

        The test does not touch the database meanwhile: in a test, Odoo's requests share the
        test's cursor. A push that failed is retried as TikTok does (the sandbox's clock is moved
        past the 2-minute retry).
        """
        deadline = time.monotonic() + timeout
        with self.allow_requests(all_requests=True):
            while time.monotonic() < deadline:
                answered = [d for d in self.sandbox.pusher.deliveries if d.http_status == 200]
                if len(answered) >= count:
                    break
                if any(d.outcome == "failed" for d in self.sandbox.pusher.deliveries):
                    self.sandbox.advance(121)
                time.sleep(0.1)
        outcomes = [(d.outcome, d.http_status) for d in self.sandbox.pusher.deliveries]
        self.assertGreaterEqual(len(answered), count, f"deliveries: {outcomes}")
        self.env.invalidate_all()
        return self.env["tiktok.webhook.event"].search([("account_id", "=", self.account.id)])

    def _run_event_cron(self):
        self._run_cron_method("tiktok.webhook.event", "_cron_process_events")

    def test_orders_pushed_by_webhook_become_sale_orders_once(self):
        self.sandbox.pusher.configure(duplicate_share=1.0)  # every push delivered twice
        skus = self._in_stock_skus(self.us, count=2)
        placed = [self._place(self.us, [(skus[i % 2].id, 1)]) for i in range(4)]
        events = self._wait_for_deliveries(8)  # each push twice
        self.assertEqual(len(events), 4, "duplicates are acknowledged, not stored")
        self.assertEqual(set(events.mapped("event_type")), {1})
        self._run_event_cron()
        for remote in placed:
            order = self._sale_orders(self.us, remote.id)
            self.assertEqual(len(order), 1)
            self.assertEqual(order.state, "sale")
            self.assertTrue(order.picking_ids)
        self.assertEqual(set(events.mapped("state")), {"done"})
        # A later status change arrives as another event and updates the same order.
        self.sandbox.advance(5)
        self.sandbox.state.orders[placed[0].id].status = "AWAITING_SHIPMENT"
        self._run_event_cron()
        self.assertEqual(len(self._sale_orders(self.us, placed[0].id)), 1)

    def test_an_event_about_a_version_already_imported_costs_no_call_to_tiktok(self):
        (sku,) = self._in_stock_skus(self.us, count=1)
        remote = self._place(self.us, [(sku.id, 1)])
        (event,) = self._wait_for_deliveries(1)
        self._run_event_cron()
        order = self._sale_orders(self.us, remote.id)
        self.assertEqual(event.state, "done")
        # The same version pushed again (a redelivery under a new notification id).
        payload = json.loads(event.payload)
        payload["tts_notification_id"] = "redelivered-" + payload["tts_notification_id"]
        self.assertLessEqual(payload["data"]["update_time"], order.tiktok_update_time)
        replay = self.env["tiktok.webhook.event"]._receive(self.account, payload)[0]
        detail_calls = self._order_detail_calls()
        self._run_event_cron()
        self.assertEqual(replay.state, "done")
        self.assertEqual(replay.result, "already up to date")
        self.assertEqual(self._order_detail_calls(), detail_calls, "TikTok was not asked again")
        # A newer version is read from TikTok and applied.
        self.sandbox.advance(5)
        self.sandbox.state.orders[remote.id].update_time = payload["data"]["update_time"] + 5
        payload = {**payload, "tts_notification_id": "newer-" + payload["tts_notification_id"]}
        payload["data"] = {**payload["data"], "update_time": payload["data"]["update_time"] + 5}
        newer = self.env["tiktok.webhook.event"]._receive(self.account, payload)[0]
        self._run_event_cron()
        self.assertEqual(newer.state, "done")
        self.assertEqual(self._order_detail_calls(), detail_calls + 1)
        self.assertEqual(order.tiktok_update_time, payload["data"]["update_time"])

    def _order_detail_calls(self):
        return self.sandbox.calls.snapshot()["served"].get("GET /order/202309/orders", 0)


@tagged("post_install", "-at_install")
class TestConcurrentWorkers(SandboxMixin, TransactionCase):
    """Two workers on one shop at the same moment: every order exists once, nothing crashes."""

    def setUp(self):
        super().setUp()
        with committed_env(self.registry) as env:
            account = self._sandbox_account(env, name="Concurrent workers")
            shop = self._connect_to_sandbox(account).filtered(lambda s: s.region == "US")
            self.account_id, self.shop_id = account.id, shop.id
            remote_shop = self.sandbox.state.shops[shop.tiktok_shop_ref]
        self.addCleanup(self._remove_committed_records)
        skus = [
            sku
            for product in self.sandbox.state.products.values()
            if product.shop_id == remote_shop.id and product.status == "ACTIVATE"
            for sku in product.skus
            if sku.available() > 5
        ]
        from tiktok_shop_sandbox.orders import place_order

        self.order_ids = [
            place_order(self.sandbox.state, remote_shop, [(skus[i % 3].id, 1)], on_hold=False).id
            for i in range(6)
        ]

    def _remove_committed_records(self):
        with committed_env(self.registry) as env:
            orders = env["sale.order"].search([("tiktok_shop_id", "=", self.shop_id)])
            buyers = orders.partner_id
            orders.unlink()
            env["tiktok.sku"].search([("shop_id", "=", self.shop_id)]).unlink()
            env["tiktok.sync.log"].search([("shop_id", "=", self.shop_id)]).unlink()
            env["tiktok.webhook.event"].search([("account_id", "=", self.account_id)]).unlink()
            (buyers.child_ids | buyers).unlink()
            account = env["tiktok.account"].browse(self.account_id)
            account.shop_ids.unlink()
            account.unlink()

    def _run_in_two_workers(self, work):
        _results, errors = run_in_parallel(
            self.registry, lambda env: work(env["tiktok.shop"].browse(self.shop_id))
        )
        self.assertEqual(errors, [])

    def _order_counts(self):
        with committed_env(self.registry) as env:
            orders = env["sale.order"].search([("tiktok_shop_id", "=", self.shop_id)])
            return {oid: orders.mapped("tiktok_order_ref").count(oid) for oid in self.order_ids}

    def test_two_imports_of_the_same_orders_create_each_order_once(self):
        self._run_in_two_workers(lambda shop: shop._tiktok_import_order_ids(self.order_ids))
        counts = self._order_counts()
        self.assertTrue(all(count <= 1 for count in counts.values()), counts)
        # What a worker left for later (a binding the other was creating) is imported next time.
        with committed_env(self.registry) as env:
            env["tiktok.shop"].browse(self.shop_id)._tiktok_import_order_ids(self.order_ids)
        self.assertEqual(set(self._order_counts().values()), {1})

    def test_two_cron_workers_polling_one_shop_create_each_order_once(self):
        self._run_in_two_workers(lambda shop: shop._cron_poll_orders())
        self.assertEqual(set(self._order_counts().values()), {1})

    def test_a_buyer_another_worker_is_adding_holds_back_only_its_own_orders(self):
        state = self.sandbox.state
        buyer_id = state.orders[self.order_ids[0]].user_id
        held = [oid for oid in self.order_ids if state.orders[oid].user_id == buyer_id]
        with committed_env(self.registry) as other, committed_env(self.registry) as worker:
            # The other worker has inserted the new buyer and not committed yet.
            other_shop = other["tiktok.shop"].browse(self.shop_id)
            remote = other_shop._tiktok_fetch_orders(held)
            OrderBuilder(other_shop)._prepare_buyers([map_order(order) for order in remote])
            worker.cr.execute("SET LOCAL lock_timeout = '5s'")  # waiting would fail the import
            started = time.monotonic()
            shop = worker["tiktok.shop"].browse(self.shop_id)
            log = shop._tiktok_import_order_ids(self.order_ids)
            self.assertLess(time.monotonic() - started, 5, "nothing waited for the other worker")
            self.assertEqual(log.failed_count, len(held))
            self.assertIn("being added by another worker", log.message)
            worker.cr.commit()
            other.cr.rollback()
        counts = self._order_counts()
        self.assertEqual({oid for oid, count in counts.items() if not count}, set(held))
        with committed_env(self.registry) as env:  # the retry
            env["tiktok.shop"].browse(self.shop_id)._tiktok_import_order_ids(held)
        self.assertEqual(set(self._order_counts().values()), {1})

    def test_a_poll_holds_its_mark_before_the_orders_another_worker_holds_back(self):
        state = self.sandbox.state
        buyer_id = state.orders[self.order_ids[0]].user_id
        held = [oid for oid in self.order_ids if state.orders[oid].user_id == buyer_id]
        newest = max(state.orders[oid].update_time for oid in self.order_ids)
        with committed_env(self.registry) as other, committed_env(self.registry) as worker:
            # The other worker has inserted the new buyer and not committed yet.
            other_shop = other["tiktok.shop"].browse(self.shop_id)
            remote = other_shop._tiktok_fetch_orders(held)
            OrderBuilder(other_shop)._prepare_buyers([map_order(order) for order in remote])
            shop = worker["tiktok.shop"].browse(self.shop_id)
            log = shop._tiktok_poll_orders()
            worker.cr.commit()
            self.assertGreaterEqual(log.failed_count, len(held))
            oldest_failed = log.failed_update_time
            self.assertLessEqual(oldest_failed, min(state.orders[oid].update_time for oid in held))
            self.assertEqual(shop.orders_high_water_mark, oldest_failed - 1)
            other.cr.rollback()
        with committed_env(self.registry) as env:  # the next poll reads them again
            shop = env["tiktok.shop"].browse(self.shop_id)
            shop._tiktok_poll_orders()
            env.cr.commit()
            self.assertGreaterEqual(shop.orders_high_water_mark, newest)
        self.assertEqual(set(self._order_counts().values()), {1})

    def _receive_order_events(self):
        with committed_env(self.registry) as env:
            shop = env["tiktok.shop"].browse(self.shop_id)
            for order_id in self.order_ids:
                notification = {
                    "type": 1,
                    "tts_notification_id": f"burst-{order_id}",
                    "shop_id": shop.tiktok_shop_ref,
                    "timestamp": int(time.time()),
                    "data": {"order_id": order_id, "order_status": "AWAITING_SHIPMENT"},
                }
                env["tiktok.webhook.event"]._receive(shop.account_id, notification)

    def test_two_event_workers_share_the_queue_and_import_each_order_once(self):
        self._receive_order_events()
        with patch.object(const, "WEBHOOK_BATCH_SIZE", 2):  # several batches for each worker
            _results, errors = run_in_parallel(
                self.registry, lambda env: env["tiktok.webhook.event"]._cron_process_events()
            )
        self.assertEqual(errors, [], "neither worker crashes on the other's locks or commits")
        with committed_env(self.registry) as env:
            events = env["tiktok.webhook.event"].search([("account_id", "=", self.account_id)])
            # What a worker left for later (a binding or buyer the other was creating) is due
            # again after its retry delay: run the queue once more as that later run would.
            events.filtered(lambda e: e.state == "failed").write({"retry_at": "2000-01-01"})
            env.cr.commit()
            env["tiktok.webhook.event"]._cron_process_events()
            self.assertEqual(set(events.mapped("state")), {"done"}, events.mapped("error"))
        self.assertEqual(set(self._order_counts().values()), {1})

    def test_a_batch_another_worker_changed_after_this_one_began_is_locked_again(self):
        self._receive_order_events()
        with committed_env(self.registry) as late, committed_env(self.registry) as early:
            early_events = early["tiktok.webhook.event"]
            early_events.search_count([])  # the early worker's snapshot is taken here
            changed = late["tiktok.webhook.event"].search([("account_id", "=", self.account_id)])
            changed.write({"result": "processed by the other worker"})
            late.cr.commit()
            processed = []
            early["tiktok.runner"]._run_batches(
                early_events,
                [("account_id", "=", self.account_id)],
                50,
                lambda batch: processed.extend(batch.ids),
            )
        self.assertEqual(sorted(processed), sorted(changed.ids))
