{
    "name": "TikTok Shop Connector",
    "version": "19.0.1.0.0",
    "summary": "Sell on TikTok Shop from Odoo: accounts, shops, catalog, orders, stock, "
    "live events, affiliates, settlements and returns",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "TikTok Shop Connector contributors",
    "website": "https://github.com/tiktok-shop-connector/tiktok_shop_connector",
    # sale_management: quotations and confirmed sale orders for every TikTok order;
    # stock_delivery: pickings, carriers and tracking numbers sent back to TikTok;
    # account: fees, settlements and creator commissions posted to journals.
    "depends": ["sale_management", "stock_delivery", "account"],
    "external_dependencies": {"python": ["requests", "cryptography", "pyjwt"]},
    "data": [
        "security/tiktok_shop_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron.xml",
        "data/tiktok_products.xml",
        "views/oauth_templates.xml",
        "views/tiktok_account_views.xml",
        "views/sale_order_views.xml",
        "views/tiktok_product_views.xml",
        "views/tiktok_shop_views.xml",
        "views/tiktok_sync_log_views.xml",
        "views/tiktok_shop_menus.xml",
        "views/tiktok_stock_views.xml",
        "views/tiktok_listing_views.xml",
        "views/tiktok_catalog_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "tiktok_shop_connector/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
