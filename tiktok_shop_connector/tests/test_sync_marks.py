import time

from odoo.tests import TransactionCase, tagged

from .. import const
from .common import TikTokTestMixin


@tagged("post_install", "-at_install")
class TestSyncMarks(TikTokTestMixin, TransactionCase):
    """The one high-water mark mechanism of the syncs that read TikTok by update time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls._create_shop(cls._create_account(cls.env))

    def test_a_mark_moves_forward_holds_before_a_failure_and_never_moves_backwards(self):
        # Times of today's order: the overlap of every kind (a week for statements) fits in them.
        t0 = 1_760_000_000
        for kind, overlap in const.SYNC_MARK_OVERLAP_SECONDS.items():
            with self.subTest(kind=kind):
                shop, field_name = self.shop, f"{kind}_high_water_mark"
                self.assertEqual(shop[field_name], 0)
                shop._tiktok_mark_advance(
                    kind, [{"update_time": t0 + 1000}, {"update_time": t0 + 1500}]
                )
                self.assertEqual(shop[field_name], t0 + 1500)
                self.assertEqual(shop._tiktok_mark_start(kind), t0 + 1500 - overlap)
                shop._tiktok_mark_advance(kind, [{"update_time": t0 + 1200}])
                self.assertEqual(shop[field_name], t0 + 1500, "older records never move it back")
                shop._tiktok_mark_advance(
                    kind, [{"update_time": t0 + 2500}], [t0 + 2000, t0 + 2200]
                )
                self.assertEqual(shop[field_name], t0 + 1999, "held before the oldest failure")
                shop._tiktok_mark_advance(kind, [{"update_time": t0 + 3000}], [t0 + 1800])
                self.assertEqual(shop[field_name], t0 + 1999, "a failure before the mark keeps it")
        self.assertEqual(len(self.shop.sync_mark_ids), len(const.SYNC_MARK_OVERLAP_SECONDS))

    def test_before_the_first_run_orders_look_back_and_the_catalog_reads_everything(self):
        three_days = 3 * 86400
        self.assertAlmostEqual(
            self.shop._tiktok_mark_start("orders", three_days), time.time() - three_days, delta=5
        )
        self.assertIsNone(self.shop._tiktok_mark_start("catalog"))
