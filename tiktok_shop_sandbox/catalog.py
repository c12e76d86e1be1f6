"""Catalog: categories, attributes, rules, brands, image upload and products (§5.2, §5.3).

Reference data is deterministic (`seed_reference_data`): a 3-level `v1` category tree for every
market but the US and a 7-level `v2` tree for the US, each leaf with its attributes (sales
properties such as Color/Size, product properties, some required) and rules (certifications,
size chart, package dimensions, COD, EU compliance), plus authorized and unauthorized brands.

Products are validated as TikTok validates a listing; `listing_check` runs the same checks as a
dry run and lists every problem, create/edit refuse with the first one. Listed products wait in
PENDING until the sandbox clock reaches their audit time (`state.timing["product_audit"]`, default
AUDIT_SECONDS), then become ACTIVATE, or FAILED when the title contains "forbidden"; each outcome
pushes a type-5 PRODUCT_STATUS_CHANGE webhook. Audits are sandbox timers (`state.schedule`).

Envelope codes: where sellers have reported TikTok's own code for a refusal it is used (12019002
category not open to the seller, 12019024 stock out of range, 12019059 seller SKU too long,
12052003 status does not allow the action, 12052048 another seller's product, 12019120 too many
ids); every other listing problem answers 12019000, the sandbox's stand-in for TikTok's many
field-level product codes, with a message naming the field.
"""

import copy
import hashlib
import struct
import zlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .logistics import delivery_options_for_region, stable_id
from .routing import ApiError, idempotent, paginate, route
from .state import CURRENCY_DECIMALS, Product, Sku, money

CODE_INVALID_PARAMETER = 36009004
CODE_UPLOAD_TOO_LARGE = 36009021
CODE_PRODUCT_INVALID = 12019000
CODE_CATEGORY_NOT_PERMITTED = 12019002
CODE_STOCK_OUT_OF_RANGE = 12019024
CODE_SELLER_SKU_TOO_LONG = 12019059
CODE_TOO_MANY_IDS = 12019120
CODE_IMAGE_INVALID = 12038001
CODE_STATUS_NOT_ALLOWED = 12052003
CODE_NOT_YOUR_PRODUCT = 12052048

# How long a listed product waits in PENDING before the audit decides (sandbox seconds).
AUDIT_SECONDS = 120
# A title containing this word fails the audit: a deterministic way to exercise FAILED.
AUDIT_FAILURE_TRIGGER = "forbidden"

MAX_TITLE_LENGTH = 255
MAX_DESCRIPTION_LENGTH = 10_000
MAX_MAIN_IMAGES = 9
MAX_SALES_ATTRIBUTE_DIMENSIONS = 3
MAX_SELLER_SKU_LENGTH = 50
MAX_SKUS = 300
MAX_QUANTITY = 99_999
MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_SIDE_RANGE = (100, 20_000)
MAX_IDS_PER_STATUS_CALL = 20
MAX_INVENTORY_PRODUCT_IDS = 100
MAX_INVENTORY_SKU_IDS = 600

IMAGE_USE_CASES = frozenset(
    {
        "MAIN_IMAGE",
        "ATTRIBUTE_IMAGE",
        "DESCRIPTION_IMAGE",
        "CERTIFICATION_IMAGE",
        "SIZE_CHART_IMAGE",
    }
)
PRODUCT_STATUSES = frozenset(
    {
        "DRAFT",
        "PENDING",
        "FAILED",
        "ACTIVATE",
        "SELLER_DEACTIVATED",
        "PLATFORM_DEACTIVATED",
        "FREEZE",
        "DELETED",
    }
)
# Digits per identifier type (§5.3: GTIN 14, EAN 8/13/14, UPC 12, ISBN 13).
IDENTIFIER_LENGTHS = {"GTIN": {14}, "EAN": {8, 13, 14}, "UPC": {12}, "ISBN": {13}}
WEIGHT_UNITS = frozenset({"KILOGRAM", "POUND"})
DIMENSION_UNITS = frozenset({"CENTIMETER", "INCH"})

COD_REGIONS = frozenset({"ID", "TH", "VN", "MY", "PH"})
EU_REGIONS = frozenset({"DE", "FR", "ES", "IT", "IE"})
# Extended producer responsibility registration is enforced in these markets.
EPR_REGIONS = frozenset({"DE", "FR"})
# Open order statuses whose units are committed but not shipped yet.
COMMITTED_ORDER_STATUSES = frozenset(
    {"UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"}
)

# --- Reference data ----------------------------------------------------------------------------

