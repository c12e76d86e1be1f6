"""TikTok's listing rules, the sandbox's own copy: what a create or edit body must satisfy.

`validate_listing` lists every problem TikTok would find (drafts skip the completeness checks);
the SKU rules are in sku_rules.py. `complete_listing` gives a seeded product what its category
requires, so that editing it later validates. These rules are written here from the API
contract, never imported from the connector, which checks listings before publishing with rules
of its own: a fake that shared them would pass the connector's mistakes (see README.md).
"""

from ..logistics import delivery_options_for_region, stable_id
from .categories import category_rules, tree_version
from .images import keep_hosted_images, placeholder_png
from .problems import (
    CODE_CATEGORY_NOT_PERMITTED,
    CODE_IMAGE_INVALID,
    CODE_PRODUCT_INVALID,
    Problem,
    positive_decimal,
)
from .reference import PRODUCT, SALES
from .sku_rules import check_skus, resolve_sales_attribute

MAX_TITLE_LENGTH = 255
MAX_DESCRIPTION_LENGTH = 10_000
MAX_MAIN_IMAGES = 9
WEIGHT_UNITS = frozenset({"KILOGRAM", "POUND"})
DIMENSION_UNITS = frozenset({"CENTIMETER", "INCH"})


def validate_listing(state, shop, body, *, draft=False, edited=None):
    """Every problem TikTok would find in a create/edit body; drafts skip completeness checks.

    `edited` is the product an edit replaces: its SKUs may repeat the stock TikTok holds for them.
    """
    problems = []
    problems += _check_title_and_description(body, draft)
    category, category_problems = _check_category(state, shop, body)
    problems += category_problems
    problems += _check_brand(state, body)
    problems += _check_images(state, body, draft)
    problems += _check_delivery_options(state, shop, body)
    if category is not None:
        rules = category_rules(state, category["id"], shop.region)
        attributes = state.category_attributes[category["id"]]
        problems += _check_product_attributes(attributes, body, draft)
        if not draft:
            problems += _check_rules(state, rules, body)
    else:
        attributes = []
    problems += check_skus(state, shop, attributes, body, draft, edited)
    return problems


def _check_title_and_description(body, draft):
    problems = []
    title = body.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(Problem(CODE_PRODUCT_INVALID, "title", "is required"))
    elif len(title) > MAX_TITLE_LENGTH:
        problems.append(
            Problem(CODE_PRODUCT_INVALID, "title", f"is longer than {MAX_TITLE_LENGTH} characters")
        )
    description = body.get("description") or ""
    if not draft and not description.strip():
        problems.append(Problem(CODE_PRODUCT_INVALID, "description", "is required"))
    if len(description) > MAX_DESCRIPTION_LENGTH:
        problems.append(
            Problem(CODE_PRODUCT_INVALID, "description", "is longer than 10,000 characters")
        )
    return problems


def _check_category(state, shop, body):
    """Return (leaf category or None, problems)."""
    expected = tree_version(shop)
    version = body.get("category_version") or "v1"
    if version != expected:
        message = f"must be {expected} for {shop.region} shops, got {version!r}"
        return None, [Problem(CODE_PRODUCT_INVALID, "category_version", message)]
    category = state.categories.get(str(body.get("category_id") or ""))
    if category is None or category["version"] != expected:
        return None, [Problem(CODE_PRODUCT_INVALID, "category_id", "is not a category")]
    if not category["is_leaf"]:
        return None, [Problem(CODE_PRODUCT_INVALID, "category_id", "is not a leaf category")]
    if "AVAILABLE" not in category["permission_statuses"]:
        message = "Only whitelisted sellers are permitted to trade under current category"
        return None, [Problem(CODE_CATEGORY_NOT_PERMITTED, "category_id", message)]
    return category, []


def _check_brand(state, body):
    brand_id = body.get("brand_id")
    if not brand_id:
        return []
    brand = state.brands.get(str(brand_id))
    if brand is None or brand["brand_status"] != "AVAILABLE":
        return [Problem(CODE_PRODUCT_INVALID, "brand_id", "is not an available brand")]
    if brand["is_t1_brand"] and brand["authorized_status"] != "AUTHORIZED":
        message = f"{brand['name']} requires a brand authorization in Seller Center"
        return [Problem(CODE_PRODUCT_INVALID, "brand_id", message)]
    return []


