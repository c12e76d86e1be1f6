import importlib.util
import json
import logging
import os
import shutil
import threading
import unittest
from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tests import common as odoo_tests_common
from odoo.tests.common import ChromeBrowser

from .test_live_events import SELLER_FULFILLED, LiveEventMixin

_logger = logging.getLogger(__name__)

TOUR_NAME = "tiktok_shop_connector_live_room"
# Read by the tour (static/tests/tours/live_control_room_tour.js) on every page load.
TOUR_EXPECTED_KEY = "tiktok_shop_connector.live_room_tour.expected"
# Logged by the tour when the control room is open and waits for a new order.
SELL_SIGNAL = "tiktok_shop_connector live room tour: sell now"
EVENT_NAME = "Friday night LIVE"
CHROMIUM = "/usr/bin/chromium"
SOLD_BEFORE = 3
SOLD_DURING = 12
HELD = 20  # 18 featured and 10 % of buffer
ALERT_BELOW = 5


class SellingBrowser(ChromeBrowser):
    """Odoo's test browser that has the test place a LIVE order when the tour asks for it.

    The order is imported on a cursor of its own in a thread, as a webhook's import would be,
    while the tour keeps the control room open.
    """

    def _handle_console(self, type, args=None, stackTrace=None, **kw):
        super()._handle_console(type, args=args, stackTrace=stackTrace, **kw)
        if type == "log" and args and self._from_remoteobject(args[0]) == SELL_SIGNAL:
            self.test_case.sale_thread = threading.Thread(
                target=self.test_case._sell_during_the_tour, name="LIVE buyer", daemon=True
            )
            self.test_case.sale_thread.start()


@tagged("post_install", "-at_install")
class TestLiveControlRoomTour(LiveEventMixin, HttpCase):
    """The LIVE's responsible follows it in its control room as it sells."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The event's form shows its orders and its waves: Sales and Inventory records.
        cls.manager = cls._create_manager(cls.env)
        cls.manager.group_ids += cls.env.ref("sales_team.group_sale_salesman") + cls.env.ref(
            "stock.group_stock_user"
        )

    def _require_browser(self):
        # Odoo skips browser tests when either is missing; a control room nobody ran is a failure.
        if importlib.util.find_spec("websocket") is None:
            self.fail("The websocket-client module is missing: pip install websocket-client")
        if not (shutil.which("chromium") or os.access(CHROMIUM, os.X_OK)):
            self.fail(f"Chromium is missing: neither {CHROMIUM} nor chromium on PATH")

    def _sell_during_the_tour(self):
        """A buyer orders on TikTok; Odoo imports the order, then the reservation cron the
        import triggered takes its units from the held stock, each on a cursor of its own."""
        try:
            with self.registry.cursor() as cr:
                shop = self.us.with_env(self.env(cr=cr))
                remote = self._place(
                    shop, [(self.sku.tiktok_sku_ref, SOLD_DURING)], **SELLER_FULFILLED
                )
                shop._tiktok_import_order_ids([remote.id])
                self.sold_during = remote.id
            with self.registry.cursor() as cr:
                requests = self.env["tiktok.reservation.request"].with_env(self.env(cr=cr))
                requests._cron_reserve_tiktok_orders()
        except Exception as error:  # reported by the test once the tour is over
            _logger.exception("The LIVE order of the tour failed")
            self.sale_error = error

    def test_the_control_room_follows_the_live_without_a_reload(self):
        self._require_browser()
        event = self._event(name=EVENT_NAME, lines=[(self.product, 18), (self.other_product, 5)])
        event.user_id = self.manager
        event.line_ids.filtered(
            lambda line: line.product_id == self.product
        ).alert_threshold = ALERT_BELOW
        event.action_schedule()
        self._push()
        self._live_order(SOLD_BEFORE, **SELLER_FULFILLED)
        line = event.line_ids.filtered(lambda line: line.product_id == self.product)
        self.assertEqual((line.fenced_qty, line.sold_qty), (HELD, SOLD_BEFORE))

        expected = {
            "event": EVENT_NAME,
            "products": event.line_ids.product_id.mapped("display_name"),
            "product": self.product.display_name,
            "before": {"sold": SOLD_BEFORE, "remaining": HELD - SOLD_BEFORE, "orders": 1},
            "after": {
                "sold": SOLD_BEFORE + SOLD_DURING,
                "remaining": HELD - SOLD_BEFORE - SOLD_DURING,
                "orders": 2,
                "alert": "Running low",
                "notification": "Running low on the LIVE",
            },
        }
        start_url = "/odoo"
        start_tour = (
            f"localStorage.setItem({json.dumps(TOUR_EXPECTED_KEY)}, "
            f"{json.dumps(json.dumps(expected))}); "
            f"odoo.startTour({json.dumps(TOUR_NAME)}, {json.dumps({'startUrl': start_url})})"
        )
        self.sale_thread = self.sale_error = self.sold_during = None
        try:
            with patch.object(odoo_tests_common, "ChromeBrowser", SellingBrowser):
                self.start_tour(
                    start_url, TOUR_NAME, login=self.manager.login, code=start_tour, timeout=60
                )
        except unittest.SkipTest as skipped:
            self.fail(f"The browser could not run the tour: {skipped}")
        finally:
            if self.sale_thread:
                self.sale_thread.join(timeout=30)

        self.assertIsNone(self.sale_error)
        self.assertTrue(self.sold_during, "the tour asked for the order")
        new_order = self._sale_orders(self.us, self.sold_during)
        self.assertEqual(new_order.tiktok_live_event_id, event)
        line.invalidate_recordset()
        self.assertEqual(line.alert_state, "low")
