"""`readouts serve`: APScheduler 3 running the crawl and digest jobs, unattended.

What was missed is derived from the database and the digest folder, never from a job
store (the jobs live in memory): at start, hourly and at every digest job, each week whose
digest time has passed and that has no file is written; at start, a crawl runs if no crawl
succeeded since the last scheduled one. One serve per database (an OS lock); SIGTERM and
SIGINT stop the running crawl child and exit 0.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from service.clock import Clock
from service.config import Config
from service.cron import crawl_missed, digest_due_at, next_runs
from service.lock import Busy, crawl_lock, digest_lock, service_lock
from service.logs import event

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger("readouts.serve")
MISFIRE_GRACE = timedelta(hours=6)
HEARTBEAT = timedelta(hours=1)


class Service:
    """The jobs, independent of the scheduler that triggers them."""

    def __init__(self, config: Config, clock: Clock | None = None) -> None:
        self.config = config
        self.clock = clock or Clock()
        self.stopping = threading.Event()

    # -- jobs ---------------------------------------------------------------------------------
    def crawl_job(self) -> None:
        """The scheduled crawl; skipped (with a warning) while another crawl holds the lock."""
        if self.stopping.is_set():
            return
        try:
            with crawl_lock(self.config.database):
                self._crawl("schedule")
        except Busy as exc:
            event(log, "crawl_skipped", "crawl skipped: %s", exc, level=logging.WARNING)

    def digest_job(self) -> list[Path]:
        """Write every week whose digest time has passed and that has no file yet."""
        from digest.write import missing_weeks, remove_stale_temp_files, write_week
        from storage.schema import open_db

        written: list[Path] = []
        if self.stopping.is_set():
            return written
        with digest_lock(self.config.database):
            if self.stopping.is_set():   # we may have waited for a crawl that a stop ended
                return written
            now = self.clock.now()
            remove_stale_temp_files(self.config.digest.output_dir)
            db = open_db(self.config.database)
            try:
                for week in missing_weeks(db, self.config.digest, now):
                    if digest_due_at(self.config, week) > now:
                        continue
                    path = write_week(db, week, self.config.digest, now)
                    written.append(path)
                    event(log, "digest_written", "digest %s written: %s", week, path,
                          week=str(week), path=str(path))
            finally:
                db.close()
        return written

    def catch_up(self, grace: timedelta = timedelta()) -> None:
        """Run what the schedule missed while the service was down, asleep or late.

        A crawl, if a scheduled crawl time passed (more than `grace` ago) since the last
        one: at start the last successful crawl counts, later any crawl, so that a failing
        source is retried on its schedule, not hourly. Then every due digest.
        """
        if self.stopping.is_set():
            return
        at_start = not grace
        if at_start or self._crawl_missed(at_start, grace):
            try:
                with crawl_lock(self.config.database):
                    if at_start:
                        self._close_interrupted_runs()
                    if self._crawl_missed(at_start, grace):   # again, now that we hold the lock
                        self._crawl("catch-up")
            except Busy as exc:
                event(log, "crawl_skipped", "catch-up crawl skipped: %s", exc,
                      level=logging.WARNING)
        self.digest_job()

    def heartbeat(self) -> None:
        runs = next_runs(self.config, self.clock.now())
        event(log, "heartbeat", "alive; next crawl %s, next digest %s", runs["crawl"],
              runs["digest"], next_runs=runs)
        self.catch_up(grace=MISFIRE_GRACE)

    def stop(self) -> None:
        """Stop starting work; a running crawl child is stopped by `run_crawl`."""
        self.stopping.set()

    # -- helpers ------------------------------------------------------------------------------
    def _crawl(self, trigger: str) -> None:
        from service.crawl_runner import run_crawl

        names = [s.name for s in self.config.sources]
        event(log, "crawl_start", "crawl started (%s): %s", trigger, ", ".join(names),
              trigger=trigger, sources=names)
        result = run_crawl(self.config, now=self.clock.crawl_time(), stop=self.stopping)
        for o in result.outcomes:
            event(log, "crawl_source", "crawl %s: %s, %s pages, %s new readouts, %s errors%s",
                  o["source"], o["status"], o.get("pages", 0), o.get("new_readouts", 0),
                  o.get("errors", 0), f" (last: {o['error']})" if o.get("error") else "",
                  level=logging.INFO if o["status"] == "ok" else logging.WARNING, **o)
        event(log, "crawl_end", "crawl finished: %s", "ok" if result.ok else "with failures",
              ok=result.ok, timed_out=result.timed_out, stopped=result.stopped,
              new_readouts=sum(o.get("new_readouts", 0) for o in result.outcomes))

    def _crawl_missed(self, successful: bool, grace: timedelta) -> bool:
        from storage.schema import open_db

        db = open_db(self.config.database)
        try:
            row = db.execute("SELECT MAX(started) FROM crawl_runs"
                             + (" WHERE status = 'ok'" if successful else "")).fetchone()
        finally:
            db.close()
        last = datetime.fromisoformat(row[0]) if row and row[0] else None
        return crawl_missed(self.config, last, self.clock.now(), grace)

    def _close_interrupted_runs(self) -> None:
        """Runs left 'running' while we hold the crawl lock belong to a process that died."""
        from service.crawl_runner import fail_interrupted_runs

        if n := fail_interrupted_runs(self.config, self.clock.now()):
            event(log, "crawl_interrupted", "%s crawl runs of a dead process marked failed", n,
                  level=logging.WARNING, runs=n)


def _guarded(name: str, job: Callable[[], object]) -> Callable[[], None]:
    """A job whose failure is one log line, and which never stops the scheduler."""

    def run() -> None:
        try:
            job()
        except Exception as exc:
            event(log, "job_error", "%s job failed: %s", name, exc, level=logging.ERROR,
                  exc_info=True, job=name)

    return run


def build_scheduler(service: Service) -> BackgroundScheduler:
    """Crawl and digest on their crons, an hourly heartbeat, and a catch-up right away."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    tz = service.config.digest.timezone
    scheduler = BackgroundScheduler(timezone=tz, job_defaults={
        "coalesce": True, "max_instances": 1,
        "misfire_grace_time": int(MISFIRE_GRACE.total_seconds())})
    schedule = service.config.schedule
    scheduler.add_job(_guarded("crawl", service.crawl_job),
                      CronTrigger.from_crontab(schedule.crawl, timezone=tz),
                      id="crawl", name="crawl", replace_existing=True)
    scheduler.add_job(_guarded("digest", service.digest_job),
                      CronTrigger.from_crontab(schedule.digest, timezone=tz),
                      id="digest", name="digest", replace_existing=True)
    scheduler.add_job(_guarded("heartbeat", service.heartbeat), "interval",
                      seconds=int(HEARTBEAT.total_seconds()), id="heartbeat", name="heartbeat",
                      replace_existing=True)
    scheduler.add_job(_guarded("catch-up", service.catch_up), "date", id="catch-up",
                      name="catch-up", replace_existing=True)
    return scheduler


def serve(config: Config, clock: Clock | None = None) -> int:
    """Run until SIGTERM/SIGINT; Busy if another serve holds this database."""
    with service_lock(config.database):
        service = Service(config, clock)
        stopped = threading.Event()

        def on_signal(signum: int, _frame: object) -> None:
            event(log, "stopping", "%s received: stopping", signal.Signals(signum).name,
                  signal=signal.Signals(signum).name)
            service.stop()
            stopped.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        scheduler = build_scheduler(service)
        scheduler.start()
        event(log, "started", "serving %s (database %s)", config.path, config.database,
              config=str(config.path), database=str(config.database))
        for job in scheduler.get_jobs():
            if job.id in ("crawl", "digest"):
                event(log, "scheduled", "scheduled %s: next run %s", job.id,
                      job.next_run_time.isoformat(), job=job.id,
                      next_run=job.next_run_time.astimezone(UTC).isoformat())
        stopped.wait()
        scheduler.shutdown(wait=True)
        event(log, "stopped", "stopped cleanly")
    return 0
