"""Route table of the sandbox: which handler serves `METHOD /path`, and the request it receives.

Handler modules register themselves with the `route` decorator at import time; the server looks
routes up with `ROUTER.match`. A route also carries what the gateway checks before its handler
runs: signed or not, shop-scoped or not (the `shop_cipher` rule), the page sizes it accepts.
A handler takes `(state, request)` and returns the envelope's `data` (a dict) or raises
`ApiError`, which becomes TikTok's envelope with its code and HTTP status. A handler that must
answer something other than an envelope (an HTML page, a redirect, a PDF) returns a
`RawResponse`. Below the table: what handlers share to read a request the way TikTok does
(paging, idempotency keys, time filters, sorting, records of the caller's shop).
"""

import copy
import re
from dataclasses import dataclass, field
from functools import cached_property

from .constants import CODE_INVALID_PARAMETER

# "{order_id}" in a route template: one path segment, passed to the handler by that name.
_PATH_PARAMETER = re.compile(r"\{(\w+)\}")


class ApiError(Exception):
    """A refusal as TikTok words it: envelope `code`/`message`, sent with `http_status`."""

    def __init__(self, code, message, http_status=200):
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status


@dataclass
class Route:
    method: str
    template: str
    pattern: re.Pattern
    handler: object
    # (min, max) of the `page_size` query parameter, None when the endpoint does not page.
    page_size: tuple | None = None
    page_size_required: bool = False
    # Token calls and the authorization page are served on the auth side, without `sign`.
    signed: bool = True
    # Binary uploads: the body must be multipart/form-data (36009023) and is not signed.
    multipart: bool = False
    # Shop-scoped endpoints need `shop_cipher` (106013 without); app- and seller-level ones
    # (authorized shops, seller, image upload) refuse it (36009004 "Unexpected identifier").
    shop_cipher: bool = True

    @cached_property
    def endpoint(self):
        """ "METHOD /path" with every path parameter as {id}: what TikTok's quota counts per
        (app, shop), so every order id, say, shares one bucket."""
        return f"{self.method} {_PATH_PARAMETER.sub('{id}', self.template)}"


@dataclass
class Request:
    """What a handler sees of one API call, after the server checked signature, token and shop."""

    method: str
    path: str
    query: dict
    headers: dict
    body: bytes = b""
    json: dict | None = None
    # multipart/form-data uploads: field name -> (filename, bytes, content_type) or str value
    files: dict = field(default_factory=dict)
    path_params: dict = field(default_factory=dict)
    app: object = None  # state.App
    token: object = None  # state.Token (None for unsigned auth-side routes)
    shop: object = None  # state.Shop, resolved from `shop_cipher` on shop-scoped paths
    # "http://host:port" the caller reached, to build URLs it can follow (shipping documents).
    base_url: str = ""

    @property
    def page_size(self):
        return int(self.query.get("page_size") or 20)

    @property
    def page_token(self):
        return self.query.get("page_token") or ""


class Router:
    def __init__(self):
        self.routes = []

    def add(self, method, template, handler, **options):
        regex = _PATH_PARAMETER.sub(r"(?P<\1>[^/]+)", template)
        pattern = re.compile(f"^{regex}$")
        self.routes.append(Route(method.upper(), template, pattern, handler, **options))

    def match(self, method, path):
        """Return (route, path_params); (None, "method") when only the method is wrong, else
        (None, None)."""
        method_mismatch = False
        for route in self.routes:
            found = route.pattern.match(path)
            if not found:
                continue
            if route.method == method.upper():
                return route, found.groupdict()
            method_mismatch = True
        return None, "method" if method_mismatch else None


@dataclass
class RawResponse:
    """An answer sent as is, without TikTok's JSON envelope."""

    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict = field(default_factory=dict)


ROUTER = Router()
_PAGE_TOKEN = re.compile(r"c/(\d+)\+n==")


def route(method, template, **options):
    """Register the decorated `handler(state, request) -> dict` for `METHOD template`."""

    def register(handler):
        ROUTER.add(method, template, handler, **options)
        return handler

    return register


def shop_record(records, record_id, request, kind):
    """`records[record_id]` when it belongs to the request's shop, else "`kind` not found"."""
    record = records.get(record_id)
    if record is None or record.shop_id != request.shop.id:
        raise ApiError(CODE_INVALID_PARAMETER, f"{kind} not found")
    return record


def idempotent(state, request, key, action):
    """Run `action()` once per path, shop and idempotency `key`; repeat its first answer after.

    Without a key the action simply runs. A refused action (ApiError) is not remembered.
    """
    if not key:
        return action()
    # Keys are the caller's; two shops may well pick the same one.
    memory_key = (request.path, request.shop.id, key)
    if memory_key not in state.idempotency:
        state.idempotency[memory_key] = copy.deepcopy(action())
    return copy.deepcopy(state.idempotency[memory_key])


def paginate(items, request, key):
    """Slice `items` by the request's page_size/page_token into TikTok's list shape.

    The page token is opaque to callers; it carries `+`, `/` and `=` like TikTok's own tokens, so a
    client that signs encoded values or forgets to percent-encode fails here as it would live.
    """
    start = 0
    if request.page_token:
        found = _PAGE_TOKEN.fullmatch(request.page_token)
        if not found:
            raise ApiError(CODE_INVALID_PARAMETER, "Invalid page_token")
        start = int(found.group(1))
    end = start + request.page_size
    next_token = f"c/{end}+n==" if end < len(items) else ""
    return {key: items[start:end], "next_page_token": next_token, "total_count": len(items)}


def time_range(body, field, now):
    """Half-open [ge, lt): a missing lower bound is the beginning, a missing upper one is now."""
    bounds = []
    for suffix, default in (("_ge", 0), ("_lt", now + 1)):
        value = body.get(field + suffix)
        if value is None:
            bounds.append(default)
        elif isinstance(value, int) and not isinstance(value, bool):
            bounds.append(value)
        else:
            raise ApiError(CODE_INVALID_PARAMETER, f"{field}{suffix} must be Unix seconds")
    return bounds


def one_of(body, name, allowed):
    """`body[name]` when it is one of `allowed`, None when absent; else the refusal."""
    value = body.get(name)
    if value is not None and value not in allowed:
        raise ApiError(CODE_INVALID_PARAMETER, f"{name} must be one of {', '.join(allowed)}")
    return value


def sort_spec(query, fields, default_order="DESC"):
    """(sort field, descending?) from the query's sort_field/sort_order, checked."""
    field = query.get("sort_field") or fields[0]
    direction = query.get("sort_order") or default_order
    if field not in fields or direction not in ("ASC", "DESC"):
        raise ApiError(CODE_INVALID_PARAMETER, "Invalid sort_field or sort_order")
    return field, direction == "DESC"
