"""From TikTok's catalog (Get Product, §5.3) to what Odoo needs, and the SKU-mapping CSV.

Pure Python: ids stay strings, money stays `Decimal` in the shop's currency. The Odoo side turns
a `CatalogProduct` into a product template, its attributes and variants, and the bindings:

- TikTok's sales attributes (up to 3 per product) become Odoo attributes, matched by name; the
  attribute order is the order TikTok lists them in, values in the order SKUs first use them.
- A SKU's price is its sale price (`amount` for local sellers, `sale_price` otherwise).
- Images are kept as TikTok's URIs; the main image's first URL is what Odoo downloads.

The CSV is what sellers already keep: one row per TikTok SKU and the Odoo internal reference it
is sold as (see `parse_sku_mapping_csv`).
"""

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from .order_mapping import money

# TikTok's limit on sales attributes per product: a product with more is refused by TikTok.
MAX_SALES_ATTRIBUTES = 3


@dataclass(frozen=True)
class CatalogVariant:
    """One TikTok SKU: what identifies it and the attribute values that tell it apart."""

    sku_id: str
    seller_sku: str
    price: Decimal
    # ((attribute name, value name), ...) in the product's attribute order
    attribute_values: tuple = ()

    @property
    def label(self):
        return " / ".join(value for _name, value in self.attribute_values)


@dataclass(frozen=True)
class CatalogProduct:
    product_id: str
    title: str
    description: str
    status: str
    update_time: int
    category_id: str = ""
    category_name: str = ""
    brand_id: str = ""
    brand_name: str = ""
    image_uris: tuple = ()
    main_image_url: str = ""
    # ((attribute name, (value names...)), ...): the Odoo attribute lines the product needs
    attributes: tuple = ()
    variants: tuple = ()

    @property
    def lowest_price(self):
        prices = [variant.price for variant in self.variants if variant.price]
        return min(prices) if prices else Decimal(0)


def map_product(remote):
    """A `CatalogProduct` from Get Product's answer.

    :raises ValueError: when TikTok's product has more sales attributes than TikTok allows, or
        two SKUs with the same attribute values (Odoo could not tell their variants apart)
    """
    variants = tuple(_map_variant(sku) for sku in remote.get("skus") or ())
    attributes = _attribute_lines(variants)
    if len(attributes) > MAX_SALES_ATTRIBUTES:
        raise ValueError(
            f"product {remote.get('id')} has {len(attributes)} sales attributes; TikTok allows "
            f"{MAX_SALES_ATTRIBUTES}"
        )
    _check_distinct_combinations(remote.get("id"), variants)
    images = [image for image in remote.get("main_images") or () if image.get("uri")]
    category_id, category_name = _leaf_category(remote.get("category_chains") or ())
    brand = remote.get("brand") or {}
    return CatalogProduct(
        product_id=str(remote["id"]),
        title=(remote.get("title") or "").strip(),
        description=remote.get("description") or "",
        status=remote.get("status") or "",
        update_time=int(remote.get("update_time") or 0),
        category_id=category_id,
        category_name=category_name,
        brand_id=str(brand.get("id") or ""),
        brand_name=brand.get("name") or "",
        image_uris=tuple(image["uri"] for image in images),
        main_image_url=next(iter(images[0].get("urls") or ()), "") if images else "",
        attributes=attributes,
        variants=variants,
    )


def _map_variant(sku):
    price = sku.get("price") or {}
    return CatalogVariant(
        sku_id=str(sku["id"]),
        seller_sku=(sku.get("seller_sku") or "").strip(),
        price=money(price.get("amount") or price.get("sale_price")),
        attribute_values=tuple(
            (attribute["name"].strip(), attribute["value_name"].strip())
            for attribute in sku.get("sales_attributes") or ()
            if attribute.get("name") and attribute.get("value_name")
        ),
    )


def _attribute_lines(variants):
    """((attribute, (values...)), ...) in first-seen order, across every SKU."""
    lines = {}
    for variant in variants:
        for name, value in variant.attribute_values:
            values = lines.setdefault(name, [])
            if value not in values:
                values.append(value)
    return tuple((name, tuple(values)) for name, values in lines.items())


