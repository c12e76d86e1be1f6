# ruff: noqa: I001 -- Odoo registers models in import order: a model's definition before its
# extensions.
from . import sale_order, sale_order_line, stock_picking, res_partner
from . import stock_move, tiktok_reservation_request, tiktok_shop
