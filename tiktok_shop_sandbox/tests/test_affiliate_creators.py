"""The creator marketplace: stable creator ids, search and get, and creators on the control API."""

import pytest

from tiktok_shop_sandbox import affiliate
from tiktok_shop_sandbox.routing import ApiError
from tiktok_shop_sandbox.scenarios import CREATORS as STREAM_CREATORS

from .handler_fixtures import World

SEARCH = "/affiliate_seller/202406/marketplace_creators/search"
ONE = "/affiliate_seller/202406/marketplace_creators/{}"
AFFILIATE_ORDERS = "/affiliate_seller/202410/orders/search"


@pytest.fixture
def world():
    return World()


def search(world, body=None, page_size=20):
    return world.call("POST", SEARCH, world.us, query={"page_size": page_size}, json=body)


def test_seeded_creators_have_ids_derived_from_their_username(world):
    other = World()
    usernames = [username for username, _nickname, _followers in affiliate.SEEDED_CREATORS]

    found = search(world)

    assert found["total_count"] == len(usernames)
    assert {c["username"] for c in found["creators"]} == set(usernames)
    assert {c["username"] for c in found["creators"]} >= {name for name, _rate in STREAM_CREATORS}
    assert sorted(other.state.creators) == sorted(world.state.creators)
    followers = [c["follower_count"] for c in found["creators"]]
    assert followers == sorted(followers, reverse=True)


def test_get_a_creator_by_user_id(world):
    mia = affiliate.register_creator(world.state, "glowwithmia")

    found = world.call("GET", ONE.format(mia.user_id), world.us)["creator"]

    assert found == {
        "user_id": mia.user_id,
        "username": "glowwithmia",
        "nickname": "Mia | Glow & Skincare",
        "follower_count": 1_240_000,
        "avatar": {"url": f"{affiliate.creators.AVATAR_HOST}/{mia.user_id}.jpeg"},
    }
    with pytest.raises(ApiError, match="does not exist"):
        world.call("GET", ONE.format("7000000000000000001"), world.us)


def test_a_creator_named_on_an_order_joins_the_marketplace_once(world):
    mug = world.add_product(world.us)
    world.add_order(world.us, [(mug.skus[0], 1)], creator="mugmaker", commission_rate=900)
    assert search(world, {"keyword": "mugmaker"})["creators"] == []

    world.call("POST", AFFILIATE_ORDERS, world.us, query={"page_size": 10})
    (found,) = search(world, {"keyword": "MUGM"})["creators"]

    first = world.state.creators[found["user_id"]]
    assert found["user_id"] == affiliate.creators.creator_user_id("mugmaker")
    assert first.nickname == "mugmaker" and first.follower_count >= 1000
    assert affiliate.register_creator(world.state, "mugmaker", "Someone else", 5) is first


def test_search_by_keyword_audience_and_pages(world):
    assert [c["username"] for c in search(world, {"keyword": "hana"})["creators"]] == ["homebyhana"]
    big = search(world, {"follower_count_ge": 1_000_000})["creators"]
    assert [c["username"] for c in big] == ["dealsbyjules", "glowwithmia"]
    first_page = search(world, page_size=3)
    assert len(first_page["creators"]) == 3 and first_page["next_page_token"]
    with pytest.raises(ApiError):
        search(world, {"follower_count_ge": "many"})


def test_creators_through_the_control_api(sandbox, control):
    status, listed = control("GET", "/sandbox/creators")
    assert status == 200 and len(listed["creators"]) == len(affiliate.SEEDED_CREATORS)

    status, added = control(
        "POST", "/sandbox/creators", {"username": "kitchen.kai", "follower_count": 4200}
    )

    assert status == 200 and added["follower_count"] == 4200
    assert added["user_id"] == affiliate.creators.creator_user_id("kitchen.kai")
    assert sandbox.state.creators[added["user_id"]].username == "kitchen.kai"
    assert control("POST", "/sandbox/creators", {})[0] == 400
