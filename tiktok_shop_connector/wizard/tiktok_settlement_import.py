from datetime import UTC, datetime, time, timedelta

from odoo import fields, models

from ..tools import CLOSE_DIALOG, RECORD_SYNC_ERRORS, check_manager, notification

DEFAULT_DAYS_BACK = 30


class TikTokSettlementImport(models.TransientModel):
    """Import a shop's settlements on demand: the statements of the days since a date, their
    payouts, and TikTok's estimates for the orders not settled yet."""

    _name = "tiktok.settlement.import"
    _description = "Import TikTok settlements"

    shop_id = fields.Many2one("tiktok.shop", required=True)
    since = fields.Date(
        string="Statements since",
        required=True,
        default=lambda self: fields.Date.context_today(self) - timedelta(days=DEFAULT_DAYS_BACK),
        help="TikTok cuts one statement a day (UTC); those of this day and after are imported.",
    )

    def action_import(self):
        check_manager(self.env)
        self.ensure_one()
        try:
            # A TikTok manager need not be a salesman or an accountant: the import books the
            # statements as the hourly sync does.
            log = self.shop_id.sudo()._tiktok_sync_settlements(
                since=self._statement_time_from(), trigger="manual"
            )
        except RECORD_SYNC_ERRORS as error:
            # The sync log says it failed too; what was imported before the error is kept.
            title = self.env._("TikTok settlements not imported")
            return notification(str(error), "danger", title, then=CLOSE_DIALOG, sticky=True)
        message = self.env._(
            "%(created)s new statements, %(updated)s updated by TikTok, %(skipped)s unchanged.",
            created=log.created_count,
            updated=log.updated_count,
            skipped=log.skipped_count,
        )
        title = self.env._("TikTok settlements imported")
        return notification(message, "success", title, then=CLOSE_DIALOG)

    def _statement_time_from(self):
        # A statement's time is the midnight (UTC) that ends its day: the day `since` ends
        # after its own midnight.
        start = datetime.combine(self.since, time.min, tzinfo=UTC)
        return int(start.timestamp()) + 1
