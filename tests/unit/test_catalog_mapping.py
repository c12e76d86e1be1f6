"""TikTok's catalog onto Odoo's shapes, and the SKU-mapping CSV (tiktok_shop/catalog_mapping.py)."""

from decimal import Decimal

import pytest
from tiktok_shop.catalog_mapping import (
    map_product,
    parse_sku_mapping_csv,
    product_version,
)
from tiktok_shop.errors import TikTokDataError


def _sku(sku_id, seller_sku, price, *pairs):
    return {
        "id": sku_id,
        "seller_sku": seller_sku,
        "price": {"currency": "USD", "sale_price": price},
        "sales_attributes": [
            {
                "id": str(index),
                "name": name,
                "value_id": f"{index}{value}",
                "value_name": value,
            }
            for index, (name, value) in enumerate(pairs)
        ],
    }


def _backpack(**changes):
    """Get Product's answer for a product with three sales attributes."""
    skus = [
        _sku(
            "11",
            "BAG-OLI-20L-CAN",
            "49.00",
            ("Color", "Olive"),
            ("Size", "20L"),
            ("Material", "Canvas"),
        ),
        _sku(
            "12",
            "BAG-NAV-20L-CAN",
            "49.00",
            ("Color", "Navy"),
            ("Size", "20L"),
            ("Material", "Canvas"),
        ),
        _sku(
            "13",
            "BAG-OLI-28L-PET",
            "59.00",
            ("Color", "Olive"),
            ("Size", "28L"),
            ("Material", "PET"),
        ),
    ]
    return {
        "id": 1729,
        "title": " Canvas Travel Backpack ",
        "description": "<p>Made to last.</p>",
        "status": "ACTIVATE",
        "update_time": 1700000000,
        "category_chains": [
            {
                "id": "1",
                "parent_id": "0",
                "local_name": "Luggage & Bags",
                "is_leaf": False,
            },
            {
                "id": "2",
                "parent_id": "1",
                "local_name": "Travel Backpacks",
                "is_leaf": True,
            },
        ],
        "brand": {"id": "77", "name": "Sandbox Basics"},
        "main_images": [
            {"uri": "bucket/main", "urls": ["http://127.0.0.1:1/main.png"]},
            {"uri": "bucket/side", "urls": ["http://127.0.0.1:1/side.png"]},
        ],
        "skus": skus,
        **changes,
    }


def test_a_product_with_three_sales_attributes_maps_to_three_attribute_lines():
    product = map_product(_backpack())
    assert product.product_id == "1729"
    assert product.title == "Canvas Travel Backpack"
    assert product.attributes == (
        ("Color", ("Olive", "Navy")),
        ("Size", ("20L", "28L")),
        ("Material", ("Canvas", "PET")),
    )
    first = product.variants[0]
    assert (first.sku_id, first.seller_sku, first.price) == (
        "11",
        "BAG-OLI-20L-CAN",
        Decimal("49.00"),
    )
    assert first.attribute_values == (
        ("Color", "Olive"),
        ("Size", "20L"),
        ("Material", "Canvas"),
    )
    assert first.label == "Olive / 20L / Canvas"
    assert product.lowest_price == Decimal("49.00")


def test_listing_content_is_kept_category_leaf_brand_and_images():
    product = map_product(_backpack())
    assert (product.category_id, product.category_name) == ("2", "Travel Backpacks")
    assert (product.brand_id, product.brand_name) == ("77", "Sandbox Basics")
    assert product.image_uris == ("bucket/main", "bucket/side")
    assert product.main_image_url == "http://127.0.0.1:1/main.png"
    assert product.description == "<p>Made to last.</p>"
    assert product.update_time == 1700000000


def test_a_local_seller_price_is_read_from_amount():
    remote = _backpack(skus=[{"id": "1", "seller_sku": "X", "price": {"amount": "12.5"}}])
    assert map_product(remote).variants[0].price == Decimal("12.5")


def test_a_product_without_sales_attributes_has_one_plain_variant():
    remote = _backpack(skus=[_sku("1", "MUG", "12")], main_images=[], brand=None)
    product = map_product(remote)
    assert product.attributes == ()
    assert product.variants[0].attribute_values == ()
    assert product.variants[0].label == ""
    assert (product.main_image_url, product.brand_id) == ("", "")