SALES = "SALES_PROPERTY"
PRODUCT = "PRODUCT_PROPERTY"
# key -> (id, name, type, values separated by "|", multiple selection, customizable). Sales
# properties keep one id across categories, so a shop's "Color" is the same attribute everywhere.
ATTRIBUTES = {
    "color": ("100000", "Color", SALES, "Black|White|Red|Blue|Green|Pink|Beige", False, True),
    "size": ("100007", "Size", SALES, "XS|S|M|L|XL|XXL", False, True),
    "material": ("100012", "Material", SALES, "Ceramic|Stoneware|Canvas|Cork|TPE", False, True),
    "capacity": ("100016", "Capacity", SALES, "250 ml|350 ml|450 ml", False, True),
    "pack": ("100018", "Pack", SALES, "1-pack|2-pack|4-pack", False, True),
    "model": ("100020", "Compatible Model", SALES, "iPhone 15|Galaxy S24|Pixel 8", False, True),
    "scent": ("100021", "Scent", SALES, "Vanilla|Cedar|Fig|Lavender", False, True),
    "shade": ("100025", "Shade", SALES, "Nude|Rose|Berry|Coral|Red", False, True),
    "flavor": ("100030", "Flavor", SALES, "Sea Salt|Barbecue|Sour Cream & Onion", False, True),
    "fabric": ("101001", "Fabric", PRODUCT, "Cotton|Polyester|Linen|Denim|Merino", True, False),
    "pattern": ("101005", "Pattern", PRODUCT, "Solid|Striped|Floral|Graphic", False, False),
    "ingredients": ("101010", "Ingredients", PRODUCT, "", False, True),
    "skin_type": ("101015", "Skin Type", PRODUCT, "All|Dry|Oily|Combination", True, False),
    "age_range": ("101020", "Age Range", PRODUCT, "0-3 years|3-6 years|6-12 years", False, False),
    "dishwasher": ("101025", "Dishwasher Safe", PRODUCT, "Yes|No", False, False),
    "shelf_life": ("101030", "Shelf Life", PRODUCT, "3 months|6 months|12 months", False, False),
    "allergens": ("101035", "Allergen Information", PRODUCT, "", False, True),
    "origin": ("101040", "Country of Origin", PRODUCT, "United States|China|Japan", False, False),
    "warranty": ("101045", "Warranty", PRODUCT, "No warranty|6 months|1 year", False, False),
    "bristle": ("101050", "Bristle Type", PRODUCT, "Soft|Medium|Charcoal", False, False),
    "burn_time": ("101055", "Burn Time", PRODUCT, "20 hours|40 hours|60 hours", False, False),
    "thickness": ("101060", "Thickness", PRODUCT, "4 mm|6 mm|8 mm", False, False),
}
# key -> (name, what the document must show)
CERTIFICATIONS = {
    "cpsr": ("Cosmetic Product Safety Report", "Safety assessment signed by a qualified assessor."),
    "ingredients_list": ("Full Ingredient List", "INCI list matching the packaging."),
    "cpc": ("Children's Product Certificate (CPC)", "CPC issued on tests by a CPSC-accepted lab."),
    "astm": ("ASTM F963 Test Report", "Toy safety test report from an accredited lab."),
    "fda": ("FDA Food Facility Registration", "Registration number of the producing facility."),
    "fcc": ("FCC Declaration of Conformity", "Radio equipment authorization for the US market."),
}
# What each kind of leaf category asks for: (sales attributes, product attributes,
# certifications, size chart required, package dimensions required); "!" marks required ones.
KINDS = {
    "apparel": ("color size", "fabric! pattern origin", "", True, False),
    "cosmetics": (
        "shade scent",
        "ingredients! skin_type origin",
        "cpsr! ingredients_list",
        False,
        False,
    ),
    "oral_care": ("pack color", "bristle origin", "", False, False),
    "toys": ("color", "age_range! origin", "cpc! astm", False, True),
    "kitchen": ("color capacity material", "dishwasher origin", "", False, True),
    "home_fragrance": ("scent size", "burn_time origin", "", False, False),
    "bags": ("color size material", "origin", "", False, True),
    "fitness": ("color material size", "thickness origin", "", False, True),
    "phone_accessory": ("color model size", "warranty origin", "", False, False),
    "audio": ("color", "warranty! origin", "fcc!", False, False),
    "food": ("flavor", "shelf_life! allergens! origin", "fda!", False, False),
}
INVITE_ONLY_KINDS = frozenset({"food"})

# Each leaf: its kind, the 3-level v1 path, and the 4 levels the US v2 tree adds below it.
CATEGORY_CHAINS = (
    (
        "apparel",
        "Womenswear & Underwear > Women's Tops > T-shirts",
        "Short Sleeve T-shirts > Crew Neck T-shirts > Cotton T-shirts > Basic Cotton Tees",
    ),
    (
        "apparel",
        "Sports & Outdoor > Sportswear > Socks",
        "Running Socks > Cushioned Running Socks > Merino Running Socks > Ankle Running Socks",
    ),
    (
        "cosmetics",
        "Beauty & Personal Care > Makeup > Lip Makeup",
        "Lip Gloss > Hydrating Lip Gloss > Tinted Lip Gloss > Plumping Lip Gloss",
    ),
    (
        "cosmetics",
        "Beauty & Personal Care > Skincare > Face Moisturizers",
        "Day Creams > SPF Day Creams > Mineral SPF Day Creams > Tinted Mineral SPF Creams",
    ),
    (
        "oral_care",
        "Beauty & Personal Care > Oral Care > Toothbrushes",
        "Manual Toothbrushes > Bamboo Toothbrushes > Soft Bamboo Toothbrushes > Toothbrush Sets",
    ),
    (
        "toys",
        "Toys & Hobbies > Educational Toys > Building Blocks",
        "Brick Sets > Themed Brick Sets > Vehicle Brick Sets > Race Car Brick Sets",
    ),
    (
        "kitchen",
        "Home Supplies > Kitchenware > Mugs",
        "Ceramic Mugs > Coffee Mugs > Stoneware Coffee Mugs > Handmade Stoneware Mugs",
    ),
    (
        "home_fragrance",
        "Home Supplies > Home Fragrance > Candles",
        "Scented Candles > Jar Candles > Soy Jar Candles > Soy Wax Jar Candles",
    ),
    (
        "bags",
        "Luggage & Bags > Backpacks > Travel Backpacks",
        "Carry-on Backpacks > Laptop Backpacks > Canvas Travel Backpacks > Roll-top Backpacks",
    ),
    (
        "fitness",
        "Sports & Outdoor > Fitness Equipment > Yoga Mats",
        "Non-slip Yoga Mats > Natural Yoga Mats > Cork Yoga Mats > Travel Cork Yoga Mats",
    ),
    (
        "phone_accessory",
        "Phones & Electronics > Phone Accessories > Phone Cases",
        "Protective Cases > Silicone Cases > MagSafe Silicone Cases > Clear MagSafe Cases",
    ),
    (
        "phone_accessory",
        "Phones & Electronics > Phone Accessories > Stands & Tripods",
        "Phone Tripods > Extendable Phone Tripods > Tripods with Remote > Travel Tripods",
    ),
    (
        "audio",
        "Phones & Electronics > Audio & Video > Earphones",
        "Wireless Earphones > True Wireless Earbuds > Noise-cancelling Earbuds > Sport Earbuds",
    ),
    (
        "food",
        "Food & Beverages > Snacks > Chips & Crisps",
        "Potato Chips > Kettle Chips > Flavored Kettle Chips > Sea Salt Kettle Chips",
    ),
)
# (name, authorized_status, brand_status, is_t1_brand); "UNAUTHORIEZD" is TikTok's spelling.
BRANDS = (
    ("Sandbox Basics", "AUTHORIZED", "AVAILABLE", False),
    ("Everyday Cotton", "AUTHORIZED", "AVAILABLE", False),
    ("Glow Theory", "AUTHORIZED", "AVAILABLE", False),
    ("Old Mill Pottery", "AUTHORIZED", "AVAILABLE", False),
    ("Crunch Harbor", "AUTHORIZED", "AVAILABLE", False),
    ("BrickWorks", "UNAUTHORIEZD", "AVAILABLE", False),
    ("Northwind Outfitters", "UNAUTHORIEZD", "AVAILABLE", False),
    ("Retired Label", "UNAUTHORIEZD", "UNAVAILABLE", False),
    ("Apple", "UNAUTHORIEZD", "AVAILABLE", True),
    ("Samsung", "UNAUTHORIEZD", "AVAILABLE", True),
    ("L'Oreal Paris", "UNAUTHORIEZD", "AVAILABLE", True),
    ("LEGO", "UNAUTHORIEZD", "AVAILABLE", True),
    ("Nike", "UNAUTHORIEZD", "AVAILABLE", True),
)


