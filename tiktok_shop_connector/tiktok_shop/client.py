"""Signed HTTP client for the TikTok Shop Open API (version 202309 and later).

Every business call goes through `TikTokShopClient.request`, the single choke point that adds the
common parameters, signs, rate-limits, retries, refreshes an expired token once, parses the
`{code, message, request_id, data}` envelope and raises typed errors. It has no Odoo dependency:
the addon builds one client per account and transaction and passes credentials and callbacks in.
"""

import json
import logging
import random
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode

import requests

from .const import (
    ACCESS_TOKEN_HEADER,
    API_HOST,
    AUTH_HOST,
    AUTHORIZE_URLS,
    CLIENT_MANAGED_PARAMS,
    CODE_SUCCESS,
    DEFAULT_BACKOFF_BASE,
    DEFAULT_BACKOFF_CAP,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_TOTAL_RETRY_SECONDS,
    DEFAULT_PAGE_SIZE,
    DEFAULT_TIMEOUT,
    GRANT_TYPE_AUTHORIZED_CODE,
    GRANT_TYPE_REFRESH_TOKEN,
    JSON_CONTENT_TYPE,
    TOKEN_GET_PATH,
    TOKEN_REFRESH_PATH,
)
from .endpoints import Endpoint, endpoint_template, path_takes_shop_cipher
from .errors import (
    TikTokShopError,
    TikTokShopRateLimited,
    TikTokShopRequestError,
    TikTokShopServerError,
    TikTokShopTokenExpired,
    TikTokShopTransportError,
    error_from_response,
)
from .rate_limit import shared_rate_limiter
from .redaction import get_logger, redact, register_secret
from .signing import normalize_query, serialize_json_body, sign

_logger = get_logger(__name__)
# urllib3 logs every request line at DEBUG, query string included: for token calls that is the
# app secret and the auth code / refresh token. Route it through the same redaction.
get_logger("urllib3.connectionpool")

# Long bodies are cut in debug logs; redaction runs before the cut so JSON still parses.
_LOG_BODY_LIMIT = 2000
# Below this an "expire_in" value cannot be a Unix timestamp (it would predate 2001): some
# integrations document it as a duration, so read it as seconds from now rather than as 1970.
_MIN_UNIX_TIMESTAMP = 1_000_000_000
# Transport failures after which the same request may simply be sent again.
_TRANSIENT_TRANSPORT_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)


@dataclass(frozen=True)
class TokenInfo:
    """Result of a token exchange or refresh. Expiry fields are absolute Unix seconds."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_token_expires_at: int
    refresh_token_expires_at: int
    open_id: str = None
    seller_name: str = None
    seller_base_region: str = None
    user_type: int = None
    granted_scopes: tuple = ()

    @classmethod
    def from_response(cls, data, now):
        """Build from the token call's `data` (`*_expire_in` are timestamps despite the name)."""
        if not data.get("access_token"):
            raise TikTokShopRequestError("TikTok Shop token answer has no access_token")
        return cls(
            access_token=data["access_token"],
            refresh_token=data.get("refresh_token") or "",
            access_token_expires_at=_absolute_expiry(data.get("access_token_expire_in"), now),
            refresh_token_expires_at=_absolute_expiry(data.get("refresh_token_expire_in"), now),
            open_id=data.get("open_id"),
            seller_name=data.get("seller_name"),
            seller_base_region=data.get("seller_base_region"),
            user_type=data.get("user_type"),
            granted_scopes=tuple(data.get("granted_scopes") or ()),
        )


def _absolute_expiry(value, now):
    if value in (None, ""):
        return None
    value = int(value)
    return now + value if value < _MIN_UNIX_TIMESTAMP else value


def authorization_url(service_id, state=None, *, market="global", authorize_url=None):
    """Return the link that sends a seller to TikTok's consent page.

    :param service_id: the app's service id from Partner Center (not the app key)
    :param state: random anti-CSRF value echoed back to the redirect URL (optional)
    :param market: "global" (every region but the US) or "us"
    :param authorize_url: override the base URL (e.g. the link Partner Center shows)
    """
    if not service_id:
        raise ValueError("service_id is required to build the authorization link")
    if authorize_url is None:
        if market not in AUTHORIZE_URLS:
            raise ValueError(f"unknown market {market!r}; expected one of {sorted(AUTHORIZE_URLS)}")
        authorize_url = AUTHORIZE_URLS[market]
    query = {"service_id": service_id}
    if state is not None and state.strip():
        query["state"] = state.strip()
    return f"{authorize_url}?{urlencode(query)}"