def _check_images(state, body, draft):
    images = body.get("main_images") or []
    if not isinstance(images, list):
        return [Problem(CODE_PRODUCT_INVALID, "main_images", "must be a list")]
    problems = []
    if not images and not draft:
        problems.append(Problem(CODE_PRODUCT_INVALID, "main_images", "at least one is required"))
    if len(images) > MAX_MAIN_IMAGES:
        problems.append(Problem(CODE_PRODUCT_INVALID, "main_images", "at most 9 are allowed"))
    for index, image in enumerate(images):
        problems += _check_uploaded(state, image, f"main_images[{index}]")
    return problems


def _check_uploaded(state, image, field):
    uri = image.get("uri") if isinstance(image, dict) else None
    if uri not in state.images:
        message = "uri was not returned by the image upload API"
        return [Problem(CODE_IMAGE_INVALID, f"{field}.uri", message)]
    return []


def _check_delivery_options(state, shop, body):
    known = {option["id"] for option in delivery_options_for_region(state, shop.region)}
    return [
        Problem(CODE_PRODUCT_INVALID, "delivery_option_ids", f"{option_id} is not offered")
        for option_id in body.get("delivery_option_ids") or []
        if option_id not in known
    ]


def _check_product_attributes(attributes, body, draft):
    by_id = {a["id"]: a for a in attributes if a["type"] == PRODUCT}
    problems = []
    given = {}
    for index, entry in enumerate(body.get("product_attributes") or []):
        field = f"product_attributes[{index}]"
        attribute = by_id.get(str(entry.get("id")))
        if attribute is None:
            problems.append(
                Problem(CODE_PRODUCT_INVALID, field, "is not an attribute of the category")
            )
            continue
        given[attribute["id"]] = entry
        problems += _check_attribute_values(attribute, entry.get("values") or [], field)
    if not draft:
        problems += [
            Problem(CODE_PRODUCT_INVALID, "product_attributes", f"{a['name']} is required")
            for a in by_id.values()
            if a["is_requried"] and a["id"] not in given
        ]
    return problems


def _check_attribute_values(attribute, values, field):
    if not values:
        return [Problem(CODE_PRODUCT_INVALID, f"{field}.values", "at least one value is required")]
    if len(values) > 1 and not attribute["is_multiple_selection"]:
        return [Problem(CODE_PRODUCT_INVALID, f"{field}.values", "takes a single value")]
    known_ids = {value["id"] for value in attribute["values"]}
    problems = []
    for index, value in enumerate(values):
        if value.get("id"):
            if value["id"] not in known_ids:
                message = f"value id {value['id']} is not a value of {attribute['name']}"
                problems.append(Problem(CODE_PRODUCT_INVALID, f"{field}.values[{index}]", message))
        elif not (attribute["is_customizable"] and (value.get("name") or "").strip()):
            message = f"{attribute['name']} takes one of its value ids"
            problems.append(Problem(CODE_PRODUCT_INVALID, f"{field}.values[{index}]", message))
    return problems


def _check_rules(state, rules, body):
    problems = _check_certifications(state, rules, body)
    problems += _check_package(rules, body)
    if rules["size_chart"]["is_required"]:
        problems += _check_size_chart(state, body)
    if body.get("is_cod_allowed") and not rules["cod"]["is_supported"]:
        problems.append(Problem(CODE_PRODUCT_INVALID, "is_cod_allowed", "COD is not offered here"))
    for rule, field in (
        ("manufacturer", "manufacturer_ids"),
        ("responsible_person", "responsible_person_ids"),
    ):
        if rules[rule]["is_required"] and not body.get(field):
            problems.append(Problem(CODE_PRODUCT_INVALID, field, "is required in this market"))
    return problems


def _check_certifications(state, rules, body):
    known = {c["id"]: c for c in rules["product_certifications"]}
    given = {}
    problems = []
    for index, entry in enumerate(body.get("certifications") or []):
        field = f"certifications[{index}]"
        if str(entry.get("id")) not in known:
            problems.append(
                Problem(CODE_PRODUCT_INVALID, field, "is not a certification of the category")
            )
            continue
        if not (entry.get("images") or entry.get("files")):
            problems.append(Problem(CODE_PRODUCT_INVALID, field, "needs an image or a file"))
        for image_index, image in enumerate(entry.get("images") or []):
            problems += _check_uploaded(state, image, f"{field}.images[{image_index}]")
        given[str(entry.get("id"))] = entry
    problems += [
        Problem(CODE_PRODUCT_INVALID, "certifications", f"{c['name']} is required")
        for c in known.values()
        if c["is_required"] and c["id"] not in given
    ]
    return problems


