import logging
import time
from contextlib import contextmanager

from odoo import api, fields, models
from odoo.exceptions import UserError

from ... import const
from ...tiktok_shop import endpoints, paginate
from ...tiktok_shop.high_water_mark import advanced_mark, window_start
from ...tools import SyncBug, create_unless_concurrent, report_bugs
from .tiktok_runner import EXPECTED_ERRORS

_logger = logging.getLogger(__name__)


class TikTokShop(models.Model):
    """One TikTok shop an account's seller authorized: its market, and how Odoo syncs with it."""

    _name = "tiktok.shop"
    _description = "TikTok Shop"
    _inherit = ["mail.thread"]
    _order = "account_id, name, id"

    name = fields.Char(required=True, tracking=True)
    account_id = fields.Many2one(
        "tiktok.account", required=True, ondelete="restrict", index=True, tracking=True
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    tiktok_shop_ref = fields.Char(string="TikTok shop id", required=True, readonly=True, copy=False)
    cipher = fields.Char(string="Shop cipher", readonly=True, copy=False)
    code = fields.Char(string="Shop code", readonly=True, copy=False)
    region = fields.Char(readonly=True, help="ISO 3166 country code of the market (UK is GB).")
    seller_type = fields.Selection(
        [("LOCAL", "Local"), ("CROSS_BORDER", "Cross-border")], readonly=True
    )
    currency_id = fields.Many2one("res.currency", required=True)
    language = fields.Char(readonly=True, help="TikTok locale of the market, e.g. en-US.")
    authorized = fields.Boolean(
        default=True, readonly=True, copy=False, help="False once the seller deauthorized it."
    )
    sync_enabled = fields.Boolean(
        string="Sync", default=True, tracking=True, help="Master switch of every sync below."
    )
    sync_interval_minutes = fields.Integer(string="Sync every (minutes)", default=5)
    sync_orders = fields.Boolean(string="Orders", default=True)
    sync_stock = fields.Boolean(string="Stock", default=True)
    sync_catalog = fields.Boolean(string="Catalog", default=True)
    sync_fees = fields.Boolean(string="Fees and settlements", default=True)
    sync_affiliates = fields.Boolean(string="Creator affiliates", default=True)
    sync_returns = fields.Boolean(string="Returns", default=True)
    # Read from the sync logs rather than stored here: every import would otherwise write this
    # row, and two workers syncing one shop would conflict on it.
    last_sync_orders = fields.Datetime(compute="_compute_last_syncs")
    last_sync_stock = fields.Datetime(compute="_compute_last_syncs")
    last_sync_catalog = fields.Datetime(compute="_compute_last_syncs")
    last_sync_fees = fields.Datetime(compute="_compute_last_syncs")
    last_sync_affiliates = fields.Datetime(compute="_compute_last_syncs")
    last_sync_returns = fields.Datetime(compute="_compute_last_syncs")
    last_sync_error = fields.Text(compute="_compute_last_syncs")
    last_error = fields.Text(
        readonly=True, copy=False, help="Why the sync was stopped (e.g. the seller deauthorized)."
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="Default warehouse",
        check_company=True,
        help="Where TikTok orders of this shop are shipped from.",
    )
    stock_warehouse_ids = fields.Many2many(
        "stock.warehouse",
        string="Warehouses it may sell from",
        check_company=True,
        help="Their free quantity is what this shop shows on TikTok. Empty: the default one.",
    )
    pricelist_id = fields.Many2one(
        "product.pricelist", string="TikTok pricelist", check_company=True
    )
    team_id = fields.Many2one("crm.team", string="Sales team", check_company=True)
    order_prefix = fields.Char(default="TT-", help="Put before the TikTok order id in Odoo.")
    live_reserve_buffer_percent = fields.Float(
        string="LIVE reserve buffer (%)",
        default=10.0,
        help="Share of a product's stock held back from other channels during a LIVE event.",
    )
    live_flash_sale_lock = fields.Boolean(
        string="Lock flash-sale stock",
        help="During a LIVE event, stock reserved for flash-sale products is sold only on TikTok.",
    )
    live_release_delay_minutes = fields.Integer(
        string="Release after LIVE (minutes)",
        default=30,
        help="How long unsold LIVE reservations stay held after the event ends.",
    )
    token_expires_at = fields.Datetime(related="account_id.access_token_expires_at")
    account_state = fields.Selection(related="account_id.state")

    _tiktok_shop_ref_unique = models.Constraint(
        "unique(tiktok_shop_ref)", "This TikTok shop is already linked to an account."
    )
    _sync_interval_positive = models.Constraint(
        "CHECK(sync_interval_minutes > 0)", "The sync interval must be at least one minute."
    )
    _live_buffer_range = models.Constraint(
        "CHECK(live_reserve_buffer_percent >= 0 AND live_reserve_buffer_percent <= 100)",
        "The LIVE reserve buffer is a percentage between 0 and 100.",
    )

    @api.model
    def _values_from_authorized_shop(self, remote, account):
        """Field values of a shop from one entry of Get Authorized Shops."""
        region = (remote.get("region") or "").upper()
        values = {
            "name": remote.get("name") or remote.get("code") or remote["id"],
            "account_id": account.id,
            "company_id": account.company_id.id,
            "tiktok_shop_ref": str(remote["id"]),
            "cipher": remote.get("cipher"),
            "code": remote.get("code"),
            "region": region,
            "seller_type": remote.get("seller_type") or "LOCAL",
            "currency_id": self._currency_of_region(region).id,
            "language": const.REGION_LOCALE.get(region),
            "authorized": True,
        }
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", account.company_id.id)], limit=1
        )
        if warehouse:
            values["warehouse_id"] = warehouse.id
        return values

    @api.model
    def _currency_of_region(self, region):
        """The market's currency, activated in Odoo if it was not yet."""
        code = const.REGION_CURRENCY.get(region)
        if not code:
            raise UserError(self.env._("TikTok Shop region %s is not supported.", region or "?"))
        currency = self._tiktok_currency_named(code)
        if not currency:
            raise UserError(
                self.env._(
                    "The currency %(code)s of region %(region)s is missing in Odoo.",
                    code=code,
                    region=region,
                )
            )
        if not currency.active:
            currency.sudo().active = True
        return currency

    @api.model
    def _tiktok_currency_named(self, code):
        """Odoo's currency of ISO code `code`, active or not (empty when Odoo has none)."""
        Currency = self.env["res.currency"].with_context(active_test=False)
        return Currency.search([("name", "=", code)], limit=1)

    def _is_syncing(self, kind):
        """True when `kind` (one of const.SYNC_KINDS) should run for this shop now."""
        self.ensure_one()
        return (
            self.active
            and self.authorized
            and self.sync_enabled
            and self.account_id.state == "connected"
            and self[f"sync_{kind}"]
        )

    def _tiktok_client(self):
        """This transaction's client of the shop's account."""
        self.ensure_one()
        return self.account_id._tiktok_client()

    def _tiktok_request(self, endpoint, **kwargs):
        """Call `endpoint` (an entry of `tiktok_shop.endpoints`) with this shop's cipher."""
        self.ensure_one()
        return self._tiktok_client().request(endpoint, shop_cipher=self.cipher, **kwargs)

    def _tiktok_paginate(self, endpoint, **kwargs):
        """The items of every page of `endpoint`, each page sent by the client of the transaction
        it is read in: a run that commits between pages never uses a closed client."""
        self.ensure_one()
        return paginate(self._tiktok_request, endpoint, **kwargs)

    def action_stop_sync(self, reason):
        for shop in self:
            shop.write({"sync_enabled": False, "last_error": reason})
            shop.message_post(body=reason)

    # === WEBHOOK FOLLOW-UPS (the resource is re-read, never taken from the payload) === #

    def _tiktok_fetch_orders(self, order_ids):
        """Order detail for up to 50 ids per call, as TikTok allows."""
        self.ensure_one()
        orders = []
        for start in range(0, len(order_ids), 50):
            data = self._tiktok_request(
                endpoints.ORDER_DETAIL, params={"ids": order_ids[start : start + 50]}
            )
            orders.extend(data.get("orders") or [])
        return orders

    def _tiktok_on_return_event(self, return_id, order_id):
        data = self._tiktok_request(
            endpoints.RETURN_SEARCH,
            params={"page_size": 10},
            json={"return_ids": [return_id]},
        )
        returns = data.get("return_orders") or []
        return ", ".join(f"return {r.get('return_id')}: {r.get('return_status')}" for r in returns)

    def _tiktok_on_product_event(self, product_id):
        """Bring the product's status and audit failure reasons back onto its listings."""
        data = self.env["tiktok.product"]._tiktok_refresh_remote(self, product_id)
        return f"product {data.get('id')}: {data.get('status')}"