def seed_reference_data(state):
    """Fill categories (v1 and v2 trees), their attributes and rules, and brands."""
    with state.lock:
        v1_chains = [(kind, _names(v1)) for kind, v1, _ in CATEGORY_CHAINS]
        v2_chains = [(kind, _names(v1) + _names(v2)) for kind, v1, v2 in CATEGORY_CHAINS]
        _seed_tree(state, "v1", v1_chains, first_id=600001)
        _seed_tree(state, "v2", v2_chains, first_id=900001)
        for name, authorized_status, brand_status, is_t1 in BRANDS:
            brand_id = stable_id("brand", name)
            state.brands[brand_id] = {
                "id": brand_id,
                "name": name,
                "authorized_status": authorized_status,
                "brand_status": brand_status,
                "is_t1_brand": is_t1,
            }


def _names(path):
    return tuple(name.strip() for name in path.split(">"))


def _seed_tree(state, version, chains, first_id):
    ids = {}  # path of names -> category id; shared prefixes are shared nodes
    for kind, names in chains:
        for depth in range(1, len(names) + 1):
            path = names[:depth]
            if path in ids:
                continue
            category_id = str(first_id + len(ids))
            ids[path] = category_id
            is_leaf = depth == len(names)
            state.categories[category_id] = {
                "id": category_id,
                "parent_id": ids.get(path[:-1], "0"),
                "local_name": path[-1],
                "is_leaf": is_leaf,
                "permission_statuses": [
                    "INVITE_ONLY" if kind in INVITE_ONLY_KINDS else "AVAILABLE"
                ],
                "version": version,
                "kind": kind,  # sandbox-only: which KINDS entry the leaf follows
            }
            if is_leaf:
                state.category_attributes[category_id] = _leaf_attributes(kind)
                state.category_rules[category_id] = _leaf_rules(kind)


def _marked(keys):
    """[(key, required)] from "a! b c": a trailing "!" marks a required entry."""
    return [(key.rstrip("!"), key.endswith("!")) for key in keys.split()]


def _leaf_attributes(kind):
    sales, product, *_ = KINDS[kind]
    attributes = [_attribute(key, required=False) for key, _ in _marked(sales)]
    attributes += [_attribute(key, required) for key, required in _marked(product)]
    return attributes


def _attribute(key, required):
    attribute_id, name, attribute_type, values, multiple, customizable = ATTRIBUTES[key]
    return {
        "id": attribute_id,
        "name": name,
        "type": attribute_type,
        "is_requried": required,  # TikTok's spelling
        "is_multiple_selection": multiple,
        "is_customizable": customizable,
        "value_data_format": "" if values else "FREE_TEXT",
        "requirement_conditions": [],
        "values": [
            {"id": f"{attribute_id}{index:03d}", "name": value}
            for index, value in enumerate(values.split("|") if values else (), start=1)
        ],
    }


def _leaf_rules(kind):
    _, _, certifications, size_chart, package_dimension = KINDS[kind]
    return {
        "product_certifications": [
            _certification(key, required) for key, required in _marked(certifications)
        ],
        "size_chart": {"is_supported": size_chart, "is_required": size_chart},
        "package_dimension": {"is_required": package_dimension},
    }


def _certification(key, required):
    name, details = CERTIFICATIONS[key]
    return {
        "id": stable_id("certification", key),
        "name": name,
        "is_required": required,
        "sample_image_url": "",
        "document_details": details,
        "expiration_date": {"is_required": False},
        "requirement_conditions": [],
    }


# --- Category look-ups shared by the endpoints and the validation --------------------------------


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


def complete_listing(state, product, region):
    """Give a seeded product what its category requires, so that editing it later validates.

    Registers its image uris as uploaded, drops a brand the shop is not authorized for, adds
    the required product attributes (first value), the required certifications and size chart,
    EU compliance ids, and re-keys the SKUs' sales attributes onto the category's attribute and
    value ids (matched by name).
    """
    _keep_hosted_images(state, product)
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
            _resolve_sales_attribute(sales, {"name": a["name"], "value_name": a["value_name"]})[0]
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


def placeholder_png(width, height):
    """A PNG signature and header declaring `width` x `height`: enough for the upload checks."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b""))
        + _png_chunk(b"IEND", b"")
    )


def _png_chunk(kind, data):
    checksum = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)


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


# --- Category endpoints ------------------------------------------------------------------------


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


# --- Image upload --------------------------------------------------------------------------------


@route("POST", "/product/202309/images/upload", shop_cipher=False)
def upload_image(state, request):
    data = _uploaded_bytes(request.files.get("data"))
    use_case = _form_value(request.files.get("use_case")) or "MAIN_IMAGE"
    if use_case not in IMAGE_USE_CASES:
        raise ApiError(CODE_INVALID_PARAMETER, f"Invalid use_case {use_case!r}")
    if len(data) > MAX_IMAGE_BYTES:
        raise ApiError(CODE_UPLOAD_TOO_LARGE, "The image exceeds 5 MB")
    size = image_size(data)
    if size is None:
        raise ApiError(CODE_IMAGE_INVALID, "The file is not a JPEG or PNG image")
    low, high = IMAGE_SIDE_RANGE
    if not all(low <= side <= high for side in size):
        raise ApiError(
            CODE_IMAGE_INVALID, f"Image sides must be {low}-{high} px, got {size[0]}x{size[1]}"
        )
    # Same bytes, same uri: TikTok's storage is content-addressed as well.
    uri = f"tos-maliva-i-o3syd03w52-us/{hashlib.sha256(data).hexdigest()[:32]}"
    with state.lock:
        state.images[uri] = data
    return {
        "uri": uri,
        "url": image_url(uri),
        "width": size[0],
        "height": size[1],
        "use_case": use_case,
    }


def _uploaded_bytes(part):
    if isinstance(part, tuple) and len(part) >= 2 and isinstance(part[1], bytes):
        return part[1]
    if isinstance(part, bytes):
        return part
    raise ApiError(
        CODE_INVALID_PARAMETER, "The multipart field `data` (the image file) is required"
    )


def _form_value(part):
    if isinstance(part, tuple):
        part = part[1]
    if isinstance(part, bytes):
        part = part.decode("utf-8", "replace")
    return (part or "").strip()


def image_url(uri):
    # The .invalid host says plainly that nothing is downloadable there.
    return f"https://p16-oec-sandbox.ibyteimg.invalid/{uri}~tplv-origin.image"


def image_size(data):
    """(width, height) from a PNG or JPEG header, None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data):
    position = 2
    while position + 9 < len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        # Start-of-frame markers carry the size; C4, C8 and CC are tables, not frames.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return width, height
        position += 2 + length
    return None