def _check_package(rules, body):
    problems = []
    weight = body.get("package_weight")
    if not isinstance(weight, dict) or positive_decimal(weight.get("value")) is None:
        problems.append(Problem(CODE_PRODUCT_INVALID, "package_weight.value", "must be > 0"))
    elif weight.get("unit") not in WEIGHT_UNITS:
        problems.append(
            Problem(CODE_PRODUCT_INVALID, "package_weight.unit", "must be KILOGRAM or POUND")
        )
    dimensions = body.get("package_dimensions")
    if dimensions is None and not rules["package_dimension"]["is_required"]:
        return problems
    if not isinstance(dimensions, dict):
        return [*problems, Problem(CODE_PRODUCT_INVALID, "package_dimensions", "is required")]
    for side in ("length", "width", "height"):
        if not str(dimensions.get(side) or "").isdigit() or int(dimensions[side]) <= 0:
            message = "must be a positive whole number"
            problems.append(Problem(CODE_PRODUCT_INVALID, f"package_dimensions.{side}", message))
    if dimensions.get("unit") not in DIMENSION_UNITS:
        message = "must be CENTIMETER or INCH"
        problems.append(Problem(CODE_PRODUCT_INVALID, "package_dimensions.unit", message))
    return problems


def _check_size_chart(state, body):
    chart = body.get("size_chart") or {}
    if (chart.get("template") or {}).get("id"):
        return []
    if chart.get("image"):
        return _check_uploaded(state, chart["image"], "size_chart.image")
    return [Problem(CODE_PRODUCT_INVALID, "size_chart", "is required for this category")]


# --- seeded products meet the rules ---------------------------------------------------------------


def complete_listing(state, product, region):
    """Give a seeded product what its category requires, so that editing it later validates.

    Registers its image uris as uploaded, drops a brand the shop is not authorized for, adds
    the required product attributes (first value), the required certifications and size chart,
    EU compliance ids, and re-keys the SKUs' sales attributes onto the category's attribute and
    value ids (matched by name).
    """
    keep_hosted_images(state, product)
    if _check_brand(state, {"brand_id": product.brand_id}):
        product.brand_id = ""
    category = state.categories.get(product.category_id)
    if category is None or not category["is_leaf"]:
        return
    attributes = state.category_attributes[category["id"]]
    given = {entry["id"] for entry in product.product_attributes}
    product.product_attributes += [
        _first_value(attribute)
        for attribute in attributes
        if attribute["type"] == PRODUCT
        and attribute["is_requried"]
        and attribute["id"] not in given
    ]
    product.details.update(_required_documents(state, category, region))
    product.details.setdefault("category_version", category["version"])
    sales = {a["id"]: a for a in attributes if a["type"] == SALES}
    for sku in product.skus:
        sku.sales_attributes = [
            resolve_sales_attribute(sales, {"name": a["name"], "value_name": a["value_name"]})[0]
            for a in sku.sales_attributes
        ]


def _first_value(attribute):
    value = attribute["values"][0] if attribute["values"] else {"id": "", "name": "See label"}
    return {"id": attribute["id"], "name": attribute["name"], "values": [dict(value)]}


def _required_documents(state, category, region):
    rules = category_rules(state, category["id"], region)
    document_uri = "tos-maliva-i-o3syd03w52-us/sandbox-document"
    state.images.setdefault(document_uri, placeholder_png(1200, 1600))
    details = {
        "certifications": [
            {"id": c["id"], "images": [{"uri": document_uri}]}
            for c in rules["product_certifications"]
            if c["is_required"]
        ]
    }
    if rules["size_chart"]["is_required"]:
        details["size_chart"] = {"template": {"id": stable_id("size_chart", category["id"])}}
    if rules["manufacturer"]["is_required"]:
        details["manufacturer_ids"] = [stable_id("manufacturer", category["id"])]
    if rules["responsible_person"]["is_required"]:
        details["responsible_person_ids"] = [stable_id("responsible_person", category["id"])]
    return details
