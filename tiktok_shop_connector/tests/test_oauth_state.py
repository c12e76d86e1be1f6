import base64
import json
import time
from urllib.parse import parse_qs, urlencode, urlparse

from odoo.tests import HttpCase, tagged

from .. import const
from ..tiktok_shop import oauth_state
from ..tiktok_shop.oauth_state import OAuthState
from .common import TikTokTestMixin

ACCEPTED = "refused on TikTok"  # the state passed; the seller's refusal is what is reported
REFUSED = "invalid, expired or already used"
LIFETIME = const.OAUTH_STATE_LIFETIME.total_seconds()


@tagged("post_install", "-at_install")
class TestOAuthStateToken(TikTokTestMixin, HttpCase):
    """The state is a JWT bound to one account, one user and one use, for 30 minutes.

    Each refusal is checked against a token that differs from an accepted one in that one claim,
    signed with the installation's real key: what is refused is the claim, not the token's form.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._create_manager(cls.env)
        cls.account = cls._create_account(cls.env)
        cls.other_account = cls._create_account(cls.env, name="Other", app_key="other_key")

    def _connect(self, account=None):
        action = (account or self.account).with_user(self.manager).action_connect()
        return parse_qs(urlparse(action["url"]).query)["state"][0]

    def _signed(self, account=None, user=None, jti=None, issued_at=None):
        """A state signed with the installation's key; jti defaults to the account's current one."""
        account = account or self.account
        jti = jti or account.sudo().oauth_nonce
        claims = OAuthState(account.id, (user or self.manager).id, jti)
        key = self.env["tiktok.account"]._tiktok_oauth_state_key()
        return oauth_state.issue_state(key, claims, LIFETIME, now=issued_at)

    def _callback_text(self, state):
        self.authenticate(self.manager.login, self.manager.login)
        query = urlencode({"state": state, "error": "auth_denied"})
        response = self.url_open(f"{const.OAUTH_CALLBACK_ROUTE}?{query}")
        self.assertEqual(response.status_code, 400)
        return response.text

    def test_state_is_an_hs256_jwt_of_the_account_user_and_stored_jti(self):
        header, payload, _signature = self._connect().split(".")
        self.assertEqual(_decode_part(header)["alg"], "HS256")
        claims = _decode_part(payload)
        self.assertEqual(claims["account_id"], self.account.id)
        self.assertEqual(claims["uid"], self.manager.id)
        self.assertEqual(claims["jti"], self.account.sudo().oauth_nonce)
        self.assertEqual(claims["exp"] - claims["iat"], 30 * 60)

    def test_tampered_signature_or_edited_claims_are_refused(self):
        self._connect()
        header, payload, signature = self._signed().split(".")
        flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
        edited = _encode_part({**_decode_part(payload), "uid": self.env.ref("base.user_admin").id})
        for tampered in (f"{header}.{payload}.{flipped}", f"{header}.{edited}.{signature}"):
            with self.subTest(tampered=tampered):
                self.assertIn(REFUSED, self._callback_text(tampered))
        self.assertIn(ACCEPTED, self._callback_text(f"{header}.{payload}.{signature}"))

    def test_expired_state_is_refused(self):
        self._connect()
        expired = self._signed(issued_at=time.time() - LIFETIME - 1)
        self.assertIn(REFUSED, self._callback_text(expired))
        self.assertIn(ACCEPTED, self._callback_text(self._signed()))

    def test_reused_jti_is_refused(self):
        self._connect()
        jti = self.account.sudo().oauth_nonce
        self.assertIn(ACCEPTED, self._callback_text(self._signed()))
        self.assertIn(REFUSED, self._callback_text(self._signed(jti=jti)))

    def test_state_naming_another_account_is_refused(self):
        self._connect()
        self._connect(self.other_account)
        jti_of_account = self.account.sudo().oauth_nonce
        other = self._signed(account=self.other_account, jti=jti_of_account)
        self.assertIn(REFUSED, self._callback_text(other))
        self.assertIn(ACCEPTED, self._callback_text(self._signed(account=self.other_account)))

    def test_state_of_another_user_is_refused(self):
        self._connect()
        other_manager = self._create_manager(self.env, login="second_tiktok_manager")
        self.assertIn(REFUSED, self._callback_text(self._signed(user=other_manager)))
        self.assertIn(ACCEPTED, self._callback_text(self._signed()))


def _decode_part(part):
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _encode_part(claims):
    raw = json.dumps(claims, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