# --- Listing validation ------------------------------------------------------------------------


@dataclass
class Problem:
    code: int
    field: str
    message: str

    def as_reason(self):
        return {"code": self.code, "message": f"{self.field}: {self.message}"}


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
    problems += _check_skus(state, shop, attributes, body, draft, edited)
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
    if not isinstance(weight, dict) or _positive_decimal(weight.get("value")) is None:
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


def _positive_decimal(value):
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() and number > 0 else None


# --- SKU validation ----------------------------------------------------------------------------


def _check_skus(state, shop, attributes, body, draft, edited):
    skus = body.get("skus")
    if not isinstance(skus, list) or not skus:
        return [Problem(CODE_PRODUCT_INVALID, "skus", "at least one SKU is required")]
    if len(skus) > MAX_SKUS:
        return [Problem(CODE_PRODUCT_INVALID, "skus", f"at most {MAX_SKUS} SKUs are allowed")]
    problems = []
    for index, sku in enumerate(skus):
        field = f"skus[{index}]"
        problems += _check_seller_sku(sku, field)
        problems += check_price(sku.get("price"), shop.currency, f"{field}.price")
        problems += _check_list_price(sku.get("list_price"), shop.currency, f"{field}.list_price")
        tiktok_stock = _tiktok_stock(state, _previous_sku(edited, sku))
        problems += _check_sku_inventory(
            state, shop, sku.get("inventory"), f"{field}.inventory", draft, tiktok_stock
        )
        problems += _check_identifier(sku.get("identifier_code"), f"{field}.identifier_code")
    problems += _check_unique_seller_skus(skus)
    problems += _check_sales_attributes(attributes, skus)
    return problems


def _check_seller_sku(sku, field):
    seller_sku = sku.get("seller_sku")
    if not isinstance(seller_sku, str) or not seller_sku.strip():
        return [Problem(CODE_PRODUCT_INVALID, f"{field}.seller_sku", "is required")]
    if len(seller_sku) > MAX_SELLER_SKU_LENGTH:
        message = "The seller SKU text length cannot exceed 50 characters"
        return [Problem(CODE_SELLER_SKU_TOO_LONG, f"{field}.seller_sku", message)]
    return []


def _check_unique_seller_skus(skus):
    seen = set()
    problems = []
    for index, sku in enumerate(skus):
        seller_sku = sku.get("seller_sku")
        if seller_sku in seen:
            problems.append(
                Problem(CODE_PRODUCT_INVALID, f"skus[{index}].seller_sku", "is duplicated")
            )
        seen.add(seller_sku)
    return problems


def check_price(price, currency, field):
    """Problems of a `price{amount, currency, sale_price}` object for a shop in `currency`."""
    if not isinstance(price, dict):
        return [Problem(CODE_PRODUCT_INVALID, field, "is required")]
    problems = []
    if price.get("currency") != currency:
        message = f"must be the shop currency {currency}, got {price.get('currency')!r}"
        problems.append(Problem(CODE_PRODUCT_INVALID, f"{field}.currency", message))
    # Local sellers send `amount`; global sellers price with `sale_price`.
    amount_key = "amount" if "amount" in price else "sale_price"
    problems += _check_amount(price.get(amount_key), currency, f"{field}.{amount_key}")
    return problems


def _check_list_price(list_price, currency, field):
    if list_price in (None, {}):
        return []
    return check_price(list_price, currency, field)


def _check_amount(amount, currency, field):
    if not isinstance(amount, str):
        return [Problem(CODE_PRODUCT_INVALID, field, "must be a decimal string")]
    number = _positive_decimal(amount)
    if number is None:
        return [Problem(CODE_PRODUCT_INVALID, field, "must be greater than 0")]
    decimals = CURRENCY_DECIMALS.get(currency, 2)
    if -number.as_tuple().exponent > decimals:
        message = f"{currency} prices take at most {decimals} decimals, got {amount!r}"
        return [Problem(CODE_PRODUCT_INVALID, field, message)]
    return []


def _check_sku_inventory(state, shop, inventory, field, draft, tiktok_stock):
    if not inventory:
        return [] if draft else [Problem(CODE_PRODUCT_INVALID, field, "is required")]
    problems = []
    for index, entry in enumerate(inventory):
        if not _repeats_tiktok_stock(entry, tiktok_stock):
            problems += check_stock_entry(state, shop, entry, f"{field}[{index}]")
    return problems


def _tiktok_stock(state, sku):
    """{warehouse_id: quantity} of the SKU's Fulfilled by TikTok stock ({} for no SKU)."""
    inventory = sku.inventory if sku else {}
    return {w: q for w, q in inventory.items() if _is_fbt(state, w)}


def _repeats_tiktok_stock(entry, tiktok_stock):
    """Get Product lists TikTok's stock too: an edit may send it back, but not change it."""
    quantity = entry.get("quantity")
    known = tiktok_stock.get(str(entry.get("warehouse_id")))
    return known is not None and not isinstance(quantity, bool) and quantity == known


def check_stock_entry(state, shop, entry, field):
    """Problems of one `{warehouse_id, quantity}` the seller wants to set."""
    warehouse = state.warehouses.get(str(entry.get("warehouse_id")))
    if warehouse is None or warehouse.shop_id != shop.id:
        return [
            Problem(CODE_PRODUCT_INVALID, f"{field}.warehouse_id", "is not a warehouse of the shop")
        ]
    if warehouse.type != "SALES_WAREHOUSE" or warehouse.effect_status != "ENABLED":
        message = "is not an enabled sales warehouse"
        return [Problem(CODE_PRODUCT_INVALID, f"{field}.warehouse_id", message)]
    if warehouse.is_fbt:
        message = "is a Fulfilled by TikTok warehouse: TikTok sets its stock"
        return [Problem(CODE_PRODUCT_INVALID, f"{field}.warehouse_id", message)]
    quantity = entry.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        return [Problem(CODE_PRODUCT_INVALID, f"{field}.quantity", "must be an integer")]
    if not 0 <= quantity <= MAX_QUANTITY:
        message = f"The SKU stock must be between [0,{MAX_QUANTITY}]"
        return [Problem(CODE_STOCK_OUT_OF_RANGE, f"{field}.quantity", message)]
    return []


def _check_identifier(identifier, field):
    if not identifier:
        return []
    code = str(identifier.get("code") or "")
    kind = identifier.get("type")
    if kind not in IDENTIFIER_LENGTHS:
        return [Problem(CODE_PRODUCT_INVALID, f"{field}.type", "must be GTIN, EAN, UPC or ISBN")]
    lengths = IDENTIFIER_LENGTHS[kind]
    if not code.isdigit() or len(code) not in lengths:
        expected = " or ".join(str(n) for n in sorted(lengths))
        return [Problem(CODE_PRODUCT_INVALID, f"{field}.code", f"a {kind} has {expected} digits")]
    return []


