import logging
import time
from datetime import UTC, timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ...tiktok_shop import TikTokDataError, TikTokShopError, endpoints
from ...tiktok_shop.live_events import (
    MIXED,
    flash_sales_in_window,
    in_window,
    map_activity,
    order_window,
    sessions_in_window,
    wave_groups,
)
from ...tools import RELOAD_VIEW, check_manager, notification
from .tiktok_live_event_line import CLOSED_MOVE_STATES, FENCING_STATES, STOCK_FIGURES

_logger = logging.getLogger(__name__)

EVENT_STATES = [
    ("draft", "Draft"),
    ("scheduled", "Scheduled"),
    ("live", "Live now"),
    ("closing", "Ended, stock still held"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]
# A fence still held this long after its event's release time was forgotten (a crash, a stopped
# cron): the sweep releases it.
FORGOTTEN_FENCE_GRACE = timedelta(hours=1)
# Pickings a wave can take: not started, not finished.
WAVE_PICKING_STATES = ("waiting", "confirmed", "assigned")


def unix_time(value):
    """Unix seconds of an Odoo UTC datetime."""
    return int(value.replace(tzinfo=UTC).timestamp())


def reported(message, kind="success"):
    """What a button did, then the form reloaded: it shows the new state and figures."""
    return notification(message, kind, then=RELOAD_VIEW)


class TikTokLiveEvent(models.Model):
    """A TikTok LIVE of one shop: the products it features and the stock held for them.

    The stock of a LIVE is *fenced* when the event is scheduled: per featured product, an internal
    move from the warehouse's stock to its LIVE fence location, confirmed and reserved, never
    validated (one picking per event). A reservation, not a transfer, because:

    - nothing moves: on hand stays what the shelves hold, and the fence shows in Odoo as an
      ordinary reservation anyone can open;
    - the reserved units are gone from the free quantity every other channel sells from (website,
      point of sale, other marketplaces, the shop's other TikTok warehouses and other shops
      sharing the warehouse), through Odoo's own reservation, which they all respect;
    - the fence location lies outside the warehouse, so the stock push and Odoo's forecast count
      the fence as demand leaving the warehouse, never as stock to sell.

    TikTok is shown the fence (alone under the flash-sale lock, on top of the shop's share of the
    other stock without it: see `tiktok.shop._tiktok_quantities_to_show`). Each order of the
    event takes its units out of the fence before its own reservation (`tiktok.live.event.line.
    _tiktok_consume`). After the end and the release delay, what is left goes back and the
    event's deliveries are grouped in waves.
    """

    _name = "tiktok.live.event"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "TikTok LIVE event"
    _order = "planned_start desc, id desc"

    name = fields.Char(required=True, tracking=True)
    shop_id = fields.Many2one(
        "tiktok.shop", required=True, ondelete="restrict", index=True, tracking=True
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    currency_id = fields.Many2one(related="shop_id.currency_id")
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        help="Told when TikTok stops a flash sale of the event.",
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="Warehouse",
        compute="_compute_warehouse_id",
        store=True,
        readonly=False,
        check_company=True,
        help="Where the LIVE's stock is held and shipped from: the shop's default warehouse.",
    )
    planned_start = fields.Datetime(required=True, tracking=True)
    planned_end = fields.Datetime(required=True, tracking=True)
    state = fields.Selection(
        EVENT_STATES, default="draft", required=True, readonly=True, index=True, tracking=True
    )
    reserve_buffer_percent = fields.Float(
        string="Reserve buffer (%)",
        compute="_compute_shop_settings",
        store=True,
        readonly=False,
        help="Held on top of each featured quantity, against a rush over plan.",
    )
    flash_sale_lock = fields.Boolean(
        string="Lock flash-sale stock",
        compute="_compute_shop_settings",
        store=True,
        readonly=False,
        help="TikTok shows only the held stock of the featured products; what other channels "
        "sell stays theirs.",
    )
    release_delay_minutes = fields.Integer(
        string="Release after (minutes)",
        compute="_compute_shop_settings",
        store=True,
        readonly=False,
        help="How long unsold held stock waits after the end for late orders.",
    )
    live_poll_seconds = fields.Integer(
        string="Check orders every (seconds)",
        default=30,
        help="While live, TikTok's orders are read this often besides its notifications.",
    )
    line_ids = fields.One2many("tiktok.live.event.line", "event_id", string="Featured products")
    session_ids = fields.One2many("tiktok.live.session", "event_id", string="LIVE sessions")
    deal_ids = fields.One2many("tiktok.live.deal", "event_id", string="Flash sales")
    order_ids = fields.One2many("sale.order", "tiktok_live_event_id", string="Orders")
    picking_batch_ids = fields.One2many(
        "stock.picking.batch", "tiktok_live_event_id", string="Waves"
    )
    fence_picking_id = fields.Many2one(
        "stock.picking", string="Held stock", readonly=True, copy=False
    )
    order_count = fields.Integer(compute="_compute_sales")
    revenue = fields.Monetary(
        compute="_compute_sales", help="What the buyers of the event's orders paid on TikTok."
    )
    released_at = fields.Datetime(readonly=True, copy=False)

    _planned_end_after_start = models.Constraint(
        "CHECK(planned_end > planned_start)", "A LIVE event ends after it starts."
    )
    _buffer_range = models.Constraint(
        "CHECK(reserve_buffer_percent >= 0 AND reserve_buffer_percent <= 100)",
        "The reserve buffer is a percentage between 0 and 100.",
    )
    _release_delay_positive = models.Constraint(
        "CHECK(release_delay_minutes >= 0)", "The release delay cannot be negative."
    )
    _poll_interval_range = models.Constraint(
        "CHECK(live_poll_seconds >= 10)", "Orders are checked at most every 10 seconds."
    )

    @api.depends("shop_id")
    def _compute_warehouse_id(self):
        for event in self:
            event.warehouse_id = event.shop_id.warehouse_id

    @api.depends("shop_id")
    def _compute_shop_settings(self):
        for event in self:
            shop = event.shop_id
            event.reserve_buffer_percent = shop.live_reserve_buffer_percent
            event.flash_sale_lock = shop.live_flash_sale_lock
            event.release_delay_minutes = shop.live_release_delay_minutes

    def _compute_sales(self):
        # Read for TikTok users without Sales rights: the figures, not the orders, are shown.
        groups = (
            self.env["sale.order"]
            .sudo()
            ._read_group(
                [("tiktok_live_event_id", "in", self.ids), ("state", "!=", "cancel")],
                ["tiktok_live_event_id"],
                ["__count", "tiktok_total_amount:sum"],
            )
        )
        sales = {event: (count, total) for event, count, total in groups}
        for event in self:
            event.order_count, event.revenue = sales.get(event, (0, 0.0))

    def write(self, vals):
        result = super().write(vals)
        if "flash_sale_lock" in vals:
            # What TikTok shows of the fenced products changes with the lock: Odoo tells it anew.
            self.line_ids.shown_fenced_qty = 0
            self._tiktok_fence_changed()
        return result

    # === THE WINDOW === #

    def _tiktok_order_window(self):
        """(start, end) Unix seconds of the orders that belong to the event."""
        self.ensure_one()
        sessions = [
            (unix_time(s.start_time), unix_time(s.end_time))
            for s in self.session_ids
            if s.start_time and s.end_time
        ]
        return order_window(unix_time(self.planned_start), unix_time(self.planned_end), sessions)

    def _tiktok_release_time(self):
        self.ensure_one()
        return self.planned_end + timedelta(minutes=self.release_delay_minutes)

    @api.model
    def _tiktok_link_orders(self, shop, orders):
        """Link the new orders created within an event's window to it.

        One query for the shop's events holding stock; one write per event. Their LIVE tag and
        creator come from the source-tag cron, as every order's tag does (it reads the creator
        from TikTok's affiliate orders).
        """
        events = self.search([("shop_id", "=", shop.id), ("state", "in", FENCING_STATES)])
        if not events or not orders:
            return
        windows = [(event, event._tiktok_order_window()) for event in events]
        linked = {}
        for order in orders:
            for event, window in windows:
                if in_window(order.tiktok_create_time, window):
                    linked.setdefault(event, []).append(order.id)
                    break
        for event, order_ids in linked.items():
            self.env["sale.order"].browse(order_ids).write({"tiktok_live_event_id": event.id})

    # === ACTIONS === #

    def action_schedule(self):
        """Fence the stock of every featured product; refused whole when any is short."""
        check_manager(self.env)
        # Holding stock writes moves and quants: managers of TikTok need no Inventory rights.
        for event in self.sudo():
            if event.state != "draft":
                raise UserError(self.env._("Only a draft LIVE event can be scheduled."))
            event._tiktok_check_can_schedule()
            event._tiktok_fence()
            event.state = "scheduled"
        self.env.ref("tiktok_shop_connector.ir_cron_advance_live_events").sudo()._trigger(
            min(self.mapped("planned_start"))
        )
        units = sum(self.line_ids.mapped("fenced_qty"))
        return reported(
            self.env._(
                "%(units)s units of %(products)s products held for the LIVE. TikTok shows them "
                "within seconds; other channels no longer sell them.",
                units=f"{units:g}",
                products=len(self.line_ids),
            )
        )

    def action_cancel(self):
        """Cancel the event: whatever it holds goes back to every channel."""
        check_manager(self.env)
        for event in self.sudo():
            if event.state not in ("draft", *FENCING_STATES):
                raise UserError(self.env._("This LIVE event is already over."))
            released = event._tiktok_release()
            event.state = "cancelled"
            event.message_post(body=event._tiktok_released_message(released))
        return reported(self.env._("LIVE event cancelled; its held stock is back on sale."))

    def action_release_now(self):
        """End the event now, without waiting for the release delay."""
        check_manager(self.env)
        for event in self.sudo():
            if event.state not in ("live", "closing"):
                raise UserError(self.env._("Only a LIVE event that is live or ending can end."))
            event._tiktok_finish()
        return reported(
            self.env._(
                "Held stock released and %(waves)s waves made for the warehouse.",
                waves=len(self.picking_batch_ids),
            )
        )

    def action_load_deals(self):
        """Read the shop's flash sales of the event's window from TikTok and hold their limits."""
        check_manager(self.env)
        for event in self.sudo():
            if event.state not in ("draft", "scheduled"):
                raise UserError(self.env._("Flash sales are loaded before the LIVE starts."))
            event._tiktok_load_deals()
            if event.state == "scheduled":
                event._tiktok_fence()
        deals = self.deal_ids
        if not deals:
            return reported(
                self.env._(
                    "TikTok has no flash sale in this event's window. Create it in TikTok Seller "
                    "Center, then load it again."
                ),
                "warning",
            )
        return reported(
            self.env._(
                "%(count)s flash sales loaded: %(names)s. Their purchase limits are held.",
                count=len(deals),
                names=", ".join(deals.mapped("name")),
            )
        )

    def action_refresh_sessions(self):
        """Read the figures of the event's LIVE sessions from TikTok again."""
        check_manager(self.env)
        for event in self.sudo():
            event._tiktok_link_sessions()
        sessions = self.session_ids
        if not sessions:
            return reported(
                self.env._(
                    "TikTok reports no LIVE session in this event's window yet. TikTok reports "
                    "a session once it is over: try again later."
                ),
                "warning",
            )
        return reported(self.env._("Figures of %(count)s LIVE sessions read.", count=len(sessions)))

    # === THE FENCE === #

    def _tiktok_check_can_schedule(self):
        """Refuse, before anything is held, an event that cannot hold all its products."""
        self.ensure_one()
        if self.planned_end <= fields.Datetime.now():
            raise UserError(self.env._("This LIVE is already over: move its dates first."))
        if not self.line_ids:
            raise UserError(self.env._("Add the products the LIVE features first."))
        if not self.warehouse_id:
            raise UserError(self.env._("Choose the warehouse the LIVE sells from."))
        not_stored = self.line_ids.product_id.filtered(lambda product: not product.is_storable)
        if not_stored:
            raise UserError(
                self.env._(
                    "Only products tracked in stock can be held for a LIVE: %s.",
                    ", ".join(not_stored.mapped("display_name")),
                )
            )
        short = self.line_ids._tiktok_short_of_stock()
        if short:
            raise UserError(
                self.env._(
                    "Not enough free stock in %(warehouse)s to hold for the LIVE: %(short)s. "
                    "Lower the featured quantities or the buffer, or restock first.",
                    warehouse=self.warehouse_id.name,
                    short="; ".join(short),
                )
            )

    def _tiktok_fence(self):
        """Hold each line's fenced quantity: create or top up its fence move, reserved."""
        self.ensure_one()
        short = self.line_ids._tiktok_short_of_stock()
        if short:
            raise UserError(
                self.env._("Not enough free stock to hold for the LIVE: %s.", "; ".join(short))
            )
        self._tiktok_hold(self.line_ids)

    def _tiktok_hold(self, lines):
        """Bring these lines' fence moves up to their targets, reserved: a new move for a line
        whose move is gone (never made, or sold out and back to hold again)."""
        self.ensure_one()
        picking = self._tiktok_fence_picking()
        new_lines = lines.filtered(
            lambda line: (
                line.fence_move_id.state in (False, *CLOSED_MOVE_STATES)
                and line.product_id.uom_id.compare(line._tiktok_target(), 0) > 0
            )
        )
        moves = self.env["stock.move"].create(
            [line._tiktok_fence_move_values(picking) for line in new_lines]
        )
        for line, move in zip(new_lines, moves, strict=True):
            line.fence_move_id = move
        lines._tiktok_top_up_fence()
        moves._action_confirm()
        lines.fence_move_id.filtered(
            lambda move: move.state not in CLOSED_MOVE_STATES
        )._action_assign()
        lines.invalidate_recordset(STOCK_FIGURES)
        self._tiktok_fence_changed()

    def _tiktok_fence_picking(self):
        self.ensure_one()
        if self.fence_picking_id.state not in (False, "done", "cancel"):
            return self.fence_picking_id
        warehouse = self.warehouse_id
        self.fence_picking_id = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.int_type_id.id,
                "location_id": warehouse.lot_stock_id.id,
                "location_dest_id": warehouse._tiktok_live_fence_location().id,
                "origin": self.env._("LIVE: %s", self.name),
                "tiktok_live_event_id": self.id,
            }
        )
        return self.fence_picking_id

    def _tiktok_release(self):
        """Give back whatever the fence still holds; return {product: units released}."""
        moves = self.line_ids.fence_move_id.filtered(
            lambda move: move.state not in ("done", "cancel")
        )
        released = {}
        for move in moves:
            released[move.product_id] = released.get(move.product_id, 0) + move.product_uom_qty
        moves._action_cancel()
        if moves:
            self.write({"released_at": fields.Datetime.now()})
            self._tiktok_fence_changed()
        return released

    def _tiktok_released_message(self, released):
        if not released:
            return self.env._("No stock was held.")
        return self.env._(
            "Held stock released: %s.",
            ", ".join(f"{units:g} {product.display_name}" for product, units in released.items()),
        )

    def _tiktok_fence_changed(self):
        """Have the stock cron push the featured products' new figures within seconds."""
        self.env["tiktok.stock.change"]._tiktok_note(self.line_ids.product_id)

    # === STATES (the cron) === #

    @api.model
    def _cron_advance_live_events(self):
        """Move the events whose time has come, then sweep the fences left behind."""
        now = fields.Datetime.now()
        due = self.search([("state", "in", FENCING_STATES)]).filtered(
            lambda event: event._tiktok_step_due(now)
        )
        runner = self.env["tiktok.runner"]
        runner._run_units(
            due,
            lambda event: event._tiktok_advance(now),
            lock=lambda event: runner._holding("live_event", event),
        )
        self._tiktok_sweep_fences(now)

    def _tiktok_step_due(self, now):
        self.ensure_one()
        return (
            (self.state == "scheduled" and self.planned_start <= now)
            or (self.state == "live" and self.planned_end <= now)
            or (self.state == "closing" and self._tiktok_release_time() <= now)
        )

    def _tiktok_advance(self, now):
        """Every step that is due: live at the start, closing at the end, done after the delay."""
        self.ensure_one()
        if self.state == "scheduled" and self.planned_start <= now:
            self.state = "live"
            self.env.ref("tiktok_shop_connector.ir_cron_poll_live_orders").sudo()._trigger()
        if self.state == "live" and self.planned_end <= now:
            self.state = "closing"
        if self.state == "closing" and self._tiktok_release_time() <= now:
            self._tiktok_finish()

    def _tiktok_finish(self):
        """Release the fence, group the deliveries in waves, read TikTok's figures: done."""
        self.ensure_one()
        released = self._tiktok_release()
        self._tiktok_make_waves()
        self.state = "done"
        self.message_post(body=self._tiktok_released_message(released))
        try:
            self._tiktok_link_sessions()
        except (TikTokShopError, TikTokDataError) as error:
            # The figures are TikTok's to give later; the stock must not wait for them.
            self.message_post(
                body=self.env._(
                    "TikTok's LIVE figures could not be read (%s). Use Refresh LIVE figures.",
                    error,
                )
            )

    @api.model
    def _tiktok_sweep_fences(self, now):
        """Release the fences nothing will release: of events over, or long past their end."""
        Line = self.env["tiktok.live.event.line"]
        lines = Line.search(
            [
                ("fence_move_id", "!=", False),
                ("fence_move_id.state", "not in", ("done", "cancel")),
            ]
        )
        forgotten = lines.event_id.filtered(
            lambda event: (
                event.state not in FENCING_STATES
                or event._tiktok_release_time() + FORGOTTEN_FENCE_GRACE <= now
            )
        )
        for event in forgotten:
            released = event._tiktok_release()
            _logger.warning("LIVE event %s: forgotten held stock released: %s", event.id, released)
            event.message_post(
                body=self.env._(
                    "Stock still held after the event was over was released. %s",
                    event._tiktok_released_message(released),
                )
            )

    # === WAVES === #

    def _tiktok_make_waves(self):
        """Group the event's deliveries not picked yet: one wave per featured product of the
        orders of that product alone, one wave for the others (see `wave_groups`)."""
        self.ensure_one()
        pickings = self.order_ids.picking_ids.filtered(
            lambda p: p.state in WAVE_PICKING_STATES and not p.batch_id
        )
        featured = set(self.line_ids.product_id.ids)
        batches = []
        for picking_type, typed in pickings.grouped("picking_type_id").items():
            products = {p.id: set(p.move_ids.product_id.ids) for p in typed.sorted("id")}
            for product_id, picking_ids in wave_groups(products, featured).items():
                batches.append(self._tiktok_wave_values(picking_type, product_id, picking_ids))
        waves = self.env["stock.picking.batch"].create(batches)
        for wave in waves:
            wave.action_confirm()
        return waves

    def _tiktok_wave_values(self, picking_type, product_id, picking_ids):
        product = self.env["product.product"].browse(product_id)
        what = product.display_name if product_id is not MIXED else self.env._("mixed orders")
        return {
            "picking_type_id": picking_type.id,
            "company_id": self.company_id.id,
            "description": f"{self.name}: {what}",
            "is_wave": True,
            "tiktok_live_event_id": self.id,
            "picking_ids": [Command.set(picking_ids)],
        }

    # === TIKTOK'S SESSIONS AND DEALS === #

    def _tiktok_link_sessions(self):
        """Link TikTok's LIVE sessions of the event's window, with their figures."""
        self.ensure_one()
        day = 86400
        start, end = self._tiktok_order_window()
        sessions = self.shop_id._tiktok_paginate(
            endpoints.SHOP_LIVE_PERFORMANCE,
            items_key="live_stream_sessions",
            page_size=100,
            params={
                "start_date_ge": time.strftime("%Y-%m-%d", time.gmtime(start - day)),
                "end_date_lt": time.strftime("%Y-%m-%d", time.gmtime(end + day)),
                "account_type": "ALL",
            },
        )
        figures = sessions_in_window(list(sessions), (start, end))
        self.env["tiktok.live.session"]._tiktok_store(self, figures)

    def _tiktok_load_deals(self):
        """Link the shop's flash sales meeting the event's window, with their limits per SKU."""
        self.ensure_one()
        activities = self.shop_id._tiktok_paginate(
            endpoints.PROMOTION_ACTIVITY_SEARCH,
            items_key="activities",
            page_size=100,
            paging_in="body",
            json={"activity_type": "FLASHSALE"},
        )
        for activity_id in flash_sales_in_window(list(activities), self._tiktok_order_window()):
            data = self.shop_id._tiktok_request(
                endpoints.PROMOTION_ACTIVITY_DETAIL, path_params={"activity_id": activity_id}
            )
            self.env["tiktok.live.deal"]._tiktok_store(self, map_activity(data))
