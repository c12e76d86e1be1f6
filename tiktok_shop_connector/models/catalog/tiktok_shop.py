import base64
import logging
from itertools import islice

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from psycopg2 import IntegrityError

from ... import const
from ...tiktok_shop import TikTokShopError, endpoints
from ...tiktok_shop.catalog_mapping import map_product, product_version
from ...tools import RECORD_SYNC_ERRORS, SyncBug, check_manager, notification, report_bugs

_logger = logging.getLogger(__name__)

# What one product's import may fail with and still leave the rest of the catalog to go on.
# An IntegrityError is another worker binding the same product: the next run sees its binding.
CATALOG_ERRORS = (*RECORD_SYNC_ERRORS, IntegrityError)


class TikTokShopCatalog(models.Model):
    """Catalog in: TikTok's products, their SKUs and images, onto Odoo products and bindings."""

    _inherit = "tiktok.shop"

    catalog_high_water_mark = fields.Integer(
        compute="_compute_high_water_marks",
        help="TikTok update_time (Unix seconds) up to which every product was imported.",
    )

    # === ENTRY POINTS === #

    @api.model
    def _cron_import_catalog(self):
        """Import the changed products of every shop that syncs its catalog."""
        shops = self.search([("sync_enabled", "=", True), ("sync_catalog", "=", True)])
        due = shops.filtered(lambda shop: shop._is_syncing("catalog"))
        self.env["tiktok.runner"]._run_per_shop("catalog", due, "_tiktok_import_catalog")

    def action_import_catalog(self):
        check_manager(self.env)
        logs = self.env["tiktok.sync.log"]
        for shop in self:
            logs |= shop._tiktok_import_catalog(trigger="manual")
        message = self.env._(
            "Catalog imported: %(created)s products created, %(updated)s updated, "
            "%(skipped)s unchanged, %(failed)s failed.",
            created=sum(logs.mapped("created_count")),
            updated=sum(logs.mapped("updated_count")),
            skipped=sum(logs.mapped("skipped_count")),
            failed=sum(logs.mapped("failed_count")),
        )
        return notification(message, "warning" if any(logs.mapped("failed_count")) else "success")

    # === THE RUN === #

    def _tiktok_import_catalog(self, trigger="cron", log=None):
        """Import the products updated since the high-water mark, minus its overlap.

        The first run takes the whole catalog. TikTok's search is not sorted by update time, so
        the mark moves once every page was read (held before a product that failed); a run cut
        short reads its pages again next time and skips what it imported already.
        Progress is committed after each page.
        """
        self.ensure_one()
        with self._tiktok_sync_run("catalog", trigger, log) as log:
            seen, failed_times = [], []
            products = iter(self._tiktok_search_products())
            while page := list(islice(products, const.CATALOG_PAGE_SIZE)):
                failed_times += self._tiktok_import_product_page(page, log)
                seen += page
                if not self.env["ir.cron"]._commit_progress():
                    return log
            self._tiktok_mark_advance("catalog", seen, failed_times)
            self.env["tiktok.sku"]._tiktok_refresh_conflicts(self)
        return log

    def _tiktok_search_products(self):
        start = self._tiktok_mark_start("catalog")
        body = {} if start is None else {"update_time_ge": start}
        return self._tiktok_paginate(
            endpoints.PRODUCT_SEARCH,
            items_key="products",
            page_size=const.CATALOG_PAGE_SIZE,
            json=body,
        )

    def _tiktok_import_product_page(self, page, log):
        """Import the products of one search page that changed; return the failures' times.

        :raises TikTokDataError: when a product of the page has no id or an unreadable time
        """
        versions = [product_version(item, f"products[{index}]") for index, item in enumerate(page)]
        bindings = self.env["tiktok.product"]._tiktok_by_ref(
            self, [product_id for product_id, _time in versions]
        )
        failed_times = []
        for product_id, update_time in versions:
            binding = bindings.get(product_id)
            if binding and binding.remote_update_time >= update_time:
                log._count("skipped")
                continue
            try:
                with self.env.cr.savepoint(), report_bugs(f"product {product_id}", CATALOG_ERRORS):
                    outcome = self._tiktok_import_product(self._tiktok_get_product(product_id))
            except (*CATALOG_ERRORS, SyncBug) as error:
                log._note(f"product {product_id}: {error}")
                failed_times.append(update_time)
                outcome = "failed"
            log._count(outcome)
        return failed_times

    def _tiktok_get_product(self, product_id):
        return map_product(
            self._tiktok_request(endpoints.PRODUCT_DETAIL, path_params={"product_id": product_id})
        )

    # === ONE PRODUCT === #

    def _tiktok_import_product(self, mapped, create_for=None):
        """Bind one TikTok product and its SKUs to Odoo products; return "created" or "updated".

        Each SKU keeps the product it is mapped to; an unmapped one takes the Odoo variant its
        seller SKU names (internal reference, then barcode). Odoo products are created for the
        rest, except SKUs that are ignored or whose seller SKU names several products: those
        wait for the seller's decision, unless `create_for` (TikTok SKU ids) asks for them.
        """
        binding = self.env["tiktok.product"]._tiktok_find(self, [mapped.product_id])
        sku_bindings = self.env["tiktok.sku"]._tiktok_by_ref(
            self, [variant.sku_id for variant in mapped.variants]
        )
        variants = {
            sku_id: sku.product_id for sku_id, sku in sku_bindings.items() if sku.product_id
        }
        to_create = self._tiktok_resolve_variants(mapped, sku_bindings, variants, create_for)
        template = binding.product_tmpl_id or next(
            (variant.product_tmpl_id for variant in variants.values()), None
        )
        created_template = False
        if to_create:
            template, created_template, created = self._tiktok_create_variants(
                mapped, to_create, template
            )
            variants.update(created)
        outcome = "updated" if binding else "created"
        binding = self._tiktok_save_product_binding(mapped, binding, template, created_template)
        self._tiktok_save_sku_bindings(mapped, binding, sku_bindings, variants)
        return outcome

    def _tiktok_resolve_variants(self, mapped, sku_bindings, variants, create_for):
        """Fill `variants` with the unique matches; return the variants to create products for."""
        Sku = self.env["tiktok.sku"]
        unresolved = [variant for variant in mapped.variants if variant.sku_id not in variants]
        candidates = Sku._match_candidates(self, [variant.seller_sku for variant in unresolved])
        to_create = []
        for variant in unresolved:
            matches = candidates.get(variant.seller_sku) or self.env["product.product"]
            sku = sku_bindings.get(variant.sku_id) or Sku
            if len(matches) == 1:
                variants[variant.sku_id] = matches
            elif create_for is not None:
                if variant.sku_id in create_for:
                    to_create.append(variant)
            elif not matches and not sku.ignored:
                to_create.append(variant)
        return to_create

    # === ODOO PRODUCTS === #

    def _tiktok_create_variants(self, mapped, variants, template=None):
        """Odoo variants for TikTok `variants`: (template, whether it is new, {SKU id: variant}).

        They join `template` when it has the same attributes (new values are added to its lines);
        otherwise a template is made for them. The combinations Odoo makes that TikTok does not
        sell are archived.
        """
        values = self._tiktok_attribute_values(mapped, variants)
        attributes = self.env["product.attribute"].union(*(v.attribute_id for v in values.values()))
        is_new = not template or template.attribute_line_ids.attribute_id != attributes
        existing = self.env["product.product"] if is_new else template.product_variant_ids
        if is_new:
            template = self._tiktok_create_template(mapped, values)
        else:
            self._tiktok_add_attribute_values(template, values.values())
        by_combination = _variants_by_combination(template)
        created = {}
        for variant in variants:
            key = frozenset(values[pair].id for pair in variant.attribute_values)
            product = by_combination.get(key)
            if product:
                if not product.default_code:
                    product.default_code = variant.seller_sku or False
                created[variant.sku_id] = product
        sold = self.env["product.product"].union(*created.values())
        (template.product_variant_ids - existing - sold).active = False
        return template, is_new, created

    def _tiktok_attribute_values(self, mapped, variants):
        """{(attribute name, value name): product.attribute.value}, reusing Odoo's by name."""
        Attribute, Value = self.env["product.attribute"], self.env["product.attribute.value"]
        used = {pair for variant in variants for pair in variant.attribute_values}
        values = {}
        for name, value_names in mapped.attributes:
            wanted = [value for value in value_names if (name, value) in used]
            if not wanted:
                continue
            # Only attributes that make variants: a "never" one of the same name cannot serve.
            attribute = Attribute.search(
                [("name", "=ilike", name), ("create_variant", "=", "always")], limit=1
            ) or Attribute.create({"name": name, "create_variant": "always"})
            existing = {value.name.lower(): value for value in attribute.value_ids}
            for value_name in wanted:
                values[(name, value_name)] = existing.get(value_name.lower()) or Value.create(
                    {"name": value_name, "attribute_id": attribute.id}
                )
        return values

    def _tiktok_create_template(self, mapped, values):
        lines = self.env["product.attribute.value"].union(*values.values()).grouped("attribute_id")
        template = self.env["product.template"].create(
            {
                "name": mapped.title or mapped.product_id,
                "type": "consu",
                "is_storable": True,
                "list_price": self._tiktok_company_price(mapped.lowest_price),
                "description": mapped.description or False,
                "attribute_line_ids": [
                    Command.create(
                        {
                            "attribute_id": attribute.id,
                            "value_ids": [Command.set(line_values.ids)],
                        }
                    )
                    for attribute, line_values in lines.items()
                ],
            }
        )
        self._tiktok_set_main_image(template, mapped)
        return template

    def _tiktok_add_attribute_values(self, template, values):
        lines = {line.attribute_id: line for line in template.attribute_line_ids}
        commands = [
            Command.update(lines[value.attribute_id].id, {"value_ids": [Command.link(value.id)]})
            for value in values
            if value not in lines[value.attribute_id].value_ids
        ]
        if commands:
            template.write({"attribute_line_ids": commands})

    def _tiktok_company_price(self, price):
        """TikTok's price (shop currency) in the company's currency, as Odoo's sales price."""
        company = self.company_id
        return self.currency_id._convert(
            float(price), company.currency_id, company, fields.Date.today()
        )

    def _tiktok_set_main_image(self, template, mapped):
        """TikTok's main image on the template; an image that cannot be read is skipped."""
        if not mapped.main_image_url:
            return
        try:
            data = self._tiktok_client().download_document(mapped.main_image_url)
            with self.env.cr.savepoint():
                template.image_1920 = base64.b64encode(data)
        except (TikTokShopError, UserError, OSError, ValueError) as error:
            # Pillow raises OSError on a truncated file that still has a valid header.
            _logger.info("TikTok product %s: main image skipped: %s", mapped.product_id, error)

    # === BINDINGS === #

    def _tiktok_save_product_binding(self, mapped, binding, template, created_template):
        values = {
            "title": mapped.title,
            "description": mapped.description,
            "status": mapped.status or False,
            "tiktok_category_ref": mapped.category_id,
            "category_name": mapped.category_name,
            "tiktok_brand_ref": mapped.brand_id,
            "brand_name": mapped.brand_name,
            "image_uris": list(mapped.image_uris),
            "remote_update_time": mapped.update_time,
            "last_sync": fields.Datetime.now(),
        }
        if not binding:
            return self.env["tiktok.product"].create(
                {
                    **values,
                    "shop_id": self.id,
                    "tiktok_product_ref": mapped.product_id,
                    "product_tmpl_id": template.id if template else False,
                    "imported_template": created_template,
                }
            )
        if binding.imported_template and binding.product_tmpl_id:
            self._tiktok_follow_listing(binding, mapped)
        if template and not binding.product_tmpl_id:
            values.update(product_tmpl_id=template.id, imported_template=created_template)
        binding.write(values)
        return binding

    def _tiktok_follow_listing(self, binding, mapped):
        """A template the import made takes TikTok's new title, description and main image."""
        template = binding.product_tmpl_id
        changes = {}
        if mapped.title and mapped.title != binding.title:
            changes["name"] = mapped.title
        if mapped.description != (binding.description or ""):
            changes["description"] = mapped.description or False
        if changes:
            template.write(changes)
        if list(mapped.image_uris[:1]) != (binding.image_uris or [])[:1]:
            self._tiktok_set_main_image(template, mapped)

    def _tiktok_save_sku_bindings(self, mapped, binding, sku_bindings, variants):
        Sku = self.env["tiktok.sku"].with_context(const.DEFER_CONFLICTS)
        for variant in mapped.variants:
            values = {
                "tiktok_product_ref": mapped.product_id,
                "product_binding_id": binding.id,
                "seller_sku": variant.seller_sku,
                "name": f"{mapped.title} ({variant.label})" if variant.label else mapped.title,
                "remote_update_time": mapped.update_time,
                "last_sync": fields.Datetime.now(),
            }
            sku = sku_bindings.get(variant.sku_id)
            product = variants.get(variant.sku_id)
            if product and not (sku and sku.product_id):
                values["product_id"] = product.id
            if sku:
                sku.with_context(const.DEFER_CONFLICTS).write(values)
            else:
                Sku.create({**values, "shop_id": self.id, "tiktok_sku_ref": variant.sku_id})

    # === FROM THE MAPPING SCREEN === #

    def _tiktok_create_products_for_skus(self, skus):
        """Create Odoo products for these unmapped SKUs of the shop, from TikTok's product.

        A SKU known only from an order (no TikTok product id yet) becomes a product of its own,
        named as the order named it.
        """
        self.ensure_one()
        with_product = skus.filtered("tiktok_product_ref")
        for product_id, product_skus in with_product.grouped("tiktok_product_ref").items():
            mapped = self._tiktok_get_product(product_id)
            self._tiktok_import_product(
                mapped, create_for=set(product_skus.mapped("tiktok_sku_ref"))
            )
        for sku in skus - with_product:
            product = self.env["product.product"].create(
                {
                    "name": sku.name or sku.seller_sku or sku.tiktok_sku_ref,
                    "default_code": sku.seller_sku or False,
                    "type": "consu",
                    "is_storable": True,
                }
            )
            sku.with_context(const.DEFER_CONFLICTS).write(
                {"product_id": product.id, "ignored": False}
            )
        self.env["tiktok.sku"]._tiktok_refresh_conflicts(self)


def _variants_by_combination(template):
    """{frozenset of product.attribute.value ids: variant} of the template's variants."""
    return {
        frozenset(variant.product_template_attribute_value_ids.product_attribute_value_id.ids): (
            variant
        )
        for variant in template.product_variant_ids
    }