def _check_sales_attributes(attributes, skus):
    sales = {a["id"]: a for a in attributes if a["type"] == SALES}
    problems = []
    dimensions = set()
    combinations = set()
    for index, sku in enumerate(skus):
        field = f"skus[{index}].sales_attributes"
        entries = sku.get("sales_attributes") or []
        if len(skus) > 1 and not entries:
            problems.append(
                Problem(CODE_PRODUCT_INVALID, field, "are required when there are several SKUs")
            )
        if len(entries) > MAX_SALES_ATTRIBUTE_DIMENSIONS:
            problems.append(
                Problem(CODE_PRODUCT_INVALID, field, "at most 3 dimensions are allowed")
            )
        resolved = [_resolve_sales_attribute(sales, entry) for entry in entries]
        for entry_index, (_, message) in enumerate(resolved):
            if message:
                problems.append(Problem(CODE_PRODUCT_INVALID, f"{field}[{entry_index}]", message))
        dimensions.add(frozenset(value["id"] for value, _ in resolved if value))
        combination = tuple(sorted((v["id"], v["value_name"].lower()) for v, _ in resolved if v))
        if combination and combination in combinations:
            problems.append(
                Problem(CODE_PRODUCT_INVALID, field, "repeat another SKU's combination")
            )
        combinations.add(combination)
    if len(dimensions) > 1:
        message = "every SKU must use the same attributes"
        problems.append(Problem(CODE_PRODUCT_INVALID, "skus[].sales_attributes", message))
    return problems


def _resolve_sales_attribute(sales, entry):
    """Return ({id, name, value_id, value_name}, None) or (None, problem message)."""
    attribute = sales.get(str(entry.get("id") or "")) or _sales_attribute_by_name(
        sales, entry.get("name")
    )
    if attribute is None:
        if entry.get("id") and not entry.get("name"):
            return None, f"attribute {entry['id']} is not a sales attribute of the category"
        return _custom_sales_attribute(entry)
    values = {value["id"]: value["name"] for value in attribute["values"]}
    value_id = str(entry.get("value_id") or "")
    value_name = (entry.get("value_name") or "").strip()
    if value_id in values:
        value_name = values[value_id]
    elif value_name:
        # Custom values, and the ids handed back for them, are known by their name.
        value_id = _value_id_by_name(attribute, value_name)
    elif value_id:
        return None, f"value {value_id} is not a value of {attribute['name']}"
    else:
        return None, "value_id or value_name is required"
    view = {"id": attribute["id"], "name": attribute["name"]}
    return {**view, "value_id": value_id, "value_name": value_name}, None


def _sales_attribute_by_name(sales, name):
    name = (name or "").strip().lower()
    return next((a for a in sales.values() if a["name"].lower() == name), None)


def _value_id_by_name(attribute, value_name):
    for value in attribute["values"]:
        if value["name"].lower() == value_name.lower():
            return value["id"]
    return stable_id("custom_value", attribute["id"], value_name.lower())


def _custom_sales_attribute(entry):
    """A seller-defined dimension (TikTok accepts custom names such as "Scent")."""
    name = (entry.get("name") or "").strip()
    value_name = (entry.get("value_name") or "").strip()
    if not name or not value_name:
        return None, "a custom sales attribute needs a name and a value_name"
    attribute_id = stable_id("custom_attribute", name.lower())
    value_id = stable_id("custom_value", attribute_id, value_name.lower())
    return {"id": attribute_id, "name": name, "value_id": value_id, "value_name": value_name}, None


def _raise_first(problems):
    if not problems:
        return
    first = problems[0]
    more = (
        f" (and {len(problems) - 1} more; listing_check lists them all)"
        if len(problems) > 1
        else ""
    )
    raise ApiError(first.code, f"{first.field}: {first.message}{more}")


# --- Product lifecycle -------------------------------------------------------------------------


def _finish_audit(state, product, decided_at):
    product.details.pop("audit_due_time", None)
    if AUDIT_FAILURE_TRIGGER in product.title.lower():
        reason = "The title contains a prohibited word."
        product.status = "FAILED"
        product.audit_failed_reasons = [
            {
                "position": "title",
                "reasons": [reason],
                "suggestions": ["Remove prohibited words from the title and resubmit."],
                "listing_platform": "TIKTOK_SHOP",
            }
        ]
        _push_product_status(state, product, "PRODUCT_AUDIT_FAILURE", reason, decided_at)
    elif product.status == "PENDING":
        product.status = "ACTIVATE"
        _push_product_status(state, product, "PRODUCT_FIRST_PASS_REVIEW", "", decided_at)
    # An approved edit of a live product changes nothing the seller can see.


def _push_product_status(state, product, status, suspended_reason, decided_at):
    product.update_time = decided_at
    data = {
        "product_id": product.id,
        "status": status,
        "suspended_reason": suspended_reason,
        "update_time": decided_at,
    }
    state.emit_webhook(5, product.shop_id, data)


def _submit_for_audit(state, product):
    """Queue the audit; a live product stays on sale while its edit is reviewed."""
    due = state.now() + state.timing.get("product_audit", AUDIT_SECONDS)
    if product.status != "ACTIVATE":
        product.status = "PENDING"
    product.audit_failed_reasons = []
    product.details["audit_due_time"] = due
    state.schedule(due, _audit_due, state, product.id, due)


def _audit_due(state, product_id, due):
    product = state.products.get(product_id)
    # A later edit (new due time) or a deactivation (no due time) replaced this audit.
    reviewable = product and product.status in ("PENDING", "ACTIVATE")
    if reviewable and product.details.get("audit_due_time") == due:
        _finish_audit(state, product, due)


def _shop_product(state, request, product_id):
    product = state.products.get(str(product_id))
    if product is None or (product.status == "DELETED" and request.method != "GET"):
        raise ApiError(CODE_INVALID_PARAMETER, f"Product {product_id} does not exist")
    if product.shop_id != request.shop.id:
        raise ApiError(CODE_NOT_YOUR_PRODUCT, "You can't edit other sellers' products.")
    return product


# Body keys the sandbox keeps only to show them again in Get Product.
ECHOED_KEYS = (
    "category_version",
    "certifications",
    "size_chart",
    "is_cod_allowed",
    "external_product_id",
    "delivery_option_ids",
    "manufacturer_ids",
    "responsible_person_ids",
    "listing_platforms",
)


