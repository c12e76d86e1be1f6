"""The OAuth state token: HS256 JWT, 30-minute expiry, typed claims, purpose-bound key."""

import time

import jwt
import pytest
from tiktok_shop.oauth_state import (
    AUDIENCE,
    InvalidOAuthState,
    OAuthState,
    issue_state,
    read_state,
    state_key,
)
from tiktok_shop.secret_box import derive_key

KEY = state_key("installation secret|database uuid")
STATE = OAuthState(account_id=7, user_id=2, jti="3f1c0a9e5b7d4c2a8e6f0b1d3c5a7e9f")
LIFETIME = 1800


def test_issued_state_reads_back():
    assert read_state(KEY, issue_state(KEY, STATE, LIFETIME)) == STATE


def test_key_is_bound_to_its_purpose():
    material = "installation secret|database uuid"
    assert state_key(material) != derive_key(material)
    assert len(state_key(material)) == 32


def test_state_of_another_key_is_refused():
    token = issue_state(state_key("another installation"), STATE, LIFETIME)
    with pytest.raises(InvalidOAuthState):
        read_state(KEY, token)


def test_expired_state_is_refused():
    token = issue_state(KEY, STATE, LIFETIME, now=time.time() - LIFETIME - 1)
    with pytest.raises(InvalidOAuthState, match="expired"):
        read_state(KEY, token)


def test_state_within_its_lifetime_is_accepted():
    token = issue_state(KEY, STATE, LIFETIME, now=time.time() - LIFETIME + 60)
    assert read_state(KEY, token) == STATE


def test_edited_payload_is_refused():
    header, _payload, signature = issue_state(KEY, STATE, LIFETIME).split(".")
    other = issue_state(KEY, OAuthState(8, 2, STATE.jti), LIFETIME).split(".")[1]
    with pytest.raises(InvalidOAuthState):
        read_state(KEY, f"{header}.{other}.{signature}")


def test_unsigned_token_is_refused():
    claims = {"aud": AUDIENCE, "iat": int(time.time()), "exp": int(time.time()) + 60}
    claims.update(jti=STATE.jti, account_id=7, uid=2)
    unsigned = jwt.encode(claims, None, algorithm="none")
    with pytest.raises(InvalidOAuthState):
        read_state(KEY, unsigned)


@pytest.mark.parametrize(
    "changes",
    [
        {"aud": "another.purpose"},
        {"jti": None},
        {"account_id": None},
        {"account_id": "7"},
        {"uid": True},
        {"jti": 12},
    ],
)
def test_wrong_audience_or_claims_are_refused(changes):
    now = int(time.time())
    claims = {"aud": AUDIENCE, "iat": now, "exp": now + 60, "jti": STATE.jti}
    claims.update(account_id=7, uid=2)
    claims.update(changes)
    claims = {name: value for name, value in claims.items() if value is not None}
    with pytest.raises(InvalidOAuthState):
        read_state(KEY, jwt.encode(claims, KEY, algorithm="HS256"))


@pytest.mark.parametrize("token", [None, "", "not-a-jwt", "a.b.c", 42])
def test_malformed_tokens_are_refused(token):
    with pytest.raises(InvalidOAuthState):
        read_state(KEY, token)
