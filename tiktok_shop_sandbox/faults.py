"""Faults the sandbox injects on purpose, so callers' retry and recovery paths get exercised.

Each knob is a share of API requests (0 to 1), all off by default. The draws come from a
generator seeded from the sandbox seed, so a single-threaded caller sees the same faults on the
same requests at every run. The control API (`/sandbox/faults`) is never faulted.
"""

import random
import threading
from dataclasses import asdict, dataclass

from .constants import CODE_TOO_MANY_REQUESTS
from .routing import ApiError

# Not a documented TikTok code: the envelope of an injected 5xx.
CODE_SERVER_ERROR = 36009999


@dataclass
class FaultKnobs:
    error_5xx_share: float = 0.0  # HTTP 500/503 with an error envelope
    rate_limit_share: float = 0.0  # HTTP 429, code 36009002, though under the quota
    slow_share: float = 0.0  # answer after `slow_seconds`
    slow_seconds: float = 2.0
    reset_share: float = 0.0  # drop the connection without answering (TCP reset)


@dataclass(frozen=True)
class Fault:
    """What to do to one request: wait `delay` s, then reset, answer `error`, or serve it."""

    delay: float = 0.0
    reset: bool = False
    error: ApiError = None


NO_FAULT = Fault()
_SHARES = ("error_5xx_share", "rate_limit_share", "slow_share", "reset_share")


class Faults:
    def __init__(self, seed=0):
        self.knobs = FaultKnobs()
        self._rng = random.Random(f"faults-{seed}")
        self._lock = threading.Lock()

    def configure(self, **knobs):
        """Set some knobs (unknown names or shares outside [0, 1] raise ValueError)."""
        unknown = set(knobs) - set(asdict(self.knobs))
        if unknown:
            raise ValueError(f"unknown fault knobs: {sorted(unknown)}")
        for name, value in knobs.items():
            value = float(value)
            if value < 0 or (name in _SHARES and value > 1):
                raise ValueError(f"{name} must be between 0 and 1")
            setattr(self.knobs, name, value)
        return self.as_dict()

    def reset(self):
        self.knobs = FaultKnobs()

    def as_dict(self):
        return asdict(self.knobs)

    def draw(self):
        """Decide the fault of one request (most requests: `NO_FAULT`, without touching the rng)."""
        knobs = self.knobs
        if not any(getattr(knobs, share) for share in _SHARES):
            return NO_FAULT
        with self._lock:
            slow = self._rng.random() < knobs.slow_share
            pick = self._rng.random()
            flavour = self._rng.random()
        delay = knobs.slow_seconds if slow else 0.0
        if pick < knobs.reset_share:
            return Fault(delay=delay, reset=True)
        pick -= knobs.reset_share
        if pick < knobs.error_5xx_share:
            status = 503 if flavour < 0.5 else 500
            return Fault(
                delay=delay, error=ApiError(CODE_SERVER_ERROR, "Service unavailable", status)
            )
        pick -= knobs.error_5xx_share
        if pick < knobs.rate_limit_share:
            return Fault(
                delay=delay, error=ApiError(CODE_TOO_MANY_REQUESTS, "Too many requests", 429)
            )
        return Fault(delay=delay) if delay else NO_FAULT
