"""How background work runs: the one seam every cron goes through.

A cron finds its units of work (the shops due for a sync, the accounts whose token expires, the
batches of a queue) and hands them to `tiktok.runner`, which runs them one after the other the
same way: a unit another worker holds is skipped, a failed unit is recorded and the run goes on to
the next, and each unit ends with a commit of its work and of the cron's progress, so that Odoo
stops the run when its time is up and runs it again soon for what is left. What executes the
units (today Odoo's cron worker, in its own transaction) can change here alone.
"""

import logging
from collections import Counter
from contextlib import contextmanager, nullcontext

from odoo import api, models
from odoo.fields import Domain
from psycopg2.errors import SerializationFailure

from ...tools import RECORD_SYNC_ERRORS, SyncBug

_logger = logging.getLogger(__name__)

# What a unit may fail with in the normal course of things (TikTok down or refusing, a setting
# to fix): its transaction is sound, so the work it did is kept and the failure recorded. Any
# other error is a bug, or the database refusing (a serialization failure): the unit's work since
# its last commit is rolled back.
EXPECTED_ERRORS = RECORD_SYNC_ERRORS


class TikTokRunner(models.AbstractModel):
    _name = "tiktok.runner"
    _description = "TikTok Shop background work"

    # === THE CORE === #

    @api.model
    def _run_units(
        self, units, process_one, lock=None, on_error=None, remaining=None, stop_on_error=False
    ):
        """Run `process_one(unit)` on each unit; each unit ends with a commit.

        :param units: recordsets: a shop, an account, a batch of queued records
        :param lock: `lock(unit)`, a context manager yielding the unit, or an empty recordset
            when another worker holds it: the unit is then skipped
        :param on_error: `on_error(unit, error)`, called once a unit failed (after the rollback
            of its work when the error was a bug), to record the failure where it belongs
        :param remaining: a function counting the units left to run (default: the rest of
            `units`), reported to the cron with each commit
        :param stop_on_error: let a unit's error end the run, for the caller to handle
        :return: Counter of the units "done", "skipped" and "failed"
        """
        outcomes = Counter()
        if remaining is None:
            units = list(units)
            total = len(units)

            def remaining():
                return total - outcomes.total()

        Cron = self.env["ir.cron"]
        Cron._commit_progress(remaining=remaining())
        for unit in units:
            with (lock or nullcontext)(unit) as held:
                if held:
                    outcome = self._run_unit(held, process_one, on_error, stop_on_error)
                else:
                    outcome = "skipped"
                outcomes[outcome] += 1
                time_left = Cron._commit_progress(len(unit), remaining=remaining())
            if not time_left:
                break
        return outcomes

    @api.model
    def _run_unit(self, unit, process_one, on_error, stop_on_error):
        try:
            process_one(unit)
            # A database error of the unit's writes shows here, not in the progress commit.
            self.env.flush_all()
            return "done"
        except EXPECTED_ERRORS as error:
            if stop_on_error:
                raise
            _logger.warning("TikTok %s: %s", unit, error)
            failure = error
        except Exception as error:
            if stop_on_error:
                raise
            self.env.cr.rollback()
            if isinstance(error, SyncBug):  # its traceback is logged already
                _logger.error("TikTok %s failed; the run goes on: %s", unit, error)
            else:
                _logger.exception("TikTok %s failed; the run goes on", unit)
            failure = error
        if on_error:
            on_error(unit, failure)
        return "failed"

    @contextmanager
    def _holding(self, work, record):
        """Hold `work` on `record` for this worker until the unit ends, across its commits.

        Yields `record`, or an empty recordset when another worker holds the same work on it.
        A session-level advisory lock rather than a row lock: units commit as they go (an order
        poll after every page), which would release a row lock; and each work on a shop has a
        lock of its own, so that a long catalog import never holds back the shop's stock push.
        """
        key = [f"tiktok.runner:{record._name}:{work}", record.id]
        cr = self.env.cr
        cr.execute("SELECT pg_try_advisory_lock(hashtext(%s), %s)", key)
        if not cr.fetchone()[0]:
            yield record.browse()
            return
        try:
            yield record
        except BaseException:
            cr.rollback()  # the lock cannot be released from an aborted transaction
            raise
        finally:
            cr.execute("SELECT pg_advisory_unlock(hashtext(%s), %s)", key)

    # === SHOPS === #

    @api.model
    def _run_per_shop(self, kind, shops, method_name, trigger="cron"):
        """Run `shop.<method_name>(log=...)` on each shop, one worker per shop and method.

        Each run has a sync log of `kind` (none when `kind` is False: the method then takes no
        argument). It is committed before the work starts, so it stays when a bug rolls the work
        back, and then says what went wrong.
        """
        logs = {}

        def run(shop):
            work = getattr(shop, method_name)
            if not kind:
                work()
                return
            with shop._tiktok_sync_run(kind, trigger) as log:
                logs[shop] = log
                self.env["ir.cron"]._commit_progress()
                work(log=log)

        def record_failure(shop, error):
            log = logs.get(shop)
            # A TikTok or user error closed the log already; a bug's rollback reopened it.
            if log and log.state == "running":
                log._close(f"{type(error).__name__}: {error} (details in the server log)")

        return self._run_units(
            shops,
            run,
            lock=lambda shop: self._holding(method_name, shop),
            on_error=record_failure,
        )

    # === QUEUES === #

    @api.model
    def _run_batches(self, model, domain, batch_size, process, order=None, stop_on_error=False):
        """Lock and process the records of `domain` batch after batch, as a queue's cron does.

        Each record is tried once per run (a record that fails again waits for the next run
        instead of looping), and batches another worker holds are skipped.
        """
        tried = []

        def remaining():
            return model.search_count(Domain(domain) & Domain("id", "not in", tried))

        return self._run_units(
            self._locked_batches(model, domain, batch_size, order, tried),
            process,
            remaining=remaining,
            stop_on_error=stop_on_error,
        )

    @api.model
    def _locked_batches(self, model, domain, batch_size, order, tried):
        """The batches of `domain` this worker could lock, adding their ids to `tried`."""
        while True:
            todo = Domain(domain) & Domain("id", "not in", tried)
            try:
                with self.env.cr.savepoint():
                    batch = model.search(todo, order=order, limit=batch_size).try_lock_for_update()
            except SerializationFailure:
                # Another worker committed a change to these rows after this transaction began:
                # look again from a new transaction, which sees it.
                if not self.env["ir.cron"]._commit_progress():
                    return
                model.env.invalidate_all()
                continue
            if not batch:
                return
            tried += batch.ids
            yield batch
