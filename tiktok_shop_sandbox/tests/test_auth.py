"""Seller authorization page, token get/refresh, authorized shops, deauthorization, expiry."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from tiktok_shop.client import TikTokShopClient, authorization_url

from .connector import connector_client

REDIRECT = "https://odoo.example.com/tiktok/oauth/callback"


@pytest.fixture
def registered(sandbox):
    sandbox.app.redirect_url = REDIRECT
    return sandbox


def consent(sandbox, decision, state="csrf-123", **form):
    response = requests.post(
        sandbox.authorize_url,
        data={"service_id": sandbox.app.service_id, "state": state, "decision": decision, **form},
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    return location, {key: values[0] for key, values in parse_qs(location.query).items()}


def test_the_consent_page_offers_authorize_and_deny(registered):
    link = authorization_url(
        registered.app.service_id, "csrf-123", authorize_url=registered.authorize_url
    )
    response = requests.get(link, timeout=5)
    assert response.status_code == 200
    assert "text/html" in response.headers["Content-Type"]
    page = response.text
    assert "Authorize</button>" in page and "Deny</button>" in page
    assert "value='csrf-123'" in page
    assert "Aurora Living" in page and "Nusantara Crafts" in page


def test_an_unknown_service_id_gets_an_error_page(registered):
    response = requests.get(registered.authorize_url, params={"service_id": "1"}, timeout=5)
    assert response.status_code == 400


def test_authorize_redirects_with_a_code_and_the_same_state(registered):
    location, query = consent(registered, "authorize")
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    assert query["state"] == "csrf-123"
    assert query["code"] in registered.state.auth_codes


def test_deny_redirects_with_auth_denied_and_the_state(registered):
    _, query = consent(registered, "deny")
    assert query == {"code": "null", "error": "auth_denied", "state": "csrf-123"}


def test_no_state_no_state_in_the_redirect(registered):
    _, query = consent(registered, "authorize", state="")
    assert "state" not in query and query["code"]


def test_without_a_registered_redirect_url_the_page_refuses(sandbox):
    response = requests.post(
        sandbox.authorize_url,
        data={"service_id": sandbox.app.service_id, "decision": "authorize"},
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 400


def test_the_code_is_exchanged_for_tokens_with_absolute_expiries(registered):
    _, query = consent(registered, "authorize")
    with connector_client(registered) as client:
        token = client.get_access_token(query["code"])
    now = registered.state.now()
    assert token.access_token.startswith("TTP_")
    assert token.access_token_expires_at == pytest.approx(now + 7 * 86400, abs=5)
    assert token.refresh_token_expires_at == pytest.approx(now + 365 * 86400, abs=5)
    assert token.seller_name == "Aurora Living" and token.seller_base_region == "US"
    assert token.user_type == 0 and "seller.order.info" in token.granted_scopes
    with connector_client(registered, access_token=token.access_token) as client:
        shops = client.request("GET", "/authorization/202309/shops")["shops"]
    assert {shop["region"] for shop in shops} == {"US", "GB", "JP"}


def test_the_consent_page_can_log_in_as_another_seller(registered):
    indonesian = registered.shop("ID").seller_open_id
    _, query = consent(registered, "authorize", open_id=indonesian)
    with connector_client(registered) as client:
        token = client.get_access_token(query["code"])
    assert token.open_id == indonesian and token.seller_base_region == "ID"


def test_a_code_is_single_use(registered, api_error):
    _, query = consent(registered, "authorize")
    with connector_client(registered) as client:
        client.get_access_token(query["code"])
        error = api_error(client.get_access_token, query["code"])
    assert error.code == 36004005


def test_a_code_expires_after_30_minutes(registered, api_error):
    _, query = consent(registered, "authorize")
    registered.advance(30 * 60 + 1)
    with connector_client(registered) as client:
        error = api_error(client.get_access_token, query["code"])
    assert error.code == 36004005


def test_a_code_is_good_just_before_30_minutes(registered):
    _, query = consent(registered, "authorize")
    registered.advance(29 * 60)
    with connector_client(registered) as client:
        assert client.get_access_token(query["code"]).access_token


def test_a_wrong_app_secret_is_refused(sandbox, api_error):
    code = sandbox.authorize()
    with TikTokShopClient(sandbox.app.app_key, "wrong-secret", auth_host=sandbox.url) as bad:
        assert api_error(bad.get_access_token, code).code == 36009004
    with connector_client(sandbox) as good:
        assert good.get_access_token(code).access_token  # the code was not burnt


def test_refresh_rotates_the_pair_and_revokes_the_old_one(sandbox, token, api_error):
    with connector_client(sandbox) as client:
        renewed = client.refresh_access_token(token["refresh_token"])
        assert renewed.access_token != token["access_token"]
        assert renewed.refresh_token != token["refresh_token"]
        assert renewed.refresh_token_expires_at == token["refresh_token_expire_in"]
        assert client.request("GET", "/authorization/202309/shops")["shops"]
        # The old refresh token and the old access token are dead.
        assert api_error(client.refresh_access_token, token["refresh_token"]).code == 36004005
    with connector_client(sandbox, access_token=token["access_token"]) as old:
        assert api_error(old.request, "GET", "/authorization/202309/shops").code == 105001


def test_refresh_needs_grant_type_refresh_token(sandbox, token):
    app = sandbox.app
    response = requests.get(
        sandbox.url + "/api/v2/token/refresh",
        params={
            "app_key": app.app_key,
            "app_secret": app.app_secret,
            "refresh_token": token["refresh_token"],
            "grant_type": "authorized_code",
        },
        timeout=5,
    )
    assert response.json()["code"] == 36009004


def test_an_expired_refresh_token_is_refused(sandbox, token, api_error):
    sandbox.advance(366 * 86400)
    with connector_client(sandbox) as client:
        assert api_error(client.refresh_access_token, token["refresh_token"]).code == 36004001


def test_authorized_shops_span_regions_and_currencies(client, sandbox):
    shops = client.request("GET", "/authorization/202309/shops")["shops"]
    for shop in shops:
        assert set(shop) == {"cipher", "code", "id", "name", "region", "seller_type"}
        assert shop["id"].isdigit()
    by_region = {shop["region"]: shop for shop in shops}
    assert by_region["US"]["seller_type"] == "LOCAL"
    assert by_region["GB"]["seller_type"] == "CROSS_BORDER"
    currencies = {sandbox.state.shops[shop["id"]].currency for shop in shops}
    assert currencies == {"USD", "GBP", "JPY"}


def test_active_shops_list_ids_and_regions(client):
    shops = client.request("GET", "/seller/202309/shops")["shops"]
    assert {shop["region"] for shop in shops} == {"US", "GB", "JP"}
    assert all(set(shop) == {"id", "region"} for shop in shops)


def test_deauthorizing_a_shop_removes_it_and_pushes_type_6(client, sandbox, pushed):
    gb_shop = sandbox.shop("GB")
    client.request("DELETE", "/authorization/202403/shops", shop_cipher=gb_shop.cipher)
    regions = {
        shop["region"] for shop in client.request("GET", "/authorization/202309/shops")["shops"]
    }
    assert regions == {"US", "JP"}
    [notification] = pushed(6)
    assert notification["shop_id"] == gb_shop.id and notification["data"]["message"]


def test_authorizing_again_restores_the_shops(registered, client):
    registered.shop("GB").authorized = False
    _, query = consent(registered, "authorize")
    with connector_client(registered) as other:
        other.get_access_token(query["code"])
    assert len(client.request("GET", "/authorization/202309/shops")["shops"]) == 3


def test_expiry_warnings_are_pushed_daily_in_the_last_30_days(sandbox, token, pushed):
    end = token["refresh_token_expire_in"]
    sandbox.advance(end - sandbox.state.now() - 31 * 86400)
    assert pushed(7) == []
    sandbox.advance(2 * 86400 + 10)
    warnings = pushed(7)
    us_seller_shops = {
        shop.id for shop in sandbox.state.shops_of(sandbox.shop("US").seller_open_id)
    }
    assert {n["shop_id"] for n in warnings} == us_seller_shops
    assert all(n["data"]["expiration_time"] == str(end) for n in warnings)
    assert len(warnings) in (3, 6)  # one per shop and midnight passed