class TikTokShopSyncLog(models.Model):
    """The shop's sync runs: their logs, and the high-water marks of the syncs that read TikTok
    by update time."""

    _inherit = "tiktok.shop"

    sync_log_ids = fields.One2many("tiktok.sync.log", "shop_id", string="Sync log")
    sync_mark_ids = fields.One2many("tiktok.sync.mark", "shop_id", string="High-water marks")

    @contextmanager
    def _tiktok_sync_run(self, kind, trigger="cron", log=None):
        """Record one sync run: yields its log, closed as done, partial or failed.

        A TikTok or user error, or a bug (logged with its traceback and raised as a `SyncBug`,
        which the log's message names), ends the run as failed and is re-raised so the caller's
        cron or button reports it too; the runner records a bug again after rolling its work back.
        Given the `log` of a run already open (the runner's, or a poll's around its pages), the
        work joins that run: its counts add up there, and the run that opened it closes it.
        """
        self.ensure_one()
        if log:
            yield log
            return
        log = (
            self.env["tiktok.sync.log"]
            .sudo()
            .create({"shop_id": self.id, "kind": kind, "trigger": trigger})
        )
        try:
            with report_bugs(f"the {kind} of shop {self.id}"):
                yield log
        except (*EXPECTED_ERRORS, SyncBug) as error:
            _logger.info("TikTok %s sync of shop %s failed: %s", kind, self.id, error)
            log._close(error)
            raise
        log._close()

    # === HIGH-WATER MARKS (tiktok.sync.mark) === #

    def _tiktok_sync_mark(self, kind):
        self.ensure_one()
        return (
            self.env["tiktok.sync.mark"]
            .sudo()
            .search([("shop_id", "=", self.id), ("kind", "=", kind)])
        )

    def _tiktok_mark_start(self, kind, first_sync_seconds=None):
        """The update_time a sync of `kind` reads from: its mark less the kind's overlap.

        Before its first run: `first_sync_seconds` back from now, or None (everything).
        """
        mark = self._tiktok_sync_mark(kind).update_time
        if mark:
            return window_start(mark, const.SYNC_MARK_OVERLAP_SECONDS[kind])
        if first_sync_seconds is None:
            return None
        return int(time.time()) - first_sync_seconds

    def _tiktok_mark_advance(self, kind, records, failed_update_times=()):
        """Move the mark of `kind` to the newest update_time of `records`, held before the oldest
        of `failed_update_times`; never backwards.

        Called by the sync's run, which the runner gives to one worker per shop at a time; a
        first mark another transaction is creating at the same moment is left to it.
        """
        mark = self._tiktok_sync_mark(kind)
        newest = advanced_mark(mark.update_time, records, failed_update_times)
        if newest == mark.update_time:
            return
        if mark:
            mark.update_time = newest
        else:
            create_unless_concurrent(
                self.env["tiktok.sync.mark"].sudo(),
                {"shop_id": self.id, "kind": kind, "update_time": newest},
            )

    @api.depends("sync_mark_ids.kind", "sync_mark_ids.update_time")
    def _compute_high_water_marks(self):
        """`<kind>_high_water_mark` of each sync with a mark (the orders and catalog concerns
        declare theirs with this compute)."""
        for shop in self:
            marks = {mark.kind: mark.update_time for mark in shop.sudo().sync_mark_ids}
            for kind in const.SYNC_MARK_OVERLAP_SECONDS:
                field_name = f"{kind}_high_water_mark"
                if field_name in self._fields:
                    shop[field_name] = marks.get(kind, 0)

    def _compute_last_syncs(self):
        """Last successful run per kind, and the error of the latest run when it failed."""
        Log = self.env["tiktok.sync.log"].sudo()
        finished = Log._read_group(
            [("shop_id", "in", self.ids), ("state", "in", ("done", "partial"))],
            ["shop_id", "kind"],
            ["started_at:max"],
        )
        last = {(shop.id, kind): started for shop, kind, started in finished}
        for shop in self:
            for kind in const.SYNC_KINDS:
                shop[f"last_sync_{kind}"] = last.get((shop.id, kind), False)
            latest = Log.search([("shop_id", "=", shop.id)], limit=1)
            shop.last_sync_error = latest.message if latest.state == "failed" else False
