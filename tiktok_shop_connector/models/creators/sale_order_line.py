from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    tiktok_affiliate_line_ids = fields.One2many(
        "tiktok.affiliate.line", "sale_line_id", string="Creator sales", readonly=True
    )

    def _tiktok_product_refs(self):
        """{line id: TikTok product id}: the line's own, else its SKU binding's (orders
        imported before the lines kept it)."""
        refs = {line.id: line.tiktok_product_ref for line in self if line.tiktok_product_ref}
        missing = self.filtered(lambda line: not line.tiktok_product_ref and line.tiktok_sku_ref)
        if missing:
            skus = (
                self.env["tiktok.sku"]
                .sudo()
                .search(
                    [
                        ("shop_id", "in", missing.order_id.tiktok_shop_id.ids),
                        ("tiktok_sku_ref", "in", missing.mapped("tiktok_sku_ref")),
                    ]
                )
            )
            by_ref = {(sku.shop_id.id, sku.tiktok_sku_ref): sku.tiktok_product_ref for sku in skus}
            for line in missing:
                refs[line.id] = by_ref.get((line.order_id.tiktok_shop_id.id, line.tiktok_sku_ref))
        return refs
