import uuid
from contextlib import contextmanager

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import plaintext2html

from ... import const
from ...tiktok_shop import TikTokShopError, endpoints, listing_rules
from ...tiktok_shop.listing_rules import Problem
from ...tiktok_shop.payload import integer, required_text
from ...tools import check_manager

CHECK_STATES = [("todo", "Not checked"), ("problems", "Has problems"), ("ready", "Ready")]


class TikTokListing(models.Model):
    """An Odoo product's listing in a shop: what publishing sends, checked before any call.

    The listing is the product binding itself (`tiktok.product`): publishing fills its TikTok
    product id and binds each variant to the TikTok SKU it becomes.
    """

    _inherit = "tiktok.product"

    is_odoo_listing = fields.Boolean(
        string="Published from Odoo", readonly=True, help="Odoo holds this listing's content."
    )
    shop_region = fields.Char(related="shop_id.region")
    category_id = fields.Many2one(
        "tiktok.category",
        string="Category",
        domain="[('region', '=', shop_region), ('is_leaf', '=', True)]",
        help="A leaf of the market's TikTok category tree (Load categories fills it).",
    )
    brand_id = fields.Many2one(
        "tiktok.brand", string="Authorized brand", domain="[('shop_id', '=', shop_id)]"
    )
    video_url = fields.Char(
        string="Video URL",
        help="The product's TikTok video, kept with the listing; TikTok's listing API takes "
        "only videos uploaded to it, so the link is not sent.",
    )
    package_weight = fields.Float(string="Package weight (kg)", digits=(10, 3))
    package_length = fields.Integer(string="Length (cm)")
    package_width = fields.Integer(string="Width (cm)")
    package_height = fields.Integer(string="Height (cm)")
    image_ids = fields.One2many("tiktok.listing.image", "listing_id", string="Images")
    attribute_line_ids = fields.One2many(
        "tiktok.listing.attribute", "listing_id", string="Attributes"
    )
    document_ids = fields.One2many(
        "tiktok.listing.document", "listing_id", string="Compliance documents"
    )
    compliance_complete = fields.Boolean(compute="_compute_compliance_complete")
    variant_line_ids = fields.One2many("tiktok.listing.variant", "listing_id", string="Variants")
    check_state = fields.Selection(CHECK_STATES, default="todo", readonly=True, copy=False)
    check_result = fields.Text(string="Problems", readonly=True, copy=False)
    published_content = fields.Json(
        readonly=True, copy=False, help="The listing as last sent, without stock and prices."
    )

    @api.depends("document_ids.required", "document_ids.document")
    def _compute_compliance_complete(self):
        for listing in self:
            listing.compliance_complete = all(
                doc.document for doc in listing.document_ids if doc.required
            )

    @api.constrains("category_id")
    def _check_leaf_category(self):
        for listing in self:
            if listing.category_id and not listing.category_id.is_leaf:
                raise ValidationError(
                    self.env._("Only a leaf category can be chosen for a TikTok listing.")
                )

    @api.constrains("shop_id", "product_tmpl_id", "is_odoo_listing")
    def _check_one_listing_per_shop(self):
        for listing in self.filtered("is_odoo_listing"):
            twins = self.search_count(
                [
                    ("shop_id", "=", listing.shop_id.id),
                    ("product_tmpl_id", "=", listing.product_tmpl_id.id),
                    ("is_odoo_listing", "=", True),
                ]
            )
            if twins > 1:
                raise ValidationError(
                    self.env._("%s is already listed in this shop.", listing.product_tmpl_id.name)
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("product_tmpl_id") and not vals.get("tiktok_product_ref"):
                template = self.env["product.template"].browse(vals["product_tmpl_id"])
                vals.update({**_defaults_from_template(template), **vals})
            _add_remote_names(self.env, vals)
        listings = super().create(vals_list)
        for listing in listings.filtered("is_odoo_listing"):
            listing._tiktok_sync_variant_lines()
            if listing.category_id:
                listing._tiktok_apply_category()
        return listings

    def write(self, vals):
        _add_remote_names(self.env, vals)
        result = super().write(vals)
        if "category_id" in vals:
            self.filtered("category_id")._tiktok_apply_category()
        return result

    def action_tiktok_open_listing(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "tiktok.product",
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    # === CATEGORY === #

    def action_tiktok_load_categories(self):
        """Load the market's categories and the seller's authorized brands from TikTok."""
        check_manager(self.env)
        for shop in self.shop_id:
            with _tiktok_refusal_as_user_error(self.env):
                self.env["tiktok.category"]._tiktok_load_tree(shop)
                self.env["tiktok.brand"]._tiktok_load_brands(shop)
        return True

    def _tiktok_apply_category(self):
        """Attribute and compliance lines for the category's attributes and rules."""
        for listing in self:
            with _tiktok_refusal_as_user_error(self.env):
                attributes, rules = listing.category_id._tiktok_details(listing.shop_id)
            listing._tiktok_sync_attribute_lines(listing_rules.product_attributes(attributes))
            listing._tiktok_sync_document_lines(rules.get("product_certifications") or [])

    def _tiktok_sync_attribute_lines(self, attributes):
        self._tiktok_sync_lines(
            self.attribute_line_ids,
            "tiktok_attribute_ref",
            {
                attribute["id"]: {
                    "sequence": sequence,
                    "name": attribute["name"],
                    "required": bool(attribute.get("is_requried") or attribute.get("is_required")),
                    "multiple": bool(attribute.get("is_multiple_selection")),
                    "allowed_values": ", ".join(v["name"] for v in attribute.get("values") or []),
                }
                for sequence, attribute in enumerate(attributes)
            },
        )

    def _tiktok_sync_document_lines(self, certifications):
        self._tiktok_sync_lines(
            self.document_ids,
            "tiktok_certification_ref",
            {
                certification["id"]: {
                    "name": certification["name"],
                    "details": certification.get("document_details"),
                    "required": bool(certification.get("is_required")),
                }
                for certification in certifications
            },
        )

    def _tiktok_sync_lines(self, lines, key_field, wanted):
        """Make `lines` match `wanted` ({TikTok id: values}), keeping what the seller filled in."""
        kept = {line[key_field]: line for line in lines}
        lines.filtered(lambda line: line[key_field] not in wanted).unlink()
        for key, values in wanted.items():
            if key in kept:
                kept[key].write(values)
            else:
                lines.create({**values, "listing_id": self.id, key_field: key})

    def _tiktok_sync_variant_lines(self):
        """One line per active variant of the product, in the product's order."""
        for listing in self:
            variants = listing.product_tmpl_id.product_variant_ids
            gone = listing.variant_line_ids.filtered(
                lambda line, kept=variants: line.product_id not in kept
            )
            gone.unlink()
            missing = variants - listing.variant_line_ids.product_id
            self.env["tiktok.listing.variant"].create(
                [{"listing_id": listing.id, "product_id": variant.id} for variant in missing]
            )

    # === CHECK (dry run) === #

    def action_tiktok_check(self):
        """Show every problem: Odoo's checks, then TikTok's listing check when those pass."""
        check_manager(self.env)
        return self._tiktok_check_then(lambda listing: listing._tiktok_remote_problems())

    def _tiktok_check_then(self, call_tiktok):
        """Run Odoo's checks and call TikTok only when they all pass; show what is wrong.

        :param call_tiktok: listing -> problems found by TikTok; its refusal is one problem too
        """
        for listing in self:
            listing._tiktok_sync_variant_lines()
            problems = listing._tiktok_problems()
            if not problems:
                try:
                    problems = call_tiktok(listing) or []
                except TikTokShopError as error:
                    problems = [Problem("TikTok", str(error))]
            listing._tiktok_show_problems(problems)
        return True

    def _tiktok_problems(self):
        """Problems found without calling TikTok (category details aside, read once a day)."""
        self.ensure_one()
        problems = self._tiktok_price_problems()
        problems += listing_rules.check_listing(self._tiktok_draft())
        return problems

    def _tiktok_price_problems(self):
        pricelist = self.shop_id.pricelist_id
        if not pricelist:
            return [Problem("prices", "set the shop's TikTok pricelist")]
        if pricelist.currency_id != self.shop_id.currency_id:
            message = f"the TikTok pricelist must be in {self.shop_id.currency_id.name}"
            return [Problem("prices", message)]
        return []

    def _tiktok_draft(self):
        attributes, rules = [], {}
        prices = self.shop_id._tiktok_variant_prices(self.variant_line_ids.product_id)
        if self.category_id.is_leaf:
            attributes, rules = self.category_id._tiktok_details(self.shop_id)
        return listing_rules.ListingDraft(
            title=self.title,
            description=self.description,
            category=self.category_id._tiktok_as_remote() if self.category_id else None,
            attributes=attributes,
            attribute_values={
                line.tiktok_attribute_ref: line._value_names() for line in self.attribute_line_ids
            },
            rules=rules,
            documents=frozenset(
                self.document_ids.filtered("document").mapped("tiktok_certification_ref")
            ),
            images=[image._tiktok_info() for image in self.image_ids],
            video_url=self.video_url or "",
            package_weight=self.package_weight,
            package_dimensions=(self.package_length, self.package_width, self.package_height),
            skus=[
                line._tiktok_sku_draft(prices[line.product_id.id][0])
                for line in self.variant_line_ids
            ],
            taken_identifiers=self._tiktok_identifiers_of_other_listings(),
        )

    def _tiktok_identifiers_of_other_listings(self):
        """{identifier: seller SKU} of the shop's other listings: TikTok wants them unique."""
        others = self.env["tiktok.listing.variant"].search(
            [
                ("listing_id.shop_id", "=", self.shop_id.id),
                ("listing_id", "!=", self.id),
                ("identifier_code", "!=", False),
            ]
        )
        return {line.identifier_code: line.seller_sku for line in others}

    def _tiktok_remote_problems(self):
        """TikTok's own dry run (listing_check) of the body publishing would send."""
        answer = self.shop_id._tiktok_request(
            endpoints.PRODUCT_LISTING_CHECK, json=self._tiktok_body()
        )
        return [
            Problem("TikTok", reason.get("message") or str(reason.get("code")))
            for reason in answer.get("fail_reasons") or []
        ]

    def _tiktok_show_problems(self, problems):
        self.write(
            {
                "check_state": "problems" if problems else "ready",
                "check_result": "\n".join(f"• {problem}" for problem in problems) or False,
            }
        )

    # === BODY === #

    def _tiktok_body(self):
        """The create/edit body; uploads the images and documents TikTok does not have yet."""
        self.ensure_one()
        body = {
            "title": self.title.strip(),
            "description": self.description,
            "category_id": self.category_id.tiktok_category_ref,
            "category_version": self.category_id.category_version,
            "main_images": [{"uri": image._tiktok_upload()} for image in self.image_ids],
            "product_attributes": self._tiktok_attributes_body(),
            "package_weight": {"value": f"{self.package_weight:g}", "unit": "KILOGRAM"},
            "skus": self._tiktok_skus_body(),
            "save_mode": "LISTING",
        }
        if self.brand_id:
            body["brand_id"] = self.brand_id.tiktok_brand_ref
        if self.package_length and self.package_width and self.package_height:
            body["package_dimensions"] = {
                "length": str(self.package_length),
                "width": str(self.package_width),
                "height": str(self.package_height),
                "unit": "CENTIMETER",
            }
        certifications = [
            {"id": doc.tiktok_certification_ref, "images": [{"uri": doc._tiktok_upload()}]}
            for doc in self.document_ids.filtered("document")
        ]
        if certifications:
            body["certifications"] = certifications
        return body

    def _tiktok_attributes_body(self):
        attributes = {a["id"]: a for a in self.category_id.attributes_data or []}
        body = []
        for line in self.attribute_line_ids.filtered(lambda line: line._value_names()):
            attribute = attributes.get(line.tiktok_attribute_ref)
            if attribute:
                values, _problems = listing_rules.resolve_attribute_values(
                    attribute, line._value_names()
                )
                body.append({"id": line.tiktok_attribute_ref, "values": values})
        return body

    def _tiktok_skus_body(self):
        shop = self.shop_id
        prices = shop._tiktok_variant_prices(self.variant_line_ids.product_id)
        outlets = shop._tiktok_stock_outlets()
        if not outlets:
            raise UserError(self.env._("The TikTok shop has no sales warehouse Odoo stocks."))
        return [
            line._tiktok_sku_body(prices[line.product_id.id], outlets)
            for line in self.variant_line_ids
        ]

    # === PUBLISH / UPDATE === #

    def action_tiktok_publish(self):
        """Create the listing on TikTok, or send what changed; nothing is sent with a problem."""
        check_manager(self.env)
        return self._tiktok_check_then(lambda listing: listing._tiktok_send())

    def _tiktok_send(self):
        body = self._tiktok_body()
        if self.tiktok_product_ref:
            self._tiktok_update(body)
        else:
            self._tiktok_create(body)
        self._tiktok_refresh_status()

    def _tiktok_create(self, body):
        answer = self.shop_id._tiktok_request(
            endpoints.PRODUCT_CREATE,
            json={**body, "idempotency_key": self._tiktok_idempotency_key()},
        )
        self.write({"tiktok_product_ref": answer["product_id"], "status": "PENDING"})
        self._tiktok_record_sent(body, answer)
        # The new SKUs were listed without stock: push what Odoo can sell now, not in a minute.
        self.env["tiktok.stock.change"]._tiktok_schedule_push()

    def _tiktok_update(self, body):
        """A partial edit when only some listing fields changed, else a full edit."""
        body = _with_sku_ids(body, self._tiktok_bound_sku_ids())
        content = _content(body)
        published = self.published_content or {}
        changed = {key for key in content if content[key] != published.get(key)}
        if not changed:
            return
        product = {"product_id": self.tiktok_product_ref}
        if changed <= const.PARTIAL_EDIT_FIELDS:
            answer = self.shop_id._tiktok_request(
                endpoints.PRODUCT_PARTIAL_EDIT,
                path_params=product,
                json={key: body[key] for key in changed},
            )
        else:
            answer = self.shop_id._tiktok_request(
                endpoints.PRODUCT_EDIT, path_params=product, json=body
            )
        self._tiktok_record_sent(body, answer)

    def _tiktok_bound_sku_ids(self):
        """{seller SKU: TikTok SKU id} of the variants already bound."""
        return {
            line.seller_sku: line.sku_binding_id.tiktok_sku_ref
            for line in self.variant_line_ids
            if line.sku_binding_id
        }

    def _tiktok_record_sent(self, body, answer):
        """Bind the variants to the SKUs TikTok answered with; remember what TikTok has now."""
        sku_ids = self._tiktok_bound_sku_ids()
        sku_ids.update({sku["seller_sku"]: sku["id"] for sku in answer.get("skus") or []})
        self._tiktok_bind_skus(sku_ids, body["skus"])
        self.published_content = _content(_with_sku_ids(body, sku_ids))

    def _tiktok_bind_skus(self, sku_ids, sku_bodies):
        """Bind each variant to its TikTok SKU, remembering the prices it was listed at."""
        prices = {sku["seller_sku"]: sku for sku in sku_bodies}
        Sku = self.env["tiktok.sku"]
        for line in self.variant_line_ids:
            sku_id = sku_ids.get(line.seller_sku)
            if not sku_id:
                continue
            binding = line.sku_binding_id.filtered(lambda b, i=sku_id: b.tiktok_sku_ref == i)
            binding = binding or Sku._tiktok_find(self.shop_id, [sku_id])
            values = {
                "tiktok_product_ref": self.tiktok_product_ref,
                "product_binding_id": self.id,
                "seller_sku": line.seller_sku,
                "name": line.product_id.display_name,
                "product_id": line.product_id.id,
                "last_sync": fields.Datetime.now(),
                **_pushed_prices(prices[line.seller_sku]),
            }
            if binding:
                binding.write(values)
            else:
                binding = Sku.create(
                    {**values, "shop_id": self.shop_id.id, "tiktok_sku_ref": sku_id}
                )
            line.sku_binding_id = binding

    def _tiktok_idempotency_key(self):
        """Stable per listing: a create retried after a lost answer makes no second product."""
        database_uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        return uuid.uuid5(uuid.NAMESPACE_URL, f"tiktok-listing:{database_uuid}:{self.id}").hex

    def action_tiktok_push_prices(self):
        """Send the listing's prices that changed since they were last pushed."""
        check_manager(self.env)
        for shop, listings in self.grouped("shop_id").items():
            shop._tiktok_push_prices(listings.sku_ids, trigger="manual")
        return True

    # === STATUS === #

    def action_tiktok_activate(self):
        check_manager(self.env)
        return self._tiktok_switch(endpoints.PRODUCTS_ACTIVATE)

    def action_tiktok_deactivate(self):
        check_manager(self.env)
        return self._tiktok_switch(endpoints.PRODUCTS_DEACTIVATE)

    def _tiktok_switch(self, endpoint):
        for listing in self:
            if not listing.tiktok_product_ref:
                raise UserError(self.env._("Publish the listing first."))
            with _tiktok_refusal_as_user_error(self.env):
                answer = listing.shop_id._tiktok_request(
                    endpoint,
                    json={"product_ids": [listing.tiktok_product_ref]},
                )
            errors = answer.get("errors") or []
            if errors:
                raise UserError(
                    self.env._("TikTok refused: %s", "; ".join(e["message"] for e in errors))
                )
            listing._tiktok_refresh_status()
        return True

    def action_tiktok_refresh_status(self):
        with _tiktok_refusal_as_user_error(self.env):
            self.filtered("tiktok_product_ref")._tiktok_refresh_status()
        return True

    def _tiktok_refresh_status(self):
        """Read the listing's status and audit failure reasons back from TikTok."""
        for listing in self:
            self._tiktok_refresh_remote(listing.shop_id, listing.tiktok_product_ref)

    def _tiktok_write_status(self, remote):
        """Store TikTok's status; tell the product's responsible when TikTok refused it."""
        self.ensure_one()
        status = required_text(remote, "status")
        reasons = _audit_reasons_text(remote.get("audit_failed_reasons") or [])
        news = status != self.status or reasons != (self.audit_failed_reasons or "")
        self.write(
            {
                "status": status,
                "audit_failed_reasons": reasons,
                "remote_update_time": integer(remote, "update_time"),
                "last_sync": fields.Datetime.now(),
            }
        )
        if news and status in const.LISTING_REFUSED_STATUSES and self.product_tmpl_id:
            self._tiktok_notify_refusal()

    def _tiktok_notify_refusal(self):
        template = self.product_tmpl_id
        status = dict(self._fields["status"].selection)[self.status]
        template.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._(
                "TikTok: %(status)s in %(shop)s", status=status, shop=self.shop_id.name
            ),
            note=plaintext2html(self.audit_failed_reasons or status),
            user_id=(template.responsible_id or self.env.user).id,
        )

    @api.model
    def _tiktok_refresh_remote(self, shop, tiktok_product_ref):
        """Follow a product status webhook: re-read the product, update its listings."""
        listings = self._tiktok_find(shop, [tiktok_product_ref])
        remote = shop._tiktok_request(
            endpoints.PRODUCT_DETAIL, path_params={"product_id": tiktok_product_ref}
        )
        for listing in listings:
            listing._tiktok_write_status(remote)
        return remote


# === HELPERS === #


@contextmanager
def _tiktok_refusal_as_user_error(env):
    """A seller's action that TikTok refuses or cannot answer ends with TikTok's message."""
    try:
        yield
    except TikTokShopError as error:
        raise UserError(env._("TikTok Shop answered: %s", error)) from error


def _defaults_from_template(template):
    """A new listing starts from the product's own content."""
    images = [{"name": template.name, "image": template.image_1920}] if template.image_1920 else []
    return {
        "is_odoo_listing": True,
        "title": template.name,
        "description": template.description_sale and plaintext2html(template.description_sale),
        "package_weight": template.weight,
        "image_ids": [fields.Command.create(values) for values in images],
    }


def _add_remote_names(env, vals):
    """Keep the binding's TikTok category and brand ids in step with the chosen records."""
    if "category_id" in vals:
        category = env["tiktok.category"].browse(vals["category_id"])
        vals["tiktok_category_ref"] = category.tiktok_category_ref
        vals["category_name"] = category.complete_name
    if "brand_id" in vals:
        brand = env["tiktok.brand"].browse(vals["brand_id"])
        vals["tiktok_brand_ref"] = brand.tiktok_brand_ref
        vals["brand_name"] = brand.name


def _with_sku_ids(body, sku_ids):
    """The body with each SKU's TikTok id, so an edit keeps the SKUs TikTok has."""
    skus = [
        {**sku, "id": sku_ids[sku["seller_sku"]]} if sku_ids.get(sku["seller_sku"]) else sku
        for sku in body["skus"]
    ]
    return {**body, "skus": skus}


def _content(body):
    """What an edit compares: stock and prices have their own pushes."""
    content = {key: value for key, value in body.items() if key != "save_mode"}
    content["skus"] = [
        {k: v for k, v in sku.items() if k not in ("inventory", "price", "list_price")}
        for sku in body["skus"]
    ]
    return content


def _pushed_prices(sku_body):
    list_price = (sku_body.get("list_price") or {}).get("amount") or False
    return {"pushed_price": sku_body["price"]["amount"], "pushed_list_price": list_price}


def _audit_reasons_text(reasons):
    """TikTok's audit_failed_reasons as lines a seller reads."""
    lines = []
    for reason in reasons:
        text = "; ".join(reason.get("reasons") or [])
        suggestions = " ".join(reason.get("suggestions") or [])
        line = f"{reason.get('position') or 'listing'}: {text}"
        lines.append(f"{line} ({suggestions})" if suggestions else line)
    return "\n".join(lines)
