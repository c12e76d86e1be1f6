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

from .errors import TikTokDataError
from .payload import (
    amount,
    as_object,
    integer,
    nested,
    object_list,
    required_id,
    text,
    text_list,
)

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

    :raises TikTokDataError: when the product or one of its SKUs has no id, a field is in a
        shape that cannot be read, the product has more sales attributes than TikTok allows, or
        two SKUs with the same attribute values (Odoo could not tell their variants apart)
    """
    remote = as_object(remote, "product")
    product_id = required_id(remote, "id")
    variants = tuple(_map_variant(sku, where) for where, sku in object_list(remote, "skus"))
    attributes = _attribute_lines(variants)
    if len(attributes) > MAX_SALES_ATTRIBUTES:
        raise TikTokDataError(
            "skus",
            f"of product {product_id} have {len(attributes)} sales attributes; TikTok allows "
            f"{MAX_SALES_ATTRIBUTES}",
        )
    _check_distinct_combinations(variants)
    images = [
        (where, image)
        for where, image in object_list(remote, "main_images")
        if text(image, "uri", where)
    ]
    category_id, category_name = _leaf_category(object_list(remote, "category_chains"))
    brand = nested(remote, "brand")
    return CatalogProduct(
        product_id=product_id,
        title=text(remote, "title").strip(),
        description=text(remote, "description"),
        status=text(remote, "status"),
        update_time=integer(remote, "update_time"),
        category_id=category_id,
        category_name=category_name,
        brand_id=text(brand, "id", "brand"),
        brand_name=text(brand, "name", "brand"),
        image_uris=tuple(text(image, "uri", where) for where, image in images),
        main_image_url=_first_url(images),
        attributes=attributes,
        variants=variants,
    )


def _map_variant(sku, where):
    price = nested(sku, "price", where)
    price_key = "amount" if price.get("amount") else "sale_price"
    return CatalogVariant(
        sku_id=required_id(sku, "id", where),
        seller_sku=text(sku, "seller_sku", where).strip(),
        price=amount(price, price_key, f"{where}.price"),
        attribute_values=tuple(
            (text(attribute, "name", place).strip(), text(attribute, "value_name", place).strip())
            for place, attribute in object_list(sku, "sales_attributes", where)
            if attribute.get("name") and attribute.get("value_name")
        ),
    )


def _first_url(images):
    """The first URL of the first image, which Odoo downloads as the product's main image."""
    if not images:
        return ""
    where, image = images[0]
    return next(iter(text_list(image, "urls", where)), "")


def _attribute_lines(variants):
    """((attribute, (values...)), ...) in first-seen order, across every SKU."""
    lines = {}
    for variant in variants:
        for name, value in variant.attribute_values:
            values = lines.setdefault(name, [])
            if value not in values:
                values.append(value)
    return tuple((name, tuple(values)) for name, values in lines.items())


def _check_distinct_combinations(variants):
    seen = set()
    for index, variant in enumerate(variants):
        key = frozenset(variant.attribute_values)
        if key in seen:
            raise TikTokDataError(
                f"skus[{index}].sales_attributes",
                f"are the same attribute values as another SKU's ({variant.label or 'none'})",
            )
        seen.add(key)


def _leaf_category(chain):
    """(id, name) of the leaf of Get Product's category chain (the root comes first)."""
    leaves = [(where, category) for where, category in chain if category.get("is_leaf")]
    where, leaf = leaves[-1] if leaves else (chain[-1] if chain else ("", {}))
    return text(leaf, "id", where), text(leaf, "local_name", where)


def product_version(item, where):
    """(product id, update_time) of a product in Search Products' results."""
    item = as_object(item, where)
    return required_id(item, "id", where), integer(item, "update_time", where)


# --- The SKU-mapping CSV -----------------------------------------------------------------------

# Header names as people write them -> the column they stand for. The columns are named after
# the SKU binding's fields; files written with the `_id` names of 19.0.1.x still read.
CSV_COLUMNS = {
    "shop": "shop",
    "shop_code": "shop",
    "shop_id": "shop",
    "tiktok_product_ref": "tiktok_product_ref",
    "tiktok_product_id": "tiktok_product_ref",
    "product_id": "tiktok_product_ref",
    "item_id": "tiktok_product_ref",
    "tiktok_sku_ref": "tiktok_sku_ref",
    "tiktok_sku_id": "tiktok_sku_ref",
    "sku_id": "tiktok_sku_ref",
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
    tiktok_product_ref: str = ""
    tiktok_sku_ref: str = ""
    seller_sku: str = ""


@dataclass
class SkuMappingFile:
    rows: list = field(default_factory=list)  # [SkuMappingRow]
    errors: list = field(default_factory=list)  # [(line, message)]


def parse_sku_mapping_csv(content):
    """Rows of a SKU-mapping CSV, and the lines that cannot be used with the reason.

    Columns (header row required, any order, case and spaces ignored; `;` or `,` separated):
    `internal_reference` (required: the Odoo product's internal reference), and `tiktok_sku_ref`
    (TikTok's SKU id, digits) or `seller_sku` (the seller SKU on TikTok); optional `shop` (the
    shop's code, TikTok id or name, for files covering several shops) and `tiktok_product_ref`.

    :param content: the file's text (str) or bytes (UTF-8, a BOM is allowed)
    :raises ValueError: when the file has no header or lacks the required columns
    """
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    header = next(reader, None)
    columns = [CSV_COLUMNS.get(_header_key(name)) for name in header or ()]
    if "internal_reference" not in columns or not {"tiktok_sku_ref", "seller_sku"} & set(columns):
        raise ValueError(
            "The file needs a header with internal_reference and tiktok_sku_ref or seller_sku."
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
    if not values.get("tiktok_sku_ref") and not values.get("seller_sku"):
        return "neither a TikTok SKU id nor a seller SKU"
    for column in ("tiktok_sku_ref", "tiktok_product_ref"):
        value = values.get(column, "")
        if SCIENTIFIC_NOTATION.match(value):
            return f"{column} {value} was rounded by a spreadsheet: format the column as text"
        if value and not value.isdigit():
            return f"{column} {value} is not a TikTok id (digits only)"
    return None
