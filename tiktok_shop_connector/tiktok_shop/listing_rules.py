"""TikTok's listing rules as pure checks, run before any publishing call (§5.2, §5.3).

Each check returns a list of `Problem`s, empty when the part is fine; `check_listing` runs them
all on a `ListingDraft` so a seller sees every problem at once, not TikTok's first refusal.
The limits are TikTok's: title ≤ 255 characters, at most 9 images of 1:1, ≥ 600x600 px and
≤ 5 MB, leaf categories only, required attributes and certifications of the category rules,
identifiers of the right length with a valid GS1 check digit, never shared by two SKUs.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

MAX_TITLE_LENGTH = 255
MAX_DESCRIPTION_LENGTH = 10_000
MAX_IMAGES = 9
MIN_IMAGE_SIDE = 600
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_SALES_DIMENSIONS = 3
MAX_SELLER_SKU_LENGTH = 50
MAX_SKUS = 300
# Digits per identifier type; every type ends with a GS1 mod-10 check digit.
IDENTIFIER_LENGTHS = {"GTIN": (14,), "EAN": (8, 13, 14), "UPC": (12,), "ISBN": (13,)}
ISBN_PREFIXES = ("978", "979")
VIDEO_URL = re.compile(r"https?://\S+", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    """One thing to fix: where (`place`, e.g. "title" or "SKU MUG-RED") and what."""

    place: str
    message: str

    def __str__(self):
        return f"{self.place}: {self.message}"


@dataclass(frozen=True)
class ImageInfo:
    name: str
    width: int
    height: int
    size_bytes: int


@dataclass(frozen=True)
class SkuDraft:
    seller_sku: str
    price: Decimal | None = None
    identifier_type: str = ""
    identifier_code: str = ""
    sales_attributes: tuple = ()  # ((attribute name, value name), ...)


@dataclass
class ListingDraft:
    """What a listing would send, in plain values.

    :param category: a Get Categories entry (`is_leaf`, `permission_statuses`) or None
    :param attributes: the category's Get Attributes entries
    :param attribute_values: {attribute id: [value names]} the seller chose
    :param rules: the category's Get Category Rules answer
    :param documents: ids of the certifications that have a document attached
    :param taken_identifiers: {identifier code: seller SKU} already used by other listings
    """

    title: str = ""
    description: str = ""
    category: dict | None = None
    attributes: list = field(default_factory=list)
    attribute_values: dict = field(default_factory=dict)
    rules: dict = field(default_factory=dict)
    documents: frozenset = frozenset()
    images: list = field(default_factory=list)
    video_url: str = ""
    package_weight: float = 0.0
    package_dimensions: tuple = (0, 0, 0)
    skus: list = field(default_factory=list)
    taken_identifiers: dict = field(default_factory=dict)


def check_listing(draft):
    """Every problem of `draft`, in the order of the listing form."""
    return [
        *check_title(draft.title),
        *check_description(draft.description),
        *check_category(draft.category),
        *check_product_attributes(draft.attributes, draft.attribute_values),
        *check_documents(draft.rules, draft.documents),
        *check_images(draft.images),
        *check_video_url(draft.video_url),
        *check_package(draft.rules, draft.package_weight, draft.package_dimensions),
        *check_skus(draft.skus),
        *check_identifiers(draft.skus, draft.taken_identifiers),
    ]


# --- Content -----------------------------------------------------------------------------------


def check_title(title):
    title = (title or "").strip()
    if not title:
        return [Problem("title", "is required")]
    if len(title) > MAX_TITLE_LENGTH:
        return [Problem("title", f"has {len(title)} characters, TikTok takes {MAX_TITLE_LENGTH}")]
    return []


def check_description(description):
    text = re.sub(r"<[^>]*>", "", description or "").strip()
    if not text:
        return [Problem("description", "is required")]
    if len(description) > MAX_DESCRIPTION_LENGTH:
        return [Problem("description", f"is longer than {MAX_DESCRIPTION_LENGTH:,} characters")]
    return []


def check_images(images):
    if not images:
        return [Problem("images", "a main image is required")]
    problems = []
    if len(images) > MAX_IMAGES:
        problems.append(Problem("images", f"a main image and at most {MAX_IMAGES - 1} more"))
    for image in images:
        problems += _check_image(image)
    return problems


def _check_image(image):
    place = f"image {image.name}"
    problems = []
    if image.width != image.height:
        problems.append(Problem(place, f"must be square (1:1), is {image.width}x{image.height}"))
    if min(image.width, image.height) < MIN_IMAGE_SIDE:
        message = f"must be at least {MIN_IMAGE_SIDE}x{MIN_IMAGE_SIDE} px"
        problems.append(Problem(place, message))
    if image.size_bytes > MAX_IMAGE_BYTES:
        problems.append(Problem(place, "is larger than 5 MB"))
    return problems


def check_video_url(url):
    if url and not VIDEO_URL.fullmatch(url.strip()):
        return [Problem("video", "must be an http(s) address")]
    return []


def check_package(rules, weight, dimensions):
    problems = []
    if not weight or weight <= 0:
        problems.append(Problem("package weight", "must be more than 0"))
    dimensions_required = (rules.get("package_dimension") or {}).get("is_required")
    if dimensions_required and not all(side and side > 0 for side in dimensions):
        problems.append(Problem("package dimensions", "length, width and height are required"))
    return problems


# --- Category, attributes, compliance ------------------------------------------------------------


def check_category(category):
    if not category:
        return [Problem("category", "is required")]
    if not category.get("is_leaf"):
        return [Problem("category", "must be a leaf category (one without subcategories)")]
    if "AVAILABLE" not in (category.get("permission_statuses") or []):
        return [Problem("category", "is not open to this shop (invitation only)")]
    return []


def product_attributes(attributes):
    """The category's product properties (sales properties are the SKUs' variations)."""
    return [a for a in attributes if a.get("type") == "PRODUCT_PROPERTY"]


def check_product_attributes(attributes, chosen):
    problems = []
    for attribute in product_attributes(attributes):
        names = chosen.get(attribute["id"]) or []
        # TikTok's key is spelled `is_requried`; accept the correct spelling as well.
        required = attribute.get("is_requried") or attribute.get("is_required")
        if not names:
            if required:
                problems.append(Problem(f"attribute {attribute['name']}", "is required"))
            continue
        problems += resolve_attribute_values(attribute, names)[1]
    return problems


def resolve_attribute_values(attribute, names):
    """([{id} or {name}], problems): TikTok's value ids for `names`, custom names where allowed."""
    place = f"attribute {attribute['name']}"
    if len(names) > 1 and not attribute.get("is_multiple_selection"):
        return [], [Problem(place, "takes a single value")]
    known = {value["name"].strip().lower(): value["id"] for value in attribute.get("values") or []}
    values, problems = [], []
    for name in names:
        value_id = known.get(name.strip().lower())
        if value_id:
            values.append({"id": value_id})
        elif attribute.get("is_customizable"):
            values.append({"name": name.strip()})
        else:
            allowed = ", ".join(value["name"] for value in attribute.get("values") or [])
            problems.append(Problem(place, f"{name!r} is not one of: {allowed}"))
    return values, problems


