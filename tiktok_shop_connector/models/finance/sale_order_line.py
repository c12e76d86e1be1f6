from odoo import models

from ...tools.order_builder import SERVICE_PRODUCTS

# The service lines of a TikTok order whose money is not the seller's revenue, and the role of
# the shop account (`tiktok.shop._tiktok_finance_account`) their invoice line is booked on:
# the platform discount is owed by TikTok (the buyer's receivable stays what the buyer paid),
# TikTok's tax passes through, and the shipping fee goes where the seller chose.
SERVICE_ACCOUNT_ROLES = {
    "subsidy": "platform_discount",
    "tax": "sales_tax",
    "shipping": "shipping_income",
}


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _compute_qty_to_invoice(self):
        """Override of `sale`: a TikTok order is paid in full at checkout, so it is invoiced as
        ordered whatever the products' invoicing policy; the shop's invoice policy says when."""
        super()._compute_qty_to_invoice()
        for line in self:
            if line.order_id.tiktok_is_sample:
                line.qty_to_invoice = 0.0  # a gift to a creator: never invoiced
            elif line._tiktok_invoiced_as_ordered():
                line.qty_to_invoice = line.product_uom_qty - line.qty_invoiced

    def _tiktok_invoiced_as_ordered(self):
        return (
            self.order_id.tiktok_shop_id
            and self.state == "sale"
            and not self.display_type
            and self.product_id.type != "combo"
        )

    def _prepare_invoice_line(self, **optional_values):
        """Override of `sale`: TikTok's subsidy, tax and shipping lines on the shop's accounts.

        Product and seller-discount lines keep Odoo's income accounts: the revenue is the
        subtotal less the seller's discounts, as TikTok counts it.
        """
        values = super()._prepare_invoice_line(**optional_values)
        shop = self.order_id.tiktok_shop_id
        role = shop and self._tiktok_account_role()
        if role and "account_id" not in optional_values:
            values["account_id"] = shop._tiktok_finance_account(role).id
        return values

    def _tiktok_account_role(self):
        for kind, role in SERVICE_ACCOUNT_ROLES.items():
            product = self.env.ref(SERVICE_PRODUCTS[kind], raise_if_not_found=False)
            if product and self.product_id == product:
                return role
        return None
