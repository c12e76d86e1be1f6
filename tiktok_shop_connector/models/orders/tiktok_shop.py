import logging
import time
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from psycopg2 import IntegrityError
from psycopg2.errors import SerializationFailure

from ... import const
from ...tiktok_shop import TikTokDataError, TikTokShopError, endpoints
from ...tiktok_shop.affiliates import attributions, read_affiliate_order
from ...tiktok_shop.order_mapping import (
    PAID_STATUSES,
    live_windows,
    map_order,
    order_reference,
    source_tag,
)
from ...tools import RECORD_SYNC_ERRORS, SyncBug, check_manager, report_bugs
from ...tools.order_builder import ConcurrentImport, OrderBuilder

_logger = logging.getLogger(__name__)

# Imported orders and their pickings skip the chatter's creation notes, field tracking and
# follower subscriptions: a LIVE burst brings hundreds a minute, and TikTok keeps their history.
IMPORT_CONTEXT = {"tracking_disable": True}
DEFAULT_STATUSES_TO_IMPORT = "ON_HOLD,AWAITING_SHIPMENT,AWAITING_COLLECTION"
# What an order import may fail with and still leave the rest of the batch to go on.
# A serialization failure is another worker's commit on a row the order needs (a stock quant).
ORDER_ERRORS = (*RECORD_SYNC_ERRORS, ConcurrentImport, SerializationFailure)


