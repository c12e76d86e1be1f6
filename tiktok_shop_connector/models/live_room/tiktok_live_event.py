from collections import defaultdict

from odoo import api, fields, models

from ...tiktok_shop.live_room import orders_per_minute
from ..live.tiktok_live_event import unix_time
from ..live.tiktok_live_event_line import STOCK_FIGURES

# The states in which an event has a control room: from the stock held to the figures after.
CONTROL_ROOM_STATES = ("scheduled", "live", "closing", "done")
# The notification a control room re-reads its figures on.
UPDATED = "tiktok_live_event/updated"
# What the flash report reads of the margin report, per product the event's orders sold.
MARGIN_MEASURES = (
    "revenue_amount",
    "shipping_charged_amount",
    "refund_amount",
    "fee_amount",
    "affiliate_commission_amount",
    "shipping_cost_amount",
    "other_amount",
    "cost_amount",
)


class TikTokLiveEvent(models.Model):
    """The control room of a LIVE event: its figures as they move, in the browser (Odoo's bus
    tells the open control rooms when to read them again), the alerts on its held stock
    (`tiktok.live.event.line._tiktok_check_alerts`, as orders take from it) and its flash
    report, on screen and in PDF, both from `_tiktok_flash_report`."""

    _inherit = "tiktok.live.event"

    flash_report_html = fields.Html(
        string="Flash report", compute="_compute_flash_report_html", sanitize=False
    )

    def _compute_flash_report_html(self):
        for event in self:
            if event.state not in ("live", "closing", "done") or not event.id:
                event.flash_report_html = False
                continue
            event.flash_report_html = self.env["ir.qweb"]._render(
                "tiktok_shop_connector.live_flash_report_body",
                {"report": event._tiktok_flash_report()},
            )

    def action_open_control_room(self):
        self.ensure_one()
        return {
            "type": "ir.actions.client",
            "tag": "tiktok_live_control_room",
            "name": self.env._("Control room: %s", self.name),
            "params": {"event_id": self.id},
            "context": {"active_id": self.id, "active_model": self._name},
        }

    @api.model
    def get_dashboard_data(self, event_id):
        """The control room's figures of the event, for whoever may read it."""
        event = self.browse(event_id)
        event.check_access("read")
        return event.sudo()._tiktok_dashboard_data(fields.Datetime.now())

    # === THE FIGURES === #

    def _tiktok_live_changed(self):
        """The event's orders moved its figures: have its open control rooms read them again.

        Only a message on the bus: the imports of a LIVE burst call it in several workers at
        once, and must not write the same rows.
        """
        for event in self.filtered(lambda event: event.sudo().state in CONTROL_ROOM_STATES):
            self.env["bus.bus"]._sendone(event, UPDATED, {"event_id": event.id})

    @api.model
    def _tiktok_link_orders(self, shop, orders):
        """Override of the LIVE events: the control rooms count the new orders at once."""
        result = super()._tiktok_link_orders(shop, orders)
        orders.tiktok_live_event_id._tiktok_live_changed()
        return result

    def _tiktok_dashboard_data(self, now):
        """What the control room shows: per featured product held, sold, left and revenue; the
        event's orders, units and revenue; its orders per minute; the time to its start and end.

        Amounts are in the shop's currency (`currency_id`), times in Unix seconds.
        """
        self.ensure_one()
        # Computed without dependencies: read again what this transaction's orders changed.
        self.line_ids.invalidate_recordset(STOCK_FIGURES)
        margins = self._tiktok_margins_by_product()
        revenue = {product: sums["revenue_amount"] for product, sums in margins.items()}
        lines = [line._tiktok_dashboard_row(revenue) for line in self.line_ids]
        orders = self.order_ids.filtered(lambda order: order.state != "cancel")
        placed = [order._tiktok_placed_at() for order in orders]
        now_time, start, end = (
            unix_time(now),
            unix_time(self.planned_start),
            unix_time(self.planned_end),
        )
        chart_start = min([start, *placed])
        chart_end = max([min(now_time, end), *placed])
        state_labels = dict(self._fields["state"]._description_selection(self.env))
        return {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "state_label": state_labels[self.state],
            "currency_id": self.currency_id.id,
            "lines": lines,
            "orders": len(orders),
            "units_sold": sum(line["sold"] for line in lines),
            "revenue": self.currency_id.round(sum(revenue.values())),
            "orders_per_minute": [
                {"minute": minute, "orders": count}
                for minute, count in orders_per_minute(placed, chart_start, chart_end)
            ],
            "seconds_to_start": max(0, start - now_time) if self.state == "scheduled" else 0,
            "seconds_left": max(0, end - now_time) if self.state in ("scheduled", "live") else 0,
        }

    def _tiktok_margins_by_product(self):
        """{product: {measure: sum}} of the margin report over the event's confirmed orders."""
        self.ensure_one()
        groups = self.env["tiktok.margin.report"]._read_group(
            [("order_id.tiktok_live_event_id", "=", self.id)],
            ["product_id"],
            [f"{measure}:sum" for measure in MARGIN_MEASURES],
        )
        return {product: dict(zip(MARGIN_MEASURES, sums, strict=True)) for product, *sums in groups}

    # === THE FLASH REPORT === #

    def _tiktok_flash_report(self):
        """The figures of the event's flash report, in the shop's currency.

        Per featured product the plan against what sold, and its revenue; the orders and the
        cancellations; the creator commission, TikTok's fees, the cost of goods and the net margin
        of the orders. A settled order counts what TikTok's statement kept and its delivered
        cost (`tiktok.margin.report`); one not settled yet TikTok's estimate of its fees, and
        the goods not shipped yet at their cost. The margin is revenue less fees, commission and
        cost, plus the other settled amounts (shipping charged and paid, refunds, adjustments).
        """
        self.ensure_one()
        event = self.sudo()
        event.line_ids.invalidate_recordset(STOCK_FIGURES)
        currency = event.currency_id
        orders = event.order_ids
        confirmed = orders.filtered(lambda order: order.state == "sale")
        cancelled = orders.filtered(lambda order: order.state == "cancel")
        unsettled = confirmed.filtered(lambda order: order.tiktok_settlement_state == "unsettled")
        creator_orders = confirmed.filtered("tiktok_creator_username")
        margins = event._tiktok_margins_by_product()
        total = defaultdict(float)
        for sums in margins.values():
            for measure, value in sums.items():
                total[measure] += value
        estimated_fees = -sum(unsettled.mapped("tiktok_estimated_fees"))
        cost_not_shipped = _cost_not_shipped(confirmed)
        figures = {
            "revenue": total["revenue_amount"],
            "fees": -total["fee_amount"] + estimated_fees,
            "estimated_fees": estimated_fees,
            "commission": -total["affiliate_commission_amount"],
            "other": total["shipping_charged_amount"]
            + total["refund_amount"]
            + total["shipping_cost_amount"]
            + total["other_amount"],
            "cost": total["cost_amount"] + cost_not_shipped,
            "cost_not_shipped": cost_not_shipped,
            "cancelled_amount": sum(cancelled.mapped("tiktok_total_amount")),
        }
        figures = {key: currency.round(value) for key, value in figures.items()}
        figures["margin"] = currency.round(
            figures["revenue"]
            - figures["fees"]
            - figures["commission"]
            + figures["other"]
            - figures["cost"]
        )
        lines = [line._tiktok_flash_row(margins) for line in event.line_ids]
        featured_revenue = sum(line["revenue"] for line in lines)
        return {
            **figures,
            "currency": currency,
            "lines": lines,
            "other_products_revenue": currency.round(figures["revenue"] - featured_revenue),
            "orders": len(confirmed),
            "units_sold": sum(line["sold"] for line in lines),
            "cancelled": len(cancelled),
            "unsettled": len(unsettled),
            "creator_orders": len(creator_orders),
            "creator_orders_unsettled": len(creator_orders & unsettled),
        }


def _cost_not_shipped(orders):
    """The cost of the goods of these orders not delivered yet, at their product's cost, in each
    order's currency (the margin report counts what was delivered, at its stock valuation)."""
    cost = 0.0
    for line in orders.order_line.filtered(lambda line: line.product_id.is_storable):
        order, product = line.order_id, line.product_id
        missing = line.product_uom_id._compute_quantity(
            line.product_uom_qty - line.qty_delivered, product.uom_id
        )
        if product.uom_id.compare(missing, 0) <= 0:
            continue
        company = order.company_id
        unit_cost = company.currency_id._convert(
            product.with_company(company).standard_price,
            order.currency_id,
            company,
            order.date_order,
        )
        cost += order.currency_id.round(missing * unit_cost)
    return cost
