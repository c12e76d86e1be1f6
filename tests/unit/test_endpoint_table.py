"""The endpoint table: its entries, the client calling them, and the guard that keeps every
TikTok path in it."""

import ast
import re
from pathlib import Path
from unittest.mock import patch

import pytest
import requests
from tiktok_shop import endpoints
from tiktok_shop.client import TikTokShopClient
from tiktok_shop.endpoints import Endpoint, endpoint_template

from .fake_tiktok import APP_KEY, APP_SECRET, SHOP_CIPHER, RecordingLimiter, ok

ADDON_DIR = Path(__file__).resolve().parents[2] / "tiktok_shop_connector"
# Outside the addon's production code: the pure package holds the table, the tests call paths.
NOT_PRODUCTION = ("tiktok_shop", "tests")
VERSIONED_PATH = re.compile(r"/[a-z_]+/\d{6}(/|$)")
METHODS = {"GET", "POST", "PUT", "DELETE"}

TABLE = {name: value for name, value in vars(endpoints).items() if isinstance(value, Endpoint)}


def _example_ids(endpoint):
    return {name: str(1729 + index) for index, name in enumerate(endpoint.path_parameters)}


# --- The table ----------------------------------------------------------------------------------


def test_the_table_names_every_operation_the_addon_calls():
    assert len(TABLE) >= 30
    assert TABLE["ORDER_SEARCH"] == Endpoint("POST", "/order/202309/orders/search")


@pytest.mark.parametrize("name", sorted(TABLE))
def test_every_entry_formats_its_path(name):
    endpoint = TABLE[name]
    path = endpoint.format(_example_ids(endpoint))

    assert endpoint.method in METHODS
    assert path.startswith("/")
    assert not set("{}?# ") & set(path)
    assert VERSIONED_PATH.match(path), "category, then a YYYYMM version"
    for value in _example_ids(endpoint).values():
        assert f"/{value}" in path


def test_one_path_serves_the_three_operations_on_a_target_collaboration():
    operations = [
        endpoints.TARGET_COLLABORATION_DETAIL,
        endpoints.TARGET_COLLABORATION_UPDATE,
        endpoints.TARGET_COLLABORATION_REMOVE,
    ]
    assert {endpoint.path for endpoint in operations} == {
        "/affiliate_seller/202409/target_collaborations/{target_collaboration_id}"
    }
    assert [endpoint.method for endpoint in operations] == ["GET", "PUT", "DELETE"]
    assert len({endpoint.rate_bucket for endpoint in operations}) == 3


def test_no_two_entries_are_the_same_operation():
    operations = [(endpoint.method, endpoint.path) for endpoint in TABLE.values()]
    assert len(operations) == len(set(operations))


def test_format_fills_each_placeholder_with_its_id():
    assert endpoints.SHIPPING_PROVIDERS.format({"delivery_option_id": "7091"}) == (
        "/logistics/202309/delivery_options/7091/shipping_providers"
    )
    assert endpoints.SAMPLE_APPLICATION_REVIEW.format({"application_id": "73"}) == (
        "/affiliate_seller/202409/sample_applications/73/review"
    )
    assert endpoints.PRODUCT_DETAIL.format({"product_id": 1729}) == "/product/202309/products/1729"
    assert endpoints.ORDER_SEARCH.format() == "/order/202309/orders/search"


@pytest.mark.parametrize(
    "path_params",
    [
        {},
        {"product_id": "1", "sku_id": "2"},
        {"id": "1"},
        {"product_id": ""},
        {"product_id": "1/activate"},
        {"product_id": "1?x=2"},
    ],
)
def test_format_refuses_missing_extra_or_unsafe_ids(path_params):
    with pytest.raises(ValueError):
        endpoints.PRODUCT_DETAIL.format(path_params)


def test_rate_bucket_is_the_template_of_the_filled_in_path():
    detail = endpoints.CATEGORY_ATTRIBUTES
    assert detail.rate_bucket == "GET /product/202309/categories/{id}/attributes"
    assert detail.rate_bucket == endpoint_template("GET", detail.format({"category_id": "600001"}))


# --- The client takes an Endpoint ---------------------------------------------------------------


