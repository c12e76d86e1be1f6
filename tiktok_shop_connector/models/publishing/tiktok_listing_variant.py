from odoo import api, fields, models

from ...tiktok_shop import listing_rules

IDENTIFIER_TYPES = [
    ("GTIN", "GTIN (14 digits)"),
    ("EAN", "EAN (8, 13 or 14 digits)"),
    ("UPC", "UPC (12 digits)"),
    ("ISBN", "ISBN (13 digits)"),
]
# The identifier type a barcode of this many digits most likely is.
IDENTIFIER_TYPE_BY_LENGTH = {8: "EAN", 12: "UPC", 13: "EAN", 14: "GTIN"}


class TikTokListingVariant(models.Model):
    """A variant as a TikTok SKU of the listing: seller SKU, identifier, price and stock."""

    _name = "tiktok.listing.variant"
    _description = "TikTok listing variant"
    _order = "listing_id, id"

    listing_id = fields.Many2one("tiktok.product", required=True, ondelete="cascade", index=True)
    product_id = fields.Many2one("product.product", string="Variant", required=True)
    seller_sku = fields.Char(
        string="Seller SKU", compute="_compute_seller_sku", store=True, readonly=False
    )
    identifier_type = fields.Selection(
        IDENTIFIER_TYPES, compute="_compute_identifier", store=True, readonly=False
    )
    identifier_code = fields.Char(
        string="Product identifier", compute="_compute_identifier", store=True, readonly=False
    )
    price = fields.Float(string="Sale price", compute="_compute_prices", digits="Product Price")
    list_price = fields.Float(compute="_compute_prices", digits="Product Price")
    sku_binding_id = fields.Many2one("tiktok.sku", string="TikTok SKU", readonly=True)

    _listing_variant_unique = models.Constraint(
        "unique(listing_id, product_id)", "A variant is listed once per listing."
    )

    @api.depends("product_id.default_code")
    def _compute_seller_sku(self):
        for line in self:
            line.seller_sku = line.product_id.default_code

    @api.depends("product_id.barcode")
    def _compute_identifier(self):
        for line in self:
            barcode = line.product_id.barcode or ""
            kind = IDENTIFIER_TYPE_BY_LENGTH.get(len(barcode)) if barcode.isdigit() else None
            line.identifier_code = barcode if kind else False
            line.identifier_type = kind or False

    @api.depends("product_id", "listing_id.shop_id.pricelist_id")
    def _compute_prices(self):
        for listing, lines in self.grouped("listing_id").items():
            prices = listing.shop_id._tiktok_variant_prices(lines.product_id)
            for line in lines:
                sale, listed = prices.get(line.product_id.id, (None, None))
                line.price = float(sale or 0)
                line.list_price = float(listed or 0)

    def _tiktok_sku_draft(self, price):
        return listing_rules.SkuDraft(
            seller_sku=self.seller_sku or "",
            price=price,
            identifier_type=self.identifier_type or "",
            identifier_code=self.identifier_code or "",
            sales_attributes=self._tiktok_variations(),
        )

    def _tiktok_variations(self):
        """((attribute, value), ...) of the variant: TikTok's sales attributes."""
        return tuple(
            (value.attribute_id.name, value.name)
            for value in self.product_id.product_template_attribute_value_ids
        )

    def _tiktok_sku_body(self, prices, outlets):
        shop = self.listing_id.shop_id
        sale, listed = shop._tiktok_price_strings(prices)
        currency = shop.currency_id.name
        body = {
            "seller_sku": self.seller_sku,
            "price": {"amount": sale, "currency": currency},
            # Listed without units: a new SKU binding has its stock to push, so the stock push
            # sends what Odoo can really sell (split between the shops sharing the stock) right
            # after publishing.
            "inventory": [
                {"warehouse_id": outlet.tiktok_warehouse_ref, "quantity": 0} for outlet in outlets
            ],
            "sales_attributes": [
                {"name": name, "value_name": value} for name, value in self._tiktok_variations()
            ],
        }
        if listed:
            body["list_price"] = {"amount": listed, "currency": currency}
        if self.identifier_code:
            body["identifier_code"] = {"code": self.identifier_code, "type": self.identifier_type}
        return body
