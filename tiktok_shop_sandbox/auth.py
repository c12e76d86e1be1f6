"""Seller authorization (§1.1), tokens (§2) and the authorized shops (§5.1).

The consent page `/open/authorize?service_id=…&state=…` lets a seller of the sandbox authorize
the app: "Authorize" redirects to the app's registered redirect URL with a single-use `code`
(valid 30 minutes) and the same `state`; "Deny" redirects with `code=null&error=auth_denied`.
The token calls are unsigned GETs checked by `app_key` + `app_secret`. Expiries are absolute
Unix timestamps: the access token lives 7 days, the refresh token until the authorization ends
(one year after consent). A refresh returns a new pair and revokes the old one.

Token-call refusals use the codes integrators report from TikTok's auth host: 36004005 ("can not
find related auth record": unknown, used or expired code or refresh token) and 36004001 (refresh
token expired); a wrong app key/secret or grant_type answers 36009004.
"""

import hmac
import secrets
from html import escape
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .constants import (
    CODE_INVALID_PARAMETER,
    GRANT_TYPE_AUTHORIZED_CODE,
    GRANT_TYPE_REFRESH_TOKEN,
    TOKEN_GET_PATH,
    TOKEN_REFRESH_PATH,
)
from .routing import ApiError, RawResponse, route
from .state import AuthCode, Token

AUTH_CODE_LIFETIME = 30 * 60
ACCESS_TOKEN_LIFETIME = 7 * 86400
AUTHORIZATION_PERIOD = 365 * 86400
# TikTok warns daily, at 00:00 UTC, during the last 30 days of an authorization.
EXPIRY_WARNING_WINDOW = 30 * 86400
DAY = 86400
CODE_AUTH_RECORD_NOT_FOUND = 36004005
CODE_REFRESH_TOKEN_EXPIRED = 36004001
GRANTED_SCOPES = (
    "seller.authorization.info",
    "seller.shop.info",
    "seller.product.basic",
    "seller.product.write",
    "seller.order.info",
    "seller.fulfillment.basic",
    "seller.logistics",
    "seller.return_refund.basic",
    "seller.finance.info",
    "seller.affiliate_collaboration.read",
    "seller.affiliate_collaboration.write",
    "data.shop_analytics.public.read",
)


# --- authorization ------------------------------------------------------------------------------


def grant_authorization(state, app, open_id):
    """The seller consents: (re)starts the authorization period, re-enables the seller's shops
    and returns a fresh single-use auth code."""
    now = state.now()
    state.authorizations[(app.app_key, open_id)] = now + AUTHORIZATION_PERIOD
    for shop in state.shops_of(open_id):
        shop.authorized = True
    code = AuthCode(
        code=_credential("ROW_"),
        app_key=app.app_key,
        open_id=open_id,
        expires_at=now + AUTH_CODE_LIFETIME,
    )
    state.auth_codes[code.code] = code
    return code


def issue_token(state, app, open_id):
    """A new token pair for `open_id`, valid until the authorization ends at the latest."""
    now = state.now()
    authorization_end = state.authorizations.get((app.app_key, open_id))
    if authorization_end is None:
        authorization_end = now + AUTHORIZATION_PERIOD
        state.authorizations[(app.app_key, open_id)] = authorization_end
    token = Token(
        access_token=_credential("TTP_"),
        refresh_token=_credential("TTP_"),
        app_key=app.app_key,
        open_id=open_id,
        access_expires_at=min(now + ACCESS_TOKEN_LIFETIME, authorization_end),
        refresh_expires_at=authorization_end,
        granted_scopes=list(GRANTED_SCOPES),
    )
    state.tokens[token.access_token] = token
    state.refresh_tokens[token.refresh_token] = token
    return token


def token_data(state, token):
    seller = state.sellers[token.open_id]
    return {
        "access_token": token.access_token,
        "access_token_expire_in": token.access_expires_at,
        "refresh_token": token.refresh_token,
        "refresh_token_expire_in": token.refresh_expires_at,
        "open_id": token.open_id,
        "seller_name": seller.name,
        "seller_base_region": seller.base_region,
        "user_type": 0,
        "granted_scopes": list(token.granted_scopes),
    }


def first_seller(state):
    """open_id of the seed's first seller (the US one), the default "logged-in" seller."""
    return next(iter(state.sellers))


def _credential(prefix):
    # Credentials are random, not seeded: they must not be guessable from the seed.
    return prefix + secrets.token_urlsafe(36)


def deauthorize_shop(state, shop):
    """The seller removes the app from a shop: calls for it fail, type 6 is pushed."""
    shop.authorized = False
    state.emit_webhook(
        6, shop.id, {"message": f"The seller deauthorized the app for shop {shop.name}."}
    )


def warn_authorization_expiry(state, shop, expiration_time=None):
    """Push type 7 for `shop`; `expiration_time` defaults to the seller's authorization end."""
    if expiration_time is None:
        ends = [
            end
            for (_app_key, open_id), end in state.authorizations.items()
            if open_id == shop.seller_open_id
        ]
        expiration_time = min(ends) if ends else state.now() + EXPIRY_WARNING_WINDOW
    state.emit_webhook(
        7,
        shop.id,
        {
            "message": "The authorization of your app will expire soon; ask the seller to "
            "authorize it again.",
            "expiration_time": str(expiration_time),
        },
    )


def start_expiry_warnings(state):
    """Check every day at 00:00 UTC (sandbox time) for authorizations ending within 30 days."""
    state.schedule(_next_midnight(state.now()), _daily_expiry_check, state)


def _daily_expiry_check(state):
    now = state.now()
    for (_app_key, open_id), end in sorted(state.authorizations.items()):
        if now < end <= now + EXPIRY_WARNING_WINDOW:
            for shop in state.shops_of(open_id):
                if shop.authorized:
                    warn_authorization_expiry(state, shop, end)
    state.schedule(_next_midnight(now), _daily_expiry_check, state)


