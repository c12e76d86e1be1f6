from decimal import Decimal

from odoo.tests import TransactionCase, tagged

from tiktok_shop_sandbox import finance as sandbox_finance
from tiktok_shop_sandbox.finance import statements
from tiktok_shop_sandbox.orders import progress_order

from .order_common import OrderSandboxMixin

DAY = 86_400


class SettlementMixin(OrderSandboxMixin):
    """Delivered TikTok orders in Odoo, and the sandbox's clock moved past their statement's cut
    and payout."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_products_for(cls.us)

    def setUp(self):
        super().setUp()
        # The sync commits its progress: let its cursor wrap the test's transaction.
        self.enterContext(self.enter_registry_test_mode())

    def _delivered_orders(self, shop, count=2, **options):
        """`count` orders placed, imported and delivered on TikTok; their sale orders."""
        skus = self._in_stock_skus(shop, 2)
        remotes = [
            self._place(shop, [(skus[i % 2].id, 1 + i % 2)], shipping_type="TIKTOK", **options)
            for i in range(count)
        ]
        shop._tiktok_import_order_ids([remote.id for remote in remotes])
        for remote in remotes:
            progress_order(self.sandbox.state, remote, "DELIVERED")
        return remotes, self._sale_orders(shop).filtered(
            lambda order: order.tiktok_order_ref in {remote.id for remote in remotes}
        )

    def _pass_payout(self):
        """Past the next cut and its payout (a day after it)."""
        self.sandbox.state.advance(2 * DAY + 60)

    def _invoice(self, orders):
        invoices = orders._create_invoices(final=True)
        invoices.action_post()
        return invoices

    def _sync(self, shop):
        """One settlement sync on a cursor of its own, which commits as the cron's does."""
        self.env.flush_all()
        with self.registry.cursor() as cr:
            log = shop.with_env(self.env(cr=cr))._tiktok_sync_settlements(since=0, trigger="manual")
            log_id = log.id
        self.env.invalidate_all()
        self.last_log = self.env["tiktok.sync.log"].browse(log_id)
        return shop.settlement_ids

    def _settlement_of(self, orders):
        """The statement that settled `orders` (the sandbox keeps every test's earlier days)."""
        transactions = self.env["tiktok.settlement.transaction"].search(
            [("sale_order_id", "in", orders.ids)]
        )
        return transactions.settlement_id

    def _one_order_settled_and_paid_out(self):
        """(settlement, payout) of one invoiced order of the US shop, synced after its payout."""
        _remotes, orders = self._delivered_orders(self.us, count=1)
        self._invoice(orders)
        self._pass_payout()
        self._sync(self.us)
        settlement = self._settlement_of(orders)
        return settlement, settlement.payout_id

    def _bank_journal(self, shop):
        journal = self.env["account.journal"].create(
            {"name": "TikTok payouts bank", "code": "TTBK", "type": "bank"}
        )
        shop.payout_journal_id = journal
        return journal

    def _bank_line(self, journal, payout, ref=None, amount=None):
        return self.env["account.bank.statement.line"].create(
            {
                "journal_id": journal.id,
                "date": payout.paid_date,
                "payment_ref": ref if ref is not None else f"TIKTOK {payout.tiktok_payment_ref}",
                "amount": amount if amount is not None else payout.amount,
            }
        )

    def _remote_statement(self, settlement):
        remote = self._remote_shop(settlement.shop_id)
        found = statements.shop_statements(self.sandbox.state, remote)
        return next(s for s in found if s.id == settlement.tiktok_statement_ref)


