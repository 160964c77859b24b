"""Starting a crawl child process and collecting its per-source outcomes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from service.config import Config
from storage.archive import Archive
from storage.schema import open_db


@dataclass
class CrawlResult:
    outcomes: list[dict]  # type: ignore[type-arg]
    returncode: int
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and all(o.get("status") == "ok" for o in self.outcomes)


def run_crawl(config: Config, sources: list[str] | None = None, *, refetch: bool = False,
              now: datetime | None = None, timeout: float | None = None,
              env: dict[str, str] | None = None, polite: bool = True, check: int = 0,
              register: Callable[[subprocess.Popen], None] | None = None  # type: ignore[type-arg]
              ) -> CrawlResult:
    """Run one crawl in a child process; kill it (and record the failure) past `timeout`."""
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
    child_env = {**os.environ, **(env or {})}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=None, env=child_env,
                            start_new_session=True, text=True)
    if register:
        register(proc)
    limit = timeout if timeout is not None else config.crawl_timeout
    try:
        out, _ = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        stamp = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
        archive = Archive(open_db(config.database))
        archive.fail_unfinished_runs(stamp, f"crawl killed after {limit:g} s")
        archive.db.close()
        names = sources or [s.name for s in config.sources]
        outcomes = [{"source": n, "status": "failed", "error": f"crawl killed after {limit:g} s"}
                    for n in names]
        return CrawlResult(outcomes, -9, timed_out=True)
    outcomes = []
    for line in out.splitlines():
        try:
            outcomes.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return CrawlResult(outcomes, proc.returncode)
