"""SequentialWindowPacer: a sequential caller never has more than `limit` requests admitted in any
window, counted from the answers, and makes up for its own pauses."""

import pytest
from tiktok_shop.rate_limit import SequentialWindowPacer


class FakeTime:
    def __init__(self):
        self.now = 100.0

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def send(pacer, fake, key, latency, admitted):
    """One request: wait for the pacer, reach the gateway after `latency`, answer at once."""
    pacer.acquire(key)
    fake.now += latency
    admitted.append(fake.now)


def test_the_first_limit_requests_go_at_once():
    fake = FakeTime()
    pacer = SequentialWindowPacer(5, 1.0, clock=fake.clock, sleep=fake.sleep)
    for _ in range(5):
        assert pacer.acquire("k") == 0.0
    assert fake.now == 100.0


def test_a_window_never_holds_more_than_limit_requests_whatever_the_latency():
    fake = FakeTime()
    pacer = SequentialWindowPacer(5, 1.0, clock=fake.clock, sleep=fake.sleep)
    admitted = []
    for index in range(60):
        send(pacer, fake, "k", latency=(0.001, 0.2, 0.03)[index % 3], admitted=admitted)
    for index in range(len(admitted) - 5):
        assert admitted[index + 5] - admitted[index] >= 1.0


def test_a_pause_is_made_up_for_afterwards():
    fake = FakeTime()
    pacer = SequentialWindowPacer(5, 1.0, clock=fake.clock, sleep=fake.sleep)
    admitted = []
    for _ in range(5):
        send(pacer, fake, "k", 0.001, admitted)
    fake.now += 2.0  # the caller computes its next batch
    started = fake.now
    # The last answer before the pause is only noted after it: that one slot waits a window.
    for _ in range(4):
        send(pacer, fake, "k", 0.001, admitted)
    assert fake.now - started == pytest.approx(0.004)


def test_keys_are_paced_apart():
    fake = FakeTime()
    pacer = SequentialWindowPacer(2, 1.0, clock=fake.clock, sleep=fake.sleep)
    for key in ("a", "a", "b", "b"):
        assert pacer.acquire(key) == 0.0
    assert pacer.acquire("a") > 0


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        SequentialWindowPacer(0)
