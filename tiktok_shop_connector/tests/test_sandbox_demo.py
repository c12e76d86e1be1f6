from odoo.tests import HttpCase, tagged

from .common import SandboxMixin


@tagged("post_install", "-at_install")
class TestSandboxDemo(SandboxMixin, HttpCase):
    """What the README's main command does: connect a demo seller to a running sandbox."""

    def test_demo_account_is_connected_stocked_and_receives_streamed_orders(self):
        Account = self.env["tiktok.account"]
        account = Account._tiktok_connect_sandbox_demo(self.sandbox.url, stream_per_minute=20)
        self.assertEqual(account.state, "connected")
        seller = self.sandbox.state.sellers[account.tiktok_open_ref]
        self.assertEqual(set(account.shop_ids.mapped("tiktok_shop_ref")), set(seller.shop_ids))
        self.assertEqual(self.sandbox.app.webhook_url, account.webhook_url)
        self.assertEqual(self.sandbox.app.redirect_url, account.callback_url)
        us = account.shop_ids.filtered(lambda shop: shop.region == "US")
        skus = [
            sku
            for sku in self.sandbox.state.skus.values()
            if sku.product_id
            in {
                p.id
                for p in self.sandbox.state.products.values()
                if p.shop_id == us.tiktok_shop_ref
            }
        ]
        products = self.env["product.product"].search(
            [("default_code", "in", [sku.seller_sku for sku in skus])]
        )
        self.assertEqual(len(products), len({sku.seller_sku for sku in skus}))
        self.assertTrue(all(product.qty_available > 0 for product in products))
        # Again: the same account, no duplicate shop or product.
        again = Account._tiktok_connect_sandbox_demo(self.sandbox.url)
        self.assertEqual(again, account)
        self.assertEqual(
            self.env["product.product"].search_count(
                [("default_code", "in", products.mapped("default_code"))]
            ),
            len(products),
        )
        # The stream places orders that the poll imports as confirmed sale orders.
        self.sandbox.advance(60)
        self.env.flush_all()
        with self.registry.cursor() as cr:
            us.with_env(self.env(cr=cr))._tiktok_poll_orders(since=0)
        self.env.invalidate_all()
        orders = self.env["sale.order"].search([("tiktok_shop_id", "in", account.shop_ids.ids)])
        self.assertTrue(orders, "the stream's orders are in Odoo")
        streamed = {o.shop_id for o in self.sandbox.state.orders.values()}
        self.assertLessEqual(streamed, set(seller.shop_ids), "only the connected seller's shops")
        self.assertIn("sale", orders.mapped("state"))