@tagged("post_install", "-at_install")
class TestSettlementImport(SettlementMixin, TransactionCase):
    def test_statement_posted_balanced_invoices_paid_by_it(self):
        _remotes, orders = self._delivered_orders(self.us, count=3)
        invoices = self._invoice(orders)
        self._pass_payout()
        self._sync(self.us)
        settlement = self._settlement_of(orders)
        self.assertEqual(len(settlement), 1)
        remote = self._remote_statement(settlement)
        self.assertEqual(
            Decimal(str(settlement.settlement_amount)), remote.total("settlement_amount")
        )
        self.assertEqual(settlement.state, "posted")
        move = settlement.move_id
        self.assertEqual(move.state, "posted")
        self.assertAlmostEqual(sum(move.line_ids.mapped("balance")), 0.0, places=6)
        clearing = self.us._tiktok_finance_account("clearing")
        clearing_line = move.line_ids.filtered(lambda line: line.account_id == clearing)
        self.assertEqual(Decimal(str(clearing_line.amount_currency)), remote.payable_amount)
        self.assertEqual(set(invoices.mapped("payment_state")) - {"paid", "in_payment"}, set())
        self.assertEqual(set(settlement.transaction_ids.mapped("match_state")), {"reconciled"})
        self.assertFalse(settlement.suspense_amount)
        paid_messages = orders.message_ids.filtered(lambda m: "paid" in (m.body or ""))
        self.assertFalse(paid_messages, "no message per order: the statement says it")

    def test_second_import_changes_nothing(self):
        _remotes, orders = self._delivered_orders(self.us)
        self._invoice(orders)
        self._pass_payout()
        settlements = self._sync(self.us)
        settlement = self._settlement_of(orders)
        move, transactions = settlement.move_id, settlement.transaction_ids
        self._sync(self.us)
        log = self.last_log
        self.assertEqual(self.us.settlement_ids, settlements)
        self.assertEqual(settlement.move_id, move)
        self.assertEqual(settlement.transaction_ids, transactions)
        self.assertEqual((log.created_count, log.updated_count), (0, 0))
        self.assertEqual(log.skipped_count, len(settlements))

    def test_settled_before_invoicing_waits_then_clears_the_invoice(self):
        _remotes, orders = self._delivered_orders(self.us, count=1)
        self._pass_payout()
        self._sync(self.us)
        settlement = self._settlement_of(orders)
        transaction = settlement.transaction_ids.filtered(lambda t: t.sale_order_id == orders)
        self.assertEqual(transaction.match_state, "awaiting_invoice")
        awaiting = self.us._tiktok_finance_account("awaiting_invoice")
        waiting = settlement.move_id.line_ids.filtered(lambda line: line.account_id == awaiting)
        self.assertEqual(
            Decimal(str(-waiting.amount_currency)), Decimal(str(transaction.proceeds_amount))
        )
        invoice = self._invoice(orders)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertTrue(waiting.reconciled)
        self.assertEqual(transaction.match_state, "reconciled")