def _check_distinct_combinations(product_id, variants):
    seen = set()
    for variant in variants:
        key = frozenset(variant.attribute_values)
        if key in seen:
            raise ValueError(
                f"product {product_id}: two SKUs have the same attribute values "
                f"({variant.label or 'none'})"
            )
        seen.add(key)


def _leaf_category(chain):
    """(id, name) of the leaf of Get Product's category chain (the root comes first)."""
    leaves = [category for category in chain if category.get("is_leaf")]
    leaf = leaves[-1] if leaves else (chain[-1] if chain else {})
    return str(leaf.get("id") or ""), leaf.get("local_name") or ""


# --- The SKU-mapping CSV -----------------------------------------------------------------------

# Header names as people write them -> the column they stand for.
CSV_COLUMNS = {
    "shop": "shop",
    "shop_code": "shop",
    "shop_id": "shop",
    "tiktok_product_id": "tiktok_product_id",
    "product_id": "tiktok_product_id",
    "item_id": "tiktok_product_id",
    "tiktok_sku_id": "tiktok_sku_id",
    "sku_id": "tiktok_sku_id",
    "seller_sku": "seller_sku",
    "internal_reference": "internal_reference",
    "default_code": "internal_reference",
}
# A spreadsheet that took a TikTok id for a number shows it like this, and lost its last digits.
SCIENTIFIC_NOTATION = re.compile(r"^\d+(\.\d+)?[eE]\+?\d+$")


@dataclass(frozen=True)
class SkuMappingRow:
    line: int  # the row's line number in the file, for the report
    internal_reference: str
    shop: str = ""
    tiktok_product_id: str = ""
    tiktok_sku_id: str = ""
    seller_sku: str = ""


@dataclass
class SkuMappingFile:
    rows: list = field(default_factory=list)  # [SkuMappingRow]
    errors: list = field(default_factory=list)  # [(line, message)]


def parse_sku_mapping_csv(content):
    """Rows of a SKU-mapping CSV, and the lines that cannot be used with the reason.

    Columns (header row required, any order, case and spaces ignored; `;` or `,` separated):
    `internal_reference` (required: the Odoo product's internal reference), and `tiktok_sku_id`
    (TikTok's SKU id, digits) or `seller_sku` (the seller SKU on TikTok); optional `shop` (the
    shop's code, TikTok id or name, for files covering several shops) and `tiktok_product_id`.

    :param content: the file's text (str) or bytes (UTF-8, a BOM is allowed)
    :raises ValueError: when the file has no header or lacks the required columns
    """
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    header = next(reader, None)
    columns = [CSV_COLUMNS.get(_header_key(name)) for name in header or ()]
    if "internal_reference" not in columns or not {"tiktok_sku_id", "seller_sku"} & set(columns):
        raise ValueError(
            "The file needs a header with internal_reference and tiktok_sku_id or seller_sku."
        )
    parsed = SkuMappingFile()
    for line, cells in enumerate(reader, start=2):
        values = {
            column: cell.strip()
            for column, cell in zip(columns, cells, strict=False)
            if column and cell.strip()
        }
        if not values:
            continue  # blank lines are not rows
        error = _row_error(values)
        if error:
            parsed.errors.append((line, error))
        else:
            parsed.rows.append(SkuMappingRow(line=line, **values))
    return parsed


def _delimiter(text):
    """`;` when the header uses it (spreadsheets in comma-decimal locales save so), else `,`."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _header_key(name):
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _row_error(values):
    if not values.get("internal_reference"):
        return "no internal reference"
    if not values.get("tiktok_sku_id") and not values.get("seller_sku"):
        return "neither a TikTok SKU id nor a seller SKU"
    for column in ("tiktok_sku_id", "tiktok_product_id"):
        value = values.get(column, "")
        if SCIENTIFIC_NOTATION.match(value):
            return f"{column} {value} was rounded by a spreadsheet: format the column as text"
        if value and not value.isdigit():
            return f"{column} {value} is not a TikTok id (digits only)"
    return None
