"""Turns mapped TikTok orders into sale order values, with one query per batch for each lookup."""

from datetime import UTC, datetime

from markupsafe import Markup, escape
from odoo import Command
from psycopg2 import IntegrityError

from . import analytic_line_defaults, claim_without_waiting, create_unless_concurrent

SERVICE_PRODUCTS = {
    "shipping": "tiktok_shop_connector.product_tiktok_shipping",
    "seller_discount": "tiktok_shop_connector.product_tiktok_seller_discount",
    "subsidy": "tiktok_shop_connector.product_tiktok_platform_discount",
    "tax": "tiktok_shop_connector.product_tiktok_tax",
    "rounding": "tiktok_shop_connector.product_tiktok_rounding",
}


# Lines the seller's tax never applies to: the tax line and the rounding adjustment are amounts as
# TikTok has them; the platform discount is TikTok paying part of the price, which stays the
# taxable amount (VAT is due on a discount a third party funds).
UNTAXED_KINDS = ("tax", "rounding", "subsidy")


class ConcurrentImport(Exception):
    """Another worker is creating a record this order needs: the order is retried later."""


class OrderBuilder:
    """Sale order values for the mapped orders of one shop's batch.

    `prepare(mapped_orders)` looks up, in a few queries for the whole batch, the SKU bindings,
    buyers and countries; `values(mapped)` then builds one order's values without a query.
    """

    def __init__(self, shop):
        self.shop = shop
        self.env = shop.env
        self.products = {key: self.env.ref(xmlid) for key, xmlid in SERVICE_PRODUCTS.items()}
        self.pricelist = shop._tiktok_pricelist()
        # The seller's own tax (VAT) when the seller collects it; TikTok's figure as a line of
        # its own when TikTok collects it, or while the seller has not picked the Odoo tax.
        self.tax_ids = shop.tax_id.ids if shop.tax_mode == "seller" else []
        self.line_defaults = analytic_line_defaults(self.env)
        self.bindings = {}
        self.mapped_by_id = {}
        self.buyers = {}
        self.partners = {}
        self.countries = {}

    # === BATCH LOOKUPS === #

    def prepare(self, mapped_orders):
        self.mapped_by_id = {mapped.order_id: mapped for mapped in mapped_orders}
        lines = [line for mapped in mapped_orders for line in mapped.lines]
        self.bindings = self.env["tiktok.sku"].sudo()._tiktok_bind(self.shop, lines)
        codes = {m.address["country_code"] for m in mapped_orders}
        self.countries = {
            country.code: country
            for country in self.env["res.country"].search([("code", "in", list(codes))])
        }
        self._prepare_buyers(mapped_orders)

    def _prepare_buyers(self, mapped_orders):
        """Buyers keyed on TikTok's buyer id, and a delivery contact per address, in batches.

        Made here, before any order's savepoint: an order that fails cannot take a contact
        other orders of the batch use down with it.
        """
        Partner = self.env["res.partner"].sudo().with_context(tracking_disable=True)
        buyer_ids = list({m.buyer_id for m in mapped_orders if m.buyer_id})
        self.buyers = {
            partner.tiktok_buyer_ref: partner
            for partner in Partner.search(
                [("tiktok_buyer_ref", "in", buyer_ids), ("parent_id", "=", False)]
            )
        }
        missing = {}
        for mapped in mapped_orders:
            if mapped.buyer_id not in self.buyers:
                missing.setdefault(mapped.buyer_id, (mapped, mapped.address))
        claimed = claim_without_waiting(self.env, "tiktok buyer", missing)
        missing = {buyer_id: item for buyer_id, item in missing.items() if buyer_id in claimed}
        self.buyers.update(self._create_buyers(Partner, list(missing.values())))
        self.partners = {}
        wanted = {}
        for mapped in mapped_orders:
            buyer = self.buyers.get(mapped.buyer_id)
            if buyer is None:
                continue  # another worker is adding this buyer: the order is retried
            parts = mapped.address
            key = Partner._tiktok_address_key(parts)
            delivery = buyer.child_ids.filtered(lambda c, key=key: c.tiktok_address_key == key)
            if delivery:
                self.partners[mapped.order_id] = (buyer, delivery[:1])
            else:
                wanted.setdefault((buyer.id, key), (buyer, parts, []))[2].append(mapped.order_id)
        if wanted:
            deliveries = Partner.create(
                [
                    self._address_values(parts, buyer, key)
                    for (_buyer_id, key), (buyer, parts, _ids) in wanted.items()
                ]
            )
            for delivery, (buyer, _parts, ids) in zip(deliveries, wanted.values(), strict=True):
                for order_id in ids:
                    self.partners[order_id] = (buyer, delivery)

    def _create_buyers(self, Partner, missing):
        """{buyer id: partner} for buyers new to Odoo; one create, or one each on a conflict."""
        values = [
            {
                "name": parts["name"],
                "tiktok_buyer_ref": mapped.buyer_id or False,
                "email": mapped.buyer_email or False,
                "company_id": False,
            }
            for mapped, parts in missing
        ]
        if not values:
            return {}
        try:
            with self.env.cr.savepoint():
                created = Partner.create(values)
        except IntegrityError:
            created = Partner.union(*(create_unless_concurrent(Partner, v) for v in values))
        return {partner.tiktok_buyer_ref: partner for partner in created}

    # === ONE ORDER === #

    def check_ready(self, mapped):
        """Raise ConcurrentImport if another worker is adding a SKU binding or buyer it needs."""
        busy = [line.sku_id for line in mapped.lines if line.sku_id not in self.bindings]
        if busy:
            raise ConcurrentImport(f"SKU {', '.join(busy)} is being bound by another worker")
        self.partners_of(mapped)

    def ready(self, mapped_orders):
        """(orders whose buyer and SKU bindings are at hand, {order id: error} of the others)."""
        ready, busy = [], {}
        for mapped in mapped_orders:
            try:
                self.check_ready(mapped)
                ready.append(mapped)
            except ConcurrentImport as error:
                busy[mapped.order_id] = error
        return ready, busy

    def unmapped_skus(self, mapped):
        skus = (self.bindings[line.sku_id] for line in mapped.lines)
        return self.env["tiktok.sku"].union(*(sku for sku in skus if not sku.product_id))

    @staticmethod
    def unmapped_message(skus):
        if not skus:
            return False
        listed = ", ".join(sku.seller_sku or sku.tiktok_sku_ref for sku in skus)
        return f"Unmapped TikTok SKU: {listed}. Map it to a product: the order then goes on."

    def values(self, mapped):
        """Values of the sale order of `mapped`, lines included."""
        self.check_ready(mapped)
        buyer, delivery = self.partners[mapped.order_id]
        shop = self.shop
        unmapped = self.unmapped_skus(mapped)
        values = {
            "name": f"{shop.order_prefix or ''}{mapped.order_id}",
            "client_order_ref": mapped.order_id,
            "origin": f"TikTok Shop {shop.name}",
            "partner_id": buyer.id,
            "partner_invoice_id": buyer.id,
            "partner_shipping_id": delivery.id,
            "company_id": shop.company_id.id,
            "pricelist_id": self.pricelist.id,
            "currency_id": self.pricelist.currency_id.id,
            "team_id": shop.team_id.id,
            "date_order": datetime.fromtimestamp(mapped.create_time, UTC).replace(tzinfo=None),
            "note": _note(mapped),
            "tiktok_shop_id": shop.id,
            "tiktok_unmapped_sku_ids": [Command.set(unmapped.ids)],
            "tiktok_exception": self.unmapped_message(unmapped),
            "tiktok_create_time": mapped.create_time,
            "order_line": self.line_commands(mapped),
            **tracking_values(mapped),
        }
        if shop.warehouse_id:
            values["warehouse_id"] = shop.warehouse_id.id
        return values

    def line_commands(self, mapped):
        commands = [Command.create(self._product_line(line)) for line in mapped.lines]
        amounts = (
            ("shipping", mapped.shipping_fee_before_discounts),
            ("seller_discount", -mapped.seller_discount_total),
            ("subsidy", -mapped.subsidy),
        )
        if not self.tax_ids:  # TikTok's tax figure, as it collected it
            amounts += (("tax", mapped.tax),)
        commands += [
            Command.create(self._service_line(kind, amount)) for kind, amount in amounts if amount
        ]
        return commands

    def rounding_line(self, difference):
        return self._service_line("rounding", difference)

    def _product_line(self, line):
        binding = self.bindings[line.sku_id]
        values = {
            **self.line_defaults,
            "name": line.description,
            "product_uom_qty": line.quantity,
            "price_unit": float(line.unit_price),
            "tax_ids": [Command.set(self.tax_ids)],
            "tiktok_sku_ref": line.sku_id,
            "tiktok_product_ref": line.product_ref or False,
            "tiktok_line_item_refs": ",".join(line.line_item_ids),
        }
        if binding.product_id:
            values["product_id"] = binding.product_id.id
        else:  # a note line keeps the SKU visible until it is mapped; no placeholder product
            values.update(
                display_type="line_note",
                name=f"Unmapped TikTok SKU {line.seller_sku or line.sku_id}: "
                f"{line.quantity} x {line.description} at {line.unit_price}",
                product_uom_qty=0,
                price_unit=0,
            )
        return values

    def _service_line(self, kind, amount):
        product = self.products[kind]
        return {
            **self.line_defaults,
            "product_id": product.id,
            "name": product.name,
            "product_uom_qty": 1,
            "price_unit": float(amount),
            "tax_ids": [Command.set([] if kind in UNTAXED_KINDS else self.tax_ids)],
            "is_delivery": kind == "shipping",
        }

    def partners_of(self, mapped):
        """(buyer, delivery contact) of an order of the batch."""
        partners = self.partners.get(mapped.order_id)
        if partners is None:
            raise ConcurrentImport(f"buyer {mapped.buyer_id} is being added by another worker")
        return partners

    def _address_values(self, parts, buyer, key):
        country = self.countries.get(parts["country_code"])
        values = {
            "type": "delivery",
            "parent_id": buyer.id,
            "name": parts["name"],
            "street": parts["street"],
            "street2": parts["street2"],
            "city": parts["city"],
            "zip": parts["zip"],
            "phone": parts["phone"],
            "tiktok_address_key": key,
        }
        if country:
            values["country_id"] = country.id
            state = country.state_ids.filtered(
                lambda s: parts["state_name"] and parts["state_name"] in (s.name, s.code)
            )[:1]
            if state:
                values["state_id"] = state.id
        return values


