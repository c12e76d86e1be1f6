import json

from odoo.tests import HttpCase, tagged

from .. import const
from ..tiktok_shop import webhook_signature
from .common import APP_KEY, APP_SECRET, SHOP_TIKTOK_ID, WebhookEndpointMixin

ORDER_EVENT = {
    "type": 1,
    "tts_notification_id": "7327112393057372001",
    "shop_id": SHOP_TIKTOK_ID,
    "timestamp": 1732345678,
    "data": {"order_id": "576486316948490001", "update_time": 1732345670},
}


def _body(**changes):
    return json.dumps({**ORDER_EVENT, **changes}).encode()


def _nested(opening, closing, depth, inner=b"1"):
    return opening * depth + inner + closing * depth


# Valid JSON, correctly signed, that today's receiver would fail to store.
HOSTILE_BODIES = {
    "100k nested arrays": b'{"type":1,"data":{"x":' + _nested(b"[", b"]", 100_000, b"") + b"}}",
    "5k nested objects": b'{"type":1,"data":' + _nested(b'{"a":', b"}", 5_000) + b"}",
    "NUL in the shop id": _body(shop_id=f"{SHOP_TIKTOK_ID}\u0000"),
    "NUL in the data": _body(data={"order_id": "5764863169\u000048490001"}),
    "type beyond a PostgreSQL integer": _body(type=99999999999999999999),
    "notification id that is an object": _body(tts_notification_id={"id": "1"}),
}


@tagged("post_install", "-at_install")
class TestHostileWebhooks(WebhookEndpointMixin, HttpCase):
    """Signed bodies that are too large or valid JSON but hostile: refused, nothing stored."""

    def _post_signed(self, raw):
        return self._post(raw, webhook_signature(APP_KEY, APP_SECRET, raw))

    def test_hostile_json_is_answered_400_and_not_stored(self):
        for name, raw in HOSTILE_BODIES.items():
            with self.subTest(name):
                self.assertEqual(self._post_signed(raw).status_code, 400)
        self.assertFalse(self._events())

    def test_body_over_the_limit_is_refused_413_before_its_signature_is_checked(self):
        signed_but_too_large = _padded(_body(), const.WEBHOOK_MAX_BODY_BYTES + 1)
        self.assertEqual(self._post_signed(signed_but_too_large).status_code, 413)
        self.assertFalse(self._events())
        # The same push within the limit is stored: only the size was refused.
        self.assertEqual(
            self._post_signed(_padded(_body(), const.WEBHOOK_MAX_BODY_BYTES)).status_code, 200
        )
        self.assertEqual(len(self._events()), 1)

    def test_body_at_the_limit_goes_on_to_the_signature_check(self):
        at_the_limit = _padded(_body(), const.WEBHOOK_MAX_BODY_BYTES)
        self.assertEqual(self._post(at_the_limit, signature="0" * 64).status_code, 401)
        self.assertFalse(self._events())

    def test_body_of_undeclared_length_is_refused_unread(self):
        """A chunked body would be read whole before its size is known."""
        chunks = iter([_body()])
        url = f"{self.base_url()}{const.WEBHOOK_ROUTE}/{APP_KEY}"
        headers = {"Authorization": webhook_signature(APP_KEY, APP_SECRET, _body())}
        response = self.opener.post(url, data=chunks, headers=headers, timeout=10)
        self.assertEqual(response.request.headers.get("Transfer-Encoding"), "chunked")
        self.assertEqual(response.status_code, 411)
        self.assertFalse(self._events())


def _padded(raw, size):
    """The JSON `raw` followed by spaces up to `size` bytes: still the same, valid JSON."""
    return raw + b" " * (size - len(raw))
