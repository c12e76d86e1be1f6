"""Catalog: categories, attributes, rules, brands, image upload and products (§5.2, §5.3).

    reference.py      the deterministic reference data: category trees, attributes, rules, brands
    categories.py     a shop's tree, a leaf's rules in its market, the category and brand endpoints
    images.py         image upload and the image helpers
    problems.py       TikTok's product codes and the `Problem` a check reports
    listing_rules.py  TikTok's listing rules (title, category, brand, images, attributes,
                      certifications, package, size chart, compliance); seeded products meet them
    sku_rules.py      TikTok's SKU rules (seller SKU, prices, stock, identifiers, sales attributes)
    products.py       create, edit, partial edit, get, search, and the audit of a listing
    status.py         activate, deactivate, delete, recover, listing_check
    inventory.py      stock and price updates, inventory search

The names below are what the rest of the sandbox, its tests and the Odoo tests use.
"""

# status and inventory are imported for their routes, which register themselves.
from . import inventory, status
from .categories import category_chain, category_rules, leaf_categories, tree_version
from .images import image_url
from .listing_rules import complete_listing
from .products import AUDIT_SECONDS
from .reference import BRANDS, seed_reference_data
