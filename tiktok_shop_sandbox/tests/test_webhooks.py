"""Webhook pushes: signature, envelope, retry schedule scaled by the clock, duplicates, losses,
reordering, and every topic the sandbox pushes."""

import time

from tiktok_shop.webhooks import parse_webhook_event, verify_webhook_signature

from tiktok_shop_sandbox import orders
from tiktok_shop_sandbox.app import Sandbox


def emit(sandbox, count=1, type_number=1):
    shop = sandbox.shop("US")
    with sandbox.state.lock:
        return [
            sandbox.state.emit_webhook(
                type_number, shop.id, {"order_id": str(index), "order_status": "ON_HOLD"}
            )
            for index in range(count)
        ]


def outcomes(sandbox):
    return [(record["attempt"], record["outcome"]) for record in sandbox.pusher.log()]


def test_pushes_are_signed_like_tiktok(sandbox, make_receiver, us_shop, place, stock):
    receiver = make_receiver()
    sandbox.set_webhook_url(receiver.url)
    order = place(us_shop, [stock(us_shop)[0].id])
    [push] = receiver.wait_for(1)
    app = sandbox.app
    assert push["headers"]["content-type"] == "application/json"
    assert verify_webhook_signature(
        app.app_key, app.app_secret, push["body"], push["headers"]["authorization"]
    )
    assert not verify_webhook_signature(
        app.app_key, app.app_secret, push["body"] + b" ", push["headers"]["authorization"]
    )
    envelope = push["json"]
    assert set(envelope) == {"type", "tts_notification_id", "shop_id", "timestamp", "data"}
    assert envelope["shop_id"] == us_shop.id and isinstance(envelope["timestamp"], int)
    event = parse_webhook_event(push["body"])
    assert event.type_name == "ORDER_STATUS_CHANGE"
    assert event.data == {
        "order_id": order.id,
        "order_status": "ON_HOLD",
        "is_on_hold_order": True,
        "update_time": order.update_time,
    }


def test_failed_pushes_are_retried_after_2_min_then_30_min(sandbox, make_receiver, wait_until):
    receiver = make_receiver(fail_first=2)
    sandbox.set_webhook_url(receiver.url)
    emit(sandbox)
    receiver.wait_for(1)
    # Move the clock only once the failure is queued, or the retry counts from the moved clock.
    assert wait_until(lambda: sandbox.pusher.pending == 1)
    sandbox.advance(115)
    time.sleep(0.2)
    assert len(receiver.received) == 1  # not before 2 minutes
    sandbox.advance(6)
    receiver.wait_for(2)
    assert wait_until(lambda: sandbox.pusher.pending == 1)
    sandbox.advance(1795)
    time.sleep(0.2)
    assert len(receiver.received) == 2  # then not before 30 more minutes
    sandbox.advance(6)
    receiver.wait_for(3)
    assert wait_until(lambda: len(outcomes(sandbox)) == 3)
    assert outcomes(sandbox) == [(0, "failed"), (1, "failed"), (2, "delivered")]
    bodies = {push["body"] for push in receiver.received}
    assert len(bodies) == 1  # the same bytes, hence the same tts_notification_id


def test_a_push_is_dropped_after_four_retries(sandbox, make_receiver, wait_until):
    receiver = make_receiver(status=500)
    sandbox.set_webhook_url(receiver.url)
    emit(sandbox)
    receiver.wait_for(1)
    for attempts, delay in enumerate((120, 1800, 3 * 3600, 12 * 3600), start=2):
        assert wait_until(lambda: sandbox.pusher.pending == 1)
        sandbox.advance(delay + 1)
        receiver.wait_for(attempts)
    assert wait_until(lambda: outcomes(sandbox)[-1] == (4, "dropped"))
    sandbox.advance(10 * 86400)
    time.sleep(0.2)
    assert len(receiver.received) == 5


def test_answers_other_than_200_are_failures(sandbox, make_receiver, wait_until):
    receiver = make_receiver(status=202)
    sandbox.set_webhook_url(receiver.url)
    emit(sandbox)
    receiver.wait_for(1)
    assert wait_until(lambda: outcomes(sandbox) == [(0, "failed")])


def test_the_retry_schedule_follows_the_time_acceleration(make_receiver):
    receiver = make_receiver(fail_first=1)
    # 600 sandbox seconds per second: the 2-minute retry comes after 0.2 s.
    with Sandbox(5, speed=600, webhook_url=receiver.url) as fast:
        started = time.monotonic()
        emit(fast)
        receiver.wait_for(1)
        receiver.wait_for(2, timeout=3)
        assert 0.15 < time.monotonic() - started < 2


