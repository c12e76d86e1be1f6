from decimal import Decimal
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger
from psycopg2.errors import SerializationFailure

from tiktok_shop_sandbox import orders as sandbox_orders
from tiktok_shop_sandbox import returns as sandbox_returns

from .. import const
from .common import SandboxMixin, committed_env, run_in_parallel
from .order_common import OrderSandboxMixin

FBT = "FULFILLMENT_BY_TIKTOK"
SELLER_FULFILLED = "FULFILLMENT_BY_SELLER"
INVOICING_CRON = "tiktok_shop_connector.ir_cron_invoice_tiktok_orders"


class InvoicingMixin(OrderSandboxMixin):
    """Imports an order placed on the sandbox and runs the invoicing cron as Odoo would."""

    def setUp(self):
        super().setUp()
        # The cron commits its progress: let its cursor wrap the test's transaction.
        self.enterContext(self.enter_registry_test_mode())

    def _import(self, shop, remote_order):
        shop._tiktok_import_order_ids([remote_order.id])
        return self._sale_orders(shop, remote_order.id)

    def _order(self, shop, items=None, **options):
        """(sandbox order, sale order) of a seller-shipped order placed and imported."""
        options.setdefault("fulfillment_type", SELLER_FULFILLED)
        if items is None:
            (sku,) = self._in_stock_skus(shop, count=1, fbt=options["fulfillment_type"] == FBT)
            items = [(sku.id, 1)]
        remote = self._place(shop, items, **options)
        return remote, self._import(shop, remote)

    def _run_invoicing(self):
        self._run_cron_method("sale.order", "_cron_invoice_tiktok_orders")

    def _invoices(self, order, move_type="out_invoice"):
        return order.invoice_ids.filtered(lambda move: move.move_type == move_type)

    def _payment(self, remote):
        return {
            key: Decimal(value)
            for key, value in self._remote_order(remote.id)["payment"].items()
            if key != "currency"
        }

    def _amount_on(self, move, accounts):
        """What `move` books on `accounts`, debit positive, in the invoice's currency."""
        lines = move.line_ids.filtered(lambda line: line.account_id in accounts)
        return Decimal(str(move.currency_id.round(sum(lines.mapped("amount_currency")))))

    def _validate_delivery(self, order):
        self._run_cron_method("tiktok.reservation.request", "_cron_reserve_tiktok_orders")
        picking = order.picking_ids
        for move in picking.move_ids:
            move.write({"quantity": move.product_uom_qty, "picked": True})
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return picking

    def _invoicing_triggered(self):
        cron = self.env.ref(INVOICING_CRON)
        return self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])

    def _clear_triggers(self):
        cron = self.env.ref(INVOICING_CRON)
        self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()


