"""The LIVE control room without Odoo: the orders-per-minute chart and when a featured product's
held stock calls for an alert (see `live_events` for the fence itself)."""

from collections import Counter

MINUTE = 60
# The chart keeps the latest minutes: a LIVE of several hours stays readable on one screen.
CHART_MINUTES = 120

# The alerts a featured product's held stock raises, in order: each is raised once per event.
NO_ALERT = "none"
RUNNING_LOW = "low"
SOLD_OUT = "sold_out"
_ALERT_RANK = {NO_ALERT: 0, RUNNING_LOW: 1, SOLD_OUT: 2}


def minute_of(timestamp):
    """The Unix second the minute of `timestamp` starts at."""
    return timestamp - timestamp % MINUTE


def orders_per_minute(create_times, start, end, limit=CHART_MINUTES):
    """[(minute, orders)] oldest first: every minute from the one of `start` to the one of
    `end`, those without orders too (a gap shows as a gap); the last `limit` minutes at most.

    :param create_times: Unix seconds the orders were placed at
    :param start: Unix seconds the chart starts at (the event's start, or its first order)
    :param end: Unix seconds it ends at (now while the LIVE sells, or its end)
    """
    last = minute_of(max(start, end))
    first = max(minute_of(start), last - (limit - 1) * MINUTE)
    counts = Counter(minute_of(time) for time in create_times)
    return [(minute, counts.get(minute, 0)) for minute in range(first, last + MINUTE, MINUTE)]


def alert_to_raise(raised, remaining, threshold):
    """The alert a featured product's held stock calls for now, or None.

    SOLD_OUT when nothing is held any more, RUNNING_LOW when what is held fell to the threshold
    (none without a threshold); never the alert already raised, nor a lesser one after it (stock
    sold out and given back by a cancellation is not "running low" news).

    :param raised: the alert raised last (NO_ALERT, RUNNING_LOW or SOLD_OUT)
    :param remaining: whole units still held for the LIVE
    :param threshold: the seller's "alert below" quantity, 0 for none
    """
    if remaining <= 0:
        due = SOLD_OUT
    elif threshold > 0 and remaining <= threshold:
        due = RUNNING_LOW
    else:
        return None
    return due if _ALERT_RANK[due] > _ALERT_RANK[raised] else None
