"""Small ORM helpers the sync code shares."""

from odoo.fields import Domain
from psycopg2 import IntegrityError
from psycopg2.errors import SerializationFailure


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


def process_in_batches(model, domain, batch_size, process, order=None):
    """Lock and process the records of `domain` batch after batch, as a cron does.

    Each record is tried once per run (a record that fails again waits for the next run instead
    of looping), batches another worker holds are skipped, and progress is committed after each
    batch until the cron's time budget runs out.
    """
    tried = []
    while True:
        todo = Domain(domain) & Domain("id", "not in", tried)
        try:
            with model.env.cr.savepoint():
                batch = model.search(todo, order=order, limit=batch_size).try_lock_for_update()
        except SerializationFailure:
            # Another worker committed a change to these rows after this transaction began:
            # look again from a new transaction, which sees it.
            if not model.env["ir.cron"]._commit_progress():
                return
            model.env.invalidate_all()
            continue
        if not batch:
            return
        tried += batch.ids
        process(batch)
        remaining = model.search_count(Domain(domain) & Domain("id", "not in", tried))
        if not model.env["ir.cron"]._commit_progress(len(batch), remaining=remaining):
            return