@tagged("post_install", "-at_install")
class TestPayoutMatching(SettlementMixin, TransactionCase):
    def test_payout_matched_to_the_bank_line_empties_the_balance(self):
        _remotes, orders = self._delivered_orders(self.us)
        self._invoice(orders)
        self._pass_payout()
        self._sync(self.us)
        settlement = self._settlement_of(orders)
        payout = settlement.payout_id
        self.assertEqual(payout.state, "to_match")
        self.assertEqual(payout.amount, settlement.payable_amount)
        bank_line = self._bank_line(self._bank_journal(self.us), payout)
        decoy = self._bank_line(self.us.payout_journal_id, payout, ref="Other income")
        self.assertEqual(payout._tiktok_match_bank(), payout)
        self.assertEqual(payout.state, "matched")
        self.assertEqual(payout.statement_line_id, bank_line)
        self.assertTrue(bank_line.is_reconciled)
        self.assertFalse(decoy.is_reconciled)
        clearing = self.us._tiktok_finance_account("clearing")
        items = (settlement.move_id | bank_line.move_id).line_ids.filtered(
            lambda line: line.account_id == clearing
        )
        self.assertTrue(all(items.mapped("reconciled")))
        self.assertAlmostEqual(sum(items.mapped("balance")), 0.0, places=6)
        # Nothing left for the chatter to track on the statement's entry (a line per order):
        # tracking it would read all its lines again when the sync commits.
        self.env.flush_all()  # as the sync's commit does before the chatter's tracking
        pending = self.env.cr.precommit.data.get("mail.tracking.account.move", {})
        self.assertNotIn(settlement.move_id.id, pending)

    def test_a_statement_posted_anew_is_matched_to_the_same_bank_line_again(self):
        settlement, payout = self._one_order_settled_and_paid_out()
        bank_line = self._bank_line(self._bank_journal(self.us), payout)
        payout._tiktok_match_bank()
        clearing = self.us._tiktok_finance_account("clearing")
        counterpart = bank_line.move_id.line_ids.filtered(lambda line: line.account_id == clearing)
        settlement._tiktok_unpost()  # as when TikTok amends the statement
        self.assertEqual(payout.state, "to_match")
        self.assertFalse(counterpart.reconciled)
        settlement._tiktok_post()  # its payout is on the bank: matched again as it posts
        self.assertEqual(payout.state, "matched")
        self.assertEqual(payout.statement_line_id, bank_line)
        self.assertTrue(counterpart.reconciled)
        new_item = settlement.move_id.line_ids.filtered(lambda line: line.account_id == clearing)
        self.assertTrue(new_item.reconciled)

    def test_a_bank_line_of_another_amount_is_not_matched(self):
        _settlement, payout = self._one_order_settled_and_paid_out()
        self._bank_line(self._bank_journal(self.us), payout, amount=payout.amount + 1)
        self.assertFalse(payout._tiktok_match_bank())
        self.assertEqual(payout.state, "to_match")


@tagged("post_install", "-at_install")
class TestPayoutMatchedAsPosted(SettlementMixin, TransactionCase):
    """A payout already on the bank when its statement is posted (a class of its own: each
    test moves the sandbox's clock past a payout, and the connection's token lives 7 days)."""

    def test_a_payout_already_on_the_bank_is_matched_as_its_statement_posts(self):
        _remotes, orders = self._delivered_orders(self.us)
        invoices = self._invoice(orders)
        self._pass_payout()
        journal = self._bank_journal(self.us)
        remote = self._remote_shop(self.us)
        lines = sandbox_finance.bank_lines(
            statements.shop_statements(self.sandbox.state, remote), self.sandbox.state.now()
        )
        bank_lines = self.env["account.bank.statement.line"].create(
            [
                {
                    "journal_id": journal.id,
                    "date": line["date"],
                    "payment_ref": line["payment_ref"],
                    "amount": float(line["amount"]),
                }
                for line in lines
            ]
        )
        self.env.flush_all()
        self._sync(self.us)
        settlement = self._settlement_of(orders)
        payout = settlement.payout_id
        self.assertEqual(payout.state, "matched")
        self.assertIn(payout.statement_line_id, bank_lines)
        self.assertTrue(payout.statement_line_id.is_reconciled)
        self.assertEqual(set(invoices.mapped("payment_state")), {"paid"})
        clearing = self.us._tiktok_finance_account("clearing")
        items = (settlement.move_id | payout.statement_line_id.move_id).line_ids.filtered(
            lambda line: line.account_id == clearing
        )
        self.assertTrue(all(items.mapped("reconciled")))

    def test_a_payout_paying_a_statement_not_imported_yet_waits_for_it(self):
        settlement, payout = self._one_order_settled_and_paid_out()
        self._bank_line(self._bank_journal(self.us), payout)
        settlement._tiktok_unpost()
        # As when the payout also pays another statement, not imported yet.
        payout.amount_before_exchange += 10
        settlement._tiktok_post()
        self.assertEqual(settlement.state, "posted")
        self.assertEqual(payout.state, "to_match")


