"""The listing checks that run before any publishing call (tiktok_shop/listing_rules.py)."""

from decimal import Decimal

import pytest
from tiktok_shop.listing_rules import (
    ImageInfo,
    ListingDraft,
    SkuDraft,
    check_category,
    check_description,
    check_documents,
    check_identifier,
    check_identifiers,
    check_images,
    check_listing,
    check_package,
    check_product_attributes,
    check_skus,
    check_title,
    gs1_check_digit,
    resolve_attribute_values,
)

LEAF = {"id": "1", "is_leaf": True, "permission_statuses": ["AVAILABLE"]}
FABRIC = {
    "id": "101001",
    "name": "Fabric",
    "type": "PRODUCT_PROPERTY",
    "is_requried": True,
    "is_multiple_selection": True,
    "is_customizable": False,
    "values": [{"id": "101001001", "name": "Cotton"}, {"id": "101001002", "name": "Linen"}],
}
ORIGIN = {
    "id": "101040",
    "name": "Country of Origin",
    "type": "PRODUCT_PROPERTY",
    "is_requried": False,
    "is_multiple_selection": False,
    "is_customizable": False,
    "values": [{"id": "101040001", "name": "Japan"}],
}
INGREDIENTS = {
    "id": "101010",
    "name": "Ingredients",
    "type": "PRODUCT_PROPERTY",
    "is_requried": True,
    "is_multiple_selection": False,
    "is_customizable": True,
    "values": [],
}
COLOR = {"id": "100000", "name": "Color", "type": "SALES_PROPERTY", "is_requried": True}
RULES = {
    "product_certifications": [
        {"id": "c1", "name": "CPC", "is_required": True},
        {"id": "c2", "name": "ASTM report", "is_required": False},
    ],
    "package_dimension": {"is_required": True},
}
SQUARE = ImageInfo("front.png", 800, 800, 200_000)


def valid_draft(**changes):
    values = {
        "title": "Stoneware mug",
        "description": "<p>A handmade mug.</p>",
        "category": LEAF,
        "attributes": [FABRIC, COLOR],
        "attribute_values": {"101001": ["Cotton"]},
        "rules": RULES,
        "documents": frozenset({"c1"}),
        "images": [SQUARE],
        "package_weight": 0.4,
        "package_dimensions": (10, 10, 12),
        "skus": [
            SkuDraft("MUG-RED", Decimal("12.5"), "EAN", "4006381333931", (("Color", "Red"),)),
            SkuDraft("MUG-BLUE", Decimal("12.5"), "UPC", "036000291452", (("Color", "Blue"),)),
        ],
    }
    values.update(changes)
    return ListingDraft(**values)


def test_a_complete_listing_has_no_problem():
    assert check_listing(valid_draft()) == []


def test_every_problem_is_reported_at_once():
    draft = valid_draft(title="", images=[], documents=frozenset(), category=None)
    places = [problem.place for problem in check_listing(draft)]
    assert places == ["title", "category", "document CPC", "images"]


def test_title_is_required_and_at_most_255_characters():
    assert check_title("a" * 255) == []
    assert [p.message for p in check_title("  ")] == ["is required"]
    assert "255" in check_title("a" * 256)[0].message


def test_description_needs_text_not_only_markup():
    assert check_description("<p>Mug</p>") == []
    assert check_description("<p> </p>")[0].message == "is required"


@pytest.mark.parametrize(
    "image, expected",
    [
        (ImageInfo("a", 600, 600, 5 * 1024 * 1024), []),
        (ImageInfo("b", 800, 600, 1000), ["must be square (1:1), is 800x600"]),
        (ImageInfo("c", 500, 500, 1000), ["must be at least 600x600 px"]),
        (ImageInfo("d", 900, 900, 5 * 1024 * 1024 + 1), ["is larger than 5 MB"]),
    ],
)
def test_images_are_square_large_enough_and_at_most_5_mb(image, expected):
    assert [p.message for p in check_images([image])] == expected


def test_a_main_image_and_at_most_eight_more():
    assert check_images([]) == [check_images([])[0]]
    assert check_images([SQUARE] * 9) == []
    assert [p.place for p in check_images([SQUARE] * 10)] == ["images"]


