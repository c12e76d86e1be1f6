import json
import time
from unittest.mock import patch

from odoo.tests import HttpCase, tagged

from .. import const
from ..tiktok_shop import webhook_signature
from .common import APP_KEY, APP_SECRET, SHOP_TIKTOK_ID, WebhookEndpointMixin, signed_notification

DEAUTHORIZATION = {
    "type": 6,
    "tts_notification_id": "7327112393057371910",
    "shop_id": SHOP_TIKTOK_ID,
    "timestamp": 1732345678,
    "data": {"message": "The seller deauthorized the app"},
}


@tagged("post_install", "-at_install")
class TestWebhookEndpoint(WebhookEndpointMixin, HttpCase):
    def _run_processing_cron(self):
        self._run_cron_method("tiktok.webhook.event", "_cron_process_events")

    def test_valid_signature_is_stored_and_answered_empty_200(self):
        raw, signature = signed_notification(DEAUTHORIZATION)
        with patch.object(type(self.Event), "_cron_process_events") as process:
            response = self._post(raw, signature)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"")
        event = self._events()
        self.assertEqual(len(event), 1)
        self.assertEqual(event.tiktok_notification_ref, DEAUTHORIZATION["tts_notification_id"])
        self.assertEqual(event.shop_id, self.shop)
        self.assertEqual(event.type_name, "SELLER_DEAUTHORIZATION")
        # Answered before processing: nothing ran in the request, the event waits for the cron.
        self.assertEqual(event.state, "pending")
        process.assert_not_called()
        self.assertTrue(self.shop.sync_enabled)

    def test_bad_signatures_and_unknown_apps_are_refused_and_nothing_is_stored(self):
        raw, signature = signed_notification(DEAUTHORIZATION)
        tampered = raw.replace(b"deauthorized", b"Deauthorized")
        cases = {
            "wrong signature": (raw, "0" * 64, APP_KEY),
            "tampered body": (tampered, signature, APP_KEY),
            "missing header": (raw, None, APP_KEY),
            "unknown app": (raw, signature, "unknown_app_key"),
        }
        for name, (body, header, app_key) in cases.items():
            with self.subTest(name):
                response = self._post(body, header, app_key)
                self.assertEqual(response.status_code, 401)
        self.assertFalse(self._events())

    def test_account_without_secret_fails_closed(self):
        self.account.sudo().app_secret_encrypted = False
        raw, signature = signed_notification(DEAUTHORIZATION)
        self.assertEqual(self._post(raw, signature).status_code, 401)
        self.assertFalse(self._events())

    def test_malformed_json_is_rejected_with_400(self):
        for raw in (b"{not json", b"[1, 2]", b'{"data": {}}'):
            with self.subTest(raw=raw):
                signature = webhook_signature(APP_KEY, APP_SECRET, raw)
                self.assertEqual(self._post(raw, signature).status_code, 400)
        self.assertFalse(self._events())

    def test_same_notification_twice_is_one_event_processed_once(self):
        raw, signature = signed_notification(DEAUTHORIZATION)
        self.assertEqual(self._post(raw, signature).status_code, 200)
        self.assertEqual(self._post(raw, signature).status_code, 200)
        event = self._events()
        self.assertEqual(len(event), 1)
        self._run_processing_cron()
        self._run_processing_cron()
        self.assertEqual(event.state, "done")
        self.assertEqual(event.attempts, 1)
        self.assertFalse(self.shop.sync_enabled)
        self.assertFalse(self.shop.authorized)
        activities = self.account.activity_ids.filtered(
            lambda a: a.summary == "TikTok shop deauthorized"
        )
        self.assertTrue(activities)

    def test_payload_without_notification_id_gets_a_stable_key(self):
        body = {
            key: value for key, value in DEAUTHORIZATION.items() if key != "tts_notification_id"
        }
        raw, signature = signed_notification(body)
        self._post(raw, signature)
        self._post(raw, signature)
        self.assertEqual(len(self._events()), 1)
        self.assertTrue(self._events().dedupe_key.startswith("content:"))

    def test_answer_is_fast(self):
        raw, signature = signed_notification(DEAUTHORIZATION)
        started = time.monotonic()
        self._post(raw, signature)
        self.assertLess(time.monotonic() - started, 3.0)

    def test_authorization_expiry_creates_a_dated_reminder(self):
        expiry = {
            "type": 7,
            "tts_notification_id": "7327112393057371999",
            "shop_id": SHOP_TIKTOK_ID,
            "timestamp": 1732345678,
            "data": {"message": "expiring", "expiration_time": "1735000000"},
        }
        raw, signature = signed_notification(expiry)
        self._post(raw, signature)
        self._run_processing_cron()
        event = self._events()
        self.assertEqual(event.state, "done", event.error)
        self.assertEqual(str(self.account.authorization_expiry_notice), "2024-12-24 00:26:40")
        reminder = self.account.activity_ids.filtered(lambda a: "expires" in (a.summary or ""))
        self.assertEqual(str(reminder.date_deadline), "2024-12-24")

    def test_failed_event_stays_visible_and_can_be_replayed(self):
        unknown_shop = {**DEAUTHORIZATION, "tts_notification_id": "1", "shop_id": "999"}
        raw, signature = signed_notification(unknown_shop)
        self._post(raw, signature)
        self._run_processing_cron()
        event = self._events()
        self.assertEqual(event.state, "failed")
        self.assertIn("999", event.error)
        self.assertEqual(event.attempts, 1, "tried once per cron run, not in a loop")
        self.assertGreater(event.retry_at, event.received_at, "tried again later, not at once")
        self._run_processing_cron()
        self.assertEqual(event.attempts, 1, "not due yet: not tried again")
        event.retry_at = event.received_at
        self._run_processing_cron()
        self.assertEqual(event.attempts, 2, "due: tried again")
        cron_ids = [self.env.ref(xmlid).id for xmlid in const.WEBHOOK_EVENT_CRONS]
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "in", cron_ids)])
        self.assertTrue(
            any(trigger.call_at >= event.retry_at for trigger in triggers),
            "the workers are woken for the next attempt",
        )
        # Once the shop exists, a replay processes it.
        self._create_shop(self.account, tiktok_id="999")
        event.shop_id = self.env["tiktok.shop"].search([("tiktok_shop_ref", "=", "999")])
        event.action_replay()
        self.assertEqual(event.state, "done")
        self.assertEqual(json.loads(event.payload)["shop_id"], "999")
