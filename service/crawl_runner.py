"""Running one crawl in a child process, bounded in time, and collecting its outcomes.

The caller holds the crawl lock. The child gets its own process group, so a timeout or a
stop signals all of it; on Linux the kernel also kills it when the thread that started it
dies (PR_SET_PDEATHSIG), so a kill -9 of `readouts serve` never leaves a crawl running
after its lock is gone.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from service.config import Config

STOP_GRACE = 15.0   # seconds a stopped crawl gets to close its spiders before SIGKILL
INTERRUPTED = "crawl interrupted: the process running it died"
_POLL = 0.5
_PR_SET_PDEATHSIG = 1


@dataclass
class CrawlResult:
    outcomes: list[dict]  # type: ignore[type-arg]
    returncode: int
    timed_out: bool = False
    stopped: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and all(o.get("status") == "ok" for o in self.outcomes)


def _die_with_parent() -> Callable[[], None] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getpid()

    def preexec() -> None:  # in the child, between fork and exec
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


def _signal_group(proc: subprocess.Popen, sig: int) -> None:  # type: ignore[type-arg]
    with contextlib.suppress(ProcessLookupError):  # it has exited already
        os.killpg(proc.pid, sig)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def fail_interrupted_runs(config: Config, when: datetime, reason: str = INTERRUPTED) -> int:
    """Mark crawl runs still 'running' as failed: only call while holding the crawl lock."""
    from storage.archive import Archive
    from storage.schema import open_db

    archive = Archive(open_db(config.database))
    try:
        return archive.fail_unfinished_runs(_stamp(when), reason)
    finally:
        archive.db.close()


def _record_failure(config: Config, names: list[str], started: datetime, reason: str) -> None:
    """Close this crawl's unfinished runs, and record a failed run for each source whose child
    died before it could record one, so that status and the digest see the failure."""
    from storage.archive import Archive
    from storage.schema import open_db

    finished = _stamp(max(started, datetime.now(UTC)))
    archive = Archive(open_db(config.database))
    try:
        archive.fail_unfinished_runs(finished, reason)
        for name in names:
            if archive.db.execute("SELECT 1 FROM crawl_runs WHERE source = ? AND started >= ?",
                                  (name, _stamp(started))).fetchone():
                continue
            source = config.source(name)
            run = archive.start_run(name, source.city, source.language, _stamp(started))
            archive.finish_run(run, finished, "failed", 0, 0, 0, 1, reason)
    finally:
        archive.db.close()


def run_crawl(config: Config, sources: list[str] | None = None, *, refetch: bool = False,
              now: datetime | None = None, timeout: float | None = None,
              env: dict[str, str] | None = None, polite: bool = True, check: int = 0,
              stop: threading.Event | None = None) -> CrawlResult:
    """Run one crawl in a child process and wait for it.

    Past `timeout` (default `[service] crawl_timeout`) the child is killed; once `stop` is
    set it gets SIGTERM, then SIGKILL after STOP_GRACE. Either way its unfinished crawl runs
    are recorded as failed. `now` is the time the child records (simulated clocks).
    """
    cmd = [sys.executable, "-m", "service.crawl_process", "--config", str(config.path)]
    for name in sources or []:
        cmd += ["--source", name]
    if refetch:
        cmd.append("--refetch")
    if now:
        cmd += ["--now", now.isoformat()]
    if not polite:
        cmd.append("--no-polite")
    if check:
        cmd += ["--check", str(check)]
    started = now or datetime.now(UTC)
    if not check:
        fail_interrupted_runs(config, started)   # we hold the lock: 'running' runs are orphans
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=None,
                            env={**os.environ, **(env or {})}, start_new_session=True,
                            text=True, preexec_fn=_die_with_parent())
    limit = timeout if timeout is not None else config.crawl_timeout
    kill_at = time.monotonic() + limit
    reason: str | None = None
    timed_out = stopped = False
    while True:
        try:
            out, _ = proc.communicate(timeout=_POLL)
            break
        except subprocess.TimeoutExpired:
            moment = time.monotonic()
            if stop is not None and stop.is_set() and not stopped:
                stopped, reason = True, "crawl stopped: the service was shutting down"
                _signal_group(proc, signal.SIGTERM)
                kill_at = min(kill_at, moment + STOP_GRACE)
            if moment >= kill_at:
                if not stopped:
                    timed_out, reason = True, f"crawl killed after {limit:g} s"
                _signal_group(proc, signal.SIGKILL)
                kill_at = float("inf")
    outcomes = []
    for line in out.splitlines():
        try:
            outcomes.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    reported = {o.get("source") for o in outcomes}
    missing = [n for n in (sources or [s.name for s in config.sources]) if n not in reported]
    if missing:
        reason = reason or f"crawl process ended with code {proc.returncode}"
        if not check:
            _record_failure(config, missing, started, reason)
        outcomes += [{"source": n, "status": "failed", "error": reason} for n in missing]
    return CrawlResult(outcomes, proc.returncode, timed_out=timed_out, stopped=stopped)
