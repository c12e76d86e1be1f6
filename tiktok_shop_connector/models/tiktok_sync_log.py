import logging
from contextlib import contextmanager
from datetime import timedelta

from odoo import api, fields, models

from .. import const
from ..tools import report_bugs

_logger = logging.getLogger(__name__)

SYNC_LOG_KINDS = [
    ("orders", "Orders"),
    ("stock", "Stock"),
    ("catalog", "Catalog"),
    ("fees", "Fees and settlements"),
    ("affiliates", "Creator affiliates"),
    ("returns", "Returns"),
    ("fulfillment", "Tracking and cancellations"),
]


class TikTokSyncLog(models.Model):
    """One run of one sync for one shop: when, what it did, and what went wrong."""

    _name = "tiktok.sync.log"
    _description = "TikTok Shop sync log"
    _order = "started_at desc, id desc"
    _rec_name = "kind"

    shop_id = fields.Many2one("tiktok.shop", required=True, ondelete="cascade", index=True)
    account_id = fields.Many2one(related="shop_id.account_id", store=True)
    kind = fields.Selection(SYNC_LOG_KINDS, required=True)
    trigger = fields.Char(help="What started the run: cron, webhook, or a user's action.")
    started_at = fields.Datetime(required=True, default=fields.Datetime.now)
    ended_at = fields.Datetime()
    state = fields.Selection(
        [
            ("running", "Running"),
            ("done", "Done"),
            ("partial", "Done with errors"),
            ("failed", "Failed"),
        ],
        default="running",
        required=True,
        index=True,
    )
    created_count = fields.Integer(string="Created")
    updated_count = fields.Integer(string="Updated")
    skipped_count = fields.Integer(string="Unchanged")
    failed_count = fields.Integer(string="Failed")
    message = fields.Text()
    failed_update_time = fields.Integer(
        help="Oldest TikTok update_time among the records that failed: polling resumes there."
    )

    @api.autovacuum
    def _gc_old_logs(self):
        cutoff = fields.Datetime.now() - timedelta(days=const.SYNC_LOG_RETENTION_DAYS)
        self.search([("started_at", "<", cutoff), ("state", "!=", "running")]).unlink()

    def _count(self, outcome, number=1):
        """Add to one of the counters: created, updated, skipped or failed."""
        self.ensure_one()
        field = f"{outcome}_count"
        self[field] += number

    def _note(self, line):
        self.ensure_one()
        self.message = f"{self.message}\n{line}" if self.message else line

    def _close(self, error=None):
        self.ensure_one()
        if error:
            state = "failed"
            self._note(str(error))
        else:
            state = "partial" if self.failed_count else "done"
        self.write({"state": state, "ended_at": fields.Datetime.now()})


class TikTokShopSyncLog(models.Model):
    _inherit = "tiktok.shop"

    sync_log_ids = fields.One2many("tiktok.sync.log", "shop_id", string="Sync log")

    @contextmanager
    def _tiktok_sync_run(self, kind, trigger="cron"):
        """Record one sync run: yields its log, closed as done, partial or failed.

        An error ends the run as failed with its message, and is re-raised so the caller's cron
        or button reports it too; an unexpected one is logged with its traceback and raised as a
        `SyncBug`, which the log's message names as a bug.
        """
        self.ensure_one()
        log = (
            self.env["tiktok.sync.log"]
            .sudo()
            .create({"shop_id": self.id, "kind": kind, "trigger": trigger})
        )
        try:
            with report_bugs(f"the {kind} of shop {self.id}"):
                yield log
        except Exception as error:
            _logger.info("TikTok %s sync of shop %s failed: %s", kind, self.id, error)
            log._close(error)
            raise
        log._close()

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