def test_only_available_leaf_categories():
    assert check_category(LEAF) == []
    assert "leaf" in check_category({**LEAF, "is_leaf": False})[0].message
    assert (
        "invitation" in check_category({**LEAF, "permission_statuses": ["INVITE_ONLY"]})[0].message
    )


def test_required_attributes_use_tiktok_misspelled_flag():
    problems = check_product_attributes([FABRIC, ORIGIN, INGREDIENTS, COLOR], {})
    # Origin is optional, Color is a sales property (the variants carry it).
    assert [str(p) for p in problems] == [
        "attribute Fabric: is required",
        "attribute Ingredients: is required",
    ]


def test_attribute_values_map_to_tiktok_ids_or_custom_names():
    assert resolve_attribute_values(FABRIC, ["cotton", "Linen"]) == (
        [{"id": "101001001"}, {"id": "101001002"}],
        [],
    )
    assert resolve_attribute_values(INGREDIENTS, ["Water, glycerin"]) == (
        [{"name": "Water, glycerin"}],
        [],
    )
    _values, problems = resolve_attribute_values(FABRIC, ["Silk"])
    assert "'Silk' is not one of: Cotton, Linen" in problems[0].message
    assert resolve_attribute_values(ORIGIN, ["Japan", "Japan"])[1][0].message == (
        "takes a single value"
    )


def test_required_certifications_need_a_document():
    assert check_documents(RULES, {"c1"}) == []
    assert [str(p) for p in check_documents(RULES, set())] == [
        "document CPC: is required by the category"
    ]


def test_package_dimensions_only_when_the_category_asks():
    assert check_package({}, 0.5, (0, 0, 0)) == []
    assert [p.place for p in check_package(RULES, 0, (10, 0, 3))] == [
        "package weight",
        "package dimensions",
    ]


@pytest.mark.parametrize(
    "kind, code",
    [
        ("GTIN", "00012345600012"),
        ("EAN", "96385074"),
        ("EAN", "4006381333931"),
        ("EAN", "00012345600012"),
        ("UPC", "036000291452"),
        ("ISBN", "9780306406157"),
    ],
)
def test_valid_identifiers(kind, code):
    assert check_identifier(kind, code) is None


@pytest.mark.parametrize(
    "kind, code, reason",
    [
        ("GTIN", "4006381333931", "a GTIN has 14 digits"),
        ("EAN", "123456789", "a EAN has 8 or 13 or 14 digits"),
        ("UPC", "03600029145A", "a UPC has 12 digits"),
        ("UPC", "036000291453", "wrong check digit (expected 2)"),
        ("ISBN", "4006381333931", "starts with 978 or 979"),
        ("ISBN", "9780306406158", "wrong check digit (expected 7)"),
        ("ASIN", "4006381333931", "must be GTIN, EAN, UPC or ISBN"),
    ],
)
def test_invalid_identifiers(kind, code, reason):
    assert reason in check_identifier(kind, code)


def test_gs1_check_digit_of_known_codes():
    assert gs1_check_digit("400638133393") == "1"
    assert gs1_check_digit("03600029145") == "2"
    assert gs1_check_digit("9638507") == "4"


def test_an_identifier_belongs_to_one_sku_only():
    twins = [
        SkuDraft("A", Decimal(1), "EAN", "4006381333931"),
        SkuDraft("B", Decimal(1), "EAN", "4006381333931"),
    ]
    assert [str(p) for p in check_identifiers(twins)] == [
        "SKU B: EAN 4006381333931 is already used by A"
    ]
    single = [SkuDraft("C", Decimal(1), "EAN", "4006381333931")]
    assert (
        "already used by MUG-9" in check_identifiers(single, {"4006381333931": "MUG-9"})[0].message
    )
    assert check_identifiers(single, {"4006381333931": "C"}) == []


def test_skus_need_a_reference_a_price_and_the_same_variations():
    skus = [
        SkuDraft("", Decimal(1), sales_attributes=(("Color", "Red"),)),
        SkuDraft("B", Decimal(0), sales_attributes=(("Size", "M"),)),
        SkuDraft("B", Decimal(2), sales_attributes=(("Size", "M"),)),
    ]
    assert [str(p) for p in check_skus(skus)] == [
        "SKU ?: a seller SKU (internal reference) is required",
        "SKU B: its price must be more than 0",
        "SKU B: is used by another variant",
        "variants: every variant must have the same attributes",
        "variants: two variants have the same attribute values",
    ]
