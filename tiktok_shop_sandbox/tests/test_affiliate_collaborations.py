"""Target collaborations, and the rate a creator's sale earns under the collaborations."""

from decimal import Decimal

import pytest

from tiktok_shop_sandbox import affiliate
from tiktok_shop_sandbox.constants import CODE_INVALID_PARAMETER, CODE_NOT_YOUR_PRODUCT
from tiktok_shop_sandbox.routing import ApiError

from .handler_fixtures import DAY, World
from .test_affiliate import finance_commission, search

CREATE = "/affiliate_seller/202405/target_collaborations"
SEARCH = "/affiliate_seller/202409/target_collaborations/search"
ONE = "/affiliate_seller/202409/target_collaborations/{}"
OPEN = "/affiliate_seller/202405/open_collaborations"


@pytest.fixture
def world():
    return World()


def creator(world, username):
    return affiliate.register_creator(world.state, username)


def target_body(world, offers, invited, **changes):
    """A create body inviting the `invited` creators to sell `offers` [(product, rate)]."""
    return {
        "name": "Spring launch",
        "message": "Our new mugs, made for your kitchen videos.",
        "creator_user_ids": [c.user_id for c in invited],
        "products": [{"id": p.id, "target_commission_rate": rate} for p, rate in offers],
        "end_time": world.state.now() + 30 * DAY,
        "free_sample_rule": {"has_free_sample": True, "is_sample_approval_exempt": False},
        "seller_contact_info": {"email": "partners@aurora.example"},
        **changes,
    }


def create(world, shop, body):
    return world.call("POST", CREATE, shop, json=body)["target_collaboration"]


def refusal(world, method, path, shop, body=None):
    with pytest.raises(ApiError) as refused:
        world.call(method, path, shop, query={"page_size": 10}, json=body)
    return refused.value


def test_create_then_get_shows_what_was_sent(world):
    mug = world.add_product(world.us, title="Stoneware Mug")
    mia, dan = creator(world, "glowwithmia"), creator(world, "techtok.dan")

    created = create(world, world.us, target_body(world, [(mug, 2500)], [mia, dan]))
    found = world.call("GET", ONE.format(created["id"]), world.us)["target_collaboration"]

    assert found == created
    assert found["status"] == "ONGOING" and found["name"] == "Spring launch"
    assert [c["username"] for c in found["creators"]] == ["glowwithmia", "techtok.dan"]
    assert found["creators"][0]["user_id"] == mia.user_id
    assert found["products"] == [
        {"id": mug.id, "title": "Stoneware Mug", "target_commission_rate": 2500}
    ]
    assert found["free_sample_rule"]["has_free_sample"] is True
    assert found["seller_contact_info"] == {"email": "partners@aurora.example"}
    assert found["create_time"] == found["update_time"] == world.state.now()


@pytest.mark.parametrize("rate", [999, 8001, "2500", 25.5, None])
def test_a_target_rate_is_an_integer_from_ten_percent(world, rate):
    mug = world.add_product(world.us)
    body = target_body(world, [(mug, rate)], [creator(world, "glowwithmia")])

    error = refusal(world, "POST", CREATE, world.us, body)

    assert error.code == CODE_INVALID_PARAMETER and "target_commission_rate" in error.message
    assert world.state.target_collaborations == {}


def test_refusals_name_what_is_wrong(world):
    mug = world.add_product(world.us)
    japanese = world.add_product(world.jp, prices=("1500",))
    mia = creator(world, "glowwithmia")
    crowd = [creator(world, f"fan{index}") for index in range(51)]
    cases = {
        "creators": target_body(world, [(mug, 1500)], crowd),
        "does not exist": target_body(world, [(mug, 1500)], [mia], creator_user_ids=["1234"]),
        "Product 42": target_body(world, [(mug, 1500)], [mia], products=[{"id": "42"}]),
        "end_time": target_body(world, [(mug, 1500)], [mia], end_time=world.state.now()),
        "required": {"name": "No creators", "products": [{"id": mug.id}]},
    }
    for words, body in cases.items():
        error = refusal(world, "POST", CREATE, world.us, body)
        assert (error.code, words in error.message) == (CODE_INVALID_PARAMETER, True), words
    other_shop = refusal(
        world, "POST", CREATE, world.us, target_body(world, [(japanese, 1500)], [mia])
    )
    assert other_shop.code == CODE_NOT_YOUR_PRODUCT
    fifty = target_body(world, [(mug, 1500)], crowd[:50])
    assert len(create(world, world.us, fifty)["creators"]) == 50


def test_search_filters_by_status_product_and_creator(world):
    mug, bowl = world.add_product(world.us), world.add_product(world.us, title="Bowl")
    mia, dan = creator(world, "glowwithmia"), creator(world, "techtok.dan")
    short = create(
        world,
        world.us,
        target_body(world, [(mug, 1200)], [mia], end_time=world.state.now() + DAY),
    )
    world.advance(3600)
    long = create(world, world.us, target_body(world, [(bowl, 1500)], [dan]))
    create(world, world.jp, target_body(world, [(world.add_product(world.jp), 1500)], [dan]))
    world.advance(2 * DAY)

    def found(**body):
        answer = world.call("POST", SEARCH, world.us, query={"page_size": 10}, json=body)
        return [c["id"] for c in answer["target_collaborations"]]

    assert found() == [long["id"], short["id"]]
    assert found(status="EXPIRED") == [short["id"]]
    assert found(status="ONGOING") == [long["id"]]
    assert found(product_id=mug.id) == [short["id"]]
    assert found(creator_user_id=dan.user_id) == [long["id"]]
    paged = world.call("POST", SEARCH, world.us, query={"page_size": 1})
    assert paged["total_count"] == 2 and paged["next_page_token"]
    assert refusal(world, "POST", SEARCH, world.us, {"status": "LIVE"}).code == (
        CODE_INVALID_PARAMETER
    )


