from odoo import fields, models
from odoo.exceptions import UserError

from ...tiktok_shop import endpoints
from ...tools import check_manager


class TikTokShopFulfillment(models.Model):
    _inherit = "tiktok.shop"

    shipping_provider_ids = fields.One2many("tiktok.shipping.provider", "shop_id")
    handover_method = fields.Selection(
        [("DROP_OFF", "Drop off at a carrier point"), ("PICKUP", "Carrier picks up")],
        default="DROP_OFF",
        required=True,
        help="How parcels with TikTok's shipping label reach the carrier.",
    )

    def action_load_shipping_providers(self):
        """List the providers of every delivery option of the shop's warehouses, from TikTok."""
        check_manager(self.env)
        Provider = self.env["tiktok.shipping.provider"]
        for shop in self:
            known = Provider._tiktok_by_ref(shop)
            for provider in shop._tiktok_remote_providers():
                if provider["tiktok_provider_ref"] not in known:
                    known[provider["tiktok_provider_ref"]] = Provider.create(
                        {"shop_id": shop.id, **provider}
                    )
        return True

    def _tiktok_remote_providers(self):
        self.ensure_one()
        providers = {}
        warehouses = self._tiktok_request(endpoints.WAREHOUSES)["warehouses"]
        for warehouse in warehouses:
            if warehouse.get("type") != "SALES_WAREHOUSE":
                continue
            options = (
                self._tiktok_request(
                    endpoints.WAREHOUSE_DELIVERY_OPTIONS,
                    path_params={"warehouse_id": warehouse["id"]},
                ).get("delivery_options")
                or []
            )
            for option in options:
                if option.get("type") != "SEND_BY_SELLER":
                    continue
                remote = self._tiktok_request(
                    endpoints.SHIPPING_PROVIDERS, path_params={"delivery_option_id": option["id"]}
                )
                for provider in remote.get("shipping_providers") or []:
                    providers[str(provider["id"])] = {"name": provider["name"]}
        return [{"tiktok_provider_ref": key, **value} for key, value in providers.items()]

    def _tiktok_provider_of(self, carrier):
        self.ensure_one()
        provider = self.shipping_provider_ids.filtered(lambda p: p.carrier_id == carrier)[:1]
        if not provider:
            raise UserError(
                self.env._(
                    "Map the carrier %(carrier)s to a TikTok shipping provider of %(shop)s "
                    "(shop > Shipping providers) to send its tracking numbers.",
                    carrier=carrier.name or self.env._("(none)"),
                    shop=self.name,
                )
            )
        return provider.tiktok_provider_ref


class TikTokShopCancellations(models.Model):
    _inherit = "tiktok.shop"

    def _tiktok_sync_cancellations(self, sale_orders):
        """Create or update the cancellations of these orders (one search per 50 orders)."""
        self.ensure_one()
        by_tiktok_id = {order.tiktok_order_ref: order for order in sale_orders}
        Cancellation = self.env["tiktok.cancellation"].sudo()
        ids = list(by_tiktok_id)
        for start in range(0, len(ids), 50):
            remote = self._tiktok_paginate(
                endpoints.CANCELLATION_SEARCH,
                items_key="cancellations",
                page_size=50,
                json={"order_ids": ids[start : start + 50]},
            )
            for item in remote:
                values = {
                    "status": item.get("cancel_status"),
                    "role": item.get("role"),
                    "reason": item.get("cancel_reason_text") or item.get("cancel_reason"),
                    "sale_order_id": by_tiktok_id.get(str(item.get("order_id"))).id,
                }
                known = Cancellation._tiktok_find(self, [str(item["cancel_id"])])
                if known:
                    known.write(values)
                else:
                    Cancellation.create(
                        {
                            "shop_id": self.id,
                            "tiktok_cancel_ref": str(item["cancel_id"]),
                            "tiktok_order_ref": str(item["order_id"]),
                            **values,
                        }
                    )
