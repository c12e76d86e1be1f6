from odoo import api, fields, models

from ...tiktok_shop import endpoints
from .tiktok_category import category_version


class TikTokBrand(models.Model):
    """A brand the shop's seller may list under (Get Brands, authorized ones only)."""

    _name = "tiktok.brand"
    _inherit = ["tiktok.binding"]
    _description = "TikTok Shop brand"
    _order = "name"
    _tiktok_ref_field = "tiktok_brand_ref"

    tiktok_brand_ref = fields.Char(string="TikTok brand id", required=True)
    name = fields.Char(required=True)

    _shop_brand_unique = models.Constraint(
        "unique(shop_id, tiktok_brand_ref)", "This TikTok brand is already loaded for the shop."
    )

    @api.model
    def _tiktok_load_brands(self, shop):
        known = self._tiktok_by_ref(shop)
        brands = shop._tiktok_paginate(
            endpoints.BRANDS,
            items_key="brands",
            params={"is_authorized": "true", "category_version": category_version(shop.region)},
            page_size=100,
        )
        for entry in brands:
            if entry["id"] in known:
                known[entry["id"]].name = entry["name"]
            else:
                known[entry["id"]] = self.create(
                    {"shop_id": shop.id, "tiktok_brand_ref": entry["id"], "name": entry["name"]}
                )
        return len(known)
