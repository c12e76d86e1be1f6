from decimal import Decimal

from odoo.tests import TransactionCase, tagged

from tiktok_shop_sandbox import affiliate as sandbox_affiliate
from tiktok_shop_sandbox import returns as sandbox_returns
from tiktok_shop_sandbox.affiliate import affiliate_order_view
from tiktok_shop_sandbox.orders import progress_order

from ..tiktok_shop import endpoints
from .test_settlements import SettlementMixin

SELLER_SHIPPED = "FULFILLMENT_BY_SELLER"
HOUR, DAY = 3600, 86400


class CreatorMixin(SettlementMixin):
    """Orders creators sold on TikTok, imported into Odoo, and their affiliate orders."""

    def setUp(self):
        super().setUp()
        # Each test moves the sandbox's clock by days, past the 7 days of the class's token.
        self._connect_to_sandbox(self.account)

    def _creator_orders(self, sales, **options):
        """Orders placed by creators: `sales` [(username, surface, rate, units)], imported."""
        skus = self._in_stock_skus(self.us, 2)
        remotes = [
            self._place(
                self.us,
                [(skus[index % 2].id, units)],
                surface=surface,
                creator_username=username,
                commission_rate=rate,
                content_id=f"content-{index}",
                shipping_type="TIKTOK",
                fulfillment_type=SELLER_SHIPPED,
                **options,
            )
            for index, (username, surface, rate, units) in enumerate(sales)
        ]
        self.us._tiktok_import_order_ids([remote.id for remote in remotes])
        return remotes

    def _sync_affiliates(self):
        """One affiliate sync on a cursor of its own, which commits as the cron's does."""
        self.env.flush_all()
        with self.registry.cursor() as cr:
            log = self.us.with_env(self.env(cr=cr))._tiktok_sync_affiliates(trigger="manual")
            log_id = log.id
        self.env.invalidate_all()
        return self.env["tiktok.sync.log"].browse(log_id)

    def _lines(self, remotes):
        return self.env["tiktok.affiliate.line"].search(
            [("tiktok_order_ref", "in", [remote.id for remote in remotes])]
        )

    def _view(self, remote):
        """TikTok's affiliate order, as the sandbox's API answers it."""
        return affiliate_order_view(self.sandbox.state, self.sandbox.state.orders[remote.id])

    def _tiktok_commission(self, remote, figure="estimated_paid_commission"):
        return sum(Decimal(sku[figure]["amount"]) for sku in self._view(remote)["skus"])

    def _payable(self):
        return self.us._tiktok_finance_account("affiliate_payable")

    def _accrued(self, order):
        """What the payable owes for the order's commission (its accruals, less deductions)."""
        items = self.env["account.move.line"].search(
            [("tiktok_commission_order_id", "=", order.id), ("parent_state", "=", "posted")]
        )
        self.assertEqual(items.account_id, self._payable())
        return Decimal(str(-sum(items.mapped("amount_currency")))).quantize(Decimal("0.01"))

    def _deliver_in_odoo(self, orders):
        for picking in orders.picking_ids:
            for move in picking.move_ids:
                move.write({"quantity": move.product_uom_qty, "picked": True})
            picking.with_context(cancel_backorder=False)._action_done()