def _apply_body(state, shop, product, body):
    """Write a validated create/edit body into `product` (SKUs included)."""
    category = state.categories[str(body["category_id"])] if body.get("category_id") else None
    attributes = state.category_attributes.get(category["id"], []) if category else []
    product.title = body["title"]
    product.description = body.get("description") or ""
    product.category_id = category["id"] if category else ""
    product.brand_id = str(body.get("brand_id") or "")
    product.main_images = [{"uri": image["uri"]} for image in body.get("main_images") or []]
    product.video = body.get("video")
    product.product_attributes = _named_product_attributes(attributes, body)
    product.package_weight = body.get("package_weight")
    product.package_dimensions = body.get("package_dimensions")
    for key in ECHOED_KEYS:
        if key in body:
            product.details[key] = copy.deepcopy(body[key])
    _replace_skus(state, shop, product, attributes, body["skus"])
    product.update_time = state.now()


def _named_product_attributes(attributes, body):
    by_id = {a["id"]: a for a in attributes}
    named = []
    for entry in body.get("product_attributes") or []:
        attribute = by_id.get(str(entry.get("id")), {"name": "", "values": []})
        names = {value["id"]: value["name"] for value in attribute["values"]}
        values = [
            {"id": value.get("id") or "", "name": names.get(value.get("id"), value.get("name", ""))}
            for value in entry.get("values") or []
        ]
        named.append({"id": str(entry["id"]), "name": attribute["name"], "values": values})
    return named


def _replace_skus(state, shop, product, attributes, sku_bodies):
    sales = {a["id"]: a for a in attributes if a["type"] == SALES}
    kept = []
    for body in sku_bodies:
        previous = _previous_sku(product, body)
        sku = previous or Sku(state.new_id(), product.id, "", "", shop.currency)
        _write_sku(state, sku, sales, body, shop.currency)
        kept.append(sku)
        state.skus[sku.id] = sku
    for dropped in {sku.id for sku in product.skus} - {sku.id for sku in kept}:
        state.skus.pop(dropped, None)
    product.skus = kept


def _previous_sku(product, sku_body):
    """The SKU of `product` that `sku_body` replaces: the one with its id, else its seller SKU."""
    skus = product.skus if product else []
    sku_id = str(sku_body.get("id") or "")
    return next((sku for sku in skus if sku.id == sku_id), None) or next(
        (sku for sku in skus if sku.seller_sku == sku_body.get("seller_sku")), None
    )


def _write_sku(state, sku, sales, body, currency):
    price = body["price"]
    sku.seller_sku = body["seller_sku"]
    sku.price = money(price.get("amount") or price.get("sale_price"), currency)
    sku.currency = currency
    list_price = body.get("list_price") or {}
    sku.list_price = money(list_price["amount"], currency) if list_price.get("amount") else ""
    sku.sales_attributes = [
        _resolve_sales_attribute(sales, entry)[0] for entry in body.get("sales_attributes") or []
    ]
    if body.get("inventory"):
        # Fulfilled by TikTok stock stays as TikTok counted it, whatever an edit repeats of it.
        seller_stock = {
            str(e["warehouse_id"]): e["quantity"]
            for e in body["inventory"]
            if not _is_fbt(state, str(e["warehouse_id"]))
        }
        sku.inventory = {**seller_stock, **_tiktok_stock(state, sku)}
    sku.identifier_code = copy.deepcopy(body.get("identifier_code"))


def product_as_body(state, product, shop):
    """The product as a create/edit body: what partial edits merge into and drafts re-check."""
    details = product.details
    body = {
        "title": product.title,
        "description": product.description,
        "category_id": product.category_id,
        "category_version": details.get("category_version") or tree_version(shop),
        "brand_id": product.brand_id,
        "main_images": [_image_ref(image) for image in product.main_images],
        "product_attributes": copy.deepcopy(product.product_attributes),
        "package_weight": copy.deepcopy(product.package_weight),
        "skus": [_sku_as_body(state, sku) for sku in product.skus],
    }
    if product.package_dimensions:
        body["package_dimensions"] = copy.deepcopy(product.package_dimensions)
    if product.video:
        body["video"] = copy.deepcopy(product.video)
    body.update({key: copy.deepcopy(details[key]) for key in ECHOED_KEYS if key in details})
    return body


def _is_fbt(state, warehouse_id):
    return getattr(state.warehouses.get(warehouse_id), "is_fbt", False)


def _image_ref(image):
    return {"uri": image} if isinstance(image, str) else {"uri": image.get("uri")}


def _sku_as_body(state, sku):
    body = {
        "id": sku.id,
        "seller_sku": sku.seller_sku,
        "sales_attributes": copy.deepcopy(sku.sales_attributes),
        "price": {"amount": sku.price, "currency": sku.currency},
        "inventory": [
            {"warehouse_id": w, "quantity": q}
            for w, q in sku.inventory.items()
            if not _is_fbt(state, w)
        ],
    }
    if sku.list_price:
        body["list_price"] = {"amount": sku.list_price, "currency": sku.currency}
    if sku.identifier_code:
        body["identifier_code"] = copy.deepcopy(sku.identifier_code)
    return body


def _write_result(product, warnings=None):
    result = {
        "product_id": product.id,
        "skus": [
            {
                "id": sku.id,
                "seller_sku": sku.seller_sku,
                "external_sku_id": "",
                "sales_attributes": [
                    {"id": a["id"], "value_id": a["value_id"]} for a in sku.sales_attributes
                ],
            }
            for sku in product.skus
        ],
    }
    if warnings is not None:
        result["warnings"] = warnings
    return result


def _listing_warnings(body):
    warnings = []
    if len(body.get("main_images") or []) < 3:
        warnings.append({"message": "Listings with at least 3 main images sell better."})
    if len(body.get("description") or "") < 300:
        warnings.append({"message": "A description over 300 characters is recommended."})
    return warnings


def _save_mode(body):
    mode = body.get("save_mode") or "LISTING"
    if mode not in ("LISTING", "AS_DRAFT"):
        raise ApiError(CODE_INVALID_PARAMETER, "save_mode must be LISTING or AS_DRAFT")
    return mode


# --- Product endpoints -------------------------------------------------------------------------


@route("POST", "/product/202309/products")
def create_product(state, request):
    body = request.json or {}
    key = body.get("idempotency_key") or request.query.get("idempotency_key")
    with state.lock:
        return idempotent(state, request, key, lambda: _create_listing(state, request.shop, body))


