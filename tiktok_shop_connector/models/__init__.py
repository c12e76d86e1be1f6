# ruff: noqa: I001 -- Odoo registers models in import order: the mixin comes before its users.
from . import connection, catalog, orders, fulfillment
from . import tiktok_sandbox_demo
from . import publishing
from . import stock
