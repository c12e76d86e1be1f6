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
    # account: fees, settlements and creator commissions posted to journals;
    # stock_picking_batch: the waves a LIVE event's deliveries are picked in.
    "depends": ["sale_management", "stock_delivery", "account", "stock_picking_batch"],
    "external_dependencies": {"python": ["requests", "cryptography", "pyjwt"]},
    "data": [
        "security/tiktok_shop_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron.xml",
        "data/tiktok_products.xml",
        # Before the views: the shop form has a button that opens the fetch-orders wizard.
        "wizard/tiktok_fetch_orders_views.xml",
        "wizard/tiktok_order_cancel_views.xml",
        "wizard/tiktok_sku_mapping_import_views.xml",
        "wizard/tiktok_settlement_import_views.xml",
        "views/connection/oauth_templates.xml",
        "views/connection/tiktok_account_views.xml",
        "views/connection/tiktok_shop_views.xml",
        "views/connection/tiktok_webhook_event_views.xml",
        "views/connection/tiktok_sync_log_views.xml",
        "views/catalog/tiktok_product_views.xml",
        "views/catalog/tiktok_sku_views.xml",
        "views/orders/sale_order_views.xml",
        "views/fulfillment/stock_picking_views.xml",
        # The shop form's extensions apply in the order they are loaded (their header buttons).
        "views/stock/tiktok_stock_views.xml",
        "views/publishing/tiktok_listing_views.xml",
        "views/publishing/tiktok_category_views.xml",
        "views/catalog/tiktok_shop_views.xml",
        "views/finance/tiktok_shop_views.xml",
        "views/finance/tiktok_settlement_transaction_views.xml",
        "views/finance/tiktok_settlement_views.xml",
        "views/finance/tiktok_payout_views.xml",
        "views/finance/tiktok_margin_report_views.xml",
        "views/finance/tiktok_shop_settlement_views.xml",
        "views/finance/sale_order_views.xml",
        "views/creators/tiktok_creator_views.xml",
        "views/creators/tiktok_creator_report_views.xml",
        "views/creators/tiktok_shop_views.xml",
        "views/creators/product_template_views.xml",
        "views/creators/sale_order_views.xml",
        "views/live/tiktok_live_event_views.xml",
        "views/live/tiktok_live_session_views.xml",
        # After the LIVE event's form, which they extend; the reports before the views' button.
        "views/live_room/tiktok_live_event_reports.xml",
        "views/live_room/tiktok_live_event_views.xml",
        # Last: the menus open the actions of the files above.
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "tiktok_shop_connector/static/src/**/*",
        ],
        "web.assets_tests": [
            "tiktok_shop_connector/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