def tracking_values(mapped):
    """The TikTok fields an import or a later update of the order writes."""
    return {
        "tiktok_order_ref": mapped.order_id,
        "tiktok_status": mapped.status,
        "tiktok_update_time": mapped.update_time,
        "tiktok_is_fbt": mapped.is_fbt,
        "tiktok_shipping_type": mapped.shipping_type or False,
        "tiktok_on_hold": mapped.status == "ON_HOLD",
        "tiktok_is_sample": mapped.is_sample,
        "tiktok_is_replacement": mapped.is_replacement,
        "tiktok_replaced_order_ref": mapped.replaced_order_id or False,
        "tiktok_package_refs": ",".join(mapped.package_ids) or False,
        "tiktok_total_amount": float(mapped.total_amount),
        "tiktok_subsidy": float(mapped.subsidy),
    }


def _note(mapped):
    parts = []
    if mapped.buyer_message:
        parts.append(Markup("<p><b>Buyer message:</b> %s</p>") % escape(mapped.buyer_message))
    if mapped.is_sample:
        parts.append(Markup("<p>TikTok sample order.</p>"))
    if mapped.is_replacement:
        parts.append(
            Markup("<p>Replacement of TikTok order %s.</p>") % escape(mapped.replaced_order_id)
        )
    return Markup("").join(parts) or False