@tagged("post_install", "-at_install")
class TestAffiliateAttribution(CreatorMixin, TransactionCase):
    def test_every_affiliate_order_is_attributed_once(self):
        sales = [("maya.makes", "VIDEO", 1000, 1), ("leo.live", "LIVE", 1550, 2)]
        sales += [("maya.makes", "AFFILIATE", 800, 1)]
        remotes = self._creator_orders(sales)
        plain = self._creator_orders([("", "SHOP", 0, 1)])
        log = self._sync_affiliates()
        self.assertEqual(log.state, "done")
        lines = self._lines(remotes)
        self.assertEqual(len(lines), len(remotes))
        self.assertFalse(self._lines(plain))
        for remote, (username, _surface, rate, units) in zip(remotes, sales, strict=True):
            line = lines.filtered(lambda line, r=remote: line.tiktok_order_ref == r.id)
            order = self._sale_orders(self.us, remote.id)
            sku = self._view(remote)["skus"][0]
            self.assertEqual(line.sale_order_id, order)
            self.assertEqual(line.sale_line_id.order_id, order)
            self.assertEqual(line.sale_line_id.product_uom_qty, units)
            self.assertEqual(line.creator_id.username, username)
            self.assertEqual(order.tiktok_creator_id, line.creator_id)
            self.assertEqual(line.content_type, sku["content_type"])
            self.assertEqual(line.tiktok_content_ref, sku["content_id"])
            self.assertAlmostEqual(line.commission_rate, rate / 100)
            self.assertEqual(
                Decimal(str(line.estimated_commission_amount)),
                Decimal(sku["estimated_paid_commission"]["amount"]),
            )
            self.assertIn(self.us, line.creator_id.shop_ids)
            self.assertTrue(line.creator_id.partner_id)
        self.assertEqual(len(lines.creator_id), 2)
        # Known from their orders by username alone, identified in TikTok's creator marketplace.
        marketplace = {c.username: c for c in self.sandbox.state.creators.values()}
        for creator in lines.creator_id:
            self.assertEqual(creator.tiktok_creator_ref, marketplace[creator.username].user_id)
        self.assertEqual(
            dict(lines._fields["content_type"]._description_selection(self.env))["VIDEO"], "Video"
        )
        again = self._sync_affiliates()
        self.assertEqual((again.created_count, again.updated_count), (0, 0))
        self.assertEqual(self._lines(remotes), lines)

    def test_a_changed_line_is_updated_and_a_late_order_is_attached_on_arrival(self):
        skus = self._in_stock_skus(self.us, 1)
        remote = self._place(
            self.us,
            [(skus[0].id, 2)],
            surface="VIDEO",
            creator_username="maya.makes",
            commission_rate=1200,
            shipping_type="TIKTOK",
            fulfillment_type=SELLER_SHIPPED,
        )
        self._sync_affiliates()  # TikTok lists the affiliate order before Odoo has the order
        line = self._lines([remote])
        self.assertFalse(line.sale_order_id)
        self.us._tiktok_import_order_ids([remote.id])
        order = self._sale_orders(self.us, remote.id)
        self.assertEqual(line.sale_order_id, order)
        self.assertEqual(line.sale_line_id.order_id, order)
        self.assertEqual(order.tiktok_creator_id, line.creator_id)
        self.sandbox.state.orders[remote.id].creator_username = "maya.makes"
        self.sandbox.state.orders[remote.id].commission_rate = 1500
        log = self._sync_affiliates()
        self.assertEqual(log.updated_count, 1)
        self.assertAlmostEqual(line.commission_rate, 15.0)

    def test_source_tags_use_the_same_reading(self):
        remotes = self._creator_orders([("leo.live", "LIVE", 1000, 1)])
        order = self._sale_orders(self.us, remotes[0].id)
        self.us._tiktok_tag_sources(order)
        self.assertEqual((order.tiktok_source, order.tiktok_creator_username), ("live", "leo.live"))

    def test_open_collaboration_rates_are_shown_on_the_product(self):
        product = next(
            p
            for p in self.sandbox.state.products.values()
            if p.shop_id == self._remote_shop(self.us).id and p.status == "ACTIVATE"
        )
        state = self.sandbox.state
        state.open_collaborations[product.id] = {  # the seller offers 12.50 % on Seller Center
            "id": "open-1",
            "product_id": product.id,
            "shop_id": product.shop_id,
            "commission_rate": 1250,
            "require_seller_approve_creator": False,
            "effective_time": state.now(),
        }
        template = self.env["product.template"].create({"name": "Promoted mug"})
        self.env["tiktok.product"].create(
            {
                "shop_id": self.us.id,
                "tiktok_product_ref": product.id,
                "product_tmpl_id": template.id,
            }
        )
        self._sync_affiliates()
        rates = template.tiktok_commission_rate_ids
        self.assertEqual(len(rates), 1)
        self.assertEqual(rates.kind, "open")
        self.assertAlmostEqual(rates.commission_rate, 12.5)


