"""The margin of each TikTok order line: what the product sold for, less what TikTok kept on it
and what it cost.

TikTok settles orders, not lines: each order's settlement totals (fees, creator commission,
shipping costs, refunds, other adjustments) are spread over its product lines pro rata to their
revenue, and its seller discount and the shipping the buyer paid pro rata to their subtotal.
Each share is the difference of two rounded running totals, so the shares are in cents and add
up to the order's total exactly (the rounding lands on the lines where the running total crosses
a half cent, never lost).
"""

from odoo import fields, models

from ...tools import create_sql_view
from ..orders.sale_order import TIKTOK_SOURCES

ADDON = "tiktok_shop_connector"


def _share(amount, weight, table):
    """SQL: `table`'s line's share of `amount`, pro rata to `weight` among its order's lines
    (in equal parts when the order's weights add up to zero)."""
    cumulative = f"{table}.cum_{weight}"
    total = f"{table}.total_{weight}"
    done = f"CASE WHEN {total} = 0 THEN {table}.line_number::numeric / {table}.line_count"
    done_before = (
        f"CASE WHEN {total} = 0 THEN ({table}.line_number - 1)::numeric / {table}.line_count"
    )
    return (
        f"ROUND({amount} * ({done} ELSE {cumulative} / {total} END), {table}.digits)"
        f" - ROUND({amount} * ({done_before} ELSE ({cumulative} - {table}.{weight}) / {total}"
        f" END), {table}.digits)"
    )


def _running(weight):
    """SQL: the running total and the total of `weight` over the order's lines."""
    return (
        f"SUM({weight}) OVER (PARTITION BY order_id ORDER BY id ROWS UNBOUNDED PRECEDING)"
        f" AS cum_{weight}, SUM({weight}) OVER (PARTITION BY order_id) AS total_{weight}"
    )