def test_update_changes_what_it_names_and_remove_ends_it(world):
    mug, bowl = world.add_product(world.us), world.add_product(world.us, title="Bowl")
    mia = creator(world, "glowwithmia")
    created = create(world, world.us, target_body(world, [(mug, 1200)], [mia]))
    path = ONE.format(created["id"])
    world.advance(60)

    updated = world.call(
        "PUT",
        path,
        world.us,
        json={"products": [{"id": bowl.id, "target_commission_rate": 3000}], "name": "Bowls"},
    )["target_collaboration"]

    assert updated["name"] == "Bowls" and updated["message"] == created["message"]
    (product,) = updated["products"]
    assert product == {"id": bowl.id, "title": "Bowl", "target_commission_rate": 3000}
    assert updated["update_time"] == created["update_time"] + 60
    assert refusal(world, "PUT", path, world.us, {"products": [{"id": bowl.id}]}).code == (
        CODE_INVALID_PARAMETER
    )

    assert world.call("DELETE", path, world.us) == {}
    assert world.call("DELETE", path, world.us) == {}  # removing twice is no error
    removed = world.call("GET", path, world.us)["target_collaboration"]
    assert removed["status"] == "REMOVED"
    assert "REMOVED" in refusal(world, "PUT", path, world.us, {"name": "Again"}).message
    assert "not found" in refusal(world, "GET", path, world.jp).message


def test_target_beats_open_for_its_creators_only(world):
    mug = world.add_product(world.us, prices=("40.00",))
    bowl = world.add_product(world.us, title="Bowl", prices=("10.00",))
    mia, dan = creator(world, "glowwithmia"), creator(world, "techtok.dan")
    world.call("POST", OPEN, world.us, json={"product_id": mug.id, "commission_rate": 800})
    target = create(world, world.us, target_body(world, [(mug, 2500)], [mia]))

    by_mia = world.add_creator_order(world.us, mia, [(mug.skus[0], 2), (bowl.skus[0], 1)])
    by_dan = world.add_creator_order(world.us, dan, [(mug.skus[0], 1)], "LIVE")
    world.advance(DAY)

    orders = {o["id"]: o for o in search(world, world.us)["orders"]}
    mug_line, bowl_line = orders[by_mia.id]["skus"]
    assert (mug_line["commission_rate"], mug_line["target_collaboration_id"]) == (
        "2500",
        target["id"],
    )
    assert mug_line["open_collaboration_id"] == ""
    assert mug_line["estimated_paid_commission"]["amount"] == "20.00"  # 80.00 x 25 %
    assert (bowl_line["commission_rate"], bowl_line["target_collaboration_id"]) == ("1000", "")
    (dan_line,) = orders[by_dan.id]["skus"]
    open_id = world.state.open_collaborations[mug.id]["id"]
    assert (dan_line["commission_rate"], dan_line["open_collaboration_id"]) == ("800", open_id)
    assert (dan_line["content_type"], dan_line["target_collaboration_id"]) == ("LIVE", "")
    for order in (by_mia, by_dan):
        paid = sum(
            Decimal(sku["actual_paid_commission"]["amount"]) for sku in orders[order.id]["skus"]
        )
        assert paid == finance_commission(world, world.us, order) > 0


def test_the_best_ongoing_target_applies_and_terms_stay_with_the_order(world):
    mug = world.add_product(world.us, prices=("50.00",))
    mia = creator(world, "glowwithmia")
    create(world, world.us, target_body(world, [(mug, 1500)], [mia]))
    better = create(world, world.us, target_body(world, [(mug, 3000)], [mia]))
    first = world.add_creator_order(world.us, mia, [(mug.skus[0], 1)])

    world.call("DELETE", ONE.format(better["id"]), world.us)
    second = world.add_creator_order(world.us, mia, [(mug.skus[0], 1)])
    world.advance(31 * DAY)
    third = world.add_creator_order(world.us, mia, [(mug.skus[0], 1)])

    rates = {o["id"]: o["skus"][0]["commission_rate"] for o in search(world, world.us)["orders"]}
    assert rates == {first.id: "3000", second.id: "1500", third.id: "1000"}
    assert finance_commission(world, world.us, first) == Decimal("15.00")


def test_a_rate_given_to_the_sale_overrides_the_collaborations(world):
    mug = world.add_product(world.us, prices=("20.00",))
    mia = creator(world, "glowwithmia")
    create(world, world.us, target_body(world, [(mug, 3000)], [mia]))

    order = world.add_creator_order(world.us, mia, [(mug.skus[0], 1)], commission_rate=1200)
    world.advance(DAY)

    (line,) = search(world, world.us)["orders"][0]["skus"]
    assert (line["commission_rate"], line["target_collaboration_id"]) == ("1200", "")
    assert finance_commission(world, world.us, order) == Decimal("2.40")
