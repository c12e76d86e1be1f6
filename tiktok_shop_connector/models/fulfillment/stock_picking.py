import base64
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from ... import const
from ...tiktok_shop import TikTokShopError, endpoints

_logger = logging.getLogger(__name__)

TRACKING_STATES = [
    ("pending", "To send"),
    ("sent", "Sent"),
    ("failed", "Failed, retried"),
]


class StockPickingFulfillment(models.Model):
    _inherit = "stock.picking"

    tiktok_tracking_state = fields.Selection(
        TRACKING_STATES, string="TikTok shipment", readonly=True, copy=False, index=True
    )
    tiktok_tracking_error = fields.Text(readonly=True, copy=False)
    tiktok_tracking_attempts = fields.Integer(default=0, readonly=True, copy=False)
    tiktok_package_ref = fields.Char(string="TikTok package", readonly=True, copy=False)
    tiktok_line_item_refs = fields.Char(
        string="TikTok line items shipped", readonly=True, copy=False
    )
    tiktok_shipping_type = fields.Selection(related="sale_id.tiktok_shipping_type")

    def _action_done(self):
        """Override of `stock`: a shipped TikTok delivery is reported to TikTok by a cron."""
        result = super()._action_done()
        to_report = self.filtered(
            lambda p: (
                p.state == "done"
                and p.picking_type_code == "outgoing"
                and p.sale_id.tiktok_shop_id
                and not p.sale_id.tiktok_is_fbt
                and not p.tiktok_tracking_state
            )
        )
        if to_report:
            to_report.write({"tiktok_tracking_state": "pending"})
            self.env.ref("tiktok_shop_connector.ir_cron_send_tracking")._trigger()
        return result

    @api.model
    def _cron_send_tracking(self):
        domain = [
            ("tiktok_tracking_state", "in", ("pending", "failed")),
            ("tiktok_tracking_attempts", "<", const.TRACKING_MAX_ATTEMPTS),
        ]
        self.env["tiktok.runner"]._run_batches(
            self, domain, const.TRACKING_BATCH_SIZE, type(self)._tiktok_report_all
        )

    def action_tiktok_send_tracking(self):
        """Send again now (a manager fixed the carrier mapping, say)."""
        self._tiktok_report_all()
        return True

    def _tiktok_report_all(self):
        for picking in self:
            picking._tiktok_report_shipment()

    def _tiktok_report_shipment(self):
        """Tell TikTok this delivery left: its line items, carrier and tracking number, once."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                remote = self._tiktok_remote_order()
                line_item_ids = self._tiktok_line_items_to_report(remote)
                if line_item_ids:
                    self._tiktok_send_shipment(remote, line_item_ids)
                self.write(
                    {
                        "tiktok_tracking_state": "sent",
                        "tiktok_tracking_error": False,
                        "tiktok_line_item_refs": ",".join(line_item_ids) or False,
                    }
                )
        except (TikTokShopError, UserError) as error:
            _logger.info("TikTok shipment of picking %s not sent: %s", self.id, error)
            self.write(
                {
                    "tiktok_tracking_state": "failed",
                    "tiktok_tracking_error": str(error),
                    "tiktok_tracking_attempts": self.tiktok_tracking_attempts + 1,
                }
            )

    def _tiktok_remote_order(self):
        """TikTok's current view of this delivery's order (Get Order Detail)."""
        order = self.sale_id
        order_ref = order.tiktok_order_ref
        remote = order.tiktok_shop_id._tiktok_fetch_orders([order_ref])
        if not remote:
            raise UserError(self.env._("TikTok does not know the order %s.", order_ref))
        return remote[0]

    def _tiktok_line_items_to_report(self, remote):
        """The order's line items this picking shipped and TikTok still awaits.

        TikTok's own view decides: a line item it no longer lists as awaiting shipment was
        reported already (perhaps by a call whose answer was lost) and is not sent again.
        """
        order = self.sale_id
        awaiting = {
            str(item["id"])
            for item in remote.get("line_items") or ()
            if item.get("package_status") in ("TO_FULFILL", "PROCESSING")
            and not item.get("tracking_number")
        }
        reported = {
            item_id
            for picking in order.picking_ids - self
            for item_id in (picking.tiktok_line_item_refs or "").split(",")
            if item_id
        }
        line_item_ids = []
        for move in self.move_ids.filtered(lambda m: m.state == "done" and m.sale_line_id):
            candidates = [
                item_id
                for item_id in (move.sale_line_id.tiktok_line_item_refs or "").split(",")
                if item_id and item_id not in reported and item_id not in line_item_ids
            ]
            line_item_ids += candidates[: int(move.quantity)]
        return [item_id for item_id in line_item_ids if item_id in awaiting]

    def _tiktok_send_shipment(self, remote, line_item_ids):
        order = self.sale_id
        shop = order.tiktok_shop_id
        if order.tiktok_shipping_type == "TIKTOK":
            package_id = _package_holding(remote, line_item_ids, self.env)
            shop._tiktok_request(
                endpoints.PACKAGE_SHIP,
                path_params={"package_id": package_id},
                json={"handover_method": shop.handover_method},
                idempotent=False,
            )
            self.tiktok_package_ref = package_id
            return
        if not self.carrier_tracking_ref:
            raise UserError(self.env._("%s has no tracking number to send to TikTok.", self.name))
        data = shop._tiktok_request(
            endpoints.ORDER_MARK_SHIPPED,
            path_params={"order_id": order.tiktok_order_ref},
            json={
                "order_line_item_ids": line_item_ids,
                "tracking_number": self.carrier_tracking_ref,
                "shipping_provider_id": shop._tiktok_provider_of(self.carrier_id),
            },
            idempotent=False,
        )
        self.tiktok_package_ref = data.get("package_id") or False

    def action_tiktok_download_label(self):
        """Fetch TikTok's shipping label of this delivery and attach it (a PDF)."""
        self.ensure_one()
        if self.tiktok_shipping_type != "TIKTOK" or not self.tiktok_package_ref:
            raise UserError(
                self.env._("Only deliveries shipped with TikTok's label have a label to print.")
            )
        shop = self.sale_id.tiktok_shop_id
        try:
            document = shop._tiktok_request(
                endpoints.PACKAGE_SHIPPING_DOCUMENTS,
                path_params={"package_id": self.tiktok_package_ref},
                params={"document_type": "SHIPPING_LABEL", "document_size": "A6"},
            )
            content = shop._tiktok_client().download_document(document["doc_url"])
        except TikTokShopError as error:
            raise UserError(self.env._("TikTok gave no label: %s", error)) from error
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"TikTok label {self.tiktok_package_ref}.pdf",
                "datas": base64.b64encode(content),
                "mimetype": "application/pdf",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }


def _package_holding(remote, line_item_ids, env):
    """TikTok's package of these line items (TikTok-label orders ship whole packages)."""
    packages = {
        str(item.get("package_id"))
        for item in remote.get("line_items") or ()
        if str(item["id"]) in line_item_ids and item.get("package_id")
    }
    if len(packages) != 1:
        raise UserError(
            env._(
                "These items are in %s TikTok packages: ship them package by package.",
                len(packages),
            )
        )
    return packages.pop()