@tagged("post_install", "-at_install")
class TestCommissionAccounting(CreatorMixin, TransactionCase):
    def _return_one_unit(self, remote):
        """The buyer sends one unit back and is refunded (RETURN_AND_REFUND, completed)."""
        state = self.sandbox.state
        a_return = sandbox_returns.request_return(
            state, state.orders[remote.id], "RETURN_AND_REFUND", [remote.line_items[0].id]
        )
        sandbox_returns.decide_return(state, a_return, "APPROVE_RETURN")
        state.advance(DAY + 60)
        state.run_due()
        sandbox_returns.decide_return(state, a_return, "APPROVE_RECEIVED_PACKAGE")
        state.advance(HOUR + 60)
        state.run_due()
        self.assertEqual(a_return.return_status, "RETURN_OR_REFUND_REQUEST_COMPLETE")

    def _check_balanced(self):
        moves = (
            self.env["account.move.line"]
            .search([("tiktok_commission_order_id", "!=", False)])
            .move_id
        )
        for move in moves:
            self.assertTrue(move.currency_id.is_zero(sum(move.line_ids.mapped("amount_currency"))))
            self.assertTrue(move.company_currency_id.is_zero(sum(move.line_ids.mapped("balance"))))

    def test_accrued_at_invoicing_equal_to_tiktoks_estimate(self):
        remotes = self._creator_orders(
            [("maya.makes", "VIDEO", 1000, 2), ("leo.live", "LIVE", 1550, 1)]
        )
        self._sync_affiliates()
        orders = self._sale_orders(self.us).filtered(
            lambda o: o.tiktok_order_ref in {r.id for r in remotes}
        )
        self.assertFalse(
            self.env["account.move.line"].search([("tiktok_commission_order_id", "in", orders.ids)])
        )
        self._invoice(orders)
        expense = self.us._tiktok_finance_account("affiliate_commission")
        for remote in remotes:
            order = self._sale_orders(self.us, remote.id)
            self.assertEqual(self._accrued(order), self._tiktok_commission(remote))
            items = self.env["account.move.line"].search(
                [("tiktok_commission_order_id", "=", order.id)]
            )
            self.assertEqual(items.partner_id, order.tiktok_creator_id.partner_id)
            counterpart = items.move_id.line_ids.filtered(
                lambda line, o=order: (
                    line.account_id == expense and line.partner_id == o.tiktok_creator_id.partner_id
                )
            )
            self.assertEqual(
                Decimal(str(sum(counterpart.mapped("amount_currency")))), self._accrued(order)
            )
        self.assertEqual(self._payable().account_type, "liability_current")
        self.assertTrue(self._payable().reconcile)
        self._check_balanced()
        # Nothing changed at TikTok: a sync books nothing more.
        moves = self.env["account.move"].search_count([])
        self._sync_affiliates()
        self.assertEqual(self.env["account.move"].search_count([]), moves)

    def test_invoiced_before_the_affiliate_order_is_read_accrues_at_the_sync(self):
        remotes = self._creator_orders([("maya.makes", "VIDEO", 1200, 1)])
        order = self._sale_orders(self.us, remotes[0].id)
        self._invoice(order)
        self._sync_affiliates()
        self.assertEqual(self._accrued(order), self._tiktok_commission(remotes[0]))

    def test_reversed_on_a_return_then_trued_up_and_cleared_by_the_settlement(self):
        (remote,) = self._creator_orders([("maya.makes", "VIDEO", 1000, 2)])
        order = self._sale_orders(self.us, remote.id)
        self._invoice(order)
        self._sync_affiliates()
        estimate = self._tiktok_commission(remote)
        self.assertEqual(self._accrued(order), estimate)
        # Shipped, one unit comes back before delivery: half the estimate is reversed.
        progress_order(self.sandbox.state, self.sandbox.state.orders[remote.id], "IN_TRANSIT")
        self._return_one_unit(remote)
        self._sync_affiliates()
        line = self._lines([remote])
        self.assertEqual(line.returned_quantity, 1)
        self.assertEqual(line.status, "PROCESSING")
        self.assertEqual(self._accrued(order), (estimate / 2).quantize(Decimal("0.01")))
        reversal = self.env["account.move.line"].search(
            [("tiktok_affiliate_line_id", "=", line.id), ("amount_currency", ">", 0)]
        )
        self.assertEqual(len(reversal), 1)
        self.assertIn("reversed", reversal.name)
        # Delivered: TikTok reports its actual commission; the accrual follows it.
        progress_order(self.sandbox.state, self.sandbox.state.orders[remote.id], "DELIVERED")
        self._sync_affiliates()
        actual = self._tiktok_commission(remote, "actual_paid_commission")
        self.assertEqual(line.status, "COMPLETED")
        self.assertEqual(Decimal(str(line.actual_commission_amount)), actual)
        self.assertEqual(self._accrued(order), actual)
        # The statement deducts the commission: it pays the accrual, reconciled per order.
        self._pass_payout()
        self._sync(self.us)
        transaction = self.env["tiktok.settlement.transaction"].search(
            [("sale_order_id", "=", order.id)]
        )
        deducted = -Decimal(str(sum(transaction.mapped("affiliate_commission_amount"))))
        self.assertEqual(deducted, actual)
        settlement_item = transaction.settlement_id.move_id.line_ids.filtered(
            lambda item: item.tiktok_commission_order_id == order
        )
        self.assertEqual(settlement_item.account_id, self._payable())
        self.assertEqual(Decimal(str(settlement_item.amount_currency)), deducted)
        self.assertEqual(settlement_item.partner_id, order.tiktok_creator_id.partner_id)
        self.assertEqual(self._accrued(order), Decimal("0.00"))
        items = self.env["account.move.line"].search(
            [("tiktok_commission_order_id", "=", order.id)]
        )
        self.assertTrue(all(items.mapped("reconciled")))
        self.assertEqual(order.tiktok_creator_id.commission_payable_amount, 0.0)
        self._check_balanced()

    def test_a_credit_note_reverses_in_proportion(self):
        (remote,) = self._creator_orders([("leo.live", "LIVE", 2000, 2)])
        order = self._sale_orders(self.us, remote.id)
        self._sync_affiliates()
        self._invoice(order)
        estimate = self._accrued(order)
        line = order.tiktok_affiliate_line_ids.sale_line_id
        order._tiktok_credit({line: 1}, reason="Returned")
        self.assertEqual(self._accrued(order), (estimate / 2).quantize(Decimal("0.01")))
        self._check_balanced()


