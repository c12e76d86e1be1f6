import base64

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from .. import const
from ..tiktok_shop.catalog_mapping import parse_sku_mapping_csv


class RowError(Exception):
    """Why one row of the file could not be mapped; reported, the other rows go on."""


class TikTokSkuMappingImport(models.TransientModel):
    """Map TikTok SKUs onto Odoo internal references from a CSV file, as sellers keep them.

    Columns: `internal_reference` (the Odoo product), `tiktok_sku_ref` (TikTok's SKU id) or
    `seller_sku` (the seller SKU on TikTok), and optionally `shop` (code, TikTok id or name) and
    `tiktok_product_ref`. A TikTok SKU id the connector has not met yet is bound all the same.
    """

    _name = "tiktok.sku.mapping.import"
    _description = "Import a TikTok SKU mapping (CSV)"

    file = fields.Binary(string="CSV file", required=True)
    filename = fields.Char()
    shop_id = fields.Many2one(
        "tiktok.shop",
        string="Shop",
        help="For the rows whose `shop` column is empty or missing.",
    )
    state = fields.Selection([("upload", "Upload"), ("done", "Done")], default="upload")
    mapped_count = fields.Integer(string="SKUs mapped", readonly=True)
    report = fields.Text(string="Rows not mapped", readonly=True)

    def action_import(self):
        self.ensure_one()
        try:
            parsed = parse_sku_mapping_csv(base64.b64decode(self.file))
        except (ValueError, UnicodeDecodeError) as error:
            raise UserError(self.env._("This file cannot be read: %s", error)) from None
        errors = list(parsed.errors)
        shops = self.env["tiktok.shop"]
        for row in parsed.rows:
            try:
                with self.env.cr.savepoint():
                    shops |= self._map_row(row)
            except RowError as error:
                errors.append((row.line, str(error)))
        self.env["tiktok.sku"]._tiktok_refresh_conflicts(shops)
        self.write(
            {
                "state": "done",
                "mapped_count": len(parsed.rows) + len(parsed.errors) - len(errors),
                "report": "\n".join(
                    self.env._("Line %(line)s: %(error)s", line=line, error=error)
                    for line, error in sorted(errors)
                )
                or False,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _map_row(self, row):
        """Map the row's SKU onto its internal reference; return its shop."""
        shop = self._row_shop(row)
        product = self._row_product(shop, row)
        sku = self._row_sku(shop, row)
        if sku.product_id != product:
            # Conflicts are checked once the whole file is mapped.
            sku.with_context(const.DEFER_CONFLICTS).write(
                {"product_id": product.id, "ignored": False}
            )
        return shop

    def _row_shop(self, row):
        if not row.shop:
            if not self.shop_id:
                raise RowError(self.env._("no shop: fill the shop column or pick a shop"))
            return self.shop_id
        shop = self._shop_named(row.shop)
        if not shop:
            raise RowError(self.env._("no TikTok shop %s", row.shop))
        return shop

    @api.model
    def _shop_named(self, name):
        domain = Domain.OR(
            [Domain(field_name, "=", name) for field_name in ("code", "tiktok_shop_ref", "name")]
        )
        shops = self.env["tiktok.shop"].search(domain)
        return shops if len(shops) == 1 else shops.browse()

    def _row_product(self, shop, row):
        products = self.env["product.product"].search(
            [
                ("default_code", "=", row.internal_reference),
                ("company_id", "in", (False, shop.company_id.id)),
            ]
        )
        if len(products) != 1:
            raise RowError(
                self.env._(
                    "%(count)s Odoo products have the internal reference %(reference)s",
                    count=len(products),
                    reference=row.internal_reference,
                )
            )
        return products

    def _row_sku(self, shop, row):
        Sku = self.env["tiktok.sku"]
        if row.tiktok_sku_ref:
            sku = Sku._tiktok_find(shop, [row.tiktok_sku_ref])
            return sku or Sku.create(
                {
                    "shop_id": shop.id,
                    "tiktok_sku_ref": row.tiktok_sku_ref,
                    "tiktok_product_ref": row.tiktok_product_ref or False,
                    "seller_sku": row.seller_sku or False,
                }
            )
        skus = Sku.search([("shop_id", "=", shop.id), ("seller_sku", "=", row.seller_sku)])
        if len(skus) != 1:
            raise RowError(
                self.env._(
                    "%(count)s TikTok SKUs of %(shop)s have the seller SKU %(sku)s (import the "
                    "catalog first, or give the TikTok SKU id)",
                    count=len(skus),
                    shop=shop.name,
                    sku=row.seller_sku,
                )
            )
        return skus
