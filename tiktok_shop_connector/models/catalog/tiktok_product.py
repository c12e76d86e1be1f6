from odoo import fields, models

# TikTok's listing statuses (Get Product `status`), in the order a listing goes through them.
LISTING_STATUSES = [
    ("DRAFT", "Draft"),
    ("PENDING", "In review"),
    ("FAILED", "Audit failed"),
    ("ACTIVATE", "Live"),
    ("SELLER_DEACTIVATED", "Deactivated by the seller"),
    ("PLATFORM_DEACTIVATED", "Deactivated by TikTok"),
    ("FREEZE", "Frozen"),
    ("DELETED", "Deleted"),
]


class TikTokProduct(models.Model):
    """The binding of one TikTok product of one shop to the Odoo product template it lists.

    Its SKUs are `tiktok.sku` bindings, one per variant. Made by the catalog import (a TikTok
    product met for the first time) or by publishing an Odoo product; never two per TikTok id.
    """

    _name = "tiktok.product"
    _inherit = ["tiktok.binding"]
    _description = "TikTok Shop product"
    _order = "shop_id, title, id"
    _rec_name = "title"
    _tiktok_ref_field = "tiktok_product_ref"

    # Empty while an Odoo product's listing is a draft that was never published.
    tiktok_product_ref = fields.Char(string="TikTok product id", index=True, copy=False)
    product_tmpl_id = fields.Many2one(
        "product.template", string="Odoo product", index="btree_not_null", ondelete="set null"
    )
    title = fields.Char()
    # The listing's content as TikTok has it (catalog import) or as it is to be published.
    description = fields.Html(sanitize=True)
    tiktok_category_ref = fields.Char(string="TikTok category id")
    category_name = fields.Char(string="TikTok category")
    tiktok_brand_ref = fields.Char(string="TikTok brand id")
    brand_name = fields.Char(string="Brand")
    image_uris = fields.Json(help="TikTok URIs of the main image and the others, in order.")
    status = fields.Selection(LISTING_STATUSES, string="Listing status", index=True)
    audit_failed_reasons = fields.Text(string="Why TikTok refused it", readonly=True)
    sku_ids = fields.One2many("tiktok.sku", "product_binding_id", string="SKUs")

    _shop_product_unique = models.Constraint(
        "unique(shop_id, tiktok_product_ref)", "This TikTok product is already bound in this shop."
    )


class TikTokProductImported(models.Model):
    _inherit = "tiktok.product"

    imported_template = fields.Boolean(
        string="Odoo product made by the import",
        readonly=True,
        help="The catalog import created the Odoo product: its name, description and main "
        "image follow TikTok's. A product that existed in Odoo is never renamed.",
    )
