"""The Finance API (§5.8): statements, payments, the 202501 statement transactions and the
202507 unsettled orders."""

from ..constants import CODE_INVALID_PARAMETER
from ..routing import ApiError, paginate, route
from ..state import money
from . import ledger
from .money import ZERO
from .statements import (
    Statement,
    cut_day,
    payment_view,
    shop_statements,
    sku_line_view,
    statement_view,
    transaction_view,
)
from .unsettled import unsettled_orders, unsettled_view

CODE_RETIRED_VERSION = 36009014
PAYMENT_STATUSES = frozenset({"PAID", "FAILED", "PROCESSING"})


# --- query helpers --------------------------------------------------------------------------------


def _require_sort_field(request, expected):
    sort_field = request.query.get("sort_field")
    if not sort_field:
        raise ApiError(CODE_INVALID_PARAMETER, "sort_field is required")
    if sort_field != expected:
        raise ApiError(CODE_INVALID_PARAMETER, f"sort_field must be {expected}")


def _descending(request):
    order = (request.query.get("sort_order") or "ASC").upper()
    if order not in ("ASC", "DESC"):
        raise ApiError(CODE_INVALID_PARAMETER, "sort_order must be ASC or DESC")
    return order == "DESC"


def _time_bound(request, name):
    value = request.query.get(name)
    if value in (None, ""):
        return None
    if not str(value).isdigit():
        raise ApiError(CODE_INVALID_PARAMETER, f"{name} must be a Unix timestamp in seconds")
    return int(value)


def _within(value, request, prefix):
    low = _time_bound(request, f"{prefix}_ge")
    high = _time_bound(request, f"{prefix}_lt")
    return (low is None or value >= low) and (high is None or value < high)


# --- endpoints ------------------------------------------------------------------------------------


@route("GET", "/finance/202309/statements", page_size=(1, 100))
def get_statements(state, request):
    _require_sort_field(request, "statement_time")
    status = request.query.get("payment_status")
    if status and status not in PAYMENT_STATUSES:
        raise ApiError(CODE_INVALID_PARAMETER, "payment_status must be PAID, FAILED or PROCESSING")
    with state.lock:
        now = state.now()
        views = [
            statement_view(statement, now)
            for statement in shop_statements(state, request.shop)
            if _within(statement.statement_time, request, "statement_time")
        ]
    views = [view for view in views if not status or view["payment_status"] == status]
    views.sort(key=lambda view: view["statement_time"], reverse=_descending(request))
    return paginate(views, request, "statements")


@route("GET", "/finance/202309/payments", page_size=(1, 100))
def get_payments(state, request):
    _require_sort_field(request, "create_time")
    with state.lock:
        now = state.now()
        views = [
            payment_view(statement, now)
            for statement in shop_statements(state, request.shop)
            if _within(statement.statement_time, request, "create_time")
        ]
    views.sort(key=lambda view: view["create_time"], reverse=_descending(request))
    return paginate(views, request, "payments")


@route(
    "GET",
    "/finance/202501/statements/{statement_id}/statement_transactions",
    page_size=(1, 100),
)
def get_statement_transactions(state, request):
    _require_sort_field(request, "order_create_time")
    statement_id = request.path_params["statement_id"]
    with state.lock:
        now = state.now()
        statements = shop_statements(state, request.shop)
        statement = next((s for s in statements if s.id == statement_id), None)
        if statement is None:
            raise ApiError(CODE_INVALID_PARAMETER, f"Statement {statement_id} does not exist")
        transactions = statement.by_order_create_time
        if _descending(request):
            transactions = transactions[::-1]
        page = paginate(transactions, request, "transactions")
        page["transactions"] = [transaction_view(t, now) for t in page["transactions"]]
    return {**_statement_totals(statement), **page}


def _statement_totals(statement):
    currency = statement.currency
    return {
        "id": statement.id,
        "status": "SETTLED",
        "currency": currency,
        "create_time": statement.statement_time,
        "total_settlement_amount": money(statement.total("settlement_amount"), currency),
        "total_reserve_amount": money(statement.total("reserve_amount"), currency),
        "payable_amount": money(statement.payable_amount, currency),
        "total_settlement_breakdown": {
            "total_revenue_amount": money(statement.total("revenue_amount"), currency),
            "total_shipping_cost_amount": money(statement.total("shipping_cost_amount"), currency),
            "total_fee_tax_amount": money(statement.total("fee_tax_amount"), currency),
            "total_adjustment_amount": money(statement.total("adjustment_amount"), currency),
        },
    }


@route("GET", "/finance/202501/orders/{order_id}/statement_transactions")
def get_order_statement_transactions(state, request):
    order_id = request.path_params["order_id"]
    with state.lock:
        order = state.orders.get(order_id)
        if order is None or order.shop_id != request.shop.id:
            raise ApiError(CODE_INVALID_PARAMETER, f"Order {order_id} does not exist")
        now = state.now()
        entries = [
            (line, Statement(request.shop, day, []).id)
            for transaction in ledger.order_transactions(state, order)
            if transaction.type == "ORDER" and (day := cut_day(transaction, now)) is not None
            for line in transaction.lines
        ]
    return _order_settlement_view(order, entries)


def _order_settlement_view(order, entries):
    currency = order.currency
    lines = [line for line, _ in entries]
    return {
        "order_id": order.id,
        "order_create_time": order.create_time,
        "currency": currency,
        "revenue_amount": money(sum((x.revenue_amount for x in lines), ZERO), currency),
        "shipping_cost_amount": money(sum((x.shipping_cost_amount for x in lines), ZERO), currency),
        "fee_and_tax_amount": money(sum((x.fee_tax_amount for x in lines), ZERO), currency),
        "settlement_amount": money(sum((x.settlement_amount for x in lines), ZERO), currency),
        "sku_transactions": [sku_line_view(line, sid, currency) for line, sid in entries],
        "total_count": len(entries),
    }


@route("GET", "/finance/202507/orders/unsettled", page_size=(1, 100))
def get_unsettled_orders(state, request):
    _require_sort_field(request, "order_create_time")
    descending = _descending(request)
    with state.lock:
        entries = [
            entry
            for entry in unsettled_orders(state, request.shop)
            if _within(entry.transaction.order.create_time, request, "search_time")
        ]
        entries.sort(
            key=lambda entry: (entry.transaction.order.create_time, entry.transaction.id),
            reverse=descending,
        )
        page = paginate(entries, request, "transactions")
        page["transactions"] = [unsettled_view(entry) for entry in page["transactions"]]
    return page


@route("GET", "/finance/202309/statements/{statement_id}/statement_transactions")
@route("GET", "/finance/202309/orders/{order_id}/statement_transactions")
def retired_statement_transactions(state, request):
    # Sunset on 2025-12-31: TikTok answers every call to these versions this way.
    raise ApiError(CODE_RETIRED_VERSION, "The version name is invalid")
