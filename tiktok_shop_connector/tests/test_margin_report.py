from collections import defaultdict

from odoo import Command
from odoo.tests import TransactionCase, tagged

from tiktok_shop_sandbox import returns as sandbox_returns
from tiktok_shop_sandbox.orders import progress_order

from .test_settlements import SettlementMixin

SELLER_SHIPPED = "FULFILLMENT_BY_SELLER"
COST_PER_UNIT = 4.25
MEASURES = (
    "revenue_amount",
    "shipping_charged_amount",
    "refund_amount",
    "fee_amount",
    "affiliate_commission_amount",
    "shipping_cost_amount",
    "other_amount",
    "cost_amount",
    "margin_amount",
)


@tagged("post_install", "-at_install")
class TestMarginReport(SettlementMixin, TransactionCase):
    """The margin of each TikTok order line adds up, per order, product and shop, to what the
    orders sold for, what TikTok's statements kept and what the deliveries cost."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        products = cls.env["product.product"].search(
            [("default_code", "in", [sku.seller_sku for sku in cls._remote_skus(cls.us)])]
        )
        products.standard_price = COST_PER_UNIT

    def setUp(self):
        super().setUp()
        # Each test moves the sandbox's clock by days, past the 7 days of the class's token.
        self._connect_to_sandbox(self.account)

    def _deliver_in_odoo(self, orders):
        """Validate the orders' deliveries: their moves get Odoo's stock valuation."""
        for picking in orders.picking_ids:
            for move in picking.move_ids:
                move.write({"quantity": move.product_uom_qty, "picked": True})
            picking.with_context(cancel_backorder=False)._action_done()

    def _settled_orders(self):
        """Single-product orders (one with a creator), a two-product order with one unit
        refunded after delivery, all delivered, shipped from Odoo's stock and settled."""
        _remotes, single = self._delivered_orders(self.us, count=3, fulfillment_type=SELLER_SHIPPED)
        _remotes, affiliate = self._delivered_orders(
            self.us,
            count=1,
            fulfillment_type=SELLER_SHIPPED,
            creator_username="mia",
            commission_rate=900,
        )
        first, second = self._in_stock_skus(self.us, 2)
        remote = self._place(
            self.us,
            [(first.id, 2), (second.id, 1)],
            shipping_type="TIKTOK",
            fulfillment_type=SELLER_SHIPPED,
        )
        self.us._tiktok_import_order_ids([remote.id])
        progress_order(self.sandbox.state, remote, "DELIVERED")
        refund = sandbox_returns.request_return(
            self.sandbox.state, remote, "REFUND", [remote.line_items[0].id]
        )
        sandbox_returns.decide_return(self.sandbox.state, refund, "APPROVE_REFUND")
        mixed = self._sale_orders(self.us, remote.id)
        orders = single | affiliate | mixed
        self._deliver_in_odoo(orders)
        self._pass_payout()
        self._sync(self.us)
        self.affiliate = affiliate
        return orders, mixed

    def _report(self, orders):
        self.env.flush_all()
        return self.env["tiktok.margin.report"].search([("order_id", "in", orders.ids)])

    def _expected(self, order):
        """The order's figures, from its lines, transactions and moves."""
        currency = order.currency_id
        discount = self.env.ref("tiktok_shop_connector.product_tiktok_seller_discount")
        products = order.order_line.filtered(
            lambda line: (
                line.product_id.default_code
                and not line.product_id.default_code.startswith("TIKTOK-")
            )
        )
        transactions = self.env["tiktok.settlement.transaction"].search(
            [("sale_order_id", "=", order.id)]
        )
        refunds = transactions.filtered(
            lambda t: t.transaction_type == "ORDER" and t.revenue_amount < 0
        )
        discounts = order.order_line.filtered(lambda line: line.product_id == discount)
        moves = products.move_ids.filtered(lambda move: move.state == "done")
        expected = {
            "revenue_amount": sum(products.mapped("price_subtotal"))
            + sum(discounts.mapped("price_subtotal")),
            "shipping_charged_amount": sum(
                order.order_line.filtered("is_delivery").mapped("price_subtotal")
            ),
            "refund_amount": sum(refunds.mapped("revenue_amount")),
            "fee_amount": sum(transactions.mapped("platform_fee_amount")),
            "affiliate_commission_amount": sum(transactions.mapped("affiliate_commission_amount")),
            "shipping_cost_amount": sum(transactions.mapped("shipping_amount")),
            "other_amount": sum(transactions.mapped("other_amount"))
            - sum(transactions.mapped("reserve_amount")),
            "cost_amount": sum(moves.filtered("is_out").mapped("value")),
        }
        expected["margin_amount"] = (
            sum(value for key, value in expected.items() if key != "cost_amount")
            - expected["cost_amount"]
        )
        return {key: currency.round(value) for key, value in expected.items()}, transactions

    def _grouped(self, orders, groupby):
        """{record: {measure: sum}} of the orders' report rows grouped by `groupby`."""
        measures = [*MEASURES, "company_margin_amount"]
        groups = self.env["tiktok.margin.report"]._read_group(
            [("order_id", "in", orders.ids)], [groupby], [f"{m}:sum" for m in measures]
        )
        return {key: dict(zip(measures, sums, strict=True)) for key, *sums in groups}

    def _assert_amounts(self, found, expected, message):
        for measure in MEASURES:
            self.assertAlmostEqual(found[measure], expected[measure], 2, f"{message}: {measure}")

    def test_each_order_line_carries_its_share_and_the_totals_are_exact(self):
        orders, mixed = self._settled_orders()
        rows = self._report(orders)
        self.assertEqual(rows.order_id, orders)
        self.assertTrue(all(rows.mapped("is_settled")))
        by_product = defaultdict(lambda: dict.fromkeys(MEASURES, 0.0))
        for order in orders:
            expected, transactions = self._expected(order)
            order_rows = rows.filtered(lambda row, order=order: row.order_id == order)
            found = {measure: sum(order_rows.mapped(measure)) for measure in MEASURES}
            self._assert_amounts(found, expected, f"order {order.name}")
            # Margin and cost give back exactly what TikTok paid for the order.
            settled = sum(transactions.mapped("settlement_amount"))
            self.assertAlmostEqual(found["margin_amount"] + found["cost_amount"], settled, 2)
            for row in order_rows:
                for measure in MEASURES:
                    by_product[row.product_id][measure] += row[measure]
        self.assertTrue(all(rows.mapped("fee_amount")), "TikTok kept a fee on every line")
        self.assertTrue(rows.filtered(lambda row: row.order_id == mixed).mapped("refund_amount"))
        commission = rows.filtered(
            lambda row: row.order_id == self.affiliate
        ).affiliate_commission_amount
        self.assertLess(commission, 0, "the creator's cut")
        grouped = self._grouped(orders, "product_id")
        self.assertEqual(grouped.keys(), by_product.keys())
        for product, sums in grouped.items():
            self._assert_amounts(sums, by_product[product], f"product {product.display_name}")

    def test_a_mixed_order_shares_its_fees_pro_rata_to_revenue_in_cents(self):
        _orders, mixed = self._settled_orders()
        rows = self._report(mixed).sorted("id")
        self.assertEqual(len(rows), 2)
        expected, _transactions = self._expected(mixed)
        revenue = sum(rows.mapped("revenue_amount"))
        for row in rows:
            for measure in ("fee_amount", "shipping_cost_amount", "refund_amount"):
                share = expected[measure] * row.revenue_amount / revenue
                self.assertAlmostEqual(row[measure], share, delta=0.01)
                self.assertEqual(row[measure], mixed.currency_id.round(row[measure]))
            self.assertAlmostEqual(row.cost_amount, COST_PER_UNIT * row.quantity, 2)

    def test_per_shop_totals_in_both_currencies_and_tiktok_orders_only(self):
        orders, _mixed = self._settled_orders()
        product = orders.order_line.product_id.filtered("is_storable")[:1]
        other = self.env["sale.order"].create(
            {
                "partner_id": orders[:1].partner_id.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 3})],
            }
        )
        other.action_confirm()
        self.env.flush_all()
        Report = self.env["tiktok.margin.report"]
        self.assertFalse(Report.search([("order_id", "=", other.id)]))
        totals = dict.fromkeys(MEASURES, 0.0)
        for order in orders:
            expected, _transactions = self._expected(order)
            for measure in MEASURES:
                totals[measure] += expected[measure]
        grouped = self._grouped(orders, "shop_id")
        self.assertEqual(list(grouped), [self.us])
        group = grouped[self.us]
        self._assert_amounts(group, totals, "shop")
        # The US shop sells in the company's currency: the same margin there.
        self.assertEqual(self.us.currency_id, self.env.company.currency_id)
        self.assertAlmostEqual(group["company_margin_amount"], totals["margin_amount"], 2)