@tagged("post_install", "-at_install")
class TestSamples(CreatorMixin, TransactionCase):
    def test_a_sample_is_not_revenue_its_cost_is_a_marketing_expense_against_the_creator(self):
        skus = self._in_stock_skus(self.us, 1)
        remote = self._place(
            self.us,
            [(skus[0].id, 2)],
            is_sample_order=True,
            shipping_type="TIKTOK",
            fulfillment_type=SELLER_SHIPPED,
        )
        self.us._tiktok_import_order_ids([remote.id])
        sample = self._sale_orders(self.us, remote.id)
        self.assertTrue(sample.tiktok_is_sample)
        sample.order_line.product_id.standard_price = 6.40
        creator = self.env["tiktok.creator"].create({"username": "maya.makes"})
        sample._tiktok_link_sample_creator(creator)
        progress_order(self.sandbox.state, self.sandbox.state.orders[remote.id], "DELIVERED")
        sample.tiktok_shop_id.invoice_policy = "import"
        self.assertFalse(sample.filtered_domain(sample._tiktok_invoice_due_domain()))
        self._run_cron_method("sale.order", "_cron_invoice_tiktok_orders")
        self.assertFalse(sample.invoice_ids)
        self.assertEqual(sample.invoice_status, "no")
        self._deliver_in_odoo(sample)
        moves = sample.order_line.move_ids.filtered(lambda move: move.state == "done")
        cost = sum(moves.mapped("value"))
        self.assertAlmostEqual(cost, 2 * 6.40)
        entry = sample.tiktok_sample_move_ids
        self.assertEqual(len(entry), 1)
        samples = self.us._tiktok_finance_account("creator_samples")
        expense = entry.line_ids.filtered(lambda line: line.account_id == samples)
        self.assertAlmostEqual(expense.balance, cost)
        self.assertEqual(expense.partner_id, creator.partner_id)
        valuation = moves.product_id._get_product_accounts()["stock_valuation"]
        credit = entry.line_ids - expense
        self.assertEqual(credit.account_id, valuation)
        self.assertAlmostEqual(credit.balance, -cost)
        self.assertEqual(creator.sample_count, 1)
        sample._tiktok_book_sample_cost()  # nothing new: nothing booked twice
        self.assertEqual(sample.tiktok_sample_move_ids, entry)


