/**
 * What the TikTok tours share: the test that starts a tour stores what to expect (names only it
 * knows, from the TikTok Shop it talks to) in Odoo's localStorage, and the tour reads them back
 * on every page load.
 */

import { stepUtils } from "@web_tour/tour_utils";

/** From the home screen to the TikTok Shop menu of Sales, where every TikTok tour starts. */
export function openTikTokShopMenuSteps() {
    return [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Sales",
            trigger: ".o_app[data-menu-xmlid='sale.sale_menu_root']",
            run: "click",
        },
        {
            content: "Open the TikTok Shop menu",
            trigger:
                ".o_menu_sections [data-menu-xmlid='tiktok_shop_connector.menu_tiktok_shop_sales_root']",
            run: "click",
        },
    ];
}

/** The stored expectations under `key`, or null until `isComplete(stored)` holds. */
export function readExpected(key, isComplete) {
    const stored = JSON.parse(localStorage.getItem(key) || "null");
    return stored && isComplete(stored) ? stored : null;
}

/** `text` as a quoted string for a `:contains()` or `:text()` selector. */
export function quoted(text) {
    return JSON.stringify(String(text));
}

/**
 * The steps of a tour whose expectations are not stored yet. Odoo also builds the steps when
 * it checks the tour is ready, before the test stored them: fail only when the steps run.
 */
export function missingExpectationsSteps(key, what) {
    return [
        {
            content: `The test stores ${what} first`,
            trigger: "body",
            run() {
                throw new Error(`No expectations stored under ${key}`);
            },
        },
    ];
}