def test_duplicates_when_asked(sandbox, make_receiver):
    receiver = make_receiver()
    sandbox.set_webhook_url(receiver.url)
    sandbox.pusher.configure(duplicate_share=1)
    emit(sandbox, 3)
    pushes = receiver.wait_for(6)
    ids = [push["json"]["tts_notification_id"] for push in pushes]
    assert len(set(ids)) == 3
    assert all(ids.count(notification_id) == 2 for notification_id in ids)


def test_losses_when_asked(sandbox, make_receiver, wait_until):
    receiver = make_receiver()
    sandbox.set_webhook_url(receiver.url)
    sandbox.pusher.configure(drop_share=1)
    emit(sandbox, 3)
    assert wait_until(lambda: [outcome for _, outcome in outcomes(sandbox)] == ["lost"] * 3)
    assert receiver.received == []


def test_out_of_order_delivery_when_asked(sandbox, make_receiver):
    receiver = make_receiver()
    sandbox.set_webhook_url(receiver.url)
    sandbox.pusher.configure(reorder_share=0.5, reorder_delay=30)
    emitted = [n["tts_notification_id"] for n in emit(sandbox, 10)]
    time.sleep(0.3)
    sandbox.advance(31)
    pushes = receiver.wait_for(10)
    delivered = [push["json"]["tts_notification_id"] for push in pushes]
    assert sorted(delivered) == sorted(emitted)
    assert delivered != emitted


def test_every_topic_reaches_the_receiver(sandbox, make_receiver, control, us_shop, place, stock):
    receiver = make_receiver()
    sandbox.set_webhook_url(receiver.url)
    sku_a, sku_b = stock(us_shop, count=2)
    order = place(us_shop, [sku_a.id, sku_b.id], fulfillment_type=orders.SELLER_FULFILLMENT)
    control("POST", f"/sandbox/orders/{order.id}/address")  # 3
    sandbox.advance(3601)
    control(
        "POST", f"/sandbox/orders/{order.id}/split", {"line_item_ids": [order.line_items[0].id]}
    )  # 4
    control("POST", f"/sandbox/orders/{order.id}/cancel_request")  # 11
    delivered = place(us_shop, [sku_a.id], fulfillment_type=orders.SELLER_FULFILLMENT)
    control("POST", f"/sandbox/orders/{delivered.id}/status", {"status": "DELIVERED"})
    control("POST", f"/sandbox/orders/{delivered.id}/returns", {"return_type": "REFUND"})  # 12
    control("POST", f"/sandbox/shops/{us_shop.id}/authorization_expiry")  # 7
    control("POST", f"/sandbox/shops/{us_shop.id}/deauthorize")  # 6
    expected = {1, 3, 4, 6, 7, 11, 12}
    deadline = time.monotonic() + 5
    while {push["json"]["type"] for push in receiver.received} != expected:
        assert time.monotonic() < deadline, {push["json"]["type"] for push in receiver.received}
        time.sleep(0.02)


def test_the_control_api_sets_the_url_and_lists_deliveries(
    sandbox, make_receiver, control, wait_until
):
    receiver = make_receiver()
    status, settings = control(
        "POST", "/sandbox/webhooks", {"url": receiver.url, "duplicate_share": 0}
    )
    assert status == 200 and settings["url"] == receiver.url and settings["running"]
    emit(sandbox)
    receiver.wait_for(1)
    assert wait_until(lambda: control("GET", "/sandbox/webhooks/deliveries")[1]["deliveries"])
    [record] = control("GET", "/sandbox/webhooks/deliveries")[1]["deliveries"]
    assert record["outcome"] == "delivered" and record["http_status"] == 200
    assert control("POST", "/sandbox/webhooks", {"duplicate_share": 2})[0] == 400


def test_notifications_waiting_for_a_url_can_be_discarded(sandbox, make_receiver, control):
    emit(sandbox, count=3)  # no URL yet: they wait in the outbox
    receiver = make_receiver()
    status, settings = control(
        "POST", "/sandbox/webhooks", {"discard_pending": True, "url": receiver.url}
    )
    assert status == 200 and settings["outbox"] == 0 and settings["pending"] == 0
    emit(sandbox, count=1)
    receiver.wait_for(1)
    time.sleep(0.2)  # what was discarded would have been delivered by now
    assert len(receiver.received) == 1