@tagged("post_install", "-at_install")
class TestCreatorPerformance(CreatorMixin, TransactionCase):
    def test_figures_equal_sums_of_tiktoks_affiliate_orders(self):
        sales = [
            ("maya.makes", "VIDEO", 1000, 2),
            ("maya.makes", "LIVE", 1000, 1),
            ("leo.live", "LIVE", 1550, 3),
            ("leo.live", "VIDEO", 1200, 1),
        ]
        remotes = self._creator_orders(sales)
        action = self.us.action_sync_affiliates()
        self.assertIn("4 new", action["params"]["message"])
        orders = self._sale_orders(self.us).filtered(
            lambda o: o.tiktok_order_ref in {r.id for r in remotes}
        )
        self._invoice(orders)
        # A sample sent to one of them.
        sku = self._in_stock_skus(self.us, 1)[0]
        remote_sample = self._place(
            self.us, [(sku.id, 1)], is_sample_order=True, fulfillment_type=SELLER_SHIPPED
        )
        self.us._tiktok_import_order_ids([remote_sample.id])
        sample = self._sale_orders(self.us, remote_sample.id)
        sample.order_line.product_id.standard_price = 3.10
        creators = self.env["tiktok.creator"].search(
            [("username", "in", ["maya.makes", "leo.live"])]
        )
        maya = creators.filtered(lambda c: c.username == "maya.makes")
        sample._tiktok_link_sample_creator(maya)
        self._deliver_in_odoo(sample)
        sample_cost = sum(sample.order_line.move_ids.mapped("value"))
        # Independently: TikTok's affiliate orders, as its API answers them.
        expected = {}
        by_content = {}
        for remote, (username, _surface, _rate, _units) in zip(remotes, sales, strict=True):
            for sku_view in self._view(remote)["skus"]:
                gmv = Decimal(sku_view["price"]["amount"]) * sku_view["quantity"]
                commission = Decimal(sku_view["estimated_paid_commission"]["amount"])
                figures = expected.setdefault(username, [Decimal(0), 0, Decimal(0), 0])
                figures[0] += gmv
                figures[1] += 1
                figures[2] += commission
                figures[3] += sku_view["quantity"]
                content = sku_view["content_type"]
                by_content[content] = by_content.get(content, Decimal(0)) + gmv
        self.env.flush_all()
        Report = self.env["tiktok.creator.report"]
        rows = Report._read_group(
            [("creator_id", "in", creators.ids)],
            ["creator_id"],
            [
                "gmv_amount:sum",
                "order_count:sum",
                "commission_amount:sum",
                "units:sum",
                "liability_amount:sum",
                "sample_count:sum",
                "sample_cost_amount:sum",
                "roi_amount:sum",
            ],
        )
        self.assertEqual(len(rows), 2)
        for creator, gmv, count, commission, units, liability, samples, cost, roi in rows:
            gmv_e, count_e, commission_e, units_e = expected[creator.username]
            self.assertAlmostEqual(gmv, float(gmv_e), places=2)
            self.assertEqual(count, count_e)
            self.assertAlmostEqual(commission, float(commission_e), places=2)
            self.assertEqual(units, units_e)
            self.assertAlmostEqual(liability, float(commission_e), places=2)  # invoiced, unpaid
            own_cost = sample_cost if creator == maya else 0.0
            self.assertEqual(samples, 1 if creator == maya else 0)
            self.assertAlmostEqual(cost, own_cost, places=2)
            self.assertAlmostEqual(roi, float(gmv_e - commission_e) - own_cost, places=2)
            listed = creator.with_context(tiktok_creator_period="all")
            self.assertAlmostEqual(listed.gmv_amount, float(gmv_e), places=2)
            self.assertEqual(listed.order_count, count_e)
            self.assertAlmostEqual(listed.commission_amount, float(commission_e), places=2)
            self.assertEqual(listed.return_rate, 0.0)
            self.assertAlmostEqual(listed.commission_payable_amount, float(commission_e), places=2)
        contents = dict(
            Report._read_group(
                [("creator_id", "in", creators.ids), ("kind", "=", "sale")],
                ["content_type"],
                ["gmv_amount:sum"],
            )
        )
        self.assertEqual(contents.keys(), by_content.keys())
        for content, gmv in by_content.items():
            self.assertAlmostEqual(contents[content], float(gmv), places=2)


