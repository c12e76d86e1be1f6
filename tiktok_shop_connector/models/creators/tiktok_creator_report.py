"""How each creator performs: what they sold, what they cost, what is still owed to them.

An SQL view of three kinds of rows, all in the company's currency, each with its creator and
date: the creator's affiliate lines (GMV, TikTok's commission, units sold and returned), the
sample orders sent to them (their cost, as booked), and the items of the affiliate commissions
payable (the commission liability: accrued less deducted). ROI is GMV less commission and
sample cost, so it adds up over any grouping.
"""

from odoo import fields, models

from ...tiktok_shop.affiliates import CANCELLED, CONTENT_TYPES
from ...tools import create_sql_view

ROW_KINDS = [("sale", "Creator sale"), ("sample", "Sample"), ("ledger", "Commission ledger")]


class TikTokCreatorReport(models.Model):
    _name = "tiktok.creator.report"
    _description = "TikTok creator performance"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "creator_id"
    _depends = {
        "tiktok.affiliate.line": [
            "creator_id",
            "shop_id",
            "order_date",
            "content_type",
            "status",
            "gmv_amount",
            "commission_amount",
            "quantity",
            "refunded_quantity",
            "returned_quantity",
            "sale_order_id",
            "tiktok_order_ref",
        ],
        "sale.order": ["tiktok_creator_id", "tiktok_is_sample", "currency_rate", "date_order"],
        "account.move": ["tiktok_sample_order_id", "state"],
        "account.move.line": ["tiktok_commission_order_id", "balance", "date", "parent_state"],
    }

    kind = fields.Selection(ROW_KINDS, readonly=True)
    creator_id = fields.Many2one("tiktok.creator", string="Creator", readonly=True)
    shop_id = fields.Many2one("tiktok.shop", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date = fields.Date(readonly=True)
    content_type = fields.Selection(CONTENT_TYPES, string="Promoted in", readonly=True)
    gmv_amount = fields.Monetary(string="GMV", readonly=True)
    order_count = fields.Integer(string="Orders", readonly=True)
    commission_amount = fields.Monetary(
        string="Commission", readonly=True, help="TikTok's actual commission, or its estimate."
    )
    units = fields.Integer(string="Units sold", readonly=True)
    returned_units = fields.Integer(string="Units refunded or returned", readonly=True)
    sample_count = fields.Integer(string="Samples sent", readonly=True)
    sample_cost_amount = fields.Monetary(string="Sample cost", readonly=True)
    liability_amount = fields.Monetary(
        string="Commission owed", readonly=True, help="Accrued, less what settlements deducted."
    )
    roi_amount = fields.Monetary(
        string="Return", readonly=True, help="GMV less commission and sample cost."
    )

    def init(self):
        create_sql_view(self)

    def _query(self):
        return f"""
WITH sales AS (
    SELECT l.id, l.creator_id, l.shop_id, l.company_id, l.order_date AS date, l.content_type,
           CASE WHEN COALESCE(o.currency_rate, 0) = 0 THEN 1 ELSE o.currency_rate END AS rate,
           l.gmv_amount, l.commission_amount, l.quantity,
           l.refunded_quantity + l.returned_quantity AS returned_units,
           ROW_NUMBER() OVER (PARTITION BY l.shop_id, l.tiktok_order_ref ORDER BY l.id) AS nth
      FROM tiktok_affiliate_line l
      LEFT JOIN sale_order o ON o.id = l.sale_order_id
     WHERE l.creator_id IS NOT NULL AND l.status IS DISTINCT FROM '{CANCELLED}'
),
samples AS (
    SELECT o.id, o.tiktok_creator_id AS creator_id, o.tiktok_shop_id AS shop_id, o.company_id,
           o.date_order::date AS date,
           COALESCE((SELECT SUM(item.balance) FROM account_move_line item
                       JOIN account_move move ON move.id = item.move_id
                      WHERE move.tiktok_sample_order_id = o.id AND move.state = 'posted'
                        AND item.balance > 0), 0) AS cost
      FROM sale_order o
     WHERE o.tiktok_is_sample AND o.tiktok_creator_id IS NOT NULL AND o.state = 'sale'
)
SELECT s.id * 3 AS id, 'sale' AS kind, s.creator_id, s.shop_id, s.company_id,
       company.currency_id, s.date, s.content_type,
       s.gmv_amount / s.rate AS gmv_amount, CASE WHEN s.nth = 1 THEN 1 ELSE 0 END AS order_count,
       s.commission_amount / s.rate AS commission_amount, s.quantity AS units,
       s.returned_units, 0 AS sample_count, 0 AS sample_cost_amount, 0 AS liability_amount,
       (s.gmv_amount - s.commission_amount) / s.rate AS roi_amount
  FROM sales s JOIN res_company company ON company.id = s.company_id
UNION ALL
SELECT p.id * 3 + 1, 'sample', p.creator_id, p.shop_id, p.company_id, company.currency_id,
       p.date, NULL, 0, 0, 0, 0, 0, 1, p.cost, 0, -p.cost
  FROM samples p JOIN res_company company ON company.id = p.company_id
UNION ALL
SELECT item.id * 3 + 2, 'ledger', o.tiktok_creator_id, o.tiktok_shop_id, item.company_id,
       company.currency_id, item.date, NULL, 0, 0, 0, 0, 0, 0, 0, -item.balance, 0
  FROM account_move_line item
  JOIN sale_order o ON o.id = item.tiktok_commission_order_id
  JOIN res_company company ON company.id = item.company_id
 WHERE item.parent_state = 'posted' AND o.tiktok_creator_id IS NOT NULL
"""