@tagged("post_install", "-at_install")
class TestInvoiceAccounts(InvoicingMixin, TransactionCase):
    """What a TikTok order's invoice books: the seller's revenue, what TikTok owes, the tax."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_products_for(cls.us)
        cls.us.invoice_policy = "import"

    def test_us_invoice_books_revenue_subsidy_tax_and_shipping_apart(self):
        self.assertEqual(self.us.tax_mode, "tiktok", "TikTok collects US sales tax")
        shipping_account = self.env["account.account"].create(
            {"code": "TST401", "name": "Delivery charged", "account_type": "income"}
        )
        self.us.shipping_income_account_id = shipping_account
        sku_a, sku_b = self._in_stock_skus(self.us)
        remote, order = self._order(
            self.us,
            [(sku_a.id, 2), (sku_b.id, 1)],
            seller_discount_rate="0.10",
            platform_discount_rate="0.05",
            shipping_discounts=("0.50", "1.00"),
            tax_rate="0.08",
        )
        self._run_invoicing()
        payment = self._payment(remote)
        self.assertTrue(payment["tax"] and payment["platform_discount"] and payment["shipping_fee"])
        invoice = self._invoices(order)
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.currency_id.name, "USD")
        self.assertEqual(invoice.tiktok_order_ref, remote.id)
        self.assertEqual(invoice.ref, remote.id)
        self.assertEqual(invoice.tiktok_shop_id, self.us)
        receivable = invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        self.assertEqual(self._amount_on(invoice, receivable.account_id), payment["total_amount"])
        subsidy = payment["platform_discount"] + payment["shipping_fee_platform_discount"]
        self.assertEqual(
            self._amount_on(invoice, self.us.platform_discount_account_id),
            subsidy,
            "owed by TikTok",
        )
        self.assertEqual(self._amount_on(invoice, self.us.sales_tax_account_id), -payment["tax"])
        self.assertFalse(invoice.line_ids.tax_line_id, "nothing reaches the seller's tax report")
        self.assertEqual(
            self._amount_on(invoice, shipping_account), -payment["original_shipping_fee"]
        )
        revenue_accounts = invoice.invoice_line_ids.account_id.filtered(
            lambda account: account.account_type == "income" and account != shipping_account
        )
        seller_discounts = payment["seller_discount"] + payment["shipping_fee_seller_discount"]
        self.assertEqual(
            self._amount_on(invoice, revenue_accounts),
            -(payment["original_total_product_price"] - seller_discounts),
            "revenue: the subtotal less the seller's discounts",
        )

    def test_gb_shop_collecting_vat_invoices_in_gbp_with_its_odoo_tax(self):
        gb = self._odoo_shop("GB")
        self.assertEqual(gb.tax_mode, "seller", "the seller collects UK VAT")
        self._create_products_for(gb)
        vat = self.env["account.tax"].create(
            {
                "name": "VAT 20% (included)",
                "amount": 20,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
                "company_id": gb.company_id.id,
            }
        )
        gb.write({"tax_id": vat.id, "invoice_policy": "import"})
        remote, order = self._order(gb, seller_discount_rate="0.10", platform_discount_rate="0.05")
        self._run_invoicing()
        payment = self._payment(remote)
        invoice = self._invoices(order)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.currency_id.name, "GBP")
        self.assertEqual(
            invoice.currency_id.compare_amounts(
                invoice.amount_total, float(payment["total_amount"])
            ),
            0,
        )
        self.assertEqual(invoice.line_ids.tax_line_id, vat)
        product_line = invoice.invoice_line_ids.filtered(
            lambda line: line.sale_line_ids.tiktok_sku_ref
        )
        self.assertEqual(product_line.tax_ids, vat)
        self.assertNotIn("TIKTOK-TAX", invoice.invoice_line_ids.product_id.mapped("default_code"))
        # VAT is due on the price before TikTok's own discount: TikTok pays that part.
        subsidy = payment["platform_discount"] + payment["shipping_fee_platform_discount"]
        taxable_gross = payment["total_amount"] + subsidy
        self.assertAlmostEqual(invoice.amount_tax, float(taxable_gross / 6), delta=0.02)


@tagged("post_install", "-at_install")
class TestInvoicePolicies(InvoicingMixin, TransactionCase):
    """When an order is invoiced: at import, at delivery, automatically, by hand; once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_products_for(cls.us)

    def test_at_import_the_order_is_invoiced_by_the_cron_it_triggers(self):
        self.us.invoice_policy = "import"
        self._clear_triggers()
        _remote, order = self._order(self.us)
        self.assertTrue(self._invoicing_triggered(), "the import triggers the invoicing")
        self.assertFalse(order.invoice_ids, "not in the import's own transaction")
        self._run_invoicing()
        self.assertEqual(self._invoices(order).state, "posted")
        self.assertEqual(order.invoice_status, "invoiced")

    def test_at_delivery_the_order_waits_for_its_delivery(self):
        self.us.invoice_policy = "delivery"
        _remote, order = self._order(self.us)
        self._run_invoicing()
        self.assertFalse(order.invoice_ids)
        self._clear_triggers()
        self._validate_delivery(order)
        self.assertTrue(self._invoicing_triggered(), "the delivery triggers the invoicing")
        self._run_invoicing()
        self.assertEqual(self._invoices(order).state, "posted")

    def test_at_delivery_an_fbt_order_waits_until_tiktok_ships_it(self):
        self.us.invoice_policy = "delivery"
        remote, order = self._order(self.us, fulfillment_type=FBT)
        self._run_invoicing()
        self.assertFalse(order.invoice_ids)
        self.sandbox.advance(5)
        sandbox_orders.progress_order(self.sandbox.state, remote, "IN_TRANSIT")
        self._clear_triggers()
        self.us._tiktok_import_order_ids([remote.id])
        self.assertTrue(self._invoicing_triggered())
        self._run_invoicing()
        self.assertEqual(self._invoices(order).state, "posted")

    def test_auto_invoices_fbt_orders_at_import_and_the_others_at_delivery(self):
        self.assertEqual(self.us.invoice_policy, "auto", "the default")
        _fbt_remote, fbt = self._order(self.us, fulfillment_type=FBT)
        _remote, shipped_by_seller = self._order(self.us)
        self._run_invoicing()
        self.assertEqual(self._invoices(fbt).state, "posted")
        self.assertFalse(shipped_by_seller.invoice_ids)
        self._validate_delivery(shipped_by_seller)
        self._run_invoicing()
        self.assertEqual(self._invoices(shipped_by_seller).state, "posted")

    def test_by_hand_the_cron_leaves_it_and_the_button_invoices_it_once(self):
        self.us.invoice_policy = "manual"
        _remote, order = self._order(self.us)
        self._validate_delivery(order)
        self._run_invoicing()
        self.assertFalse(order.invoice_ids)
        action = order.action_tiktok_create_invoice()
        invoice = self._invoices(order)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(action["res_id"], invoice.id)
        with self.assertRaisesRegex(UserError, "nothing left to invoice"):
            order.action_tiktok_create_invoice()
        self.assertEqual(len(order.invoice_ids), 1)

    def test_odoo_create_invoices_action_books_the_tiktok_accounts_one_invoice_an_order(self):
        self.us.invoice_policy = "manual"
        buyer = str(7_494_000_000_000_000_000 + 7919)
        remote, order = self._order(self.us, platform_discount_rate="0.05", user_id=buyer)
        _same_buyer, other = self._order(self.us, user_id=buyer)
        self.assertEqual(order.partner_id, other.partner_id)
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=(order | other).ids)
            .create({"advance_payment_method": "delivered"})
        )
        wizard.create_invoices()
        invoice = self._invoices(order)
        self.assertEqual(invoice.state, "draft", "Odoo's action leaves it to post")
        self.assertNotEqual(invoice, self._invoices(other), "each order has its own invoice")
        invoice.action_post()
        self.assertEqual(invoice.tiktok_order_ref, remote.id)
        payment = self._payment(remote)
        subsidy = payment["platform_discount"] + payment["shipping_fee_platform_discount"]
        self.assertEqual(self._amount_on(invoice, self.us.platform_discount_account_id), subsidy)

    def test_an_order_is_never_invoiced_twice(self):
        self.us.invoice_policy = "import"
        orders = self.env["sale.order"].union(*(self._order(self.us)[1] for _ in range(3)))
        self._run_invoicing()
        self._run_invoicing()
        for order in orders:
            self.assertEqual(len(order.invoice_ids), 1)

    def test_an_order_that_cannot_be_invoiced_says_why_and_waits_for_the_button(self):
        self.us.invoice_policy = "import"
        shipping_account = self.env["account.account"].create(
            {"code": "TST402", "name": "Old delivery income", "account_type": "income"}
        )
        self.us.shipping_income_account_id = shipping_account
        shipping_account.active = False
        _remote, order = self._order(self.us, shipping_discounts=("0", "0"))
        _remote, other = self._order(self.us, shipping_discounts=("0", "0"))
        self._run_invoicing()
        self.assertFalse(order.invoice_ids)
        self.assertIn("Not invoiced", order.tiktok_exception)
        self.assertIn("archived", order.tiktok_exception)
        self.assertFalse(other.invoice_ids, "the same shop, the same problem")
        shipping_account.active = True
        self._run_invoicing()
        self.assertFalse(order.invoice_ids, "it waits for someone to look")
        order.action_tiktok_create_invoice()
        self.assertEqual(self._invoices(order).state, "posted")
        self.assertFalse(order.tiktok_exception)


