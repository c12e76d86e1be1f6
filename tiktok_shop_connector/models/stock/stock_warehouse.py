from odoo import models
from odoo.fields import Domain

from ...tiktok_shop.stock_allocation import sellable_quantity

# Moves that will still take stock out of (or bring it into) a warehouse.
OPEN_MOVE_STATES = ("waiting", "confirmed", "partially_available", "assigned")


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    def _tiktok_sellable_quantities(self, products):
        """{(product id, warehouse id): units these warehouses can sell}, in a few queries.

        On hand minus the larger of reserved and outgoing demand (see `sellable_quantity`):
        orders confirmed but not reserved yet already count.
        """
        if not self or not products:
            return {}
        Quant = self.env["stock.quant"].sudo()
        Move = self.env["stock.move"].sudo()
        in_warehouses = Domain("warehouse_id", "in", self.ids) & Domain("usage", "=", "internal")
        locations = self.env["stock.location"].sudo().search(in_warehouses)
        warehouse_of = {location.id: location.warehouse_id.id for location in locations}
        on_hand, reserved, outgoing = {}, {}, {}
        for product, location, quantity, reserved_quantity in Quant._read_group(
            [("product_id", "in", products.ids), ("location_id", "in", locations.ids)],
            ["product_id", "location_id"],
            ["quantity:sum", "reserved_quantity:sum"],
        ):
            key = (product.id, warehouse_of[location.id])
            on_hand[key] = on_hand.get(key, 0) + quantity
            reserved[key] = reserved.get(key, 0) + reserved_quantity
        for product, source, destination, quantity in Move._read_group(
            [
                ("product_id", "in", products.ids),
                ("location_id", "in", locations.ids),
                ("location_dest_id", "not in", locations.ids),
                ("state", "in", OPEN_MOVE_STATES),
            ],
            ["product_id", "location_id", "location_dest_id"],
            ["product_qty:sum"],
        ):
            if destination.warehouse_id.id != warehouse_of[source.id]:
                key = (product.id, warehouse_of[source.id])
                outgoing[key] = outgoing.get(key, 0) + quantity
        return {
            key: sellable_quantity(quantity, reserved.get(key, 0), outgoing.get(key, 0))
            for key, quantity in on_hand.items()
        }
