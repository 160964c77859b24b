"""When the schedule says a crawl or a digest is due, computed from the cron expressions.

The service decides what it missed from these and the database (not from a job store),
and `readouts status` uses them to say what is next and what is overdue.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from digest.weeks import Week

if TYPE_CHECKING:
    from service.config import Config

_TICK = timedelta(seconds=1)


def next_fire(expr: str, timezone: str, after: datetime) -> datetime:
    """The first time `expr` fires strictly after `after`."""
    from apscheduler.triggers.cron import CronTrigger

    trigger = CronTrigger.from_crontab(expr, timezone=timezone)
    fire = trigger.get_next_fire_time(None, after + _TICK)
    assert fire is not None  # a crontab expression without an end date always fires again
    return fire


def next_runs(config: Config, now: datetime) -> dict[str, str]:
    tz = config.digest.timezone
    return {job: next_fire(expr, tz, now).isoformat()
            for job, expr in (("crawl", config.schedule.crawl), ("digest", config.schedule.digest))}


def crawl_missed(config: Config, last_crawl: datetime | None, now: datetime,
                 grace: timedelta = timedelta()) -> bool:
    """A scheduled crawl time (plus `grace`) has passed since `last_crawl` started."""
    if last_crawl is None:
        return True
    return next_fire(config.schedule.crawl, config.digest.timezone, last_crawl) + grace <= now


def digest_due_at(config: Config, week: Week) -> datetime:
    """The first scheduled digest run once `week` has ended."""
    end = week.end(config.digest.tz)
    return next_fire(config.schedule.digest, config.digest.timezone, end - _TICK)
