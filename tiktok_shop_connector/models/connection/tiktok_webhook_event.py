import json
import logging
from datetime import datetime

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from ... import const
from ...tiktok_shop import TikTokShopError
from ...tools import RECORD_SYNC_ERRORS

_logger = logging.getLogger(__name__)


class TikTokWebhookEvent(models.Model):
    """One push notification from TikTok, stored once and processed after the HTTP answer."""

    _name = "tiktok.webhook.event"
    _description = "TikTok Shop webhook event"
    _order = "received_at desc, id desc"
    _rec_name = "dedupe_key"

    account_id = fields.Many2one("tiktok.account", required=True, ondelete="cascade", index=True)
    shop_id = fields.Many2one("tiktok.shop", ondelete="set null", index=True)
    tiktok_shop_id = fields.Char(string="TikTok shop id")
    notification_id = fields.Char(string="Notification id", readonly=True)
    dedupe_key = fields.Char(required=True, readonly=True)
    event_type = fields.Integer(string="Type", required=True, readonly=True)
    type_name = fields.Char(compute="_compute_type_name", store=True)
    payload = fields.Text(readonly=True)
    received_at = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    processed_at = fields.Datetime(readonly=True)
    state = fields.Selection(
        [
            ("pending", "To process"),
            ("done", "Processed"),
            ("failed", "Failed"),
            ("ignored", "Ignored"),
        ],
        default="pending",
        required=True,
        index=True,
    )
    attempts = fields.Integer(readonly=True)
    retry_at = fields.Datetime(string="Next attempt", readonly=True, copy=False)
    result = fields.Char(readonly=True)
    error = fields.Text(readonly=True)

    _dedupe_key_unique = models.Constraint(
        "unique(account_id, dedupe_key)", "This TikTok notification was already received."
    )

    @api.depends("event_type")
    def _compute_type_name(self):
        for event in self:
            event.type_name = const.WEBHOOK_TYPES.get(event.event_type, f"TYPE_{event.event_type}")

    # === RECEPTION === #

    @api.model
    def _receive(self, account, notification):
        """Store a verified notification once; return the event and whether it is new.

        The insert skips on conflict rather than failing: TikTok redelivers, and two deliveries of
        the same notification may arrive at the same time on two workers.
        """
        key = dedupe_key(notification)
        shop_tiktok_id = str(notification.get("shop_id") or "")
        shop = self.env["tiktok.shop"].search(
            [("tiktok_shop_id", "=", shop_tiktok_id), ("account_id", "=", account.id)], limit=1
        )
        self.env.cr.execute(
            """
            INSERT INTO tiktok_webhook_event
                (account_id, shop_id, tiktok_shop_id, notification_id, dedupe_key, event_type,
                 type_name, payload, received_at, state, attempts, create_uid, write_uid,
                 create_date, write_date)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, now() at time zone 'utc', 'pending', 0,
                    %s, %s, now() at time zone 'utc', now() at time zone 'utc')
            ON CONFLICT (account_id, dedupe_key) DO NOTHING
            RETURNING id
            """,
            (
                account.id,
                shop.id or None,
                shop_tiktok_id,
                notification.get("tts_notification_id"),
                key,
                int(notification["type"]),
                const.WEBHOOK_TYPES.get(int(notification["type"]), ""),
                json.dumps(notification),
                self.env.uid,
                self.env.uid,
            ),
        )
        row = self.env.cr.fetchone()
        if row:
            return self.browse(row[0]), True
        return self.search([("account_id", "=", account.id), ("dedupe_key", "=", key)]), False

    # === PROCESSING === #

    @api.model
    def _cron_process_events(self):
        """Process pending events in batches; one failing event never blocks the others.

        The order events of one shop in a batch are imported together: one Get Order Detail call
        per 50 orders instead of one per event, which is what keeps a LIVE burst fast.
        """
        retryable = Domain("state", "=", "failed") & Domain(
            "attempts", "<", const.WEBHOOK_MAX_ATTEMPTS
        )
        due = Domain("state", "=", "pending") | (
            retryable & Domain("retry_at", "<=", fields.Datetime.now())
        )
        self.env["tiktok.runner"]._run_batches(
            self, due, const.WEBHOOK_BATCH_SIZE, self._process_batch, order="received_at, id"
        )
        next_retry = self.search(retryable, order="retry_at", limit=1).retry_at
        if next_retry:
            self._trigger_processing(at=next_retry)

    @api.model
    def _trigger_processing(self, at=None):
        """Wake every event worker: the idle ones take the pending batches nobody holds."""
        for xmlid in const.WEBHOOK_EVENT_CRONS:
            self.env.ref(xmlid).sudo()._trigger(at)

    def _process_batch(self, events):
        order_events = events.filtered(lambda e: e._order_ids() and e.shop_id)
        for shop, shop_events in order_events.grouped("shop_id").items():
            shop_events._process_order_events(shop)
        for event in events - order_events:
            event._process()

    def _order_ids(self):
        """The TikTok orders an order, address, package or cancellation event is about."""
        self.ensure_one()
        if self.event_type not in const.ORDER_EVENT_TYPES:
            return []
        data = json.loads(self.payload or "{}").get("data") or {}
        if data.get("order_id"):
            return [str(data["order_id"])]
        return [
            str(order_id)
            for package in data.get("package_list") or ()
            for order_id in package.get("order_id_list") or ()
        ]

    def _process_order_events(self, shop):
        """Import the orders of these events of one shop at once; each event gets its outcome."""
        applied = self._already_applied(shop)
        for event in applied:
            event._set_outcome(result="already up to date")
        events = self - applied
        if not events:
            return
        failures = {}
        try:
            with self.env.cr.savepoint():
                log = shop._tiktok_import_order_ids(
                    [oid for event in events for oid in event._order_ids()], "webhook", failures
                )
        except (TikTokShopError, UserError) as error:
            _logger.info("TikTok order events of shop %s failed: %s", shop.id, error)
            for event in events:
                event._set_outcome(error=str(error))
            return
        for event in events:
            errors = [failures[oid] for oid in event._order_ids() if oid in failures]
            summary = f"{log.created_count} created, {log.updated_count} updated in its batch"
            event._set_outcome(result=summary, error="; ".join(errors))

    def _already_applied(self, shop):
        """The events about an order Odoo already holds in this version or a newer one.

        Redeliveries, and events that queued up behind an outage, then cost no call to TikTok:
        the import would read the order again only to skip it. An order still waiting for a SKU
        mapping is not one of them: its import rebuilds it whatever the version.
        """
        versions = {}
        for event in self:
            data = json.loads(event.payload or "{}").get("data") or {}
            if data.get("order_id") and data.get("update_time"):
                versions[event] = (str(data["order_id"]), int(data["update_time"]))
        orders = self.env["sale.order"].search(
            [
                ("tiktok_shop_id", "=", shop.id),
                ("tiktok_order_id", "in", [order_id for order_id, _time in versions.values()]),
                ("tiktok_unmapped_sku_ids", "=", False),
            ]
        )
        held = {order.tiktok_order_id: order.tiktok_update_time for order in orders}
        return self.filtered(
            lambda event: (
                event in versions and held.get(versions[event][0], -1) >= versions[event][1]
            )
        )

    def _set_outcome(self, result=False, error=False):
        attempts = self.attempts + 1
        values = {"attempts": attempts, "result": result, "error": error or False}
        if error:
            delays = const.WEBHOOK_RETRY_DELAYS
            values["state"] = "failed"
            values["retry_at"] = fields.Datetime.now() + delays[min(attempts, len(delays)) - 1]
        else:
            values.update(state="done", processed_at=fields.Datetime.now())
        self.write(values)

    def _process(self):
        self.ensure_one()
        handler = const.WEBHOOK_HANDLERS.get(self.event_type)
        if not handler:
            self.write({"state": "ignored", "processed_at": fields.Datetime.now()})
            return
        notification = json.loads(self.payload or "{}")
        try:
            with self.env.cr.savepoint():
                result = getattr(self, handler)(notification.get("data") or {})
        except RECORD_SYNC_ERRORS as error:
            _logger.info("TikTok webhook event %s failed: %s", self.id, error)
            self._set_outcome(error=str(error))
            return
        self._set_outcome(result=result)

    def action_replay(self):
        """Process the events again now, whatever their state (a manager's explicit request)."""
        for event in self:
            event.write({"state": "pending", "error": False})
            event._process()
        return True

    def _require_shop(self):
        if not self.shop_id:
            raise ValueError(f"no shop of this account has the TikTok id {self.tiktok_shop_id}")
        return self.shop_id

    # === HANDLERS (each re-reads the resource through the API) === #

    def _handle_order_event(self, data):
        shop = self._require_shop()
        order_id = str(data["order_id"])
        return shop._tiktok_on_order_event([order_id])

    def _handle_package_event(self, data):
        shop = self._require_shop()
        order_ids = sorted(
            {
                str(oid)
                for pkg in data.get("package_list") or []
                for oid in pkg.get("order_id_list") or []
            }
        )
        return shop._tiktok_on_order_event(order_ids)

    def _handle_cancellation_event(self, data):
        shop = self._require_shop()
        return shop._tiktok_on_order_event([str(data["order_id"])])

    def _handle_return_event(self, data):
        shop = self._require_shop()
        return shop._tiktok_on_return_event(str(data["return_id"]), str(data.get("order_id") or ""))

    def _handle_product_event(self, data):
        shop = self._require_shop()
        return shop._tiktok_on_product_event(str(data["product_id"]))

    def _handle_deauthorization(self, data):
        shop = self._require_shop()
        reason = self.env._("The seller deauthorized this shop on TikTok: sync stopped.")
        shop.write({"authorized": False})
        shop.action_stop_sync(reason)
        shop.account_id._tiktok_notify_managers(self.env._("TikTok shop deauthorized"), reason)
        return reason

    def _handle_authorization_expiry(self, data):
        account = self.account_id
        expires_at = datetime.utcfromtimestamp(int(data["expiration_time"]))
        account.authorization_expiry_notice = expires_at
        already_reminded = account.activity_ids.filtered(
            lambda a: a.summary == REMINDER_SUMMARY and a.date_deadline == expires_at.date()
        )
        if not already_reminded:
            account._tiktok_notify_managers(
                REMINDER_SUMMARY,
                self.env._("The TikTok authorization ends on %s: click Re-authorize.", expires_at),
                date_deadline=expires_at.date(),
            )
        return f"authorization ends {expires_at:%Y-%m-%d %H:%M} UTC"


REMINDER_SUMMARY = "Re-authorize TikTok Shop before it expires"


def dedupe_key(notification):
    """TikTok's notification id, or a stable key from the content for payloads without one."""
    if notification.get("tts_notification_id"):
        return f"id:{notification['tts_notification_id']}"
    data = notification.get("data") or {}
    parts = [
        notification.get("type"),
        notification.get("shop_id"),
        data.get("order_id") or data.get("return_id") or data.get("cancel_id"),
        data.get("product_id"),
        data.get("order_status") or data.get("return_status") or data.get("cancel_status"),
        data.get("update_time") or data.get("create_time") or notification.get("timestamp"),
    ]
    return "content:" + "|".join("" if part is None else str(part) for part in parts)