def _create_listing(state, shop, body):
    """Validate `body`, store the new product and return Create Product's answer."""
    draft = _save_mode(body) == "AS_DRAFT"
    _raise_first(validate_listing(state, shop, body, draft=draft))
    status = "DRAFT" if draft else "PENDING"
    product = Product(state.new_id(), shop.id, "", status=status, create_time=state.now())
    _apply_body(state, shop, product, body)
    state.products[product.id] = product
    if not draft:
        _submit_for_audit(state, product)
    return _write_result(product, _listing_warnings(body))


@route("PUT", "/product/202309/products/{product_id}")
def edit_product(state, request):
    body = request.json or {}
    with state.lock:
        product = _shop_product(state, request, request.path_params["product_id"])
        return _save_edit(state, request.shop, product, body, _save_mode(body))


@route("POST", "/product/202309/products/{product_id}/partial_edit")
def partial_edit_product(state, request):
    changes = request.json or {}
    with state.lock:
        product = _shop_product(state, request, request.path_params["product_id"])
        body = product_as_body(state, product, request.shop)
        body.update({key: value for key, value in changes.items() if key != "skus"})
        if "skus" in changes:
            body["skus"] = _merge_skus(body["skus"], changes["skus"])
        mode = changes.get("save_mode") or ("AS_DRAFT" if product.status == "DRAFT" else "LISTING")
        result = _save_edit(state, request.shop, product, body, mode)
        result.pop("warnings", None)
        return result


def _keep_hosted_images(state, product):
    """The product's images are on TikTok's storage already: an edit may send their uris again."""
    for image in product.main_images:
        stored = image if isinstance(image, dict) else {"uri": image}
        size = (stored.get("width") or 800, stored.get("height") or 800)
        state.images.setdefault(stored["uri"], placeholder_png(*size))


def _merge_skus(current, changes):
    """SKUs listed in a partial edit: known ids keep their omitted fields, new ones are added."""
    by_id = {sku["id"]: sku for sku in current}
    return [{**by_id.get(str(change.get("id") or ""), {}), **change} for change in changes]


def _save_edit(state, shop, product, body, mode):
    draft = mode == "AS_DRAFT"
    if draft and product.status not in ("DRAFT", "FAILED"):
        raise ApiError(CODE_STATUS_NOT_ALLOWED, "Only drafts can be saved as drafts")
    _keep_hosted_images(state, product)
    _raise_first(validate_listing(state, shop, body, draft=draft, edited=product))
    _apply_body(state, shop, product, body)
    if draft:
        product.status = "DRAFT"
    else:
        # Every edit of a listed product goes through the audit again.
        _submit_for_audit(state, product)
    result = _write_result(product, _listing_warnings(body))
    result["audit"] = {"status": "APPROVED" if draft else "AUDITING"}
    return result


@route("GET", "/product/202309/products/{product_id}")
def get_product(state, request):
    with state.lock:
        product = _shop_product(state, request, request.path_params["product_id"])
        return product_view(state, product)


def product_view(state, product):
    """Get Product's answer for `product`."""
    details = product.details
    view = {
        "id": product.id,
        "title": product.title,
        "description": product.description,
        "status": product.status,
        "category_chains": category_chain(state, product.category_id),
        "main_images": [_image_view(state, image) for image in product.main_images],
        "product_attributes": copy.deepcopy(product.product_attributes),
        "skus": [_sku_view(sku) for sku in product.skus],
        "package_weight": copy.deepcopy(product.package_weight),
        "package_dimensions": copy.deepcopy(product.package_dimensions),
        "audit_failed_reasons": copy.deepcopy(product.audit_failed_reasons),
        "audit": {"status": _audit_status(product)},
        "is_cod_allowed": bool(details.get("is_cod_allowed")),
        "certifications": copy.deepcopy(details.get("certifications") or []),
        "delivery_options": [
            {"id": option_id} for option_id in details.get("delivery_option_ids") or []
        ],
        "external_product_id": details.get("external_product_id") or "",
        "create_time": product.create_time,
        "update_time": product.update_time,
    }
    brand = state.brands.get(product.brand_id)
    if brand:
        view["brand"] = {"id": brand["id"], "name": brand["name"]}
    if product.video:
        view["video"] = copy.deepcopy(product.video)
    if details.get("size_chart"):
        view["size_chart"] = copy.deepcopy(details["size_chart"])
    return view


def _audit_status(product):
    if "audit_due_time" in product.details:
        return "AUDITING"
    return {"ACTIVATE": "APPROVED", "FAILED": "REJECTED", "DRAFT": "NONE"}.get(
        product.status, "APPROVED"
    )


def _image_view(state, image):
    """An image as Get Product shows it; `image` is a stored {uri, ...} dict or a bare uri."""
    stored = image if isinstance(image, dict) else {"uri": image}
    uri = stored["uri"]
    width, height = image_size(state.images.get(uri, b"")) or (
        stored.get("width", 0),
        stored.get("height", 0),
    )
    urls = stored.get("urls") or [image_url(uri)]
    return {"uri": uri, "urls": urls, "thumb_urls": urls, "width": width, "height": height}


def _sku_view(sku):
    view = {
        "id": sku.id,
        "seller_sku": sku.seller_sku,
        "price": _price_view(sku),
        "inventory": [{"warehouse_id": w, "quantity": q} for w, q in sku.inventory.items()],
        "sales_attributes": copy.deepcopy(sku.sales_attributes),
        "external_sku_id": "",
    }
    if sku.list_price:
        view["list_price"] = {"amount": sku.list_price, "currency": sku.currency}
    if sku.identifier_code:
        view["identifier_code"] = copy.deepcopy(sku.identifier_code)
    return view


def _price_view(sku):
    return {"currency": sku.currency, "sale_price": sku.price, "tax_exclusive_price": sku.price}


@route("POST", "/product/202309/products/search", page_size=(1, 100), page_size_required=True)
def search_products(state, request):
    body = request.json or {}
    status = body.get("status") or "ALL"
    if status != "ALL" and status not in PRODUCT_STATUSES:
        raise ApiError(CODE_INVALID_PARAMETER, f"Invalid status {status!r}")
    with state.lock:
        products = [
            p
            for p in state.products.values()
            if p.shop_id == request.shop.id and _matches_search(p, status, body)
        ]
        products.sort(key=lambda p: (p.create_time, int(p.id)), reverse=True)
        page = paginate(products, request, "products")
        page["products"] = [_search_item(p, request.shop) for p in page["products"]]
        return page


def _matches_search(product, status, body):
    if status == "ALL" and product.status == "DELETED":
        return False
    if status != "ALL" and product.status != status:
        return False
    seller_skus = body.get("seller_skus")
    if seller_skus and not {sku.seller_sku for sku in product.skus} & set(seller_skus):
        return False
    return _in_range(product.create_time, body, "create_time") and _in_range(
        product.update_time, body, "update_time"
    )


