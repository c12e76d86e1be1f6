from odoo import fields, models

from .tiktok_sync_log import SYNC_LOG_KINDS


class TikTokSyncMark(models.Model):
    """How far one sync of one shop has read TikTok: its high-water mark.

    The newest TikTok update_time up to which every record of its kind was imported; the next run
    reads from there (see tiktok_shop/high_water_mark.py). A row of its own per (shop, kind)
    rather than a field on the shop: the sync that moves it never writes the shop's row, which
    users edit and other syncs of the shop read at the same time. Only the worker the runner lets
    run the sync moves the mark (tiktok.shop._tiktok_mark_advance).
    """

    _name = "tiktok.sync.mark"
    _description = "TikTok Shop sync high-water mark"
    _rec_name = "kind"

    shop_id = fields.Many2one("tiktok.shop", required=True, ondelete="cascade", index=True)
    kind = fields.Selection(SYNC_LOG_KINDS, required=True)
    update_time = fields.Integer(
        string="Imported up to",
        help="TikTok update_time (Unix seconds) up to which every record was imported.",
    )

    _shop_kind_unique = models.Constraint(
        "unique(shop_id, kind)", "A shop has one high-water mark per sync."
    )
