"""Client-side rate limiting: one token bucket per (app, shop, endpoint).

TikTok allows 50 requests/second per endpoint for each (app, shop) pair and answers 429 above it.
Throttling before sending is cheaper than being throttled, and keeps one busy shop from eating
another shop's retries.
"""

import threading
import time
from collections import deque

from .const import DEFAULT_RATE_BURST, DEFAULT_RATE_PER_SECOND


class TokenBucketRateLimiter:
    """Thread-safe token buckets keyed by any hashable (the client uses (app, shop, endpoint)).

    Each call to `acquire(key)` takes one token and sleeps until that token is available. Rates
    can be set globally (constructor / `set_default_rate`), per exact key, or per endpoint (the
    last element of a tuple key, e.g. "GET /order/{v}/orders") for every shop at once.
    """

    def __init__(
        self,
        rate=DEFAULT_RATE_PER_SECOND,
        burst=DEFAULT_RATE_BURST,
        *,
        clock=time.monotonic,
        sleep=time.sleep,
    ):
        self._default_limit = _validated_limit(rate, burst)
        self._limits = {}
        self._buckets = {}  # key -> (tokens left, time of last update)
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep

    def set_default_rate(self, rate, burst=None):
        """Change the rate of every key that has no specific rate."""
        with self._lock:
            self._default_limit = _validated_limit(rate, burst)

    def set_rate(self, key, rate, burst=None):
        """Set the rate of one key, or of one endpoint across all shops."""
        with self._lock:
            self._limits[key] = _validated_limit(rate, burst)

    def reserve(self, key):
        """Take one token for `key` now; return how many seconds to wait before using it."""
        with self._lock:
            rate, burst = self._limit_for(key)
            now = self._clock()
            tokens, last_update = self._buckets.get(key, (burst, now))
            # A clock going backwards must not mint tokens (nor take them away).
            elapsed = max(0.0, now - last_update)
            tokens = min(burst, tokens + elapsed * rate) - 1
            self._buckets[key] = (tokens, now)
        # A negative balance is a queue of reservations: each waits for its own token.
        return 0.0 if tokens >= 0 else -tokens / rate

    def acquire(self, key):
        """Block until a request for `key` may be sent; return the seconds waited."""
        wait = self.reserve(key)
        if wait > 0:
            self._sleep(wait)
        return wait

    def _limit_for(self, key):
        if key in self._limits:
            return self._limits[key]
        if isinstance(key, tuple) and key and key[-1] in self._limits:
            return self._limits[key[-1]]
        return self._default_limit


def _validated_limit(rate, burst):
    rate = float(rate)
    burst = float(burst if burst is not None else DEFAULT_RATE_BURST)
    if rate <= 0:
        raise ValueError("rate must be positive")
    if burst < 1:
        raise ValueError("burst must allow at least one request")
    return rate, burst


class SequentialWindowPacer:
    """Limiter for one caller that sends its requests one after another, as fast as TikTok allows.

    TikTok admits at most `limit` requests per endpoint in any `window` seconds. A token bucket
    pacing at exactly that rate still gets refused now and then: requests do not reach TikTok
    with the spacing they left with. This pacer counts from the answers instead: a request starts
    only once the answer of the request `limit` places before it (same key) is `window` old. The
    answer came after TikTok admitted that request, so TikTok never sees more than `limit` in a
    window, whatever the network does; and a pause of the caller (computing the next batch) is
    made up for by the requests it lets go at once afterwards.

    The answer time of a request is taken when the caller asks for its next one, so it must not
    be shared between threads. It knows only its own calls: one started within a second of
    another caller's burst on the same endpoint may be refused at first, and is retried.
    """

    def __init__(
        self, limit=DEFAULT_RATE_PER_SECOND, window=1.0, *, clock=time.monotonic, sleep=time.sleep
    ):
        if limit < 1 or window <= 0:
            raise ValueError("limit must be at least 1 and window positive")
        self._limit = int(limit)
        self._window = window
        self._clock = clock
        self._sleep = sleep
        self._answered = {}  # key -> answer times of its last `limit` requests, oldest first
        self._pending_key = None

    def acquire(self, key):
        """Wait until a request for `key` may start; return the seconds waited."""
        now = self._clock()
        if self._pending_key is not None:
            # The caller is sequential: its previous request has been answered by now.
            self._answered[self._pending_key].append(now)
        answered = self._answered.setdefault(key, deque(maxlen=self._limit))
        wait = 0.0
        if len(answered) == self._limit:
            wait = max(0.0, answered[0] + self._window - now)
            if wait:
                self._sleep(wait)
        self._pending_key = key
        return wait


class NoRateLimit:
    """Limiter that never waits (tests, or when throttling happens elsewhere)."""

    def acquire(self, key):
        return 0.0


_shared_limiter = None
_shared_limiter_lock = threading.Lock()


def shared_rate_limiter():
    """Process-wide limiter, so separate client instances for one shop share its quota."""
    global _shared_limiter
    with _shared_limiter_lock:
        if _shared_limiter is None:
            _shared_limiter = TokenBucketRateLimiter()
        return _shared_limiter
