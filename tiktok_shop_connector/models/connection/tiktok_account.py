import logging
import secrets
import time
from datetime import datetime

from odoo import api, fields, models
from odoo.exceptions import LockError, UserError
from odoo.tools.misc import consteq
from odoo.tools.urls import urljoin
from psycopg2.errors import SerializationFailure

from ... import const
from ...const import MANAGER_GROUP
from ...tiktok_shop import (
    TikTokShopClient,
    TikTokShopError,
    authorization_url,
    endpoints,
    oauth_state,
)
from ...tiktok_shop.const import API_HOST, AUTH_HOST
from ...tools import check_manager

_logger = logging.getLogger(__name__)

SECRET_GROUP = "base.group_system"
# Where a transaction keeps its clients, in the cursor's per-transaction cache.
CLIENTS_CACHE_KEY = "tiktok_shop_connector.clients"
# What a client is built from: a change makes the transaction's clients of the account stale.
CLIENT_FIELDS = frozenset(
    {"app_key", "app_secret_encrypted", "access_token_encrypted", "api_host", "auth_host"}
)


class TikTokAccount(models.Model):
    """One TikTok Shop Partner app (App Key + App Secret) and the seller who authorized it."""

    _name = "tiktok.account"
    _description = "TikTok Shop Account"
    _inherit = ["mail.thread", "mail.activity.mixin", "tiktok.secret.mixin"]
    _order = "name, id"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    state = fields.Selection(
        [
            ("draft", "Not connected"),
            ("connected", "Connected"),
            ("reauthorize", "Needs re-authorization"),
            ("disconnected", "Disconnected"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    market = fields.Selection(
        [("global", "Global (all markets but the US)"), ("us", "United States")],
        string="Market group",
        default="global",
        required=True,
        help="Decides which seller authorization page the Connect button opens.",
    )
    app_key = fields.Char(string="App Key", groups=MANAGER_GROUP, copy=False)
    tiktok_service_ref = fields.Char(string="Service ID", groups=MANAGER_GROUP, copy=False)
    app_secret = fields.Char(
        string="App Secret",
        compute="_compute_app_secret",
        inverse="_inverse_app_secret",
        groups=MANAGER_GROUP,
        copy=False,
        exportable=False,
    )
    app_secret_encrypted = fields.Char(groups=SECRET_GROUP, copy=False, exportable=False)
    access_token_encrypted = fields.Char(groups=SECRET_GROUP, copy=False, exportable=False)
    refresh_token_encrypted = fields.Char(groups=SECRET_GROUP, copy=False, exportable=False)
    access_token_expires_at = fields.Datetime(readonly=True, copy=False)
    refresh_token_expires_at = fields.Datetime(
        string="Authorization ends", readonly=True, copy=False
    )
    authorization_expiry_notice = fields.Datetime(
        readonly=True, copy=False, help="Expiry date announced by TikTok's reminder webhook."
    )
    granted_scopes = fields.Text(readonly=True, copy=False)
    tiktok_open_ref = fields.Char(string="Seller open id", readonly=True, copy=False, index=True)
    seller_name = fields.Char(readonly=True, copy=False)
    seller_base_region = fields.Char(readonly=True, copy=False)
    # The `jti` of the account's newest OAuth state: the callback accepts that state only, once.
    oauth_nonce = fields.Char(groups=SECRET_GROUP, copy=False, exportable=False)
    last_error = fields.Text(readonly=True, copy=False)
    shop_ids = fields.One2many("tiktok.shop", "account_id", string="Shops")
    shop_count = fields.Integer(compute="_compute_shop_count")
    # Hosts are production by default; the sandbox and tests point them at 127.0.0.1.
    api_host = fields.Char(string="API host", default=API_HOST, required=True, groups=MANAGER_GROUP)
    auth_host = fields.Char(
        string="Auth host", default=AUTH_HOST, required=True, groups=MANAGER_GROUP
    )
    authorize_url = fields.Char(
        string="Seller authorization page",
        groups=MANAGER_GROUP,
        help="Leave empty to use TikTok's page for the market group.",
    )
    callback_url = fields.Char(compute="_compute_callback_urls", string="Redirect URL")
    # It names the App Key: managers only, as the key itself.
    webhook_url = fields.Char(compute="_compute_callback_urls", groups=MANAGER_GROUP)

    _app_key_unique = models.Constraint(
        "unique(app_key, company_id)", "This App Key is already used by another TikTok account."
    )

    def write(self, vals):
        result = super().write(vals)
        if CLIENT_FIELDS & vals.keys():
            self._tiktok_forget_clients()
        return result

    # === COMPUTE METHODS === #

    def _compute_app_secret(self):
        self._tiktok_mask("app_secret")

    def _inverse_app_secret(self):
        self._tiktok_store_masked("app_secret")

    @api.depends("shop_ids")
    def _compute_shop_count(self):
        for account in self:
            account.shop_count = len(account.shop_ids)

    @api.depends("app_key")
    def _compute_callback_urls(self):
        for account in self:
            base_url = account.get_base_url()
            account.callback_url = urljoin(base_url, const.OAUTH_CALLBACK_ROUTE)
            key = account.sudo().app_key or "<app_key>"
            account.webhook_url = urljoin(base_url, f"{const.WEBHOOK_ROUTE}/{key}")

    # === ACTIONS === #

    def action_connect(self):
        """Open TikTok's seller authorization page; TikTok sends the seller back to the callback."""
        self.ensure_one()
        check_manager(self.env)
        self._check_credentials()
        state = self._tiktok_issue_oauth_state()
        url = authorization_url(
            self.sudo().tiktok_service_ref,
            state,
            market=self.market,
            authorize_url=self.sudo().authorize_url or None,
        )
        return {"type": "ir.actions.act_url", "url": url, "target": "self"}

    def action_reauthorize(self):
        return self.action_connect()

    def action_disconnect(self):
        """Forget the tokens and stop every sync; TikTok keeps the authorization until revoked."""
        check_manager(self.env)
        for account in self:
            account.sudo().write(
                {
                    "state": "disconnected",
                    "access_token_encrypted": False,
                    "refresh_token_encrypted": False,
                    "access_token_expires_at": False,
                }
            )
            account.shop_ids.write({"sync_enabled": False})
            account.message_post(body=self.env._("Disconnected from TikTok Shop."))
        return True

    def action_view_shops(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "tiktok_shop_connector.tiktok_shop_action"
        )
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"default_account_id": self.id}
        return action

    def _check_credentials(self):
        for account in self.sudo():
            if not (
                account.app_key and account.app_secret_encrypted and account.tiktok_service_ref
            ):
                raise UserError(
                    self.env._(
                        "Enter the App Key, App Secret and Service ID of %s first.", account.name
                    )
                )

    # === OAUTH === #

    def _tiktok_issue_oauth_state(self):
        """A signed state for this account and user; it replaces any state issued before."""
        self.ensure_one()
        jti = secrets.token_hex(16)
        self.sudo().oauth_nonce = jti
        state = oauth_state.OAuthState(self.id, self.env.uid, jti)
        lifetime = const.OAUTH_STATE_LIFETIME.total_seconds()
        return oauth_state.issue_state(self._tiktok_oauth_state_key(), state, lifetime)

    @api.model
    def _tiktok_oauth_state_key(self):
        return oauth_state.state_key(self._tiktok_key_material())

    @api.model
    def _tiktok_consume_oauth_state(self, token):
        """The account a state names if it is genuine, fresh, unused and this user's; burns it.

        :return: the account (empty when the state is refused), in this environment
        """
        try:
            state = oauth_state.read_state(self._tiktok_oauth_state_key(), token)
        except oauth_state.InvalidOAuthState as error:
            _logger.info("TikTok OAuth state refused: %s", error)
            return self.browse()
        account = self.sudo().browse(state.account_id).exists()
        stored_jti = account.oauth_nonce or ""
        if state.user_id != self.env.uid or not stored_jti or not consteq(stored_jti, state.jti):
            return self.browse()
        # Accepted once: the jti is burnt before the code exchange, even if that fails.
        account.oauth_nonce = False
        return self.browse(account.id)

    @api.private
    def _tiktok_complete_authorization(self, auth_code):
        """Exchange the one-time code, store the tokens and create or update the shops."""
        self.ensure_one()
        with self._tiktok_app_client() as client:
            token = client.get_access_token(auth_code)
        self._tiktok_store_tokens(token)
        self.sudo().write(
            {
                "tiktok_open_ref": token.open_id,
                "seller_name": token.seller_name,
                "seller_base_region": token.seller_base_region,
                "granted_scopes": " ".join(token.granted_scopes or ()),
                "state": "connected",
                "last_error": False,
            }
        )
        shops = self._tiktok_sync_authorized_shops()
        self.message_post(
            body=self.env._("Connected to TikTok Shop: %(count)s shop(s).", count=len(shops))
        )
        return shops

    def _tiktok_sync_authorized_shops(self):
        """Create or update one tiktok.shop per authorized shop; never steal another account's."""
        self.ensure_one()
        data = self._tiktok_client().request(endpoints.AUTHORIZED_SHOPS)
        Shop = self.env["tiktok.shop"].with_context(active_test=False)
        shops = Shop
        for remote in data.get("shops") or []:
            existing = Shop.sudo().search([("tiktok_shop_ref", "=", str(remote["id"]))], limit=1)
            if existing and existing.account_id != self:
                raise UserError(
                    self.env._(
                        "The TikTok shop %(shop)s is already linked to the account %(account)s.",
                        shop=remote.get("name"),
                        account=existing.account_id.name,
                    )
                )
            values = Shop._values_from_authorized_shop(remote, self)
            if existing:
                existing.write(values)
                shops |= existing
            else:
                shops |= Shop.create(values)
        for shop in shops.filtered(lambda s: s.pricelist_id.currency_id != s.currency_id):
            shop.pricelist_id = shop._tiktok_pricelist()
        return shops

    # === TOKENS === #

    def _tiktok_store_tokens(self, token):
        self._tiktok_store_secret("access_token", token.access_token)
        self._tiktok_store_secret("refresh_token", token.refresh_token)
        self.sudo().write(
            {
                "access_token_expires_at": _to_datetime(token.access_token_expires_at),
                "refresh_token_expires_at": _to_datetime(token.refresh_token_expires_at),
            }
        )

    def _tiktok_token_needs_refresh(self, margin=const.TOKEN_REFRESH_MARGIN):
        self.ensure_one()
        expires_at = self.access_token_expires_at
        return not expires_at or expires_at - margin <= fields.Datetime.now()

    def _tiktok_valid_access_token(self):
        """Return an access token that is not about to expire, refreshing it first if needed."""
        self.ensure_one()
        return self._tiktok_refresh_if_due() or self._tiktok_read_secret("access_token")

    def _tiktok_refresh_if_due(self):
        """The new access token when the stored one was about to expire and got refreshed (this
        transaction's clients carry it from then on), else None; the account must be connected."""
        self._tiktok_check_connected()
        if self._tiktok_token_needs_refresh():
            return self._tiktok_refresh_access_token()
        return None

    def _tiktok_check_connected(self):
        if self.state != "connected":
            raise UserError(self.env._("%s is not connected to TikTok Shop.", self.name))

    def _tiktok_refresh_access_token(self, margin=const.TOKEN_REFRESH_MARGIN, expired_token=None):
        """Refresh the token pair (see `_tiktok_refresh_in_own_transaction`) and hand the access
        token to this transaction's clients, so that their next call carries it."""
        access_token = self._tiktok_refresh_in_own_transaction(margin, expired_token)
        for client in self._tiktok_cached_clients().values():
            client.access_token = access_token
        return access_token

    def _tiktok_refresh_in_own_transaction(self, margin, expired_token):
        """Refresh the token pair in a transaction of its own, one worker at a time.

        TikTok rotates the pair on refresh: the new tokens are committed at once, so a rollback of
        the caller's transaction cannot lose them. A worker that finds the row locked waits for the
        holder and then uses the token it stored instead of refreshing again (refreshing with the
        rotated-out refresh token would fail).

        :param expired_token: the token TikTok just refused as expired: refresh unless another
            worker already replaced it, whatever the stored expiry says.
        :return: the access token to use now. It is read in the refresh's own transaction: the
            caller's snapshot may predate the commit that stored it.
        """
        self.ensure_one()
        with self.env.registry.cursor() as cr:
            account = self.with_env(self.env(cr=cr)).sudo()
            account._tiktok_wait_for_refresh_lock()
            current = account._tiktok_read_secret("access_token")
            if expired_token:
                if current != expired_token:
                    return current  # replaced while we waited
            elif not account._tiktok_token_needs_refresh(margin):
                return current  # another worker refreshed it while we waited
            try:
                refresh_token = account._tiktok_read_secret("refresh_token")
                with account._tiktok_app_client() as client:
                    token = client.refresh_access_token(refresh_token)
            except (TikTokShopError, ValueError) as error:
                account._tiktok_mark_needs_reauthorization(error)
                cr.commit()
                raise UserError(
                    self.env._(
                        "TikTok refused to refresh the token of %(name)s: %(error)s",
                        name=self.name,
                        error=error,
                    )
                ) from error
            account._tiktok_store_tokens(token)
            account.last_error = False
            return token.access_token

    def _tiktok_wait_for_refresh_lock(self):
        """Lock the account row, waiting for a worker that holds it.

        Each attempt starts a new transaction: once the holder commits, a transaction whose
        snapshot predates that commit could not lock the row (serialization failure).
        """
        for _attempt in range(const.TOKEN_REFRESH_LOCK_ATTEMPTS):
            try:
                self.lock_for_update()
                return
            except (LockError, SerializationFailure):
                self.env.cr.rollback()
                time.sleep(const.TOKEN_REFRESH_LOCK_WAIT_SECONDS)
                self.invalidate_recordset()
        _logger.warning("TikTok account %s: token refresh lock still held, giving up", self.id)
        message = self.env._("The token of %s is being refreshed by another worker: try again.")
        raise UserError(message % self.name)

    def _tiktok_mark_needs_reauthorization(self, error):
        """Stop silently failing: flag the account and ask the managers to re-authorize."""
        self.write({"state": "reauthorize", "last_error": str(error)})
        self._tiktok_notify_managers(
            self.env._("Re-authorize TikTok Shop"),
            self.env._("Refreshing the TikTok token failed: %s. Click Re-authorize.", error),
        )

    def _tiktok_notify_managers(self, summary, note, date_deadline=None):
        self.ensure_one()
        managers = (
            self.env.ref(MANAGER_GROUP)
            .sudo()
            .all_user_ids.filtered(
                lambda user: not user.share and self.company_id in user.company_ids
            )
        )
        for user in managers[:5] or self.env.user:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=date_deadline,
                summary=summary,
                note=note,
                user_id=user.id,
            )

    @api.model
    def _cron_refresh_tokens(self):
        """Refresh the tokens that would expire before the next run."""
        horizon = const.TOKEN_REFRESH_CRON_HORIZON
        accounts = self.search([("state", "=", "connected")])
        due = accounts.filtered(lambda a: a._tiktok_token_needs_refresh(horizon))
        self.env["tiktok.runner"]._run_units(
            due, lambda account: account._tiktok_refresh_access_token(horizon)
        )

    # === CLIENT === #

    def _tiktok_app_client(self, access_token=None, refresh_callback=None, rate_limiter=None):
        """A client for this app; token exchange and refresh need no access token.

        :param rate_limiter: the client's limiter (default: the process-wide token buckets)
        """
        self.ensure_one()
        account = self.sudo()
        return TikTokShopClient(
            account.app_key,
            account._tiktok_read_secret("app_secret"),
            access_token=access_token,
            api_host=account.api_host,
            auth_host=account.auth_host,
            refresh_callback=refresh_callback,
            rate_limiter=rate_limiter,
        )

    def _tiktok_client(self, rate_limiter=None):
        """This transaction's client of the account (one per rate limiter), its token fresh.

        The first call of a transaction builds it, decrypting the secrets and opening its HTTP
        session; the end of the transaction closes it (see `_transaction_clients`).

        :param rate_limiter: the client's limiter (default: the process-wide token buckets)
        """
        self.ensure_one()
        clients = _transaction_clients(self.env.cr)
        client = clients.get((self.id, rate_limiter))
        if client is None:
            client = clients[self.id, rate_limiter] = self._tiktok_new_client(rate_limiter)
            return client
        self._tiktok_refresh_if_due()
        return client

    def _tiktok_new_client(self, rate_limiter):
        """A client carrying a fresh access token, refreshing once more if TikTok says 105002."""

        def refresh_after_expiry():
            # The client's token, not the first one: a refresh may have replaced that already.
            return self._tiktok_refresh_access_token(expired_token=client.access_token)

        access_token = self._tiktok_valid_access_token()
        client = self._tiktok_app_client(access_token, refresh_after_expiry, rate_limiter)
        return client

    def _tiktok_cached_clients(self):
        """{key: client} of these accounts in this transaction's cache."""
        return {
            key: client
            for key, client in _transaction_clients(self.env.cr).items()
            if key[0] in self.ids
        }

    def _tiktok_forget_clients(self):
        """Close these accounts' clients of this transaction: the next call builds new ones."""
        clients = _transaction_clients(self.env.cr)
        for key, client in self._tiktok_cached_clients().items():
            del clients[key]
            client.close()


def _transaction_clients(cr):
    """{(account id, rate limiter): client} of the cursor's current transaction.

    Kept in `cr.cache`, which Odoo empties when the transaction ends. The transaction's commit or
    rollback closes the clients' HTTP sessions: a cron committing between batches, or a request,
    gets a client of its own in each transaction, and no session outlives its transaction.
    """
    clients = cr.cache.get(CLIENTS_CACHE_KEY)
    if clients is None:
        clients = cr.cache[CLIENTS_CACHE_KEY] = {}

        def close_clients():
            for client in clients.values():
                client.close()
            clients.clear()

        # Commit runs the first and drops the second, rollback the other way round.
        cr.postcommit.add(close_clients)
        cr.postrollback.add(close_clients)
    return clients


def _to_datetime(timestamp):
    return datetime.utcfromtimestamp(int(timestamp)) if timestamp else False
