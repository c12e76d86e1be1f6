"""High-water marks: how a sync that reads TikTok by update time knows where to resume.

A sync (orders, catalog, and those to come) remembers the newest TikTok `update_time` up to which
every record it read was imported: its mark. The next run asks TikTok for what changed since the
mark, minus an overlap (update times can shift while a search is paged; a record read twice is
skipped, never imported twice). A record that failed keeps the mark before it, so the next run
reads it again; and the mark never moves backwards.
"""

from .payload import integer


def window_start(mark, overlap_seconds):
    """The `update_time_ge` of the next search: the mark less the overlap, never before 0."""
    return max(mark - overlap_seconds, 0)


def newest_update_time(records, failed_update_times=()):
    """The newest `update_time` of `records`, held before the oldest of `failed_update_times`.

    A record that failed keeps the mark before it, so the next run's window includes it again.

    :raises TikTokDataError: when a record's update_time is not a whole number
    """
    newest = max((integer(record, "update_time") for record in records), default=0)
    if failed_update_times:
        newest = min(newest, min(failed_update_times) - 1)
    return newest


def advanced_mark(mark, records, failed_update_times=()):
    """The mark after a run that read `records`: moved forward to what they allow, or kept."""
    return max(mark, newest_update_time(records, failed_update_times))
