"""Small ORM helpers the sync code shares."""

import logging
from contextlib import contextmanager

import psycopg2
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, drop_view_if_exists
from psycopg2 import IntegrityError

from ..const import MANAGER_GROUP
from ..tiktok_shop import TikTokDataError, TikTokShopError
from ..tiktok_shop.secret_box import SecretDecryptionError

_logger = logging.getLogger(__name__)

# What syncing one record (an order, a product, a notification) may fail with and still leave
# the rest of its batch to go on: the record is logged as failed and tried again later.
# UserError covers ValidationError; a secret stops decrypting when the secret key changes.
# Anything else is a bug in the connector (see report_bugs).
RECORD_SYNC_ERRORS = (UserError, TikTokShopError, TikTokDataError, SecretDecryptionError)


class SyncBug(Exception):
    """A sync failed on an error no sync expects: a bug in the connector, not TikTok's data.

    Its traceback is in the server log. Retrying cannot help until the code is fixed: the record
    is failed for good and waits for a manual replay.
    """


@contextmanager
def report_bugs(what, expected=RECORD_SYNC_ERRORS):
    """Within it, an unexpected error is logged with its traceback and raised as a SyncBug.

    The `expected` errors, the database's own (a serialization failure, a lock timeout: the
    caller or its cron retries) and a SyncBug already reported pass as they are.

    :param what: what is being synced, for the log (e.g. "order 5764...")
    """
    try:
        yield
    except (*expected, psycopg2.Error, SyncBug):
        raise
    except Exception as error:
        _logger.exception("Bug in the TikTok Shop connector while syncing %s", what)
        raise SyncBug(
            f"bug in the connector, not in TikTok's data ({type(error).__name__}: {error}); "
            "its traceback is in the server log"
        ) from error


def check_manager(env):
    """Refuse a manager's action to anyone else, portal users included.

    A button the view shows to managers only is still a public method any logged-in user can call
    by RPC, and these actions work with sudo() (secrets, tokens, crons): each checks first.
    """
    if not env.su and not env.user.has_group(MANAGER_GROUP):
        raise AccessError(env._("Only TikTok Shop managers can do this."))


def create_unless_concurrent(model, values):
    """Create a record, or return an empty recordset when another worker holds its unique key.

    The insert runs in a savepoint, so the caller's transaction goes on. The other worker's
    record cannot be read here: Odoo's transactions see the database as it was when they began.
    """
    try:
        with model.env.cr.savepoint():
            return model.create(values)
    except IntegrityError:
        return model.browse()


def claim_without_waiting(env, namespace, keys):
    """The keys among `keys` this transaction may create a record for: the others are being
    created by another transaction right now.

    Inserting a unique key another transaction has inserted but not committed waits for that
    transaction to end: in a LIVE burst, a whole batch of orders would wait for another worker's
    batch because both bring the same new buyer. A transaction-scoped advisory lock per key
    says who creates it without waiting; the caller leaves the other keys' orders for a retry.
    """
    keys = list(dict.fromkeys(str(key) for key in keys))
    if not keys:
        return set()
    env.cr.execute(
        """SELECT key, pg_try_advisory_xact_lock(hashtext(%s), hashtext(key))
             FROM unnest(%s::text[]) AS key""",
        [namespace, keys],
    )
    return {key for key, claimed in env.cr.fetchall() if claimed}


CLOSE_DIALOG = {"type": "ir.actions.act_window_close"}
RELOAD_VIEW = {"type": "ir.actions.client", "tag": "soft_reload"}


def notification(message, kind=None, title=None, then=None, sticky=False):
    """The client action that tells a user what a button did: `message` in a notification of
    `kind` (success, info, warning, danger), then the action `then` (e.g. CLOSE_DIALOG)."""
    params = {"message": message}
    if title:
        params["title"] = title
    if kind:
        params["type"] = kind
    if sticky:
        params["sticky"] = True
    if then:
        params["next"] = then
    return {"type": "ir.actions.client", "tag": "display_notification", "params": params}


def analytic_line_defaults(env):
    """Values for the order or journal lines about to be created in bulk.

    Without any analytic distribution model, Odoo's lookup of one per line can only find none:
    the lines say so at once instead of searching (a few ms per line in a LIVE burst or a
    statement of hundreds of orders).
    """
    Model = env["account.analytic.distribution.model"].sudo()
    return {} if Model.search_count([], limit=1) else {"analytic_distribution": False}


def reconcile_untracked(env, plan, **context):
    """Reconcile Odoo's reconciliation `plan` (groups of journal items) in `env`, with no chatter
    tracking of the entries it changes, and flush in that context: recomputations run in the
    context of whoever flushes, and tracking an entry with a line per order would read all of
    its lines again when the transaction commits."""
    quiet = env(context={**env.context, "mail_notrack": True, "tracking_disable": True, **context})
    quiet["account.move.line"]._reconcile_plan([items.with_env(quiet) for items in plan])
    quiet.flush_all()


def create_sql_view(model):
    """(Re)create the SQL view of a report model (`_auto = False`) from its `_query()`."""
    drop_view_if_exists(model.env.cr, model._table)
    model.env.cr.execute(
        SQL("CREATE VIEW %s AS (%s)", SQL.identifier(model._table), SQL(model._query()))
    )
