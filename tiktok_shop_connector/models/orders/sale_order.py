import logging

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ...tools.order_builder import tracking_values

_logger = logging.getLogger(__name__)

TIKTOK_SOURCES = [
    ("shop_tab", "Shop tab"),
    ("video", "Video"),
    ("live", "LIVE"),
    ("affiliate", "Affiliate"),
]


class SaleOrder(models.Model):
    _inherit = "sale.order"

    tiktok_shop_id = fields.Many2one(
        "tiktok.shop", string="TikTok shop", index=True, readonly=True, copy=False
    )
    tiktok_order_ref = fields.Char(string="TikTok order id", index=True, readonly=True, copy=False)
    tiktok_status = fields.Char(string="TikTok status", readonly=True, copy=False)
    tiktok_create_time = fields.Integer(readonly=True, copy=False)
    tiktok_update_time = fields.Integer(
        readonly=True, copy=False, help="TikTok's update_time of the version last applied."
    )
    tiktok_source = fields.Selection(
        TIKTOK_SOURCES, string="TikTok source", readonly=True, copy=False, index=True
    )
    tiktok_creator_username = fields.Char(string="Creator", readonly=True, copy=False, index=True)
    tiktok_is_fbt = fields.Boolean(
        string="Fulfilled by TikTok",
        readonly=True,
        copy=False,
        help="TikTok ships it from its own warehouse: no delivery from the seller's stock.",
    )
    tiktok_shipping_type = fields.Selection(
        [("TIKTOK", "TikTok shipping label"), ("SELLER", "Seller's own carrier")],
        readonly=True,
        copy=False,
    )
    tiktok_on_hold = fields.Boolean(
        string="On TikTok hold",
        readonly=True,
        copy=False,
        help="TikTok's one-hour hold after payment: stock is reserved, the delivery waits.",
    )
    tiktok_is_sample = fields.Boolean(string="Sample order", readonly=True, copy=False)
    tiktok_is_replacement = fields.Boolean(string="Replacement order", readonly=True, copy=False)
    tiktok_original_order_id = fields.Many2one(
        "sale.order", string="Replaces", readonly=True, copy=False, index="btree_not_null"
    )
    tiktok_replaced_order_ref = fields.Char(string="Replaced TikTok order", readonly=True)
    tiktok_package_refs = fields.Char(string="TikTok packages", readonly=True, copy=False)
    tiktok_total_amount = fields.Monetary(
        string="TikTok total", readonly=True, copy=False, help="What the buyer paid on TikTok."
    )
    tiktok_subsidy = fields.Monetary(
        string="TikTok subsidy",
        readonly=True,
        copy=False,
        help="Discounts funded by TikTok: paid to the seller with the settlement.",
    )
    tiktok_unmapped_sku_ids = fields.Many2many(
        "tiktok.sku",
        "sale_order_tiktok_unmapped_sku_rel",
        "order_id",
        "sku_id",
        string="Unmapped TikTok SKUs",
        readonly=True,
        copy=False,
    )
    tiktok_exception = fields.Text(readonly=True, copy=False)

    _tiktok_order_unique = models.Constraint(
        "unique(tiktok_shop_id, tiktok_order_ref)",
        "This TikTok order was already imported for this shop.",
    )

    # === UPDATES FROM TIKTOK === #

    def _tiktok_apply_update(self, mapped, builder):
        """Apply a newer version of the TikTok order; return the sync outcome."""
        self.ensure_one()
        if self.state == "draft" and self.tiktok_unmapped_sku_ids:
            builder.check_ready(mapped)
            return self._tiktok_rebuild(mapped, builder)
        if mapped.update_time <= self.tiktok_update_time:
            return "skipped"
        new_delivery = builder.partners_of(mapped)[1]
        self.write(tracking_values(mapped))
        if mapped.status == "CANCELLED":
            self._tiktok_cancel_from_tiktok()
        elif new_delivery != self.partner_shipping_id:
            self._tiktok_change_delivery_address(new_delivery)
        return "updated"

    def _tiktok_rebuild(self, mapped, builder):
        """Lines again from TikTok's order, now that SKUs may be mapped; confirm when complete."""
        unmapped = builder.unmapped_skus(mapped)
        self.order_line.unlink()
        self.write(
            {
                "order_line": builder.line_commands(mapped),
                "tiktok_unmapped_sku_ids": [Command.set(unmapped.ids)],
                "tiktok_exception": builder.unmapped_message(unmapped),
                **tracking_values(mapped),
            }
        )
        self._tiktok_round_to_total(mapped, builder)
        if mapped.status == "CANCELLED":
            self._tiktok_cancel_from_tiktok()
        elif not unmapped and self.tiktok_shop_id.auto_confirm_orders:
            self.action_confirm()
        return "updated"

    def _tiktok_round_to_total(self, mapped, builder):
        """Add the line that makes the Odoo total what the buyer paid on TikTok, to the cent.

        Not while SKUs are unmapped: the missing products would end up in the adjustment.
        """
        if self.tiktok_unmapped_sku_ids:
            return
        difference = self.currency_id.round(float(mapped.total_amount) - self.amount_total)
        if not self.currency_id.is_zero(difference):
            self.write({"order_line": [Command.create(builder.rounding_line(difference))]})

    def _tiktok_cancel_from_tiktok(self):
        """TikTok cancelled it: cancel here too, unless the goods already left."""
        if self.state == "cancel":
            return
        shipped = self.picking_ids.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing"
        )
        if shipped:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Cancelled on TikTok after shipping"),
                note=self.env._(
                    "TikTok cancelled %s but it was already shipped: check the return.", self.name
                ),
                user_id=(self.user_id or self.env.user).id,
            )
            return
        self.with_context(tiktok_cancelled_on_tiktok=True)._action_cancel()

    def _tiktok_change_delivery_address(self, delivery):
        """The buyer changed the address on TikTok: follow it where nothing has shipped yet."""
        open_pickings = self.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.partner_shipping_id = delivery
        open_pickings.write({"partner_id": delivery.id})

    def _tiktok_reprocess_blocked(self):
        """Orders whose SKUs are now all mapped: read them again from TikTok and finish them."""
        for shop, orders in self.filtered("tiktok_shop_id").grouped("tiktok_shop_id").items():
            blocked = orders.filtered(lambda order: order.state == "draft")
            if blocked:
                shop._tiktok_import_order_ids(blocked.mapped("tiktok_order_ref"), trigger="mapping")

    def _prepare_confirmation_values(self):
        """Override of `sale`: a TikTok order keeps TikTok's order time as its date."""
        values = super()._prepare_confirmation_values()
        if all(self.mapped("tiktok_shop_id")):
            values.pop("date_order", None)
        return values

    def action_cancel(self):
        """Override of `sale` to cancel TikTok orders on TikTok first, with a reason."""
        tiktok = self.filtered(lambda o: o.tiktok_shop_id and o.tiktok_status != "CANCELLED")
        if tiktok and not self.env.context.get("tiktok_cancelled_on_tiktok"):
            return self.env["tiktok.order.cancel"]._action_open(tiktok)
        return super().action_cancel()

    def _tiktok_check_can_ship(self):
        held = self.filtered("tiktok_on_hold")
        if held:
            raise UserError(
                self.env._(
                    "%s is still on TikTok's one-hour hold: ship it once TikTok releases it.",
                    ", ".join(held.mapped("name")),
                )
            )


class SaleOrderReservation(models.Model):
    _inherit = "sale.order"

    tiktok_reservation_request_ids = fields.One2many("tiktok.reservation.request", "order_id")
    tiktok_reservation_pending = fields.Boolean(
        string="Reservation pending",
        compute="_compute_tiktok_reservation_pending",
        help="Confirmed by the import; its stock is reserved by the next reservation run.",
    )

    @api.depends("tiktok_reservation_request_ids")
    def _compute_tiktok_reservation_pending(self):
        for order in self:
            order.tiktok_reservation_pending = bool(order.tiktok_reservation_request_ids)

    def _tiktok_confirm_deferring_reservation(self):
        """Confirm imported orders, leaving their reservation to the reservation cron."""
        if not self:
            return
        self.with_context(tiktok_defer_reservation=True).action_confirm()
        self.env["tiktok.reservation.request"].sudo().create(
            [{"order_id": order.id} for order in self]
        )
        self.env.ref("tiktok_shop_connector.ir_cron_reserve_tiktok_orders")._trigger()
