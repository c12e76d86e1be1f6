import json
import logging
from datetime import datetime

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from ... import const
from ...tiktok_shop import TikTokDataError, webhooks
from ...tiktok_shop.payload import integer, required_id, text
from ...tools import RECORD_SYNC_ERRORS, SyncBug, report_bugs

_logger = logging.getLogger(__name__)


class TikTokWebhookEvent(models.Model):
    """One push notification from TikTok, stored once and processed after the HTTP answer."""

    _name = "tiktok.webhook.event"
    _description = "TikTok Shop webhook event"
    _order = "received_at desc, id desc"
    _rec_name = "dedupe_key"

    account_id = fields.Many2one("tiktok.account", required=True, ondelete="cascade", index=True)
    shop_id = fields.Many2one("tiktok.shop", ondelete="set null", index=True)
    tiktok_shop_ref = fields.Char(string="TikTok shop id")
    tiktok_notification_ref = fields.Char(string="Notification id", readonly=True)
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
            [("tiktok_shop_ref", "=", shop_tiktok_id), ("account_id", "=", account.id)], limit=1
        )
        self.env.cr.execute(
            """
            INSERT INTO tiktok_webhook_event
                (account_id, shop_id, tiktok_shop_ref, tiktok_notification_ref, dedupe_key,
                 event_type, type_name, payload, received_at, state, attempts, create_uid,
                 write_uid, create_date, write_date)
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
        """Process these events: the order events of each shop together, the others one by one.

        Each event's payload is parsed once, here.
        """
        data_by_event = {event: event._data() for event in events}
        order_events = events.filtered(lambda event: event.event_type in webhooks.ORDER_TOPICS)
        for shop, shop_events in order_events.grouped("shop_id").items():
            shop_events._process_order_events(shop, data_by_event)
        for event in events - order_events:
            event._process(data_by_event[event])

    def _data(self):
        """The `data` object of the event's payload (parsing it: see _process_batch)."""
        self.ensure_one()
        return webhooks.notification_data(self.payload)

    def _process_order_events(self, shop, data_by_event):
        """Import the orders of these events of one shop at once; each event gets its outcome.

        :param dict data_by_event: {event: the `data` object of its payload}
        """
        if not shop:
            for event in self:
                event._set_failed(UserError(event._no_shop_message()))
            return
        orders = {}  # {event: {order id: update_time or None}}
        for event in self:
            try:
                orders[event] = webhooks.pushed_orders(event.event_type, data_by_event[event])
            except TikTokDataError as error:
                event._set_failed(error)
        applied = self._already_applied(shop, orders)
        for event in applied:
            event._set_outcome(result="already up to date")
        events = self.browse([event.id for event in orders if event not in applied])
        if not events:
            return
        failures = {}
        try:
            with self.env.cr.savepoint(), report_bugs(f"the order events {events.ids}"):
                log = shop._tiktok_import_order_ids(
                    [oid for event in events for oid in orders[event]], "webhook", failures
                )
        except (*RECORD_SYNC_ERRORS, SyncBug) as error:
            events._set_failed(error)
            return
        summary = f"{log.created_count} created, {log.updated_count} updated in its batch"
        for event in events:
            errors = [failures[oid] for oid in orders[event] if oid in failures]
            event._set_outcome(
                result=summary,
                error="; ".join(map(str, errors)),
                retry=not any(isinstance(error, SyncBug) for error in errors),
            )

    def _already_applied(self, shop, orders):
        """The events about an order Odoo already holds in this version or a newer one.

        Redeliveries, and events that queued up behind an outage, then cost no call to TikTok:
        the import would read the order again only to skip it. An order still waiting for a SKU
        mapping is not one of them: its import rebuilds it whatever the version.

        :param dict orders: {event: {order id: update_time or None}} (`pushed_orders`)
        """
        # Only an event about one order at a known version tells whether Odoo holds it.
        versions = {
            event: version
            for event, pushed in orders.items()
            for version in pushed.items()
            if len(pushed) == 1 and version[1]
        }
        held_orders = self.env["sale.order"].search(
            [
                ("tiktok_shop_id", "=", shop.id),
                ("tiktok_order_ref", "in", [order_id for order_id, _time in versions.values()]),
                ("tiktok_unmapped_sku_ids", "=", False),
            ]
        )
        held = {order.tiktok_order_ref: order.tiktok_update_time for order in held_orders}
        return self.browse(
            [
                event.id
                for event, (order_id, update_time) in versions.items()
                if held.get(order_id, -1) >= update_time
            ]
        )

    def _set_failed(self, error):
        """Fail these events: tried again later, or, on a bug, only when replayed."""
        if not isinstance(error, SyncBug):
            _logger.info("TikTok webhook events %s failed: %s", self.ids, error)
        for event in self:
            event._set_outcome(error=str(error), retry=not isinstance(error, SyncBug))

    def _set_outcome(self, result=False, error=False, retry=True):
        """Record an attempt: done, or failed and due again after the next retry delay.

        :param bool retry: False for a failure no retry can mend (a bug in the connector): the
            event waits for a manual replay once the code is fixed.
        """
        attempts = self.attempts + 1
        values = {"attempts": attempts, "result": result, "error": error or False}
        if error:
            delays = const.WEBHOOK_RETRY_DELAYS
            values["state"] = "failed"
            values["retry_at"] = (
                fields.Datetime.now() + delays[min(attempts, len(delays)) - 1] if retry else False
            )
        else:
            values.update(state="done", processed_at=fields.Datetime.now())
        self.write(values)

    def _process(self, data):
        """Run the handler of the event's topic on its payload's `data`."""
        self.ensure_one()
        handler = const.WEBHOOK_HANDLERS.get(self.event_type)
        if not handler:
            self.write({"state": "ignored", "processed_at": fields.Datetime.now()})
            return
        try:
            with self.env.cr.savepoint(), report_bugs(f"webhook event {self.id}"):
                result = getattr(self, handler)(data)
        except (*RECORD_SYNC_ERRORS, SyncBug) as error:
            self._set_failed(error)
            return
        self._set_outcome(result=result)

    def action_replay(self):
        """Process the events again now, whatever their state (a manager's explicit request)."""
        self.write({"state": "pending", "error": False})
        self._process_batch(self)
        return True

    def _no_shop_message(self):
        return self.env._(
            "No shop of this account has the TikTok id %s.", self.tiktok_shop_ref or ""
        )

    def _require_shop(self):
        if not self.shop_id:
            raise UserError(self._no_shop_message())
        return self.shop_id

    # === HANDLERS (each re-reads the resource through the API) === #

    def _handle_return_event(self, data):
        shop = self._require_shop()
        return shop._tiktok_on_return_event(
            required_id(data, "return_id", "data"), text(data, "order_id", "data")
        )

    def _handle_product_event(self, data):
        shop = self._require_shop()
        return shop._tiktok_on_product_event(required_id(data, "product_id", "data"))

    def _handle_deauthorization(self, data):
        shop = self._require_shop()
        reason = self.env._("The seller deauthorized this shop on TikTok: sync stopped.")
        shop.write({"authorized": False})
        shop.action_stop_sync(reason)
        shop.account_id._tiktok_notify_managers(self.env._("TikTok shop deauthorized"), reason)
        return reason

    def _handle_authorization_expiry(self, data):
        account = self.account_id
        expiration_time = integer(data, "expiration_time", "data")
        if not expiration_time:
            raise TikTokDataError("data.expiration_time", "is missing")
        expires_at = datetime.utcfromtimestamp(expiration_time)
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
