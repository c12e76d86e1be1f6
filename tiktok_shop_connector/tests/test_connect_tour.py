import importlib.util
import json
import os
import shutil
import threading
import time
import unittest
from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tests import common as odoo_tests_common
from odoo.tests.common import ChromeBrowser, ChromeBrowserException

from tiktok_shop_sandbox.auth import first_seller

from .common import SandboxMixin

TOUR_NAME = "tiktok_shop_connector_connect"
# Read by the tour (static/tests/tours/connect_tiktok_shop_tour.js) on every page load.
TOUR_EXPECTED_KEY = "tiktok_shop_connector.connect_tour.expected"
ACCOUNT_NAME = "Brand on TikTok Shop"
CHROMIUM = "/usr/bin/chromium"

# Evaluated in the tour's tab, over and over, until "Authorize" is clicked on the sandbox's
# consent page and the browser is back in Odoo's web client. Any other page it finds is a dead
# end (a page without the button, an error page of the callback, a browser error page): it is
# reported with console.error, which fails the tour at once instead of letting it time out.
CONSENT_PROBE = """
((phase, sandboxOrigin, odooOrigin) => {
    if (document.readyState !== "complete" || location.href === "about:blank") {
        return "loading";
    }
    const pageText = () => (document.body ? document.body.innerText : "").trim().slice(0, 500);
    const inWebClient = location.origin === odooOrigin
        && document.body && document.body.classList.contains("o_web_client");
    const authorize = document.querySelector("form button[name='decision'][value='authorize']");
    if (location.origin === sandboxOrigin && authorize) {
        if (phase === "consent") {
            authorize.click();
            return "clicked";
        }
        return "leaving";  // the click's navigation has not replaced the page yet
    }
    if (inWebClient) {
        return phase === "consent" ? "odoo" : "back";
    }
    const step = phase === "consent" ? "Looking for the Authorize button" : "After Authorize";
    console.error(`${step}, the browser is on ${location.href}: ${pageText()}`);
    return "failed";
})(%s)
"""
PROBE_INTERVAL = 0.1


class SandboxConsentBrowser(ChromeBrowser):
    """Odoo's test browser that also plays the seller on the sandbox's consent page.

    Tours only run on Odoo's pages; while the tour waits to be resumed, this clicks "Authorize"
    through the DevTools connection (Runtime.evaluate) and follows the redirect back to Odoo.
    The test case provides `sandbox`; the outcome is left on it as `consent_probe`.
    """

    def navigate_to(self, url, wait_stop=False):
        if not getattr(self, "_consent_probe_thread", None):
            self.test_case.consent_probe = {"clicked": False, "outcome": None, "timeline": []}
            self._consent_probe_stop = threading.Event()
            self._consent_probe_thread = threading.Thread(
                target=self._probe_consent, name="sandbox consent clicker", daemon=True
            )
            self._consent_probe_thread.start()
        return super().navigate_to(url, wait_stop=wait_stop)

    def stop(self):
        if getattr(self, "_consent_probe_thread", None):
            self._consent_probe_stop.set()
            self._consent_probe_thread.join(timeout=5)
        super().stop()

    def _probe_consent(self):
        report = self.test_case.consent_probe
        origins = (self.test_case.sandbox.url, self.test_case.base_url())
        phase = "consent"
        while not self._consent_probe_stop.wait(PROBE_INTERVAL):
            arguments = ", ".join(json.dumps(value) for value in (phase, *origins))
            try:
                answer = self._websocket_request(
                    "Runtime.evaluate",
                    params={"expression": CONSENT_PROBE % arguments, "returnByValue": True},
                    timeout=5,
                )
            except (ChromeBrowserException, TimeoutError):
                continue  # the page is being replaced: ask the next one
            where = ((answer or {}).get("result") or {}).get("value")
            if not report["timeline"] or report["timeline"][-1] != where:
                report["timeline"].append(where)
            if where == "clicked":
                report["clicked"] = True
                phase = "redirect"
            elif where in ("back", "failed"):
                report["outcome"] = where
                return


@tagged("post_install", "-at_install")
class TestConnectTour(SandboxMixin, HttpCase):
    """A TikTok Shop manager connects an account from its form, through the consent page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._create_manager(cls.env)
        cls.account = cls._sandbox_account(name=ACCOUNT_NAME)
        cls._register_redirect_url(cls.base_url())

    def _require_browser(self):
        # Odoo skips browser tests when either is missing; a connect flow nobody ran is a failure.
        if importlib.util.find_spec("websocket") is None:
            self.fail("The websocket-client module is missing: pip install websocket-client")
        if not (shutil.which("chromium") or os.access(CHROMIUM, os.X_OK)):
            self.fail(f"Chromium is missing: neither {CHROMIUM} nor chromium on PATH")

    def _seller_on_the_consent_page(self):
        """The seller the consent page preselects, so the one "Authorize" connects."""
        state = self.sandbox.state
        seller = state.sellers[first_seller(state)]
        return seller, [shop.name for shop in state.shops_of(seller.open_id)]

    def test_connect_from_the_account_form(self):
        self._require_browser()
        seller, shop_names = self._seller_on_the_consent_page()
        self.assertTrue(shop_names, "the sandbox seller has no shop to show")
        expected = {"account": ACCOUNT_NAME, "seller": seller.name, "shops": shop_names}
        # start_tour's own start code, preceded by the expectations the tour reads back after
        # the round trip (it cannot ask TikTok which shops the seller has).
        start_tour = (
            f"localStorage.setItem({json.dumps(TOUR_EXPECTED_KEY)}, "
            f"{json.dumps(json.dumps(expected))}); "
            f"odoo.startTour({json.dumps(TOUR_NAME)}, {json.dumps({'startUrl': '/odoo'})})"
        )
        started = time.monotonic()
        try:
            with patch.object(odoo_tests_common, "ChromeBrowser", SandboxConsentBrowser):
                self.start_tour(
                    "/odoo", TOUR_NAME, login=self.manager.login, code=start_tour, timeout=40
                )
        except unittest.SkipTest as skipped:
            self.fail(f"The browser could not run the tour: {skipped}")
        self._logger.info("connect tour took %.1f s", time.monotonic() - started)

        probe = self.consent_probe
        self.assertTrue(probe["clicked"], f"Authorize was never clicked: {probe['timeline']}")
        self.assertEqual(probe["outcome"], "back", probe["timeline"])
        self.assertEqual(self.account.state, "connected")
        self.assertEqual(self.account.tiktok_open_ref, seller.open_id)
        self.assertEqual(self.account.seller_name, seller.name)
        self.assertEqual(sorted(self.account.shop_ids.mapped("name")), sorted(shop_names))
        remote_ids = {self.sandbox.state.shops[shop_id].id for shop_id in seller.shop_ids}
        self.assertEqual(set(self.account.shop_ids.mapped("tiktok_shop_ref")), remote_ids)
