"""Product status changes (§5.3): activate, deactivate, delete, recover; and listing_check.

Status calls take up to 20 product ids and answer per-id errors; listing_check runs the listing
rules as a dry run and lists every problem.
"""

from ..constants import CODE_INVALID_PARAMETER, CODE_NOT_YOUR_PRODUCT
from ..routing import ApiError, route
from .listing_rules import validate_listing
from .problems import CODE_STATUS_NOT_ALLOWED, CODE_TOO_MANY_IDS
from .products import listing_warnings, product_as_body, submit_for_audit

MAX_IDS_PER_STATUS_CALL = 20


def _status_call(state, request, change):
    """Run `change(product) -> error message or None` on each id of the body's product_ids."""
    product_ids = (request.json or {}).get("product_ids") or []
    if not product_ids:
        raise ApiError(CODE_INVALID_PARAMETER, "product_ids is required")
    if len(product_ids) > MAX_IDS_PER_STATUS_CALL:
        raise ApiError(CODE_TOO_MANY_IDS, "product ids exceed limit")
    errors = []
    with state.lock:
        for product_id in product_ids:
            error = _change_one(state, request, str(product_id), change)
            if error:
                errors.append({**error, "detail": {"product_id": str(product_id)}})
    return {"errors": errors} if errors else {}


def _change_one(state, request, product_id, change):
    product = state.products.get(product_id)
    if product is None:
        return {"code": CODE_INVALID_PARAMETER, "message": "The product does not exist"}
    if product.shop_id != request.shop.id:
        return {"code": CODE_NOT_YOUR_PRODUCT, "message": "You can't edit other sellers' products."}
    refusal = change(product)
    if refusal:
        return {"code": refusal[0], "message": refusal[1]}
    product.update_time = state.now()
    return None


@route("POST", "/product/202309/products/activate")
def activate_products(state, request):
    def activate(product):
        if product.status in ("ACTIVATE", "PENDING"):
            return None
        if product.status == "SELLER_DEACTIVATED":
            product.status = "ACTIVATE"
            return None
        if product.status in ("DRAFT", "FAILED"):
            problems = validate_listing(
                state, request.shop, product_as_body(state, product, request.shop)
            )
            if problems:
                return problems[0].code, f"{problems[0].field}: {problems[0].message}"
            submit_for_audit(state, product)
            return None
        return CODE_STATUS_NOT_ALLOWED, "The current product status can not be activated"

    return _status_call(state, request, activate)


@route("POST", "/product/202309/products/deactivate")
def deactivate_products(state, request):
    def deactivate(product):
        if product.status in ("ACTIVATE", "PENDING", "SELLER_DEACTIVATED"):
            product.status = "SELLER_DEACTIVATED"
            product.details.pop("audit_due_time", None)
            return None
        return CODE_STATUS_NOT_ALLOWED, "The current product status can not be deactivated"

    return _status_call(state, request, deactivate)


@route("DELETE", "/product/202309/products")
def delete_products(state, request):
    def delete(product):
        if product.status == "DELETED":
            return CODE_STATUS_NOT_ALLOWED, "The product is already deleted"
        product.status = "DELETED"
        product.details.pop("audit_due_time", None)
        return None

    return _status_call(state, request, delete)


@route("POST", "/product/202309/products/recover")
def recover_products(state, request):
    def recover(product):
        if product.status != "DELETED":
            return CODE_STATUS_NOT_ALLOWED, "Only deleted products can be recovered"
        # A recovered product comes back switched off; the seller activates it again.
        product.status = "SELLER_DEACTIVATED"
        return None

    return _status_call(state, request, recover)


@route("POST", "/product/202309/products/listing_check")
def listing_check(state, request):
    body = request.json or {}
    with state.lock:
        problems = validate_listing(state, request.shop, body, draft=False)
    warnings = listing_warnings(body)
    return {
        "check_result": "FAILED" if problems else "PASS",
        "fail_reasons": [problem.as_reason() for problem in problems],
        "diagnoses": [
            {
                "field": "MAIN_IMAGE" if "image" in warning["message"] else "DESCRIPTION",
                "diagnosis_results": [
                    {
                        "code": "QUALITY_HINT",
                        "how_to_solve": warning["message"],
                        "quality_tier": "FAIR",
                    }
                ],
                "suggestions": {},
            }
            for warning in warnings
        ],
        "listing_quality": {
            "current_tier": "POOR" if problems else ("FAIR" if warnings else "GOOD"),
            "remaining_recommendations": len(warnings),
        },
    }