def test_client_sends_an_endpoint_with_its_ids_signed(server, make_client):
    server.queue(ok({"delivery_options": []}), ok({"delivery_options": []}))
    limiter = RecordingLimiter()
    client = make_client(rate_limiter=limiter)

    client.request(
        endpoints.WAREHOUSE_DELIVERY_OPTIONS,
        path_params={"warehouse_id": "7068517275539719942"},
        shop_cipher=SHOP_CIPHER,
    )
    client.request(
        "GET",
        "/logistics/202309/warehouses/7068517275539719943/delivery_options",
        shop_cipher=SHOP_CIPHER,
    )

    named, _raw = server.requests
    assert named.method == "GET"
    assert named.path == "/logistics/202309/warehouses/7068517275539719942/delivery_options"
    assert named.sign_valid is True
    assert named.query["shop_cipher"] == SHOP_CIPHER
    assert limiter.keys[0] == limiter.keys[1], "an endpoint and its path share one bucket"


def test_client_drops_the_shop_cipher_of_an_app_level_endpoint(server, make_client):
    server.queue(ok({"shops": []}))

    make_client().request(endpoints.AUTHORIZED_SHOPS, shop_cipher=SHOP_CIPHER)

    assert "shop_cipher" not in server.requests[0].query


def test_client_paginates_an_endpoint(server, make_client):
    server.queue(
        ok({"brands": [{"id": "1"}], "next_page_token": "p2"}), ok({"brands": [{"id": "2"}]})
    )

    brands = make_client().paginate(
        endpoints.BRANDS, items_key="brands", shop_cipher=SHOP_CIPHER, page_size=1
    )

    assert [brand["id"] for brand in brands] == ["1", "2"]
    assert {received.path for received in server.requests} == {"/product/202309/brands"}


@pytest.mark.parametrize(
    ("call", "keywords"),
    [
        ((endpoints.PRODUCT_DETAIL, "/product/202309/products/1"), {}),
        ((endpoints.PRODUCT_DETAIL,), {}),
        (("GET", "/product/202309/products/1"), {"path_params": {"product_id": "1"}}),
        (("GET",), {}),
    ],
)
def test_client_refuses_a_call_that_mixes_the_two_ways(server, make_client, call, keywords):
    with pytest.raises(ValueError):
        make_client().request(*call, shop_cipher=SHOP_CIPHER, **keywords)
    assert server.requests == []


def test_close_closes_the_session_the_client_opened_and_only_that_one():
    close = requests.Session.close
    own = TikTokShopClient(APP_KEY, APP_SECRET)
    lent = requests.Session()
    borrower = TikTokShopClient(APP_KEY, APP_SECRET, session=lent)
    with patch.object(requests.Session, "close", autospec=True, side_effect=close) as closed:
        own.close()
        borrower.close()
        with TikTokShopClient(APP_KEY, APP_SECRET) as scoped:
            pass
    assert [call.args[0] for call in closed.call_args_list] == [own._session, scoped._session]
    lent.close()


# --- The guard ----------------------------------------------------------------------------------


def _production_modules():
    for path in sorted(ADDON_DIR.rglob("*.py")):
        if path.relative_to(ADDON_DIR).parts[0] not in NOT_PRODUCTION:
            yield path


def _versioned_path_literals(source):
    """(line, text) of the string literals, f-string parts included, holding a versioned path."""
    return [
        (node.lineno, node.value)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and VERSIONED_PATH.search(node.value)
    ]


def test_the_guard_finds_plain_and_formatted_paths():
    source = 'A = "/order/202309/orders/search"\nB = f"/product/202309/products/{pid}/x"\n'
    assert [line for line, _text in _versioned_path_literals(source)] == [1, 2]
    assert _versioned_path_literals('C = "product/202309 is a version"  # /order/202309/x\n') == []


def test_no_production_module_writes_a_tiktok_path():
    modules = list(_production_modules())
    assert ADDON_DIR / "models" / "orders" / "tiktok_shop.py" in modules
    found = [
        f"{path.relative_to(ADDON_DIR)}:{line}: {text!r}"
        for path in modules
        for line, text in _versioned_path_literals(path.read_text())
    ]
    assert found == [], "name an entry of tiktok_shop/endpoints.py instead:\n" + "\n".join(found)