@tagged("post_install", "-at_install")
class TestWeekOfTwoShops(SettlementMixin, TransactionCase):
    """A week of statements of a US shop (USD) and a UK shop (GBP), posted, every invoice and
    payout reconciled, TikTok's balance at zero, and a re-import that changes nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gb = cls._odoo_shop("GB")
        cls._create_products_for(cls.gb)

    def test_a_week_reconciles_to_zero(self):
        orders = self.env["sale.order"]
        for _day in range(7):
            for shop in (self.us, self.gb):
                orders |= self._delivered_orders(shop, count=2)[1]
            self.sandbox.state.advance(86_400)
        invoices = self._invoice(orders)
        self._pass_payout()
        for shop in (self.us, self.gb):
            self._sync(shop)
        settlements = self._settlement_of(orders)
        self.assertEqual(set(settlements.shop_id.mapped("region")), {"US", "GB"})
        self.assertGreaterEqual(len(settlements), 14)
        self.assertEqual(set(settlements.mapped("state")), {"posted"})
        of_orders = settlements.transaction_ids.filtered("sale_order_id")
        self.assertEqual(set(of_orders.mapped("match_state")), {"reconciled"})
        self.assertFalse(any(settlements.mapped("suspense_amount")))
        for shop in (self.us, self.gb):
            journal = self.env["account.journal"].create(
                {
                    "name": f"Payouts {shop.name}",
                    "code": f"PO{shop.id}",
                    "type": "bank",
                    "currency_id": shop.currency_id.id,
                }
            )
            shop.payout_journal_id = journal
            for payout in settlements.filtered(lambda s, shop=shop: s.shop_id == shop).payout_id:
                self.env["account.bank.statement.line"].create(
                    {
                        "journal_id": journal.id,
                        "date": payout.paid_date,
                        "payment_ref": f"TikTok Shop payout {payout.tiktok_payment_ref}",
                        "amount": payout.amount,
                    }
                )
            shop.payout_ids._tiktok_match_bank()
        self.assertEqual(set(settlements.payout_id.mapped("state")), {"matched"})
        self.assertEqual(set(invoices.mapped("payment_state")) - {"paid", "in_payment"}, set())
        for shop in (self.us, self.gb):
            clearing = shop._tiktok_finance_account("clearing")
            lines = self.env["account.move.line"].search(
                [("account_id", "=", clearing.id), ("parent_state", "=", "posted")]
            )
            self.assertTrue(lines)
            self.assertTrue(shop.currency_id.is_zero(sum(lines.mapped("amount_currency"))))
            self.assertTrue(shop.company_id.currency_id.is_zero(sum(lines.mapped("balance"))))
        moves = settlements.move_id
        for shop in (self.us, self.gb):
            self._sync(shop)
            self.assertFalse(self.last_log.created_count or self.last_log.updated_count)
        self.assertEqual(self._settlement_of(orders).move_id, moves)


@tagged("post_install", "-at_install")
class TestFeesAdjustmentsAndAmendments(SettlementMixin, TransactionCase):
    def _extra_fee(self, remote, key, amount):
        state = self.sandbox.state
        sandbox_finance.add_extra_fees(
            remote, {"fee": {key: amount}}, sandbox_finance.sale_is_cut(state, remote)
        )

    def _lines_on(self, settlement, kind):
        account = settlement.shop_id._tiktok_finance_account(kind)
        return settlement.move_id.line_ids.filtered(lambda line: line.account_id == account)

    def test_an_unknown_fee_type_lands_in_suspense_with_an_activity(self):
        remotes, orders = self._delivered_orders(self.us, count=1)
        self._extra_fee(remotes[0], "brand_new_levy_amount", "-0.77")
        self._invoice(orders)
        self._pass_payout()
        self._sync(self.us)
        settlement = self._settlement_of(orders)
        transaction = settlement.transaction_ids.filtered(lambda t: t.sale_order_id == orders)
        self.assertEqual(transaction.unknown_keys, "brand_new_levy_amount")
        suspense = self._lines_on(settlement, "suspense")
        levy = suspense.filtered(lambda line: line.name == "brand_new_levy_amount")
        self.assertEqual(levy.amount_currency, 0.77)
        self.assertEqual(settlement.suspense_amount, -0.77)
        activity = settlement.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("brand_new_levy_amount", activity.note)
        self.assertEqual(settlement.move_id.state, "posted")

    def test_adjustments_land_on_their_kinds_account(self):
        state = self.sandbox.state
        remote_shop = self._remote_shop(self.us)
        remotes, orders = self._delivered_orders(self.us, count=1)
        sandbox_finance.record_adjustment(state, remote_shop, "PLATFORM_PENALTY", "-12.50")
        sandbox_finance.record_adjustment(
            state, remote_shop, "SHIPPING_FEE_REBATE", "3.10", order=remotes[0]
        )
        self._invoice(orders)
        self._pass_payout()
        self._sync(self.us)
        settlement = self._settlement_of(orders)
        self.assertEqual(self._lines_on(settlement, "penalty").amount_currency, 12.50)
        self.assertEqual(self._lines_on(settlement, "shipping_subsidy").amount_currency, -3.10)
        penalty = settlement.transaction_ids.filtered(
            lambda t: t.transaction_type == "PLATFORM_PENALTY"
        )
        self.assertEqual((penalty.adjustment_amount, penalty.match_state), (-12.5, "charges"))

    def test_a_statement_tiktok_amends_is_posted_anew_not_doubled(self):
        state = self.sandbox.state
        remote_shop = self._remote_shop(self.us)
        _remotes, orders = self._delivered_orders(self.us, count=1)
        adjustment = sandbox_finance.record_adjustment(
            state, remote_shop, "CUSTOMER_SERVICE_COMPENSATION", "5.00"
        )
        self._invoice(orders)
        self._pass_payout()
        self._sync(self.us)
        settlement = self._settlement_of(orders)
        first_move, first_amount = settlement.move_id, settlement.settlement_amount
        adjustment.amount = Decimal("7.25")  # TikTok corrects the compensation afterwards
        self._sync(self.us)
        self.assertEqual(self.last_log.updated_count, 1)
        self.assertEqual(self._settlement_of(orders), settlement)
        self.assertAlmostEqual(settlement.settlement_amount, first_amount + 2.25, places=2)
        self.assertNotEqual(settlement.move_id, first_move)
        self.assertTrue(first_move.reversal_move_ids)
        clearing = self.us._tiktok_finance_account("clearing")
        live = (first_move | first_move.reversal_move_ids | settlement.move_id).line_ids.filtered(
            lambda line: line.account_id == clearing
        )
        self.assertAlmostEqual(sum(live.mapped("amount_currency")), settlement.payable_amount, 2)
        self.assertEqual(
            self.env["tiktok.settlement.transaction"].search_count(
                [("settlement_id", "=", settlement.id), ("transaction_type", "!=", "ORDER")]
            ),
            1,
        )

    def test_fee_lines_get_the_analytic_distribution_of_their_account(self):
        plan = self.env["account.analytic.plan"].create({"name": "Marketplaces"})
        channel = self.env["account.analytic.account"].create(
            {"name": "TikTok", "plan_id": plan.id}
        )
        commission = self.us._tiktok_finance_account("commission")
        self.env["account.analytic.distribution.model"].create(
            {"account_prefix": commission.code, "analytic_distribution": {str(channel.id): 100}}
        )
        _remotes, orders = self._delivered_orders(self.us, count=1)
        self._invoice(orders)
        self._pass_payout()
        self._sync(self.us)
        settlement = self._settlement_of(orders)
        fee_line = self._lines_on(settlement, "commission")
        self.assertEqual(fee_line.analytic_distribution, {str(channel.id): 100})
