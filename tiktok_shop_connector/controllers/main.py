import logging

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request
from werkzeug.exceptions import BadRequest, LengthRequired, RequestEntityTooLarge, Unauthorized

from .. import const
from ..const import MANAGER_GROUP
from ..tiktok_shop import (
    TikTokShopError,
    WebhookPayloadError,
    parse_notification,
    verify_webhook_signature,
)

_logger = logging.getLogger(__name__)


class TikTokShopController(http.Controller):
    _callback_url = const.OAUTH_CALLBACK_ROUTE
    _webhook_url = const.WEBHOOK_ROUTE

    # === OAUTH CALLBACK === #

    @http.route(_callback_url, type="http", auth="user", methods=["GET"])
    def tiktok_oauth_callback(self, code=None, state=None, error=None, **kwargs):
        """TikTok sends the seller back here with a one-time code (or error=auth_denied)."""
        if not request.env.user.has_group(MANAGER_GROUP):
            return self._error_page("Only TikTok Shop managers can connect an account.", 403)
        account = request.env["tiktok.account"]._tiktok_consume_oauth_state(state)
        if not account:
            return self._error_page(
                "This authorization link is invalid, expired or already used. "
                "Start again from the account with Connect TikTok Shop.",
                400,
            )
        request.env.cr.commit()  # the burnt state stays burnt whatever happens next
        if error or not code:
            return self._error_page(
                "The authorization was refused on TikTok (%s): nothing was changed."
                % (error or "no code"),
                400,
            )
        try:
            account._tiktok_complete_authorization(code)
        except (TikTokShopError, ValueError) as failure:
            request.env.cr.rollback()
            _logger.info("TikTok authorization of account %s failed: %s", account.id, failure)
            return self._error_page(f"TikTok did not accept the authorization: {failure}", 400)
        except UserError as failure:  # e.g. a shop already linked to another account
            request.env.cr.rollback()
            return self._error_page(str(failure), 409)
        return request.redirect(
            f"/odoo/action-tiktok_shop_connector.tiktok_account_action/{account.id}"
            "?tiktok_connected=1",
            local=True,
        )

    def _error_page(self, message, status):
        return request.render(
            "tiktok_shop_connector.oauth_error_page", {"message": message}, status=status
        )

    # === WEBHOOK === #

    @http.route(
        f"{_webhook_url}/<string:app_key>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
        # Odoo parses a form body before calling the route: the same limit holds there.
        max_content_length=const.WEBHOOK_MAX_BODY_BYTES,
    )
    def tiktok_webhook(self, app_key, **kwargs):
        """Verify, store once, trigger processing, answer 200 — all before any business work."""
        raw_body = _read_limited_body()
        account = self._webhook_account(app_key)
        signature = request.httprequest.headers.get("Authorization", "")
        secret = account._tiktok_read_secret("app_secret") if account else ""
        if not account or not verify_webhook_signature(app_key, secret, raw_body, signature):
            _logger.warning("TikTok webhook refused: bad or missing signature for app %s", app_key)
            raise Unauthorized()
        notification = _parse_notification(raw_body)
        _event, created = request.env["tiktok.webhook.event"].sudo()._receive(account, notification)
        if created:
            request.env["tiktok.webhook.event"].sudo()._trigger_processing()
        return request.make_response("", status=200)

    def _webhook_account(self, app_key):
        return (
            request.env["tiktok.account"]
            .sudo()
            .search([("app_key", "=", app_key), ("active", "=", True)], limit=1)
        )


def _read_limited_body():
    """The request body, refused before any of it is read when it may exceed the limit.

    The length must be declared: werkzeug reads a chunked body to its end, whatever its size.
    A declared length caps the read (werkzeug stops there).
    """
    httprequest = request.httprequest
    if httprequest.headers.get("Transfer-Encoding") or httprequest.content_length is None:
        raise LengthRequired()
    if httprequest.content_length > const.WEBHOOK_MAX_BODY_BYTES:
        _logger.warning("TikTok webhook refused: %s bytes", httprequest.content_length)
        raise RequestEntityTooLarge()
    return httprequest.get_data(cache=False)


def _parse_notification(raw_body):
    try:
        return parse_notification(raw_body)
    except WebhookPayloadError as error:
        _logger.warning("TikTok webhook refused: %s", error)
        raise BadRequest("malformed TikTok notification") from error