def paginate(
    request,
    endpoint,
    path=None,
    *,
    items_key,
    params=None,
    json=None,
    page_size=DEFAULT_PAGE_SIZE,
    paging_in="query",
    **request_kwargs,
):
    """Yield the items of `data[items_key]` page after page (cursor `next_page_token`).

    :param request: sends one page; `TikTokShopClient.request` or a caller's wrapper of it
        (e.g. one that takes the client of the current transaction for each page)
    :param endpoint: an `Endpoint`, or an HTTP method followed by `path`
    :param paging_in: "query" (almost every endpoint) or "body" (promotion searches)
    :param request_kwargs: passed to every `request` (`shop_cipher`, `path_params`)
    """
    if paging_in not in ("query", "body"):
        raise ValueError("paging_in must be 'query' or 'body'")
    params = dict(params or {})
    body = dict(json or {})
    paging = params if paging_in == "query" else body
    if page_size is not None:
        paging["page_size"] = page_size
    target = (endpoint,) if path is None else (endpoint, path)
    seen_tokens = set()
    while True:
        data = request(*target, params=params, json=body or None, **request_kwargs)
        yield from data.get(items_key) or ()
        next_token = data.get("next_page_token")
        if not next_token:
            return
        if next_token in seen_tokens:
            # A repeated cursor would loop forever; stopping silently would lose data.
            raise TikTokShopServerError(
                f"TikTok Shop returned the same page token twice for {' '.join(map(str, target))}"
            )
        seen_tokens.add(next_token)
        paging["page_token"] = next_token


@dataclass(frozen=True)
class _Call:
    """Everything about one logical call that stays the same across its attempts."""

    method: str
    url: str
    path: str
    params: dict  # normalized query without app_key / timestamp / sign
    body: bytes  # exact bytes to sign and send ("" for none)
    rate_key: tuple
    signed: bool = True
    files: object = None
    form: object = None


