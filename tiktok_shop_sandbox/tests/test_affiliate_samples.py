"""Sample applications: a creator applies, the seller approves (a free sample order ships to the
creator) or rejects, topic 56 tells the app."""

import pytest
from tiktok_shop import endpoints

from tiktok_shop_sandbox import affiliate
from tiktok_shop_sandbox.orders import progress_order
from tiktok_shop_sandbox.routing import ApiError

from .handler_fixtures import World, seller_client, stocked_skus

SEARCH = "/affiliate_seller/202409/sample_applications/search"
REVIEW = "/affiliate_seller/202409/sample_applications/{}/review"
TOPIC = affiliate.samples.TOPIC_SAMPLE_APPLICATION_STATUS


@pytest.fixture
def world():
    return World()


def search(world, shop, **body):
    found = world.call("POST", SEARCH, shop, query={"page_size": 20}, json=body)
    return found["sample_applications"]


def review(world, shop, application, **body):
    path = REVIEW.format(application.id)
    return world.call("POST", path, shop, json=body)["sample_application"]


def test_approving_ships_a_free_sample_to_the_creator(world):
    mug = world.add_product(world.us, prices=("24.00", "26.00"))
    mia = affiliate.register_creator(world.state, "glowwithmia")
    second_sku = mug.skus[1]
    stock_before = second_sku.available()
    application = affiliate.request_sample(world.state, world.us, mia, mug, second_sku.id)
    (pending,) = search(world, world.us)

    approved = review(world, world.us, application, review_result="APPROVE")

    assert pending["status"] == "PENDING" and pending["order_id"] == ""
    assert pending["product"] == {"id": mug.id, "title": mug.title, "sku_id": second_sku.id}
    assert approved["status"] == "AWAITING_SHIPMENT"
    order = world.state.orders[approved["order_id"]]
    assert order.is_sample_order and order.sample_application_id == application.id
    assert order.user_id == mia.user_id and order.creator_username == ""
    assert order.recipient_address["name"] == "Mia | Glow & Skincare"
    assert order.payment["total_amount"] == "0.00"
    assert [item.sku_id for item in order.line_items] == [second_sku.id]
    assert second_sku.available() == stock_before - 1
    assert order.status == "AWAITING_SHIPMENT"
    assert not affiliate.is_affiliate_order(order)  # a sample earns no commission


def test_the_application_follows_its_sample_order(world):
    mug = world.add_product(world.us)
    mia = affiliate.register_creator(world.state, "glowwithmia")
    application = affiliate.request_sample(world.state, world.us, mia, mug)
    approved = review(world, world.us, application, review_result="APPROVE")
    order = world.state.orders[approved["order_id"]]

    progress_order(world.state, order, "IN_TRANSIT")
    assert [a["status"] for a in search(world, world.us, status="SHIPPED")] == ["SHIPPED"]
    progress_order(world.state, order, "DELIVERED")
    assert affiliate.sample_status(world.state, application) == "COMPLETED"
    assert search(world, world.us, status="SHIPPED") == []


def test_rejecting_needs_a_reason_and_a_review_is_final(world):
    mug = world.add_product(world.us)
    dan = affiliate.register_creator(world.state, "techtok.dan")
    application = affiliate.request_sample(world.state, world.us, dan, mug)
    orders_before = len(world.state.orders)

    with pytest.raises(ApiError, match="reject_reason"):
        review(world, world.us, application, review_result="REJECT")
    with pytest.raises(ApiError, match="review_result"):
        review(world, world.us, application, review_result="MAYBE")
    rejected = review(
        world, world.us, application, review_result="REJECT", reject_reason="Not our audience"
    )

    assert (rejected["status"], rejected["reject_reason"]) == ("REJECTED", "Not our audience")
    assert len(world.state.orders) == orders_before
    with pytest.raises(ApiError, match="already reviewed"):
        review(world, world.us, application, review_result="APPROVE")
    with pytest.raises(ApiError, match="not found"):
        review(world, world.jp, application, review_result="APPROVE")


def test_search_filters_by_status_newest_first(world):
    mug, bowl = world.add_product(world.us), world.add_product(world.us, title="Bowl")
    mia = affiliate.register_creator(world.state, "glowwithmia")
    first = affiliate.request_sample(world.state, world.us, mia, mug)
    world.advance(60)
    second = affiliate.request_sample(world.state, world.us, mia, bowl)
    affiliate.request_sample(world.state, world.jp, mia, world.add_product(world.jp))
    review(world, world.us, first, review_result="REJECT", reject_reason="Out of season")

    assert [a["id"] for a in search(world, world.us)] == [second.id, first.id]
    assert [a["id"] for a in search(world, world.us, status="PENDING")] == [second.id]
    assert [a["id"] for a in search(world, world.us, status="REJECTED")] == [first.id]
    with pytest.raises(ApiError):
        search(world, world.us, status="WAITING")


def test_a_sold_out_sample_cannot_be_approved(world):
    mug = world.add_product(world.us, stock=0)
    mia = affiliate.register_creator(world.state, "glowwithmia")
    application = affiliate.request_sample(world.state, world.us, mia, mug)

    with pytest.raises(ApiError, match="can't be sent"):
        review(world, world.us, application, review_result="APPROVE")
    assert affiliate.sample_status(world.state, application) == "PENDING"


def test_apply_and_review_over_http_push_topic_56(sandbox, control, pushed):
    shop = sandbox.shop("US")
    sku = stocked_skus(sandbox, shop, count=1)[0]
    mia = affiliate.creators.creator_user_id("glowwithmia")

    status, applied = control(
        "POST",
        f"/sandbox/creators/{mia}/sample_applications",
        {"shop_id": shop.id, "product_id": sku.product_id, "sku_id": sku.id},
    )
    with seller_client(sandbox, shop) as client:
        reviewed = client.request(
            endpoints.SAMPLE_APPLICATION_REVIEW,
            path_params={"application_id": applied["id"]},
            json={"review_result": "APPROVE"},
            shop_cipher=shop.cipher,
        )
    _, order = control("GET", f"/sandbox/orders/{reviewed['sample_application']['order_id']}")

    assert status == 200 and applied["status"] == "PENDING"
    assert applied["creator"]["username"] == "glowwithmia"
    assert order["is_sample_order"] is True
    assert order["sandbox"]["sample_application_id"] == applied["id"]
    pushes = [(n["data"]["application_id"], n["data"]["status"]) for n in pushed(TOPIC)]
    assert pushes == [(applied["id"], "PENDING"), (applied["id"], "AWAITING_SHIPMENT")]
    assert pushed(TOPIC)[0]["data"]["creator_user_id"] == mia
    unknown = control("POST", "/sandbox/creators/42/sample_applications", {"shop_id": shop.id})
    assert unknown[0] == 404
