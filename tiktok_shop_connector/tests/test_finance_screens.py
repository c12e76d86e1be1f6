from datetime import UTC, datetime, timedelta
from decimal import Decimal

from odoo.exceptions import AccessError
from odoo.tests import Form, TransactionCase, new_test_user, tagged

from tiktok_shop_sandbox.finance import statements, unsettled
from tiktok_shop_sandbox.orders import progress_order

from .test_manager_only import USER_GROUPS, _manager_object_buttons
from .test_settlements import SettlementMixin


@tagged("post_install", "-at_install")
class TestMoneyScreens(SettlementMixin, TransactionCase):
    """What the seller sees of the money: Import settlements, an order's estimate until TikTok
    settles it and its fees after, and the screens' buttons for managers only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._create_manager(cls.env, login="tiktok_money_manager")
        cls.clerk = new_test_user(
            cls.env,
            "tiktok_money_clerk",
            groups=f"{USER_GROUPS},sales_team.group_sale_salesman_all_leads",
        )

    def setUp(self):
        super().setUp()
        # Each test moves the sandbox's clock by days, past the 7 days of the class's token.
        self._connect_to_sandbox(self.account)

    def _import_settlements(self, shop, since):
        """The manager's Import settlements, on a cursor of its own that commits as it goes."""
        self.env.flush_all()
        with self.registry.cursor() as cr:
            env = self.env(cr=cr, user=self.manager)
            wizard = env["tiktok.settlement.import"].create({"shop_id": shop.id, "since": since})
            result = wizard.action_import()
        self.env.invalidate_all()
        return result["params"]

    def _statements_since(self, shop, since):
        """The sandbox's statements of the days since `since`."""
        start = datetime.combine(since, datetime.min.time(), tzinfo=UTC).timestamp()
        remote = self._remote_shop(shop)
        found = statements.shop_statements(self.sandbox.state, remote)
        return [statement for statement in found if statement.statement_time > start]

    def _sandbox_today(self):
        return datetime.fromtimestamp(self.sandbox.state.now(), UTC).date()

    def test_import_reports_new_then_unchanged_statements(self):
        self._delivered_orders(self.us, count=2)
        self._pass_payout()
        since = self._sandbox_today() - timedelta(days=3)
        expected = len(self._statements_since(self.us, since))
        self.assertGreater(expected, 0)
        first = self._import_settlements(self.us, since)
        self.assertEqual(first["type"], "success", first["message"])
        self.assertEqual(
            first["message"], f"{expected} new statements, 0 updated by TikTok, 0 unchanged."
        )
        self.assertEqual(
            len(self.us.settlement_ids.filtered(lambda s: s.statement_date >= since)), expected
        )
        again = self._import_settlements(self.us, since)
        self.assertEqual(
            again["message"], f"0 new statements, 0 updated by TikTok, {expected} unchanged."
        )

    def test_import_says_what_went_wrong_when_tiktok_fails(self):
        self.sandbox.faults.configure(error_5xx_share=1.0)
        try:
            result = self._import_settlements(self.us, self._sandbox_today())
        finally:
            self.sandbox.faults.reset()
        self.assertEqual(result["type"], "danger")
        self.assertEqual(result["title"], "TikTok settlements not imported")
        log = self.env["tiktok.sync.log"].search(
            [("shop_id", "=", self.us.id), ("kind", "=", "fees")], limit=1
        )
        self.assertEqual(log.state, "failed")
        self.assertIn(log.message.splitlines()[-1], result["message"])

    def test_an_order_in_transit_shows_tiktoks_estimate_then_what_it_settled(self):
        (sku,) = self._in_stock_skus(self.us, 1)
        remote = self._place(self.us, [(sku.id, 2)], shipping_type="TIKTOK")
        self.us._tiktok_import_order_ids([remote.id])
        progress_order(self.sandbox.state, remote, "IN_TRANSIT")
        order = self._sale_orders(self.us, remote.id)
        self.assertEqual(order.tiktok_settlement_state, "unsettled")
        self._sync(self.us)
        entries = unsettled.unsettled_orders(self.sandbox.state, self._remote_shop(self.us))
        (estimate,) = [entry for entry in entries if entry.transaction.order.id == remote.id]
        self.assertEqual(
            Decimal(str(order.tiktok_estimated_settlement)), estimate.transaction.settlement_amount
        )
        self.assertEqual(
            Decimal(str(order.tiktok_estimated_fees)), estimate.transaction.fee_tax_amount
        )
        self.assertLess(order.tiktok_estimated_fees, 0)
        self.assertEqual(order.tiktok_unsettled_reason, "NOT_DELIVERED")
        self.assertEqual(
            order.tiktok_unsettled_reason_label,
            "Not delivered yet: TikTok settles orders once delivered.",
        )

        progress_order(self.sandbox.state, remote, "DELIVERED")
        self._pass_payout()
        self._sync(self.us)
        transactions = order.tiktok_transaction_ids
        self.assertTrue(transactions)
        self.assertFalse(order.tiktok_unsettled_reason)
        self.assertFalse(order.tiktok_estimated_settlement)
        self.assertEqual(order.tiktok_settlement_state, "paid_out")
        self.assertAlmostEqual(
            order.tiktok_settled_amount, sum(transactions.mapped("settlement_amount")), 2
        )
        self.assertAlmostEqual(
            order.tiktok_platform_fee_amount, sum(transactions.mapped("platform_fee_amount")), 2
        )
        self.assertLess(order.tiktok_platform_fee_amount, 0)

    def test_settled_not_paid_out_until_tiktok_pays(self):
        _remotes, orders = self._delivered_orders(self.us, count=1)
        # Past the cut, before the payout a day later.
        self.sandbox.state.advance(86_400 + 60)
        self._sync(self.us)
        settlement = self._settlement_of(orders)
        self.assertNotEqual(settlement.payment_status, "PAID")
        self.assertEqual(orders.tiktok_settlement_state, "settled")

    def test_forms_open_and_only_managers_see_their_buttons(self):
        _remotes, orders = self._delivered_orders(self.us, count=1)
        self._pass_payout()
        self._sync(self.us)
        settlement = self._settlement_of(orders)
        payout = settlement.payout_id
        self.assertTrue(payout)
        for record in (settlement, payout, orders, self.us):
            with self.subTest(model=record._name):
                form = Form(record.with_user(self.clerk))
                self.assertEqual(form.id, record.id)
        for view, record in (
            ("tiktok_shop_connector.tiktok_settlement_view_form", settlement),
            ("tiktok_shop_connector.tiktok_payout_view_form", payout),
        ):
            buttons = _manager_object_buttons(self.env.ref(view))
            self.assertTrue(buttons)
            for method in buttons:
                with self.subTest(method=method), self.assertRaises(AccessError):
                    getattr(record.with_user(self.clerk), method)()
        clerk_arch = settlement.with_user(self.clerk).get_views([(False, "form")])
        manager_arch = settlement.with_user(self.manager).get_views([(False, "form")])
        self.assertNotIn("action_post", clerk_arch["views"]["form"]["arch"])
        self.assertIn("action_post", manager_arch["views"]["form"]["arch"])

    def test_shop_buttons_count_and_open_its_settlements(self):
        self._delivered_orders(self.us, count=1)
        self._pass_payout()
        self._sync(self.us)
        self.assertEqual(self.us.settlement_count, len(self.us.settlement_ids))
        to_match = self.us.payout_ids.filtered(lambda p: p.state == "to_match")
        self.assertEqual(self.us.payout_to_match_count, len(to_match))
        action = self.us.action_view_settlements()
        self.assertEqual(
            self.env["tiktok.settlement"].search(action["domain"]), self.us.settlement_ids
        )
        wizard = self.us.with_user(self.manager).action_open_settlement_import()
        self.assertEqual(wizard["res_model"], "tiktok.settlement.import")
        self.assertEqual(wizard["context"], {"default_shop_id": self.us.id})

    def test_a_manager_posts_a_statement_to_post(self):
        _remotes, orders = self._delivered_orders(self.us, count=1)
        self._pass_payout()
        self._sync(self.us)
        settlement = self._settlement_of(orders)
        settlement._tiktok_unpost()
        self.assertEqual(settlement.state, "imported")
        settlement.with_user(self.manager).action_post()
        self.assertEqual(settlement.state, "posted")
        self.assertEqual(settlement.move_id.state, "posted")

    def test_a_manager_matches_a_payout_to_the_bank_and_is_told(self):
        _remotes, orders = self._delivered_orders(self.us, count=1)
        self._pass_payout()
        self._sync(self.us)
        payout = self._settlement_of(orders).payout_id
        journal = self.env["account.journal"].create(
            {"name": "TikTok payouts bank", "code": "TTBK", "type": "bank"}
        )
        self.us.payout_journal_id = journal
        bank_line = self.env["account.bank.statement.line"].create(
            {
                "journal_id": journal.id,
                "date": payout.paid_date,
                "payment_ref": f"TIKTOK {payout.tiktok_payment_ref}",
                "amount": payout.amount,
            }
        )
        result = payout.with_user(self.manager).action_match_bank()
        self.assertEqual(
            result["params"]["message"], "1 of 1 payouts matched to a bank statement line."
        )
        self.assertEqual(payout.statement_line_id, bank_line)