class TikTokShopClient:
    """Client for one app (and, through its access token, one seller authorization).

    :param app_key: app key from Partner Center
    :param app_secret: app secret (signs requests; never logged)
    :param access_token: seller access token, sent as `x-tts-access-token`
    :param api_host: business API base URL
    :param auth_host: token API base URL
    :param timeout: seconds, passed to every HTTP call
    :param max_attempts: attempts per call for transient failures (1 = no retry)
    :param backoff_base: first backoff ceiling in seconds (doubled per failure, full jitter)
    :param backoff_cap: upper bound of one backoff delay
    :param max_total_retry_seconds: retries stop once this much time went by since the first try
    :param rate_limiter: object with `acquire(key)`; default: one process-wide token bucket
    :param refresh_callback: called without arguments when the token expired (105002); returns
        the new access token (str or `TokenInfo`). Called at most once per request.
    :param session: a `requests.Session` to reuse (default: one per client)
    :param sleep: injectable sleep (tests)
    :param clock: injectable wall clock returning Unix seconds (timestamps and retry budget)
    :param rng: `random.Random` used for backoff jitter (tests)
    """

    def __init__(
        self,
        app_key,
        app_secret,
        *,
        access_token=None,
        api_host=API_HOST,
        auth_host=AUTH_HOST,
        timeout=DEFAULT_TIMEOUT,
        max_attempts=DEFAULT_MAX_ATTEMPTS,
        backoff_base=DEFAULT_BACKOFF_BASE,
        backoff_cap=DEFAULT_BACKOFF_CAP,
        max_total_retry_seconds=DEFAULT_MAX_TOTAL_RETRY_SECONDS,
        rate_limiter=None,
        refresh_callback=None,
        session=None,
        sleep=time.sleep,
        clock=time.time,
        rng=None,
    ):
        if not app_key or not app_secret:
            raise ValueError("app_key and app_secret are required")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        register_secret(app_secret)
        self.app_key = app_key
        self._app_secret = app_secret
        self._access_token = None
        self.access_token = access_token
        self._api_host = api_host.rstrip("/")
        self._auth_host = auth_host.rstrip("/")
        self._timeout = timeout
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._max_total_retry_seconds = max_total_retry_seconds
        self._rate_limiter = rate_limiter if rate_limiter is not None else shared_rate_limiter()
        self._refresh_callback = refresh_callback
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        self._sleep = sleep
        self._clock = clock
        self._rng = rng if rng is not None else random.Random()

    def __repr__(self):
        return f"<TikTokShopClient app_key={self.app_key!r} api_host={self._api_host!r}>"

    @property
    def access_token(self):
        return self._access_token

    @access_token.setter
    def access_token(self, token):
        register_secret(token)
        self._access_token = token

    def close(self):
        """Close the HTTP session if this client created it (its pooled connections)."""
        if self._owns_session:
            self._session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # --- Business API ---------------------------------------------------------------------------

    def request(
        self,
        endpoint,
        path=None,
        *,
        path_params=None,
        params=None,
        json=None,
        shop_cipher=None,
        files=None,
        form=None,
        idempotent=True,
    ):
        """Send one signed API call and return the envelope's `data` ({} when null).

        :param endpoint: an `Endpoint` of the table, or an HTTP method followed by `path`
        :param path: after a method: the path with its IDs, e.g. "/product/202309/products/17"
        :param path_params: with an `Endpoint`: its path placeholders, e.g. {"product_id": "17"}
        :param params: query parameters (lists are comma-joined, None values dropped)
        :param json: JSON body, serialized once; the signed bytes are the sent bytes
        :param shop_cipher: required on shop-scoped paths, never sent on the others
        :param files: multipart files (requests format); the body is then not signed
        :param form: extra multipart form fields (e.g. {"use_case": "MAIN_IMAGE"})
        :param idempotent: False for writes that must not run twice: then only throttled
            calls (429 / 36009002, which were not executed) are retried
        :raises ValueError: for a malformed call (no shop_cipher on a shop path, ...)
        :raises TikTokShopError: a typed subclass for every API or transport failure
        """
        target = _target(endpoint, path, path_params)
        call = self._build_api_call(target, params, json, shop_cipher, files, form)
        return self._execute(call, idempotent=idempotent, allow_token_refresh=True)

    def paginate(self, endpoint, path=None, **kwargs):
        """Yield the items of `data[items_key]` page after page; see module-level `paginate`."""
        return paginate(self.request, endpoint, path, **kwargs)

    def download_document(self, doc_url):
        """The bytes behind a shipping document's `doc_url` (valid 24 h; not a signed call)."""
        try:
            response = self._session.get(doc_url, timeout=self._timeout)
        except requests.RequestException as error:
            message = f"TikTok document download failed: {_describe(error)}"
            raise TikTokShopTransportError(message) from None
        if response.status_code != 200:
            raise TikTokShopServerError(
                f"TikTok document download answered HTTP {response.status_code}"
            )
        return response.content

    # --- OAuth ----------------------------------------------------------------------------------

    def authorization_url(self, service_id, state=None, *, market="global", authorize_url=None):
        """Seller consent link; see module-level `authorization_url`."""
        return authorization_url(service_id, state, market=market, authorize_url=authorize_url)

    def get_access_token(self, auth_code):
        """Exchange the redirect's single-use `auth_code` (30 min) for a token pair.

        The client then uses the new access token. Returns a `TokenInfo`.
        """
        return self._token_call(
            TOKEN_GET_PATH, {"auth_code": auth_code, "grant_type": GRANT_TYPE_AUTHORIZED_CODE}
        )

    def refresh_access_token(self, refresh_token):
        """Get a new token pair from a refresh token (store both new tokens).

        The client then uses the new access token. Returns a `TokenInfo`.
        """
        return self._token_call(
            TOKEN_REFRESH_PATH,
            {"refresh_token": refresh_token, "grant_type": GRANT_TYPE_REFRESH_TOKEN},
        )

    def _token_call(self, path, params):
        credential = params.get("auth_code") or params.get("refresh_token")
        if not credential:
            raise ValueError("an auth code or refresh token is required")
        register_secret(credential)
        # Token calls are GETs with every parameter in the query and no signature.
        query = {"app_key": self.app_key, "app_secret": self._app_secret, **params}
        call = _Call(
            method="GET",
            url=self._auth_host + path,
            path=path,
            params=normalize_query(query),
            body=b"",
            rate_key=(self.app_key, "", f"GET {path}"),
            signed=False,
        )
        data = self._execute(call, idempotent=True, allow_token_refresh=False)
        token = TokenInfo.from_response(data, now=int(self._clock()))
        register_secret(token.refresh_token)
        self.access_token = token.access_token
        return token

    # --- Building a call ------------------------------------------------------------------------

    def _build_api_call(self, target, params, json_body, shop_cipher, files, form):
        method, path, rate_bucket = target
        _check_path(path)
        params = dict(params or {})
        managed = CLIENT_MANAGED_PARAMS & params.keys()
        if managed:
            raise ValueError(f"the client sets these parameters itself: {sorted(managed)}")
        shop_cipher = params.pop("shop_cipher", None) or shop_cipher
        takes_cipher = path_takes_shop_cipher(method, path)
        if takes_cipher and not shop_cipher:
            raise ValueError(f"{method} {path} is shop-scoped: pass shop_cipher")
        if takes_cipher:
            params["shop_cipher"] = shop_cipher
        elif shop_cipher:
            # TikTok rejects it there (36009004); callers may pass it generically.
            _logger.debug("Not sending shop_cipher to app-level endpoint %s %s", method, path)
        if files is not None and json_body is not None:
            raise ValueError("a multipart upload cannot also carry a JSON body")
        return _Call(
            method=method,
            url=self._api_host + path,
            path=path,
            params=normalize_query(params),
            body=_json_body_bytes(json_body),
            rate_key=(self.app_key, shop_cipher if takes_cipher else "", rate_bucket),
            files=files,
            form=form,
        )

    # --- Sending with retries -------------------------------------------------------------------

    def _execute(self, call, *, idempotent, allow_token_refresh):
        started = self._clock()
        failures = 0
        token_refreshed = False
        while True:
            try:
                return self._attempt(call)
            except TikTokShopTokenExpired as error:
                if not allow_token_refresh or token_refreshed or self._refresh_callback is None:
                    raise
                token_refreshed = True
                self._refresh_token_after(error)
            except TikTokShopError as error:
                failures += 1
                delay = self._retry_delay(error, failures, started, idempotent)
                if delay is None:
                    raise
                _logger.warning(
                    "Retrying TikTok Shop %s %s in %.2f s (attempt %d of %d failed: %s: %s)",
                    call.method,
                    call.path,
                    delay,
                    failures,
                    self._max_attempts,
                    type(error).__name__,
                    error,
                )
                self._sleep(delay)

    def _refresh_token_after(self, error):
        _logger.info(
            "TikTok Shop access token expired (request_id=%s); refreshing it once",
            error.request_id,
        )
        new_token = self._refresh_callback()
        new_token = getattr(new_token, "access_token", new_token)
        if not new_token:
            raise error
        self.access_token = new_token

    def _retry_delay(self, error, failures, started, idempotent):
        """Seconds to wait before the next attempt, or None to give up."""
        if not error.retryable or failures >= self._max_attempts:
            return None
        if not idempotent and not isinstance(error, TikTokShopRateLimited):
            # A timeout or 5xx may hide a write that happened; do not risk doing it twice.
            return None
        if error.retry_after is not None:
            delay = error.retry_after
        else:
            ceiling = min(self._backoff_cap, self._backoff_base * 2 ** (failures - 1))
            delay = self._rng.uniform(0, ceiling)  # full jitter spreads out competing clients
        if self._clock() - started + delay > self._max_total_retry_seconds:
            return None
        return delay

    def _attempt(self, call):
        # Wait for the quota first: the timestamp must be fresh when the request leaves.
        self._rate_limiter.acquire(call.rate_key)
        query = dict(call.params)
        headers = {}
        if call.signed:
            query["app_key"] = self.app_key
            query["timestamp"] = str(int(self._clock()))
            query["sign"] = sign(
                self._app_secret, call.path, query, call.body, multipart=call.files is not None
            )
            if self._access_token:
                headers[ACCESS_TOKEN_HEADER] = self._access_token
        if call.files is None:
            headers["Content-Type"] = JSON_CONTENT_TYPE
        else:
            _rewind_files(call.files)
        self._log_request(call, query)
        try:
            response = self._session.request(
                call.method,
                call.url,
                params=query,
                data=call.form if call.files is not None else (call.body or None),
                files=call.files,
                headers=headers,
                timeout=self._timeout,
            )
        except _TRANSIENT_TRANSPORT_ERRORS as error:
            # `from None`: the original exception text holds the URL, app_secret included for
            # token calls; only its redacted text is kept.
            raise TikTokShopTransportError(
                f"TikTok Shop {call.method} {call.path} failed: {_describe(error)}"
            ) from None
        except requests.RequestException as error:
            raise TikTokShopRequestError(
                f"TikTok Shop {call.method} {call.path} could not be sent: {_describe(error)}"
            ) from None
        return self._parse_response(call, response)

    def _parse_response(self, call, response):
        status = response.status_code
        payload = _json_or_none(response)
        self._log_response(call, response, payload)
        retry_after = _retry_after_seconds(response.headers.get("Retry-After"), self._clock())
        if not isinstance(payload, dict):
            snippet = redact(response.text[:200])
            if 200 <= status < 300:
                # A 2xx without an envelope is a broken answer (proxy page...): try again.
                raise TikTokShopServerError(
                    f"TikTok Shop returned a non-JSON answer: {snippet!r}", http_status=status
                )
            raise error_from_response(
                status, None, f"HTTP {status}: {snippet!r}", None, retry_after
            )
        code = _as_int(payload.get("code"))
        if 200 <= status < 300 and code == CODE_SUCCESS:
            data = payload.get("data")
            return data if data is not None else {}
        raise error_from_response(
            status, code, payload.get("message"), payload.get("request_id"), retry_after
        )

    # --- Logging --------------------------------------------------------------------------------

    def _log_request(self, call, query):
        if not _logger.isEnabledFor(logging.DEBUG):  # skip redacting big bodies for nothing
            return
        url = f"{call.url}?{urlencode(query)}"
        if call.files is not None:
            body = f"<multipart: {sorted(call.files) if hasattr(call.files, 'keys') else 'files'}>"
        else:
            body = _truncate(redact(call.body, secrets=self._secrets()))
        _logger.debug(
            "TikTok Shop request %s %s body=%s",
            call.method,
            redact(url, secrets=self._secrets()),
            body,
        )

    def _log_response(self, call, response, payload):
        if not _logger.isEnabledFor(logging.DEBUG):
            return
        if payload is None:
            shown = redact(response.text, secrets=self._secrets())
        else:
            shown = json.dumps(redact(payload, secrets=self._secrets()), ensure_ascii=False)
        _logger.debug(
            "TikTok Shop response %s %s: HTTP %s request_id=%s body=%s",
            call.method,
            call.path,
            response.status_code,
            payload.get("request_id") if isinstance(payload, dict) else None,
            _truncate(shown),
        )

    def _secrets(self):
        return tuple(secret for secret in (self._app_secret, self._access_token) if secret)