def test_more_than_three_sales_attributes_is_refused():
    pairs = [("A", "1"), ("B", "1"), ("C", "1"), ("D", "1")]
    with pytest.raises(TikTokDataError, match="4 sales attributes"):
        map_product(_backpack(skus=[_sku("1", "X", "1", *pairs)]))


def test_two_skus_with_the_same_values_are_refused():
    skus = [
        _sku("1", "X", "1", ("Color", "Red")),
        _sku("2", "Y", "1", ("Color", "Red")),
    ]
    with pytest.raises(TikTokDataError, match="same attribute values"):
        map_product(_backpack(skus=skus))


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"id": None}, "id", "is missing"),
        ({"skus": [_sku("1", "X", "1"), {"seller_sku": "Y"}]}, "skus[1].id", "is missing"),
        ({"skus": [{"id": "1", "price": {"amount": "1.2.3"}}]}, "skus[0].price.amount", "amount"),
        ({"skus": [{"id": "1", "price": "12"}]}, "skus[0].price", "is not an object"),
        ({"skus": "11,12"}, "skus", "is not a list"),
        ({"brand": ["77"]}, "brand", "is not an object"),
        ({"category_chains": [None]}, "category_chains[0]", "is not an object"),
        ({"main_images": [{"uri": "b/m", "urls": "http://x"}]}, "main_images[0].urls", "list"),
        ({"update_time": "2024-01-01"}, "update_time", "is not a whole number"),
    ],
)
def test_bad_tiktok_data_raises_a_typed_error_naming_the_field(changes, field, reason):
    with pytest.raises(TikTokDataError) as raised:
        map_product(_backpack(**changes))
    assert raised.value.path == field
    assert reason in raised.value.reason


def test_a_search_result_without_an_id_names_its_place_in_the_page():
    assert product_version({"id": 1729, "update_time": "300"}, "products[0]") == ("1729", 300)
    with pytest.raises(TikTokDataError, match=r"products\[3\]\.id is missing"):
        product_version({"update_time": 300}, "products[3]")


# --- the SKU-mapping CSV ---


def test_csv_rows_by_tiktok_sku_id_or_seller_sku():
    parsed = parse_sku_mapping_csv(
        "shop,tiktok_product_id,tiktok_sku_id,internal_reference\n"
        "US1234,1729,1730,FURN_001\n"
        "\n"
        ",,,FURN_002\n"
    )
    (row,) = parsed.rows
    assert (row.line, row.shop, row.tiktok_product_ref, row.tiktok_sku_ref) == (
        2,
        "US1234",
        "1729",
        "1730",
    )
    assert row.internal_reference == "FURN_001"
    assert parsed.errors == [(4, "neither a TikTok SKU id nor a seller SKU")]


def test_csv_columns_are_named_after_the_sku_binding_fields():
    parsed = parse_sku_mapping_csv("tiktok_sku_ref,tiktok_product_ref,internal_reference\n7,8,A\n")
    (row,) = parsed.rows
    assert (row.tiktok_sku_ref, row.tiktok_product_ref, row.internal_reference) == ("7", "8", "A")


def test_csv_headers_as_people_write_them_semicolons_and_bom():
    parsed = parse_sku_mapping_csv(b"\xef\xbb\xbfSeller SKU;Internal Reference\nBAG-1;FURN_9\n")
    (row,) = parsed.rows
    assert (row.seller_sku, row.internal_reference, row.tiktok_sku_ref) == (
        "BAG-1",
        "FURN_9",
        "",
    )


def test_csv_bad_rows_are_reported_with_their_line():
    parsed = parse_sku_mapping_csv(
        "tiktok_sku_id,internal_reference\n1.72924E+18,FURN_1\nBAG-1,FURN_2\n1730,\n1731,FURN_4\n"
    )
    assert [row.line for row in parsed.rows] == [5]
    lines = dict(parsed.errors)
    assert "rounded by a spreadsheet" in lines[2]
    assert "not a TikTok id" in lines[3]
    assert lines[4] == "no internal reference"


@pytest.mark.parametrize("header", ["", "tiktok_sku_id,name\n", "internal_reference,shop\n"])
def test_a_csv_without_the_required_columns_is_refused(header):
    with pytest.raises(ValueError, match="internal_reference"):
        parse_sku_mapping_csv(header)
