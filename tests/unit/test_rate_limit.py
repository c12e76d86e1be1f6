"""Token bucket rate limiter, with fake time (and one real-time thread-safety check)."""

import threading
import time

import pytest
from tiktok_shop.rate_limit import TokenBucketRateLimiter

from .fake_tiktok import SHOP_CIPHER, FakeClock, RecordingLimiter, ok


def limiter_with_fake_time(**options):
    clock = FakeClock(start=0.0)
    return TokenBucketRateLimiter(clock=clock, sleep=clock.sleep, **options), clock


def test_120_calls_at_50_per_second_take_about_two_seconds():
    limiter, clock = limiter_with_fake_time(rate=50)

    for _ in range(120):
        limiter.acquire(("app", "shop-a", "POST /order/202309/orders/search"))

    # The first call is free, the 119 others are spaced 1/50 s apart.
    assert clock.now == pytest.approx(119 / 50)
    assert 2.0 <= clock.now <= 2.5


def test_burst_lets_a_full_second_through_at_once():
    limiter, clock = limiter_with_fake_time(rate=50, burst=50)

    for _ in range(120):
        limiter.acquire("key")

    assert clock.now == pytest.approx(70 / 50)


def test_two_keys_do_not_share_a_bucket():
    limiter, clock = limiter_with_fake_time(rate=50)

    for _ in range(60):
        limiter.acquire(("app", "shop-a", "GET /x"))
        limiter.acquire(("app", "shop-b", "GET /x"))

    # 120 calls, but 60 per bucket: the time of one bucket, not of both (which would be 2.38 s).
    assert clock.now == pytest.approx(59 / 50)


def test_rate_can_be_set_per_endpoint_per_key_and_globally():
    limiter, clock = limiter_with_fake_time(rate=50)
    limiter.set_rate("GET /slow", 10)
    limiter.set_rate(("app", "vip", "GET /fast"), 100)

    for _ in range(11):
        limiter.acquire(("app", "shop-a", "GET /slow"))
    assert clock.now == pytest.approx(1.0)

    for _ in range(101):
        limiter.acquire(("app", "vip", "GET /fast"))
    assert clock.now == pytest.approx(2.0)

    limiter.set_default_rate(5)
    for _ in range(6):
        limiter.acquire(("app", "shop-a", "GET /other"))
    assert clock.now == pytest.approx(3.0)


def test_an_idle_bucket_refills():
    limiter, clock = limiter_with_fake_time(rate=50)
    limiter.acquire("key")
    clock.sleep(1.0)
    clock.sleeps.clear()

    assert limiter.acquire("key") == 0.0
    assert clock.sleeps == []


def test_invalid_rates_are_refused():
    with pytest.raises(ValueError):
        TokenBucketRateLimiter(rate=0)
    with pytest.raises(ValueError):
        TokenBucketRateLimiter(rate=10, burst=0.5)


def test_concurrent_threads_share_one_bucket_safely():
    limiter = TokenBucketRateLimiter(rate=500)  # real clock: 100 calls take >= 99/500 s
    started = time.monotonic()

    def worker():
        for _ in range(25):
            limiter.acquire("shared")

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert time.monotonic() - started >= 99 / 500 - 0.01


def test_client_acquires_once_per_attempt_keyed_by_shop_and_endpoint(server, make_client):
    limiter = RecordingLimiter()
    server.queue(ok(), ok(), ok())
    client = make_client(rate_limiter=limiter)

    client.request(
        "GET", "/order/202407/orders/576486316948490001/price_detail", shop_cipher=SHOP_CIPHER
    )
    client.request(
        "GET", "/order/202407/orders/576486316948490002/price_detail", shop_cipher=SHOP_CIPHER
    )
    client.request("GET", "/authorization/202309/shops")

    endpoint = "GET /order/202407/orders/{id}/price_detail"
    assert limiter.keys == [
        (client.app_key, SHOP_CIPHER, endpoint),
        (client.app_key, SHOP_CIPHER, endpoint),  # every order shares the endpoint's bucket
        (client.app_key, "", "GET /authorization/202309/shops"),
    ]
