import time
from collections import defaultdict

from odoo import api, fields, models

from ...tiktok_shop.live_events import fenced_quantity, units_still_fenced

# A fence move in these states holds nothing any more.
CLOSED_MOVE_STATES = ("done", "cancel")
# The states in which an event holds its fence.
FENCING_STATES = ("scheduled", "live", "closing")
# The line's figures computed from its fence and orders (not stored: read afresh after a change).
STOCK_FIGURES = ["consumed_qty", "sold_qty", "remaining_qty", "below_alert"]


class TikTokLiveEventLine(models.Model):
    """A product a LIVE event features: the stock held for it, what sold and what is still held.

    `fenced_qty` is the plan (featured plus buffer, or a deal's total limit); the fence move holds
    it from scheduling on, less what the event's orders took out of it (`consumption_ids`).
    """

    _name = "tiktok.live.event.line"
    _description = "TikTok LIVE event product"
    _order = "event_id, sequence, id"

    event_id = fields.Many2one("tiktok.live.event", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    shop_id = fields.Many2one(related="event_id.shop_id")
    state = fields.Selection(related="event_id.state")
    product_id = fields.Many2one(
        "product.product",
        required=True,
        domain=[("is_storable", "=", True)],
        index=True,
    )
    uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    sku_id = fields.Many2one(
        "tiktok.sku",
        string="TikTok SKU",
        compute="_compute_sku_id",
        store=True,
        readonly=False,
        domain="[('shop_id', '=', shop_id), ('product_id', '=', product_id)]",
        help="The shop's SKU of the product, whose stock TikTok shows.",
    )
    featured_qty = fields.Float(
        string="Featured", required=True, default=1.0, digits="Product Unit"
    )
    deal_limit_qty = fields.Float(
        string="Flash-sale limit",
        compute="_compute_fenced_qty",
        store=True,
        digits="Product Unit",
        help="The largest total purchase limit of the product's flash sales in the event.",
    )
    fenced_qty = fields.Float(
        string="To hold",
        compute="_compute_fenced_qty",
        store=True,
        digits="Product Unit",
        help="Featured plus the reserve buffer, or the flash-sale limit when that is more.",
    )
    alert_threshold = fields.Float(
        string="Alert below",
        digits="Product Unit",
        help="Warn when what is still held for the LIVE falls to this.",
    )
    fence_move_id = fields.Many2one("stock.move", string="Held by", readonly=True, copy=False)
    consumption_ids = fields.One2many("tiktok.live.consumption", "line_id", readonly=True)
    consumed_qty = fields.Float(
        string="Taken from held stock",
        compute="_compute_stock_figures",
        digits="Product Unit",
        help="Units the event's orders took out of the held stock.",
    )
    sold_qty = fields.Float(
        string="Sold",
        compute="_compute_stock_figures",
        digits="Product Unit",
        help="Units of the event's confirmed orders.",
    )
    remaining_qty = fields.Float(
        string="Still held",
        compute="_compute_stock_figures",
        digits="Product Unit",
        help="What the held stock can still sell on TikTok.",
    )
    below_alert = fields.Boolean(compute="_compute_stock_figures")
    shown_fenced_qty = fields.Float(
        string="Plan TikTok shows",
        readonly=True,
        copy=False,
        digits="Product Unit",
        help="The held quantity TikTok was last shown under the flash-sale lock; from there "
        "TikTok counts its own sales, until the plan or the lock changes.",
    )

    _product_once = models.Constraint(
        "unique(event_id, product_id)", "A product is featured once per LIVE event."
    )
    _featured_positive = models.Constraint(
        "CHECK(featured_qty > 0)", "The featured quantity must be positive."
    )

    @api.depends("product_id", "event_id.shop_id")
    def _compute_sku_id(self):
        skus = self.env["tiktok.sku"].search(
            [("product_id", "in", self.product_id.ids), ("shop_id", "in", self.shop_id.ids)]
        )
        sku_of = {(sku.shop_id, sku.product_id): sku for sku in skus}
        for line in self:
            line.sku_id = sku_of.get((line.shop_id, line.product_id), False)

    @api.depends(
        "featured_qty",
        "event_id.reserve_buffer_percent",
        "sku_id",
        "event_id.deal_ids.sku_line_ids.quantity_limit",
        "event_id.deal_ids.sku_line_ids.sku_id",
    )
    def _compute_fenced_qty(self):
        for line in self:
            deal_skus = line.event_id.deal_ids.sku_line_ids
            limits = [
                deal_sku.quantity_limit
                for deal_sku in deal_skus
                if deal_sku.sku_id and deal_sku.sku_id == line.sku_id
            ]
            line.deal_limit_qty = max([0, *limits])
            line.fenced_qty = fenced_quantity(
                line.featured_qty, line.event_id.reserve_buffer_percent, limits
            )

    def _compute_stock_figures(self):
        consumed, taken_by = self._tiktok_consumptions()
        sold, waiting = self._tiktok_sold(taken_by)
        for line in self:
            line.consumed_qty = consumed.get(line.id, 0.0)
            line.sold_qty = sold.get(line.id, 0.0)
            line.remaining_qty = units_still_fenced(line._tiktok_held(), waiting.get(line.id, 0))
            line.below_alert = bool(line.alert_threshold) and (
                line.remaining_qty <= line.alert_threshold
            )

    def _tiktok_held(self):
        """Units the fence move holds now."""
        self.ensure_one()
        move = self.fence_move_id
        return move.product_uom_qty if move and move.state not in CLOSED_MOVE_STATES else 0.0

    def _tiktok_consumptions(self):
        """({line id: units its orders took out of the fence}, {line id: ids of those orders})."""
        consumed, taken_by = defaultdict(float), defaultdict(set)
        for line, order, quantity in self.env["tiktok.live.consumption"]._read_group(
            [("line_id", "in", self.ids)], ["line_id", "order_id"], ["quantity:sum"]
        ):
            consumed[line.id] += quantity
            taken_by[line.id].add(order.id)
        return consumed, taken_by

    def _tiktok_sold(self, taken_by):
        """({line id: units sold}, {line id: units sold not taken out of the fence yet}), from
        the confirmed orders of the lines' events."""
        groups = self.env["sale.order.line"]._read_group(
            [
                ("order_id.tiktok_live_event_id", "in", self.event_id.ids),
                ("order_id.state", "=", "sale"),
                # TikTok ships these from its own stock: the held stock is not theirs.
                ("order_id.tiktok_is_fbt", "=", False),
                ("product_id", "in", self.product_id.ids),
            ],
            ["order_id", "product_id", "product_uom_id"],
            ["product_uom_qty:sum"],
        )
        line_of = {(line.event_id.id, line.product_id.id): line.id for line in self}
        sold, waiting = defaultdict(float), defaultdict(float)
        for order, product, uom, quantity in groups:
            line_id = line_of.get((order.tiktok_live_event_id.id, product.id))
            if not line_id:
                continue
            units = uom._compute_quantity(quantity, product.uom_id)
            sold[line_id] += units
            if order.id not in taken_by.get(line_id, ()):
                waiting[line_id] += units
        return sold, waiting

    # === THE FENCE === #

    def _tiktok_target(self):
        """Units the fence should hold now: the plan, less what orders took out of it."""
        self.ensure_one()
        return max(0.0, self.fenced_qty - self.consumed_qty)

    def _tiktok_short_of_stock(self):
        """A line per product whose free stock cannot cover what its fence still needs."""
        short = []
        for line in self:
            stock_location = line.event_id.warehouse_id.lot_stock_id
            free = line.product_id.with_context(location=stock_location.id).free_qty
            missing = line._tiktok_target() - line._tiktok_held()
            rounding = line.product_id.uom_id
            if rounding.compare(missing, 0) > 0 and rounding.compare(free, missing) < 0:
                short.append(
                    self.env._(
                        "%(product)s (%(free)s free, %(needed)s needed)",
                        product=line.product_id.display_name,
                        free=f"{free:g}",
                        needed=f"{missing:g}",
                    )
                )
        return short

    def _tiktok_fence_move_values(self, picking):
        self.ensure_one()
        return {
            "product_id": self.product_id.id,
            "product_uom": self.product_id.uom_id.id,
            "product_uom_qty": self._tiktok_target(),
            "picking_id": picking.id,
            "picking_type_id": picking.picking_type_id.id,
            "location_id": picking.location_id.id,
            "location_dest_id": picking.location_dest_id.id,
            "company_id": picking.company_id.id,
            "origin": picking.origin,
        }

    def _tiktok_top_up_fence(self):
        """Raise the fence moves held below their target (a flash sale loaded later)."""
        for line in self:
            move = line.fence_move_id
            target = line._tiktok_target()
            if (
                move.state not in CLOSED_MOVE_STATES
                and move.product_uom.compare(target, move.product_uom_qty) > 0
            ):
                move.product_uom_qty = target

    @api.model
    def _tiktok_consume(self, orders):
        """Take the units of these LIVE orders out of their events' fences, once per order.

        Orders TikTok fulfils from its own warehouse take nothing: Odoo ships none of their stock.

        Called before the orders' own reservation (at the reservation cron, or at confirmation
        when it reserves at once), so that what leaves the fence is there for the order to
        reserve. The event lines are locked first (in id order, against deadlocks): two workers
        consuming for one product wait for each other, and the second sees what the first took.
        """
        orders = orders.filtered(lambda order: not order.tiktok_is_fbt)
        lines = self.search(
            [
                ("event_id", "in", orders.tiktok_live_event_id.ids),
                ("event_id.state", "in", FENCING_STATES),
                ("product_id", "in", orders.order_line.product_id.ids),
                ("fence_move_id", "!=", False),
            ]
        )
        if not lines:
            return
        self._tiktok_lock(lines)
        done = {
            (consumption.line_id.id, consumption.order_id.id)
            for consumption in self.env["tiktok.live.consumption"].search(
                [("line_id", "in", lines.ids), ("order_id", "in", orders.ids)]
            )
        }
        line_of = {(line.event_id.id, line.product_id.id): line for line in lines}
        for order in orders:
            for line, units in _order_units(order, line_of).items():
                if (line.id, order.id) not in done:
                    line._tiktok_take(order, units)

    @api.model
    def _tiktok_lock(self, lines):
        """Lock the lines' rows (in id order, against deadlocks) and read them afresh."""
        self.env.cr.execute(
            "SELECT id FROM tiktok_live_event_line WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
            [lines.ids],
        )
        lines.invalidate_recordset()
        lines.fence_move_id.invalidate_recordset()

    def _tiktok_take(self, order, units):
        """Lower the fence by the order's units (what it still holds at most) and record it."""
        self.ensure_one()
        move = self.fence_move_id
        held = self._tiktok_held()
        taken = min(units, held)
        if move.product_uom.compare(taken, 0) > 0:
            if move.product_uom.compare(taken, held) >= 0:
                move._action_cancel()
            else:
                # Odoo unreserves a move whose demand falls below its reservation; it is then
                # reserved again for what is left.
                move.product_uom_qty = held - taken
                move._action_assign()
            self.event_id._tiktok_fence_changed()
        self.env["tiktok.live.consumption"].create(
            {"line_id": self.id, "order_id": order.id, "quantity": taken}
        )

    @api.model
    def _tiktok_restore(self, orders):
        """Hold again what these cancelled orders took out of their events' fences.

        TikTok adds a cancelled order's units back to the figure it shows, so the held stock
        takes them back too (before another channel could sell them): otherwise TikTok would
        show units that are free for every channel at once.
        """
        consumptions = self.env["tiktok.live.consumption"].search(
            [("order_id", "in", orders.ids), ("line_id.event_id.state", "in", FENCING_STATES)]
        )
        if not consumptions:
            return
        lines = consumptions.line_id
        self._tiktok_lock(lines)
        consumptions.exists().unlink()
        lines.invalidate_recordset()
        for event, event_lines in lines.grouped("event_id").items():
            event._tiktok_hold(event_lines)

    def _tiktok_is_counted_by_tiktok(self):
        """Whether TikTok counts this product's held stock itself: under the lock, shown the
        current plan, once the event's order window has opened (see `counted_by_tiktok`).

        Before the window, TikTok's ordinary orders of the product lower the figure it shows
        while Odoo takes them from the free stock: Odoo's figure, which counts them apart, is
        pushed then. In the window every order of the product is one of the event's.
        """
        self.ensure_one()
        event = self.event_id
        return (
            event.flash_sale_lock
            and self.state in FENCING_STATES
            and event._tiktok_order_window()[0] <= time.time()
            and self.product_id.uom_id.compare(self.shown_fenced_qty, self.fenced_qty) == 0
        )


def _order_units(order, line_of):
    """{event line: units of its product in the order}, in the product's unit."""
    units = defaultdict(float)
    for sale_line in order.order_line.filtered("product_id"):
        line = line_of.get((order.tiktok_live_event_id.id, sale_line.product_id.id))
        if line:
            units[line] += sale_line.product_uom_id._compute_quantity(
                sale_line.product_uom_qty, sale_line.product_id.uom_id
            )
    return units
