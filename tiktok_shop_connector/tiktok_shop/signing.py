"""Request signing for TikTok Shop API version 202309 and later.

sign = lowercase_hex(HMAC_SHA256(app_secret, app_secret + path + sorted(k + v) + body + app_secret))

Values are signed decoded; the HTTP layer percent-encodes them afterwards. The body is signed as
the exact bytes sent, so JSON is serialized once (`serialize_json_body`) and those bytes are both
signed and transmitted.
"""

import hashlib
import hmac
import json
from collections.abc import Mapping

from .const import UNSIGNED_PARAMS


def query_value(value):
    """Return the wire form of one query value (None means "do not send")."""
    if value is None:
        return None
    if isinstance(value, bool):
        # TikTok expects JSON-style booleans; Python's str() would give "True".
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        # Arrays travel as ONE comma-joined value (ids=1,2,3), signed the same way.
        return ",".join(query_value(item) for item in value if item is not None)
    return str(value)


def normalize_query(params):
    """Return `params` as {key: str}, dropping None values (empty params are never sent)."""
    normalized = {}
    for key, value in (params or {}).items():
        wire_value = query_value(value)
        if wire_value is not None:
            normalized[str(key)] = wire_value
    return normalized


def serialize_json_body(payload):
    """Serialize a JSON body compactly as UTF-8 bytes: these exact bytes are signed AND sent."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def string_to_sign(app_secret, path, params, body=b"", multipart=False):
    """Return the bytes that get HMAC'ed (useful to debug a 106001 "invalid sign")."""
    if not isinstance(params, Mapping):
        raise TypeError("params must be a mapping of query parameters")
    signed_params = normalize_query(
        {key: value for key, value in params.items() if key not in UNSIGNED_PARAMS}
    )
    concatenated = "".join(key + signed_params[key] for key in sorted(signed_params))
    secret_bytes = app_secret.encode("utf-8")
    message = path.encode("utf-8") + concatenated.encode("utf-8")
    if not multipart and body:
        # Multipart uploads are never body-signed; everything else signs the bytes as sent.
        message += body.encode("utf-8") if isinstance(body, str) else bytes(body)
    return secret_bytes + message + secret_bytes


def sign(app_secret, path, params, body=b"", multipart=False):
    """Return the lowercase hex `sign` query value for one request.

    :param app_secret: the app secret (also the HMAC key)
    :param path: URL path only, IDs substituted (e.g. "/order/202309/orders/search")
    :param params: decoded query parameters; `sign` and `access_token` are ignored
    :param body: exact request body bytes (or str, encoded as UTF-8)
    :param multipart: True for multipart/form-data uploads, whose body is not signed
    """
    if not app_secret:
        raise ValueError("app_secret is required to sign a request")
    message = string_to_sign(app_secret, path, params, body=body, multipart=multipart)
    # TikTok rejects uppercase hex; hexdigest() is lowercase.
    return hmac.new(app_secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
