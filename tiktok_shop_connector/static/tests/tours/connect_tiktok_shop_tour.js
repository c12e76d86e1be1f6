import { registry } from "@web/core/registry";
import {
    missingExpectationsSteps,
    openTikTokShopMenuSteps,
    quoted,
    readExpected,
} from "@tiktok_shop_connector/../tests/tours/tour_expectations";

/**
 * Connect a TikTok account from its form: "Connect TikTok Shop" leaves Odoo for TikTok's
 * consent page, TikTok sends the seller back through the OAuth callback to the account form,
 * which then shows the account connected with its shops.
 *
 * The consent page is on TikTok's origin, where tours do not run: the test that starts this
 * tour clicks "Authorize" there itself, and the tour resumes once the browser is back in Odoo.
 *
 * The account, seller and shop names to look for are only known to the test (they come from
 * the TikTok Shop it connects to). It stores them under EXPECTED_KEY in Odoo's localStorage
 * before starting the tour: the steps are rebuilt on every page load, and localStorage is what
 * survives the round trip through TikTok.
 */
export const EXPECTED_KEY = "tiktok_shop_connector.connect_tour.expected";

registry.category("web_tour.tours").add("tiktok_shop_connector_connect", {
    steps: () => {
        const expected = readExpected(
            EXPECTED_KEY,
            (stored) => stored.account && stored.seller && stored.shops?.length
        );
        if (!expected) {
            return missingExpectationsSteps(EXPECTED_KEY, "the expected account, seller and shops");
        }
        const shopRows = ".o_form_view .o_field_widget[name=shop_ids] .o_data_row";
        return [
            ...openTikTokShopMenuSteps(),
            {
                content: "Configuration → Accounts",
                trigger:
                    ".dropdown-item[data-menu-xmlid='tiktok_shop_connector.menu_tiktok_shop_sales_accounts']",
                run: "click",
            },
            {
                content: "Open the account",
                trigger: `.o_list_view .o_data_row td[name=name]:text(${quoted(expected.account)})`,
                run: "click",
            },
            {
                content: "The account is not connected yet",
                trigger: ".o_form_view .o_statusbar_status button[data-value=draft][aria-checked=true]",
            },
            {
                content: "Connect TikTok Shop: the browser leaves for TikTok's consent page",
                trigger: ".o_form_view .o_form_statusbar button.o_tiktok_connect:contains('Connect TikTok Shop')",
                run: "click",
                expectUnloadPage: true,
            },
            // The test clicks "Authorize" on TikTok's page; TikTok redirects to Odoo's callback,
            // which redirects to the account form.
            {
                content: "Back on the account form, connected",
                trigger: ".o_form_view .o_statusbar_status button[data-value=connected][aria-checked=true]",
                timeout: 20000,
            },
            {
                content: "The connection names the seller",
                trigger: `.o_form_view .alert-success:contains(${quoted(expected.seller)})`,
            },
            {
                content: "The Connect button is gone",
                trigger: ".o_form_view .o_form_statusbar:not(:has(button.o_tiktok_connect))",
            },
            {
                content: "The shop count matches the seller's shops",
                trigger: `.o_form_view .oe_stat_button .o_stat_value:text(${quoted(expected.shops.length)})`,
            },
            ...expected.shops.map((shop) => ({
                content: `Shop ${shop} is listed`,
                trigger: `${shopRows} td[name=name]:text(${quoted(shop)})`,
            })),
            {
                content: "No other shop is listed",
                trigger: shopRows,
                run() {
                    const listed = [
                        ...document.querySelectorAll(`${shopRows} td[name=name]`),
                    ].map((cell) => cell.textContent.trim());
                    const wanted = [...expected.shops].sort();
                    if (JSON.stringify(listed.sort()) !== JSON.stringify(wanted)) {
                        throw new Error(
                            `Listed shops ${JSON.stringify(listed)}, expected ${JSON.stringify(wanted)}`
                        );
                    }
                    localStorage.removeItem(EXPECTED_KEY);
                },
            },
        ];
    },
});
