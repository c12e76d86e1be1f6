from . import (
    res_partner,
    sale_order,
    sale_order_line,
    stock_move,
    stock_picking,
    tiktok_reservation_request,
    tiktok_shop,
)
