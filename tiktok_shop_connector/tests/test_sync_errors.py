import time
from unittest.mock import patch

from odoo.tests import TransactionCase, tagged

from ..models.connection import tiktok_webhook_event
from ..models.orders import tiktok_shop as orders_of_the_shop
from ..tiktok_shop import TikTokDataError, webhooks
from ..tiktok_shop.order_mapping import map_order
from .order_common import OrderSandboxMixin

LOGGER = "odoo.addons.tiktok_shop_connector"


@tagged("post_install", "-at_install")
class TestSyncErrors(OrderSandboxMixin, TransactionCase):
    """Bad data from TikTok fails its own record, to be tried again; a bug fails loudly, once.

    Orders are read from the sandbox over HTTP; webhook events are processed as a cron batch.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_products_for(cls.us)
        cls.Event = cls.env["tiktok.webhook.event"]

    def _place_orders(self, count):
        skus = self._in_stock_skus(self.us, count=2)
        return [self._place(self.us, [(skus[i % 2].id, 1)]) for i in range(count)]

    def _receive_order_events(self, placed):
        """One ORDER_STATUS_CHANGE push per order, as TikTok sends it."""
        events = self.Event
        for remote in placed:
            notification = {
                "type": 1,
                "tts_notification_id": f"sync-errors-{remote.id}",
                "shop_id": self.us.tiktok_shop_ref,
                "timestamp": int(time.time()),
                "data": {
                    "order_id": remote.id,
                    "order_status": "AWAITING_SHIPMENT",
                    "update_time": self._remote_order(remote.id)["update_time"],
                },
            }
            events |= self.Event._receive(self.account, notification)[0]
        return events

    def _orders_log(self):
        return self.env["tiktok.sync.log"].search(
            [("shop_id", "=", self.us.id), ("kind", "=", "orders")], limit=1
        )

    def test_an_order_tiktok_sends_without_a_required_field_fails_alone(self):
        placed = self._place_orders(3)
        remote_orders = [self._remote_order(remote.id) for remote in placed]
        del remote_orders[1]["line_items"][0]["sku_id"]
        failures = {}
        log = self.us._tiktok_import_orders(remote_orders, "webhook", failures)
        self.assertEqual((log.created_count, log.failed_count, log.state), (2, 1, "partial"))
        message = f"order {placed[1].id}: TikTok's line_items[0].sku_id is missing"
        self.assertIn(message, log.message)
        self.assertIsInstance(failures[placed[1].id], TikTokDataError)
        self.assertFalse(self._sale_orders(self.us, placed[1].id))
        for remote in (placed[0], placed[2]):
            self.assertEqual(self._sale_orders(self.us, remote.id).state, "sale")

    def test_a_webhook_event_whose_order_tiktok_sends_malformed_is_tried_again_later(self):
        placed = self._place_orders(2)
        self.sandbox.state.orders[placed[0].id].line_items[0].sku_id = None
        events = self._receive_order_events(placed)
        self.Event._process_batch(events)
        bad, good = events
        self.assertEqual(good.state, "done", good.error)
        self.assertEqual(self._sale_orders(self.us, placed[1].id).state, "sale")
        self.assertEqual(bad.state, "failed")
        self.assertIn("line_items[0].sku_id is missing", bad.error)
        self.assertGreater(bad.retry_at, bad.received_at, "bad data is tried again later")

    def test_an_order_event_of_a_shop_odoo_does_not_have_is_tried_again_later(self):
        notification = {
            "type": 1,
            "tts_notification_id": "sync-errors-unknown-shop",
            "shop_id": "999",
            "data": {"order_id": "576486316948490001", "update_time": 1732345670},
        }
        event = self.Event._receive(self.account, notification)[0]
        self.Event._process_batch(event)
        self.assertEqual(event.state, "failed")
        self.assertIn("999", event.error)
        self.assertGreater(event.retry_at, event.received_at)

    def test_a_bug_in_the_import_is_logged_as_one_and_not_retried(self):
        placed = self._place_orders(2)
        buggy_id = placed[0].id

        def map_with_a_bug(remote):
            if remote["id"] == buggy_id:
                raise KeyError("buyer_nickname")  # what a bug in our own mapping raises
            return map_order(remote)

        events = self._receive_order_events(placed)
        with (
            patch.object(orders_of_the_shop, "map_order", side_effect=map_with_a_bug),
            self.assertLogs(LOGGER, "ERROR") as logged,
        ):
            self.Event._process_batch(events)
        bug, good = events
        self.assertEqual(good.state, "done", good.error)
        self.assertEqual(self._sale_orders(self.us, placed[1].id).state, "sale")
        self.assertEqual(bug.state, "failed")
        self.assertIn("bug in the connector", bug.error)
        self.assertIn("KeyError: 'buyer_nickname'", bug.error)
        self.assertFalse(bug.retry_at, "no retry is scheduled: it waits for a replay")
        self.assertIn(f"order {buggy_id}: bug in the connector", self._orders_log().message)
        (record,) = logged.records
        self.assertTrue(record.exc_info, "logged with its traceback")
        self.assertIn(buggy_id, record.getMessage())
        # The event cron never takes it again; a replay, once the code is fixed, imports it.
        self._run_cron_method("tiktok.webhook.event", "_cron_process_events")
        self.assertEqual(bug.attempts, 1)
        bug.action_replay()
        self.assertEqual(bug.state, "done", bug.error)
        self.assertEqual(self._sale_orders(self.us, buggy_id).state, "sale")

    def test_a_bug_in_a_webhook_handler_is_not_retried(self):
        notification = {
            "type": 7,
            "tts_notification_id": "sync-errors-expiry",
            "shop_id": self.us.tiktok_shop_ref,
            "data": {"message": "expiring", "expiration_time": "1735000000"},
        }
        event = self.Event._receive(self.account, notification)[0]
        with (
            patch.object(tiktok_webhook_event, "integer", side_effect=KeyError("expiration")),
            self.assertLogs(LOGGER, "ERROR"),
        ):
            self.Event._process_batch(event)
        self.assertEqual(event.state, "failed")
        self.assertIn("bug in the connector", event.error)
        self.assertFalse(event.retry_at, "no retry is scheduled: it waits for a replay")

    def test_a_batch_of_order_events_parses_each_payload_once(self):
        placed = self._place_orders(3)
        self.us._tiktok_import_order_ids([placed[0].id])  # its event is then already applied
        events = self._receive_order_events(placed)
        with (
            patch.object(webhooks, "notification_data", wraps=webhooks.notification_data) as parse,
            patch.object(webhooks, "pushed_orders", wraps=webhooks.pushed_orders) as derive,
        ):
            self.Event._process_batch(events)
        self.assertEqual(parse.call_count, len(events), "each payload parsed once")
        # One derivation per event serves the batching and the already-applied check.
        self.assertEqual(derive.call_count, len(events))
        self.assertEqual(events.mapped("state"), ["done"] * 3, events.mapped("error"))
        self.assertEqual(events[0].result, "already up to date")
        self.assertEqual(events[1:].mapped("result"), ["2 created, 0 updated in its batch"] * 2)