def _next_midnight(now):
    return (now // DAY + 1) * DAY


# --- consent page -------------------------------------------------------------------------------


def _app_by_service_id(state, service_id):
    return next((app for app in state.apps.values() if app.service_id == service_id), None)


def _page(status, title, body):
    html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title></head><body>{body}</body></html>"
    )
    return RawResponse(status, html.encode("utf-8"))


@route("GET", "/open/authorize", signed=False)
def consent_page(state, request):
    app = _app_by_service_id(state, request.query.get("service_id", ""))
    if app is None:
        return _page(
            400, "Invalid link", "<h1>Invalid authorization link</h1><p>Unknown service_id.</p>"
        )
    sellers = list(state.sellers.values())
    choices = "".join(
        _seller_choice(state, seller, checked=index == 0) for index, seller in enumerate(sellers)
    )
    hidden = "".join(
        f"<input type='hidden' name='{name}' value='{escape(request.query[name])}'>"
        for name in ("service_id", "state")
        if name in request.query
    )
    body = (
        "<h1>Authorize app</h1>"
        f"<p>App <b>{escape(app.app_key)}</b> asks to access your shops: orders, products, "
        "fulfillment, returns, finance and affiliate data.</p>"
        f"<form method='post' action='/open/authorize'>{hidden}<p>Log in as:</p>{choices}"
        "<p><button type='submit' name='decision' value='authorize'>Authorize</button> "
        "<button type='submit' name='decision' value='deny'>Deny</button></p></form>"
    )
    return _page(200, "Authorize app", body)


def _seller_choice(state, seller, checked):
    shops = ", ".join(f"{shop.name} [{shop.region}]" for shop in state.shops_of(seller.open_id))
    return (
        f"<label><input type='radio' name='open_id' value='{escape(seller.open_id)}'"
        f"{' checked' if checked else ''}> {escape(seller.name)} ({escape(shops)})</label><br>"
    )


@route("POST", "/open/authorize", signed=False)
def consent_decision(state, request):
    form = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
    app = _app_by_service_id(state, form.get("service_id", ""))
    if app is None:
        return _page(400, "Invalid link", "<h1>Unknown service_id</h1>")
    if not app.redirect_url:
        return _page(400, "No redirect URL", "<h1>The app has no redirect URL registered</h1>")
    open_id = form.get("open_id") if form.get("open_id") in state.sellers else first_seller(state)
    params = {}
    if form.get("decision") == "authorize":
        params["code"] = grant_authorization(state, app, open_id).code
    else:
        params.update({"code": "null", "error": "auth_denied"})
    if form.get("state", "").strip():
        params["state"] = form["state"].strip()
    location = _with_query(app.redirect_url, params)
    return RawResponse(302, b"", "text/plain", {"Location": location})


def _with_query(url, params):
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


# --- token calls --------------------------------------------------------------------------------


def _checked_app(state, query, grant_type):
    app = state.apps.get(query.get("app_key", ""))
    secret = query.get("app_secret", "")
    if app is None or not hmac.compare_digest(app.app_secret.encode(), secret.encode()):
        raise ApiError(CODE_INVALID_PARAMETER, "Invalid app_key or app_secret")
    if query.get("grant_type") != grant_type:
        raise ApiError(CODE_INVALID_PARAMETER, f"grant_type must be {grant_type}")
    return app


@route("GET", TOKEN_GET_PATH, signed=False)
def get_token(state, request):
    app = _checked_app(state, request.query, GRANT_TYPE_AUTHORIZED_CODE)
    code = state.auth_codes.get(request.query.get("auth_code", ""))
    if code is None or code.used or code.app_key != app.app_key:
        raise ApiError(CODE_AUTH_RECORD_NOT_FOUND, "can not find related auth record")
    code.used = True  # single use, even when it turns out to be expired
    if code.expires_at <= state.now():
        raise ApiError(CODE_AUTH_RECORD_NOT_FOUND, "auth code has expired")
    return token_data(state, issue_token(state, app, code.open_id))


@route("GET", TOKEN_REFRESH_PATH, signed=False)
def refresh_token(state, request):
    app = _checked_app(state, request.query, GRANT_TYPE_REFRESH_TOKEN)
    old = state.refresh_tokens.get(request.query.get("refresh_token", ""))
    if old is None or old.revoked or old.app_key != app.app_key:
        raise ApiError(CODE_AUTH_RECORD_NOT_FOUND, "can not find related auth record")
    if old.refresh_expires_at <= state.now():
        raise ApiError(CODE_REFRESH_TOKEN_EXPIRED, "rt has expired")
    old.revoked = True
    return token_data(state, issue_token(state, app, old.open_id))


# --- shops --------------------------------------------------------------------------------------


def _authorized_shops(state, request):
    return [shop for shop in state.shops_of(request.token.open_id) if shop.authorized]


@route("GET", "/authorization/202309/shops", shop_cipher=False)
def get_authorized_shops(state, request):
    return {
        "shops": [
            {
                "cipher": shop.cipher,
                "code": shop.code,
                "id": shop.id,
                "name": shop.name,
                "region": shop.region,
                "seller_type": shop.seller_type,
            }
            for shop in _authorized_shops(state, request)
        ]
    }


@route("GET", "/seller/202309/shops", shop_cipher=False)
def get_active_shops(state, request):
    return {
        "shops": [
            {"id": shop.id, "region": shop.region} for shop in _authorized_shops(state, request)
        ]
    }


@route("DELETE", "/authorization/202403/shops")
def deauthorize_shop_endpoint(state, request):
    deauthorize_shop(state, request.shop)
    return {}
