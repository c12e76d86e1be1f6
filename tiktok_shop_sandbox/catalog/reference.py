"""The catalog's reference data, deterministic: category trees, attributes, rules and brands.

A 3-level `v1` category tree for every market but the US and a 7-level `v2` tree for the US,
each leaf with its attributes (sales properties such as Color/Size, product properties, some
required) and rules (certifications, size chart, package dimensions), plus authorized and
unauthorized brands. `seed_reference_data` fills a state with them.
"""

from ..logistics import stable_id

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