@tagged("post_install", "-at_install")
class TestCreditNotes(InvoicingMixin, TransactionCase):
    """Cancellations after invoicing, and returns next, are credited through the same path."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_products_for(cls.us)
        cls.us.invoice_policy = "import"

    def _invoiced_order(self, **options):
        sku_a, sku_b = self._in_stock_skus(self.us)
        remote, order = self._order(self.us, [(sku_a.id, 2), (sku_b.id, 1)], **options)
        self._run_invoicing()
        invoice = self._invoices(order)
        self.assertEqual(invoice.state, "posted")
        return remote, order, invoice

    def test_cancellation_on_tiktok_after_invoicing_posts_a_reconciled_credit_note(self):
        remote, order, invoice = self._invoiced_order(
            platform_discount_rate="0.05", tax_rate="0.08"
        )
        self.sandbox.advance(5)
        sandbox_returns.cancel_by_seller(self.sandbox.state, remote, "OUT_OF_STOCK")
        self.us._tiktok_import_order_ids([remote.id])
        self.assertEqual(order.state, "cancel")
        credit_note = self._invoices(order, "out_refund")
        self.assertEqual(len(credit_note), 1)
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.tiktok_order_ref, remote.id)
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(
            credit_note.currency_id.compare_amounts(credit_note.amount_total, invoice.amount_total),
            0,
        )
        for account in invoice.line_ids.account_id:
            with self.subTest(account=account.name):
                self.assertEqual(
                    self._amount_on(credit_note, account), -self._amount_on(invoice, account)
                )
        self.assertEqual(invoice.payment_state, "reversed")
        receivable = invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        self.assertTrue(receivable.reconciled)
        # Cancelled once: nothing more to credit.
        self.assertFalse(order._tiktok_credit(reason="again"))

    def test_a_partial_credit_note_credits_the_quantities_asked_and_no_more(self):
        _remote, order, invoice = self._invoiced_order()
        line = order.order_line.filtered(lambda o_line: o_line.product_uom_qty == 2)
        credit_note = order._tiktok_credit({line: 1}, reason="Returned")
        self.assertEqual(credit_note.state, "posted")
        self.assertIn("Returned", credit_note.ref)
        self.assertEqual(
            credit_note.currency_id.compare_amounts(credit_note.amount_total, line.price_unit), 0
        )
        self.assertEqual(line.qty_invoiced, 1)
        self.assertEqual(invoice.payment_state, "partial")
        with self.assertRaisesRegex(UserError, "cannot be credited"):
            order._tiktok_credit({line: 2}, reason="Returned")


@tagged("post_install", "-at_install")
class TestInvoicingWorkers(SandboxMixin, TransactionCase):
    """Workers invoicing at the same moment, or a seller pressing the button meanwhile: each
    order has one invoice. The records are committed, as the workers' transactions need."""

    def setUp(self):
        super().setUp()
        with committed_env(self.registry) as env:
            self.trigger_floor = env["ir.cron.trigger"].search([], order="id desc", limit=1).id
            self.account_floor = env["account.account"].search([], order="id desc", limit=1).id
            account = self._sandbox_account(env, name="Invoicing workers")
            self.account_id = account.id
        self.product_ids = []
        self.addCleanup(self._remove_committed_records)
        with committed_env(self.registry) as env:
            shop = self._connect_to_sandbox(env["tiktok.account"].browse(self.account_id))
            shop = shop.filtered(lambda s: s.region == "US")
            shop.invoice_policy = "manual"
            self.shop_id = shop.id
            order_ids = self._place_orders(shop, 4)
            shop._tiktok_import_order_ids(order_ids)
            orders = env["sale.order"].search([("tiktok_shop_id", "=", shop.id)])
            self.assertEqual(set(orders.mapped("state")), {"sale"})
            self.order_ids = orders.ids

    def _place_orders(self, shop, count):
        """Orders of SKUs sold as services: their invoices need no delivery or stock."""
        state = self.sandbox.state
        remote_shop = state.shops[shop.tiktok_shop_ref]
        skus = [
            sku
            for product in state.products.values()
            if product.shop_id == remote_shop.id and product.status == "ACTIVATE"
            for sku in product.skus
            if sandbox_orders.available_units(state, sku, False) >= count
        ][:2]
        products = shop.env["product.product"].create(
            [
                {
                    "name": f"Service {sku.seller_sku}",
                    "default_code": sku.seller_sku,
                    "type": "service",
                }
                for sku in skus
            ]
        )
        self.product_ids = products.ids
        return [self._place_one(remote_shop, skus[index % 2]).id for index in range(count)]

    def _place_one(self, remote_shop, sku):
        return sandbox_orders.place_order(
            self.sandbox.state,
            remote_shop,
            [(sku.id, 1)],
            on_hold=False,
            fulfillment_type=SELLER_FULFILLED,
            platform_discount_rate="0.05",
        )

    def _remove_committed_records(self):
        with committed_env(self.registry) as env:
            shop = env["tiktok.shop"].search([("account_id", "=", self.account_id)])
            moves = env["account.move"].search([("tiktok_shop_id", "in", shop.ids)])
            moves.filtered(lambda move: move.state == "posted").button_draft()
            moves.with_context(force_delete=True).unlink()
            orders = env["sale.order"].search([("tiktok_shop_id", "in", shop.ids)])
            buyers = orders.partner_id
            orders.write({"state": "cancel"})
            orders.unlink()
            env["product.product"].browse(self.product_ids).unlink()
            env["tiktok.sku"].search([("shop_id", "in", shop.ids)]).unlink()
            env["tiktok.sync.log"].search([("shop_id", "in", shop.ids)]).unlink()
            (buyers.child_ids | buyers).unlink()
            shop.unlink()
            env["tiktok.account"].browse(self.account_id).unlink()
            env["account.account"].search([("id", ">", self.account_floor)]).unlink()
            env["ir.cron.trigger"].search([("id", ">", self.trigger_floor)]).unlink()

    def _set_policy(self, policy):
        with committed_env(self.registry) as env:
            env["tiktok.shop"].browse(self.shop_id).invoice_policy = policy

    def _invoice_counts(self):
        with committed_env(self.registry) as env:
            orders = env["sale.order"].browse(self.order_ids)
            return {
                order.id: len(order.invoice_ids.filtered(lambda m: m.state == "posted"))
                for order in orders
            }

    def test_two_invoicing_workers_invoice_each_order_once(self):
        self._set_policy("import")
        with patch.object(const, "INVOICE_BATCH_SIZE", 1):  # several batches for each worker
            _results, errors = run_in_parallel(
                self.registry, lambda env: env["sale.order"]._cron_invoice_tiktok_orders()
            )
        self.assertEqual(errors, [], "neither worker crashes on the other's locks or commits")
        self.assertEqual(self._invoice_counts(), dict.fromkeys(self.order_ids, 1))

    def test_a_worker_that_read_the_order_before_another_invoiced_it_cannot_invoice_it(self):
        order_id = self.order_ids[0]
        with committed_env(self.registry) as early, committed_env(self.registry) as late:
            early_order = early["sale.order"].browse(order_id)
            self.assertEqual(early_order.invoice_status, "to invoice")  # its snapshot
            late["sale.order"].browse(order_id).action_tiktok_create_invoice()
            late.cr.commit()
            with self.assertRaises(SerializationFailure), mute_logger("odoo.sql_db"):
                early_order.action_tiktok_create_invoice()
            early.cr.rollback()
            # Odoo runs a request that failed this way again, in a new transaction.
            early.invalidate_all()
            with self.assertRaisesRegex(UserError, "nothing left to invoice"):
                early_order.action_tiktok_create_invoice()
        self.assertEqual(self._invoice_counts()[order_id], 1)

    def test_an_order_a_worker_is_invoicing_is_left_to_it(self):
        self._set_policy("import")
        order_id = self.order_ids[0]
        with committed_env(self.registry) as worker, committed_env(self.registry) as seller:
            worker["sale.order"].browse(order_id).try_lock_for_update()
            with self.assertRaisesRegex(UserError, "being invoiced right now"):
                seller["sale.order"].browse(order_id).action_tiktok_create_invoice()
            seller.cr.rollback()
            seller["sale.order"]._cron_invoice_tiktok_orders()
            worker.cr.rollback()
        counts = self._invoice_counts()
        self.assertEqual(counts.pop(order_id), 0, "the cron skipped the order it could not lock")
        self.assertEqual(set(counts.values()), {1})
