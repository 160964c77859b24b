"""`readouts serve`: APScheduler 3 running the crawl and digest jobs, unattended.

Catch-up comes from the database and the digest folder, not from a job store: on
start and after every digest job, each complete week since `digest.since` that has no
file is written. One serve per database (an OS lock); SIGTERM/SIGINT stop cleanly.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from service.config import Config
from service.lock import Busy, crawl_lock, service_lock

log = logging.getLogger("readouts.serve")
MISFIRE_GRACE = 6 * 3600


class Service:
    """The jobs, independent of the scheduler that triggers them (tests call them directly)."""

    def __init__(self, config: Config, clock: Callable[[], datetime] | None = None) -> None:
        self.config = config
        self.clock = clock or (lambda: datetime.now(UTC))
        self.stopping = threading.Event()
        self.child: subprocess.Popen | None = None  # type: ignore[type-arg]

    def crawl_job(self) -> None:
        from service.crawl_runner import run_crawl

        if self.stopping.is_set():
            return
        try:
            with crawl_lock(self.config.database):
                log.info("crawl started")
                result = run_crawl(self.config, now=self.clock() if self._simulated() else None,
                                   register=self._register)
        except Busy as exc:
            log.warning("crawl skipped: %s", exc)
            return
        finally:
            self.child = None
        for o in result.outcomes:
            log.info("crawl %s: %s, %s pages, %s new readouts, %s errors%s", o["source"],
                     o["status"], o.get("pages", 0), o.get("new_readouts", 0), o.get("errors", 0),
                     f" ({o['error']})" if o.get("error") else "",
                     extra={"fields": {"event": "crawl_source", **o}})
        log.info("crawl finished", extra={"fields": {"event": "crawl_end", "ok": result.ok}})

    def digest_job(self) -> None:
        from digest.write import write_missing
        from storage.schema import open_db

        db = open_db(self.config.database)
        try:
            for path in write_missing(db, self.config.digest, self.clock()):
                log.info("digest written: %s", path, extra={"fields": {"event": "digest",
                                                                      "path": str(path)}})
        finally:
            db.close()

    def _simulated(self) -> bool:
        return getattr(self.clock, "simulated", False)

    def _register(self, proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
        self.child = proc

    def stop(self) -> None:
        self.stopping.set()
        child = self.child
        if child and child.poll() is None:
            log.info("stopping the running crawl (pid %s)", child.pid)
            child.terminate()


def build_scheduler(service: Service):  # type: ignore[no-untyped-def]
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    tz = service.config.digest.timezone
    scheduler = BackgroundScheduler(timezone=tz, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE})
    scheduler.add_job(service.crawl_job, CronTrigger.from_crontab(service.config.schedule.crawl,
                                                                  timezone=tz),
                      id="crawl", name="crawl", replace_existing=True)
    scheduler.add_job(service.digest_job, CronTrigger.from_crontab(service.config.schedule.digest,
                                                                   timezone=tz),
                      id="digest", name="digest", replace_existing=True)
    return scheduler


def serve(config: Config) -> int:
    with service_lock(config.database):
        service = Service(config)
        stop = threading.Event()

        def on_signal(signum: int, _frame: object) -> None:
            log.info("signal %s: stopping", signal.Signals(signum).name)
            service.stop()
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        log.info("catching up missing digests")
        service.digest_job()
        scheduler = build_scheduler(service)
        scheduler.start()
        for job in scheduler.get_jobs():
            log.info("scheduled %s: next run %s", job.id, job.next_run_time)
        while not stop.wait(60):
            log.debug("heartbeat")
        scheduler.shutdown(wait=True)
        log.info("stopped")
    return 0
