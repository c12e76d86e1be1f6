"""The OAuth `state`: a JWT (HS256) naming the account and the user who clicked Connect.

TikTok hands the state back unchanged with the seller's authorization code. Signed, it cannot be
forged or edited; `exp` ends it after its lifetime; its `jti` is stored by the caller and burnt on
the callback, so it is accepted once. The signing key is derived from the installation's secret
for this purpose only: a state signs nothing else, and nothing else can pass for a state.
"""

import time
from dataclasses import dataclass

import jwt

from .secret_box import derive_key

ALGORITHM = "HS256"
AUDIENCE = "tiktok_shop_connector.oauth_state"
KEY_PURPOSE = b"tiktok_shop_connector oauth state v1"
REQUIRED_CLAIMS = ["aud", "exp", "iat", "jti", "account_id", "uid"]


class InvalidOAuthState(ValueError):
    """Not a state this installation issued, expired, edited or malformed."""


@dataclass(frozen=True)
class OAuthState:
    account_id: int
    user_id: int
    jti: str


def state_key(key_material):
    return derive_key(key_material, purpose=KEY_PURPOSE)


def issue_state(key, state, lifetime_seconds, now=None):
    """The signed token for `state` (an OAuthState), valid `lifetime_seconds` from `now`."""
    issued_at = int(time.time() if now is None else now)
    claims = {
        "aud": AUDIENCE,
        "iat": issued_at,
        "exp": issued_at + int(lifetime_seconds),
        "jti": state.jti,
        "account_id": state.account_id,
        "uid": state.user_id,
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def read_state(key, token):
    """The OAuthState a token carries; raise InvalidOAuthState unless it is genuine and fresh."""
    if not isinstance(token, str) or not token:
        raise InvalidOAuthState("no state")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.PyJWTError as error:
        raise InvalidOAuthState(str(error)) from None
    state = OAuthState(claims["account_id"], claims["uid"], claims["jti"])
    if not (_is_id(state.account_id) and _is_id(state.user_id) and isinstance(state.jti, str)):
        raise InvalidOAuthState("the state's claims have the wrong types")
    return state


def _is_id(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