class TikTokShopOrders(models.Model):
    _inherit = "tiktok.shop"

    order_statuses_to_import = fields.Char(
        string="Statuses that create orders",
        default=DEFAULT_STATUSES_TO_IMPORT,
        required=True,
        help="Comma-separated TikTok order statuses. UNPAID never creates an order; ON_HOLD "
        "reserves stock and keeps the delivery waiting until TikTok's hold ends.",
    )
    auto_confirm_orders = fields.Boolean(
        string="Confirm on import", default=True, help="Pickings exist as soon as an order lands."
    )
    tax_id = fields.Many2one(
        "account.tax",
        string="Odoo tax",
        check_company=True,
        domain="[('type_tax_use', '=', 'sale')]",
        help="The seller's tax on TikTok orders when the seller collects it (UK and EU VAT): "
        "pick one included in the price, as TikTok's prices are. Not applied when TikTok "
        "collects the tax.",
    )
    orders_high_water_mark = fields.Integer(
        compute="_compute_high_water_marks",
        help="TikTok update_time (Unix seconds) up to which every order was imported.",
    )
    orders_first_sync_days = fields.Integer(
        string="First sync: days back", default=3, help="How far back the first poll looks."
    )
    sale_order_count = fields.Integer(compute="_compute_sale_order_count")

    _first_sync_days_positive = models.Constraint(
        "CHECK(orders_first_sync_days > 0)", "The first sync looks back at least one day."
    )

    def _compute_sale_order_count(self):
        counts = dict(
            self.env["sale.order"]._read_group(
                [("tiktok_shop_id", "in", self.ids)], ["tiktok_shop_id"], ["__count"]
            )
        )
        for shop in self:
            shop.sale_order_count = counts.get(shop, 0)

    @api.constrains("order_statuses_to_import")
    def _check_order_statuses(self):
        for shop in self:
            unknown = set(shop._tiktok_statuses_to_import()) - PAID_STATUSES
            if unknown:
                raise ValidationError(
                    self.env._(
                        "These statuses cannot create orders: %(statuses)s. Use paid statuses "
                        "among %(allowed)s.",
                        statuses=", ".join(sorted(unknown)),
                        allowed=", ".join(sorted(PAID_STATUSES)),
                    )
                )

    def _tiktok_statuses_to_import(self):
        self.ensure_one()
        statuses = (self.order_statuses_to_import or "").split(",")
        return [status.strip().upper() for status in statuses if status.strip()]

    def _tiktok_pricelist(self):
        """The shop's pricelist when it is in the shop's currency, else one made for it.

        Not written back on the shop: imports never write the shop's row (see last_sync_*).
        """
        self.ensure_one()
        if self.pricelist_id.currency_id == self.currency_id:
            return self.pricelist_id
        Pricelist = self.env["product.pricelist"].sudo()
        name = f"TikTok Shop ({self.currency_id.name})"
        domain = [("name", "=", name), ("company_id", "in", (False, self.company_id.id))]
        pricelist = Pricelist.search(domain, limit=1)
        if not pricelist:
            pricelist = Pricelist.create(
                {"name": name, "currency_id": self.currency_id.id, "company_id": self.company_id.id}
            )
        return pricelist

    # === IMPORT === #

    def _tiktok_import_order_ids(self, order_ids, trigger="webhook", failures=None):
        """Read these orders from TikTok (the payload of a webhook is never trusted) and import."""
        self.ensure_one()
        remote_orders = self._tiktok_fetch_orders(list(dict.fromkeys(order_ids)))
        return self._tiktok_import_orders(remote_orders, trigger, failures)

    def _tiktok_import_orders(self, remote_orders, trigger="cron", failures=None, log=None):
        """Create or update one sale order per TikTok order.

        New orders are created and confirmed as one batch in a savepoint (what keeps a LIVE
        burst fast); if anything in the batch fails, each order goes again in a savepoint of
        its own, so one bad order never holds the others back.

        :param dict failures: filled with {TikTok order id: error} for the orders that failed;
            a `SyncBug` error is a bug in the connector, not worth retrying before a fix
        :param log: the sync log of a run this import is part of (a poll's), else its own
        :return: the sync log of the run (counts, and the orders that failed in its message)
        """
        self.ensure_one()
        failures = {} if failures is None else failures
        with self._tiktok_sync_run("orders", trigger, log) as log:
            mapped_orders = self._tiktok_map_orders(remote_orders, log, failures)
            existing = self._tiktok_existing_orders([m.order_id for m in mapped_orders])
            builder = OrderBuilder(self)
            builder.prepare(mapped_orders)
            statuses = self._tiktok_statuses_to_import()
            new = [m for m in mapped_orders if m.order_id not in existing and m.status in statuses]
            log._count("skipped", len(mapped_orders) - len(new) - len(existing))
            new, busy = builder.ready(new)
            for order_id, error in busy.items():
                mapped = builder.mapped_by_id[order_id]
                log._count(self._tiktok_import_failed(mapped, error, log, failures))
            created = self._tiktok_create_orders_at_once(new, builder)
            if created:
                log._count("created", len(created))
            else:
                created = self._tiktok_import_each(new, {}, builder, log, failures)
            updates = [m for m in mapped_orders if m.order_id in existing]
            self._tiktok_import_each(updates, existing, builder, log, failures)
            if created:
                # Tags need two more API calls: off the path to a confirmed order.
                self.env.ref("tiktok_shop_connector.ir_cron_tag_order_sources")._trigger(
                    fields.Datetime.now() + const.SOURCE_TAG_DELAY
                )
            orders = created | self.env["sale.order"].union(*existing.values())
            with_requests = orders.filtered(
                lambda o: (
                    o.tiktok_cancel_requested
                    or builder.mapped_by_id[o.tiktok_order_ref].is_buyer_request_cancel
                )
            )
            if with_requests:
                self._tiktok_sync_cancellations(with_requests.exists())
        return log

    def _tiktok_map_orders(self, remote_orders, log, failures):
        """TikTok's orders as `MappedOrder`s, each once; one that cannot be read fails alone."""
        mapped_orders = {}
        for remote in remote_orders:
            reference = order_reference(remote)
            try:
                with report_bugs(f"order {reference.order_id}"):
                    mapped = map_order(remote)
            except (TikTokDataError, SyncBug) as error:
                log._count(self._tiktok_import_failed(reference, error, log, failures))
                continue
            mapped_orders[mapped.order_id] = mapped
        return list(mapped_orders.values())

    def _tiktok_create_orders_at_once(self, new, builder):
        """The fast path: every new order in one create and one confirmation; empty if it failed."""
        SaleOrder = self.env["sale.order"].with_context(IMPORT_CONTEXT)
        if not new:
            return SaleOrder
        try:
            with self.env.cr.savepoint():
                orders = SaleOrder.create([builder.values(mapped) for mapped in new])
                for order, mapped in zip(orders, new, strict=True):
                    order._tiktok_round_to_total(mapped, builder)
                self._tiktok_finish_created(orders, new)
                orders.flush_recordset()
                return orders
        except Exception as error:  # whatever it is, one by one tells which order and why
            _logger.info("TikTok shop %s: batch import fell back to one by one: %s", self.id, error)
            return SaleOrder

    def _tiktok_import_each(self, mapped_orders, existing, builder, log, failures):
        """Create or update orders one savepoint each; return the ones created."""
        created = self.env["sale.order"]
        for mapped in mapped_orders:
            order = existing.get(mapped.order_id)
            try:
                with self.env.cr.savepoint(), report_bugs(f"order {mapped.order_id}", ORDER_ERRORS):
                    if order:
                        outcome = order._tiktok_apply_update(mapped, builder)
                    else:
                        new_order = (
                            self.env["sale.order"]
                            .with_context(IMPORT_CONTEXT)
                            .create(builder.values(mapped))
                        )
                        new_order._tiktok_round_to_total(mapped, builder)
                        self._tiktok_finish_created(new_order, [mapped])
                        new_order.flush_recordset()
                        created |= new_order
                        outcome = "created"
            except IntegrityError:
                # Another worker imported it since this transaction began: a retry sees it and
                # applies this version if it is newer.
                error = ConcurrentImport(f"order {mapped.order_id} is being imported elsewhere")
                outcome = self._tiktok_import_failed(mapped, error, log, failures)
            except (*ORDER_ERRORS, SyncBug) as error:
                outcome = self._tiktok_import_failed(mapped, error, log, failures)
            log._count(outcome)
        return created

    def _tiktok_import_failed(self, mapped, error, log, failures):
        """Record why an order failed; the poll's mark stays before it so it is tried again.

        :param mapped: a `MappedOrder`, or the `OrderReference` of an order the mapping refused
        """
        failures[mapped.order_id] = error
        log._note(f"order {mapped.order_id}: {error}")
        update_time = mapped.update_time
        if update_time:
            log.failed_update_time = min(log.failed_update_time or update_time, update_time)
        return "failed"

    def _tiktok_finish_created(self, orders, mapped_orders):
        """Link replacements to their originals and confirm what is complete."""
        originals = self._tiktok_existing_orders(
            [m.replaced_order_id for m in mapped_orders if m.is_replacement and m.replaced_order_id]
        )
        for order in orders.filtered("tiktok_replaced_order_ref"):
            order.tiktok_original_order_id = originals.get(order.tiktok_replaced_order_ref)
        if self.auto_confirm_orders:
            complete = orders.filtered(lambda order: not order.tiktok_unmapped_sku_ids)
            complete._tiktok_confirm_deferring_reservation()

    def _tiktok_existing_orders(self, order_ids):
        orders = self.env["sale.order"].search(
            [("tiktok_shop_id", "=", self.id), ("tiktok_order_ref", "in", order_ids)]
        )
        return {order.tiktok_order_ref: order for order in orders}

    # === SOURCE TAGS === #

    @api.model
    def _cron_tag_order_sources(self):
        """Tag the orders imported lately that have no source tag yet, shop by shop."""
        since = fields.Datetime.now() - timedelta(days=const.SOURCE_TAG_DAYS)
        domain = [
            ("tiktok_shop_id", "!=", False),
            ("tiktok_source", "=", False),
            ("create_date", ">=", since),
        ]
        orders = self.env["sale.order"].search(domain, limit=const.SOURCE_TAG_BATCH_SIZE)
        groups = orders.grouped("tiktok_shop_id")
        self.env["tiktok.runner"]._run_units(
            list(groups), lambda shop: shop._tiktok_tag_sources(groups[shop])
        )

    def _tiktok_tag_sources(self, orders):
        """Tag new orders shop_tab / video / live / affiliate, with their creator.

        One affiliate-orders search and one LIVE-sessions read cover the whole batch. When they
        fail, orders stay untagged and the next run tries again.
        """
        if not orders:
            return
        times = {order.tiktok_order_ref: order.tiktok_create_time for order in orders}
        start, end = min(times.values()), max(times.values())
        try:
            attributions = self._tiktok_affiliate_attributions(start, end)
            windows = self._tiktok_live_windows(start, end)
        except (TikTokShopError, TikTokDataError) as error:
            _logger.info("TikTok shop %s: source tags not read: %s", self.id, error)
            return
        tags = {}
        for order in orders:
            creator, content_type = attributions.get(order.tiktok_order_ref, ("", None))
            tag = source_tag(times[order.tiktok_order_ref], content_type, windows)
            tags.setdefault((tag, creator or False), []).append(order.id)
        for (tag, creator), ids in tags.items():  # one write per tag and creator
            self.env["sale.order"].browse(ids).write(
                {"tiktok_source": tag, "tiktok_creator_username": creator}
            )

    def _tiktok_affiliate_attributions(self, start, end):
        if not self.sync_affiliates:
            return {}
        return attributions(self._tiktok_affiliate_orders(start, end))

    def _tiktok_affiliate_orders(self, start, end=None):
        """The shop's affiliate orders created from `start` to `end` (Unix seconds, both
        included; `end` None: up to now), read page by page (`tiktok_shop.affiliates`)."""
        window = {"create_time_ge": start}
        if end is not None:
            window["create_time_lt"] = end + 1
        results = self._tiktok_paginate(
            endpoints.AFFILIATE_ORDER_SEARCH, items_key="orders", page_size=100, json=window
        )
        for index, data in enumerate(results):
            yield read_affiliate_order(data, f"orders[{index}]")

    def _tiktok_live_windows(self, start, end):
        day = 86400
        sessions = self._tiktok_paginate(
            endpoints.SHOP_LIVE_PERFORMANCE,
            items_key="live_stream_sessions",
            page_size=100,
            params={
                "start_date_ge": time.strftime("%Y-%m-%d", time.gmtime(start - day)),
                "end_date_lt": time.strftime("%Y-%m-%d", time.gmtime(end + day)),
                "account_type": "ALL",
            },
        )
        return live_windows(sessions)

    # === POLLING: the safety net under the webhooks === #

    @api.model
    def _cron_poll_orders(self):
        """Poll every shop that is due; a shop another worker is polling is skipped."""
        now = fields.Datetime.now()
        shops = self.search([("sync_enabled", "=", True), ("sync_orders", "=", True)])
        due = shops.filtered(
            lambda shop: (
                shop._is_syncing("orders")
                and (
                    not shop.last_sync_orders
                    or shop.last_sync_orders + timedelta(minutes=shop.sync_interval_minutes) <= now
                )
            )
        )
        self.env["tiktok.runner"]._run_per_shop("orders", due, "_tiktok_poll_orders")

    def _tiktok_poll_orders(self, since=None, trigger="cron", log=None):
        """Import the orders updated since the high-water mark, minus its overlap; one sync run.

        Pages are sorted by update_time ascending; after each page the mark moves to the newest
        update_time imported, held back before the oldest order of the run that failed so the
        next poll retries it. Overlapping windows repeat some orders: their update is skipped,
        never imported twice.

        :return: the sync log of the run
        """
        self.ensure_one()
        if since is None:
            since = self._tiktok_mark_start("orders", self.orders_first_sync_days * 86400)
        with self._tiktok_sync_run("orders", trigger, log) as log:
            page_token = None
            while True:
                params = {"page_size": 100, "sort_field": "update_time", "sort_order": "ASC"}
                if page_token:
                    params["page_token"] = page_token
                # Through the shop each time: committing a page closes the client that read it.
                data = self._tiktok_request(
                    endpoints.ORDER_SEARCH,
                    params=params,
                    json={"update_time_ge": since},
                )
                remote_orders = data.get("orders") or []
                if remote_orders:
                    self._tiktok_import_orders(remote_orders, trigger, log=log)
                    failed = [log.failed_update_time] if log.failed_update_time else []
                    self._tiktok_mark_advance("orders", remote_orders, failed)
                    self.env["ir.cron"]._commit_progress()
                page_token = data.get("next_page_token")
                if not page_token:
                    break
        return log

    # === ACTIONS === #

    def action_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action["domain"] = [("tiktok_shop_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_poll_orders_now(self):
        check_manager(self.env)
        for shop in self:
            shop._tiktok_poll_orders(trigger="manual")
        return True
