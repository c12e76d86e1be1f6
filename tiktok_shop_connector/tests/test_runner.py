import re
import time
from collections import Counter
from unittest.mock import patch

from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..models.connection import tiktok_runner
from ..tiktok_shop import TikTokShopError
from .common import SHOP_TIKTOK_ID, TikTokTestMixin, committed_env
from .order_common import OrderSandboxMixin

RUNNER_LOGGER = tiktok_runner.__name__


class RunnerTestMixin:
    def _holding_elsewhere(self, work, record):
        """Another worker, on a connection of its own, holding `work` on `record`."""
        other = self.enterContext(committed_env(self.registry))
        return other["tiktok.runner"]._holding(work, record.with_env(other))

    def _committed_run(self, work, context=None):
        """`work(env)` on a cursor of its own that commits, as a cron worker's does."""
        self.env.flush_all()
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            result = work(self.env(cr=cr, context=dict(self.env.context, **(context or {}))))
        self.env.invalidate_all()
        return result


@tagged("post_install", "-at_install")
class TestRunner(RunnerTestMixin, TikTokTestMixin, TransactionCase):
    """The core every cron runs its units through: locks, failures and the cron's progress."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        account = cls._create_account(cls.env)
        cls.shops = cls.env["tiktok.shop"].union(
            *(cls._create_shop(account, str(int(SHOP_TIKTOK_ID) + n)) for n in range(3))
        )

    def _run_units(self, process_one, context=None, **options):
        return self._committed_run(
            lambda env: env["tiktok.runner"]._run_units(
                self.shops.with_env(env), process_one, **options
            ),
            context,
        )

    def _lock(self, shop):
        return shop.env["tiktok.runner"]._holding("work", shop)

    def test_a_unit_another_worker_holds_is_skipped_and_the_others_run(self):
        first, held, last = self.shops
        processed = []
        with self._holding_elsewhere("work", held):
            outcomes = self._run_units(processed.append, lock=self._lock)
        self.assertEqual(processed, [first, last])
        self.assertEqual(outcomes, Counter(done=2, skipped=1))
        # Released with the unit: the next run takes it.
        outcomes = self._run_units(processed.append, lock=self._lock)
        self.assertEqual(outcomes, Counter(done=3))

    def test_a_bug_is_rolled_back_logged_with_its_traceback_and_the_next_unit_runs(self):
        first, *others = self.shops
        failures = []

        def process(shop):
            shop.order_prefix = "DONE-"
            if shop == first:
                shop.env.flush_all()
                shop.env.cr.execute("SELECT no_such_column FROM tiktok_shop")  # aborts it

        with mute_logger("odoo.sql_db"), self.assertLogs(RUNNER_LOGGER, "ERROR") as logged:
            outcomes = self._run_units(
                process, on_error=lambda shop, error: failures.append((shop, type(error)))
            )
        self.assertEqual(outcomes, Counter(done=2, failed=1))
        self.assertEqual(first.order_prefix, "TT-", "the failed unit's work is rolled back")
        self.assertEqual([shop.order_prefix for shop in others], ["DONE-", "DONE-"])
        self.assertEqual(
            [(shop.id, error.__name__) for shop, error in failures], [(first.id, "UndefinedColumn")]
        )
        self.assertTrue(logged.records[0].exc_info, "logged with its traceback")

    def test_a_tiktok_error_keeps_the_unit_s_work_and_the_next_unit_runs(self):
        first = self.shops[0]
        failures = []

        def process(shop):
            shop.order_prefix = "KEPT-"
            if shop == first:
                raise TikTokShopError("TikTok is down")

        with self.assertLogs(RUNNER_LOGGER, "WARNING"):
            outcomes = self._run_units(process, on_error=lambda *failure: failures.append(failure))
        self.assertEqual(outcomes, Counter(done=2, failed=1))
        self.assertEqual(self.shops.mapped("order_prefix"), ["KEPT-"] * 3)
        self.assertEqual([shop for shop, _error in failures], [first])

    def _cron_progress(self):
        cron = self.env.ref("tiktok_shop_connector.ir_cron_poll_orders")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        return progress, {"cron_id": cron.id, "ir_cron_progress_id": progress.id}

    def test_progress_counts_every_unit_and_the_run_stops_when_its_time_is_up(self):
        progress, context = self._cron_progress()
        with self._holding_elsewhere("work", self.shops[1]):
            self._run_units(lambda shop: None, context, lock=self._lock)
        self.assertEqual((progress.done, progress.remaining), (3, 0), "a skipped unit counts")

        progress, context = self._cron_progress()
        context["cron_end_time"] = time.monotonic() - 1
        outcomes = self._run_units(lambda shop: None, context)
        self.assertEqual(outcomes, Counter(done=1))
        self.assertEqual((progress.done, progress.remaining), (1, 2), "the cron runs again")

    def test_every_cron_runs_its_units_through_the_runner(self):
        Runner = type(self.env["tiktok.runner"])
        crons = self.env["ir.cron"].browse(
            self.env["ir.model.data"]
            .search([("module", "=", "tiktok_shop_connector"), ("model", "=", "ir.cron")])
            .mapped("res_id")
        )
        self.assertGreaterEqual(len(crons), 9)
        for cron in crons:
            method = re.fullmatch(r"model\.(_cron_\w+)\(\)", cron.code.strip()).group(1)
            with (
                self.subTest(cron=cron.name),
                patch.object(
                    Runner, "_run_units", autospec=True, side_effect=Runner._run_units
                ) as run_units,
            ):
                self._run_cron_method(cron.model_id.model, method)
                self.assertTrue(run_units.called, f"{method} loops over its units by itself")


@tagged("post_install", "-at_install")
class TestRunnerOnShops(RunnerTestMixin, OrderSandboxMixin, TransactionCase):
    """A cron's shops through the runner: one worker per shop and work, a sync log per run."""

    def _orders_logs(self, shop):
        domain = [("shop_id", "=", shop.id), ("kind", "=", "orders")]
        return self.env["tiktok.sync.log"].search(domain)

    def test_a_shop_another_worker_polls_is_skipped_and_the_others_are_polled(self):
        with self._holding_elsewhere("_tiktok_poll_orders", self.us):
            self._run_cron_method("tiktok.shop", "_cron_poll_orders")
        self.assertFalse(self._orders_logs(self.us))
        for shop in self.shops - self.us:
            self.assertEqual(self._orders_logs(shop).mapped("state"), ["done"])

    def test_a_shop_tiktok_refuses_fails_on_its_sync_log_and_the_next_shop_runs(self):
        first, *others = self.shops.sorted()  # in the order the cron runs them
        first.cipher = "ROW_unknown"
        with self.assertLogs(RUNNER_LOGGER, "WARNING"):
            self._run_cron_method("tiktok.shop", "_cron_poll_orders")
        log = self._orders_logs(first)
        self.assertEqual(log.state, "failed")
        self.assertIn("Invalid shop_cipher", log.message)
        for shop in others:
            self.assertEqual(self._orders_logs(shop).mapped("state"), ["done"])

    def test_a_bug_in_a_shop_s_run_is_on_its_sync_log_and_the_next_shop_runs(self):
        first, *others = self.shops.sorted()
        Shop = type(self.env["tiktok.shop"])
        poll = Shop._tiktok_poll_orders

        def poll_with_a_bug(shop, log=None):
            if shop != first:
                return poll(shop, log=log)
            log._count("created", 5)
            raise KeyError("line_items")

        with (
            patch.object(Shop, "_tiktok_poll_orders", autospec=True, side_effect=poll_with_a_bug),
            self.assertLogs(RUNNER_LOGGER, "ERROR"),
        ):
            self._committed_run(
                lambda env: env["tiktok.runner"]._run_per_shop(
                    "orders", self.shops.with_env(env), "_tiktok_poll_orders"
                )
            )
        log = self._orders_logs(first)
        self.assertEqual((log.state, log.created_count), ("failed", 0), "its work rolled back")
        self.assertIn("KeyError: 'line_items'", log.message)
        for shop in others:
            self.assertEqual(self._orders_logs(shop).mapped("state"), ["done"])
