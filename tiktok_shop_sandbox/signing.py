"""The two signatures the sandbox deals in, written from the API contract (§3.2 and §4.2).

It checks the `sign` of every API call and signs every webhook push. This is the sandbox's own
implementation, not the connector's: the connector signs with its code and the sandbox checks
with this one, so a bug in either shows up as a refused call instead of agreeing with itself.

    API call:  sign = lowercase hex HMAC-SHA256, keyed with the app secret, over
               secret, path, every query key then its value (sorted by key, `sign` and
               `access_token` left out), the body as sent (not for multipart uploads), secret
    push:      Authorization = lowercase hex HMAC-SHA256, keyed with the app secret, over
               app key, then the raw body
"""

import hashlib
import hmac

# Never part of a request's signature: the signature itself, and a token a caller left in the
# query (since 202309 the token travels in a header).
_LEFT_OUT_OF_SIGNATURE = ("sign", "access_token")


def _mac(app_secret):
    return hmac.new(app_secret.encode("utf-8"), digestmod=hashlib.sha256)


def request_signature(app_secret, path, query, body=b"", body_is_signed=True):
    """The `sign` an API call must carry.

    :param query: the decoded query parameters, {name: str}, as the request sent them
    :param body: the body bytes as received
    :param body_is_signed: False for multipart/form-data uploads, whose body is left out
    """
    secret = app_secret.encode("utf-8")
    mac = _mac(app_secret)
    mac.update(secret)
    mac.update(path.encode("utf-8"))
    for name in sorted(query):
        if name not in _LEFT_OUT_OF_SIGNATURE:
            mac.update(name.encode("utf-8"))
            mac.update(query[name].encode("utf-8"))
    if body_is_signed:
        mac.update(body)
    mac.update(secret)
    return mac.hexdigest()


def is_valid_request_signature(received, app_secret, path, query, body, body_is_signed):
    """True when `received` is the call's `sign`, compared in constant time."""
    expected = request_signature(app_secret, path, query, body, body_is_signed)
    return hmac.compare_digest(expected.encode("ascii"), received.encode("utf-8"))


def push_signature(app_key, app_secret, raw_body):
    """The `Authorization` value TikTok sends with a webhook push of `raw_body` (bytes)."""
    mac = _mac(app_secret)
    mac.update(app_key.encode("utf-8"))
    mac.update(raw_body)
    return mac.hexdigest()