class TikTokMarginReport(models.Model):
    _name = "tiktok.margin.report"
    _description = "TikTok margin per order line"
    _auto = False
    _order = "date desc, order_id desc, id"
    _rec_name = "order_id"
    # What the view reads: written values are flushed before the report is queried.
    _depends = {
        "sale.order": [
            "tiktok_shop_id",
            "company_id",
            "currency_id",
            "currency_rate",
            "tiktok_source",
            "date_order",
            "state",
        ],
        "sale.order.line": [
            "order_id",
            "product_id",
            "product_uom_qty",
            "price_subtotal",
            "display_type",
            "is_delivery",
            "is_downpayment",
        ],
        "tiktok.settlement.transaction": [
            "sale_order_id",
            "transaction_type",
            "revenue_amount",
            "platform_fee_amount",
            "affiliate_commission_amount",
            "shipping_amount",
            "other_amount",
            "reserve_amount",
        ],
        "stock.move": ["sale_line_id", "state", "is_in", "is_out", "value"],
    }

    shop_id = fields.Many2one("tiktok.shop", readonly=True)
    order_id = fields.Many2one("sale.order", string="Order", readonly=True)
    order_line_id = fields.Many2one("sale.order.line", string="Order line", readonly=True)
    product_id = fields.Many2one("product.product", string="Product variant", readonly=True)
    product_tmpl_id = fields.Many2one("product.template", string="Product", readonly=True)
    tiktok_source = fields.Selection(TIKTOK_SOURCES, string="TikTok source", readonly=True)
    date = fields.Date(string="Order date", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    company_currency_id = fields.Many2one("res.currency", readonly=True)
    is_settled = fields.Boolean(
        string="Settled", readonly=True, help="TikTok's statements settled the order."
    )
    quantity = fields.Float(readonly=True, digits="Product Unit")
    revenue_amount = fields.Monetary(
        string="Revenue", readonly=True, help="The line's untaxed price less its seller discount."
    )
    shipping_charged_amount = fields.Monetary(
        string="Shipping charged", readonly=True, help="Its share of the shipping the buyer paid."
    )
    refund_amount = fields.Monetary(
        string="Refunds", readonly=True, help="Its share of what TikTok refunded to the buyer."
    )
    fee_amount = fields.Monetary(
        string="Platform fees", readonly=True, help="Commission, transaction and service fees."
    )
    affiliate_commission_amount = fields.Monetary(string="Creator commission", readonly=True)
    shipping_cost_amount = fields.Monetary(
        string="Shipping costs", readonly=True, help="Shipping labels less TikTok's subsidies."
    )
    other_amount = fields.Monetary(
        string="Other adjustments",
        readonly=True,
        help="Chargebacks, penalties, compensations on the order. Reserves are left out: "
        "TikTok releases them.",
    )
    cost_amount = fields.Monetary(
        string="Cost of goods", readonly=True, help="The stock valuation of its deliveries."
    )
    margin_amount = fields.Monetary(string="Margin", readonly=True)
    company_margin_amount = fields.Monetary(
        string="Margin (company currency)", currency_field="company_currency_id", readonly=True
    )

    def init(self):
        create_sql_view(self)

    def _query(self):
        return f"""
WITH service_products AS (
    -- The lines of a TikTok order that are no product: shipping, discounts, tax, rounding.
    SELECT name, res_id AS product_id FROM ir_model_data
     WHERE module = '{ADDON}' AND model = 'product.product'
),
tiktok_orders AS (
    SELECT o.id, o.tiktok_shop_id, o.company_id, o.currency_id, o.tiktok_source, o.date_order,
           CASE WHEN COALESCE(o.currency_rate, 0) = 0 THEN 1 ELSE o.currency_rate END AS rate,
           currency.decimal_places AS digits
      FROM sale_order o
      JOIN res_currency currency ON currency.id = o.currency_id
     WHERE o.tiktok_shop_id IS NOT NULL AND o.state = 'sale'
),
order_extras AS (
    SELECT line.order_id,
           COALESCE(SUM(line.price_subtotal)
                    FILTER (WHERE service.name = 'product_tiktok_seller_discount'), 0) AS discount,
           COALESCE(SUM(line.price_subtotal) FILTER (WHERE line.is_delivery), 0) AS shipping
      FROM sale_order_line line
      JOIN tiktok_orders o ON o.id = line.order_id
      LEFT JOIN service_products service ON service.product_id = line.product_id
     GROUP BY line.order_id
),
settled AS (
    SELECT t.sale_order_id AS order_id,
           SUM(t.platform_fee_amount) AS fee,
           SUM(t.affiliate_commission_amount) AS commission,
           SUM(t.shipping_amount) AS shipping_cost,
           SUM(t.other_amount - COALESCE(t.reserve_amount, 0)) AS other,
           COALESCE(SUM(t.revenue_amount)
                    FILTER (WHERE t.transaction_type = 'ORDER' AND t.revenue_amount < 0), 0)
               AS refund
      FROM tiktok_settlement_transaction t
     WHERE t.sale_order_id IS NOT NULL
     GROUP BY t.sale_order_id
),
delivered AS (
    -- Odoo 19 values each done move (company currency); a return to stock gives cost back.
    SELECT m.sale_line_id,
           SUM(CASE WHEN m.is_out THEN m.value WHEN m.is_in THEN -m.value ELSE 0 END) AS cost
      FROM stock_move m
     WHERE m.state = 'done' AND m.sale_line_id IS NOT NULL
     GROUP BY m.sale_line_id
),
product_lines AS (
    SELECT line.id, line.order_id, line.product_id, line.product_uom_qty AS quantity,
           line.price_subtotal AS subtotal, o.digits,
           ROW_NUMBER() OVER (PARTITION BY line.order_id ORDER BY line.id) AS line_number,
           COUNT(*) OVER (PARTITION BY line.order_id) AS line_count
      FROM sale_order_line line
      JOIN tiktok_orders o ON o.id = line.order_id
     WHERE line.display_type IS NULL AND line.product_id IS NOT NULL
       AND NOT line.is_delivery AND NOT COALESCE(line.is_downpayment, FALSE)
       AND line.product_id NOT IN (SELECT product_id FROM service_products)
),
by_subtotal AS (
    SELECT product_lines.*, {_running("subtotal")} FROM product_lines
),
with_revenue AS (
    SELECT by_subtotal.*,
           by_subtotal.subtotal + {_share("extras.discount", "subtotal", "by_subtotal")}
               AS revenue,
           {_share("extras.shipping", "subtotal", "by_subtotal")} AS shipping_charged
      FROM by_subtotal
      JOIN order_extras extras ON extras.order_id = by_subtotal.order_id
),
by_revenue AS (
    SELECT with_revenue.*, {_running("revenue")} FROM with_revenue
),
allocated AS (
    SELECT by_revenue.*,
           settled.order_id IS NOT NULL AS is_settled,
           {_share("COALESCE(settled.refund, 0)", "revenue", "by_revenue")} AS refund,
           {_share("COALESCE(settled.fee, 0)", "revenue", "by_revenue")} AS fee,
           {_share("COALESCE(settled.commission, 0)", "revenue", "by_revenue")} AS commission,
           {_share("COALESCE(settled.shipping_cost, 0)", "revenue", "by_revenue")}
               AS shipping_cost,
           {_share("COALESCE(settled.other, 0)", "revenue", "by_revenue")} AS other,
           ROUND(COALESCE(delivered.cost, 0) * o.rate, by_revenue.digits) AS cost
      FROM by_revenue
      JOIN tiktok_orders o ON o.id = by_revenue.order_id
      LEFT JOIN settled ON settled.order_id = by_revenue.order_id
      LEFT JOIN delivered ON delivered.sale_line_id = by_revenue.id
),
margins AS (
    SELECT allocated.*,
           allocated.revenue + allocated.shipping_charged + allocated.refund + allocated.fee
               + allocated.commission + allocated.shipping_cost + allocated.other
               - allocated.cost AS margin
      FROM allocated
)
SELECT margins.id,
       margins.id AS order_line_id,
       margins.order_id,
       o.tiktok_shop_id AS shop_id,
       o.company_id,
       o.currency_id,
       company.currency_id AS company_currency_id,
       margins.product_id,
       product.product_tmpl_id,
       o.tiktok_source,
       o.date_order::date AS date,
       margins.is_settled,
       margins.quantity,
       margins.revenue AS revenue_amount,
       margins.shipping_charged AS shipping_charged_amount,
       margins.refund AS refund_amount,
       margins.fee AS fee_amount,
       margins.commission AS affiliate_commission_amount,
       margins.shipping_cost AS shipping_cost_amount,
       margins.other AS other_amount,
       margins.cost AS cost_amount,
       margins.margin AS margin_amount,
       ROUND(margins.margin / o.rate, company_currency.decimal_places) AS company_margin_amount
  FROM margins
  JOIN tiktok_orders o ON o.id = margins.order_id
  JOIN res_company company ON company.id = o.company_id
  JOIN res_currency company_currency ON company_currency.id = company.currency_id
  JOIN product_product product ON product.id = margins.product_id
"""