def _in_range(value, body, name):
    # Product searches use inclusive bounds on both ends (`_ge` / `_le`).
    low, high = body.get(f"{name}_ge"), body.get(f"{name}_le")
    return (low is None or value >= low) and (high is None or value <= high)


def _search_item(product, shop):
    return {
        "id": product.id,
        "title": product.title,
        "status": product.status,
        "skus": [
            {
                "id": sku.id,
                "seller_sku": sku.seller_sku,
                "price": _price_view(sku),
                "inventory": [{"warehouse_id": w, "quantity": q} for w, q in sku.inventory.items()],
            }
            for sku in product.skus
        ],
        "sales_regions": [shop.region],
        "recommended_categories": [],
        "product_sync_fail_reasons": [],
        "create_time": product.create_time,
        "update_time": product.update_time,
    }


# --- Status changes ----------------------------------------------------------------------------


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
            _submit_for_audit(state, product)
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
    warnings = _listing_warnings(body)
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


# --- Inventory and prices ----------------------------------------------------------------------


@route("POST", "/product/202309/products/{product_id}/inventory/update")
def update_inventory(state, request):
    entries = (request.json or {}).get("skus") or []
    if not entries:
        raise ApiError(CODE_INVALID_PARAMETER, "skus is required")
    with state.lock:
        product = _shop_product(state, request, request.path_params["product_id"])
        skus = {sku.id: sku for sku in product.skus}
        problems = []
        for index, entry in enumerate(entries):
            problems += _check_inventory_entry(state, request.shop, skus, entry, f"skus[{index}]")
        _raise_first(problems)
        for entry in entries:
            sku = skus[str(entry["id"])]
            for stock in entry["inventory"]:
                sku.inventory[str(stock["warehouse_id"])] = stock["quantity"]
        product.update_time = state.now()
    return {}


def _check_inventory_entry(state, shop, skus, entry, field):
    sku = skus.get(str(entry.get("id")))
    if sku is None:
        return [Problem(CODE_PRODUCT_INVALID, f"{field}.id", "is not a SKU of this product")]
    stock = entry.get("inventory") or []
    if not stock:
        return [Problem(CODE_PRODUCT_INVALID, f"{field}.inventory", "is required")]
    problems = []
    for index, item in enumerate(stock):
        problems += check_stock_entry(state, shop, item, f"{field}.inventory[{index}]")
    listed = {str(item.get("warehouse_id")) for item in stock}
    seller_warehouses = {w for w in sku.inventory if not _is_fbt(state, w)}
    for missing in sorted(seller_warehouses - listed):
        message = f"must list every warehouse of the SKU; {missing} is missing"
        problems.append(Problem(CODE_PRODUCT_INVALID, f"{field}.inventory", message))
    return problems


@route("POST", "/product/202309/inventory/search")
def search_inventory(state, request):
    body = request.json or {}
    sku_ids = [str(i) for i in body.get("sku_ids") or []]
    product_ids = [str(i) for i in body.get("product_ids") or []]
    if len(sku_ids) > MAX_INVENTORY_SKU_IDS or len(product_ids) > MAX_INVENTORY_PRODUCT_IDS:
        raise ApiError(CODE_INVALID_PARAMETER, "At most 100 product_ids or 600 sku_ids")
    if not sku_ids and not product_ids:
        raise ApiError(CODE_INVALID_PARAMETER, "product_ids or sku_ids is required")
    with state.lock:
        committed = _committed_units(state, request.shop.id)
        groups = _inventory_groups(state, request.shop.id, sku_ids, product_ids)
        return {
            "inventory": [
                {"product_id": product_id, "skus": [_sku_stock(sku, committed) for sku in skus]}
                for product_id, skus in groups
            ]
        }


def _inventory_groups(state, shop_id, sku_ids, product_ids):
    """[(product_id, [Sku])]; sku_ids win over product_ids when both are sent."""
    if sku_ids:
        skus = [state.skus[i] for i in sku_ids if i in state.skus]
    else:
        skus = [
            sku
            for product_id in product_ids
            for sku in getattr(state.products.get(product_id), "skus", [])
        ]
    groups = {}
    for sku in skus:
        product = state.products.get(sku.product_id)
        if product is not None and product.shop_id == shop_id:
            groups.setdefault(sku.product_id, []).append(sku)
    return list(groups.items())


def _committed_units(state, shop_id):
    """{(sku_id, warehouse_id): units} sold in open orders but not shipped yet."""
    committed = {}
    for order in state.orders_of(shop_id):
        if order.status not in COMMITTED_ORDER_STATUSES:
            continue
        for item in order.line_items:
            if item.package_status in ("TO_FULFILL", "PROCESSING"):
                key = (item.sku_id, order.warehouse_id)
                committed[key] = committed.get(key, 0) + 1
    return committed


def _sku_stock(sku, committed):
    warehouses = [
        {
            "warehouse_id": warehouse_id,
            "available_quantity": quantity,
            "committed_quantity": committed.get((sku.id, warehouse_id), 0),
        }
        for warehouse_id, quantity in sku.inventory.items()
    ]
    return {
        "id": sku.id,
        "seller_sku": sku.seller_sku,
        "total_available_quantity": sum(w["available_quantity"] for w in warehouses),
        "total_committed_quantity": sum(w["committed_quantity"] for w in warehouses),
        "warehouse_inventory": warehouses,
    }


@route("POST", "/product/202309/products/{product_id}/prices/update")
def update_prices(state, request):
    entries = (request.json or {}).get("skus") or []
    if not entries:
        raise ApiError(CODE_INVALID_PARAMETER, "skus is required")
    currency = request.shop.currency
    with state.lock:
        product = _shop_product(state, request, request.path_params["product_id"])
        skus = {sku.id: sku for sku in product.skus}
        problems = []
        for index, entry in enumerate(entries):
            field = f"skus[{index}]"
            if str(entry.get("id")) not in skus:
                problems.append(
                    Problem(CODE_PRODUCT_INVALID, f"{field}.id", "is not a SKU of this product")
                )
                continue
            problems += check_price(entry.get("price"), currency, f"{field}.price")
            problems += _check_list_price(entry.get("list_price"), currency, f"{field}.list_price")
        _raise_first(problems)
        for entry in entries:
            _write_price(skus[str(entry["id"])], entry, currency)
        product.update_time = state.now()
    return {}


def _write_price(sku, entry, currency):
    price = entry["price"]
    sku.price = money(price.get("amount") or price.get("sale_price"), currency)
    if (entry.get("list_price") or {}).get("amount"):
        sku.list_price = money(entry["list_price"]["amount"], currency)