@tagged("post_install", "-at_install")
class TestCollaborationsAndSamples(CreatorMixin, TransactionCase):
    def _product_of(self, sku):
        return self.sandbox.state.products[sku.product_id]

    def test_a_target_collaboration_names_its_creators_and_their_rate(self):
        state = self.sandbox.state
        creator = sandbox_affiliate.register_creator(state, "nina.targets", "Nina")
        sku = self._in_stock_skus(self.us, 1)[0]
        product = self._product_of(sku)
        self.us._tiktok_request(
            endpoints.TARGET_COLLABORATION_CREATE,
            json={
                "name": "Nina's spring",
                "creator_user_ids": [creator.user_id],
                "products": [{"id": product.id, "target_commission_rate": 2200}],
                "end_time": state.now() + 30 * DAY,
            },
        )
        remote = sandbox_affiliate.place_creator_order(
            state,
            self._remote_shop(self.us),
            creator,
            [(sku.id, 1)],
            on_hold=False,
            shipping_type="TIKTOK",
            fulfillment_type=SELLER_SHIPPED,
        )
        self.us._tiktok_import_order_ids([remote.id])
        template = self.env["product.template"].create({"name": "Targeted product"})
        self.env["tiktok.product"].create(
            {
                "shop_id": self.us.id,
                "tiktok_product_ref": product.id,
                "product_tmpl_id": template.id,
            }
        )
        self._sync_affiliates()
        line = self._lines([remote])
        nina = line.creator_id
        self.assertEqual(nina.tiktok_creator_ref, creator.user_id)
        self.assertEqual(nina.nickname, "Nina")
        self.assertEqual(line.collaboration_id.kind, "target")
        self.assertAlmostEqual(line.commission_rate, 22.0)
        self.assertIn(line.collaboration_id, nina.collaboration_ids)
        rate = template.tiktok_commission_rate_ids.filtered(lambda r: r.kind == "target")
        self.assertEqual(rate.creator_ids, nina)
        self.assertAlmostEqual(rate.commission_rate, 22.0)

    def test_an_approved_sample_application_links_its_order_to_the_creator(self):
        state = self.sandbox.state
        creator = sandbox_affiliate.register_creator(state, "sam.samples", "Sam")
        sku = self._in_stock_skus(self.us, 1)[0]
        application = sandbox_affiliate.request_sample(
            state, self._remote_shop(self.us), creator, self._product_of(sku), sku.id
        )
        answer = self.us._tiktok_request(
            endpoints.SAMPLE_APPLICATION_REVIEW,
            path_params={"application_id": application.id},
            json={"review_result": "APPROVE"},
        )
        order_ref = answer["sample_application"]["order_id"]
        self.us._tiktok_import_order_ids([order_ref])
        sample = self._sale_orders(self.us, order_ref)
        self.assertTrue(sample.tiktok_is_sample)
        self.assertEqual(sample.tiktok_creator_id.username, "sam.samples", "named at import")
        self.assertEqual(sample.tiktok_creator_id.tiktok_creator_ref, creator.user_id)
        self.assertEqual(sample.tiktok_creator_id.sample_count, 1)

        # An order imported while TikTok could not say who asked: the status push links it.
        sample.tiktok_creator_id = False
        notification = {
            "type": 56,
            "tts_notification_id": f"sample-{application.id}",
            "shop_id": self.us.tiktok_shop_ref,
            "timestamp": state.now(),
            "data": {"application_id": application.id, "status": "AWAITING_SHIPMENT"},
        }
        received, _new = self.env["tiktok.webhook.event"]._receive(self.account, notification)
        received._process_batch(received)
        self.assertEqual(received.state, "done", received.error)
        self.assertEqual(sample.tiktok_creator_id.username, "sam.samples")
        self._sync_affiliates()
        self.assertEqual(sample.tiktok_creator_id.sample_count, 1, "linked once")
