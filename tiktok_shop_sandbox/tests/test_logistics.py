"""Warehouses, delivery options and shipping providers of the sandbox (§5.4)."""

import pytest

from tiktok_shop_sandbox import logistics
from tiktok_shop_sandbox.routing import ApiError
from tiktok_shop_sandbox.state import SandboxState

from .handler_fixtures import World, seller_client


@pytest.fixture
def world():
    return World()


def _options(world, shop, warehouse):
    path = f"/logistics/202309/warehouses/{warehouse.id}/delivery_options"
    return world.call("GET", path, shop)["delivery_options"]


def _providers(world, shop, option_id):
    path = f"/logistics/202309/delivery_options/{option_id}/shipping_providers"
    return world.call("GET", path, shop)["shipping_providers"]


def test_warehouses_list_the_shop_warehouses_default_first(world):
    warehouses = world.call("GET", "/logistics/202309/warehouses", world.us)["warehouses"]

    assert warehouses[0]["name"] == "Main warehouse"
    assert warehouses[0]["is_default"] is True
    assert {w["type"] for w in warehouses} == {"SALES_WAREHOUSE", "RETURN_WAREHOUSE"}
    assert len(warehouses) == len(world.state.warehouses_of(world.us.id))
    address = warehouses[0]["address"]
    assert address["region_code"] == "US"
    assert address["postal_code"] and address["full_address"]


def test_sales_warehouse_offers_every_delivery_type_with_limits(world):
    main = world.warehouses(world.us)[0]

    options = _options(world, world.us, main)

    assert [o["type"] for o in options] == ["STANDARD", "EXPRESS", "ECONOMY", "SEND_BY_SELLER"]
    assert options[0]["weight_limit"]["unit"] == "POUND"
    assert options[0]["dimension_limit"]["unit"] == "INCH"
    assert all(isinstance(o["id"], str) and o["id"].isdigit() for o in options)


def test_fbt_warehouse_cannot_ship_with_the_sellers_carrier(world):
    fbt = world.warehouses(world.us, fbt=True)[0]

    types = [o["type"] for o in _options(world, world.us, fbt)]

    assert "SEND_BY_SELLER" not in types
    assert "STANDARD" in types


def test_return_warehouse_and_foreign_warehouse_are_refused(world):
    returns = world.warehouses(world.us, sales=False)[0]
    with pytest.raises(ApiError) as refused:
        _options(world, world.us, returns)
    assert refused.value.code == 36009004

    japanese = world.warehouses(world.jp)[0]
    with pytest.raises(ApiError, match="does not exist"):
        _options(world, world.us, japanese)


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("US", {"USPS", "UPS", "FedEx"}),
        ("GB", {"Royal Mail", "Evri"}),
        ("ID", {"J&T Express", "JNE", "SiCepat"}),
        ("JP", {"Yamato", "Sagawa"}),
    ],
)
def test_standard_shipping_providers_are_the_markets_carriers(world, region, expected):
    shop = {"US": world.us, "GB": world.gb, "ID": world.id, "JP": world.jp}[region]
    standard = _options(world, shop, world.warehouses(shop)[0])[0]

    providers = _providers(world, shop, standard["id"])

    assert {p["name"] for p in providers} == expected
    assert all(set(p) == {"id", "name"} for p in providers)


def test_delivery_option_of_another_market_is_refused(world):
    us_standard = _options(world, world.us, world.warehouses(world.us)[0])[0]

    with pytest.raises(ApiError, match="does not exist"):
        _providers(world, world.jp, us_standard["id"])


def test_shipping_provider_helper_and_ids_are_stable_across_worlds(world):
    standard = _options(world, world.us, world.warehouses(world.us)[0])[0]
    usps = next(p for p in _providers(world, world.us, standard["id"]) if p["name"] == "USPS")

    found = logistics.shipping_provider(world.state, usps["id"])
    assert found["name"] == "USPS"
    assert found["delivery_option_id"] == standard["id"]
    assert logistics.shipping_provider(world.state, "123") is None

    other = SandboxState(seed=99)
    logistics.seed_reference_data(other)
    assert logistics.shipping_provider(other, usps["id"])["name"] == "USPS"


def test_logistics_through_http(sandbox):
    shop = sandbox.shop("GB")
    with seller_client(sandbox, shop) as client:
        warehouses = client.request("GET", "/logistics/202309/warehouses", shop_cipher=shop.cipher)[
            "warehouses"
        ]
        default = next(w for w in warehouses if w["is_default"])
        options = client.request(
            "GET",
            f"/logistics/202309/warehouses/{default['id']}/delivery_options",
            shop_cipher=shop.cipher,
        )["delivery_options"]
        seller_shipping = next(o for o in options if o["type"] == "SEND_BY_SELLER")
        providers = client.request(
            "GET",
            f"/logistics/202309/delivery_options/{seller_shipping['id']}/shipping_providers",
            shop_cipher=shop.cipher,
        )["shipping_providers"]

    assert default["address"]["region_code"] == "GB"
    assert {"Royal Mail", "Evri", "DPD"} <= {p["name"] for p in providers}
    royal_mail = next(p for p in providers if p["name"] == "Royal Mail")
    assert logistics.shipping_provider(sandbox.state, royal_mail["id"])["region"] == "GB"
