import logging
import os

from odoo import api, fields, models
from odoo.tools import config

from ...tiktok_shop import secret_box

_logger = logging.getLogger(__name__)

# Where the encryption key comes from: an odoo.conf option, or the environment.
KEY_CONFIG_OPTION = "tiktok_shop_secret_key"
KEY_ENVIRONMENT_VARIABLE = "TIKTOK_SHOP_SECRET_KEY"
MASK = "••••••••"


class TikTokSecretMixin(models.AbstractModel):
    """Encrypts secrets at rest and shows them masked.

    Each secret `x` is stored encrypted in `x_encrypted` (restricted to system administrators,
    never copied) and exposed as a masked, write-only field `x`: writing it encrypts the new
    value, reading it gives a mask. Only the code that calls TikTok reads the clear value, through
    `_tiktok_read_secret`.

    The key comes from the server configuration (`tiktok_shop_secret_key` in odoo.conf, or the
    TIKTOK_SHOP_SECRET_KEY environment variable), so a database dump alone does not reveal the
    secrets. Without one, the documented fallback derives it from the database's own secret and
    uuid: values stay unreadable in logs, exports and SQL, but not to someone holding the dump.
    """

    _name = "tiktok.secret.mixin"
    _description = "TikTok Shop encrypted secrets"

    secret_key_from_database = fields.Boolean(
        compute="_compute_secret_key_from_database",
        help="No tiktok_shop_secret_key is configured: a copy of the database reveals the secrets.",
    )

    def _compute_secret_key_from_database(self):
        from_database = not _configured_key()
        for record in self:
            record.secret_key_from_database = from_database

    @api.model
    def _tiktok_key_material(self):
        configured = _configured_key()
        if configured:
            return configured
        params = self.env["ir.config_parameter"].sudo()
        return "|".join(
            (params.get_param("database.secret") or "", params.get_param("database.uuid") or "")
        )

    def _tiktok_read_secret(self, field_name):
        self.ensure_one()
        stored = self.sudo()[f"{field_name}_encrypted"]
        return secret_box.decrypt(self._tiktok_key_material(), stored)

    def _tiktok_store_secret(self, field_name, value):
        encrypted = secret_box.encrypt(self._tiktok_key_material(), value or "")
        self.sudo().write({f"{field_name}_encrypted": encrypted})

    def _tiktok_mask(self, field_name):
        for record in self:
            record[field_name] = MASK if record.sudo()[f"{field_name}_encrypted"] else ""

    def _tiktok_store_masked(self, field_name):
        for record in self:
            value = record[field_name]
            if value != MASK:
                record._tiktok_store_secret(field_name, value)
        # The cache holds the clear value just written: drop it so reads show the mask again.
        self.invalidate_recordset([field_name])


def _configured_key():
    return config.get(KEY_CONFIG_OPTION) or os.environ.get(KEY_ENVIRONMENT_VARIABLE, "")
