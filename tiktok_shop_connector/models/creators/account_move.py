from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    tiktok_sample_order_id = fields.Many2one(
        "sale.order",
        string="TikTok sample order",
        readonly=True,
        index="btree_not_null",
        help="The sample order whose cost this entry books as a marketing expense.",
    )

    def _tiktok_invoices_posted(self):
        """Override: the creator commission of these orders is accrued (or, for a credit note,
        reversed in proportion to what it credits)."""
        result = super()._tiktok_invoices_posted()
        orders = self.line_ids.sale_line_ids.order_id
        Line = self.env["tiktok.affiliate.line"].sudo()
        lines = Line.search([("sale_order_id", "in", orders.ids)])
        lines._tiktok_accrue()
        return result
