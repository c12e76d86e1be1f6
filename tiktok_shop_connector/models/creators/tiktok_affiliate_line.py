import hashlib
import json
from dataclasses import astuple
from datetime import UTC, datetime

from odoo import api, fields, models
from odoo.fields import Domain

from ...tiktok_shop.affiliates import (
    ACTUAL_STATUSES,
    CANCELLED,
    CONTENT_TYPES,
    STATUSES,
    commission_due,
)


class TikTokAffiliateLine(models.Model):
    """One SKU entry of a TikTok affiliate order: the creator who sold it, where, at what
    commission, and the sale order line it covers.

    TikTok's estimated figures hold until the order settles, its actual ones after. The
    commission owed on the line is accrued on the shop's affiliate commissions payable when the
    order is invoiced, and follows what TikTok reports (models/creators/account_move_line.py).
    """

    _name = "tiktok.affiliate.line"
    _inherit = ["tiktok.binding"]
    _description = "TikTok affiliate order line"
    _order = "order_date desc, id desc"
    _tiktok_ref_field = "tiktok_order_ref"

    name = fields.Char(compute="_compute_name")
    tiktok_order_ref = fields.Char(string="TikTok order id", required=True, readonly=True)
    line_key = fields.Char(
        required=True,
        readonly=True,
        help="The TikTok product id, with #2, #3... for its later entries in the same order.",
    )
    tiktok_product_ref = fields.Char(string="TikTok product id", readonly=True)
    sale_order_id = fields.Many2one(
        "sale.order", string="Order", readonly=True, index="btree_not_null", ondelete="set null"
    )
    sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Order line",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    product_id = fields.Many2one(related="sale_line_id.product_id", string="Product")
    creator_id = fields.Many2one(
        "tiktok.creator", string="Creator", readonly=True, index="btree_not_null"
    )
    partner_id = fields.Many2one(related="creator_id.partner_id", string="Creator's contact")
    collaboration_id = fields.Many2one(
        "tiktok.collaboration", string="Collaboration", readonly=True, index="btree_not_null"
    )
    content_type = fields.Selection(CONTENT_TYPES, string="Promoted in", readonly=True)
    tiktok_content_ref = fields.Char(string="TikTok content id", readonly=True)
    status = fields.Selection(STATUSES, string="TikTok status", readonly=True)
    tiktok_create_time = fields.Integer(readonly=True)
    order_date = fields.Date(readonly=True, index=True, help="When the buyer ordered (UTC).")
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    quantity = fields.Integer(readonly=True)
    price_amount = fields.Monetary(string="Unit price", readonly=True)
    gmv_amount = fields.Monetary(
        string="GMV", readonly=True, help="What the buyer paid for the units, before refunds."
    )
    commission_rate = fields.Float(string="Commission (%)", digits=(16, 2), readonly=True)
    estimated_base_amount = fields.Monetary(string="Estimated base", readonly=True)
    estimated_commission_amount = fields.Monetary(string="Estimated commission", readonly=True)
    actual_base_amount = fields.Monetary(string="Actual base", readonly=True)
    actual_commission_amount = fields.Monetary(string="Actual commission", readonly=True)
    commission_amount = fields.Monetary(
        string="Commission",
        compute="_compute_commission_amount",
        store=True,
        help="TikTok's actual commission once it settled the order, its estimate until then.",
    )
    refunded_quantity = fields.Integer(string="Refunded", readonly=True)
    returned_quantity = fields.Integer(string="Returned", readonly=True)
    tiktok_open_collaboration_ref = fields.Char(string="Open collaboration id", readonly=True)
    tiktok_target_collaboration_ref = fields.Char(string="Target collaboration id", readonly=True)
    tiktok_campaign_ref = fields.Char(string="Campaign id", readonly=True)
    fingerprint = fields.Char(readonly=True, help="What TikTok sent last.")
    accrual_item_ids = fields.One2many(
        "account.move.line", "tiktok_affiliate_line_id", string="Accruals", readonly=True
    )

    _shop_order_line_unique = models.Constraint(
        "unique(shop_id, tiktok_order_ref, line_key)",
        "An affiliate order's line is imported once per shop.",
    )

    @api.depends("tiktok_order_ref", "creator_id.username")
    def _compute_name(self):
        for line in self:
            creator = f" @{line.creator_id.username}" if line.creator_id else ""
            line.name = f"{line.tiktok_order_ref}{creator}"

    @api.depends("status", "estimated_commission_amount", "actual_commission_amount")
    def _compute_commission_amount(self):
        for line in self:
            actual = line.status in ACTUAL_STATUSES
            line.commission_amount = (
                line.actual_commission_amount if actual else line.estimated_commission_amount
            )

    @api.model
    def _tiktok_values(self, shop, order, line):
        """Field values of one read line (`tiktok_shop.affiliates`), with its fingerprint."""
        currency = shop._tiktok_currency_named(line.currency) if line.currency else None
        values = {
            "shop_id": shop.id,
            "tiktok_order_ref": order.ref,
            "line_key": line.key,
            "tiktok_product_ref": line.product_ref or False,
            "status": order.status or False,
            "tiktok_create_time": order.create_time,
            "order_date": datetime.fromtimestamp(order.create_time, UTC).date()
            if order.create_time
            else False,
            "currency_id": (currency or shop.currency_id).id,
            "quantity": line.quantity,
            "price_amount": float(line.price),
            "gmv_amount": float(line.price * line.quantity),
            "content_type": line.content_type
            if line.content_type in dict(CONTENT_TYPES)
            else False,
            "tiktok_content_ref": line.content_ref or False,
            "commission_rate": float(line.commission_rate),
            "estimated_base_amount": float(line.estimated_base),
            "estimated_commission_amount": float(line.estimated_commission),
            "actual_base_amount": float(line.actual_base),
            "actual_commission_amount": float(line.actual_commission),
            "refunded_quantity": line.refunded_quantity,
            "returned_quantity": line.returned_quantity,
            "tiktok_open_collaboration_ref": line.open_collaboration_ref or False,
            "tiktok_target_collaboration_ref": line.target_collaboration_ref or False,
            "tiktok_campaign_ref": line.campaign_ref or False,
        }
        content = [order.status, order.create_time, astuple(line)]
        values["fingerprint"] = hashlib.sha256(
            json.dumps(content, default=str).encode()
        ).hexdigest()
        return values

    # === ATTACHED TO THE ORDERS === #

    def _tiktok_attach(self, orders_by_ref):
        """Attach each line to its sale order ({TikTok order id: sale.order}) and to the
        order line of its product; the order takes the line's creator."""
        for line in self:
            order = orders_by_ref.get(line.tiktok_order_ref)
            if not order:
                continue
            sale_line = line._tiktok_matching_sale_line(order)
            values = {}
            if line.sale_order_id != order:
                values["sale_order_id"] = order.id
            if sale_line and line.sale_line_id != sale_line:
                values["sale_line_id"] = sale_line.id
            if values:
                line.write(values)
            if line.creator_id and not order.tiktok_creator_id:
                order.with_context(tracking_disable=True).tiktok_creator_id = line.creator_id

    def _tiktok_matching_sale_line(self, order):
        """The order's product line of this line's TikTok product (its n-th one for the key
        `product#n`), or an empty recordset."""
        self.ensure_one()
        products = order.order_line.filtered(lambda line: not line.display_type)
        refs = products._tiktok_product_refs()
        candidates = products.filtered(lambda line: refs.get(line.id) == self.tiktok_product_ref)
        _product, _sep, nth = self.line_key.partition("#")
        index = int(nth) - 1 if nth.isdigit() else 0
        return candidates[index] if index < len(candidates) else candidates[:1]

    # === ACCRUALS === #

    def _tiktok_accrue(self):
        """Bring the commission accrued on each line to what is owed now (`commission_due`):
        accrued once its order is invoiced, reversed in proportion to the units refunded,
        returned or credited, trued up to TikTok's actual commission. One entry per shop,
        expense against payable, each item against the creator's partner; the payable items
        are then reconciled with what settlements deducted."""
        lines = self.filtered(lambda line: line.sale_line_id and line.creator_id)
        if not lines:
            return self.env["account.move"]
        booked = dict(
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                [("tiktok_affiliate_line_id", "in", lines.ids), ("parent_state", "=", "posted")],
                ["tiktok_affiliate_line_id"],
                ["amount_currency:sum"],
            )
        )
        moves = self.env["account.move"]
        for shop, shop_lines in lines.grouped("shop_id").items():
            changes = []
            for line in shop_lines:
                accrued = -booked.get(line, 0.0)
                delta = line.currency_id.round(line._tiktok_commission_due() - accrued)
                if not line.currency_id.is_zero(delta):
                    changes.append((line, delta, accrued))
            if changes:
                moves |= shop._tiktok_post_commission_changes(changes)
        self.env["account.move.line"]._tiktok_reconcile_commissions(lines.sale_order_id)
        return moves

    def _tiktok_commission_due(self):
        self.ensure_one()
        due = commission_due(
            self.estimated_commission_amount,
            self.actual_commission_amount,
            self.status,
            self.quantity,
            self.refunded_quantity,
            self.returned_quantity,
            self.sale_line_id.qty_invoiced_posted,
            self.currency_id.decimal_places,
        )
        return float(due)

    def _tiktok_accrual_label(self, delta, accrued):
        self.ensure_one()
        env = self.env
        if not accrued:
            what = env._("Creator commission accrued")
        elif self.status in ACTUAL_STATUSES:
            what = env._("Creator commission trued up to TikTok's actual")
        elif delta < 0:
            what = env._("Creator commission reversed (refund or return)")
        else:
            what = env._("Creator commission adjusted")
        return f"{what}: {self.tiktok_order_ref} @{self.creator_id.username}"

    # === FIGURES === #

    @api.model
    def _tiktok_period_domain(self, period):
        start, end = period
        domain = Domain.TRUE
        if start:
            domain &= Domain("order_date", ">=", start)
        if end:
            domain &= Domain("order_date", "<=", end)
        return domain

    @api.model
    def _tiktok_figures_by_creator(self, creators, period):
        """{creator id: (GMV, orders, commission, units, units refunded or returned)} over
        `period` ((first day, last day)), amounts in each creator's company currency."""
        groups = self._read_group(
            Domain("creator_id", "in", creators.ids)
            & Domain("status", "!=", CANCELLED)
            & self._tiktok_period_domain(period),
            ["creator_id", "currency_id"],
            [
                "gmv_amount:sum",
                "tiktok_order_ref:count_distinct",
                "commission_amount:sum",
                "quantity:sum",
                "refunded_quantity:sum",
                "returned_quantity:sum",
            ],
        )
        today = fields.Date.context_today(self)
        figures = {}
        for creator, currency, gmv, orders, commission, units, refunded, returned in groups:
            company = creator.company_id

            def convert(amount, currency=currency, company=company):
                return currency._convert(amount, company.currency_id, company, today)

            total = figures.get(creator.id, (0.0, 0, 0.0, 0, 0))
            figures[creator.id] = (
                total[0] + convert(gmv),
                total[1] + orders,
                total[2] + convert(commission),
                total[3] + units,
                total[4] + refunded + returned,
            )
        return figures
