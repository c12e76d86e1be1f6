from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    tiktok_sku_ref = fields.Char(string="TikTok SKU id", readonly=True, copy=False)
    tiktok_product_ref = fields.Char(string="TikTok product id", readonly=True, copy=False)
    tiktok_line_item_refs = fields.Char(
        string="TikTok line items", readonly=True, copy=False, help="Comma-separated ids."
    )

    def _action_launch_stock_rule(self, **kwargs):
        """Override of `sale_stock`: TikTok ships FBT orders from its own stock, never ours."""
        own = self.filtered(lambda line: not line.order_id.tiktok_is_fbt)
        return super(SaleOrderLine, own)._action_launch_stock_rule(**kwargs)
