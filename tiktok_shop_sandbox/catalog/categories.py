"""Categories as a shop sees them (§5.2): its tree, a leaf's rules in its market, and brands."""

import copy

from ..constants import CODE_INVALID_PARAMETER
from ..routing import ApiError, paginate, route
from .problems import CODE_PRODUCT_INVALID

COD_REGIONS = frozenset({"ID", "TH", "VN", "MY", "PH"})
EU_REGIONS = frozenset({"DE", "FR", "ES", "IT", "IE"})
# Extended producer responsibility registration is enforced in these markets.
EPR_REGIONS = frozenset({"DE", "FR"})


# --- look-ups shared by the endpoints and the listing rules ---------------------------------------


def tree_version(shop):
    """The category tree a shop lists in: the 7-level v2 in the US, the 3-level v1 elsewhere."""
    return region_tree_version(shop.region)


def region_tree_version(region):
    return "v2" if region == "US" else "v1"


def category_rules(state, category_id, region):
    """The rules of a leaf category as a shop of `region` sees them."""
    base = state.category_rules[category_id]
    in_eu = region in EU_REGIONS
    return {
        "product_certifications": copy.deepcopy(base["product_certifications"]),
        "size_chart": dict(base["size_chart"]),
        # The US asks every listing for its parcel size, other markets only some categories.
        "package_dimension": {
            "is_required": base["package_dimension"]["is_required"] or region == "US"
        },
        "cod": {"is_supported": region in COD_REGIONS},
        "epr": {"is_required": region in EPR_REGIONS},
        "responsible_person": {"is_required": in_eu},
        "manufacturer": {"is_required": in_eu},
        "allowed_special_product_types": [],
    }


def category_chain(state, category_id):
    """The category and its ancestors, root first, as Get Product's `category_chains`."""
    chain = []
    category = state.categories.get(category_id)
    while category is not None:
        chain.insert(0, _category_view(category))
        category = state.categories.get(category["parent_id"])
    return chain


def leaf_categories(state, region, kind=None):
    """Ids of the leaf categories a shop of `region` lists in, of one KINDS `kind` if given."""
    version = region_tree_version(region)
    return sorted(
        category["id"]
        for category in state.categories.values()
        if category["is_leaf"]
        and category["version"] == version
        and (kind is None or category["kind"] == kind)
    )


def _category_view(category):
    return {
        "id": category["id"],
        "parent_id": category["parent_id"],
        "local_name": category["local_name"],
        "is_leaf": category["is_leaf"],
        "permission_statuses": list(category["permission_statuses"]),
    }


def _requested_version(request):
    """The `category_version` query value, checked against the shop's tree."""
    version = request.query.get("category_version") or "v1"
    expected = tree_version(request.shop)
    if version not in ("v1", "v2"):
        raise ApiError(CODE_INVALID_PARAMETER, "category_version must be v1 or v2")
    if version != expected:
        raise ApiError(
            CODE_INVALID_PARAMETER,
            f"Invalid category_version {version!r}: {request.shop.region} shops list in the "
            f"{expected} category tree, pass category_version={expected}",
        )
    return version


def _leaf_category(state, request):
    version = _requested_version(request)
    category_id = request.path_params["category_id"]
    category = state.categories.get(category_id)
    if category is None or category["version"] != version:
        raise ApiError(CODE_INVALID_PARAMETER, f"Category {category_id} does not exist")
    if not category["is_leaf"]:
        raise ApiError(CODE_PRODUCT_INVALID, f"Category {category_id} is not a leaf category")
    return category


# --- endpoints ------------------------------------------------------------------------------------


@route("GET", "/product/202309/categories")
def get_categories(state, request):
    version = _requested_version(request)
    keyword = (request.query.get("keyword") or "").strip().lower()
    with state.lock:
        categories = [
            _category_view(category)
            for category in sorted(state.categories.values(), key=lambda c: int(c["id"]))
            if category["version"] == version and keyword in category["local_name"].lower()
        ]
    return {"categories": categories}


@route("GET", "/product/202309/categories/{category_id}/attributes")
def get_attributes(state, request):
    with state.lock:
        category = _leaf_category(state, request)
        return {"attributes": copy.deepcopy(state.category_attributes[category["id"]])}


@route("GET", "/product/202309/categories/{category_id}/rules")
def get_category_rules(state, request):
    with state.lock:
        category = _leaf_category(state, request)
        return category_rules(state, category["id"], request.shop.region)


@route("GET", "/product/202309/brands", page_size=(1, 100), page_size_required=True)
def get_brands(state, request):
    query = request.query
    if query.get("category_version"):
        _requested_version(request)
    category_id = query.get("category_id")
    if category_id and category_id not in state.categories:
        raise ApiError(CODE_INVALID_PARAMETER, f"Category {category_id} does not exist")
    name_part = (query.get("brand_name") or "").strip().lower()
    authorized_only = (query.get("is_authorized") or "").lower() in ("true", "1")
    with state.lock:
        brands = [
            dict(brand)
            for brand in sorted(state.brands.values(), key=lambda b: b["name"].lower())
            if name_part in brand["name"].lower()
            and (not authorized_only or brand["authorized_status"] == "AUTHORIZED")
        ]
    return paginate(brands, request, "brands")
