"""Small ORM helpers the sync code shares."""

from psycopg2 import IntegrityError


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