# --- Helpers ------------------------------------------------------------------------------------


def _target(endpoint, path, path_params):
    """(method, path, rate bucket) of a call named by an `Endpoint` or by a method and a path."""
    if isinstance(endpoint, Endpoint):
        if path is not None:
            raise ValueError(f"{endpoint} has its own path: pass its path_params instead")
        return endpoint.method, endpoint.format(path_params), endpoint.rate_bucket
    if path_params:
        raise ValueError("path_params fill in an Endpoint's path: pass an Endpoint")
    if path is None:
        raise ValueError(f"{endpoint!r} is not an Endpoint: pass a method and a path")
    method = endpoint.upper()
    return method, path, endpoint_template(method, path)


def _check_path(path):
    if not path.startswith("/"):
        raise ValueError(f"path must start with '/': {path!r}")
    if any(char in path for char in "?#{} \t\n"):
        # Query strings go in `params`; braces mean an ID was not substituted.
        raise ValueError(f"path must be a plain path with IDs filled in: {path!r}")


def _rewind_files(files):
    """Seek file objects back to the start: a retry must upload the whole file again."""
    entries = files.values() if hasattr(files, "values") else (entry for _name, entry in files)
    for entry in entries:
        file_object = entry[1] if isinstance(entry, (tuple, list)) else entry
        if hasattr(file_object, "seek"):
            file_object.seek(0)


def _json_body_bytes(json_body):
    # An empty object is omitted rather than sent: implementations disagree on signing "{}".
    if json_body is None or json_body == {}:
        return b""
    return serialize_json_body(json_body)


def _json_or_none(response):
    try:
        return response.json()
    except ValueError:
        return None


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _retry_after_seconds(header_value, now):
    """Parse Retry-After (delta seconds or HTTP date) into seconds; None if absent/invalid."""
    if not header_value:
        return None
    try:
        return max(0.0, float(header_value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(header_value).timestamp() - now)
    except (TypeError, ValueError):
        return None


def _describe(error):
    return redact(f"{type(error).__name__}: {error}")


def _truncate(text):
    if len(text) <= _LOG_BODY_LIMIT:
        return text
    return f"{text[:_LOG_BODY_LIMIT]}... [{len(text) - _LOG_BODY_LIMIT} more characters]"
