import { Component, onMounted, onWillStart, onWillUnmount, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { ControlPanel } from "@web/search/control_panel/control_panel";
import { formatMonetary } from "@web/views/fields/formatters";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const { DateTime } = luxon;

// Sent by the server when the event's figures move (models/live_room/tiktok_live_event.py).
export const UPDATED = "tiktok_live_event/updated";
// The channel of one event, which the server only opens to users who may read it.
export const CHANNEL_PREFIX = "tiktok_live_event:";
// Orders come in bursts: the notifications of one moment lead to one read of the figures.
const REFRESH_DELAY = 300;
// The orders-per-minute chart, in SVG units (it stretches to the screen's width).
const CHART_WIDTH = 600;
const CHART_HEIGHT = 120;
const BAR_GAP = 1;

/**
 * The control room of a TikTok LIVE event: per featured product what is held, sold and left,
 * the event's orders, units and revenue, its orders per minute and the time left.
 *
 * The figures come from `tiktok.live.event.get_dashboard_data`; the server announces on the
 * event's bus channel each time they move (an order linked, confirmed or cancelled, held stock
 * taken, an alert), and the screen reads them again without reloading the page.
 */
export class LiveControlRoom extends Component {
    static template = "tiktok_shop_connector.LiveControlRoom";
    static components = { ControlPanel };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.busService = useService("bus_service");
        const { params, context } = this.props.action;
        this.eventId = params?.event_id || context?.active_id || false;
        this.state = useState({ data: null, secondsLeft: 0, secondsToStart: 0 });
        this.onUpdated = (payload) => {
            if (payload.event_id === this.eventId) {
                this.scheduleRefresh();
            }
        };
        onWillStart(() => this.refresh());
        onMounted(() => {
            if (!this.eventId) {
                return;
            }
            this.channel = `${CHANNEL_PREFIX}${this.eventId}`;
            this.busService.subscribe(UPDATED, this.onUpdated);
            this.busService.addChannel(this.channel);
            this.clock = setInterval(() => this.tick(), 1000);
        });
        onWillUnmount(() => {
            clearInterval(this.clock);
            clearTimeout(this.refreshTimeout);
            if (this.channel) {
                this.busService.unsubscribe(UPDATED, this.onUpdated);
                this.busService.deleteChannel(this.channel);
            }
        });
    }

    async refresh() {
        if (!this.eventId) {
            return;
        }
        const data = await this.orm.call("tiktok.live.event", "get_dashboard_data", [
            this.eventId,
        ]);
        Object.assign(this.state, {
            data,
            secondsLeft: data.seconds_left,
            secondsToStart: data.seconds_to_start,
        });
    }

    scheduleRefresh() {
        clearTimeout(this.refreshTimeout);
        this.refreshTimeout = setTimeout(() => this.refresh(), REFRESH_DELAY);
    }

    tick() {
        this.state.secondsLeft = Math.max(0, this.state.secondsLeft - 1);
        this.state.secondsToStart = Math.max(0, this.state.secondsToStart - 1);
    }

    get data() {
        return this.state.data;
    }

    get clockLabel() {
        const { state } = this.data;
        if (state === "scheduled" && this.state.secondsToStart) {
            return _t("Starts in");
        }
        return ["scheduled", "live"].includes(state) ? _t("Time left") : _t("LIVE over");
    }

    get clockValue() {
        const { state } = this.data;
        if (state === "scheduled" && this.state.secondsToStart) {
            return countdown(this.state.secondsToStart);
        }
        return ["scheduled", "live"].includes(state) ? countdown(this.state.secondsLeft) : "";
    }

    money(amount) {
        return formatMonetary(amount, { currencyId: this.data.currency_id });
    }

    units(quantity) {
        return Number(quantity.toFixed(3)).toString();
    }

    soldPercent(line) {
        return line.fenced ? Math.min(100, Math.round((100 * line.sold) / line.fenced)) : 0;
    }

    progressClass(line) {
        if (line.alert === "sold_out") {
            return "bg-danger";
        }
        return line.alert === "low" ? "bg-warning" : "bg-success";
    }

    get chart() {
        const minutes = this.data.orders_per_minute;
        const peak = Math.max(1, ...minutes.map((minute) => minute.orders));
        const slot = CHART_WIDTH / Math.max(1, minutes.length);
        const bars = minutes.map((minute, index) => {
            const height = (CHART_HEIGHT * minute.orders) / peak;
            return {
                key: minute.minute,
                x: index * slot,
                y: CHART_HEIGHT - height,
                width: Math.max(0.5, slot - BAR_GAP),
                height,
                title: _t("%(time)s: %(orders)s orders", {
                    time: timeOfDay(minute.minute),
                    orders: minute.orders,
                }),
            };
        });
        return {
            bars,
            peak,
            total: minutes.reduce((sum, minute) => sum + minute.orders, 0),
            first: minutes.length ? timeOfDay(minutes[0].minute) : "",
            last: minutes.length ? timeOfDay(minutes.at(-1).minute) : "",
            viewBox: `0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`,
        };
    }
}

/** "1:05:09", or "05:09" under an hour. */
export function countdown(seconds) {
    const hours = Math.floor(seconds / 3600);
    const rest = DateTime.fromSeconds(seconds % 3600, { zone: "utc" }).toFormat("mm:ss");
    return hours ? `${hours}:${rest}` : rest;
}

function timeOfDay(unixSeconds) {
    return DateTime.fromSeconds(unixSeconds).toLocaleString(DateTime.TIME_SIMPLE);
}

registry.category("actions").add("tiktok_live_control_room", LiveControlRoom);
