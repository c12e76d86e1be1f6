import { registry } from "@web/core/registry";
import {
    missingExpectationsSteps,
    openTikTokShopMenuSteps,
    quoted,
    readExpected,
} from "@tiktok_shop_connector/../tests/tours/tour_expectations";

/**
 * Follow a TikTok LIVE from its control room: open the event, open the control room, read each
 * featured product's figures; then, while the screen stays open, a buyer orders on TikTok and
 * the figures, the product's alert and the warehouse's notification follow without a reload.
 *
 * The test that starts this tour stores what to expect under EXPECTED_KEY (the product names
 * come from the TikTok Shop it sells on). It places the order when the tour logs SELL_SIGNAL.
 */
export const EXPECTED_KEY = "tiktok_shop_connector.live_room_tour.expected";
export const SELL_SIGNAL = "tiktok_shop_connector live room tour: sell now";
// Set on the page before the order: still there after it, the page was not reloaded.
const PAGE_MARK = "tiktokLiveRoomTourPage";

registry.category("web_tour.tours").add("tiktok_shop_connector_live_room", {
    steps: () => {
        const expected = readExpected(
            EXPECTED_KEY,
            (stored) => stored.event && stored.products?.length
        );
        if (!expected) {
            return missingExpectationsSteps(EXPECTED_KEY, "the expected event and figures");
        }
        const room = ".o_action.o_tiktok_live_room";
        const row = `${room} .o_tiktok_live_sku:has(td[name=product]:contains(${quoted(expected.product)}))`;
        const { before, after } = expected;
        return [
            ...openTikTokShopMenuSteps(),
            {
                content: "LIVE events",
                trigger:
                    ".dropdown-item[data-menu-xmlid='tiktok_shop_connector.menu_tiktok_shop_sales_live_events']",
                run: "click",
            },
            {
                content: "Open the LIVE event",
                trigger: `.o_list_view .o_data_row td[name=name]:text(${quoted(expected.event)})`,
                run: "click",
            },
            {
                content: "Open its control room",
                trigger: ".o_form_view .o_form_statusbar button[name=action_open_control_room]",
                run: "click",
            },
            {
                content: "The event is on screen",
                trigger: `${room} h2:text(${quoted(expected.event)})`,
            },
            {
                content: "Each featured product has its row",
                trigger: `${room} .o_tiktok_live_skus .o_tiktok_live_sku`,
                run() {
                    const shown = [
                        ...document.querySelectorAll(`${room} .o_tiktok_live_sku td[name=product] > span:first-child`),
                    ].map((cell) => cell.textContent.trim());
                    const wanted = [...expected.products].sort();
                    if (JSON.stringify(shown.sort()) !== JSON.stringify(wanted)) {
                        throw new Error(
                            `Rows ${JSON.stringify(shown)}, expected ${JSON.stringify(wanted)}`
                        );
                    }
                },
            },
            {
                content: "What the product has sold of its held stock",
                trigger: `${row} td[name=sold]:text(${quoted(before.sold)})`,
            },
            {
                content: "What is left of it",
                trigger: `${row} td[name=remaining]:text(${quoted(before.remaining)})`,
            },
            {
                content: "The event's orders",
                trigger: `${room} .o_tiktok_live_orders:text(${quoted(before.orders)})`,
            },
            {
                content: "Its orders per minute",
                trigger: `${room} .o_tiktok_live_chart rect.o_tiktok_live_bar`,
            },
            {
                content: "The time left",
                trigger: `${room} .o_tiktok_live_clock:not(:empty)`,
            },
            {
                content: "A buyer orders on TikTok now",
                trigger: room,
                run() {
                    window[PAGE_MARK] = true;
                    console.log(SELL_SIGNAL);
                },
            },
            {
                content: "The product's figures follow",
                trigger: `${row} td[name=sold]:text(${quoted(after.sold)})`,
                timeout: 30000,
            },
            {
                content: "Less is left",
                trigger: `${row} td[name=remaining]:text(${quoted(after.remaining)})`,
            },
            {
                content: "The event counts the new order",
                trigger: `${room} .o_tiktok_live_orders:text(${quoted(after.orders)})`,
            },
            {
                content: "The product is running low",
                trigger: `${row} td[name=product] .badge:text(${quoted(after.alert)})`,
            },
            {
                content: "The warehouse is told",
                trigger: `.o_notification:contains(${quoted(after.notification)})`,
            },
            {
                content: "All of it without reloading the page",
                trigger: room,
                run() {
                    if (!window[PAGE_MARK]) {
                        throw new Error("The control room was reloaded to show the new order");
                    }
                    localStorage.removeItem(EXPECTED_KEY);
                },
            },
        ];
    },
});
