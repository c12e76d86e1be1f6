# ruff: noqa: I001 -- Odoo registers models in import order: the mixins before their users, a
# model's definition before its extensions.
from . import tiktok_secret_mixin, tiktok_binding
from . import tiktok_account, tiktok_shop, tiktok_webhook_event, tiktok_sync_log
from . import tiktok_sync_mark, tiktok_runner
