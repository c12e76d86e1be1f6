"""Small ORM helpers the sync code shares."""

from odoo.exceptions import UserError
from psycopg2 import IntegrityError

from ..tiktok_shop import TikTokShopError

# What syncing one record (an order, a product, a notification) may fail with and still leave
# the rest of its batch to go on: the record is logged as failed and tried again later.
# UserError covers ValidationError.
RECORD_SYNC_ERRORS = (UserError, TikTokShopError, ValueError, KeyError)


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
