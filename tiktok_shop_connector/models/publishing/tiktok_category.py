from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ... import const
from ...tiktok_shop import endpoints


class TikTokCategory(models.Model):
    """A TikTok product category of one market, as Get Categories lists it.

    The US lists in the 7-level `v2` tree, every other market in the 3-level `v1` one; rules differ
    per market too, so categories are kept per region. A leaf's attributes and rules are read on
    first use and cached for `const.CATEGORY_DETAILS_MAX_AGE`.
    """

    _name = "tiktok.category"
    _description = "TikTok Shop category"
    _order = "region, complete_name"
    _rec_name = "complete_name"

    region = fields.Char(required=True, index=True)
    category_version = fields.Selection([("v1", "v1"), ("v2", "v2 (US)")], required=True)
    tiktok_category_ref = fields.Char(string="TikTok category id", required=True, index=True)
    name = fields.Char(required=True)
    parent_id = fields.Many2one("tiktok.category", ondelete="cascade", index=True)
    complete_name = fields.Char(compute="_compute_complete_name", store=True, recursive=True)
    is_leaf = fields.Boolean(string="Leaf", readonly=True)
    permission_statuses = fields.Char(readonly=True, help="TikTok's permission_statuses.")
    attributes_data = fields.Json(readonly=True, help="Get Attributes answer, cached.")
    rules_data = fields.Json(readonly=True, help="Get Category Rules answer, cached.")
    details_fetched_at = fields.Datetime(readonly=True)

    _region_category_unique = models.Constraint(
        "unique(region, tiktok_category_ref)", "This TikTok category is already loaded."
    )

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for category in self:
            parent = category.parent_id.complete_name
            category.complete_name = f"{parent} > {category.name}" if parent else category.name

    @api.model
    def _tiktok_load_tree(self, shop):
        """Create or update the categories of the shop's market from Get Categories."""
        version = category_version(shop.region)
        remote = shop._tiktok_request(
            endpoints.CATEGORIES,
            params={"category_version": version, "locale": shop.language},
        )["categories"]
        known = {
            category.tiktok_category_ref: category
            for category in self.search([("region", "=", shop.region)])
        }
        for entry in remote:
            values = {
                "name": entry["local_name"],
                "is_leaf": entry["is_leaf"],
                "permission_statuses": ",".join(entry.get("permission_statuses") or []),
            }
            category = known.get(entry["id"])
            if category:
                category.write(values)
            else:
                known[entry["id"]] = self.create(
                    {
                        **values,
                        "region": shop.region,
                        "category_version": version,
                        "tiktok_category_ref": entry["id"],
                    }
                )
        for entry in remote:
            known[entry["id"]].parent_id = known.get(entry["parent_id"], self.browse())
        return len(remote)

    def _tiktok_details(self, shop):
        """(attributes, rules) of this leaf for `shop`, read from TikTok when stale."""
        self.ensure_one()
        if not self.is_leaf:
            raise UserError(self.env._("Only a leaf category has attributes and rules."))
        max_age = timedelta(hours=const.CATEGORY_DETAILS_MAX_AGE_HOURS)
        if not self.details_fetched_at or self.details_fetched_at < fields.Datetime.now() - max_age:
            category = {"category_id": self.tiktok_category_ref}
            params = {"category_version": self.category_version, "locale": shop.language}
            self.write(
                {
                    "attributes_data": shop._tiktok_request(
                        endpoints.CATEGORY_ATTRIBUTES, path_params=category, params=params
                    )["attributes"],
                    "rules_data": shop._tiktok_request(
                        endpoints.CATEGORY_RULES, path_params=category, params=params
                    ),
                    "details_fetched_at": fields.Datetime.now(),
                }
            )
        return self.attributes_data or [], self.rules_data or {}

    def _tiktok_as_remote(self):
        """The category as Get Categories shows it: what the listing checks read."""
        self.ensure_one()
        return {
            "id": self.tiktok_category_ref,
            "is_leaf": self.is_leaf,
            "permission_statuses": (self.permission_statuses or "").split(","),
        }


def category_version(region):
    """TikTok's category tree of a market: v2 is mandatory in the US, v1 elsewhere."""
    return "v2" if region in const.CATEGORY_V2_REGIONS else "v1"