def required_certifications(rules):
    return [c for c in rules.get("product_certifications") or [] if c.get("is_required")]


def check_documents(rules, documents):
    return [
        Problem(f"document {certification['name']}", "is required by the category")
        for certification in required_certifications(rules)
        if certification["id"] not in documents
    ]


# --- SKUs and identifiers ----------------------------------------------------------------------


def check_skus(skus):
    if not skus:
        return [Problem("SKUs", "at least one variant is required")]
    if len(skus) > MAX_SKUS:
        return [Problem("SKUs", f"at most {MAX_SKUS} variants")]
    problems = []
    seen = set()
    for sku in skus:
        place = f"SKU {sku.seller_sku or '?'}"
        if not (sku.seller_sku or "").strip():
            problems.append(Problem(place, "a seller SKU (internal reference) is required"))
        elif len(sku.seller_sku) > MAX_SELLER_SKU_LENGTH:
            problems.append(Problem(place, f"longer than {MAX_SELLER_SKU_LENGTH} characters"))
        elif sku.seller_sku in seen:
            problems.append(Problem(place, "is used by another variant"))
        seen.add(sku.seller_sku)
        # An unknown price (None) is the pricing set-up's problem, reported once by the caller.
        if sku.price is not None and sku.price <= 0:
            problems.append(Problem(place, "its price must be more than 0"))
    return problems + check_sales_attributes(skus)


def check_sales_attributes(skus):
    if len(skus) < 2:
        return []
    dimensions = {tuple(name for name, _value in sku.sales_attributes) for sku in skus}
    problems = []
    if any(len(sku.sales_attributes) > MAX_SALES_DIMENSIONS for sku in skus):
        problems.append(Problem("variants", f"TikTok takes at most {MAX_SALES_DIMENSIONS}"))
    if () in dimensions or len(dimensions) > 1:
        problems.append(Problem("variants", "every variant must have the same attributes"))
    combinations = [tuple(sku.sales_attributes) for sku in skus]
    if len(set(combinations)) < len(combinations):
        problems.append(Problem("variants", "two variants have the same attribute values"))
    return problems


def check_identifiers(skus, taken=None):
    """Identifier type and digits per SKU, and no code on two SKUs (here or in `taken`)."""
    taken = dict(taken or {})
    problems = []
    for sku in skus:
        if not sku.identifier_code and not sku.identifier_type:
            continue
        place = f"SKU {sku.seller_sku}"
        problem = check_identifier(sku.identifier_type, sku.identifier_code)
        if problem:
            problems.append(Problem(place, problem))
            continue
        other = taken.get(sku.identifier_code)
        if other is not None and other != sku.seller_sku:
            message = f"{sku.identifier_type} {sku.identifier_code} is already used by {other}"
            problems.append(Problem(place, message))
        taken[sku.identifier_code] = sku.seller_sku
    return problems


def check_identifier(kind, code):
    """None for a valid product identifier, else why it is not."""
    if kind not in IDENTIFIER_LENGTHS:
        return "the identifier type must be GTIN, EAN, UPC or ISBN"
    code = code or ""
    lengths = IDENTIFIER_LENGTHS[kind]
    if not code.isdigit() or len(code) not in lengths:
        expected = " or ".join(str(length) for length in lengths)
        return f"a {kind} has {expected} digits, got {code!r}"
    if kind == "ISBN" and not code.startswith(ISBN_PREFIXES):
        return f"an ISBN-13 starts with 978 or 979, got {code}"
    if not has_valid_check_digit(code):
        return f"{code} has a wrong check digit (expected {gs1_check_digit(code[:-1])})"
    return None


def gs1_check_digit(digits):
    """The GS1 mod-10 check digit of `digits` (GTIN, EAN, UPC and ISBN-13 share it)."""
    # From the right, weights alternate 3 and 1, starting with 3 next to the check digit.
    total = sum(
        int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(digits[::-1])
    )
    return str((10 - total % 10) % 10)


def has_valid_check_digit(code):
    return len(code) > 1 and code.isdigit() and gs1_check_digit(code[:-1]) == code[-1]
